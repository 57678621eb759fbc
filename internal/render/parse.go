package render

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"text/template/parse"

	"github.com/crossplane/function-sdk-go/errors"
)

const (
	// maxErrorLength keeps a failing template (say, `fail` with a huge
	// message) from flooding the session status.
	maxErrorLength = 1024
	// rangeGuardName is the function that counts range iterations. It is
	// spelled like the keyword so that templates cannot call it themselves.
	rangeGuardName = "range"
	// leafName names the one template of every parse; cleanError keeps it
	// out of error messages.
	leafName = "leaf"
)

// parsed is a cached template.
type parsed struct {
	tree *parse.Tree
	// yaml is true when the template is a single action ending in a
	// function that produces YAML or JSON: its output is read back as
	// structure.
	yaml bool
	err  error
}

func parseTemplate(src string) *parsed {
	trees, err := parse.Parse(leafName, src, "", "", parseFuncs)
	if err != nil {
		return &parsed{err: cleanError(err)}
	}
	tree := trees[leafName]
	if len(trees) != 1 || tree == nil {
		return &parsed{err: errors.New("{{define}} and {{block}} are not supported: every string is a template of its own")}
	}
	if err := instrument(tree, tree.Root); err != nil {
		return &parsed{err: err}
	}
	return &parsed{tree: tree, yaml: yamlAction(tree.Root)}
}

// instrument refuses {{template}} and makes every range loop pass its value
// through rangeGuard first. Without {{template}} nothing recurses, and with
// the guard no loop runs longer than the budget allows.
func instrument(t *parse.Tree, n parse.Node) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := instrument(t, c); err != nil {
				return err
			}
		}
	case *parse.TemplateNode:
		return fmt.Errorf("{{template %q}} is not supported: every string is a template of its own", n.Name)
	case *parse.IfNode:
		return instrumentBranch(t, &n.BranchNode)
	case *parse.WithNode:
		return instrumentBranch(t, &n.BranchNode)
	case *parse.RangeNode:
		if err := instrumentBranch(t, &n.BranchNode); err != nil {
			return err
		}
		cost := countNodes(n.List)
		pos := n.Pipe.Pos
		guard := &parse.CommandNode{NodeType: parse.NodeCommand, Pos: pos, Args: []parse.Node{
			parse.NewIdentifier(rangeGuardName).SetTree(t).SetPos(pos),
			&parse.NumberNode{NodeType: parse.NodeNumber, Pos: pos, IsInt: true, Int64: int64(cost), Text: strconv.Itoa(cost)},
		}}
		n.Pipe.Cmds = append(n.Pipe.Cmds, guard)
	}
	return nil
}

func instrumentBranch(t *parse.Tree, b *parse.BranchNode) error {
	if err := instrument(t, b.List); err != nil {
		return err
	}
	return instrument(t, b.ElseList)
}

// countNodes is the number of nodes a loop body runs per iteration, at most.
func countNodes(n parse.Node) int {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return 0
		}
		c := 1
		for _, e := range n.Nodes {
			c += countNodes(e)
		}
		return c
	case *parse.IfNode:
		return countBranch(&n.BranchNode)
	case *parse.WithNode:
		return countBranch(&n.BranchNode)
	case *parse.RangeNode:
		return countBranch(&n.BranchNode)
	case *parse.ActionNode:
		return 1 + countPipe(n.Pipe)
	default:
		return 1
	}
}

func countBranch(b *parse.BranchNode) int {
	return 1 + countPipe(b.Pipe) + countNodes(b.List) + countNodes(b.ElseList)
}

func countPipe(p *parse.PipeNode) int {
	if p == nil {
		return 0
	}
	c := 1
	for _, cmd := range p.Cmds {
		c += 1 + len(cmd.Args)
	}
	return c
}

// yamlProducers are the functions whose output, when a string value is a
// single action ending in one of them, is read back as YAML structure.
var yamlProducers = map[string]bool{
	"toYaml": true, "toJson": true, "toPrettyJson": true, "toRawJson": true,
	"mustToJson": true, "mustToPrettyJson": true, "mustToRawJson": true,
	"indent": true, "nindent": true,
}

// yamlAction reports whether a template is one action, with nothing around
// it but whitespace, ending in a function that produces YAML or JSON. Only
// such a template becomes structure: a plain `{{ .Session.Reason }}` must
// stay a string even when the reason reads "INC-1: db down", which YAML
// would take for a map.
func yamlAction(root *parse.ListNode) bool {
	var action *parse.ActionNode
	for _, n := range root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			if len(bytes.TrimSpace(n.Text)) > 0 {
				return false
			}
		case *parse.ActionNode:
			if action != nil {
				return false
			}
			action = n
		default:
			return false
		}
	}
	if action == nil || len(action.Pipe.Decl) > 0 || len(action.Pipe.Cmds) == 0 {
		return false
	}
	last := action.Pipe.Cmds[len(action.Pipe.Cmds)-1]
	id, ok := last.Args[0].(*parse.IdentifierNode)
	return ok && yamlProducers[id.Ident]
}

var errorPrefix = regexp.MustCompile(`^template: ` + leafName + `:(\d+)(?::(\d+))?: (?:executing "` + leafName + `" )?`)

// cleanError rewrites text/template's error prefix, which names an internal
// template, into a line and column, and shortens very long messages.
func cleanError(err error) error {
	msg := err.Error()
	if m := errorPrefix.FindStringSubmatch(msg); m != nil {
		where := "line " + m[1]
		if m[2] != "" {
			where += ", column " + m[2]
		}
		msg = where + ": " + msg[len(m[0]):]
	}
	if len(msg) > maxErrorLength {
		msg = msg[:maxErrorLength] + "…"
	}
	var lim *errBudget
	switch {
	case errors.Is(err, ErrOutputLimit):
		return fmt.Errorf("%w: %s", ErrOutputLimit, strings.TrimPrefix(msg, ErrOutputLimit.Error()+": "))
	case errors.As(err, &lim):
		return &errBudget{msg: msg}
	}
	return errors.New(msg)
}

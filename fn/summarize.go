package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/catalog"
	"github.com/k8s-breakglass/function-debug-session/internal/preview"
)

// SummarizeCmd prints one line per `crossplane render` output: what a
// newcomer running `make run` wants to see at a glance.
type SummarizeCmd struct {
	Files []string `arg:"" help:"Render outputs, one per scenario, named <scenario>.yaml." type:"existingfile"`
}

// Run prints the summaries.
func (c *SummarizeCmd) Run() error {
	return c.run(os.Stdout)
}

func (c *SummarizeCmd) run(w io.Writer) error {
	for _, f := range c.Files {
		objs, err := catalog.Load(f)
		if err != nil {
			return err
		}
		line := summarizeRender(objs)
		if _, err := fmt.Fprintf(w, "%-38s %s\n", strings.TrimSuffix(filepath.Base(f), ".yaml"), line); err != nil {
			return err
		}
	}
	return nil
}

// summarizeRender describes a render: the session's state, its binding,
// the kinds composed, and what it waits for or why it ended.
func summarizeRender(objs *catalog.Catalog) string {
	var xr *unstructured.Unstructured
	var kinds []string
	for _, d := range objs.Documents {
		o := d.Object
		switch {
		case o.GetKind() == v1alpha1.DebugSessionKind && xr == nil:
			xr = o
		case strings.HasPrefix(o.GetAPIVersion(), "render.crossplane.io/"):
			// Results, not composed resources.
		default:
			kinds = append(kinds, preview.ComposedOf("", o).Kind)
		}
	}
	if xr == nil {
		return "no DebugSession in the render"
	}
	state, _, _ := unstructured.NestedString(xr.Object, "status", "state")
	msg, _, _ := unstructured.NestedString(xr.Object, "status", "message")
	binding, _, _ := unstructured.NestedString(xr.Object, "status", "binding", "name")
	if binding == "" {
		binding = "-"
	}
	composed := countKinds(kinds)
	return fmt.Sprintf("%-16s binding=%-24s composed=%s; %s", state, binding, composed, note(v1alpha1.State(state), msg))
}

// note is what a session waits for, or why it is not running, in the
// status message's first sentence.
func note(state v1alpha1.State, msg string) string {
	first, _, _ := strings.Cut(msg, ". ")
	first = strings.TrimSuffix(first, ".")
	switch state {
	case v1alpha1.StateActive:
		return "running"
	case v1alpha1.StatePending, v1alpha1.StatePendingApproval, v1alpha1.StateQueued:
		return "waiting: " + strings.TrimPrefix(first, "Waiting for ")
	}
	return "why: " + first
}

// countKinds lists kinds in first-seen order, with a count when there is
// more than one: "ValidatingAdmissionPolicy x2, DaemonSet".
func countKinds(kinds []string) string {
	if len(kinds) == 0 {
		return "nothing"
	}
	n := map[string]int{}
	var order []string
	for _, k := range kinds {
		if n[k] == 0 {
			order = append(order, k)
		}
		n[k]++
	}
	out := make([]string, 0, len(order))
	for _, k := range order {
		if n[k] > 1 {
			k = fmt.Sprintf("%s x%d", k, n[k])
		}
		out = append(out, k)
	}
	return strings.Join(out, ", ")
}

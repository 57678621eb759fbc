package catalog

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// LineOf returns the line of a field in the document, for a path written as
// field.Path writes it: "spec.clusters[0]", "spec.nodeSelector[zone]". When
// the field is absent it returns the line of its closest present parent, so
// a message about a missing field points at the object that lacks it.
func (d *Document) LineOf(path string) int {
	n := d.root
	line := d.Line
	for _, step := range splitPath(path) {
		n = child(n, step)
		if n == nil {
			return line
		}
		line = n.Line
	}
	return line
}

// child returns the value node of a mapping key or a sequence index, or nil.
func child(n *yaml.Node, step string) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == step {
				// The key's line: a value that is a block starts below it.
				v := *n.Content[i+1]
				v.Line = n.Content[i].Line
				return &v
			}
		}
	case yaml.SequenceNode:
		i, err := strconv.Atoi(step)
		if err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i]
		}
	}
	return nil
}

// splitPath splits "a.b[0].c[key.with.dots]" into a, b, 0, c, key.with.dots.
func splitPath(path string) []string {
	var out []string
	for path != "" {
		switch path[0] {
		case '.':
			path = path[1:]
		case '[':
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return append(out, path[1:])
			}
			out = append(out, path[1:end])
			path = path[end+1:]
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				return append(out, path)
			}
			out = append(out, path[:end])
			path = path[end:]
		}
	}
	return out
}

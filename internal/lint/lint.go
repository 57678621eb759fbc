package lint

import (
	"cmp"
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/catalog"
	"github.com/k8s-breakglass/function-debug-session/internal/preview"
)

// Severity of a problem: an error makes validate fail, a warning does not.
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// A Problem is one finding, located in a file.
type Problem struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Object   string   `json:"object"`
	Field    string   `json:"field,omitempty"`
	Message  string   `json:"message"`
	Severity Severity `json:"severity"`
}

// String formats the problem like a compiler: file:line: Kind ns/name:
// field: message.
func (p Problem) String() string {
	s := fmt.Sprintf("%s:%d: %s: ", p.File, p.Line, p.Object)
	if p.Field != "" {
		s += p.Field + ": "
	}
	return s + p.Message
}

// linted is one document of a kind the linter checks, decoded.
type linted[T any] struct {
	*catalog.Document
	obj *T
}

// set is everything being linted.
type set struct {
	schemas  Schemas
	input    *v1beta1.Input
	problems []Problem

	templates    []linted[v1alpha1.DebugSessionTemplate]
	podTemplates []linted[v1alpha1.DebugPodTemplate]
	bindings     []linted[v1alpha1.DebugSessionClusterBinding]
	clusters     []linted[v1alpha1.ClusterConfig]
}

// Lint checks every document of c. Documents of other kinds are skipped,
// except a Composition's function-debug-session Input, which is checked
// too and used for the rules that depend on it (trusted binding
// namespaces, allowed auxiliary kinds). Problems are sorted by file, line
// and message.
func Lint(c *catalog.Catalog, schemas Schemas) []Problem {
	s := &set{schemas: schemas, input: &v1beta1.Input{}}
	for _, b := range c.Broken {
		s.problems = append(s.problems, Problem{File: b.File, Line: b.Line, Object: "document", Message: b.Err.Error(), Severity: SeverityError})
	}
	s.readInputs(c)
	s.decode(c)
	s.checkDuplicates()
	s.checkFields()
	s.checkReferences()
	s.checkTies()
	s.checkWidening()
	s.checkRenders()
	slices.SortStableFunc(s.problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Field, b.Field), cmp.Compare(a.Message, b.Message))
	})
	return slices.Compact(s.problems)
}

func (s *set) add(d *catalog.Document, sev Severity, field, format string, a ...any) {
	s.problems = append(s.problems, Problem{File: d.File, Line: d.LineOf(field), Object: d.ID(), Field: field, Message: fmt.Sprintf(format, a...), Severity: sev})
}

// readInputs checks every function Input in a Composition and keeps the
// first as the input of the other rules.
func (s *set) readInputs(c *catalog.Catalog) {
	first := true
	for _, d := range c.OfKind("apiextensions.crossplane.io/v1", "Composition") {
		u := preview.InputFromCompositions([]*unstructured.Unstructured{d.Object})
		if u == nil {
			continue
		}
		prefix := inputPath(d.Object)
		in := &v1beta1.Input{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(u.Object, in, true); err != nil {
			s.add(d, SeverityError, prefix, "%v", err)
			continue
		}
		for _, e := range fieldErrors(in.Validate(), prefix+".") {
			s.add(d, SeverityError, e.Field, "%s", e.Message)
		}
		if first {
			s.input, first = in, false
		}
	}
}

// inputPath is the field path of the Input InputFromCompositions found:
// the first step whose input is the function's.
func inputPath(o *unstructured.Unstructured) string {
	steps, _, _ := unstructured.NestedSlice(o.Object, "spec", "pipeline")
	for i, st := range steps {
		m, _ := st.(map[string]any)
		in, _ := m["input"].(map[string]any)
		if in != nil && in["kind"] == "Input" && in["apiVersion"] == preview.InputAPIVersion {
			return fmt.Sprintf("spec.pipeline[%d].input", i)
		}
	}
	return "spec.pipeline"
}

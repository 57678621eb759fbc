package resolution

import (
	"cmp"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// templateMatch is how a binding says which templates it applies to: one
// template by reference, or the templates of the binding's own namespace
// that a label selector selects. A binding that says neither, both, or
// gives a selector that does not parse or selects everything applies to no
// template; problem says why.
type templateMatch struct {
	// ref is the named template (namespace defaulted) when named, that is
	// when templateRef is the binding's only way of naming templates. A
	// value, not a pointer: the function compiles every binding on every
	// call.
	ref   objectKey
	named bool
	// namespace and selector are set for a usable templateSelector.
	namespace string
	selector  labels.Selector
	// field and problem say what makes the binding apply to no template.
	field, problem string
}

// compileTemplateMatch reads a binding's templateRef and templateSelector.
//
// A selector only reaches the binding's own namespace. Template authors
// choose their labels, so a selector that reached other namespaces would
// let whoever can write a template anywhere attach it to this binding's
// grant; within its own namespace, whoever could label a template could
// have written the binding. A template elsewhere is bound by templateRef,
// which names it.
//
// An empty selector selects nothing (and the CRD refuses it): binding every
// present and future template of a namespace is never what a grant means.
func compileTemplateMatch(b *v1alpha1.DebugSessionClusterBinding) templateMatch {
	ref, sel := b.Spec.TemplateRef, b.Spec.TemplateSelector
	switch {
	case ref != nil && sel != nil:
		return templateMatch{field: "spec.templateSelector", problem: "is set together with spec.templateRef; set exactly one: the binding applies to no template"}
	case ref == nil && sel == nil:
		return templateMatch{field: "spec", problem: "set templateRef or templateSelector: the binding applies to no template"}
	case ref != nil:
		k := objectKey{ref.Namespace, ref.Name}
		if k.namespace == "" {
			k.namespace = b.Namespace
		}
		return templateMatch{ref: k, named: true}
	}
	if len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0 {
		return templateMatch{field: "spec.templateSelector", problem: "is empty: it would select every template, so it selects none"}
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return templateMatch{field: "spec.templateSelector", problem: fmt.Sprintf("%v: it selects no template", err)}
	}
	return templateMatch{namespace: b.Namespace, selector: s}
}

// selects reports whether the binding applies to template t.
func (m templateMatch) selects(t *v1alpha1.DebugSessionTemplate) bool {
	switch {
	case t == nil:
		return false
	case m.named:
		return m.ref == objectKey{t.Namespace, t.Name}
	case m.selector != nil:
		return t.Namespace == m.namespace && m.selector.Matches(labels.Set(t.Labels))
	}
	return false
}

// SelectsTemplate reports whether binding b applies to template t: its
// templateRef names t (an empty namespace meaning the binding's own), or its
// templateSelector selects t's labels and t is in the binding's namespace.
// It ignores disabled, trust and time windows, which the caller decides.
// Every part of the module that asks "is this a binding of that template"
// asks here.
func SelectsTemplate(b *v1alpha1.DebugSessionClusterBinding, t *v1alpha1.DebugSessionTemplate) bool {
	return compileTemplateMatch(b).selects(t)
}

// TemplateRefOf returns the namespace and name of the template a binding's
// templateRef names, an empty namespace meaning the binding's own, and false
// when the binding selects templates by label (or names none).
func TemplateRefOf(b *v1alpha1.DebugSessionClusterBinding) (namespace, name string, ok bool) {
	m := compileTemplateMatch(b)
	if !m.named {
		return "", "", false
	}
	return m.ref.namespace, m.ref.name, true
}

// TemplateProblem returns the field and the reason why binding b applies to
// no template whatever templates exist (both or neither of templateRef and
// templateSelector, a selector that is empty or does not parse), or empty
// strings.
func TemplateProblem(b *v1alpha1.DebugSessionClusterBinding) (field, problem string) {
	m := compileTemplateMatch(b)
	return m.field, m.problem
}

// SelectsByLabel reports whether b chooses its templates with a usable
// templateSelector, among the templates of its own namespace.
func SelectsByLabel(b *v1alpha1.DebugSessionClusterBinding) bool {
	return compileTemplateMatch(b).selector != nil
}

// EffectiveDisplayName is the display name of template t as a session shows
// it through the bindings in chain (highest first), and the binding it comes
// from: the highest displayNamePrefix, then " - ", then the template's
// display name, or its name when it has none, as upstream's API shows it.
// Without a prefix it is the template's display name, which may be empty,
// and from is empty.
func EffectiveDisplayName(t *v1alpha1.DebugSessionTemplate, chain []*v1alpha1.DebugSessionClusterBinding) (name, from string) {
	for _, b := range chain {
		if p := strings.TrimSpace(b.Spec.DisplayNamePrefix); p != "" {
			return p + " - " + cmp.Or(t.Spec.DisplayName, t.Name), b.Describe()
		}
	}
	return t.Spec.DisplayName, ""
}

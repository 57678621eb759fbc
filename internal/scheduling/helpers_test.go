package scheduling

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
)

// templateLayer and bindingLayer are layers as resolution returns them.
func templateLayer(c *v1alpha1.SchedulingConstraints) resolution.Layer {
	t := &v1alpha1.DebugSessionTemplate{ObjectMeta: metav1.ObjectMeta{Namespace: "breakglass-system", Name: "netops-debug"}}
	t.Spec.SchedulingConstraints = c
	return resolution.Layer{Source: t.Describe(), Template: t}
}

func bindingLayer(name string, c *v1alpha1.SchedulingConstraints) resolution.Layer {
	b := &v1alpha1.DebugSessionClusterBinding{ObjectMeta: metav1.ObjectMeta{Namespace: "breakglass-system", Name: name}}
	b.Spec.SchedulingConstraints = c
	return resolution.Layer{Source: b.Describe(), Binding: b}
}

// optionLayer is a scheduling option offered by the template, as
// resolution appends it after the bindings.
func optionLayer(c *v1alpha1.SchedulingConstraints) resolution.Layer {
	return resolution.Layer{Source: "DebugSessionTemplate ns/t", Option: &v1alpha1.SchedulingOption{Name: "opt", SchedulingConstraints: c}}
}

func expr(k string, op corev1.NodeSelectorOperator, vs ...string) corev1.NodeSelectorRequirement {
	return corev1.NodeSelectorRequirement{Key: k, Operator: op, Values: vs}
}

func in(k string, vs ...string) corev1.NodeSelectorRequirement {
	return expr(k, corev1.NodeSelectorOpIn, vs...)
}

func notIn(k string, vs ...string) corev1.NodeSelectorRequirement {
	return expr(k, corev1.NodeSelectorOpNotIn, vs...)
}

func absent(k string) corev1.NodeSelectorRequirement {
	return expr(k, corev1.NodeSelectorOpDoesNotExist)
}

func notNode(n string) corev1.NodeSelectorRequirement {
	return expr(metav1.ObjectNameField, corev1.NodeSelectorOpNotIn, n)
}

func term(rs ...corev1.NodeSelectorRequirement) corev1.NodeSelectorTerm {
	return corev1.NodeSelectorTerm{MatchExpressions: rs}
}

func fieldTerm(exprs []corev1.NodeSelectorRequirement, fields ...corev1.NodeSelectorRequirement) corev1.NodeSelectorTerm {
	return corev1.NodeSelectorTerm{MatchExpressions: exprs, MatchFields: fields}
}

func selector(ts ...corev1.NodeSelectorTerm) *corev1.NodeSelector {
	return &corev1.NodeSelector{NodeSelectorTerms: ts}
}

func required(ts ...corev1.NodeSelectorTerm) *v1alpha1.SchedulingConstraints {
	return &v1alpha1.SchedulingConstraints{RequiredNodeAffinity: selector(ts...)}
}

func podWithRequired(ts ...corev1.NodeSelectorTerm) *corev1.PodSpec {
	return &corev1.PodSpec{Affinity: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: selector(ts...)}}}
}

// terms returns n single-expression terms: key In [v0], …, key In [v(n-1)].
func terms(key string, n int) []corev1.NodeSelectorTerm {
	out := make([]corev1.NodeSelectorTerm, n)
	for i := range out {
		out[i] = term(in(key, "v"+string(rune('a'+i%26))+string(rune('a'+i/26))))
	}
	return out
}

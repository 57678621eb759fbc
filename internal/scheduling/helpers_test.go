package scheduling

import (
	"github.com/crossplane/function-sdk-go/errors"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// equateErrors treats two errors as equal when both are nil, or when they
// say the same thing and put the session in the same state.
func equateErrors() cmp.Option {
	return cmp.Comparer(func(a, b error) bool {
		if a == nil || b == nil {
			return a == nil && b == nil
		}
		return a.Error() == b.Error() && StateOf(a) == StateOf(b)
	})
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

var errPlain = errors.New("plain")

func wrapErr(err error) error { return errors.Wrap(err, "cannot build the workload") }

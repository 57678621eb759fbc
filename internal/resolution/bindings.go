package resolution

import (
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// These functions expose the matching rules to tools that look at bindings
// rather than sessions, such as the binding status controller, so that
// there is one implementation of globs, selectors, specificity and pick
// order.

// MatchBinding reports whether binding b applies to cluster, whose
// ClusterConfig is cc (nil when it has none), and how specifically. It
// ignores disabled and trust, which the caller decides.
func MatchBinding(b *v1alpha1.DebugSessionClusterBinding, cluster string, cc *v1alpha1.ClusterConfig) (Specificity, bool) {
	s, _, ok := compileBinding(b).match(cluster, cc)
	return s, ok
}

// BindingProblems returns what the function would warn about in a binding's
// spec and otherwise ignore: invalid globs in clusters or the allowlist, a
// malformed clusterSelector, and a templateRef or templateSelector that
// applies the binding to no template.
func BindingProblems(b *v1alpha1.DebugSessionClusterBinding) []string {
	return compileBinding(b).warnings
}

// PickedBefore reports whether a comes before b in pick order on one
// cluster: higher priority, then more specific, then namespace/name.
func PickedBefore(a, b Candidate) bool {
	return before(candidate{Candidate: a}, candidate{Candidate: b})
}

// EffectiveAllowed returns the allowlist that decides who may use binding b
// of template t: the binding's when it names anyone, else the template's
// (t may be nil).
func EffectiveAllowed(b *v1alpha1.DebugSessionClusterBinding, t *v1alpha1.DebugSessionTemplate) *v1alpha1.Allowed {
	if listsAnyone(b.Spec.Allowed) {
		return b.Spec.Allowed
	}
	if t == nil {
		return nil
	}
	return t.Spec.Allowed
}

package bindingstatus

import (
	"fmt"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/glob"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
)

// Condition reasons.
const (
	ReasonAvailable       = "Available"
	ReasonDisabled        = "Disabled"
	ReasonUntrusted       = "NamespaceNotTrusted"
	ReasonTemplateMissing = "TemplateNotFound"
	ReasonTemplateFound   = "TemplateFound"
	ReasonInvalidSpec     = "InvalidSpec"
	ReasonValidSpec       = "ValidSpec"
	ReasonNoClusters      = "NoMatchedClusters"
	ReasonShadowed        = "Shadowed"
	ReasonNotShadowed     = "NotShadowed"
	ReasonTie             = "Tie"
	ReasonNoTie           = "NoTie"
	ReasonNotYetEffective = "NotYetEffective"
	ReasonExpired         = "Expired"
)

// Inputs are the objects a binding's status depends on.
type Inputs struct {
	// Binding whose status is computed.
	Binding *v1alpha1.DebugSessionClusterBinding
	// Trusted reports whether the function trusts bindings in a namespace.
	Trusted func(namespace string) bool
	// Templates the binding applies to, sorted by namespace and name: the
	// one its templateRef names, or those its templateSelector selects.
	// Empty when there is none.
	Templates []*v1alpha1.DebugSessionTemplate
	// Peers are every other binding; Compute keeps those that share a
	// template with the binding and exist for it.
	Peers []v1alpha1.DebugSessionClusterBinding
	// ClusterConfigs are the known clusters, in the function's
	// configNamespace.
	ClusterConfigs []v1alpha1.ClusterConfig
	// ActiveSessions counts the sessions that use the binding and have not
	// ended.
	ActiveSessions int32
	// Now decides which bindings exist by their effectiveFrom–expiresAt
	// window.
	Now time.Time
}

// Compute returns the status of in.Binding. Conditions carry no transition
// time: the caller sets it when a condition changes.
func Compute(in Inputs) v1alpha1.DebugSessionClusterBindingStatus {
	b := in.Binding
	st := v1alpha1.DebugSessionClusterBindingStatus{ObservedGeneration: b.Generation, ActiveSessions: in.ActiveSessions}
	trusted := in.Trusted == nil || in.Trusted(b.Namespace)
	// Outside its window a binding does not exist for new sessions, as in
	// resolution; Active sessions that keep it still count.
	inWindow := resolution.InWindow(b, in.Now)
	inForce := trusted && !b.Spec.Disabled && inWindow
	if inForce {
		st.MatchedClusters = matchedClusters(b, in)
	}

	missing := cond(v1alpha1.BindingTemplateNotFound, false, ReasonTemplateFound, "")
	if len(in.Templates) == 0 {
		missing = cond(v1alpha1.BindingTemplateNotFound, true, ReasonTemplateMissing, noTemplate(b))
	}
	problems := slices.Clone(resolution.BindingProblems(b))
	if len(b.Spec.Clusters) == 0 && b.Spec.ClusterSelector == nil {
		problems = append(problems, "spec: set clusters or clusterSelector; the binding applies to no cluster")
	}
	invalid := cond(v1alpha1.BindingInvalidSpec, false, ReasonValidSpec, "")
	if len(problems) > 0 {
		invalid = cond(v1alpha1.BindingInvalidSpec, true, ReasonInvalidSpec, strings.Join(problems, "; "))
	}
	shadowed, tie := cond(v1alpha1.BindingShadowed, false, ReasonNotShadowed, ""), cond(v1alpha1.BindingTie, false, ReasonNoTie, "")
	if !b.Spec.Hidden {
		// A hidden binding is only ever chosen by spec.bindingRef, where
		// pick order plays no part.
		shadowed, tie = contest(b, in, st.MatchedClusters)
	}

	var ready metav1.Condition
	switch {
	case !trusted:
		ready = cond(v1alpha1.BindingReady, false, ReasonUntrusted, fmt.Sprintf("namespace %s is not one of the function's bindingNamespaces; the function ignores this binding", b.Namespace))
	case b.Spec.Disabled:
		ready = cond(v1alpha1.BindingReady, false, ReasonDisabled, "spec.disabled is true")
	case !inWindow && b.Spec.EffectiveFrom != nil && in.Now.Before(b.Spec.EffectiveFrom.Time):
		ready = cond(v1alpha1.BindingReady, false, ReasonNotYetEffective, "spec.effectiveFrom "+b.Spec.EffectiveFrom.UTC().Format(time.RFC3339)+" has not come: the binding applies to no session yet")
	case !inWindow:
		ready = cond(v1alpha1.BindingReady, false, ReasonExpired, "spec.expiresAt "+b.Spec.ExpiresAt.UTC().Format(time.RFC3339)+" has passed: the binding applies to no new session; Active sessions through it keep it until they end")
	case len(in.Templates) == 0 && brokenTemplateMatch(b):
		ready = cond(v1alpha1.BindingReady, false, ReasonInvalidSpec, invalid.Message)
	case len(in.Templates) == 0:
		ready = cond(v1alpha1.BindingReady, false, ReasonTemplateMissing, missing.Message)
	case len(problems) > 0:
		ready = cond(v1alpha1.BindingReady, false, ReasonInvalidSpec, invalid.Message)
	case len(st.MatchedClusters) == 0:
		ready = cond(v1alpha1.BindingReady, false, ReasonNoClusters, "no known cluster matches spec.clusters or spec.clusterSelector")
	default:
		ready = cond(v1alpha1.BindingReady, true, ReasonAvailable, "")
	}
	st.Conditions = []metav1.Condition{ready, missing, invalid, shadowed, tie}
	for i := range st.Conditions {
		st.Conditions[i].ObservedGeneration = b.Generation
	}
	return st
}

// brokenTemplateMatch reports whether b's templateRef and templateSelector
// bind no template whatever templates exist.
func brokenTemplateMatch(b *v1alpha1.DebugSessionClusterBinding) bool {
	_, problem := resolution.TemplateProblem(b)
	return problem != ""
}

// noTemplate says why b applies to no template.
func noTemplate(b *v1alpha1.DebugSessionClusterBinding) string {
	if ns, name, ok := resolution.TemplateRefOf(b); ok {
		return fmt.Sprintf("DebugSessionTemplate %s/%s does not exist", ns, name)
	}
	if resolution.SelectsByLabel(b) {
		return fmt.Sprintf("spec.templateSelector selects no DebugSessionTemplate in namespace %s", b.Namespace)
	}
	return "spec.templateRef and spec.templateSelector name no template (see InvalidSpec)"
}

func cond(t string, ok bool, reason, msg string) metav1.Condition {
	s := metav1.ConditionFalse
	if ok {
		s = metav1.ConditionTrue
	}
	return metav1.Condition{Type: t, Status: s, Reason: reason, Message: msg}
}

// matchedClusters returns the sorted known clusters b applies to. A cluster
// is known when it has a ClusterConfig or when a binding names it exactly:
// a session can target such a cluster without a ClusterConfig.
func matchedClusters(b *v1alpha1.DebugSessionClusterBinding, in Inputs) []string {
	configs := map[string]*v1alpha1.ClusterConfig{}
	for i := range in.ClusterConfigs {
		configs[in.ClusterConfigs[i].Name] = &in.ClusterConfigs[i]
	}
	known := map[string]bool{}
	for name := range configs {
		known[name] = true
	}
	for _, bb := range append([]v1alpha1.DebugSessionClusterBinding{*b}, in.Peers...) {
		for _, p := range bb.Spec.Clusters {
			if p != "" && !glob.HasMeta(p) {
				known[p] = true
			}
		}
	}
	var out []string
	for c := range known {
		if _, ok := resolution.MatchBinding(b, c, configs[c]); ok {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

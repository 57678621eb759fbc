package resolution

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/glob"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// candidate is a Candidate with its compiled binding.
type candidate struct {
	Candidate
	cb *compiledBinding
}

// candidates returns the bindings of template t that apply to cluster, in
// pick order: priority (higher first), specificity (more specific first),
// then namespace and name. Every binding of the template contributes its
// configuration warnings, whether or not it matches, and so does every
// binding of the template's namespace that applies to no template. Bindings that do not
// exist for the session at now (see exists) are left out.
func (x *Index) candidates(s *v1alpha1.DebugSession, t *v1alpha1.DebugSessionTemplate, cc *v1alpha1.ClusterConfig, now time.Time, w *warnings) []candidate {
	cluster := s.Spec.Cluster
	var out []candidate
	for _, cb := range x.bindingsOf(t, w) {
		if !x.exists(cb, s, now) {
			continue
		}
		spec, by, ok := cb.match(cluster, cc)
		if !ok {
			continue
		}
		out = append(out, candidate{Candidate: Candidate{Binding: cb.binding, MatchedBy: by, Specificity: spec}, cb: cb})
	}
	sort.SliceStable(out, func(i, j int) bool { return before(out[i], out[j]) })
	return out
}

func before(a, b candidate) bool {
	if pa, pb := a.Binding.Spec.Priority, b.Binding.Spec.Priority; pa != pb {
		return pa > pb
	}
	if c := a.Specificity.Compare(b.Specificity); c != 0 {
		return c > 0
	}
	if a.Binding.Namespace != b.Binding.Namespace {
		return a.Binding.Namespace < b.Binding.Namespace
	}
	return a.Binding.Name < b.Binding.Name
}

// fallbackDenied checks a session that no binding applies to against the
// template alone: the template must allow the cluster and admit the
// requester. It returns why not, or nil.
func (x *Index) fallbackDenied(s *v1alpha1.DebugSession, t *v1alpha1.DebugSessionTemplate) error {
	if ref := s.Spec.BindingRef; ref != nil {
		return outcome.Denied(s.Describe(), "spec.bindingRef",
			"%s is not a binding of template %s for cluster %s: no binding applies to the cluster", x.bindingRefID(ref), t.Name, s.Spec.Cluster)
	}
	allowed := t.Spec.Allowed
	if allowed == nil || !matchAny(allowed.Clusters, s.Spec.Cluster, glob.Match) {
		return outcome.Denied(t.Describe(), "spec.allowed.clusters",
			"template %s does not allow cluster %s and no binding applies to it", t.Name, s.Spec.Cluster)
	}
	if !admits(allowed, s.Spec.RequestedBy, s.Spec.RequesterGroups) {
		return outcome.Denied(t.Describe(), "spec.allowed",
			"template %s does not admit %s on cluster %s", t.Name, s.Spec.RequestedBy, s.Spec.Cluster)
	}
	return nil
}

// pick returns the index of the binding that applies among cands, which are
// in pick order and not empty, or why none does.
func (x *Index) pick(s *v1alpha1.DebugSession, t *v1alpha1.DebugSessionTemplate, cands []candidate, w *warnings) (int, error) {
	if ref := s.Spec.BindingRef; ref != nil {
		id := x.bindingRefID(ref)
		for i, c := range cands {
			if c.cb.id != id {
				continue
			}
			if !c.Admitted {
				return -1, outcome.Denied(c.Binding.Describe(), "spec.allowed",
					"does not admit %s to template %s on cluster %s, and the session names this binding in spec.bindingRef", s.Spec.RequestedBy, t.Name, s.Spec.Cluster)
			}
			return i, nil
		}
		return -1, outcome.Denied(s.Describe(), "spec.bindingRef",
			"%s is not a binding of template %s for cluster %s", id, t.Name, s.Spec.Cluster)
	}

	first := -1
	for i, c := range cands {
		if c.Admitted {
			first = i
			break
		}
	}
	if first < 0 {
		n := len(cands)
		noun := "bindings apply"
		if n == 1 {
			noun = "binding applies"
		}
		return -1, outcome.Denied(s.Describe(), "spec.requestedBy",
			"no binding for cluster %s admits %s (%s) to template %s; %d %s to the cluster", s.Spec.Cluster, s.Spec.RequestedBy, describeGroups(s.Spec.RequesterGroups), t.Name, n, noun)
	}

	// A true tie is still decided, by namespace/name, so resolution is
	// deterministic; but the platform team should make the order explicit.
	tied := []string{cands[first].cb.id}
	for _, c := range cands[first+1:] {
		if c.Admitted && c.Binding.Spec.Priority == cands[first].Binding.Spec.Priority && c.Specificity == cands[first].Specificity {
			tied = append(tied, c.cb.id)
		}
	}
	if len(tied) > 1 {
		w.add(fmt.Sprintf("DebugSessionClusterBindings %s tie for cluster %s (priority %d, %s); using %s, the first by namespace/name: give one a higher priority",
			joinAnd(tied), s.Spec.Cluster, cands[first].Binding.Spec.Priority, cands[first].Specificity, tied[0]))
	}
	return first, nil
}

// bindingRefID returns namespace/name of a session's bindingRef. An empty
// namespace means the input's configNamespace, like the templateRef's.
func (x *Index) bindingRefID(ref *v1alpha1.ObjectReference) string {
	ns := ref.Namespace
	if ns == "" {
		ns = x.in.GetConfigNamespace()
	}
	return ns + "/" + ref.Name
}

func describeGroups(groups []string) string {
	gs := slices.Clone(groups)
	gs = slices.DeleteFunc(gs, func(g string) bool { return g == "" })
	if len(gs) == 0 {
		return "no groups"
	}
	slices.Sort(gs)
	return "groups " + strings.Join(slices.Compact(gs), ", ")
}

// joinAnd joins names as "a, b and c".
func joinAnd(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// warnings collects warning messages without duplicates.
type warnings struct{ seen map[string]bool }

func newWarnings() *warnings { return &warnings{seen: map[string]bool{}} }

func (w *warnings) add(msgs ...string) {
	for _, m := range msgs {
		w.seen[m] = true
	}
}

func (w *warnings) sorted() []string {
	if len(w.seen) == 0 {
		return nil
	}
	out := make([]string, 0, len(w.seen))
	for m := range w.seen {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

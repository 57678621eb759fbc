package bindingstatus

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
)

// contest computes the Shadowed and Tie conditions of b against the other
// bindings of each of its templates, cluster by cluster, in resolution's
// pick order.
//
// b is shadowed on a cluster when a binding h picked before it always ends
// resolution before b: h does not merge additively, and h's allowlist admits
// everyone whom b or any binding between them admits. Allowlists are compared
// as sets of patterns (or h admits every user with "*"), so Shadowed can miss
// a shadow that only glob arithmetic would show but is never reported
// wrongly. A session can still choose b by spec.bindingRef. A binding that
// selects several templates is Shadowed only when it is on every cluster of
// every one of them.
func contest(b *v1alpha1.DebugSessionClusterBinding, in Inputs, matched []string) (shadowed, tie metav1.Condition) {
	shadowed = cond(v1alpha1.BindingShadowed, false, ReasonNotShadowed, "")
	tie = cond(v1alpha1.BindingTie, false, ReasonNoTie, "")
	configs := map[string]*v1alpha1.ClusterConfig{}
	for i := range in.ClusterConfigs {
		configs[in.ClusterConfigs[i].Name] = &in.ClusterConfigs[i]
	}

	shadowers := map[string]bool{}
	everywhere := len(matched) > 0 && len(in.Templates) > 0
	var ties []string
	for _, t := range in.Templates {
		peers := rivals(b, t, in)
		where := ""
		if len(in.Templates) > 1 {
			where = fmt.Sprintf(" for template %s", t.Name)
		}
		for _, c := range matched {
			cands, at := ranked(b, peers, c, configs[c])
			own := cands[at].Specificity
			var tied []string
			for _, x := range cands {
				if x.Binding != b && x.Binding.Spec.Priority == b.Spec.Priority && x.Specificity == own {
					tied = append(tied, id(x.Binding))
				}
			}
			if len(tied) > 0 {
				ties = append(ties, fmt.Sprintf("on %s%s with %s (priority %d, %s)", c, where, strings.Join(tied, ", "), b.Spec.Priority, own))
			}
			h := shadower(cands, at, t)
			if h == nil {
				everywhere = false
				continue
			}
			shadowers[id(h)] = true
		}
	}

	if len(ties) > 0 {
		tie = cond(v1alpha1.BindingTie, true, ReasonTie, "ties "+strings.Join(ties, "; ")+": only namespace/name decides; give one a higher priority")
	}
	if everywhere {
		names := make([]string, 0, len(shadowers))
		for n := range shadowers {
			names = append(names, n)
		}
		slices.Sort(names)
		shadowed = cond(v1alpha1.BindingShadowed, true, ReasonShadowed, fmt.Sprintf("on every matched cluster %s always wins before this binding; only a session that names it in spec.bindingRef uses it", strings.Join(names, " or ")))
	}
	return shadowed, tie
}

// rivals are the enabled, trusted, visible bindings of template t other
// than b that exist now.
func rivals(b *v1alpha1.DebugSessionClusterBinding, t *v1alpha1.DebugSessionTemplate, in Inputs) []*v1alpha1.DebugSessionClusterBinding {
	out := make([]*v1alpha1.DebugSessionClusterBinding, 0, len(in.Peers))
	for i := range in.Peers {
		p := &in.Peers[i]
		switch {
		case p.Spec.Disabled, id(p) == id(b), !resolution.SelectsTemplate(p, t):
			continue
		case p.Spec.Hidden, !resolution.InWindow(p, in.Now):
			// Neither is a candidate for a session that does not name it:
			// a hidden binding applies only through spec.bindingRef, one
			// outside its window not at all.
			continue
		case in.Trusted != nil && !in.Trusted(p.Namespace):
			continue
		}
		out = append(out, p)
	}
	return out
}

// ranked returns b and the peers that match cluster, in pick order, and the
// index of b.
func ranked(b *v1alpha1.DebugSessionClusterBinding, peers []*v1alpha1.DebugSessionClusterBinding, cluster string, cc *v1alpha1.ClusterConfig) ([]resolution.Candidate, int) {
	own, _ := resolution.MatchBinding(b, cluster, cc)
	cands := []resolution.Candidate{{Binding: b, Specificity: own}}
	for _, p := range peers {
		if s, ok := resolution.MatchBinding(p, cluster, cc); ok {
			cands = append(cands, resolution.Candidate{Binding: p, Specificity: s})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return resolution.PickedBefore(cands[i], cands[j]) })
	return cands, slices.IndexFunc(cands, func(x resolution.Candidate) bool { return x.Binding == b })
}

// shadower returns a binding before cands[at] that always ends resolution
// before reaching it, or nil.
func shadower(cands []resolution.Candidate, at int, t *v1alpha1.DebugSessionTemplate) *v1alpha1.DebugSessionClusterBinding {
	for h := range at {
		hb := cands[h].Binding
		if hb.Spec.MergeMode == v1alpha1.MergeModeAdditive {
			continue
		}
		ha := resolution.EffectiveAllowed(hb, t)
		all := true
		for _, x := range cands[h+1 : at+1] {
			if !covers(ha, resolution.EffectiveAllowed(x.Binding, t)) {
				all = false
				break
			}
		}
		if all {
			return hb
		}
	}
	return nil
}

// covers reports whether allowlist h admits everyone that x admits, judged
// by the patterns themselves.
func covers(h, x *v1alpha1.Allowed) bool {
	if x == nil || (len(x.Users) == 0 && len(x.Groups) == 0) {
		return true // x admits nobody.
	}
	if h == nil {
		return false
	}
	if slices.Contains(h.Users, "*") {
		return true
	}
	for _, u := range x.Users {
		if !slices.Contains(h.Users, u) {
			return false
		}
	}
	if slices.Contains(h.Groups, "*") {
		return true
	}
	for _, g := range x.Groups {
		if !slices.Contains(h.Groups, g) {
			return false
		}
	}
	return true
}

func id(b *v1alpha1.DebugSessionClusterBinding) string {
	return b.Namespace + "/" + b.Name
}

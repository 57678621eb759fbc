package resolution

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/glob"
)

// A SpecificityRank says how precisely a binding names a cluster. Higher
// ranks are more specific.
type SpecificityRank int

// Specificity ranks, least specific first.
const (
	// RankWildcard is a clusters entry without literal characters, such as
	// `*`: it says nothing about which cluster it means.
	RankWildcard SpecificityRank = iota
	// RankSelector is a clusterSelector on the ClusterConfig's labels.
	RankSelector
	// RankGlob is a clusters entry with glob metacharacters and some literal
	// text.
	RankGlob
	// RankExact is a clusters entry that is the cluster's name.
	RankExact
)

// Specificity is how precisely a binding names the session's cluster. It
// breaks ties between bindings of the same priority.
type Specificity struct {
	Rank SpecificityRank
	// Literal is the number of literal characters of a RankGlob pattern:
	// "prod-eu-*" is more specific than "prod-*".
	Literal int
}

// Compare returns a negative number when s is less specific than o, zero
// when they are equally specific, and a positive number otherwise.
func (s Specificity) Compare(o Specificity) int {
	if s.Rank != o.Rank {
		return int(s.Rank) - int(o.Rank)
	}
	return s.Literal - o.Literal
}

// String describes the specificity for messages.
func (s Specificity) String() string {
	switch s.Rank {
	case RankExact:
		return "exact cluster name"
	case RankGlob:
		return fmt.Sprintf("glob with %d literal characters", s.Literal)
	case RankSelector:
		return "clusterSelector"
	case RankWildcard:
		return "wildcard"
	}
	return "unknown"
}

// specificityOf ranks a valid clusters pattern.
func specificityOf(pattern string) Specificity {
	switch {
	case !glob.HasMeta(pattern):
		return Specificity{Rank: RankExact}
	case glob.Literal(pattern) == 0:
		return Specificity{Rank: RankWildcard}
	default:
		return Specificity{Rank: RankGlob, Literal: glob.Literal(pattern)}
	}
}

// clusterPattern is a valid clusters entry of a binding.
type clusterPattern struct {
	index   int
	pattern string
	spec    Specificity
}

// compiledBinding is a binding whose globs were validated and whose selector
// was parsed once, so that matching it against many clusters does no parsing.
type compiledBinding struct {
	binding *v1alpha1.DebugSessionClusterBinding
	id      string // namespace/name

	// templates says which templates the binding applies to.
	templates templateMatch

	clusters []clusterPattern
	// selector is nil when the binding has no clusterSelector or a
	// malformed one; both match no cluster by selector.
	selector labels.Selector

	// warnings are the binding's configuration problems, reported with
	// every session of its template.
	warnings []string
}

func compileBinding(b *v1alpha1.DebugSessionClusterBinding) *compiledBinding {
	cb := &compiledBinding{binding: b, id: b.Namespace + "/" + b.Name, templates: compileTemplateMatch(b)}
	where := "DebugSessionClusterBinding " + cb.id + " spec."
	if p := cb.templates.problem; p != "" {
		cb.warnings = append(cb.warnings, fmt.Sprintf("DebugSessionClusterBinding %s %s: %s", cb.id, cb.templates.field, p))
	}
	for i, p := range b.Spec.Clusters {
		if err := glob.Validate(p); err != nil {
			cb.warnings = append(cb.warnings, fmt.Sprintf("%sclusters[%d]: %v; it matches no cluster", where, i, err))
			continue
		}
		cb.clusters = append(cb.clusters, clusterPattern{index: i, pattern: p, spec: specificityOf(p)})
	}
	if sel := b.Spec.ClusterSelector; sel != nil {
		s, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil {
			cb.warnings = append(cb.warnings, fmt.Sprintf("%sclusterSelector: %v; it matches no cluster", where, err))
		} else {
			cb.selector = s
		}
	}
	if a := b.Spec.Allowed; a != nil {
		cb.warnings = append(cb.warnings, invalidPatterns(a.Users, where+"allowed.users")...)
		cb.warnings = append(cb.warnings, invalidPatterns(a.Groups, where+"allowed.groups")...)
	}
	return cb
}

// match reports whether the binding applies to cluster, how specifically,
// and by which field. cc is the cluster's ClusterConfig, or nil when it has
// none: a selector then matches nothing, since there are no labels to match.
func (cb *compiledBinding) match(cluster string, cc *v1alpha1.ClusterConfig) (Specificity, string, bool) {
	var best Specificity
	by := ""
	for _, p := range cb.clusters {
		if ok, _ := glob.Match(p.pattern, cluster); !ok {
			continue
		}
		if by == "" || p.spec.Compare(best) > 0 {
			best = p.spec
			by = fmt.Sprintf("clusters[%d] %q", p.index, p.pattern)
		}
	}
	if cb.selector != nil && cc != nil && cb.selector.Matches(labels.Set(cc.Labels)) {
		s := Specificity{Rank: RankSelector}
		if by == "" || s.Compare(best) > 0 {
			best = s
			by = "clusterSelector"
		}
	}
	return best, by, by != ""
}

// invalidPatterns returns a warning for every pattern that is not a valid
// glob. Such a pattern matches nothing; saying so keeps a typo from silently
// locking people out.
func invalidPatterns(patterns []string, where string) []string {
	var out []string
	for i, p := range patterns {
		if err := glob.Validate(p); err != nil {
			out = append(out, fmt.Sprintf("%s[%d]: %v; it matches nothing", where, i, err))
		}
	}
	return out
}

// matchAny reports whether any pattern matches name. Invalid patterns match
// nothing; invalidPatterns reports them.
func matchAny(patterns []string, name string, match func(pattern, name string) (bool, error)) bool {
	for _, p := range patterns {
		if ok, _ := match(p, name); ok {
			return true
		}
	}
	return false
}

// admits reports whether an allowlist admits a requester. Users match by
// glob, case-insensitively when the entry is a plain identity; groups match
// by glob. A nil allowlist, or one without users and groups, admits nobody:
// access must be granted, never assumed.
func admits(a *v1alpha1.Allowed, user string, groups []string) bool {
	if a == nil {
		return false
	}
	if matchAny(a.Users, user, glob.MatchFold) {
		return true
	}
	for _, g := range groups {
		if g != "" && matchAny(a.Groups, g, glob.Match) {
			return true
		}
	}
	return false
}

// listsAnyone reports whether an allowlist names any user or group. Only
// then does a binding's allowlist replace the template's.
func listsAnyone(a *v1alpha1.Allowed) bool {
	return a != nil && (len(a.Users) > 0 || len(a.Groups) > 0)
}

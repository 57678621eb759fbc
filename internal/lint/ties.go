package lint

import (
	"maps"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/glob"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
)

// checkTies finds bindings of one template that tie on priority and
// specificity for some cluster. The function still decides a tie (by
// namespace/name) but the platform team should make the order explicit.
//
// It asks resolution itself which bindings apply to each probe cluster, in
// pick order: every cluster with a ClusterConfig, every name a binding
// lists, and a sample name for every glob a binding lists.
func (s *set) checkTies() {
	for _, t := range s.templates {
		bs := s.bindingsOf(t)
		if len(bs) < 2 {
			continue
		}
		bindings := make([]v1alpha1.DebugSessionClusterBinding, 0, len(bs))
		docs := map[string]linted[v1alpha1.DebugSessionClusterBinding]{}
		for _, b := range bs {
			bindings = append(bindings, *b.obj)
			docs[id(b.obj)] = b
		}
		reported := map[string]bool{}
		for _, cluster := range s.probeClusters(t.Dir(), bindings) {
			res, _ := resolution.Resolve(resolution.Request{
				Session: probeSession(cluster.name), Template: t.obj, ClusterConfig: cluster.config, Bindings: bindings, Input: s.input,
			})
			for i := 1; i < len(res.Candidates); i++ {
				a, b := res.Candidates[i-1], res.Candidates[i]
				if a.Binding.Spec.Priority != b.Binding.Spec.Priority || a.Specificity != b.Specificity || reported[id(b.Binding)+" "+id(a.Binding)] {
					continue
				}
				reported[id(b.Binding)+" "+id(a.Binding)] = true
				s.add(docs[id(b.Binding)].Document, SeverityWarning, "spec.priority",
					"ties with DebugSessionClusterBinding %s on cluster %s (priority %d, %s); the function picks %s, the first by namespace/name: give one a higher priority",
					id(a.Binding), cluster.name, a.Binding.Spec.Priority, a.Specificity, id(a.Binding))
			}
		}
	}
}

// probe is a cluster to try, with its ClusterConfig when it has one.
type probe struct {
	name   string
	config *v1alpha1.ClusterConfig
}

// probeClusters returns the clusters to try, sorted by name: ClusterConfigs
// (preferring those in dir), then names and sample names from the
// bindings' clusters, which have none.
func (s *set) probeClusters(dir string, bindings []v1alpha1.DebugSessionClusterBinding) []probe {
	configs := map[string]*v1alpha1.ClusterConfig{}
	for _, c := range s.clusters {
		if _, ok := configs[c.obj.Name]; !ok || c.Dir() == dir {
			configs[c.obj.Name] = c.obj
		}
	}
	names := map[string]bool{}
	for n := range configs {
		names[n] = true
	}
	for _, b := range bindings {
		for _, p := range b.Spec.Clusters {
			if n := sampleName(p); n != "" {
				names[n] = true
			}
		}
	}
	out := make([]probe, 0, len(names))
	for _, n := range slices.Sorted(maps.Keys(names)) {
		out = append(out, probe{name: n, config: configs[n]})
	}
	return out
}

// sampleName returns a name the pattern matches: "*" and "?" become "x",
// a class its first character. Empty when the pattern is invalid or the
// sample does not match (a negated class).
func sampleName(pattern string) string {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '*', '?':
			b.WriteByte('x')
		case '[':
			end := strings.IndexByte(pattern[i:], ']')
			if end < 2 {
				return ""
			}
			b.WriteByte(pattern[i+1])
			i += end
		case '\\':
			if i+1 < len(pattern) {
				i++
				b.WriteByte(pattern[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	if ok, err := glob.Match(pattern, b.String()); err != nil || !ok {
		return ""
	}
	return b.String()
}

// probeSession is a session on cluster; who asks does not change which
// bindings apply, only which admit.
func probeSession(cluster string) *v1alpha1.DebugSession {
	return &v1alpha1.DebugSession{
		ObjectMeta: metav1.ObjectMeta{Name: "lint", Namespace: "lint"},
		Spec:       v1alpha1.DebugSessionSpec{Cluster: cluster, RequestedBy: "lint"},
	}
}

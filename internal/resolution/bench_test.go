package resolution

import (
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// fleet builds n bindings of one template (the worst case: every binding is
// a candidate for every session of that template) and m clusters with
// ClusterConfigs. Bindings mix every way to name clusters: exact names,
// globs, selectors and a few wildcards, with many priorities.
func fleet(n, m int) ([]v1alpha1.DebugSessionClusterBinding, []*v1alpha1.ClusterConfig) {
	const regions = 50
	bindings := make([]v1alpha1.DebugSessionClusterBinding, 0, n)
	for i := range n {
		var how func(*v1alpha1.DebugSessionClusterBinding)
		switch i % 4 {
		case 0:
			how = clusters(fmt.Sprintf("region-%d-cluster-%d", i%regions, i))
		case 1:
			how = clusters(fmt.Sprintf("region-%d-*", i%regions))
		case 2:
			how = selector(&metav1.LabelSelector{MatchLabels: map[string]string{"region": fmt.Sprintf("r%d", i%regions)}})
		default:
			if i%100 == 3 {
				how = clusters("*")
			} else {
				how = selector(&metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{fmt.Sprintf("t%d", i%7)}}}})
			}
		}
		bindings = append(bindings, binding(fmt.Sprintf("b-%04d", i), "netops-debug", how, priority(int32(i%10)), allowedGroups(fmt.Sprintf("team-%d", i%20), "sre-oncall")))
	}
	ccs := make([]*v1alpha1.ClusterConfig, 0, m)
	for j := range m {
		ccs = append(ccs, clusterConfig(fmt.Sprintf("region-%d-cluster-%d", j%regions, j), "region", fmt.Sprintf("r%d", j%regions), "tier", fmt.Sprintf("t%d", j%7)))
	}
	return bindings, ccs
}

// BenchmarkIndexResolve resolves one cluster per operation against an Index
// built once, as the explain and available tools do for a whole fleet. The
// time per operation grows with the bindings of the template and does not
// grow with the number of clusters, so a fleet of 5,000 clusters costs
// 5,000 times one operation: linear in bindings × clusters, with no
// per-cluster parsing.
func BenchmarkIndexResolve(b *testing.B) {
	for _, size := range []struct{ bindings, clusters int }{{100, 5000}, {1000, 500}, {1000, 5000}} {
		b.Run(fmt.Sprintf("bindings=%d/clusters=%d", size.bindings, size.clusters), func(b *testing.B) {
			bindings, ccs := fleet(size.bindings, size.clusters)
			x := NewIndex(nil, bindings)
			tmpl := netopsTemplate()
			sessions := make([]*v1alpha1.DebugSession, len(ccs))
			for j, cc := range ccs {
				sessions[j] = session(cc.Name, "alice@example.com", []string{"sre-oncall"})
			}
			b.ReportAllocs()
			j := 0
			for b.Loop() {
				if _, err := x.Resolve(sessions[j], tmpl, ccs[j]); err != nil {
					b.Fatalf("cluster %s: %v", ccs[j].Name, err)
				}
				j = (j + 1) % len(ccs)
			}
		})
	}
}

// BenchmarkResolve is what the function does per call: prepare the bindings
// and resolve one session, O(bindings).
func BenchmarkResolve(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("bindings=%d", n), func(b *testing.B) {
			bindings, ccs := fleet(n, 1)
			req := Request{
				Session:       session(ccs[0].Name, "alice@example.com", []string{"sre-oncall"}),
				Template:      netopsTemplate(),
				ClusterConfig: ccs[0],
				Bindings:      bindings,
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Resolve(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFleet resolves every one of 5,000 clusters against
// 1,000 bindings per operation: the whole fleet, as the available endpoint
// does for a template.
func BenchmarkFleet(b *testing.B) {
	bindings, ccs := fleet(1000, 5000)
	tmpl := netopsTemplate()
	sessions := make([]*v1alpha1.DebugSession, len(ccs))
	for j, cc := range ccs {
		sessions[j] = session(cc.Name, "alice@example.com", []string{"sre-oncall"})
	}
	b.ReportAllocs()
	for b.Loop() {
		x := NewIndex(nil, bindings)
		for j, cc := range ccs {
			if _, err := x.Resolve(sessions[j], tmpl, cc); err != nil {
				b.Fatalf("cluster %s: %v", cc.Name, err)
			}
		}
	}
}

package main

import (
	"context"
	"testing"
	"time"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// BenchmarkRunFunction measures one call for a typical Active session: the
// proposal's binding with mandatory scheduling constraints, a glob-denied
// node and an auxiliary NetworkPolicy, everything already observed ready.
// Compare runs with benchstat; the metrics buckets assume well under a
// millisecond per call.
func BenchmarkRunFunction(b *testing.B) {
	tmpl, pod := template(), podTemplate()
	tmpl["spec"].(map[string]any)["auxiliaryResourceDefaults"] = map[string]any{"network-isolation": true}
	pod["spec"].(map[string]any)["auxiliaryResources"] = []any{map[string]any{
		"name": "egress-network-policy", "category": "network-isolation",
		"template": map[string]any{
			"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
			"metadata": map[string]any{"name": "debug-egress-{{ .Session.Name }}", "namespace": "{{ .TargetNamespace }}", "labels": "{{ .Labels | toYaml | nindent 12 }}"},
			"spec": map[string]any{
				"podSelector": map[string]any{"matchLabels": map[string]any{"breakglass.telekom.de/session": "{{ .Session.Name }}"}},
				"policyTypes": []any{"Egress"},
			},
		},
	}}
	binding := map[string]any{
		"apiVersion": "breakglass.telekom.de/v1alpha1", "kind": "DebugSessionClusterBinding",
		"metadata": map[string]any{"name": "prod-binding", "namespace": "breakglass-system"},
		"spec": map[string]any{
			"templateRef": map[string]any{"name": "netops-debug"}, "clusters": []any{"prod-*"},
			"allowed": map[string]any{"groups": []any{"sre-oncall"}},
			"schedulingConstraints": map[string]any{
				"requiredNodeAffinity": map[string]any{"nodeSelectorTerms": []any{map[string]any{"matchExpressions": []any{
					map[string]any{"key": "node-role.kubernetes.io/control-plane", "operator": "DoesNotExist"},
				}}}},
				"deniedNodeLabels": map[string]any{"node-restriction.kubernetes.io/critical": "*"},
				"deniedNodes":      []any{"cp-*"},
			},
		},
	}
	observed := readySince(now.Add(-time.Minute), deniedNodesPolicies, podAccessPolicies, podAccessGrants)
	for k, v := range networkPolicyObserved() {
		observed[k] = v
	}
	req := newRequest(args{xr: xr("prod-cluster-a"), observed: observed, required: map[string]*fnv1.Resources{
		"template": items(tmpl), "cluster-config": items(), "pod-template": items(pod),
		"bindings-breakglass-system": items(binding),
	}})
	fn := NewFunction(logging.NewNopLogger(), WithClock(func() time.Time { return now }))
	rsp, _ := fn.RunFunction(context.Background(), req)
	if got := digest(rsp); got.state != "Active" || len(got.composed) != 8 {
		b.Fatalf("the benchmarked session is not the Active one it should be: %+v", got)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := fn.RunFunction(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// networkPolicyObserved is the NetworkPolicy's Object observed ready.
func networkPolicyObserved() map[string]*fnv1.Resource {
	return map[string]*fnv1.Resource{"aux-podtemplate-egress-network-policy": {Resource: st(map[string]any{
		"apiVersion": "kubernetes.m.crossplane.io/v1alpha1", "kind": "Object",
		"status": map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": "True", "reason": "Available"}}},
	})}}
}

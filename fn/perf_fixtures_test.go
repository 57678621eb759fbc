package main

import (
	"fmt"
	"time"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"google.golang.org/protobuf/proto"
)

// perfScenario sizes the request of the performance benchmarks and the served
// load test: an Active session, observed ready, with ProviderKubernetes
// delivery, among bindings, other sessions and auxiliary resources.
type perfScenario struct {
	// bindings besides the one that applies, spread over five namespaces,
	// with cluster globs and selectors that do not match the session.
	bindings int
	// sessions are other sessions on the cluster; with any, the template
	// sets a concurrency limit, so the function lists them.
	sessions int
	// auxiliary NetworkPolicies in the pod template, labelled with toYaml.
	auxiliary int
	// name of the session, so that a load test can call for many.
	name string
}

// steady is the request: one binding, six auxiliary resources.
var steady = perfScenario{auxiliary: 6}

// fleet is a busy management cluster.
var fleet = perfScenario{bindings: 200, sessions: 300, auxiliary: 6}

// perfNamespaces hold the fleet's bindings, next to breakglass-system.
var perfNamespaces = []string{"team-0", "team-1", "team-2", "team-3", "team-4"}

func (sc perfScenario) request() *fnv1.RunFunctionRequest {
	session := active(xr("prod-cluster-a"), now.Add(-10*time.Minute))
	if sc.name != "" {
		session["metadata"].(map[string]any)["name"] = sc.name
	}
	tmpl, pod := template(), podTemplate()
	tmpl["spec"].(map[string]any)["auxiliaryResourceDefaults"] = map[string]any{"network-isolation": true}
	if sc.sessions > 0 {
		tmpl["spec"].(map[string]any)["constraints"] = map[string]any{"maxConcurrentSessions": int64(10 * (sc.sessions + 1))}
	}
	observed := readySince(now.Add(-time.Minute), deniedNodesPolicies, podAccessPolicies, podAccessGrants)
	var aux []any
	for i := range sc.auxiliary {
		name := fmt.Sprintf("egress-network-policy-%d", i)
		aux = append(aux, networkPolicy(name))
		observed["aux-podtemplate-"+name] = networkPolicyObserved()["aux-podtemplate-egress-network-policy"]
	}
	pod["spec"].(map[string]any)["auxiliaryResources"] = aux
	observed["workload"] = networkPolicyObserved()["aux-podtemplate-egress-network-policy"]

	required := map[string]*fnv1.Resources{
		"template": items(tmpl), "cluster-config": items(), "pod-template": items(pod),
		"bindings-breakglass-system": items(perfBinding()),
	}
	for _, ns := range perfNamespaces {
		required["bindings-"+ns] = items()
	}
	for i := range sc.bindings {
		ns := perfNamespaces[i%len(perfNamespaces)]
		required["bindings-"+ns].Items = append(required["bindings-"+ns].Items, items(otherBinding(ns, i)).Items...)
	}
	if sc.sessions > 0 {
		required["sessions"] = items()
		for i := range sc.sessions {
			o := xr("prod-cluster-a")
			o["metadata"].(map[string]any)["name"] = fmt.Sprintf("other-%d", i)
			o["status"] = map[string]any{"state": "Expired"}
			required["sessions"].Items = append(required["sessions"].Items, items(o).Items...)
		}
	}
	return newRequest(args{xr: session, observed: observed, required: required, input: map[string]any{
		"apiVersion": "debugsession.fn.breakglass.telekom.de/v1beta1", "kind": "Input",
		"bindingNamespaces":  append([]any{"breakglass-system"}, "team-0", "team-1", "team-2", "team-3", "team-4"),
		"auxiliaryResources": map[string]any{"maxPerSession": int64(200), "maxRenderedBytes": int64(4 << 20)},
	}})
}

// bytes is the perfScenario's request as Crossplane sends it.
func (sc perfScenario) bytes() []byte {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(sc.request())
	if err != nil {
		panic(err)
	}
	return b
}

func networkPolicy(name string) map[string]any {
	return map[string]any{
		"name": name, "category": "network-isolation",
		"template": map[string]any{
			"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
			"metadata": map[string]any{"name": name + "-{{ .Session.Name }}", "namespace": "{{ .TargetNamespace }}", "labels": "{{ .Labels | toYaml | nindent 12 }}"},
			"spec": map[string]any{
				"podSelector": map[string]any{"matchLabels": map[string]any{"breakglass.telekom.de/session": "{{ .Session.Name }}"}},
				"policyTypes": []any{"Egress"},
			},
		},
	}
}

// perfBinding is the binding that applies to the session.
func perfBinding() map[string]any {
	return map[string]any{
		"apiVersion": "breakglass.telekom.de/v1alpha1", "kind": "DebugSessionClusterBinding",
		"metadata": map[string]any{"name": "prod-binding", "namespace": "breakglass-system"},
		"spec": map[string]any{
			"templateRef": map[string]any{"name": "netops-debug"}, "clusters": []any{"prod-*"},
			"allowed": map[string]any{"groups": []any{"sre-oncall"}},
			"schedulingConstraints": map[string]any{
				"deniedNodeLabels": map[string]any{"node-restriction.kubernetes.io/critical": "*"},
				"deniedNodes":      []any{"cp-*"},
			},
		},
	}
}

// otherBinding is a binding for other clusters: every second one by glob,
// the others by a cluster selector.
func otherBinding(ns string, i int) map[string]any {
	spec := map[string]any{"templateRef": map[string]any{"name": "netops-debug"}, "allowed": map[string]any{"groups": []any{"sre-oncall"}}}
	if i%2 == 0 {
		spec["clusters"] = []any{fmt.Sprintf("stage-%d-*", i), fmt.Sprintf("dev-%d-?", i)}
	} else {
		spec["clusterSelector"] = map[string]any{"matchLabels": map[string]any{"env": fmt.Sprintf("env-%d", i)}}
	}
	return map[string]any{
		"apiVersion": "breakglass.telekom.de/v1alpha1", "kind": "DebugSessionClusterBinding",
		"metadata": map[string]any{"name": fmt.Sprintf("binding-%d", i), "namespace": ns},
		"spec":     spec,
	}
}

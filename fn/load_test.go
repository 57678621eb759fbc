package main

import (
	"fmt"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// loadRequest is the request of the i-th of many distinct sessions, for the
// race and soak tests, with an auxiliary resource whose template text is the
// given variant: with more variants than the renderer's parse cache holds,
// the cache fills and evicts.
func loadRequest(i, variant int) *fnv1.RunFunctionRequest {
	session := xr("prod-cluster-a")
	session["metadata"].(map[string]any)["name"] = fmt.Sprintf("load-%d", i)
	session["spec"].(map[string]any)["reason"] = fmt.Sprintf("load test %d", i)
	t := template()
	t["spec"].(map[string]any)["auxiliaryResources"] = []any{map[string]any{
		"name": "notes",
		"template": map[string]any{
			"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": "notes-{{ .Session.Name }}", "labels": "{{ .Labels | toYaml }}"},
			"data":     map[string]any{"variant": fmt.Sprintf("{{ .Session.Reason | upper }} %d", variant)},
		},
	}}
	return newRequest(args{xr: session, required: map[string]*fnv1.Resources{
		"template": items(t), "cluster-config": items(), "bindings-breakglass-system": items(),
		"pod-template": items(podTemplate()),
	}, input: map[string]any{
		"apiVersion": "debugsession.fn.breakglass.telekom.de/v1beta1", "kind": "Input", "podAccess": "Off",
	}})
}

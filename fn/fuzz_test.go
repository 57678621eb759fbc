package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"google.golang.org/protobuf/proto"
)

// FuzzRunFunction feeds arbitrary template, pod template and binding specs
// (and a session spec) through the whole pipeline. Whatever they hold, the
// function must answer without panicking and give the same answer twice:
// bad input gets a message, never a crash, and output is deterministic.
func FuzzRunFunction(f *testing.F) {
	f.Add(`{"podTemplateRef":{"name":"netops-debug-pod"},"allowed":{"clusters":["prod-*"],"groups":["sre-oncall"]}}`,
		`{"template":{"spec":{"containers":[{"name":"debug","image":"x"}]}}}`,
		`{"templateRef":{"name":"netops-debug"},"clusters":["prod-*"],"allowed":{"groups":["sre-oncall"]},"schedulingConstraints":{"deniedNodes":["cp-*"]}}`,
		`{"duration":"1h"}`)
	f.Add(`{"podTemplateRef":{"name":"netops-debug-pod"},"allowed":{"clusters":["["]},"constraints":{"maxDuration":"-1h"}}`,
		`{"template":{"spec":{"containers":[]}},"auxiliaryResources":[{"name":"x","category":"c","template":{"kind":"{{ .Nope }}"}}]}`,
		`{"templateRef":{"name":"netops-debug"},"clusterSelector":{"matchExpressions":[{"key":"a","operator":"Bogus"}]},"mergeMode":"additive"}`,
		`{"nodeSelector":{"a":"b"},"renewals":-3}`)
	f.Add(`{"podTemplateRef":{"name":"netops-debug-pod"},"allowed":{"clusters":["*"],"users":["*"]},"approvers":{"users":["alice@example.com"]},"auxiliaryResourceDefaults":{"c":true}}`,
		`{"template":{"spec":{"containers":[{"name":"d","image":"x"}]}},"auxiliaryResources":[{"name":"np","category":"c","template":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{ repeat 100000000 \"x\" }}"}}}]}`,
		`{}`, `{"approval":{"decision":"Approved","approvedBy":"alice@example.com"}}`)

	fn := NewFunction(logging.NewNopLogger(), WithClock(func() time.Time { return now }))
	f.Fuzz(func(t *testing.T, templateSpec, podTemplateSpec, bindingSpec, sessionSpec string) {
		spec := func(s string) (map[string]any, bool) {
			m := map[string]any{}
			return m, json.Unmarshal([]byte(s), &m) == nil
		}
		ts, ok1 := spec(templateSpec)
		ps, ok2 := spec(podTemplateSpec)
		bs, ok3 := spec(bindingSpec)
		ss, ok4 := spec(sessionSpec)
		if !ok1 || !ok2 || !ok3 || !ok4 {
			t.Skip("not JSON objects")
		}
		tmpl, pod := template(), podTemplate()
		tmpl["spec"], pod["spec"] = ts, ps
		binding := map[string]any{
			"apiVersion": "breakglass.telekom.de/v1alpha1", "kind": "DebugSessionClusterBinding",
			"metadata": map[string]any{"name": "b", "namespace": "breakglass-system"}, "spec": bs,
		}
		session := xr("prod-cluster-a")
		for k, v := range ss {
			session["spec"].(map[string]any)[k] = v
		}
		req := newRequest(args{xr: session, required: map[string]*fnv1.Resources{
			"template": items(tmpl), "cluster-config": items(), "pod-template": items(pod),
			"bindings-breakglass-system": items(binding),
		}})
		first, err := fn.RunFunction(context.Background(), req)
		if err != nil {
			t.Fatalf("RunFunction returned a Go error: %v", err)
		}
		second, _ := fn.RunFunction(context.Background(), req)
		if !proto.Equal(first, second) {
			t.Fatalf("RunFunction is not deterministic")
		}
	})
}

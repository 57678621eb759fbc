package install_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/admission"

	"github.com/k8s-breakglass/function-debug-session/internal/admissiontest"
)

// caller is who sends an admission request.
type caller struct {
	name   string
	groups []string
}

var (
	alice       = caller{"alice@example.com", []string{"sre-oncall", "system:authenticated"}}
	bob         = caller{"bob@example.com", []string{"security-team", "system:authenticated"}}
	mallory     = caller{"mallory@example.com", []string{"developers", "system:authenticated"}}
	noGroups    = caller{name: "robot@example.com"}
	crossplaneS = caller{crossplane, []string{"system:serviceaccounts", "system:serviceaccounts:crossplane-system", "system:authenticated"}}
)

// xr is a DebugSession as the API server sees it.
func xr(mods ...func(map[string]any)) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "breakglass.telekom.de/v1alpha1",
		"kind":       "DebugSession",
		"metadata": map[string]any{
			"name": "inc-1234", "namespace": "team-a",
			"labels": map[string]any{clusterKey: "prod-cluster-a"},
		},
		"spec": map[string]any{
			"templateRef":     map[string]any{"name": "netops-debug"},
			"cluster":         "prod-cluster-a",
			"requestedBy":     "alice@example.com",
			"requesterGroups": []any{"sre-oncall"},
			"reason":          "INC-1234 packet loss",
			"duration":        "1h",
		},
	}}
	for _, m := range mods {
		m(u.Object)
	}
	return u
}

func set(value any, path ...string) func(map[string]any) {
	return func(o map[string]any) {
		if err := unstructured.SetNestedField(o, runtime.DeepCopyJSONValue(value), path...); err != nil {
			panic(err)
		}
	}
}

func unset(path ...string) func(map[string]any) {
	return func(o map[string]any) { unstructured.RemoveNestedField(o, path...) }
}

func withApproval(decision, by string, groups ...any) func(map[string]any) {
	a := map[string]any{"decision": decision, "approvedBy": by}
	if len(groups) > 0 {
		a["approverGroups"] = groups
	}
	return set(a, "spec", "approval")
}

// verdict is what the policies decided.
type verdict struct {
	denied bool
	// says is a part of the denial message.
	says string
}

// review sends one request through the policies that match it and returns
// whether any matched and the messages of the validations that denied it.
func review(t *testing.T, policies map[string]*admissiontest.Policy, op admission.Operation, obj, old *unstructured.Unstructured, who caller) (bool, []string) {
	t.Helper()
	r := admissiontest.Request{
		Object:    obj,
		OldObject: old,
		Kind:      sessionGVK,
		Resource:  sessionGVK.GroupVersion().WithResource(sessionsRes),
		Namespace: obj.GetNamespace(),
		Name:      obj.GetName(),
		Operation: op,
		User:      who.name,
		Groups:    who.groups,
	}
	var denials []string
	matched := false
	for _, name := range []string{createName, updateName} {
		ok, ds := policies[name].Evaluate(t, r)
		matched = matched || ok
		for _, d := range ds {
			denials = append(denials, d.Message)
		}
	}
	return matched, denials
}

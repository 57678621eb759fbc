package main

import (
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// scenario is what a hostile case changes: the session, the objects it
// refers to and the function input. Its zero value, after defaults, is a
// session that becomes Active with pod access Off, so its workload is
// composed on the first call.
type scenario struct {
	session     map[string]any
	template    map[string]any
	podTemplate map[string]any
	bindings    []any
	clusters    []any
	input       map[string]any
	observed    map[string]*fnv1.Resource
	// noPodTemplate answers the pod template lookup with nothing.
	noPodTemplate bool
}

// hostile returns a case's arguments: the default scenario, changed by mods
// in order.
func hostile(mods ...func(*scenario)) args {
	s := &scenario{
		session: xr("prod-cluster-a"), template: template(), podTemplate: podTemplate(),
		input: map[string]any{"apiVersion": "debugsession.fn.breakglass.telekom.de/v1beta1", "kind": "Input", "podAccess": "Off"},
	}
	for _, m := range mods {
		m(s)
	}
	pods := items(s.podTemplate)
	if s.noPodTemplate {
		pods = items()
	}
	bindings := &fnv1.Resources{}
	for _, b := range s.bindings {
		bindings.Items = append(bindings.Items, &fnv1.Resource{Resource: st(b.(map[string]any))})
	}
	clusters := &fnv1.Resources{}
	for _, c := range s.clusters {
		clusters.Items = append(clusters.Items, &fnv1.Resource{Resource: st(c.(map[string]any))})
	}
	return args{xr: s.session, input: s.input, observed: s.observed, required: map[string]*fnv1.Resources{
		"template": items(s.template), "pod-template": pods, "cluster-config": clusters, "bindings-breakglass-system": bindings,
	}}
}

func specOf(o map[string]any) map[string]any { return o["spec"].(map[string]any) }

// sessionSpec sets a field of the session's spec.
func sessionSpec(k string, v any) func(*scenario) {
	return func(s *scenario) { specOf(s.session)[k] = v }
}

// sessionStatus gives the session a status.
func sessionStatus(st map[string]any) func(*scenario) {
	return func(s *scenario) { s.session["status"] = st }
}

// templateSpec sets a field of the DebugSessionTemplate's spec.
func templateSpec(k string, v any) func(*scenario) {
	return func(s *scenario) { specOf(s.template)[k] = v }
}

// aux adds a template-level auxiliary resource named "extra".
func aux(tmpl any) func(*scenario) {
	return func(s *scenario) {
		list, _ := specOf(s.template)["auxiliaryResources"].([]any)
		specOf(s.template)["auxiliaryResources"] = append(list, map[string]any{"name": "extra", "template": tmpl})
	}
}

// configMap is an auxiliary ConfigMap whose data.v is v.
func configMap(v any) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "extra"}, "data": map[string]any{"v": v}}
}

// roleBinding is an auxiliary RoleBinding to roleRef with subjects.
func roleBinding(roleRef map[string]any, subjects ...any) map[string]any {
	return map[string]any{
		"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
		"metadata": map[string]any{"name": "extra"}, "roleRef": roleRef, "subjects": subjects,
	}
}

// binding adds a DebugSessionClusterBinding named name for the template.
func binding(name string, spec map[string]any) func(*scenario) {
	return func(s *scenario) {
		if _, ok := spec["templateRef"]; !ok {
			spec["templateRef"] = map[string]any{"name": "netops-debug"}
		}
		s.bindings = append(s.bindings, map[string]any{
			"apiVersion": "breakglass.telekom.de/v1alpha1", "kind": "DebugSessionClusterBinding",
			"metadata": map[string]any{"name": name, "namespace": "breakglass-system"}, "spec": spec,
		})
	}
}

// approvers makes the template require approval by bob or security-team.
var approvers = templateSpec("approvers", map[string]any{"users": []any{"bob@example.com"}, "groups": []any{"security-team"}})

func approval(by string) func(*scenario) {
	return sessionSpec("approval", map[string]any{"decision": "Approved", "approvedBy": by})
}

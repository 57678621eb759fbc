package main

import (
	"fmt"
	"strings"
	"time"
)

// shapeCases are objects of the wrong shape or size: wrong types and
// unknown fields in every kind, a pod template gone while the session
// runs, a 10 MiB template and 10,000 bindings.
func shapeCases() map[string]hostileCase {
	running := func(s *scenario) {
		s.session["status"] = map[string]any{"state": "Active", "activatedAt": now.Add(-10 * time.Minute).Format(time.RFC3339)}
		s.observed = readySince(now.Add(-10*time.Minute), []string{"workload"})
	}
	return map[string]hostileCase{
		"SessionWrongType": {
			reason: "A session whose renewals is a string cannot be read; it fails, naming the field.",
			args:   hostile(sessionSpec("renewals", "many")),
			want:   hostileWant{state: "Failed", message: "cannot read DebugSession team-a/inc-1234: json: cannot unmarshal string into Go struct field DebugSessionSpec.spec.renewals of type int32"},
		},
		"SessionUnknownField": {
			reason: "Unknown fields in a session are ignored, as the API server would prune them.",
			args:   hostile(sessionSpec("privileged", true)),
			want:   hostileWant{state: "Active", message: "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."},
		},
		"TemplateWrongType": {
			reason: "A template whose allowed.clusters is a string cannot be read; the session fails, naming the template.",
			args:   hostile(templateSpec("allowed", map[string]any{"clusters": "prod-*"})),
			want:   hostileWant{state: "Failed", message: "cannot read DebugSessionTemplate breakglass-system/netops-debug: json: cannot unmarshal string into Go struct field Allowed.spec.allowed.clusters of type v1alpha1.Globs"},
		},
		"TemplateUnknownField": {
			reason: "Unknown fields in a template are ignored.",
			args:   hostile(templateSpec("hostNetwork", true)),
			want:   hostileWant{state: "Active", message: "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."},
		},
		"PodTemplateWrongType": {
			reason: "A pod template whose containers is a map cannot be read; the session fails, naming it.",
			args: hostile(func(s *scenario) {
				specOf(s.podTemplate)["template"] = map[string]any{"spec": map[string]any{"containers": map[string]any{"name": "x"}}}
			}),
			want: hostileWant{state: "Failed", message: "cannot read DebugPodTemplate breakglass-system/netops-debug-pod: json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container"},
		},
		"BindingWrongType": {
			reason: "A binding whose priority is a string cannot be read; the session fails, naming the binding.",
			args:   hostile(binding("typo", map[string]any{"clusters": []any{"prod-*"}, "priority": "high"})),
			want:   hostileWant{state: "Failed", message: "cannot read DebugSessionClusterBinding breakglass-system/typo: json: cannot unmarshal string into Go struct field DebugSessionClusterBindingSpec.spec.priority of type int32"},
		},
		"ClusterConfigWrongType": {
			reason: "A cluster config whose labels are a list cannot be read; the session fails, naming it.",
			args: hostile(func(s *scenario) {
				s.clusters = []any{map[string]any{
					"apiVersion": "breakglass.telekom.de/v1alpha1", "kind": "ClusterConfig",
					"metadata": map[string]any{"name": "prod-cluster-a", "namespace": "breakglass-system", "labels": []any{"env"}},
				}}
			}),
			want: hostileWant{state: "Failed", message: "cannot read ClusterConfig breakglass-system/prod-cluster-a: json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string"},
		},
		"InputWrongType": {
			reason: "A function input of the wrong shape is a Fatal result naming the field.",
			args:   hostile(func(s *scenario) { s.input["ttl"] = []any{1} }),
			want:   hostileWant{fatal: "cannot get the function input: cannot get function input *v1beta1.Input from *v1.RunFunctionRequest: cannot unmarshal JSON from *structpb.Struct into *v1beta1.Input: json: cannot unmarshal JSON array into Go value of type v1.Duration: json: cannot unmarshal array into Go value of type string"},
		},
		"PodTemplateGoneWhileActive": {
			reason: "A running session whose pod template vanished keeps its objects: a Fatal result names what is missing.",
			args:   hostile(running, func(s *scenario) { s.noPodTemplate = true }),
			want:   hostileWant{fatal: "DebugPodTemplate breakglass-system/netops-debug-pod not found, named by DebugSessionTemplate breakglass-system/netops-debug spec.podTemplateRef; keeping the session's 1 existing resources unchanged"},
		},
		"TemplateGoneWhileActive": {
			reason: "A running session whose template vanished keeps its objects too.",
			args: hostile(running, func(s *scenario) {
				s.template = map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "netops-debug", "namespace": "breakglass-system"}}
			}),
			want: hostileWant{fatal: "DebugSessionTemplate breakglass-system/netops-debug not found; keeping the session's 1 existing resources unchanged"},
		},
		"TenMiBTemplate": {
			reason: "A 10 MiB template (its description) is read and the session activates; size alone is no reason to fail.",
			args:   hostile(templateSpec("description", strings.Repeat("x", 10<<20))),
			want:   hostileWant{state: "Active", message: "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."},
		},
		"TenThousandBindings": {
			reason: "Ten thousand matching bindings are resolved within the budget; the highest priority wins.",
			args: hostile(func(s *scenario) {
				for i := range 10000 {
					binding(fmt.Sprintf("b-%05d", i), map[string]any{
						"clusters": []any{"prod-*"}, "allowed": map[string]any{"groups": []any{"sre-oncall"}}, "priority": i,
					})(s)
				}
			}),
			want: hostileWant{state: "Active", message: "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."},
		},
	}
}

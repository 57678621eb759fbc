package main

// kindCases are auxiliary resources of forbidden kinds, outside the target
// namespace, or granting more than the policy allows.
func kindCases() map[string]hostileCase {
	obj := func(apiVersion, kind string) map[string]any {
		return map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"name": "extra"}}
	}
	in := func(ns string) map[string]any {
		o := configMap("x")
		o["metadata"].(map[string]any)["namespace"] = ns
		return o
	}
	role := map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "viewer"}
	sa := func(ns string) map[string]any {
		return map[string]any{"kind": "ServiceAccount", "name": "debug", "namespace": ns}
	}
	return map[string]hostileCase{
		"ClusterRoleBinding": {
			reason: "Cluster-scoped kinds are never allowed.",
			args:   hostile(aux(obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra]: kind ClusterRoleBinding.rbac.authorization.k8s.io is cluster-scoped; auxiliary resources must be namespaced objects in the target namespace"},
		},
		"ClusterRole": {
			reason: "Cluster-scoped kinds are never allowed.",
			args:   hostile(aux(obj("rbac.authorization.k8s.io/v1", "ClusterRole"))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra]: kind ClusterRole.rbac.authorization.k8s.io is cluster-scoped; auxiliary resources must be namespaced objects in the target namespace"},
		},
		"Namespace": {
			reason: "A session cannot create namespaces.",
			args:   hostile(aux(obj("v1", "Namespace"))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra]: kind Namespace is cluster-scoped; auxiliary resources must be namespaced objects in the target namespace"},
		},
		"Pod": {
			reason: "A Pod is not an auxiliary kind: debug pods come only from the workload.",
			args:   hostile(aux(obj("v1", "Pod"))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra]: kind Pod is not allowed; allowed kinds: ConfigMap, NetworkPolicy.networking.k8s.io, PodDisruptionBudget.policy, Role.rbac.authorization.k8s.io, RoleBinding.rbac.authorization.k8s.io, Secret, ServiceAccount"},
		},
		"Webhook": {
			reason: "An admission webhook would let a session intercept the cluster's requests.",
			args:   hostile(aux(obj("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra]: kind MutatingWebhookConfiguration.admissionregistration.k8s.io is cluster-scoped; auxiliary resources must be namespaced objects in the target namespace"},
		},
		"CustomResourceDefinition": {
			reason: "A session cannot extend the API.",
			args:   hostile(aux(obj("apiextensions.k8s.io/v1", "CustomResourceDefinition"))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra]: kind CustomResourceDefinition.apiextensions.k8s.io is cluster-scoped; auxiliary resources must be namespaced objects in the target namespace"},
		},
		"KindInLowerCase": {
			reason: "Kinds are case-sensitive: configmap is no ConfigMap.",
			args:   hostile(aux(obj("v1", "configmap"))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra]: kind configmap is not allowed; allowed kinds: ConfigMap, NetworkPolicy.networking.k8s.io, PodDisruptionBudget.policy, Role.rbac.authorization.k8s.io, RoleBinding.rbac.authorization.k8s.io, Secret, ServiceAccount"},
		},
		"KindFromTemplate": {
			reason: "A kind computed by a template is checked after rendering.",
			args:   hostile(aux(obj("v1", `{{ "Secret" | replace "Secret" "ServiceAccountToken" }}`))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra]: kind ServiceAccountToken is not allowed; allowed kinds: ConfigMap, NetworkPolicy.networking.k8s.io, PodDisruptionBudget.policy, Role.rbac.authorization.k8s.io, RoleBinding.rbac.authorization.k8s.io, Secret, ServiceAccount"},
		},
		"DeniedByBinding": {
			reason: "A binding's deniedKinds narrows the allowed kinds: a Secret is refused.",
			args: hostile(binding("narrow", map[string]any{
				"clusters": []any{"prod-*"}, "allowed": map[string]any{"groups": []any{"sre-oncall"}},
				"auxiliaryResourcePolicy": map[string]any{"deniedKinds": []any{map[string]any{"group": "", "kind": "Secret"}}},
			}), aux(obj("v1", "Secret"))),
			want: hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra]: kind Secret is denied by DebugSessionClusterBinding breakglass-system/narrow spec.auxiliaryResourcePolicy.deniedKinds"},
		},
		"OtherNamespace": {
			reason: "An auxiliary resource in kube-system is refused.",
			args:   hostile(aux(in("kube-system"))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra]: metadata.namespace is kube-system, but auxiliary resources may only be created in the target namespace debug-sessions-prod"},
		},
		"TemplatedNamespace": {
			reason: "A namespace computed by a template is checked after rendering.",
			args:   hostile(aux(in(`{{ "kube-" }}system`))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra]: metadata.namespace is kube-system, but auxiliary resources may only be created in the target namespace debug-sessions-prod"},
		},
		"NamespaceWithSpaces": {
			reason: "A namespace with a trailing space is not the target namespace.",
			args:   hostile(aux(in("debug-sessions-prod "))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra]: metadata.namespace is debug-sessions-prod , but auxiliary resources may only be created in the target namespace debug-sessions-prod"},
		},
		"RoleBindingToClusterAdmin": {
			reason: "A RoleBinding may never grant cluster-admin.",
			args:   hostile(aux(roleBinding(map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}, sa("debug-sessions-prod")))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra]: roleRef: a RoleBinding may not grant the ClusterRole cluster-admin"},
		},
		"RoleBindingToAUser": {
			reason: "A RoleBinding may bind only ServiceAccounts, not users.",
			args:   hostile(aux(roleBinding(role, map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "mallory"}))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra]: subjects[0] is a User; a RoleBinding may only bind ServiceAccounts of the target namespace debug-sessions-prod"},
		},
		"RoleBindingToSystemMasters": {
			reason: "A RoleBinding may not bind a group, least of all system:masters.",
			args:   hostile(aux(roleBinding(role, map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"}))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra]: subjects[0] is a Group; a RoleBinding may only bind ServiceAccounts of the target namespace debug-sessions-prod"},
		},
		"RoleBindingToAnotherNamespacesAccount": {
			reason: "A RoleBinding may bind only ServiceAccounts of the target namespace.",
			args:   hostile(aux(roleBinding(role, sa("kube-system")))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra]: subjects[0] is ServiceAccount kube-system/debug; a RoleBinding may only bind ServiceAccounts of the target namespace debug-sessions-prod"},
		},
		"RoleBindingAllowed": {
			reason: "The control case: a Role bound to a ServiceAccount of the target namespace is composed.",
			args:   hostile(aux(roleBinding(role, sa("debug-sessions-prod")))),
			want:   hostileWant{state: "Pending", message: "Waiting for extra before the debug pods start. Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."},
		},
	}
}

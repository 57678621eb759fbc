package access

import (
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/names"
)

// role returns the Role that grants a session's members its allowed
// operations in the target namespace, or nil when none is allowed.
//
// RBAC cannot name pods by prefix, so the grant covers every pod in the
// namespace; the session's policy (see policy) confines the CONNECT
// operations to the session's pods. The rules:
//
//   - pods get and list: kubectl reads the pod before exec, attach, logs and
//     port-forward (to pick the container and check its phase), and users
//     need to list pods to find the session's. The pod specs of the
//     namespace become readable; the target namespace holds debug pods only.
//   - pods/exec, pods/attach, pods/portforward create and get: the streaming
//     protocols upgrade a POST (SPDY) or a GET (WebSocket), authorized as
//     create and get; newer API servers also ask for create on a WebSocket
//     upgrade, so both are granted.
//   - pods/log get: logs are a plain GET that admission never sees, so this
//     grant reaches every pod in the namespace.
//   - the marker (MarkerVerb on MarkerResource, this workload only): it
//     lets the policies of this session's other pods' sessions tell that the
//     caller belongs to this session too.
//
// The rules are in a fixed order, so the desired object is stable.
func role(t Target, ops v1alpha1.PodOperations) *rbacv1.Role {
	if !anyAllowed(ops) {
		return nil
	}
	rules := []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}}}
	for _, sub := range subresources(ops) {
		verbs := []string{"create", "get"}
		if sub == "log" {
			verbs = []string{"get"}
		}
		rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods/" + sub}, Verbs: verbs})
	}
	rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{MarkerGroup}, Resources: []string{MarkerResource}, ResourceNames: []string{t.Workload}, Verbs: []string{MarkerVerb}})
	return &rbacv1.Role{
		TypeMeta:   typeMeta(rbacv1.SchemeGroupVersion.String(), "Role"),
		ObjectMeta: t.meta(names.PodAccess(t.Workload), t.Namespace),
		Rules:      rules,
	}
}

// roleBinding binds the Role to the session's members: the users (the
// requester among them), then the groups, each sorted.
func roleBinding(t Target, m Members) *rbacv1.RoleBinding {
	subjects := make([]rbacv1.Subject, 0, len(m.Users)+len(m.Groups))
	for _, u := range m.Users {
		subjects = append(subjects, rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: u})
	}
	for _, g := range m.Groups {
		subjects = append(subjects, rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: g})
	}
	return &rbacv1.RoleBinding{
		TypeMeta:   typeMeta(rbacv1.SchemeGroupVersion.String(), "RoleBinding"),
		ObjectMeta: t.meta(names.PodAccess(t.Workload), t.Namespace),
		Subjects:   subjects,
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: names.PodAccess(t.Workload)},
	}
}

package access

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

var testTarget = Target{
	Session:   "team-a/inc-1234",
	Workload:  "debug-inc-1234-0f3c2a1b",
	Namespace: "breakglass-debug",
	Labels:    map[string]string{v1alpha1.LabelSession: "inc-1234"},
}

func TestRole(t *testing.T) {
	meta := metav1.ObjectMeta{Name: "debug-inc-1234-0f3c2a1b-pod-access", Namespace: "breakglass-debug", Labels: map[string]string{v1alpha1.LabelSession: "inc-1234"}}
	tm := metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"}
	pods := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}}
	stream := func(sub string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods/" + sub}, Verbs: []string{"create", "get"}}
	}
	marker := rbacv1.PolicyRule{APIGroups: []string{"breakglass.telekom.de"}, Resources: []string{"debugworkloads"}, ResourceNames: []string{"debug-inc-1234-0f3c2a1b"}, Verbs: []string{"connect"}}
	cases := map[string]struct {
		reason string
		ops    v1alpha1.PodOperations
		want   *rbacv1.Role
	}{
		"Defaults": {
			reason: "By default the Role grants exec, attach and port-forward (create for SPDY, get for WebSocket), reading pods, and the session's marker.",
			ops:    DefaultOperations,
			want:   &rbacv1.Role{TypeMeta: tm, ObjectMeta: meta, Rules: []rbacv1.PolicyRule{pods, stream("attach"), stream("exec"), stream("portforward"), marker}},
		},
		"LogsOnly": {
			reason: "Logs are a plain GET of pods/log.",
			ops:    v1alpha1.PodOperations{Logs: true},
			want: &rbacv1.Role{TypeMeta: tm, ObjectMeta: meta, Rules: []rbacv1.PolicyRule{
				pods, {APIGroups: []string{""}, Resources: []string{"pods/log"}, Verbs: []string{"get"}}, marker,
			}},
		},
		"ExecOnly": {
			reason: "Only what is allowed is granted.",
			ops:    v1alpha1.PodOperations{Exec: true},
			want:   &rbacv1.Role{TypeMeta: tm, ObjectMeta: meta, Rules: []rbacv1.PolicyRule{pods, stream("exec"), marker}},
		},
		"Nothing": {
			reason: "With nothing allowed there is no Role at all: not even reading pods.",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, role(testTarget, tc.ops)); diff != "" {
				t.Errorf("%s\nrole(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestRoleBinding(t *testing.T) {
	got := roleBinding(testTarget, Members{Users: []string{"alice@example.com", "bob@example.com"}, Groups: []string{"sre-oncall"}})
	want := &rbacv1.RoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: "debug-inc-1234-0f3c2a1b-pod-access", Namespace: "breakglass-debug", Labels: map[string]string{v1alpha1.LabelSession: "inc-1234"}},
		Subjects: []rbacv1.Subject{
			{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: "alice@example.com"},
			{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: "bob@example.com"},
			{Kind: "Group", APIGroup: "rbac.authorization.k8s.io", Name: "sre-oncall"},
		},
		RoleRef: rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "debug-inc-1234-0f3c2a1b-pod-access"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("roleBinding(...): -want, +got:\n%s", diff)
	}
}

func TestPodAccess(t *testing.T) {
	members := Members{Users: []string{"alice@example.com"}}
	type want struct {
		// kinds of Role, RoleBinding, Policy, PolicyBinding; "" for nil.
		kinds []string
		err   error
	}
	cases := map[string]struct {
		reason  string
		target  Target
		members Members
		ops     v1alpha1.PodOperations
		want    want
	}{
		"Allowed": {
			reason:  "An Active session with operations gets a Role, its binding, the policy and its binding.",
			target:  testTarget,
			members: members,
			ops:     DefaultOperations,
			want:    want{kinds: []string{"Role", "RoleBinding", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"}},
		},
		"NothingAllowed": {
			reason:  "With nothing allowed there is no grant, but the policy still keeps everyone out.",
			target:  testTarget,
			members: members,
			want:    want{kinds: []string{"", "", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"}},
		},
		"NoWorkload": {
			reason:  "Without the workload name the policy cannot recognise the session's pods.",
			target:  Target{Session: "team-a/inc-1234", Namespace: "breakglass-debug"},
			members: members,
			want:    want{err: errorf("cannot build the pod access objects of DebugSession team-a/inc-1234 without the workload name and target namespace")},
		},
		"NoMembers": {
			reason: "Without the requester there is nobody to grant anything to.",
			target: testTarget,
			want:   want{err: errorf("cannot build the pod access objects of DebugSession team-a/inc-1234 without its requester")},
		},
	}
	kind := func(o interface{ GetKind() string }, isNil bool) string {
		if isNil {
			return ""
		}
		return o.GetKind()
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := PodAccess(tc.target, tc.members, tc.ops)
			if diff := cmp.Diff(tc.want.err, err, equateErrorMessages()); diff != "" {
				t.Fatalf("%s\nPodAccess(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if err != nil {
				return
			}
			kinds := []string{kind(got.Role, got.Role == nil), kind(got.RoleBinding, got.RoleBinding == nil), kind(got.Policy, got.Policy == nil), kind(got.PolicyBinding, got.PolicyBinding == nil)}
			if diff := cmp.Diff(tc.want.kinds, kinds); diff != "" {
				t.Errorf("%s\nPodAccess(...): -want kinds, +got:\n%s", tc.reason, diff)
			}
			if got.Policy.GetName() != "debug-inc-1234-0f3c2a1b-pod-access" || got.Policy.GetNamespace() != "" {
				t.Errorf("%s\nPodAccess(...): policy %s/%s, want the cluster-scoped debug-inc-1234-0f3c2a1b-pod-access", tc.reason, got.Policy.GetNamespace(), got.Policy.GetName())
			}
			if _, ok := got.Policy.Object["status"]; ok {
				t.Errorf("%s\nPodAccess(...): the policy carries an empty status", tc.reason)
			}
		})
	}
}

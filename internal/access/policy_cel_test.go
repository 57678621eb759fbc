package access

import (
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/admissiontest"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

func TestPodAccessPolicyCEL(t *testing.T) {
	const (
		workloadA = "debug-inc-1234-0f3c2a1b"
		workloadB = "debug-inc-999-aa11bb22"
		workloadC = "debug-locked-cc33dd44"
		// A session that has ended: its policy and Role are gone, its pod
		// may still be terminating.
		workloadEnded = "debug-old-ee55ff66"
		// The longest workload name: a Deployment's generated pod names
		// keep only <workload>- and the random part.
		workloadLong = "debug-a-very-long-session-name-for-the-prefix-12345678"
	)
	var (
		alice   = caller{"alice@example.com", []string{"sre", "system:authenticated"}}
		carol   = caller{"carol@example.com", []string{"system:authenticated"}}
		erin    = caller{"erin@example.com", []string{"sre-oncall", "system:authenticated"}}
		bob     = caller{"bob@example.com", []string{"system:authenticated"}}
		dave    = caller{"dave@example.com", []string{"system:authenticated"}}
		frank   = caller{"frank@example.com", []string{"sre-oncall", "system:authenticated"}}
		mallory = caller{"mallory@example.com", []string{"namespace-operators", "system:authenticated"}}
		root    = caller{"root", []string{"system:masters", "system:authenticated"}}
	)
	target := func(session, workload string) Target {
		return Target{Session: "team-a/" + session, Workload: workload, Namespace: targetNS}
	}
	sessions := []session{
		{
			// alice's session, with carol and the sre-oncall group.
			target:  target("inc-1234", workloadA),
			members: Members{Users: []string{"alice@example.com", "carol@example.com"}, Groups: []string{"sre-oncall"}},
			ops:     DefaultOperations,
		},
		{
			// bob's session, with alice; no attach.
			target:  target("inc-999", workloadB),
			members: Members{Users: []string{"alice@example.com", "bob@example.com"}},
			ops:     v1alpha1.PodOperations{Exec: true, PortForward: true},
		},
		{
			// dave's session, whose template turns everything off.
			target:  target("locked", workloadC),
			members: Members{Users: []string{"dave@example.com"}},
		},
		{
			target:  target("a-very-long-session-name-for-the-prefix", workloadLong),
			members: Members{Users: []string{"dave@example.com"}},
			ops:     DefaultOperations,
		},
	}
	nsWide := func(verbs []string, resources ...string) []rbacv1.PolicyRule {
		return []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: resources, Verbs: verbs}}
	}
	extra := rbacModel{
		cluster: []clusterGrant{
			// Cluster admins: every verb on everything.
			{subject: rbacv1.Subject{Kind: rbacv1.GroupKind, Name: "system:masters"}, rules: []rbacv1.PolicyRule{{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}}}},
			// Namespace operators hold exec, attach, port-forward and
			// proxy everywhere, from a grant that has nothing to do with
			// sessions.
			{subject: rbacv1.Subject{Kind: rbacv1.GroupKind, Name: "namespace-operators"}, rules: nsWide([]string{"create", "get"}, "pods/exec", "pods/attach", "pods/portforward", "pods/proxy")},
			// frank is an sre-oncall member (so a member of alice's
			// session) who also operates the namespace, and was given
			// the namespace-wide marker so that the session's guard
			// leaves his own grant alone.
			{subject: rbacv1.Subject{Kind: rbacv1.UserKind, Name: "frank@example.com"}, rules: append(nsWide([]string{"create", "get"}, "pods/exec"),
				rbacv1.PolicyRule{APIGroups: []string{MarkerGroup}, Resources: []string{MarkerResource}, Verbs: []string{MarkerVerb}})},
		},
	}
	c := newCluster(t, sessions, extra)

	podA := workloadA + "-7xk2p"                // a DaemonSet pod
	podB := workloadB + "-5d8f9c7b6-q2w3e"      // a Deployment pod
	podC := workloadC + "-x9z8y"                // a DaemonSet pod, named as a Job's pods are
	podLong := workloadLong + "-k2m4n"          // a Deployment pod whose name lost its hash
	podEnded := workloadEnded + "-6c9d8-b7n6m"  // a leftover pod of an ended session
	podOther := "payments-api-7d9f8b6c5d-abcde" // a pod that belongs to no session

	type want struct {
		admitted bool
		// says is part of every refusal message, when refused by a policy.
		says string
	}
	cases := map[string]struct {
		reason string
		try    attempt
		want   want
	}{
		"RequesterExecs": {
			reason: "The requester execs into their session's pod: granted by the session's Role and admitted by every policy.",
			try:    attempt{who: alice, pod: podA, subresource: "exec"},
			want:   want{admitted: true},
		},
		"ParticipantUserExecs": {
			reason: "A participant user is a member like the requester.",
			try:    attempt{who: carol, pod: podA, subresource: "exec"},
			want:   want{admitted: true},
		},
		"ParticipantGroupMemberExecs": {
			reason: "A member of a participant group is a member.",
			try:    attempt{who: erin, pod: podA, subresource: "exec"},
			want:   want{admitted: true},
		},
		"RequesterAttachesAndPortForwards": {
			reason: "Attach is allowed by default.",
			try:    attempt{who: alice, pod: podA, subresource: "attach"},
			want:   want{admitted: true},
		},
		"RequesterPortForwards": {
			reason: "Port-forward is allowed by default.",
			try:    attempt{who: alice, pod: podA, subresource: "portforward"},
			want:   want{admitted: true},
		},
		"OtherUserWithNamespaceWideExec": {
			reason: "A user whose own grant covers the namespace is refused by the session's policy, which names the session.",
			try:    attempt{who: mallory, pod: podA, subresource: "exec"},
			want:   want{says: "mallory@example.com is neither the requester nor a participant of DebugSession team-a/inc-1234"},
		},
		"OtherUserProxies": {
			reason: "pods/proxy reaches the pod's ports like port-forward: only members.",
			try:    attempt{who: mallory, pod: podA, subresource: "proxy"},
			want:   want{says: "neither the requester nor a participant of DebugSession team-a/inc-1234"},
		},
		"OtherUserWithNamespaceWideExecOnNonSessionPod": {
			reason: "Grants that are not a session's are not the policies' business.",
			try:    attempt{who: mallory, pod: podOther, subresource: "exec"},
			want:   want{admitted: true},
		},
		"MemberExecsIntoNonSessionPod": {
			reason: "The session's Role grants exec namespace-wide; the session's policy confines it to the session's pods.",
			try:    attempt{who: alice, pod: podOther, subresource: "exec"},
			want:   want{says: "DebugSession team-a/inc-1234 grants alice@example.com pods/exec on its own debug pods (" + workloadA + "-*) only; " + podOther + " is not one of them"},
		},
		"GroupMemberPortForwardsToNonSessionPod": {
			reason: "The guard holds for members by group and for every operation the Role grants.",
			try:    attempt{who: erin, pod: podOther, subresource: "portforward"},
			want:   want{says: "grants erin@example.com pods/portforward on its own debug pods"},
		},
		"MemberExecsIntoEndedSessionsPod": {
			reason: "A pod left by an ended session has no policy and nobody holds its marker: the guard refuses.",
			try:    attempt{who: alice, pod: podEnded, subresource: "exec"},
			want:   want{says: "is not one of them"},
		},
		"MemberOfTwoSessionsExecsIntoTheOther": {
			reason: "alice is a participant of bob's session: its policy admits her, and her own session's guard sees her marker for bob's workload.",
			try:    attempt{who: alice, pod: podB, subresource: "exec"},
			want:   want{admitted: true},
		},
		"OperationOffInTheOtherSession": {
			reason: "alice's own Role grants attach namespace-wide, but bob's session does not allow attach on its pods.",
			try:    attempt{who: alice, pod: podB, subresource: "attach"},
			want:   want{says: "pods/attach is not allowed on the debug pods of DebugSession team-a/inc-999"},
		},
		"MemberOfOneSessionExecsIntoAnother": {
			reason: "carol's Role grants exec namespace-wide, but bob's session refuses her and her session's guard too.",
			try:    attempt{who: carol, pod: podB, subresource: "exec"},
			want:   want{says: "carol@example.com"},
		},
		"RequesterOfAnotherSession": {
			reason: "bob's Role reaches alice's pods through RBAC; alice's policy refuses him.",
			try:    attempt{who: bob, pod: podA, subresource: "exec"},
			want:   want{says: "bob@example.com is neither the requester nor a participant of DebugSession team-a/inc-1234"},
		},
		"ExecOffInTemplate": {
			reason: "When nothing is allowed there is no Role, and the policy refuses even the requester if another grant would let them in.",
			try:    attempt{who: dave, pod: podC, subresource: "exec"},
			want:   want{says: "pods/exec is not allowed on the debug pods of DebugSession team-a/locked"},
		},
		"ExecOffInTemplateNamespaceOperator": {
			reason: "A namespace-wide grant from elsewhere does not reach a session's pods whose operations are off.",
			try:    attempt{who: mallory, pod: podC, subresource: "exec"},
			want:   want{says: "DebugSession team-a/locked"},
		},
		"EphemeralContainerByRequester": {
			reason: "Ephemeral containers would run another image in the pod: always refused on session pods.",
			try:    attempt{who: alice, pod: podA, subresource: "ephemeralcontainers"},
			want:   want{says: "ephemeral containers cannot be added to the debug pods of DebugSession team-a/inc-1234"},
		},
		"EphemeralContainerByClusterAdmin": {
			reason: "Even a cluster admin, whom RBAC allows, is refused ephemeral containers while the policy exists.",
			try:    attempt{who: root, pod: podA, subresource: "ephemeralcontainers"},
			want:   want{says: "ephemeral containers cannot be added to the debug pods of DebugSession team-a/inc-1234"},
		},
		"EphemeralContainerOnNonSessionPod": {
			reason: "Other pods' ephemeral containers are not the policies' business.",
			try:    attempt{who: root, pod: podOther, subresource: "ephemeralcontainers"},
			want:   want{admitted: true},
		},
		"ClusterAdminExecsIntoSessionPod": {
			reason: "A cluster admin is not a member: refused while the policy exists (they can delete it; see docs/access-model.md).",
			try:    attempt{who: root, pod: podA, subresource: "exec"},
			want:   want{says: "root is neither the requester nor a participant"},
		},
		"MemberWithNamespaceWideMarker": {
			reason: "A member who holds the marker for the whole namespace keeps their own namespace-wide grant.",
			try:    attempt{who: frank, pod: podOther, subresource: "exec"},
			want:   want{admitted: true},
		},
		"OtherNamespace": {
			reason: "Pods with a session's prefix in another namespace are outside the policies, and the Role does not reach there.",
			try:    attempt{who: alice, namespace: "kube-system", pod: podA, subresource: "exec"},
			want:   want{},
		},
		"LongWorkloadDeploymentPod": {
			reason: "A pod of a 57-character workload keeps the whole prefix; its member is admitted.",
			try:    attempt{who: dave, pod: podLong, subresource: "exec"},
			want:   want{admitted: true},
		},
		"LongWorkloadDeploymentPodOtherUser": {
			reason: "…and a non-member with a namespace-wide grant is refused by that session's policy.",
			try:    attempt{who: mallory, pod: podLong, subresource: "exec"},
			want:   want{says: "a-very-long-session-name-for-the-prefix"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			o := c.try(t, tc.try)
			if o.admitted() != tc.want.admitted {
				t.Errorf("%s\ntry(%+v): admitted %t, want %t (authorized %t, refused by %q)", tc.reason, tc.try, o.admitted(), tc.want.admitted, o.authorized, o.refusedBy)
			}
			if tc.want.says == "" {
				return
			}
			if len(o.refusedBy) == 0 {
				t.Errorf("%s\ntry(%+v): no policy refused it, want a refusal saying %q", tc.reason, tc.try, tc.want.says)
			}
			if !strings.Contains(strings.Join(o.refusedBy, "\n"), tc.want.says) {
				t.Errorf("%s\ntry(%+v): no refusal says %q: %q", tc.reason, tc.try, tc.want.says, o.refusedBy)
			}
		})
	}
}

func TestPodAccessPolicyCELQuoting(t *testing.T) {
	// Names with quotes or backslashes cannot come from a valid session,
	// but if they did they must stay inside their string literals.
	target := Target{Session: `ns/a"b\c`, Workload: `debug-"x\`, Namespace: `n"s`}
	members := Members{Users: []string{`a"b`, `c\`}, Groups: []string{`"); true; ("`}}
	p, b := policy(target, members, DefaultOperations)
	admissiontest.Compile(t, p, b)
}

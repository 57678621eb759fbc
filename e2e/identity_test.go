//go:build e2e

package e2e

import (
	"fmt"
	"slices"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// requireIdentityPolicies fails the test unless the project's admission
// policies for DebugSessions (example/install, applied by hack/e2e/up.sh)
// are installed: without them the function has no reason to trust
// spec.requestedBy (docs/trust-model.md).
func requireIdentityPolicies(t *testing.T) {
	t.Helper()
	l := &admissionregistrationv1.ValidatingAdmissionPolicyList{}
	admin.List(t, l, "validatingadmissionpolicies")
	for _, p := range l.Items {
		if p.Spec.MatchConstraints == nil {
			continue
		}
		for _, r := range p.Spec.MatchConstraints.ResourceRules {
			if slices.Contains(r.APIGroups, v1alpha1.Group) && slices.Contains(r.Resources, "debugsessions") {
				return
			}
		}
	}
	t.Fatal("example/install has no ValidatingAdmissionPolicy for debugsessions (see docs/trust-model.md): identities cannot be trusted")
}

func TestSpoofedIdentityIsRejected(t *testing.T) {
	t.Parallel()
	requireIdentityPolicies(t)
	admin.ApplyFile(t, "scheduling.yaml")

	cases := map[string]struct {
		reason  string
		session func() *v1alpha1.DebugSession
	}{
		"RequestedByAnotherUser": {
			reason: "alice must not create a session in bob's name.",
			session: func() *v1alpha1.DebugSession {
				s := session("spoof-user", "e2e-scheduling", alice)
				s.Spec.RequestedBy = bob.name
				return s
			},
		},
		"GroupTheCallerLacks": {
			reason: "alice must not claim a group she is not in.",
			session: func() *v1alpha1.DebugSession {
				s := session("spoof-group", "e2e-scheduling", alice)
				s.Spec.RequesterGroups = []string{"tenant-a-admins", "security-team"}
				return s
			},
		},
		"ApprovedOnCreate": {
			reason: "A session must not arrive already approved.",
			session: func() *v1alpha1.DebugSession {
				s := session("spoof-approval", "e2e-scheduling", alice)
				s.Spec.Approval = &v1alpha1.Approval{Decision: v1alpha1.ApprovalApproved, ApprovedBy: carol.name, ApproverGroups: carol.groups}
				return s
			},
		},
		"ClusterLabelMismatch": {
			reason: "The cluster label, which concurrency limits select on, must name spec.cluster.",
			session: func() *v1alpha1.DebugSession {
				s := session("spoof-label", "e2e-scheduling", alice)
				s.Labels[v1alpha1.LabelCluster] = "another-cluster"
				return s
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := tc.session()
			err := admin.As(alice.name, alice.groups...).Create(s)
			if err == nil {
				deleteSession(t, s)
				t.Fatalf("%s\nalice created DebugSession %s; want the admission policies to reject it", tc.reason, s.Name)
			}
			t.Logf("rejected as expected: %v", err)
		})
	}
}

func TestApproval(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "approval.yaml")

	s := session("approval-alice", "e2e-approval", alice)
	create(t, alice, s)
	got := waitForSettled(t, s)
	if got.Status.State == v1alpha1.StateActive && got.Status.Approval == nil {
		t.Fatal("approval is broken: the session became Active without an approver")
	}
	if got.Status.State != v1alpha1.StatePendingApproval {
		t.Fatalf("DebugSession %s: want state PendingApproval, got %q: %s", s.Name, got.Status.State, got.Status.Message)
	}

	t.Run("SelfApprovalIsRejectedOrIgnored", func(t *testing.T) {
		self := fmt.Sprintf(`{"approval":{"decision":"Approved","approvedBy":%q,"approverGroups":["tenant-a-admins"]}}`, alice.name)
		if err := patchSession(alice, s, self); err != nil {
			t.Logf("self-approval rejected at admission: %v", err)
			return
		}
		consistently(t, settle, "a self-approved session stays PendingApproval", func() (bool, string) {
			st := getSession(t, s).Status
			return st.State == v1alpha1.StatePendingApproval, fmt.Sprintf("state %q, message %q", st.State, st.Message)
		})
	})

	t.Run("ApproverActivatesSession", func(t *testing.T) {
		approval := fmt.Sprintf(`{"approval":{"decision":"Approved","approvedBy":%q,"approverGroups":["security-team"],"reason":"e2e"}}`, carol.name)
		if err := patchSession(carol, s, approval); err != nil {
			t.Fatalf("carol (security-team) cannot approve: %v", err)
		}
		got := waitForState(t, s, v1alpha1.StateActive)
		if got.Status.Approval == nil || got.Status.Approval.ApprovedBy != carol.name {
			t.Errorf("status.approval: want approvedBy %s, got %+v", carol.name, got.Status.Approval)
		}
	})
}

package lifecycle

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// The clock every test runs at, and when the test session was created.
var (
	now     = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	created = time.Date(2026, 1, 1, 8, 55, 0, 0, time.UTC)
)

const ttl = 60 * time.Second

func session(mods ...func(*v1alpha1.DebugSession)) *v1alpha1.DebugSession {
	s := &v1alpha1.DebugSession{
		ObjectMeta: metav1.ObjectMeta{
			Name:              "inc-1234",
			Namespace:         "team-a",
			CreationTimestamp: metav1.NewTime(created),
			Labels:            map[string]string{v1alpha1.LabelCluster: "prod-cluster-a"},
		},
		Spec: v1alpha1.DebugSessionSpec{
			TemplateRef:     v1alpha1.ObjectReference{Name: "netops-debug"},
			Cluster:         "prod-cluster-a",
			RequestedBy:     "alice@example.com",
			RequesterGroups: []string{"sre-oncall"},
			Reason:          "INC-1234 packet loss",
		},
	}
	for _, m := range mods {
		m(s)
	}
	return s
}

func active(activatedAt string, mods ...func(*v1alpha1.DebugSession)) func(*v1alpha1.DebugSession) {
	return func(s *v1alpha1.DebugSession) {
		s.Status.State = v1alpha1.StateActive
		s.Status.ActivatedAt = activatedAt
		for _, m := range mods {
			m(s)
		}
	}
}

func approvedBy(by string, groups ...string) func(*v1alpha1.DebugSession) {
	return func(s *v1alpha1.DebugSession) {
		s.Spec.Approval = &v1alpha1.Approval{Decision: v1alpha1.ApprovalApproved, ApprovedBy: by, ApproverGroups: groups}
	}
}

func input(s *v1alpha1.DebugSession) DecideInput {
	return DecideInput{
		Session:         s,
		Now:             now,
		Template:        v1alpha1.ObjectReference{Name: "netops-debug", Namespace: "breakglass-system"},
		ConfigNamespace: "breakglass-system",
		TTL:             ttl,
	}
}

var securityTeam = &v1alpha1.Approvers{Groups: []string{"security-team"}, Users: []string{"bob@example.com"}}

func notRequired() *v1alpha1.ApprovalStatus { return &v1alpha1.ApprovalStatus{} }

func requiredBySecurity(by string) *v1alpha1.ApprovalStatus {
	return &v1alpha1.ApprovalStatus{Required: true, ApproverGroups: []string{"security-team"}, ApproverUsers: []string{"bob@example.com"}, ApprovedBy: by}
}

const pendingSecurity = "Waiting for approval by group security-team or user bob@example.com, because approvers are configured and the requester is not approved automatically. Without approval within 24h the session fails."

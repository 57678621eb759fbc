package lifecycle

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// approvalCases are the Decide cases of approval: who must approve, who
// may, automatic approval, timeouts and rejections.
func approvalCases() map[string]decideCase {
	return map[string]decideCase{
		"ApproversMakeApprovalRequired": {
			reason: "Approvers that list a group or user require approval when the requester is not approved automatically.",
			in: func() DecideInput {
				in := input(session())
				in.Approvers = securityTeam
				return in
			}(),
			want: decideWant{d: Decision{
				State: v1alpha1.StatePendingApproval, Reason: ReasonAwaitingApproval,
				Message: pendingSecurity, Approval: requiredBySecurity(""),
				TTL: ttl, Transition: true, Updated: true,
			}},
		},
		"PendingApprovalTTLStopsAtTimeout": {
			reason: "Crossplane must call back when the approval times out, so the TTL is the time left until then.",
			in: func() DecideInput {
				in := input(session(func(s *v1alpha1.DebugSession) { s.Status.State = v1alpha1.StatePendingApproval }))
				in.Approvers = &v1alpha1.Approvers{Groups: []string{"security-team"}}
				in.Constraints = v1alpha1.Constraints{ApprovalTimeout: "5m20s"}
				return in
			}(),
			want: decideWant{d: Decision{
				State: v1alpha1.StatePendingApproval, Reason: ReasonAwaitingApproval, Previous: v1alpha1.StatePendingApproval,
				Message:  "Waiting for approval by group security-team, because approvers are configured and the requester is not approved automatically. Without approval within 5m20s the session fails.",
				Approval: &v1alpha1.ApprovalStatus{Required: true, ApproverGroups: []string{"security-team"}},
				TTL:      20 * time.Second, Updated: true,
			}},
		},
		"ApprovalByRequesterIgnored": {
			reason: "The requester can never approve their own session, even in another spelling and with an approver group.",
			in: func() DecideInput {
				in := input(session(approvedBy("Alice@Example.com", "security-team")))
				in.Approvers = securityTeam
				return in
			}(),
			want: decideWant{d: Decision{
				State: v1alpha1.StatePendingApproval, Reason: ReasonAwaitingApproval,
				Message:  pendingSecurity + ` The approval by "Alice@Example.com" was ignored: the requester cannot approve their own session.`,
				Approval: requiredBySecurity(""), TTL: ttl,
				Warnings:   []string{`The approval by "Alice@Example.com" was ignored: the requester cannot approve their own session.`},
				Transition: true, Updated: true,
			}},
		},
		"ApprovalByNonApproverIgnored": {
			reason: "An approval by someone who is neither an approver user nor in an approver group does not count.",
			in: func() DecideInput {
				in := input(session(approvedBy("mallory@example.com", "developers")))
				in.Approvers = securityTeam
				return in
			}(),
			want: decideWant{d: Decision{
				State: v1alpha1.StatePendingApproval, Reason: ReasonAwaitingApproval,
				Message:  pendingSecurity + ` The approval by "mallory@example.com" was ignored: neither the user nor any of their groups is an approver of this session.`,
				Approval: requiredBySecurity(""), TTL: ttl,
				Warnings:   []string{`The approval by "mallory@example.com" was ignored: neither the user nor any of their groups is an approver of this session.`},
				Transition: true, Updated: true,
			}},
		},
		"ApprovalByApproverUserStarts": {
			reason: "An approver user entry without metacharacters matches case-insensitively.",
			in: func() DecideInput {
				in := input(session(approvedBy("BOB@example.com")))
				in.Approvers = securityTeam
				return in
			}(),
			want: decideWant{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive,
				Message:     "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used.",
				Approval:    requiredBySecurity("BOB@example.com"),
				ActivatedAt: "2026-01-01T09:00:00Z", ExpiresAt: "2026-01-01T10:00:00Z",
				TTL: ttl, RunWorkload: true, Transition: true, Updated: true,
			}},
		},
		"ApprovalByApproverGroupGlobStarts": {
			reason: "An approval counts when one of the approver's groups matches an approver group pattern.",
			in: func() DecideInput {
				in := input(session(approvedBy("carol@example.com", "developers", "security-oncall")))
				in.Approvers = &v1alpha1.Approvers{Groups: []string{"security-*"}}
				return in
			}(),
			want: decideWant{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive,
				Message:     "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used.",
				Approval:    &v1alpha1.ApprovalStatus{Required: true, ApproverGroups: []string{"security-*"}, ApprovedBy: "carol@example.com"},
				ActivatedAt: "2026-01-01T09:00:00Z", ExpiresAt: "2026-01-01T10:00:00Z",
				TTL: ttl, RunWorkload: true, Transition: true, Updated: true,
			}},
		},
		"AutoApprovedByGroup": {
			reason: "autoApproveFor.groups lists exact requester groups that need no approval.",
			in: func() DecideInput {
				in := input(session())
				in.Approvers = &v1alpha1.Approvers{Groups: []string{"security-team"}, AutoApproveFor: &v1alpha1.AutoApproveFor{Groups: []string{"sre-oncall"}}}
				return in
			}(),
			want: decideWant{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive,
				Message:     "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used.",
				Approval:    &v1alpha1.ApprovalStatus{ApproverGroups: []string{"security-team"}},
				ActivatedAt: "2026-01-01T09:00:00Z", ExpiresAt: "2026-01-01T10:00:00Z",
				TTL: ttl, RunWorkload: true, Transition: true, Updated: true,
			}},
		},
		"AutoApproveGroupsAreExact": {
			reason: "autoApproveFor.groups are exact names, not patterns.",
			in: func() DecideInput {
				in := input(session())
				in.Approvers = &v1alpha1.Approvers{Groups: []string{"security-team"}, AutoApproveFor: &v1alpha1.AutoApproveFor{Groups: []string{"sre-*"}}}
				return in
			}(),
			want: decideWant{d: Decision{
				State: v1alpha1.StatePendingApproval, Reason: ReasonAwaitingApproval,
				Message:  "Waiting for approval by group security-team, because approvers are configured and the requester is not approved automatically. Without approval within 24h the session fails.",
				Approval: &v1alpha1.ApprovalStatus{Required: true, ApproverGroups: []string{"security-team"}},
				TTL:      ttl, Transition: true, Updated: true,
			}},
		},
		"AutoApprovedByClusterGlob": {
			reason: "autoApproveFor.clusters are glob patterns on the cluster name.",
			in: func() DecideInput {
				in := input(session())
				in.Approvers = &v1alpha1.Approvers{Users: []string{"bob@example.com"}, AutoApproveFor: &v1alpha1.AutoApproveFor{Clusters: []string{"prod-*"}}}
				return in
			}(),
			want: decideWant{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive,
				Message:     "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used.",
				Approval:    &v1alpha1.ApprovalStatus{ApproverUsers: []string{"bob@example.com"}},
				ActivatedAt: "2026-01-01T09:00:00Z", ExpiresAt: "2026-01-01T10:00:00Z",
				TTL: ttl, RunWorkload: true, Transition: true, Updated: true,
			}},
		},
		"AuxiliaryResourceForcesApproval": {
			reason: "An enabled auxiliary resource with requiresApproval forces approval even for an auto-approved requester.",
			in: func() DecideInput {
				in := input(session())
				in.Approvers = &v1alpha1.Approvers{Groups: []string{"security-team"}, AutoApproveFor: &v1alpha1.AutoApproveFor{Groups: []string{"sre-oncall"}}}
				in.ApprovalRequiredBy = []string{"pcap-storage"}
				return in
			}(),
			want: decideWant{d: Decision{
				State: v1alpha1.StatePendingApproval, Reason: ReasonAwaitingApproval,
				Message:  "Waiting for approval by group security-team, because auxiliary resource pcap-storage requires approval. Without approval within 24h the session fails.",
				Approval: &v1alpha1.ApprovalStatus{Required: true, ApproverGroups: []string{"security-team"}},
				TTL:      ttl, Transition: true, Updated: true,
			}},
		},
		"ForcedApprovalWithoutApproversFails": {
			reason: "Forced approval with nobody able to approve can never start: Failed at once rather than after the timeout.",
			in: func() DecideInput {
				in := input(session())
				in.ApprovalRequiredBy = []string{"pcap-storage", "host-access"}
				return in
			}(),
			want: decideWant{d: Decision{
				State: v1alpha1.StateFailed, Reason: ReasonNobodyCanApprove,
				Message:  "The session needs approval because auxiliary resources host-access, pcap-storage require approval, but nobody other than the requester can approve it.",
				Approval: &v1alpha1.ApprovalStatus{Required: true}, TTL: ttl, Ended: true, Transition: true, Updated: true,
			}},
		},
		"OnlyTheRequesterIsAnApprover": {
			reason: "When the only approver is the requester, nobody can approve.",
			in: func() DecideInput {
				in := input(session())
				in.Approvers = &v1alpha1.Approvers{Users: []string{"ALICE@example.com"}}
				return in
			}(),
			want: decideWant{d: Decision{
				State: v1alpha1.StateFailed, Reason: ReasonNobodyCanApprove,
				Message:  "The session needs approval because approvers are configured and the requester is not approved automatically, but nobody other than the requester can approve it.",
				Approval: &v1alpha1.ApprovalStatus{Required: true, ApproverUsers: []string{"ALICE@example.com"}}, TTL: ttl, Ended: true, Transition: true, Updated: true,
			}},
		},
		"ApprovalTimesOut": {
			reason: "A session pending approval for longer than approvalTimeout, counted from its creation, fails.",
			in: func() DecideInput {
				in := input(session(func(s *v1alpha1.DebugSession) {
					s.CreationTimestamp = metav1.NewTime(now.Add(-24 * time.Hour))
					s.Status.State = v1alpha1.StatePendingApproval
					s.Status.Message = pendingSecurity
				}))
				in.Approvers = securityTeam
				return in
			}(),
			want: decideWant{d: Decision{
				State: v1alpha1.StateFailed, Reason: ReasonApprovalTimedOut, Previous: v1alpha1.StatePendingApproval,
				Message:  "The session was not approved within 24h.",
				Approval: requiredBySecurity(""), TTL: ttl, Ended: true, Transition: true, Updated: true,
			}},
		},
		"RejectedByApprover": {
			reason: "A rejection by an approver ends the session.",
			in: func() DecideInput {
				in := input(session(func(s *v1alpha1.DebugSession) {
					s.Spec.Approval = &v1alpha1.Approval{Decision: v1alpha1.ApprovalRejected, ApprovedBy: "bob@example.com", Reason: "use staging first"}
				}))
				in.Approvers = securityTeam
				return in
			}(),
			want: decideWant{d: Decision{
				State: v1alpha1.StateRejected, Reason: ReasonRejected,
				Message:  "The session was rejected by bob@example.com: use staging first.",
				Approval: requiredBySecurity(""), TTL: ttl, Ended: true, Transition: true, Updated: true,
			}},
		},
		"RejectionByNonApproverIgnored": {
			reason: "A rejection counts only from an approver; anyone else's is ignored with a warning.",
			in: func() DecideInput {
				in := input(session(func(s *v1alpha1.DebugSession) {
					s.Spec.Approval = &v1alpha1.Approval{Decision: v1alpha1.ApprovalRejected, ApprovedBy: "mallory@example.com"}
				}))
				in.Approvers = securityTeam
				return in
			}(),
			want: decideWant{d: Decision{
				State: v1alpha1.StatePendingApproval, Reason: ReasonAwaitingApproval,
				Message:  pendingSecurity + ` The rejection by "mallory@example.com" was ignored: neither the user nor any of their groups is an approver of this session.`,
				Approval: requiredBySecurity(""), TTL: ttl,
				Warnings:   []string{`The rejection by "mallory@example.com" was ignored: neither the user nor any of their groups is an approver of this session.`},
				Transition: true, Updated: true,
			}},
		},
	}
}

package lifecycle

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

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

func TestDecide(t *testing.T) {
	type want struct {
		d   Decision
		err bool
	}
	cases := map[string]struct {
		reason string
		in     DecideInput
		want   want
	}{
		"NewSessionWithoutApproversStarts": {
			reason: "A session that needs no approval and no slot starts now and runs the default 1h.",
			in:     input(session()),
			want: want{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive,
				Message:     "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T09:00:00Z", ExpiresAt: "2026-01-01T10:00:00Z",
				TTL: ttl, RunWorkload: true, Transition: true, Updated: true,
			}},
		},
		"ActivationTruncatesToSeconds": {
			reason: "The recorded times have second resolution, so the expiry computed later from activatedAt is the one reported now.",
			in: func() DecideInput {
				in := input(session(func(s *v1alpha1.DebugSession) { s.Spec.Duration = "30m" }))
				in.Now = now.Add(700 * time.Millisecond)
				return in
			}(),
			want: want{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive,
				Message:     "Active on cluster prod-cluster-a for 30m; 0 of 3 renewals used.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T09:00:00Z", ExpiresAt: "2026-01-01T09:30:00Z",
				TTL: ttl, RunWorkload: true, Transition: true, Updated: true,
			}},
		},
		"DefaultDurationFromConstraints": {
			reason: "Without spec.duration the constraints' defaultDuration applies.",
			in: func() DecideInput {
				in := input(session())
				in.Constraints = v1alpha1.Constraints{DefaultDuration: "30m", MaxDuration: "2h"}
				return in
			}(),
			want: want{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive,
				Message:     "Active on cluster prod-cluster-a for 30m; 0 of 3 renewals used.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T09:00:00Z", ExpiresAt: "2026-01-01T09:30:00Z",
				TTL: ttl, RunWorkload: true, Transition: true, Updated: true,
			}},
		},
		"DefaultDurationAboveMaximumIsCapped": {
			reason: "A default longer than the maximum is the platform's slip, not the requester's: the session gets the maximum and a warning.",
			in: func() DecideInput {
				in := input(session())
				in.Constraints = v1alpha1.Constraints{DefaultDuration: "3h", MaxDuration: "2h"}
				return in
			}(),
			want: want{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive,
				Message:     "Active on cluster prod-cluster-a for 2h; 0 of 3 renewals used.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T09:00:00Z", ExpiresAt: "2026-01-01T11:00:00Z",
				TTL:         ttl,
				Warnings:    []string{"The default duration 3h exceeds the maximum duration 2h; the session lasts 2h."},
				RunWorkload: true, Transition: true, Updated: true,
			}},
		},
		"RequestedDurationAboveMaximumDenied": {
			reason: "Asking for more than maxDuration denies the session.",
			in: func() DecideInput {
				in := input(session(func(s *v1alpha1.DebugSession) { s.Spec.Duration = "3h" }))
				in.Constraints = v1alpha1.Constraints{MaxDuration: "2h"}
				return in
			}(),
			want: want{d: Decision{
				State: v1alpha1.StateDenied, Reason: ReasonDenied,
				Message:  "The requested duration 3h exceeds the maximum duration 2h.",
				Approval: notRequired(), TTL: ttl, Ended: true, Transition: true, Updated: true,
			}},
		},
		"UnreadableRequestedDurationDenied": {
			reason: "A duration that does not parse is the requester's mistake: Denied, never a panic.",
			in:     input(session(func(s *v1alpha1.DebugSession) { s.Spec.Duration = "forever" })),
			want: want{d: Decision{
				State: v1alpha1.StateDenied, Reason: ReasonDenied,
				Message:  `The requested duration "forever" is not a positive duration such as 1h or 30m.`,
				Approval: notRequired(), TTL: ttl, Ended: true, Transition: true, Updated: true,
			}},
		},
		"BrokenConstraintIsAnError": {
			reason: "A constraint that does not parse is a configuration error, so the caller can keep a running session's resources.",
			in: func() DecideInput {
				in := input(session(active("2026-01-01T08:30:00Z")))
				in.Constraints = v1alpha1.Constraints{MaxDuration: "two hours"}
				return in
			}(),
			want: want{err: true},
		},
		"NegativeMaxRenewalsIsAnError": {
			reason: "A negative limit is a configuration error.",
			in: func() DecideInput {
				in := input(session())
				in.Constraints = v1alpha1.Constraints{MaxRenewals: ptr.To[int32](-1)}
				return in
			}(),
			want: want{err: true},
		},
		"MissingSessionIsAnError": {
			reason: "Bad input never panics.",
			in:     DecideInput{Now: now},
			want:   want{err: true},
		},
		"ApproversMakeApprovalRequired": {
			reason: "Approvers that list a group or user require approval when the requester is not approved automatically.",
			in: func() DecideInput {
				in := input(session())
				in.Approvers = securityTeam
				return in
			}(),
			want: want{d: Decision{
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
			want: want{d: Decision{
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
			want: want{d: Decision{
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
			want: want{d: Decision{
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
			want: want{d: Decision{
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
			want: want{d: Decision{
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
			want: want{d: Decision{
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
			want: want{d: Decision{
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
			want: want{d: Decision{
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
			want: want{d: Decision{
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
			want: want{d: Decision{
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
			want: want{d: Decision{
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
			want: want{d: Decision{
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
			want: want{d: Decision{
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
			want: want{d: Decision{
				State: v1alpha1.StatePendingApproval, Reason: ReasonAwaitingApproval,
				Message:  pendingSecurity + ` The rejection by "mallory@example.com" was ignored: neither the user nor any of their groups is an approver of this session.`,
				Approval: requiredBySecurity(""), TTL: ttl,
				Warnings:   []string{`The rejection by "mallory@example.com" was ignored: neither the user nor any of their groups is an approver of this session.`},
				Transition: true, Updated: true,
			}},
		},
		"ActiveSessionUnchanged": {
			reason: "A session whose state and message did not change is neither a transition nor an update: no event, no warning.",
			in: input(session(func(s *v1alpha1.DebugSession) { s.Spec.Duration = "1h" }, active("2026-01-01T08:30:00Z", func(s *v1alpha1.DebugSession) {
				s.Status.Message = "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."
			}))),
			want: want{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive, Previous: v1alpha1.StateActive,
				Message:     "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T08:30:00Z", ExpiresAt: "2026-01-01T09:30:00Z",
				TTL: ttl, RunWorkload: true,
			}},
		},
		"ActiveSessionKeepsApprovalRulesItStartedUnder": {
			reason: "Approvers added after a session started do not stop it: an Active session never loses its place.",
			in: func() DecideInput {
				in := input(session(active("2026-01-01T08:30:00Z")))
				in.Approvers = securityTeam
				return in
			}(),
			want: want{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive, Previous: v1alpha1.StateActive,
				Message:     "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used.",
				Approval:    requiredBySecurity(""),
				ActivatedAt: "2026-01-01T08:30:00Z", ExpiresAt: "2026-01-01T09:30:00Z",
				TTL: ttl, RunWorkload: true, Updated: true,
			}},
		},
		"TTLIsTimeLeftToExpiry": {
			reason: "Crossplane must call back at expiry, so the TTL is the time left when that is less than the input TTL.",
			in:     input(session(active("2026-01-01T08:00:30Z"))),
			want: want{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive, Previous: v1alpha1.StateActive,
				Message:     "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T08:00:30Z", ExpiresAt: "2026-01-01T09:00:30Z",
				TTL: 30 * time.Second, RunWorkload: true, Updated: true,
			}},
		},
		"TTLHasAFloor": {
			reason: "An expiry moments away must not make Crossplane call back in a tight loop.",
			in: func() DecideInput {
				in := input(session(active("2026-01-01T08:00:00Z")))
				in.Now = now.Add(-100 * time.Millisecond)
				return in
			}(),
			want: want{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive, Previous: v1alpha1.StateActive,
				Message:     "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T08:00:00Z", ExpiresAt: "2026-01-01T09:00:00Z",
				TTL: time.Second, RunWorkload: true, Updated: true,
			}},
		},
		"Expires": {
			reason: "At its expiry an Active session becomes Expired and ends.",
			in:     input(session(active("2026-01-01T08:00:00Z"))),
			want: want{d: Decision{
				State: v1alpha1.StateExpired, Reason: ReasonExpired, Previous: v1alpha1.StateActive,
				Message:     "The session expired after 1h; its debug resources are removed.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T08:00:00Z", ExpiresAt: "2026-01-01T09:00:00Z",
				TTL: ttl, Ended: true, Transition: true, Updated: true,
			}},
		},
		"ExpiredIsFinal": {
			reason: "An Expired session never becomes Active again, even when renewed or reconfigured afterwards.",
			in: input(session(func(s *v1alpha1.DebugSession) {
				s.Spec.Renewals = 1
				s.Status = v1alpha1.DebugSessionStatus{
					State: v1alpha1.StateExpired, Message: "The session expired after 1h; its debug resources are removed.",
					Approval:    notRequired(),
					ActivatedAt: "2026-01-01T08:00:00Z", ExpiresAt: "2026-01-01T09:00:00Z",
				}
			})),
			want: want{d: Decision{
				State: v1alpha1.StateExpired, Reason: ReasonExpired, Previous: v1alpha1.StateExpired,
				Message:     "The session expired after 1h; its debug resources are removed.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T08:00:00Z", ExpiresAt: "2026-01-01T09:00:00Z",
				TTL: ttl, Ended: true,
			}},
		},
		"FailedIsFinal": {
			reason: "A Failed session stays Failed; the user creates a new session.",
			in:     input(session(func(s *v1alpha1.DebugSession) { s.Status.State = v1alpha1.StateFailed })),
			want: want{d: Decision{
				State: v1alpha1.StateFailed, Reason: ReasonFailed, Previous: v1alpha1.StateFailed,
				Message: "The session has ended (Failed).",
				TTL:     ttl, Ended: true, Updated: true,
			}},
		},
		"RenewalGranted": {
			reason: "Raising spec.renewals by one extends the session by its duration.",
			in:     input(session(func(s *v1alpha1.DebugSession) { s.Spec.Renewals = 1 }, active("2026-01-01T08:30:00Z"))),
			want: want{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive, Previous: v1alpha1.StateActive,
				Message:     "Active on cluster prod-cluster-a for 2h; 1 of 3 renewals used.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T08:30:00Z", ExpiresAt: "2026-01-01T10:30:00Z", RenewalsUsed: 1,
				TTL: ttl, RunWorkload: true, Updated: true,
			}},
		},
		"RenewalBeyondMaxRenewalsRefused": {
			reason: "A renewal beyond maxRenewals is refused with a warning; the session keeps the time it has.",
			in: func() DecideInput {
				in := input(session(func(s *v1alpha1.DebugSession) { s.Spec.Renewals = 2 }, active("2026-01-01T08:30:00Z", func(s *v1alpha1.DebugSession) {
					s.Status.RenewalsUsed = 1
				})))
				in.Constraints = v1alpha1.Constraints{MaxRenewals: ptr.To[int32](1)}
				return in
			}(),
			want: want{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive, Previous: v1alpha1.StateActive,
				Message:     "Active on cluster prod-cluster-a for 2h; 1 of 1 renewals used. Renewal refused: at most 1 renewal is allowed (2 requested, 1 granted).",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T08:30:00Z", ExpiresAt: "2026-01-01T10:30:00Z", RenewalsUsed: 1,
				TTL:         ttl,
				Warnings:    []string{"Renewal refused: at most 1 renewal is allowed (2 requested, 1 granted)."},
				RunWorkload: true, Updated: true,
			}},
		},
		"RenewalNotAllowed": {
			reason: "With allowRenewal false every renewal is refused.",
			in: func() DecideInput {
				in := input(session(func(s *v1alpha1.DebugSession) { s.Spec.Renewals = 1 }, active("2026-01-01T08:30:00Z")))
				in.Constraints = v1alpha1.Constraints{AllowRenewal: ptr.To(false)}
				return in
			}(),
			want: want{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive, Previous: v1alpha1.StateActive,
				Message:     "Active on cluster prod-cluster-a for 1h; renewals are not allowed. Renewal refused: renewals are not allowed for this session.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T08:30:00Z", ExpiresAt: "2026-01-01T09:30:00Z",
				TTL:         ttl,
				Warnings:    []string{"Renewal refused: renewals are not allowed for this session."},
				RunWorkload: true, Updated: true,
			}},
		},
		"RenewalCappedAtMaxDuration": {
			reason: "A renewal may extend the session only up to maxDuration in total; one more is refused.",
			in: func() DecideInput {
				in := input(session(func(s *v1alpha1.DebugSession) { s.Spec.Renewals = 2 }, active("2026-01-01T08:30:00Z")))
				in.Constraints = v1alpha1.Constraints{MaxDuration: "90m"}
				return in
			}(),
			want: want{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive, Previous: v1alpha1.StateActive,
				Message:     "Active on cluster prod-cluster-a for 1h30m; 1 of 3 renewals used. Renewal refused: the session may not run longer than 1h30m in total (2 requested, 1 granted).",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T08:30:00Z", ExpiresAt: "2026-01-01T10:00:00Z", RenewalsUsed: 1,
				TTL:         ttl,
				Warnings:    []string{"Renewal refused: the session may not run longer than 1h30m in total (2 requested, 1 granted)."},
				RunWorkload: true, Updated: true,
			}},
		},
		"RenewalsUsedNeverExceedRequested": {
			reason: "A status that claims more renewals than the spec asked for is not believed.",
			in: input(session(active("2026-01-01T08:00:00Z", func(s *v1alpha1.DebugSession) {
				s.Status.RenewalsUsed = 3
				s.Status.ExpiresAt = "2026-01-01T12:00:00Z"
			}))),
			want: want{d: Decision{
				State: v1alpha1.StateExpired, Reason: ReasonExpired, Previous: v1alpha1.StateActive,
				Message:     "The session expired after 1h; its debug resources are removed.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T08:00:00Z", ExpiresAt: "2026-01-01T09:00:00Z",
				TTL: ttl, Ended: true, Transition: true, Updated: true,
			}},
		},
		"LatestEndCapsForgedActivation": {
			reason: "Whatever status.activatedAt says, a session ends by creationTimestamp + approvalTimeout + maxDuration.",
			in: func() DecideInput {
				in := input(session(func(s *v1alpha1.DebugSession) {
					s.CreationTimestamp = metav1.NewTime(time.Date(2025, 12, 31, 7, 15, 0, 0, time.UTC))
				}, active("2026-01-01T08:45:00Z")))
				in.Constraints = v1alpha1.Constraints{MaxDuration: "2h"}
				return in
			}(),
			want: want{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive, Previous: v1alpha1.StateActive,
				Message:     "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used. The session ends early, at the latest end allowed since its creation.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T08:45:00Z", ExpiresAt: "2026-01-01T09:15:00Z",
				TTL: ttl, RunWorkload: true, Updated: true,
			}},
		},
		"LostActivationTimeRestartsWithinLatestEnd": {
			reason: "An unreadable activatedAt restarts the clock now, with a warning; the latest end still bounds it.",
			in:     input(session(active("yesterday"))),
			want: want{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive, Previous: v1alpha1.StateActive,
				Message:     "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T09:00:00Z", ExpiresAt: "2026-01-01T10:00:00Z",
				TTL:         ttl,
				Warnings:    []string{`status.activatedAt "yesterday" is not an RFC 3339 time; the session's time is counted from now.`},
				RunWorkload: true, Updated: true,
			}},
		},
		"NeverStartedSessionExpiresAtLatestEnd": {
			reason: "A session that waited past its latest possible end expires without running.",
			in: func() DecideInput {
				in := input(session(func(s *v1alpha1.DebugSession) {
					s.CreationTimestamp = metav1.NewTime(now.Add(-26 * time.Hour))
					s.Status.State = v1alpha1.StateQueued
				}))
				in.Constraints = v1alpha1.Constraints{MaxDuration: "2h", MaxConcurrentSessions: ptr.To[int32](1)}
				return in
			}(),
			want: want{d: Decision{
				State: v1alpha1.StateExpired, Reason: ReasonExpired, Previous: v1alpha1.StateQueued,
				Message:  "The session expired before it could start: it waited longer than the approval timeout 24h plus its time 2h.",
				Approval: notRequired(), TTL: ttl, Ended: true, Transition: true, Updated: true,
			}},
		},
		"TerminateEndsActiveSession": {
			reason: "spec.terminate ends the session; its times stay as a record.",
			in: input(session(func(s *v1alpha1.DebugSession) { s.Spec.Terminate = true }, active("2026-01-01T08:30:00Z", func(s *v1alpha1.DebugSession) {
				s.Status.ExpiresAt = "2026-01-01T09:30:00Z"
			}))),
			want: want{d: Decision{
				State: v1alpha1.StateTerminated, Reason: ReasonTerminated, Previous: v1alpha1.StateActive,
				Message:     "The session was terminated on request (spec.terminate); its debug resources are removed.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T08:30:00Z", ExpiresAt: "2026-01-01T09:30:00Z",
				TTL: ttl, Ended: true, Transition: true, Updated: true,
			}},
		},
		"TerminateEndsPendingApproval": {
			reason: "A requester can withdraw a session that waits for approval.",
			in: func() DecideInput {
				in := input(session(func(s *v1alpha1.DebugSession) {
					s.Spec.Terminate = true
					s.Status.State = v1alpha1.StatePendingApproval
				}))
				in.Approvers = securityTeam
				return in
			}(),
			want: want{d: Decision{
				State: v1alpha1.StateTerminated, Reason: ReasonTerminated, Previous: v1alpha1.StatePendingApproval,
				Message:  "The session was terminated on request (spec.terminate); its debug resources are removed.",
				Approval: requiredBySecurity(""), TTL: ttl, Ended: true, Transition: true, Updated: true,
			}},
		},
		"PreparingSessionHasStarted": {
			reason: "A Pending session with an activation time has started: its clock runs from then, and it needs no slot.",
			in: func() DecideInput {
				in := input(session(func(s *v1alpha1.DebugSession) {
					s.Status.State = v1alpha1.StatePending
					s.Status.ActivatedAt = "2026-01-01T08:59:00Z"
				}))
				in.Constraints = v1alpha1.Constraints{MaxConcurrentSessions: ptr.To[int32](1)}
				in.Others = []v1alpha1.DebugSession{*other("team-b", "inc-1", created.Add(-time.Hour), v1alpha1.StateActive)}
				return in
			}(),
			want: want{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive, Previous: v1alpha1.StatePending,
				Message:     "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T08:59:00Z", ExpiresAt: "2026-01-01T09:59:00Z",
				TTL: ttl, RunWorkload: true, Transition: true, Updated: true,
			}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Decide(tc.in)
			if diff := cmp.Diff(tc.want.d, got, cmpopts.IgnoreUnexported(Decision{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nDecide(...): -want, +got:\n%s", tc.reason, diff)
			}
			if gotErr := err != nil; gotErr != tc.want.err {
				t.Errorf("%s\nDecide(...): want error %t, got %v", tc.reason, tc.want.err, err)
			}
		})
	}
}

// TestDecideWalk walks one session through its whole life, feeding each
// decision back as the observed status, the way Crossplane does.
func TestDecideWalk(t *testing.T) {
	s := session(func(s *v1alpha1.DebugSession) { s.Spec.Duration = "1h" })
	step := func(at time.Time, mutate func(*v1alpha1.DebugSession)) Decision {
		t.Helper()
		if mutate != nil {
			mutate(s)
		}
		in := input(s)
		in.Now = at
		in.Approvers = securityTeam
		in.Constraints = v1alpha1.Constraints{MaxDuration: "2h", MaxRenewals: ptr.To[int32](1)}
		d, err := Decide(in)
		if err != nil {
			t.Fatalf("Decide(...): %v", err)
		}
		d.Apply(&s.Status)
		return d
	}
	type seen struct {
		State       v1alpha1.State
		Transition  bool
		ExpiresAt   string
		RunWorkload bool
	}
	var got []seen
	record := func(d Decision) { got = append(got, seen{d.State, d.Transition, d.ExpiresAt, d.RunWorkload}) }

	record(step(now, nil))
	record(step(now.Add(time.Minute), nil))
	record(step(now.Add(2*time.Minute), approvedBy("bob@example.com")))
	record(step(now.Add(50*time.Minute), func(s *v1alpha1.DebugSession) { s.Spec.Renewals = 1 }))
	record(step(now.Add(90*time.Minute), func(s *v1alpha1.DebugSession) { s.Spec.Renewals = 2 }))
	record(step(now.Add(2*time.Hour+2*time.Minute), nil))
	record(step(now.Add(3*time.Hour), func(s *v1alpha1.DebugSession) { s.Spec.Renewals = 3 }))

	want := []seen{
		{v1alpha1.StatePendingApproval, true, "", false},
		{v1alpha1.StatePendingApproval, false, "", false},
		{v1alpha1.StateActive, true, "2026-01-01T10:02:00Z", true},
		{v1alpha1.StateActive, false, "2026-01-01T11:02:00Z", true},
		{v1alpha1.StateActive, false, "2026-01-01T11:02:00Z", true},
		{v1alpha1.StateExpired, true, "2026-01-01T11:02:00Z", false},
		{v1alpha1.StateExpired, false, "2026-01-01T11:02:00Z", false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("A session's life: pending approval, approved, renewed once, refused a second renewal, expired and stayed so.\n-want, +got:\n%s", diff)
	}
}

func TestPreparing(t *testing.T) {
	d, err := Decide(input(session()))
	if err != nil {
		t.Fatal(err)
	}
	got := d.Preparing("auxiliary resources netpol, sa to be ready")
	want := Decision{
		State: v1alpha1.StatePending, Reason: ReasonPreparing,
		Message:     "Waiting for auxiliary resources netpol, sa to be ready before the debug pods start. Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used.",
		Approval:    notRequired(),
		ActivatedAt: "2026-01-01T09:00:00Z", ExpiresAt: "2026-01-01T10:00:00Z",
		TTL: ttl, Transition: true, Updated: true,
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Decision{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Preparing keeps the session's times and slot but does not run the workload.\n-want, +got:\n%s", diff)
	}
	queued := Decision{State: v1alpha1.StateQueued}
	if diff := cmp.Diff(queued, queued.Preparing("x"), cmpopts.IgnoreUnexported(Decision{})); diff != "" {
		t.Errorf("Preparing changes only an Active decision.\n-want, +got:\n%s", diff)
	}
}

func TestApply(t *testing.T) {
	st := &v1alpha1.DebugSessionStatus{TargetNamespace: "debug", State: v1alpha1.StatePending, Message: "old"}
	d := Decision{State: v1alpha1.StateActive, Message: "new", Approval: notRequired(), ActivatedAt: "a", ExpiresAt: "b", RenewalsUsed: 2}
	d.Apply(st)
	want := &v1alpha1.DebugSessionStatus{TargetNamespace: "debug", State: v1alpha1.StateActive, Message: "new", Approval: notRequired(), ActivatedAt: "a", ExpiresAt: "b", RenewalsUsed: 2}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("Apply sets the lifecycle's fields and leaves the others.\n-want, +got:\n%s", diff)
	}
}

func TestHuman(t *testing.T) {
	cases := map[time.Duration]string{
		time.Hour:                      "1h",
		90 * time.Minute:               "1h30m",
		30 * time.Minute:               "30m",
		5*time.Minute + 20*time.Second: "5m20s",
		24 * time.Hour:                 "24h",
		45 * time.Second:               "45s",
	}
	for d, want := range cases {
		if got := human(d); got != want {
			t.Errorf("human(%v): want %q, got %q", d, want, got)
		}
	}
}

func FuzzDecide(f *testing.F) {
	f.Add("1h", "2h", "30m", "24h", int32(1), int32(0), int32(2), "2026-01-01T08:00:00Z", "Active", "bob@example.com", int64(0))
	f.Add("", "", "", "", int32(0), int32(0), int32(-5), "", "", "", int64(-1<<62))
	f.Add("2562047h", "2562047h", "", "2562047h", int32(1<<30), int32(1<<30), int32(1<<30), "9999-12-31T23:59:59Z", "Pending", "x", int64(1<<62))
	f.Fuzz(func(t *testing.T, dur, maxDur, defDur, approvalTimeout string, renewals, used, maxRenewals int32, activatedAt, state, approver string, createdOffset int64) {
		s := session(func(s *v1alpha1.DebugSession) {
			s.Spec.Duration = dur
			s.Spec.Renewals = renewals
			s.CreationTimestamp = metav1.NewTime(now.Add(time.Duration(createdOffset)))
			s.Status = v1alpha1.DebugSessionStatus{State: v1alpha1.State(state), ActivatedAt: activatedAt, RenewalsUsed: used}
			if approver != "" {
				s.Spec.Approval = &v1alpha1.Approval{Decision: v1alpha1.ApprovalApproved, ApprovedBy: approver}
			}
		})
		in := input(s)
		in.Approvers = &v1alpha1.Approvers{Users: []string{approver, "[bad"}}
		in.Constraints = v1alpha1.Constraints{MaxDuration: maxDur, DefaultDuration: defDur, ApprovalTimeout: approvalTimeout, MaxRenewals: &maxRenewals, MaxConcurrentSessions: ptr.To[int32](1)}
		in.Others = []v1alpha1.DebugSession{*other("team-b", "x", now, v1alpha1.State(state))}
		d, err := Decide(in)
		if err != nil {
			return
		}
		if d.TTL < minTTL || d.TTL > ttl {
			t.Errorf("TTL %v outside [%v, %v]", d.TTL, minTTL, ttl)
		}
		if d.RunWorkload != (d.State == v1alpha1.StateActive) {
			t.Errorf("RunWorkload %t for state %s", d.RunWorkload, d.State)
		}
		if d.State == v1alpha1.StateActive && !s.Status.State.Ended() {
			exp, err := time.Parse(time.RFC3339, d.ExpiresAt)
			if err != nil || !now.Before(exp) {
				t.Errorf("Active session with expiresAt %q at %v", d.ExpiresAt, now)
			}
		}
		if s.Status.State.Ended() && d.State != s.Status.State {
			t.Errorf("ended state %s became %s", s.Status.State, d.State)
		}
	})
}

func ExampleDecide() {
	s := session(func(s *v1alpha1.DebugSession) { s.Spec.Duration = "30m" })
	d, _ := Decide(DecideInput{Session: s, Now: now, TTL: time.Minute})
	fmt.Println(d.State, d.ExpiresAt, d.TTL)
	// Output: Active 2026-01-01T09:30:00Z 1m0s
}

func TestKnownEnd(t *testing.T) {
	type want struct {
		d  Decision
		ok bool
	}
	cases := map[string]struct {
		reason string
		s      *v1alpha1.DebugSession
		want   want
	}{
		"ActiveBeforeExpiry": {
			reason: "A running session before its recorded expiry cannot be decided without its inputs.",
			s:      session(active("2026-01-01T08:30:00Z", func(s *v1alpha1.DebugSession) { s.Status.ExpiresAt = "2026-01-01T09:30:00Z" })),
		},
		"ActivePastRecordedExpiry": {
			reason: "A session past its recorded expiry has ended even when its template is gone: its debug pods must not keep running.",
			s: session(func(s *v1alpha1.DebugSession) { s.Spec.Renewals = 1 }, active("2026-01-01T08:00:00Z", func(s *v1alpha1.DebugSession) {
				s.Status.ExpiresAt = "2026-01-01T09:00:00Z"
				s.Status.Approval = notRequired()
			})),
			want: want{ok: true, d: Decision{
				State: v1alpha1.StateExpired, Reason: ReasonExpired, Previous: v1alpha1.StateActive,
				Message:     "The session expired after 1h; its debug resources are removed.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T08:00:00Z", ExpiresAt: "2026-01-01T09:00:00Z",
				TTL: ttl, Ended: true, Transition: true, Updated: true,
			}},
		},
		"Terminated": {
			reason: "spec.terminate ends a session without any lookup.",
			s:      session(func(s *v1alpha1.DebugSession) { s.Spec.Terminate = true; s.Status.State = v1alpha1.StateQueued }),
			want: want{ok: true, d: Decision{
				State: v1alpha1.StateTerminated, Reason: ReasonTerminated, Previous: v1alpha1.StateQueued,
				Message: terminatedMessage, TTL: ttl, Ended: true, Transition: true, Updated: true,
			}},
		},
		"AlreadyEnded": {
			reason: "An ended session stays as it is.",
			s: session(func(s *v1alpha1.DebugSession) {
				s.Status.State = v1alpha1.StateRejected
				s.Status.Message = "Rejected."
			}),
			want: want{ok: true, d: Decision{
				State: v1alpha1.StateRejected, Reason: ReasonRejected, Previous: v1alpha1.StateRejected,
				Message: "Rejected.", TTL: ttl, Ended: true,
			}},
		},
		"NotStarted": {
			reason: "A session that never started has no recorded expiry.",
			s:      session(func(s *v1alpha1.DebugSession) { s.Status.State = v1alpha1.StatePendingApproval }),
		},
		"UnreadableExpiry": {
			reason: "An unreadable expiresAt decides nothing.",
			s:      session(active("2026-01-01T08:00:00Z", func(s *v1alpha1.DebugSession) { s.Status.ExpiresAt = "soon" })),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d, ok := KnownEnd(input(tc.s))
			if diff := cmp.Diff(tc.want, want{d: d, ok: ok}, cmp.AllowUnexported(want{}), cmpopts.IgnoreUnexported(Decision{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nKnownEnd(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

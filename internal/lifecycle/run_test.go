package lifecycle

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// runCases are the Decide cases of a session that has started or could:
// its time to live, expiry, renewals, the latest end and termination.
func runCases() map[string]decideCase {
	return map[string]decideCase{
		"ActiveSessionUnchanged": {
			reason: "A session whose state and message did not change is neither a transition nor an update: no event, no warning.",
			in: input(session(func(s *v1alpha1.DebugSession) { s.Spec.Duration = "1h" }, active("2026-01-01T08:30:00Z", func(s *v1alpha1.DebugSession) {
				s.Status.Message = "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."
			}))),
			want: decideWant{d: Decision{
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
			want: decideWant{d: Decision{
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
			want: decideWant{d: Decision{
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
			want: decideWant{d: Decision{
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
			want: decideWant{d: Decision{
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
			want: decideWant{d: Decision{
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
			want: decideWant{d: Decision{
				State: v1alpha1.StateFailed, Reason: ReasonFailed, Previous: v1alpha1.StateFailed,
				Message: "The session has ended (Failed).",
				TTL:     ttl, Ended: true, Updated: true,
			}},
		},
		"RenewalGranted": {
			reason: "Raising spec.renewals by one extends the session by its duration.",
			in:     input(session(func(s *v1alpha1.DebugSession) { s.Spec.Renewals = 1 }, active("2026-01-01T08:30:00Z"))),
			want: decideWant{d: Decision{
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
			want: decideWant{d: Decision{
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
			want: decideWant{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive, Previous: v1alpha1.StateActive,
				Message:     "Active on cluster prod-cluster-a for 1h; renewals are not allowed. Renewal refused: renewals are not allowed for this session.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T08:30:00Z", ExpiresAt: "2026-01-01T09:30:00Z",
				TTL:         ttl,
				Warnings:    []string{"Renewal refused: renewals are not allowed for this session."},
				RunWorkload: true, Updated: true,
			}},
		},
		"RenewalAfterBindingExpiredRefused": {
			reason: "A session that keeps its expired binding keeps the renewals granted before, but gets no new one.",
			in: func() DecideInput {
				in := input(session(func(s *v1alpha1.DebugSession) { s.Spec.Renewals = 2 }, active("2026-01-01T08:30:00Z", func(s *v1alpha1.DebugSession) {
					s.Status.RenewalsUsed = 1
				})))
				in.RenewalsClosed = "DebugSessionClusterBinding breakglass-system/contractor spec.expiresAt passed at 2026-01-01T08:45:00Z"
				return in
			}(),
			want: decideWant{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive, Previous: v1alpha1.StateActive,
				Message:     "Active on cluster prod-cluster-a for 2h; 1 of 3 renewals used. Renewal refused: DebugSessionClusterBinding breakglass-system/contractor spec.expiresAt passed at 2026-01-01T08:45:00Z; the session keeps the time it has.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T08:30:00Z", ExpiresAt: "2026-01-01T10:30:00Z", RenewalsUsed: 1,
				TTL:         ttl,
				Warnings:    []string{"Renewal refused: DebugSessionClusterBinding breakglass-system/contractor spec.expiresAt passed at 2026-01-01T08:45:00Z; the session keeps the time it has."},
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
			want: decideWant{d: Decision{
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
			want: decideWant{d: Decision{
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
			want: decideWant{d: Decision{
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
			want: decideWant{d: Decision{
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
			want: decideWant{d: Decision{
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
			want: decideWant{d: Decision{
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
			want: decideWant{d: Decision{
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
			want: decideWant{d: Decision{
				State: v1alpha1.StateActive, Reason: ReasonActive, Previous: v1alpha1.StatePending,
				Message:     "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used.",
				Approval:    notRequired(),
				ActivatedAt: "2026-01-01T08:59:00Z", ExpiresAt: "2026-01-01T09:59:00Z",
				TTL: ttl, RunWorkload: true, Transition: true, Updated: true,
			}},
		},
	}
}

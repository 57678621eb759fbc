package lifecycle

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

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

func TestRefusal(t *testing.T) {
	decide := func(in DecideInput) Decision {
		d, err := Decide(in)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tooLong := input(session(func(s *v1alpha1.DebugSession) { s.Spec.Duration = "3h" }))
	tooLong.Constraints.MaxDuration = "1h"
	nobody := input(session())
	nobody.Approvers = &v1alpha1.Approvers{Users: []string{"alice@example.com"}}
	cases := map[string]struct {
		reason string
		d      Decision
		want   outcome.Reason
	}{
		"StoppedTakesTheErrorsReason": {
			reason: "A stopped session is refused for the reason its error gives.",
			d:      Stopped(session(), outcome.Failed("", "", "x").WithReason(outcome.ReasonMissingInput), ttl),
			want:   outcome.ReasonMissingInput,
		},
		"DurationTooLong": {
			reason: "A duration beyond maxDuration is a duration refusal.",
			d:      decide(tooLong),
			want:   outcome.ReasonDuration,
		},
		"NobodyCanApprove": {
			reason: "Approval that only the requester could give fails the session for that reason.",
			d:      decide(nobody),
			want:   outcome.ReasonNobodyCanApprove,
		},
		"ActiveIsNoRefusal": {
			reason: "A session that runs is not refused.",
			d:      decide(input(session())),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := tc.d.Refusal(); got != tc.want {
				t.Errorf("%s\nRefusal(): want %q, got %q (state %s)", tc.reason, tc.want, got, tc.d.State)
			}
		})
	}
}

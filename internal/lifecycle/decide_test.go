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
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// decideWant is what a Decide case expects.
type decideWant struct {
	d   Decision
	err error
}

// decideCase is a case of TestDecide.
type decideCase struct {
	reason string
	in     DecideInput
	want   decideWant
}

func TestDecide(t *testing.T) {
	cases := map[string]decideCase{}
	for _, group := range []map[string]decideCase{startCases(), approvalCases(), runCases()} {
		for name, tc := range group {
			if _, dup := cases[name]; dup {
				t.Fatalf("case %s is defined twice", name)
			}
			cases[name] = tc
		}
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Decide(tc.in)
			if diff := cmp.Diff(tc.want.d, got, cmpopts.IgnoreUnexported(Decision{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nDecide(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.err, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("%s\nDecide(...): -want error, +got error:\n%s", tc.reason, diff)
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
		checkClockOrder(t, s, d)
	})
}

func ExampleDecide() {
	s := session(func(s *v1alpha1.DebugSession) { s.Spec.Duration = "30m" })
	d, _ := Decide(DecideInput{Session: s, Now: now, TTL: time.Minute})
	fmt.Println(d.State, d.ExpiresAt, d.TTL)
	// Output: Active 2026-01-01T09:30:00Z 1m0s
}

// startCases are the Decide cases of a new session: its duration, and broken
// constraints or input.
func startCases() map[string]decideCase {
	return map[string]decideCase{
		"NewSessionWithoutApproversStarts": {
			reason: "A session that needs no approval and no slot starts now and runs the default 1h.",
			in:     input(session()),
			want: decideWant{d: Decision{
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
			want: decideWant{d: Decision{
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
			want: decideWant{d: Decision{
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
			want: decideWant{d: Decision{
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
			want: decideWant{d: Decision{
				State: v1alpha1.StateDenied, Reason: ReasonDenied,
				Message:  "The requested duration 3h exceeds the maximum duration 2h.",
				Approval: notRequired(), TTL: ttl, Ended: true, Transition: true, Updated: true,
			}},
		},
		"UnreadableRequestedDurationDenied": {
			reason: "A duration that does not parse is the requester's mistake: Denied, never a panic.",
			in:     input(session(func(s *v1alpha1.DebugSession) { s.Spec.Duration = "forever" })),
			want: decideWant{d: Decision{
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
			want: decideWant{err: outcome.New(v1alpha1.StateFailed, "", "constraints.maxDuration",
				`constraints.maxDuration: "two hours" is not a duration such as 1h or 30m`)},
		},
		"BrokenConstraintNamesItsSource": {
			reason: "A broken constraint names the object that set it and the field there, so that the platform team knows what to fix.",
			in: func() DecideInput {
				in := input(session())
				in.Constraints = v1alpha1.Constraints{MaxDuration: "two hours"}
				in.ConstraintSources = map[string]string{"constraints.maxDuration": "DebugSessionClusterBinding breakglass-system/prod"}
				return in
			}(),
			want: decideWant{err: outcome.New(v1alpha1.StateFailed, "DebugSessionClusterBinding breakglass-system/prod", "spec.constraints.maxDuration",
				`DebugSessionClusterBinding breakglass-system/prod spec.constraints.maxDuration: "two hours" is not a duration such as 1h or 30m`)},
		},
		"NegativeMaxRenewalsIsAnError": {
			reason: "A negative limit is a configuration error.",
			in: func() DecideInput {
				in := input(session())
				in.Constraints = v1alpha1.Constraints{MaxRenewals: ptr.To[int32](-1)}
				return in
			}(),
			want: decideWant{err: outcome.New(v1alpha1.StateFailed, "", "constraints.maxRenewals", "constraints.maxRenewals: -1 must not be negative")},
		},
		"MissingSessionIsAnError": {
			reason: "Bad input never panics.",
			in:     DecideInput{Now: now},
			want:   decideWant{err: outcome.New(v1alpha1.StateFailed, "", "", "cannot decide the state of a missing session")},
		},
	}
}

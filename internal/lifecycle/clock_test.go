package lifecycle

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// negative matches a negative duration such as -1h55m in a message; a
// name such as prod-cluster-1 is not one.
var negative = regexp.MustCompile(`(^|[ (])-[0-9]`)

// TestDecideNeverRunsBackwards feeds Decide recorded times that the function
// never writes itself: an activation after the latest end allowed since the
// session's creation (a lowered approval timeout or a restored status gives
// one), and an activation in the future. Whatever the record says, the
// status must not show an expiry before the activation, nor its message a
// negative duration.
func TestDecideNeverRunsBackwards(t *testing.T) {
	type want struct {
		state       v1alpha1.State
		message     string
		activatedAt string
		expiresAt   string
	}
	cases := map[string]struct {
		reason string
		s      *v1alpha1.DebugSession
		want   want
	}{
		"ActivatedAfterTheLatestEnd": {
			reason: "A session created 30h ago may run until 28h after its creation (the 24h approval timeout plus its longest time, 4h); one recorded as activated 5m ago expired at that latest end, which is also when its time is counted from.",
			s: session(
				func(s *v1alpha1.DebugSession) { s.CreationTimestamp.Time = now.Add(-30 * time.Hour) },
				active(now.Add(-5*time.Minute).Format(time.RFC3339)),
			),
			want: want{
				state:       v1alpha1.StateExpired,
				message:     "The session expired after 0s; its debug resources are removed.",
				activatedAt: "2026-01-01T07:00:00Z",
				expiresAt:   "2026-01-01T07:00:00Z",
			},
		},
		"ActivatedInTheFuture": {
			reason: "An activation recorded an hour from now cannot have happened; the session's time is counted from now instead, so it runs for its hour and no longer.",
			s:      session(active(now.Add(time.Hour).Format(time.RFC3339))),
			want: want{
				state:       v1alpha1.StateActive,
				message:     "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used.",
				activatedAt: "2026-01-01T09:00:00Z",
				expiresAt:   "2026-01-01T10:00:00Z",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d, err := Decide(input(tc.s))
			if err != nil {
				t.Fatalf("Decide(...): %v", err)
			}
			got := want{state: d.State, message: d.Message, activatedAt: d.ActivatedAt, expiresAt: d.ExpiresAt}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nDecide(...): -want, +got:\n%s", tc.reason, diff)
			}
			if negative.MatchString(d.Message) {
				t.Errorf("%s\nDecide(...): message %q shows a negative duration", tc.reason, d.Message)
			}
			if d.ExpiresAt < d.ActivatedAt {
				t.Errorf("%s\nDecide(...): expiresAt %s is before activatedAt %s", tc.reason, d.ExpiresAt, d.ActivatedAt)
			}
		})
	}
}

// checkClockOrder is FuzzDecide's oracle for the same rule: a session the
// function runs or expires on this call has no expiry before its
// activation and no negative duration in its message.
// withoutApprover removes the session's approver from msg, quoted or not,
// as written or without surrounding space as messages echo it: a name such
// as "x -0" is not a duration the function computed.
func withoutApprover(msg string, s *v1alpha1.DebugSession) string {
	a := s.Spec.Approval
	if a == nil || a.ApprovedBy == "" {
		return msg
	}
	for _, name := range []string{a.ApprovedBy, strings.TrimSpace(a.ApprovedBy)} {
		if name == "" {
			continue
		}
		msg = strings.ReplaceAll(msg, strconv.Quote(name), `""`)
		msg = strings.ReplaceAll(msg, name, "")
	}
	return msg
}

func checkClockOrder(t *testing.T, s *v1alpha1.DebugSession, d Decision) {
	t.Helper()
	ran := d.State == v1alpha1.StateActive || d.State == v1alpha1.StateExpired && startedBefore(s.Status) && !s.Status.State.Ended()
	if !ran {
		return
	}
	if d.ExpiresAt < d.ActivatedAt {
		t.Errorf("expiresAt %s is before activatedAt %s", d.ExpiresAt, d.ActivatedAt)
	}
	if negative.MatchString(withoutApprover(d.Message, s)) {
		t.Errorf("message %q shows a negative duration", d.Message)
	}
}

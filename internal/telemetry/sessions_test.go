package telemetry

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

func TestSessionsGauge(t *testing.T) {
	type sighting struct {
		key   string
		state v1alpha1.State
		ago   time.Duration
	}
	cases := map[string]struct {
		reason string
		seen   []sighting
		want   map[v1alpha1.State]int
	}{
		"NothingSeen": {
			reason: "Every live state is reported, as 0 when no session is in it.",
		},
		"LastStateWins": {
			reason: "A session counts once, in the state it was last seen in.",
			seen: []sighting{
				{key: "a/one", state: v1alpha1.StatePendingApproval, ago: 2 * time.Minute},
				{key: "a/one", state: v1alpha1.StateActive, ago: time.Minute},
				{key: "a/two", state: v1alpha1.StateQueued, ago: time.Minute},
			},
			want: map[v1alpha1.State]int{v1alpha1.StateActive: 1, v1alpha1.StateQueued: 1},
		},
		"EndedSessionsLeave": {
			reason: "A session seen ending no longer counts, without waiting for the window.",
			seen: []sighting{
				{key: "a/one", state: v1alpha1.StateActive, ago: 2 * time.Minute},
				{key: "a/one", state: v1alpha1.StateExpired, ago: time.Minute},
			},
		},
		"UnseenSessionsAgeOut": {
			reason: "A session not seen within the window, deleted or served by another replica, no longer counts.",
			seen: []sighting{
				{key: "a/gone", state: v1alpha1.StateActive, ago: DefaultSessionWindow + time.Second},
				{key: "a/here", state: v1alpha1.StateActive, ago: DefaultSessionWindow - time.Second},
			},
			want: map[v1alpha1.State]int{v1alpha1.StateActive: 1},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var now time.Time
			reg := prometheus.NewPedanticRegistry()
			m := NewMetrics(reg, WithClock(func() time.Time { return now }))
			for _, s := range tc.seen {
				now = t0.Add(-s.ago)
				m.Seen(s.key, s.state)
			}
			now = t0
			var want strings.Builder
			want.WriteString("# HELP debug_session_sessions Sessions in each live state as last seen by this replica within the session window; aggregate replicas with max.\n# TYPE debug_session_sessions gauge\n")
			for _, st := range []v1alpha1.State{v1alpha1.StateActive, v1alpha1.StatePending, v1alpha1.StatePendingApproval, v1alpha1.StateQueued} {
				want.WriteString("debug_session_sessions{state=\"" + string(st) + "\"} " + itoa(tc.want[st]) + "\n")
			}
			if err := testutil.GatherAndCompare(reg, strings.NewReader(want.String()), "debug_session_sessions"); err != nil {
				t.Errorf("%s\n%v", tc.reason, err)
			}
		})
	}
}

func itoa(n int) string {
	return strconv.Itoa(n)
}

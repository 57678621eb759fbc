package telemetry

import (
	"strings"
	"testing"
	"time"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
	"github.com/k8s-breakglass/function-debug-session/internal/render"
)

var t0 = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

func TestTransition(t *testing.T) {
	cases := map[string]struct {
		reason  string
		t       Transition
		metrics []string
		want    string
	}{
		"NewSessionActive": {
			reason:  "A new session that becomes Active counts from New, by template and cluster, and its time from creation.",
			t:       Transition{To: v1alpha1.StateActive, Reason: "Active", Template: "ns/t", Cluster: "c", CreatedAt: t0.Add(-20 * time.Second), Now: t0},
			metrics: []string{"debug_session_transitions_total", "debug_session_template_transitions_total", "debug_session_cluster_transitions_total", "debug_session_refusals_total"},
			want: `
				# HELP debug_session_cluster_transitions_total Session state transitions by target cluster (one with a ClusterConfig) and new state.
				# TYPE debug_session_cluster_transitions_total counter
				debug_session_cluster_transitions_total{cluster="c",to="Active"} 1
				# HELP debug_session_template_transitions_total Session state transitions by DebugSessionTemplate (namespace/name) and new state.
				# TYPE debug_session_template_transitions_total counter
				debug_session_template_transitions_total{template="ns/t",to="Active"} 1
				# HELP debug_session_transitions_total Session state transitions the function decided, by previous state, new state and condition reason.
				# TYPE debug_session_transitions_total counter
				debug_session_transitions_total{from="New",reason="Active",to="Active"} 1
			`,
		},
		"DeniedUnresolved": {
			reason:  "A Denied session counts a refusal; a template and cluster that do not exist are Unresolved, never what the user typed.",
			t:       Transition{From: v1alpha1.StatePending, To: v1alpha1.StateDenied, Reason: "Denied", Refusal: outcome.ReasonNotAllowed},
			metrics: []string{"debug_session_refusals_total", "debug_session_template_transitions_total", "debug_session_cluster_transitions_total"},
			want: `
				# HELP debug_session_cluster_transitions_total Session state transitions by target cluster (one with a ClusterConfig) and new state.
				# TYPE debug_session_cluster_transitions_total counter
				debug_session_cluster_transitions_total{cluster="_unresolved",to="Denied"} 1
				# HELP debug_session_refusals_total Sessions Denied or Failed, by state and refusal reason.
				# TYPE debug_session_refusals_total counter
				debug_session_refusals_total{reason="NotAllowed",state="Denied"} 1
				# HELP debug_session_template_transitions_total Session state transitions by DebugSessionTemplate (namespace/name) and new state.
				# TYPE debug_session_template_transitions_total counter
				debug_session_template_transitions_total{template="_unresolved",to="Denied"} 1
			`,
		},
		"ExpiredIsNoRefusal": {
			reason:  "An expiry is a transition, not a refusal.",
			t:       Transition{From: v1alpha1.StateActive, To: v1alpha1.StateExpired, Reason: "Expired", Template: "ns/t", Cluster: "c"},
			metrics: []string{"debug_session_refusals_total", "debug_session_transitions_total"},
			want: `
				# HELP debug_session_transitions_total Session state transitions the function decided, by previous state, new state and condition reason.
				# TYPE debug_session_transitions_total counter
				debug_session_transitions_total{from="Active",reason="Expired",to="Expired"} 1
			`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			reg := prometheus.NewPedanticRegistry()
			m := NewMetrics(reg)
			m.Transition(tc.t)
			if err := testutil.GatherAndCompare(reg, strings.NewReader(tc.want), tc.metrics...); err != nil {
				t.Errorf("%s\n%v", tc.reason, err)
			}
		})
	}
}

func TestTimeToActive(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := NewMetrics(reg)
	m.Transition(Transition{From: v1alpha1.StatePendingApproval, To: v1alpha1.StateActive, CreatedAt: t0.Add(-90 * time.Second), Now: t0})
	m.Transition(Transition{From: v1alpha1.StateActive, To: v1alpha1.StateExpired, CreatedAt: t0.Add(-time.Hour), Now: t0})
	m.Transition(Transition{To: v1alpha1.StateActive, Now: t0})
	if got := testutil.CollectAndCount(m.timeToActive); got != 1 {
		t.Fatalf("one histogram series, got %d", got)
	}
	want := `
		# HELP debug_session_time_to_active_seconds Time from a session's creation to the call that made it Active.
		# TYPE debug_session_time_to_active_seconds histogram
		debug_session_time_to_active_seconds_bucket{le="1"} 0
		debug_session_time_to_active_seconds_bucket{le="5"} 0
		debug_session_time_to_active_seconds_bucket{le="10"} 0
		debug_session_time_to_active_seconds_bucket{le="30"} 0
		debug_session_time_to_active_seconds_bucket{le="60"} 0
		debug_session_time_to_active_seconds_bucket{le="120"} 1
		debug_session_time_to_active_seconds_bucket{le="300"} 1
		debug_session_time_to_active_seconds_bucket{le="600"} 1
		debug_session_time_to_active_seconds_bucket{le="1800"} 1
		debug_session_time_to_active_seconds_bucket{le="3600"} 1
		debug_session_time_to_active_seconds_bucket{le="7200"} 1
		debug_session_time_to_active_seconds_bucket{le="14400"} 1
		debug_session_time_to_active_seconds_bucket{le="28800"} 1
		debug_session_time_to_active_seconds_bucket{le="86400"} 1
		debug_session_time_to_active_seconds_bucket{le="+Inf"} 1
		debug_session_time_to_active_seconds_sum 90
		debug_session_time_to_active_seconds_count 1
	`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "debug_session_time_to_active_seconds"); err != nil {
		t.Errorf("Only the activation of a session with a known creation time is observed, once.\n%v", err)
	}
}

func TestCall(t *testing.T) {
	decided := &fnv1.RunFunctionResponse{Desired: &fnv1.State{Composite: &fnv1.Resource{Resource: &structpb.Struct{Fields: map[string]*structpb.Value{
		"status": structpb.NewStructValue(&structpb.Struct{}),
	}}}}}
	cases := map[string]struct {
		reason string
		rsp    *fnv1.RunFunctionResponse
		want   string
	}{
		"Fatal":   {reason: "A Fatal result is a fatal call, whatever else the response holds.", rsp: &fnv1.RunFunctionResponse{Desired: decided.Desired, Results: []*fnv1.Result{{Severity: fnv1.Severity_SEVERITY_FATAL}}}, want: ResultFatal},
		"Decided": {reason: "A response with the session's status decided it.", rsp: decided, want: ResultDecided},
		"Waiting": {reason: "A response without status only asked for required resources.", rsp: &fnv1.RunFunctionResponse{}, want: ResultWaiting},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m := NewMetrics(prometheus.NewRegistry())
			m.Call(tc.rsp)
			if got := testutil.ToFloat64(m.calls.WithLabelValues(tc.want)); got != 1 {
				t.Errorf("%s\ncalls_total{result=%q}: want 1, got %v", tc.reason, tc.want, got)
			}
		})
	}
}

func TestRenderCache(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	NewMetrics(reg, WithRenderCache(func() render.CacheStats { return render.CacheStats{Hits: 7, Misses: 2, Size: 2} }))
	want := `
		# HELP debug_session_render_cache_entries Parsed templates kept in the renderer's cache.
		# TYPE debug_session_render_cache_entries gauge
		debug_session_render_cache_entries 2
		# HELP debug_session_render_cache_hits_total Template strings found parsed in the renderer's cache.
		# TYPE debug_session_render_cache_hits_total counter
		debug_session_render_cache_hits_total 7
		# HELP debug_session_render_cache_misses_total Template strings the renderer had to parse.
		# TYPE debug_session_render_cache_misses_total counter
		debug_session_render_cache_misses_total 2
	`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "debug_session_render_cache_entries", "debug_session_render_cache_hits_total", "debug_session_render_cache_misses_total"); err != nil {
		t.Errorf("The renderer's cache counters are read at scrape time.\n%v", err)
	}
}

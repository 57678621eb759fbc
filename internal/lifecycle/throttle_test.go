package lifecycle

import (
	"testing"
	"time"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/crossplane/function-sdk-go/resource/composite"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

func TestThrottleTTL(t *testing.T) {
	open := xpv2.Condition{Type: conditionResponsive, Status: corev1.ConditionFalse, Reason: reasonWatchCircuitOpen}
	type args struct {
		ttl        time.Duration
		conditions []xpv2.Condition
	}
	cases := map[string]struct {
		reason string
		args   args
		want   time.Duration
	}{
		"NoCondition": {
			reason: "A Crossplane without a circuit breaker sets no Responsive condition; the TTL stands.",
			args:   args{ttl: time.Minute},
			want:   time.Minute,
		},
		"Closed": {
			reason: "A closed breaker (Responsive True) leaves the TTL alone.",
			args:   args{ttl: time.Minute, conditions: []xpv2.Condition{{Type: conditionResponsive, Status: corev1.ConditionTrue, Reason: "WatchCircuitClosed"}}},
			want:   time.Minute,
		},
		"Open": {
			reason: "While the breaker is open Crossplane must come back within ThrottledTTL.",
			args:   args{ttl: time.Minute, conditions: []xpv2.Condition{open}},
			want:   ThrottledTTL,
		},
		"OpenShorterTTL": {
			reason: "A TTL already shorter than ThrottledTTL (an expiry moments away, a short input ttl) stays.",
			args:   args{ttl: 2 * time.Second, conditions: []xpv2.Condition{open}},
			want:   2 * time.Second,
		},
		"FalseForAnotherReason": {
			reason: "Only the circuit breaker's reason shortens the TTL.",
			args:   args{ttl: time.Minute, conditions: []xpv2.Condition{{Type: conditionResponsive, Status: corev1.ConditionFalse, Reason: "Other"}}},
			want:   time.Minute,
		},
		"OtherConditionOpenReason": {
			reason: "The reason counts only on the Responsive condition.",
			args:   args{ttl: time.Minute, conditions: []xpv2.Condition{{Type: "Ready", Status: corev1.ConditionFalse, Reason: reasonWatchCircuitOpen}}},
			want:   time.Minute,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := composite.New()
			xr.SetConditions(tc.args.conditions...)
			if diff := cmp.Diff(tc.want, ThrottleTTL(tc.args.ttl, xr)); diff != "" {
				t.Errorf("%s\nThrottleTTL(%s, ...): -want, +got:\n%s", tc.reason, tc.args.ttl, diff)
			}
		})
	}
}

// TestThrottleTTLMalformedConditions: conditions that are not a list of
// conditions say nothing about the breaker; they neither shorten the TTL
// nor stop the call.
func TestThrottleTTLMalformedConditions(t *testing.T) {
	for name, conditions := range map[string]any{
		"NotAList":       "Responsive=False",
		"ListOfStrings":  []any{"WatchCircuitOpen"},
		"StatusNotAWord": []any{map[string]any{"type": "Responsive", "status": int64(0), "reason": "WatchCircuitOpen"}},
	} {
		t.Run(name, func(t *testing.T) {
			xr := composite.New()
			xr.Object["status"] = map[string]any{"conditions": conditions}
			if got := ThrottleTTL(time.Minute, xr); got != time.Minute {
				t.Errorf("ThrottleTTL(1m, status.conditions %v) = %s; want 1m", conditions, got)
			}
		})
	}
}

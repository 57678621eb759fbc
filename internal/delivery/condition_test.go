package delivery

import (
	"math"
	"testing"

	"github.com/crossplane/function-sdk-go/resource/composed"
	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestReadyCondition proves that readyCondition reads every status as
// GetCondition does, on the path it takes and on the ones it leaves to
// GetCondition.
func TestReadyCondition(t *testing.T) {
	ready := map[string]any{"type": "Ready", "status": "True", "reason": "Available", "lastTransitionTime": "2026-01-01T09:00:00Z", "observedGeneration": 3.0}
	cases := map[string]struct {
		reason string
		status any
	}{
		"NoStatus":           {reason: "An object without a status has an empty condition.", status: nil},
		"NoConditions":       {reason: "A status without conditions has an unknown Ready condition.", status: map[string]any{}},
		"Ready":              {reason: "The Ready condition as Crossplane writes it.", status: map[string]any{"conditions": []any{map[string]any{"type": "Synced", "status": "True"}, ready}}},
		"NoReady":            {reason: "Conditions without Ready.", status: map[string]any{"conditions": []any{map[string]any{"type": "Synced", "status": "False"}}}},
		"TwoReady":           {reason: "The first Ready condition wins.", status: map[string]any{"conditions": []any{ready, map[string]any{"type": "Ready", "status": "False"}}}},
		"BadTime":            {reason: "A time that is not RFC 3339 fails the whole status.", status: map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": "True", "lastTransitionTime": "yesterday"}}}},
		"NullTime":           {reason: "A null time is no time.", status: map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": "True", "lastTransitionTime": nil}}}},
		"NumberStatus":       {reason: "A field of another type fails the whole status.", status: map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": 1.0}}}},
		"FractionGeneration": {reason: "A fractional generation fails the whole status.", status: map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": "True", "observedGeneration": 1.5}}}},
		"OtherCase":          {reason: "JSON matches keys case-insensitively.", status: map[string]any{"conditions": []any{map[string]any{"Type": "Ready", "status": "True"}}}},
		"OtherCaseList":      {reason: "JSON matches the conditions key case-insensitively too.", status: map[string]any{"Conditions": []any{map[string]any{"type": "Ready", "status": "False"}}, "conditions": []any{ready}}},
		"NaNElsewhere":       {reason: "A number JSON cannot encode anywhere in the status fails it.", status: map[string]any{"conditions": []any{ready}, "atProvider": map[string]any{"x": math.NaN()}}},
		"ConditionsNotList":  {reason: "Conditions that are not a list fail the status.", status: map[string]any{"conditions": "Ready"}},
		"UnknownField":       {reason: "A condition field the type does not have is ignored by JSON.", status: map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": "True", "extra": "x"}}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			o := &composed.Unstructured{Unstructured: unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Object"}}}
			if tc.status != nil {
				o.Object["status"] = tc.status
			}
			want := o.GetCondition("Ready")
			if diff := cmp.Diff(want, readyCondition(o)); diff != "" {
				t.Errorf("%s\nreadyCondition(...): -GetCondition, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

package lifecycle

import (
	"fmt"
	"testing"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composite"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// TestWriteStatusAsEachPath holds WriteStatus to what setting each field
// through its path gives, in the form Crossplane receives it.
func TestWriteStatusAsEachPath(t *testing.T) {
	full := &v1alpha1.DebugSessionStatus{
		State: v1alpha1.StateActive, Message: "Active until 14:00 — netops, ünïcode",
		Binding:         &v1alpha1.BindingStatus{Name: "prod", Namespace: "platform", Priority: 10, DisplayName: "Prod"},
		TargetNamespace: "debug", ActivatedAt: "2026-11-28T13:00:00Z", ExpiresAt: "2026-11-28T14:00:00Z", RenewalsUsed: 2,
		Constraints: &v1alpha1.ConstraintsStatus{MaxDuration: "2h", MaxConcurrentSessions: ptr.To[int32](3), MaxRenewals: ptr.To[int32](0)},
		Scheduling:  &v1alpha1.SchedulingStatus{Option: "sriov", RequiredNodeLabels: map[string]string{"pool": "debug"}},
		Workload:    &v1alpha1.WorkloadStatus{Kind: "Deployment", Name: "debug-x", Namespace: "debug"},
		AuxiliaryResources: []v1alpha1.AuxiliaryResourceStatus{
			{Name: "np", Kind: "NetworkPolicy", Phase: "Ready"},
			{Name: "sa", Kind: "ServiceAccount", Phase: "Pending", Message: "waiting"},
		},
	}
	cases := map[string]struct {
		reason string
		xr     map[string]any
		st     *v1alpha1.DebugSessionStatus
	}{
		"NoStatusYet": {
			reason: "A desired composite without a status gets the function's status.",
			xr:     map[string]any{"apiVersion": "debug.example.org/v1alpha1", "kind": "DebugSession"},
			st:     full,
		},
		"ForeignFieldsKept": {
			reason: "Fields the function does not own stay, and its own are replaced whole.",
			xr: map[string]any{"apiVersion": "debug.example.org/v1alpha1", "kind": "DebugSession", "status": map[string]any{
				"conditions": []any{map[string]any{"type": "Synced"}}, "other": int64(7),
				"scheduling": map[string]any{"stale": true},
			}},
			st: full,
		},
		"NotUTF8": {
			reason: "A message that is not UTF-8 is cleaned as the JSON round trip cleans it, not refused by the response.",
			xr:     map[string]any{"kind": "DebugSession"},
			st:     &v1alpha1.DebugSessionStatus{State: v1alpha1.StateFailed, Message: "truncated \xe2\x80"},
		},
		"StatusNotAnObject": {
			reason: "A status that is not an object is refused as setting a field refuses it.",
			xr:     map[string]any{"kind": "DebugSession", "status": "broken"},
			st:     full,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			want, wantErr := written(tc.xr, tc.st, func(xr *resource.Composite, st *v1alpha1.DebugSessionStatus) error {
				m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(st)
				if err != nil {
					return err
				}
				return setEach(xr, m)
			})
			got, gotErr := written(tc.xr, tc.st, WriteStatus)
			if diff := cmp.Diff(fmt.Sprint(wantErr), fmt.Sprint(gotErr)); diff != "" {
				t.Errorf("%s\nWriteStatus(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
				t.Errorf("%s\nWriteStatus(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// written is the desired composite as Crossplane receives it after write.
func written(obj map[string]any, st *v1alpha1.DebugSessionStatus, write func(*resource.Composite, *v1alpha1.DebugSessionStatus) error) (any, error) {
	xr := &resource.Composite{Resource: composite.New()}
	xr.Resource.Object = runtime.DeepCopyJSON(obj)
	if err := write(xr, st); err != nil {
		return nil, err
	}
	s, err := resource.AsStruct(xr.Resource)
	if err != nil {
		return nil, err
	}
	return s, nil
}

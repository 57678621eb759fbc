package lifecycle

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/k8s-breakglass/function-debug-session/internal/admissiontest"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// TestLifecycleExamples decides the example/lifecycle-* scenarios the way the
// function does at the pinned render clock, with the template applying alone
// (none of them has a binding), so that the examples say what their READMEs
// say before their golden renders exist.
func TestLifecycleExamples(t *testing.T) {
	renderNow := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	type want struct {
		State       v1alpha1.State
		Message     string
		ActivatedAt string
		ExpiresAt   string
		ApprovedBy  string
	}
	cases := map[string]struct {
		reason string
		want   want
	}{
		"lifecycle-pending-approval": {
			reason: "Approvers are configured and Alice is not auto-approved.",
			want: want{State: v1alpha1.StatePendingApproval,
				Message: "Waiting for approval by group security-team or user bob@example.com, because approvers are configured and the requester is not approved automatically. Without approval within 24h the session fails."},
		},
		"lifecycle-approved": {
			reason: "Bob's approval counts, and the session starts at the render clock.",
			want: want{State: v1alpha1.StateActive, Message: "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used.",
				ActivatedAt: "2026-01-01T09:00:00Z", ExpiresAt: "2026-01-01T10:00:00Z", ApprovedBy: "bob@example.com"},
		},
		"lifecycle-expired": {
			reason: "One hour plus one renewal from 07:00 ends at 09:00.",
			want: want{State: v1alpha1.StateExpired, Message: "The session expired after 2h; its debug resources are removed.",
				ActivatedAt: "2026-01-01T07:00:00Z", ExpiresAt: "2026-01-01T09:00:00Z"},
		},
		"lifecycle-queued": {
			reason: "One Active session holds the only slot and one earlier session waits ahead.",
			want: want{State: v1alpha1.StateQueued,
				Message: "Queued at position 2 of 3: 1 of 1 allowed sessions of template breakglass-system/netops-debug are active on cluster prod-cluster-a."},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := "../../example/" + name + "/"
			xrs := admissiontest.ReadYAML(t, dir+"xr.yaml")
			if len(xrs) != 1 {
				t.Fatalf("%sxr.yaml: want one document, got %d", dir, len(xrs))
			}
			s := &v1alpha1.DebugSession{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(xrs[0], s, false); err != nil {
				t.Fatal(err)
			}
			in := DecideInput{Session: s, Now: renderNow, TTL: time.Minute, ConfigNamespace: "breakglass-system"}
			for _, doc := range admissiontest.ReadYAML(t, dir+"required.yaml") {
				switch doc["kind"] {
				case "DebugSessionTemplate":
					tpl := &v1alpha1.DebugSessionTemplate{}
					if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(doc, tpl, false); err != nil {
						t.Fatal(err)
					}
					in.Template = v1alpha1.ObjectReference{Name: tpl.Name, Namespace: tpl.Namespace}
					in.Approvers = tpl.Spec.Approvers
					if tpl.Spec.Constraints != nil {
						in.Constraints = *tpl.Spec.Constraints
					}
				case "DebugSession":
					o := v1alpha1.DebugSession{}
					if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(doc, &o, false); err != nil {
						t.Fatal(err)
					}
					in.Others = append(in.Others, o)
				}
			}
			d, err := Decide(in)
			if err != nil {
				t.Fatalf("Decide(...): %v", err)
			}
			got := want{State: d.State, Message: d.Message, ActivatedAt: d.ActivatedAt, ExpiresAt: d.ExpiresAt}
			if d.Approval != nil {
				got.ApprovedBy = d.Approval.ApprovedBy
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n%s: -want, +got:\n%s", tc.reason, name, diff)
			}
			if !d.Transition {
				t.Errorf("%s: every lifecycle example shows a transition", name)
			}
		})
	}
}

package bindingstatus

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

func TestNextWindowChange(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *metav1.Time { return &metav1.Time{Time: now.Add(d)} }
	window := func(from, until *metav1.Time) v1alpha1.DebugSessionClusterBinding {
		b := bnd("w", 0, "prod-*")
		b.Spec.EffectiveFrom, b.Spec.ExpiresAt = from, until
		return b
	}
	cases := map[string]struct {
		reason string
		in     Inputs
		want   time.Duration
	}{
		"NoWindows": {
			reason: "Without windows nothing changes with the clock.",
			in:     Inputs{Binding: ptr(bnd("prod", 0, "prod-*")), Now: now},
		},
		"OwnExpiry": {
			reason: "The binding's own expiresAt ends it.",
			in:     Inputs{Binding: ptr(window(at(-time.Hour), at(2*time.Hour))), Now: now},
			want:   2 * time.Hour,
		},
		"PeerStartsFirst": {
			reason: "A peer that starts earlier may shadow or tie from then on.",
			in:     Inputs{Binding: ptr(window(nil, at(2*time.Hour))), Peers: []v1alpha1.DebugSessionClusterBinding{window(at(30*time.Minute), nil)}, Now: now},
			want:   30 * time.Minute,
		},
		"PastBoundariesIgnored": {
			reason: "Boundaries already passed change nothing more.",
			in:     Inputs{Binding: ptr(window(at(-2*time.Hour), at(-time.Hour))), Now: now},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, nextWindowChange(tc.in)); diff != "" {
				t.Errorf("%s\nnextWindowChange(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

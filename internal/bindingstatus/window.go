package bindingstatus

import (
	"time"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// nextWindowChange returns how long until the binding or one of its peers
// starts or stops existing, which changes Ready, matchedClusters, Shadowed or
// Tie without any object changing; zero when no window lies ahead. Watches
// cannot see the clock, so the reconciler asks to be called again then.
func nextWindowChange(in Inputs) time.Duration {
	var next time.Duration
	consider := func(t time.Time) {
		if d := t.Sub(in.Now); d > 0 && (next == 0 || d < next) {
			next = d
		}
	}
	for _, b := range append([]v1alpha1.DebugSessionClusterBinding{*in.Binding}, in.Peers...) {
		if f := b.Spec.EffectiveFrom; f != nil {
			consider(f.Time)
		}
		if e := b.Spec.ExpiresAt; e != nil {
			consider(e.Time)
		}
	}
	return next
}

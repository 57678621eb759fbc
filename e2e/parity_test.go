//go:build e2e

package e2e

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// TestParitySchedulingOptionHonoured: a user picks a
// scheduling option; the real scheduler places the debug pods where the
// option AND every mandatory constraint allow, and nowhere else.
func TestParitySchedulingOptionHonoured(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "parity.yaml")

	s := session("parity-pinned", "e2e-parity-options", alice)
	s.Spec.SchedulingOption = "pinned"
	create(t, alice, s)
	got := waitForState(t, s, v1alpha1.StateActive)

	if got.Status.Scheduling == nil || got.Status.Scheduling.Option != "pinned" {
		t.Errorf("status.scheduling.option: want pinned, got %+v", got.Status.Scheduling)
	}
	// The option names three nodes; the critical one is denied by label
	// and the restricted one by name, so only worker-1 remains.
	allowed := []string{nodeAWorker1}
	eventually(t, 60*time.Second, "the real scheduler binds one debug pod to "+nodeAWorker1, func() (bool, string, error) {
		bound := boundNodes(sessionPods(t, s.Name))
		return slices.Equal(bound, allowed), fmt.Sprintf("pods bound to %v", bound), nil
	})
	consistently(t, settle, "no debug pod outside the option and the mandatory constraints", func() (bool, string) {
		for _, p := range sessionPods(t, s.Name) {
			if n := podNode(p); n != "" && !slices.Contains(allowed, n) {
				return false, fmt.Sprintf("pod %s is on node %s (allowed: %v)", p.Name, n, allowed)
			}
		}
		return true, ""
	})
}

// TestParitySchedulingOptionOfOthersDenied: an option limited to another group
// denies the session, and nothing runs.
func TestParitySchedulingOptionOfOthersDenied(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "parity.yaml")

	s := session("parity-not-mine", "e2e-parity-options", alice)
	s.Spec.SchedulingOption = "security-only"
	create(t, alice, s)
	got := waitForState(t, s, v1alpha1.StateDenied)
	if got.Status.Workload != nil {
		t.Errorf("status.workload: a Denied session must compose no workload, got %+v", got.Status.Workload)
	}
	if pods := sessionPods(t, s.Name); len(pods) > 0 {
		t.Errorf("a Denied session has %d debug pods", len(pods))
	}
}

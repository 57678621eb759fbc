//go:build e2e

package e2e

import (
	"strings"
	"testing"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// TestBindingCapQueuesSameUser: a binding allows one session per user. The
// same user's second session waits, Queued, while another user's starts;
// once the first is terminated, the second starts.
func TestBindingCapQueuesSameUser(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "caps.yaml")

	first := session("capped-alice-1", "e2e-capped", alice)
	create(t, alice, first)
	waitForState(t, first, v1alpha1.StateActive)

	second := session("capped-alice-2", "e2e-capped", alice)
	create(t, alice, second)
	got := waitForSettled(t, second)
	if got.Status.State != v1alpha1.StateQueued || !strings.Contains(got.Status.Message, "binding breakglass-system/e2e-capped allows 1 active session per user (spec.maxActiveSessionsPerUser)") {
		t.Fatalf("DebugSession %s: want Queued behind %s by the binding's per-user cap, got %q: %s", second.Name, first.Name, got.Status.State, got.Status.Message)
	}
	t.Logf("%s is Queued: %s", second.Name, got.Status.Message)

	// Another user of the binding is not held up by alice's cap.
	other := session("capped-dave", "e2e-capped", dave)
	create(t, dave, other)
	waitForState(t, other, v1alpha1.StateActive)

	// The first session is terminated; the queued one takes its place.
	if err := patchSession(alice, first, `{"terminate":true}`); err != nil {
		t.Fatalf("cannot terminate %s: %v", first.Name, err)
	}
	waitForState(t, first, v1alpha1.StateTerminated)
	got = waitForState(t, second, v1alpha1.StateActive)
	t.Logf("%s is Active once %s is terminated: %s", second.Name, first.Name, got.Status.Message)
}

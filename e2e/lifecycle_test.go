//go:build e2e

package e2e

import (
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// requireLifecycle fails the test unless the function recorded activation:
// without it there is no expiry, termination or queue to observe.
func requireLifecycle(t *testing.T, s *v1alpha1.DebugSession) {
	t.Helper()
	if s.Status.ActivatedAt == "" {
		t.Fatal("the session lifecycle is broken: an Active session has no status.activatedAt")
	}
}

// requireWorkload waits for the session's workload and returns its name.
func requireWorkload(t *testing.T, s *v1alpha1.DebugSession) (kind, name string) {
	t.Helper()
	w := s.Status.Workload
	if w == nil {
		t.Fatalf("DebugSession %s is %s without status.workload", s.Name, s.Status.State)
	}
	eventually(t, 30*time.Second, fmt.Sprintf("%s %s exists", w.Kind, w.Name), func() (bool, string, error) {
		return exists(t, "-n", w.Namespace, w.Kind, w.Name), "", nil
	})
	return w.Kind, w.Name
}

// checkEnded checks what an ended session leaves behind: its workload and
// deleteAfter: true resources go (Crossplane stops composing them and
// deletes them), its deleteAfter: false resources stay.
func checkEnded(t *testing.T, s *v1alpha1.DebugSession, kind, workload string) {
	t.Helper()
	eventually(t, 60*time.Second, fmt.Sprintf("%s %s is deleted", kind, workload), func() (bool, string, error) {
		return !exists(t, "-n", targetNamespace, kind, workload), "", nil
	})
	eventually(t, 60*time.Second, "the deleteAfter: true ConfigMap is deleted", func() (bool, string, error) {
		return !exists(t, "-n", targetNamespace, "configmap", "notes-"+s.Name), "", nil
	})
	consistently(t, settle, "the deleteAfter: false ConfigMap stays", func() (bool, string) {
		return exists(t, "-n", targetNamespace, "configmap", "audit-"+s.Name), "ConfigMap audit-" + s.Name + " is gone"
	})
}

// requireAuxiliaryConfigMaps waits for both auxiliary ConfigMaps of the
// lifecycle template, one deleteAfter: true and one deleteAfter: false, so
// that the end of the session has something to remove and something to keep.
func requireAuxiliaryConfigMaps(t *testing.T, s *v1alpha1.DebugSession) {
	t.Helper()
	eventually(t, 30*time.Second, "both auxiliary ConfigMaps exist", func() (bool, string, error) {
		return exists(t, "-n", targetNamespace, "configmap", "notes-"+s.Name) &&
			exists(t, "-n", targetNamespace, "configmap", "audit-"+s.Name), "", nil
	})
}

func TestExpiryRemovesWorkload(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "lifecycle.yaml")

	s := session("expiry-alice", "e2e-lifecycle", alice)
	s.Spec.Duration = "30s"
	create(t, alice, s)
	got := waitForState(t, s, v1alpha1.StateActive)
	requireLifecycle(t, got)
	kind, name := requireWorkload(t, got)
	requireAuxiliaryConfigMaps(t, s)

	// The function asks Crossplane to call back when the session expires
	// (the response TTL), so expiry shows within seconds of expiresAt.
	got = waitForState(t, s, v1alpha1.StateExpired)
	checkEnded(t, got, kind, name)
}

func TestTerminateRemovesWorkload(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "lifecycle.yaml")

	s := session("terminate-alice", "e2e-lifecycle", alice)
	create(t, alice, s)
	got := waitForState(t, s, v1alpha1.StateActive)
	requireLifecycle(t, got)
	kind, name := requireWorkload(t, got)
	requireAuxiliaryConfigMaps(t, s)

	if err := patchSession(alice, s, `{"terminate":true}`); err != nil {
		t.Fatalf("alice cannot terminate her own session: %v", err)
	}
	got = waitForState(t, s, v1alpha1.StateTerminated)
	checkEnded(t, got, kind, name)
}

func TestTemplateDeletedWhileActiveKeepsWorkload(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "ephemeral.yaml")

	s := session("ephemeral-alice", "e2e-ephemeral", alice)
	create(t, alice, s)
	got := waitForState(t, s, v1alpha1.StateActive)
	kind, name := requireWorkload(t, got)
	before := &appsv1.Deployment{}
	admin.Get(t, before, "-n", targetNamespace, kind, name)

	admin.MustRun(t, "", "-n", configNamespace, "delete", "debugsessiontemplate", "e2e-ephemeral")
	// Make Crossplane run the function now, rather than at its next poll,
	// with the template gone.
	admin.MustRun(t, "", "-n", targetNamespace, "annotate", "debugsession", s.Name, "--overwrite", "e2e.breakglass.telekom.de/poke="+time.Now().Format(time.RFC3339Nano))

	consistently(t, 2*settle, "the workload survives the deletion of its template", func() (bool, string) {
		after := &appsv1.Deployment{}
		if !admin.Get(t, after, "-n", targetNamespace, kind, name) {
			return false, fmt.Sprintf("%s %s was deleted", kind, name)
		}
		if after.UID != before.UID {
			return false, fmt.Sprintf("%s %s was replaced", kind, name)
		}
		if st := getSession(t, s).Status.State; st != v1alpha1.StateActive {
			return false, fmt.Sprintf("the session went from Active to %q", st)
		}
		return true, ""
	})
}

func TestConcurrencyLimitQueuesSecondSession(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "concurrency.yaml")

	first := session("limited-alice", "e2e-limited", alice)
	create(t, alice, first)
	got := waitForState(t, first, v1alpha1.StateActive)
	if got.Status.Constraints == nil || got.Status.Constraints.MaxConcurrentSessions == nil {
		t.Fatal("concurrency limits are not reported: status.constraints.maxConcurrentSessions is empty")
	}

	second := session("limited-bob", "e2e-limited", bob)
	create(t, bob, second)
	got = waitForSettled(t, second)
	if got.Status.State == v1alpha1.StateActive && got.Status.ActivatedAt == "" {
		t.Fatal("concurrency limits are broken: the second session became Active instead of Queued")
	}
	if got.Status.State != v1alpha1.StateQueued {
		t.Fatalf("DebugSession %s: want state Queued behind %s, got %q: %s", second.Name, first.Name, got.Status.State, got.Status.Message)
	}
	t.Logf("%s is Queued: %s", second.Name, got.Status.Message)

	// The first session ends; the queued one takes its place.
	deleteSession(t, first)
	got = waitForState(t, second, v1alpha1.StateActive)
	t.Logf("%s is Active once %s is gone: %s", second.Name, first.Name, got.Status.Message)
}

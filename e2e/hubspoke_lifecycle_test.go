//go:build e2e

package e2e

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

func TestSpokeSessionEnds(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "hubspoke.yaml")

	cases := map[string]struct {
		reason   string
		target   string
		duration string
		end      func(t *testing.T, s *v1alpha1.DebugSession)
		want     v1alpha1.State
	}{
		"Expiry": {
			reason: "An expired session's workload and deleteAfter: true resources go from the target; deleteAfter: false ones stay there.",
			target: clusterA,
			// Long enough for the workload and both ConfigMaps to be
			// seen on the target first.
			duration: "45s",
			end:      func(*testing.T, *v1alpha1.DebugSession) {},
			want:     v1alpha1.StateExpired,
		},
		"Terminate": {
			reason: "A terminated session's workload and deleteAfter: true resources go from the target; deleteAfter: false ones stay there.",
			target: clusterB,
			end: func(t *testing.T, s *v1alpha1.DebugSession) {
				if err := patchSession(alice, s, `{"terminate":true}`); err != nil {
					t.Fatalf("alice cannot terminate her own session: %v", err)
				}
			},
			want: v1alpha1.StateTerminated,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := spokeSession("spoke-"+strings.ToLower(name)+"-alice", "e2e-spoke-lifecycle", tc.target, alice)
			s.Spec.Duration = tc.duration
			create(t, alice, s)
			got := waitForState(t, s, v1alpha1.StateActive)
			w := requireSpokeWorkload(t, got, tc.target)
			k := on(tc.target)
			eventually(t, 60*time.Second, "both auxiliary ConfigMaps on "+tc.target, func() (bool, string, error) {
				var cm map[string]any
				return k.Get(t, &cm, "-n", targetNamespace, "configmap", "notes-"+s.Name) &&
					k.Get(t, &cm, "-n", targetNamespace, "configmap", "audit-"+s.Name), "", nil
			})

			tc.end(t, s)
			waitForState(t, s, tc.want)
			gone := func(kind, name string) func() (bool, string, error) {
				return func() (bool, string, error) {
					var obj map[string]any
					return !k.Get(t, &obj, "-n", targetNamespace, kind, name), "", nil
				}
			}
			eventually(t, 90*time.Second, fmt.Sprintf("%s\n%s %s is deleted from %s", tc.reason, w.GetKind(), w.GetName(), tc.target), gone(w.GetKind(), w.GetName()))
			eventually(t, 90*time.Second, tc.reason+"\nthe deleteAfter: true ConfigMap is deleted from "+tc.target, gone("configmap", "notes-"+s.Name))
			deleteSession(t, s)
			consistently(t, settle, tc.reason+"\nthe deleteAfter: false ConfigMap stays on "+tc.target+", even once the session is deleted", func() (bool, string) {
				var cm map[string]any
				return k.Get(t, &cm, "-n", targetNamespace, "configmap", "audit-"+s.Name), "ConfigMap audit-" + s.Name + " is gone"
			})
		})
	}
}

func TestSpokeLegacyClusterScopedSession(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "hubspoke.yaml")

	// A cluster-scoped XR composes cluster-scoped Objects, which reach the
	// target through the kubernetes.crossplane.io ProviderConfig named
	// like the ClusterProviderConfig.
	s := clusterSession("spoke-legacy-alice", "e2e-spoke-lifecycle", alice)
	s.Labels[v1alpha1.LabelCluster] = clusterB
	s.Spec.Cluster = clusterB
	createWith(t, alice, s, remoteClusterComposition)
	got := waitForState(t, s, v1alpha1.StateActive)
	requireSpokeWorkload(t, got, clusterB)
	podsReadyAt(t, targetB, s.Name, 1)
	readySince(t, s)

	l := &unstructured.UnstructuredList{}
	admin.List(t, l, "objects.kubernetes.crossplane.io", "-l", "crossplane.io/composite="+s.Name)
	if len(l.Items) == 0 {
		t.Fatalf("no cluster-scoped Objects of %s", s.Name)
	}
	for _, o := range l.Items {
		if ref, _, _ := unstructured.NestedString(o.Object, "spec", "providerConfigRef", "name"); ref != "spoke-b" {
			t.Errorf("Object %s providerConfigRef.name: want spoke-b, got %q", o.GetName(), ref)
		}
	}
	nothingOn(t, targetA, clusterA, s)
}

// provider runs hack/e2e/provider.sh, which stops or starts the stack's
// provider-kubernetes.
func provider(t *testing.T, action string) {
	t.Helper()
	script, err := env("E2E_PROVIDER")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(script, action).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v: %s", script, action, err, out)
	}
}

// TestProviderRestartLosesNothing is not parallel: while provider-kubernetes
// is stopped no session anywhere makes progress, and Go runs the other
// tests, all parallel, only after it.
func TestProviderRestartLosesNothing(t *testing.T) {
	admin.ApplyFile(t, "hubspoke.yaml")

	// With watches, so that readiness, which the test waits for twice,
	// takes seconds rather than a 30 s poll.
	first := spokeSession("spoke-restart-alice", "e2e-spoke-lifecycle", clusterB, alice)
	createWith(t, alice, first, watchComposition)
	got := waitForState(t, first, v1alpha1.StateActive)
	before := &appsv1.Deployment{}
	w := requireSpokeWorkload(t, got, clusterB)
	targetB.Get(t, before, "-n", targetNamespace, "deployment", w.GetName())
	readySince(t, first)

	provider(t, "stop")
	stopped := true
	t.Cleanup(func() {
		// Whatever happened, the other tests need the provider.
		if stopped {
			provider(t, "start")
		}
	})
	// The first session stays Active and keeps the very Deployment it had.
	untouched := func() (bool, string) {
		if st := getSession(t, first).Status.State; st != v1alpha1.StateActive {
			return false, fmt.Sprintf("%s went from Active to %q", first.Name, st)
		}
		now := &appsv1.Deployment{}
		if !targetB.Get(t, now, "-n", targetNamespace, "deployment", w.GetName()) || now.UID != before.UID {
			return false, fmt.Sprintf("Deployment %s on %s was deleted or replaced", w.GetName(), clusterB)
		}
		return true, ""
	}
	// A session created while the provider is down is delivered once it is
	// back.
	second := spokeSession("spoke-restart-later", "e2e-spoke-lifecycle", clusterB, alice)
	createWith(t, alice, second, watchComposition)
	consistently(t, 20*time.Second, "the running session is untouched while provider-kubernetes is down", untouched)
	provider(t, "start")
	stopped = false

	got = waitForState(t, second, v1alpha1.StateActive)
	requireSpokeWorkload(t, got, clusterB)
	readySince(t, second)
	consistently(t, settle, "the running session is untouched once provider-kubernetes is back", untouched)
}

func TestTargetsHaveSeparatePKI(t *testing.T) {
	t.Parallel()
	// Each target cluster has its own CA, so credentials meant for one
	// cluster that reach another fail at TLS instead of acting there.
	cases := map[string]struct {
		reason string
		client kubectl
		server string
	}{
		"AToB": {reason: "Target A's kubeconfig must not be accepted by target B.", client: targetA, server: "https://127.0.0.1:26443"},
		"BToA": {reason: "Target B's kubeconfig must not be accepted by target A.", client: targetB, server: "https://127.0.0.1:16443"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := tc.client.Run("", "--server", tc.server, "get", "namespaces")
			if err == nil || !strings.Contains(err.Error(), "certificate") {
				t.Errorf("%s\nkubectl against %s: want a certificate error, got %v", tc.reason, tc.server, err)
			}
		})
	}
}

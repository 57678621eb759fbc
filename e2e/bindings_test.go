//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// TestBrokenBindingRefused: the API server itself refuses a binding that the
// function could only have warned about at session time, and says which
// field is wrong.
func TestBrokenBindingRefused(t *testing.T) {
	cases := map[string]struct {
		reason string
		spec   string
		says   string
	}{
		"InvalidGlob":   {reason: "An unterminated glob class is refused by the CRD rule.", spec: `{"templateRef":{"name":"e2e-scheduling"},"clusters":["prod-["]}`, says: "spec.clusters"},
		"BackwardRange": {reason: "A backward range is refused by the admission policy.", spec: `{"templateRef":{"name":"e2e-scheduling"},"clusters":["prod-[z-a]"]}`, says: "spec.clusters: every range"},
		"NoClusters":    {reason: "A binding must say where it applies.", spec: `{"templateRef":{"name":"e2e-scheduling"}}`, says: "set clusters or clusterSelector"},
		"Priority":      {reason: "Priority is bounded.", spec: `{"templateRef":{"name":"e2e-scheduling"},"clusters":["x"],"priority":-5}`, says: "spec.priority"},
		"BothTemplates": {reason: "A binding names its template or selects templates, not both.", spec: `{"templateRef":{"name":"e2e-scheduling"},"templateSelector":{"matchLabels":{"a":"b"}},"clusters":["x"]}`, says: "set exactly one of templateRef and templateSelector"},
		"NoTemplate":    {reason: "A binding must say which templates it binds.", spec: `{"clusters":["x"]}`, says: "set exactly one of templateRef and templateSelector"},
		"EmptySelector": {reason: "An empty templateSelector would bind every template.", spec: `{"templateSelector":{},"clusters":["x"]}`, says: "spec.templateSelector: Invalid value"},
		"SelectorValue": {reason: "templateSelector label values are checked by the admission policy.", spec: `{"templateSelector":{"matchLabels":{"a":"not a value"}},"clusters":["x"]}`, says: "spec.templateSelector.matchLabels"},
		"Operator":      {reason: "In without values is refused.", spec: `{"templateRef":{"name":"e2e-scheduling"},"clusters":["x"],"schedulingConstraints":{"requiredNodeAffinity":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"a","operator":"In"}]}]}}}`, says: "spec.schedulingConstraints.requiredNodeAffinity matchExpressions"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			obj := fmt.Sprintf(`{"apiVersion":"breakglass.telekom.de/v1alpha1","kind":"DebugSessionClusterBinding","metadata":{"name":"e2e-broken-%s","namespace":"%s"},"spec":%s}`,
				strings.ToLower(name), configNamespace, tc.spec)
			_, err := admin.Run(obj, "create", "-f", "-")
			if err == nil {
				admin.Run("", "-n", configNamespace, "delete", "dscb", "e2e-broken-"+strings.ToLower(name)) //nolint:errcheck // Best-effort cleanup.
				t.Fatalf("%s\nthe API server admitted the binding", tc.reason)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("%s\nthe refusal does not say %q: %v", tc.reason, tc.says, err)
			}
		})
	}
}

// TestBindingStatus runs the status controller against the stack (unless
// hack/e2e/up.sh already runs one: leader election lets them share) and
// watches a binding's matchedClusters and activeSessions follow
// ClusterConfigs and sessions.
func TestBindingStatus(t *testing.T) {
	startStatusController(t)
	admin.ApplyFile(t, "scheduling.yaml")
	const name = "e2e-bindings-status"
	binding := fmt.Sprintf(`apiVersion: breakglass.telekom.de/v1alpha1
kind: DebugSessionClusterBinding
metadata:
  name: %s
  namespace: %s
spec:
  templateRef:
    name: e2e-scheduling
  clusters: [%s]
  clusterSelector:
    matchLabels:
      e2e-bindings: "yes"
  priority: 1000
  allowed:
    groups: [tenant-a-admins]
`, name, configNamespace, cluster)
	admin.MustRun(t, binding, "apply", "--server-side", "-f", "-")
	t.Cleanup(func() { admin.Run("", "-n", configNamespace, "delete", "dscb", name, "--ignore-not-found") }) //nolint:errcheck // Best-effort cleanup.

	status := func(want []string, active int32) func() (bool, string, error) {
		return func() (bool, string, error) {
			b := &v1alpha1.DebugSessionClusterBinding{}
			if !admin.Get(t, b, "-n", configNamespace, "dscb", name) {
				return false, "the binding is gone", nil
			}
			got := fmt.Sprintf("matchedClusters %v, activeSessions %d", b.Status.MatchedClusters, b.Status.ActiveSessions)
			return slices.Equal(b.Status.MatchedClusters, want) && b.Status.ActiveSessions == active, got, nil
		}
	}
	eventually(t, time.Minute, "the binding matches its cluster", status([]string{cluster}, 0))

	const extra = "e2e-bindings-extra"
	cc := fmt.Sprintf("apiVersion: breakglass.telekom.de/v1alpha1\nkind: ClusterConfig\nmetadata:\n  name: %s\n  namespace: %s\n  labels:\n    e2e-bindings: \"yes\"\n", extra, configNamespace)
	admin.MustRun(t, cc, "apply", "--server-side", "-f", "-")
	t.Cleanup(func() { admin.Run("", "-n", configNamespace, "delete", "clusterconfig", extra, "--ignore-not-found") }) //nolint:errcheck // Best-effort cleanup.
	eventually(t, time.Minute, "a ClusterConfig its selector matches joins matchedClusters", status([]string{extra, cluster}, 0))

	s := session("bindings-status", "e2e-scheduling", alice)
	create(t, alice, s)
	eventually(t, sessionTimeout, "the session counts towards the binding", status([]string{extra, cluster}, 1))

	out := admin.MustRun(t, "", "-n", configNamespace, "get", "dscb", name)
	for _, want := range []string{extra, cluster, "1000", "True"} {
		if !strings.Contains(out, want) {
			t.Errorf("kubectl get dscb does not show %q:\n%s", want, out)
		}
	}

	deleteSession(t, s)
	admin.MustRun(t, "", "-n", configNamespace, "delete", "clusterconfig", extra)
	eventually(t, sessionTimeout, "the binding follows the deletions", status([]string{cluster}, 0))
}

// startStatusController runs the status command of the binary `make e2e`
// built against the stack until the test ends.
func startStatusController(t *testing.T) {
	t.Helper()
	bin := functionBinary(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "status",
		"--kubeconfig", admin.kubeconfig,
		"--config-namespace", configNamespace,
		"--leader-election-namespace", configNamespace,
		"--health-address", "0", "--metrics-address", "0")
	logs, err := os.CreateTemp(os.Getenv("E2E_LOGS"), "binding-status-*.log")
	if err != nil {
		logs, _ = os.CreateTemp("", "binding-status-*.log")
	}
	cmd.Stdout, cmd.Stderr = logs, logs
	// SIGTERM, not the default SIGKILL: the controller then releases its
	// lease, and a controller that up.sh may run takes over at once.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Logf("binding status controller logs: %s", logs.Name())
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		_ = logs.Close()
	})
}

//go:build e2e

package e2e

import (
	"fmt"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// TestTemplateSelector binds a template by label: the status controller
// follows the template's labels as they change (its template watch sees
// label-only updates), and a session of the template resolves through the
// selector binding and shows the prefixed display name.
func TestTemplateSelector(t *testing.T) {
	startStatusController(t)
	admin.ApplyFile(t, "scheduling.yaml")
	const name, label = "e2e-template-selector", "e2e-template-selector"
	// Additive, so that the tenant-a binding's mandatory constraints still
	// keep Alice's pods on tenant-a nodes.
	binding := fmt.Sprintf(`apiVersion: breakglass.telekom.de/v1alpha1
kind: DebugSessionClusterBinding
metadata:
  name: %s
  namespace: %s
spec:
  templateSelector:
    matchLabels:
      %s: "yes"
  displayNamePrefix: E2E
  clusters: [%s]
  priority: 1001
  mergeMode: additive
  allowed:
    groups: [tenant-a-admins]
`, name, configNamespace, label, cluster)
	admin.MustRun(t, binding, "apply", "--server-side", "-f", "-")
	t.Cleanup(func() { admin.Run("", "-n", configNamespace, "delete", "dscb", name, "--ignore-not-found") }) //nolint:errcheck // Best-effort cleanup.

	templateFound := func(want bool) func() (bool, string, error) {
		return func() (bool, string, error) {
			b := &v1alpha1.DebugSessionClusterBinding{}
			if !admin.Get(t, b, "-n", configNamespace, "dscb", name) {
				return false, "the binding is gone", nil
			}
			c := meta.FindStatusCondition(b.Status.Conditions, v1alpha1.BindingTemplateNotFound)
			ready := meta.FindStatusCondition(b.Status.Conditions, v1alpha1.BindingReady)
			if c == nil || ready == nil {
				return false, "no conditions yet", nil
			}
			got := fmt.Sprintf("TemplateNotFound %s (%s), Ready %s/%s", c.Status, c.Message, ready.Status, ready.Reason)
			return (c.Status == "False") == want && (ready.Status == "True") == want, got, nil
		}
	}
	eventually(t, time.Minute, "the selector selects no template yet", templateFound(false))

	admin.MustRun(t, "", "-n", configNamespace, "label", "dst", "e2e-scheduling", label+"=yes")
	t.Cleanup(func() { admin.Run("", "-n", configNamespace, "label", "dst", "e2e-scheduling", label+"-") }) //nolint:errcheck // Best-effort cleanup.
	eventually(t, time.Minute, "labelling the template makes the binding select it", templateFound(true))

	s := session("template-selector", "e2e-scheduling", alice)
	create(t, alice, s)
	eventually(t, sessionTimeout, "the session resolves through the selector binding", func() (bool, string, error) {
		b := getSession(t, s).Status.Binding
		if b == nil {
			return false, "no binding in the status yet", nil
		}
		got := fmt.Sprintf("binding %s/%s, displayName %q", b.Namespace, b.Name, b.DisplayName)
		return b.Name == name && b.DisplayName == "E2E - e2e tenant debug", got, nil
	})
	deleteSession(t, s)

	admin.MustRun(t, "", "-n", configNamespace, "label", "dst", "e2e-scheduling", label+"-")
	eventually(t, time.Minute, "removing the label unbinds the template", templateFound(false))
}

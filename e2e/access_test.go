//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// dave is nobody's participant, but the target's own RBAC lets him exec into
// any pod of the target namespace (testdata/access-target.yaml).
var dave = user{name: "dave@example.com", groups: []string{"tenant-a-admins"}}

// A refusal by a session's access policy, and by RBAC, as kubectl reports
// them. Anything else after a CONNECT was admitted: the fake nodes have no
// kubelet, so an admitted exec fails when the API server dials the node.
const (
	policyRefusal = "ValidatingAdmissionPolicy"
	rbacRefusal   = "cannot create resource"
)

func TestSpokePodAccess(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "hubspoke.yaml")
	admin.ApplyFile(t, "access.yaml")
	targetA.ApplyFile(t, "access-target.yaml")

	s := spokeSession("access-alice", "e2e-access", clusterA, alice)
	s.Spec.Participants = &v1alpha1.Participants{Users: []string{carol.name}}
	create(t, alice, s)
	got := waitForState(t, s, v1alpha1.StateActive)
	if ops := got.Status.AllowedPodOperations; ops == nil || !ops.Exec || ops.Logs {
		t.Fatalf("status.allowedPodOperations: want exec on and logs off by default, got %+v", ops)
	}
	pod := runningPodOn(t, s)
	exec := func(u user, pod string) error {
		_, err := targetA.As(u.name, u.groups...).Run("", "-n", targetNamespace, "exec", pod, "--", "true")
		return err
	}

	t.Run("RequesterIsAdmitted", func(t *testing.T) {
		requireAdmitted(t, exec(alice, pod), alice)
	})
	t.Run("ParticipantIsAdmitted", func(t *testing.T) {
		requireAdmitted(t, exec(carol, pod), carol)
	})
	t.Run("OtherUserIsRefusedNamingTheSession", func(t *testing.T) {
		err := exec(dave, pod)
		if err == nil || !strings.Contains(err.Error(), policyRefusal) || !strings.Contains(err.Error(), s.Namespace+"/"+s.Name) {
			t.Errorf("dave, with namespace-wide exec from the target's RBAC, exec into %s: want the session's policy to refuse him naming %s/%s, got %v", pod, s.Namespace, s.Name, err)
		}
	})
	t.Run("EphemeralContainersAreRefused", func(t *testing.T) {
		// As the target's admin, who holds every RBAC permission: only the
		// policy stands in the way.
		_, err := targetA.Run("", "-n", targetNamespace, "patch", "pod", pod, "--subresource=ephemeralcontainers", "--type=strategic",
			"-p", `{"spec":{"ephemeralContainers":[{"name":"intruder","image":"registry.invalid/tools:e2e"}]}}`)
		if err == nil || !strings.Contains(err.Error(), "ephemeral containers cannot be added") {
			t.Errorf("adding an ephemeral container to %s: want the session's policy to refuse it, got %v", pod, err)
		}
	})
	t.Run("ExecOffInTheTemplate", func(t *testing.T) {
		// alice holds exec from her first session's Role; the second
		// session's policy must still keep exec off its pods.
		off := spokeSession("access-alice-no-exec", "e2e-access-no-exec", clusterA, alice)
		create(t, alice, off)
		waitForState(t, off, v1alpha1.StateActive)
		err := exec(alice, runningPodOn(t, off))
		if err == nil || !strings.Contains(err.Error(), policyRefusal) || !strings.Contains(err.Error(), "pods/exec is not allowed") {
			t.Errorf("exec into a session whose template turns exec off: want the session's policy to refuse it, got %v", err)
		}
	})
	t.Run("GrantGoneAfterExpiry", func(t *testing.T) {
		short := spokeSession("access-alice-expiry", "e2e-access", clusterA, alice)
		short.Spec.Duration = "40s"
		create(t, alice, short)
		active := waitForState(t, short, v1alpha1.StateActive)
		binding := active.Status.Workload.Name + "-pod-access"
		if !existsOn(t, targetA, "-n", targetNamespace, "rolebinding", binding) {
			t.Fatalf("the Active session %s has no RoleBinding %s on %s", short.Name, binding, clusterA)
		}
		waitForState(t, short, v1alpha1.StateExpired)
		eventually(t, sessionTimeout, "the expired session's RoleBinding and Role are gone from "+clusterA, func() (bool, string, error) {
			rb := existsOn(t, targetA, "-n", targetNamespace, "rolebinding", binding)
			role := existsOn(t, targetA, "-n", targetNamespace, "role", binding)
			return !rb && !role, fmt.Sprintf("rolebinding exists: %v, role exists: %v", rb, role), nil
		})
	})
}

// runningPodOn waits for a Running pod of session s on target A.
func runningPodOn(t *testing.T, s *v1alpha1.DebugSession) string {
	t.Helper()
	var name string
	eventually(t, 60*time.Second, "a Running debug pod of "+s.Name+" on "+clusterA, func() (bool, string, error) {
		for _, p := range sessionPodsOn(t, targetA, s.Name) {
			if p.Status.Phase == corev1.PodRunning {
				name = p.Name
				return true, "", nil
			}
		}
		return false, "", nil
	})
	return name
}

// requireAdmitted fails unless err, from an exec, got past RBAC and every
// admission policy and failed only for want of a kubelet.
func requireAdmitted(t *testing.T, err error, u user) {
	t.Helper()
	if err == nil {
		t.Fatalf("exec as %s succeeded, but no kubelet runs behind the fake nodes: the test cannot tell admission apart", u.name)
	}
	if msg := err.Error(); strings.Contains(msg, policyRefusal) || strings.Contains(msg, rbacRefusal) || strings.Contains(msg, "forbidden") {
		t.Errorf("exec as %s: want it admitted (failing only at the node), got %v", u.name, err)
	}
	t.Logf("admitted, then failed at the node as expected: %v", err)
}

// existsOn tells whether an object exists on the cluster of k.
func existsOn(t *testing.T, k kubectl, args ...string) bool {
	t.Helper()
	var obj map[string]any
	return k.Get(t, &obj, args...)
}

// TestSpokeLongNamedDeploymentNeverOnGlobDeniedNode is the name-prefix rule
// every per-session policy relies on, on a target cluster: a 52-character
// session name gives a workload name whose Deployment pods start with it
// whole, so the denied-nodes policy keeps them off the restricted node.
func TestSpokeLongNamedDeploymentNeverOnGlobDeniedNode(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "hubspoke.yaml")
	admin.ApplyFile(t, "access.yaml")

	s := spokeSession("spoke-deployment-with-a-long-name-for-the-prefix-chk", "e2e-access-glob-deployment", clusterA, alice)
	create(t, alice, s)
	got := waitForState(t, s, v1alpha1.StateActive)
	prefix := got.Status.Workload.Name + "-"
	check := func() string {
		for _, p := range sessionPodsOn(t, targetA, s.Name) {
			if !strings.HasPrefix(p.Name, prefix) {
				return fmt.Sprintf("pod %s does not start with %q, so no name-prefix policy recognises it", p.Name, prefix)
			}
			if n := podNode(p); n == nodeARestricted {
				return fmt.Sprintf("pod %s is on %s, which matches the denied glob *-restricted-*", p.Name, n)
			}
		}
		return ""
	}
	eventually(t, 60*time.Second, "debug pods of the Deployment bound on "+clusterA, func() (bool, string, error) {
		if msg := check(); msg != "" {
			return false, msg, errStop{msg: msg}
		}
		bound := boundNodes(sessionPodsOn(t, targetA, s.Name))
		return len(bound) >= 4, fmt.Sprintf("pods bound to %v", bound), nil
	})
	consistently(t, settle, "no debug pod of the Deployment on "+nodeARestricted, func() (bool, string) {
		msg := check()
		return msg == "", msg
	})
}

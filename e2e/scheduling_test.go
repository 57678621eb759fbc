//go:build e2e

package e2e

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// The fake nodes of hack/e2e/nodes.yaml.
const (
	nodeControlPlane = "e2e-control-plane"
	nodeAWorker1     = "e2e-a-worker-1"
	nodeAWorker2     = "e2e-a-worker-2"
	nodeACritical    = "e2e-a-critical-1"
	nodeARestricted  = "e2e-a-restricted-1"
	nodeBWorker1     = "e2e-b-worker-1"
)

// settle is how long tests watch for something that must never happen after
// the expected state is reached: long enough for the DaemonSet controller to
// retry a rejected pod and for the scheduler to bind anything it would bind.
const settle = 15 * time.Second

func TestPermittedUserSessionRunsOnAllowedNodes(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "scheduling.yaml")

	s := session("scheduling-alice", "e2e-scheduling", alice)
	s.Spec.Duration = "30m"
	create(t, alice, s)
	got := waitForState(t, s.Name, v1alpha1.StateActive)

	t.Run("TenantBindingApplies", func(t *testing.T) {
		// Both tenants' bindings match the cluster; only tenant-a's admits
		// alice, so it must be the one that applies.
		if got.Status.Binding == nil || got.Status.Binding.Name != "e2e-scheduling-tenant-a" {
			t.Errorf("status.binding: want e2e-scheduling-tenant-a, got %+v", got.Status.Binding)
		}
	})

	t.Run("DaemonSetIsComposed", func(t *testing.T) {
		w := got.Status.Workload
		if w == nil || w.Kind != "DaemonSet" {
			t.Fatalf("status.workload: want a DaemonSet, got %+v", w)
		}
		ds := &appsv1.DaemonSet{}
		eventually(t, 30*time.Second, "the session's DaemonSet exists", func() (bool, string, error) {
			return admin.Get(t, ds, "-n", w.Namespace, "daemonset", w.Name), "", nil
		})
		if ds.Spec.Template.Labels[v1alpha1.LabelSession] != s.Name {
			t.Errorf("DaemonSet %s/%s pod label %s: want %q, got %q", w.Namespace, w.Name, v1alpha1.LabelSession, s.Name, ds.Spec.Template.Labels[v1alpha1.LabelSession])
		}
	})

	t.Run("PodsScheduledOnlyOnAllowedNodes", func(t *testing.T) {
		if got.Status.Scheduling == nil {
			t.Skip("missing feature: mandatory scheduling constraints (DESIGN 5) are not applied by the function yet; status.scheduling is empty")
		}
		// tenant-a workers, minus the critical node (denied label) and the
		// restricted node (denied by exact name).
		allowed := []string{nodeAWorker1, nodeAWorker2}
		eventually(t, 60*time.Second, "the real scheduler binds one debug pod to each allowed node", func() (bool, string, error) {
			bound := boundNodes(sessionPods(t, s.Name))
			return slices.Equal(bound, allowed), fmt.Sprintf("pods bound to %v", bound), nil
		})
		consistently(t, settle, "no debug pod on a node the binding denies", func() (bool, string) {
			for _, p := range sessionPods(t, s.Name) {
				if n := podNode(p); n != "" && !slices.Contains(allowed, n) {
					return false, fmt.Sprintf("pod %s is on node %s (allowed: %v)", p.Name, n, allowed)
				}
			}
			return true, ""
		})
	})

	t.Run("NetworkPolicySelectsDebugPods", func(t *testing.T) {
		if len(got.Status.AuxiliaryResources) == 0 {
			t.Skip("missing feature: auxiliary resources (DESIGN 6) are not rendered by the function yet; status.auxiliaryResources is empty")
		}
		np := &networkingv1.NetworkPolicy{}
		name := "debug-isolation-" + s.Name
		eventually(t, 30*time.Second, "NetworkPolicy "+name+" exists", func() (bool, string, error) {
			return admin.Get(t, np, "-n", targetNamespace, "networkpolicy", name), "", nil
		})
		sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
		if err != nil {
			t.Fatalf("NetworkPolicy %s podSelector: %v", name, err)
		}
		var pods []corev1.Pod
		eventually(t, 60*time.Second, "the session has debug pods", func() (bool, string, error) {
			pods = sessionPods(t, s.Name)
			return len(pods) > 0, "", nil
		})
		for _, p := range pods {
			if !sel.Matches(labels.Set(p.Labels)) {
				t.Errorf("NetworkPolicy %s selector %s does not select debug pod %s (labels %v)", name, sel, p.Name, p.Labels)
			}
		}
	})
}

func TestGlobDeniedNodeIsNeverBound(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "glob.yaml")

	s := session("glob-alice", "e2e-glob", alice)
	create(t, alice, s)
	got := waitForSettled(t, s.Name)
	if got.Status.State == v1alpha1.StateFailed && strings.Contains(strings.ToLower(got.Status.Message), "admission") {
		t.Skipf("missing feature: delivering the denied-nodes admission policy for this session: %s", got.Status.Message)
	}
	if got.Status.State != v1alpha1.StateActive {
		t.Fatalf("DebugSession %s: want state Active, got %q: %s", s.Name, got.Status.State, got.Status.Message)
	}

	policies := &admissionregistrationv1.ValidatingAdmissionPolicyList{}
	admin.List(t, policies, "validatingadmissionpolicies", "-l", v1alpha1.LabelSession+"="+s.Name)
	if len(policies.Items) == 0 {
		t.Skip("missing feature: the denied-nodes ValidatingAdmissionPolicy (DESIGN 5) is not returned by the function yet")
	}

	// The DaemonSet controller makes a pod for every tenant-a node,
	// including the restricted one; the policy rejects that one, so three
	// pods get bound and the fourth never exists.
	allowed := []string{nodeACritical, nodeAWorker1, nodeAWorker2}
	eventually(t, 60*time.Second, "debug pods bound to every tenant-a node but the restricted one", func() (bool, string, error) {
		bound := boundNodes(sessionPods(t, s.Name))
		return slices.Equal(bound, allowed), fmt.Sprintf("pods bound to %v", bound), nil
	})
	consistently(t, settle, "no debug pod on "+nodeARestricted, func() (bool, string) {
		for _, p := range sessionPods(t, s.Name) {
			if podNode(p) == nodeARestricted {
				return false, fmt.Sprintf("pod %s is on %s, which matches the denied glob *-restricted-*", p.Name, nodeARestricted)
			}
		}
		return true, ""
	})
}

// boundNodes returns the sorted names of the nodes the pods are bound to.
func boundNodes(pods []corev1.Pod) []string {
	var nodes []string
	for _, p := range pods {
		if p.Spec.NodeName != "" {
			nodes = append(nodes, p.Spec.NodeName)
		}
	}
	sort.Strings(nodes)
	return nodes
}

// podNode returns the node a pod is bound to or, for a DaemonSet pod not yet
// bound, the node the DaemonSet controller pinned it to with matchFields.
func podNode(p corev1.Pod) string {
	if p.Spec.NodeName != "" {
		return p.Spec.NodeName
	}
	if p.Spec.Affinity == nil || p.Spec.Affinity.NodeAffinity == nil || p.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return ""
	}
	for _, term := range p.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, f := range term.MatchFields {
			if f.Key == "metadata.name" && f.Operator == corev1.NodeSelectorOpIn && len(f.Values) == 1 {
				return f.Values[0]
			}
		}
	}
	return ""
}

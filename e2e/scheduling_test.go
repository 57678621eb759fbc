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
	got := waitForState(t, s, v1alpha1.StateActive)

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
			t.Fatal("mandatory scheduling constraints are not reported: status.scheduling is empty")
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
			t.Fatal("auxiliary resources are not reported: status.auxiliaryResources is empty")
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

	// The policy is cluster-scoped, which Crossplane composes only for a
	// cluster-scoped XR: a namespaced session with Local delivery is
	// Failed, and says so, rather than running without it.
	t.Run("NamespacedSessionRefusesLocalPolicy", func(t *testing.T) {
		s := session("glob-namespaced-alice", "e2e-glob", alice)
		create(t, alice, s)
		got := waitForSettled(t, s)
		if got.Status.State != v1alpha1.StateFailed || !strings.Contains(got.Status.Message, "ValidatingAdmissionPolicy") {
			t.Errorf("DebugSession %s: want state Failed naming the ValidatingAdmissionPolicy Local delivery cannot create, got %q: %s", s.Name, got.Status.State, got.Status.Message)
		}
		if pods := sessionPods(t, s.Name); len(pods) > 0 {
			t.Errorf("DebugSession %s is %s but has %d debug pods", s.Name, got.Status.State, len(pods))
		}
	})

	s := clusterSession("glob-alice", "e2e-glob", alice)
	create(t, alice, s)
	got := waitForSettled(t, s)
	if got.Status.State != v1alpha1.StateActive {
		t.Fatalf("%s %s: want state Active, got %q: %s", s.Kind, s.Name, got.Status.State, got.Status.Message)
	}

	policies := &admissionregistrationv1.ValidatingAdmissionPolicyList{}
	admin.List(t, policies, "validatingadmissionpolicies", "-l", v1alpha1.LabelSession+"="+s.Name)
	if len(policies.Items) == 0 {
		t.Fatal("the denied-nodes ValidatingAdmissionPolicy was not created for a session whose constraints deny nodes by glob")
	}

	t.Run("DaemonSetGetsNoPodOnRestrictedNode", func(t *testing.T) {
		// The DaemonSet controller makes a pod for every tenant-a node,
		// including the restricted one; the policy rejects that one, so
		// three pods get bound and the fourth never exists.
		allowed := []string{nodeACritical, nodeAWorker1, nodeAWorker2}
		onRestricted := func() string {
			for _, p := range sessionPods(t, s.Name) {
				if podNode(p) == nodeARestricted {
					// A pod created no later than the policy was most
					// likely admitted before the API server enforced it.
					return fmt.Sprintf("pod %s (created %s) is on %s, which matches the denied glob *-restricted-*; ValidatingAdmissionPolicy %s was created %s",
						p.Name, p.CreationTimestamp.UTC().Format(time.RFC3339), nodeARestricted,
						policies.Items[0].Name, policies.Items[0].CreationTimestamp.UTC().Format(time.RFC3339))
				}
			}
			return ""
		}
		eventually(t, 60*time.Second, "debug pods bound to every tenant-a node but the restricted one", func() (bool, string, error) {
			if msg := onRestricted(); msg != "" {
				return false, msg, errStop{msg: msg}
			}
			bound := boundNodes(sessionPods(t, s.Name))
			return slices.Equal(bound, allowed), fmt.Sprintf("pods bound to %v", bound), nil
		})
		consistently(t, settle, "no debug pod on "+nodeARestricted, func() (bool, string) {
			msg := onRestricted()
			return msg == "", msg
		})
	})

	t.Run("BindingToRestrictedNodeIsRejected", func(t *testing.T) {
		// A pod of the session that no scheduler picks up, bound by hand
		// through the legacy bindings endpoint (kubectl create of a
		// Binding), which a pods/binding-only rule would miss.
		probe := got.Status.Workload.Name + "-e2e-probe"
		createProbePod(t, admin, s.Name, probe)
		bind := func(node string) error { return bindToNode(admin, probe, node) }
		if err := bind(nodeARestricted); err == nil {
			t.Errorf("binding pod %s to %s succeeded; want the admission policy to reject it", probe, nodeARestricted)
		} else {
			t.Logf("rejected as expected: %v", err)
		}
		if err := bind(nodeAWorker1); err != nil {
			t.Errorf("binding pod %s to %s, which no pattern denies: %v", probe, nodeAWorker1, err)
		}
	})
}

// TestLongNamedDeploymentNeverBindsToGlobDeniedNode is the regression test of
// workload names that were too long for the name-prefix policies: with a
// 63-character workload name a Deployment's generated pod names lost part of
// it, the denied-nodes policy did not recognise them, and pods were bound to
// the restricted node.
func TestLongNamedDeploymentNeverBindsToGlobDeniedNode(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "glob.yaml")

	// 53 characters: before the fix, any name of 43 or more gave a workload
	// name too long for its pods' generated names.
	s := clusterSession("glob-deployment-with-a-long-name-for-the-prefix-check", "e2e-glob-deployment", alice)
	create(t, alice, s)
	got := waitForState(t, s, v1alpha1.StateActive)
	w := got.Status.Workload
	if w == nil || w.Kind != "Deployment" {
		t.Fatalf("%s %s status.workload: want a Deployment, got %+v", s.Kind, s.Name, w)
	}
	prefix := w.Name + "-"

	allowed := []string{nodeACritical, nodeAWorker1, nodeAWorker2}
	check := func() string {
		for _, p := range sessionPods(t, s.Name) {
			if !strings.HasPrefix(p.Name, prefix) {
				return fmt.Sprintf("pod %s does not start with %q, so no name-prefix policy recognises it", p.Name, prefix)
			}
			if n := podNode(p); n != "" && !slices.Contains(allowed, n) {
				return fmt.Sprintf("pod %s is on node %s, which matches the denied glob *-restricted-*", p.Name, n)
			}
		}
		return ""
	}
	eventually(t, 60*time.Second, "debug pods of the Deployment bound to allowed nodes", func() (bool, string, error) {
		if msg := check(); msg != "" {
			return false, msg, errStop{msg: msg}
		}
		bound := boundNodes(sessionPods(t, s.Name))
		return len(bound) >= 4, fmt.Sprintf("pods bound to %v", bound), nil
	})
	consistently(t, settle, "no debug pod of the Deployment on "+nodeARestricted, func() (bool, string) {
		msg := check()
		return msg == "", msg
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

// createProbePod creates, through k, a pod of session in the target
// namespace that no scheduler picks up, so that a test can bind it by hand.
func createProbePod(t *testing.T, k kubectl, session, name string) {
	t.Helper()
	pod := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Namespace: targetNamespace, Name: name, Labels: map[string]string{v1alpha1.LabelSession: session}},
		Spec: corev1.PodSpec{
			SchedulerName: "e2e-no-scheduler",
			Containers:    []corev1.Container{{Name: "probe", Image: "registry.invalid/debug-tools:e2e"}},
		},
	}
	if err := k.Create(pod); err != nil {
		t.Fatalf("cannot create probe pod %s: %v", name, err)
	}
}

// bindToNode binds pod name to node through the legacy bindings endpoint
// (kubectl create of a Binding), which a pods/binding-only rule would miss.
func bindToNode(k kubectl, name, node string) error {
	return k.Create(&corev1.Binding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Binding"},
		ObjectMeta: metav1.ObjectMeta{Namespace: targetNamespace, Name: name},
		Target:     corev1.ObjectReference{Kind: "Node", Name: node},
	})
}

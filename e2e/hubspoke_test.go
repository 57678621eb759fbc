//go:build e2e

package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// The target clusters of hack/e2e/up.sh, and the namespace users create
// their sessions in. Sessions reach the targets through the shipped
// Composition: provider-kubernetes applies namespaced Objects in the
// session's namespace to the cluster that the ClusterConfig's
// providerConfigRef selects.
const (
	clusterA    = "e2e-target-a"
	clusterB    = "e2e-target-b"
	userSpace   = "team-a"
	objectGroup = "objects.kubernetes.m.crossplane.io"

	// pollLatency bounds how long readiness takes to reach a session without
	// watches: provider-kubernetes re-polls an unready Object every 30 s,
	// with 10% jitter, and Crossplane and the function add a little.
	pollLatency = 45 * time.Second
	// watchLatency bounds it with watches: the provider reconciles the
	// Object as soon as its workload changes on the target.
	watchLatency = 10 * time.Second
)

// spokeSession is a DebugSession that user u creates in their own
// namespace for template on a target cluster.
func spokeSession(name, template, target string, u user) *v1alpha1.DebugSession {
	s := session(name, template, u)
	s.Namespace = userSpace
	s.Labels[v1alpha1.LabelCluster] = target
	s.Spec.Cluster = target
	return s
}

// on returns the admin kubectl of a target cluster.
func on(target string) kubectl {
	if target == clusterA {
		return targetA
	}
	return targetB
}

// sessionPodsOn lists the pods of a session on a target cluster.
func sessionPodsOn(t *testing.T, k kubectl, name string) []corev1.Pod {
	t.Helper()
	l := &corev1.PodList{}
	k.List(t, l, "-n", targetNamespace, "pods", "-l", v1alpha1.LabelSession+"="+name)
	return l.Items
}

// readySince waits until Crossplane reports the session Ready, which it
// does once every composed resource is (the workload's Object once its pods
// are available on the target), and returns when it became Ready.
func readySince(t *testing.T, s *v1alpha1.DebugSession) time.Time {
	t.Helper()
	var since time.Time
	eventually(t, sessionTimeout, fmt.Sprintf("%s %s is Ready", s.Kind, s.Name), func() (bool, string, error) {
		u := &unstructured.Unstructured{}
		if !admin.Get(t, &u.Object, sessionArgs(s)...) {
			return false, "", errStop{msg: "it does not exist"}
		}
		msg, _, _ := unstructured.NestedString(u.Object, "status", "message")
		c := condition(u, "Ready")
		if c == nil {
			return false, "no Ready condition; status.message " + msg, nil
		}
		seen := fmt.Sprintf("Ready %v (%v: %v); status.message %q", c["status"], c["reason"], c["message"], msg)
		if c["status"] != "True" {
			return false, seen, nil
		}
		ts, _ := c["lastTransitionTime"].(string)
		var err error
		since, err = time.Parse(time.RFC3339, ts)
		return err == nil, seen, err
	})
	return since
}

// podsReadyAt waits until the session has want pods Ready on the target and
// returns when the last of them became Ready (the stand-in kubelet's
// timestamp).
func podsReadyAt(t *testing.T, k kubectl, name string, want int) time.Time {
	t.Helper()
	var last time.Time
	eventually(t, sessionTimeout, fmt.Sprintf("%d pods of %s Ready on the target", want, name), func() (bool, string, error) {
		last = time.Time{}
		ready := 0
		for _, p := range sessionPodsOn(t, k, name) {
			for _, c := range p.Status.Conditions {
				if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
					ready++
					if c.LastTransitionTime.After(last) {
						last = c.LastTransitionTime.Time
					}
				}
			}
		}
		return ready == want, fmt.Sprintf("%d pods Ready", ready), nil
	})
	return last
}

// requireSpokeWorkload waits for the session's workload on the target and
// returns it.
func requireSpokeWorkload(t *testing.T, s *v1alpha1.DebugSession, target string) *unstructured.Unstructured {
	t.Helper()
	w := s.Status.Workload
	if w == nil {
		t.Fatalf("%s %s is %s without status.workload", s.Kind, s.Name, s.Status.State)
	}
	if w.Namespace != targetNamespace {
		t.Fatalf("status.workload.namespace: want %s, got %s", targetNamespace, w.Namespace)
	}
	u := &unstructured.Unstructured{}
	eventually(t, 60*time.Second, fmt.Sprintf("%s %s/%s on %s", w.Kind, w.Namespace, w.Name, target), func() (bool, string, error) {
		return on(target).Get(t, &u.Object, "-n", w.Namespace, w.Kind, w.Name), "", nil
	})
	return u
}

// nothingOn fails the test if anything of the session is on the cluster.
func nothingOn(t *testing.T, k kubectl, cluster string, s *v1alpha1.DebugSession) {
	t.Helper()
	for _, kind := range []string{"daemonsets", "deployments", "pods", "configmaps", "networkpolicies"} {
		l := &unstructured.UnstructuredList{}
		k.List(t, l, "-A", kind, "-l", v1alpha1.LabelSession+"="+s.Name)
		if len(l.Items) > 0 {
			t.Errorf("%s %s wrote to %s: %d %s labelled with it, such as %s/%s", s.Kind, s.Name, cluster, len(l.Items), kind, l.Items[0].GetNamespace(), l.Items[0].GetName())
		}
	}
	for _, name := range []string{"notes-" + s.Name, "audit-" + s.Name, "debug-isolation-" + s.Name} {
		var obj map[string]any
		for _, kind := range []string{"configmap", "networkpolicy"} {
			if k.Get(t, &obj, "-n", targetNamespace, kind, name) {
				t.Errorf("%s %s wrote %s %s/%s to %s", s.Kind, s.Name, kind, targetNamespace, name, cluster)
			}
		}
	}
}

func TestSpokeSessionRunsOnTarget(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "hubspoke.yaml")

	s := spokeSession("spoke-alice", "e2e-spoke", clusterA, alice)
	create(t, alice, s)
	got := waitForState(t, s, v1alpha1.StateActive)
	ds := requireSpokeWorkload(t, got, clusterA)

	t.Run("MandatoryConstraintsHold", func(t *testing.T) {
		// tenant-a workers, minus the critical node (denied label) and the
		// restricted node (denied by exact name), placed by target A's own
		// scheduler.
		allowed := []string{nodeAWorker1, nodeAWorker2}
		eventually(t, 60*time.Second, "target A's scheduler binds one debug pod to each allowed node", func() (bool, string, error) {
			bound := boundNodes(sessionPodsOn(t, targetA, s.Name))
			return slices.Equal(bound, allowed), fmt.Sprintf("pods bound to %v", bound), nil
		})
		consistently(t, settle, "no debug pod on a node the binding denies", func() (bool, string) {
			for _, p := range sessionPodsOn(t, targetA, s.Name) {
				if n := podNode(p); n != "" && !slices.Contains(allowed, n) {
					return false, fmt.Sprintf("pod %s is on node %s (allowed: %v)", p.Name, n, allowed)
				}
			}
			return true, ""
		})
	})

	t.Run("ReadinessFlowsBack", func(t *testing.T) {
		podsAt := podsReadyAt(t, targetA, s.Name, 2)
		readyAt := readySince(t, s)
		latency := readyAt.Sub(podsAt)
		t.Logf("readiness latency without watches (pods Ready on %s to session Ready): %s", clusterA, latency)
		if latency > pollLatency {
			t.Errorf("the session became Ready %s after its pods did; want at most %s (%s)", latency, pollLatency, responsive(t, s))
		}
		if got := getSession(t, s); strings.Contains(got.Status.Message, "Waiting for the debug pods") {
			t.Errorf("a Ready session still says it waits: %q", got.Status.Message)
		}
	})

	t.Run("AuxiliaryResourcesFirst", func(t *testing.T) {
		np := &networkingv1.NetworkPolicy{}
		if !targetA.Get(t, np, "-n", targetNamespace, "networkpolicy", "debug-isolation-"+s.Name) {
			t.Fatalf("NetworkPolicy debug-isolation-%s is not on %s", s.Name, clusterA)
		}
		created := ds.GetCreationTimestamp()
		if created.Before(&np.CreationTimestamp) {
			t.Errorf("DaemonSet %s was created on %s at %s, before its createBefore NetworkPolicy (%s)", ds.GetName(), clusterA, created.UTC(), np.CreationTimestamp.UTC())
		}
	})

	t.Run("ObjectsSelectTheTarget", func(t *testing.T) {
		l := &unstructured.UnstructuredList{}
		admin.List(t, l, "-n", userSpace, objectGroup, "-l", "crossplane.io/composite="+s.Name)
		if len(l.Items) == 0 {
			t.Fatalf("no namespaced Objects of %s in %s", s.Name, userSpace)
		}
		for _, o := range l.Items {
			ref, _, _ := unstructured.NestedStringMap(o.Object, "spec", "providerConfigRef")
			if ref["name"] != "spoke-a" || ref["kind"] != "ClusterProviderConfig" {
				t.Errorf("Object %s/%s providerConfigRef: want ClusterProviderConfig spoke-a (from ClusterConfig %s), got %v", o.GetNamespace(), o.GetName(), clusterA, ref)
			}
		}
	})

	t.Run("NothingOnTheOtherCluster", func(t *testing.T) {
		nothingOn(t, targetB, clusterB, s)
		// Nor on the control plane: ProviderKubernetes delivery composes
		// only Objects there.
		nothingOn(t, admin, "the control plane", s)
	})
}

func TestSpokeGlobDeniedNodeIsNeverBound(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "hubspoke.yaml")

	s := spokeSession("spoke-glob-alice", "e2e-spoke-glob", clusterA, alice)
	create(t, alice, s)
	got := waitForSettled(t, s)
	if got.Status.State != v1alpha1.StateActive {
		t.Fatalf("%s: want state Active, got %q: %s", s.Name, got.Status.State, got.Status.Message)
	}
	requireSpokeWorkload(t, got, clusterA)

	policies := &admissionregistrationv1.ValidatingAdmissionPolicyList{}
	targetA.List(t, policies, "validatingadmissionpolicies", "-l", v1alpha1.LabelSession+"="+s.Name)
	if len(policies.Items) == 0 {
		t.Fatalf("the denied-nodes ValidatingAdmissionPolicy is not on %s", clusterA)
	}
	policy := policies.Items[0]

	t.Run("PolicyBeforeAnyPod", func(t *testing.T) {
		var pods []corev1.Pod
		eventually(t, 60*time.Second, "the session has debug pods", func() (bool, string, error) {
			pods = sessionPodsOn(t, targetA, s.Name)
			return len(pods) > 0, "", nil
		})
		for _, p := range pods {
			if !policy.CreationTimestamp.Before(&p.CreationTimestamp) {
				t.Errorf("pod %s was created at %s, not after ValidatingAdmissionPolicy %s (%s)", p.Name, p.CreationTimestamp.UTC(), policy.Name, policy.CreationTimestamp.UTC())
			}
		}
	})

	t.Run("DaemonSetGetsNoPodOnRestrictedNode", func(t *testing.T) {
		allowed := []string{nodeACritical, nodeAWorker1, nodeAWorker2}
		eventually(t, 60*time.Second, "debug pods on every tenant-a node of "+clusterA+" but the restricted one", func() (bool, string, error) {
			bound := boundNodes(sessionPodsOn(t, targetA, s.Name))
			return slices.Equal(bound, allowed), fmt.Sprintf("pods bound to %v", bound), nil
		})
		consistently(t, settle, "no debug pod on "+nodeARestricted, func() (bool, string) {
			for _, p := range sessionPodsOn(t, targetA, s.Name) {
				if podNode(p) == nodeARestricted {
					return false, fmt.Sprintf("pod %s is on %s", p.Name, nodeARestricted)
				}
			}
			return true, ""
		})
	})

	t.Run("BindingToRestrictedNodeIsRejected", func(t *testing.T) {
		probe := got.Status.Workload.Name + "-e2e-probe"
		createProbePod(t, targetA, s.Name, probe)
		if err := bindToNode(targetA, probe, nodeARestricted); err == nil {
			t.Errorf("binding pod %s to %s on %s succeeded; want the admission policy to reject it", probe, nodeARestricted, clusterA)
		}
	})

	t.Run("StatusSaysWhyItWaits", func(t *testing.T) {
		// The DaemonSet controller counts the restricted node, whose pod
		// the policy refuses, so the workload never has all its pods.
		want := "Waiting for the debug pods: DaemonSet has 3 of 4 pods available on " + clusterA + "."
		eventually(t, sessionTimeout, "the session says why it waits", func() (bool, string, error) {
			msg := getSession(t, s).Status.Message
			return strings.Contains(msg, want), msg, nil
		})
	})
}

func TestSpokeSessionSaysWhyItWaits(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "hubspoke.yaml")

	// Three replicas, one a node, and one node they may use.
	s := spokeSession("spoke-spread-alice", "e2e-spoke-spread", clusterA, alice)
	create(t, alice, s)
	waitForState(t, s, v1alpha1.StateActive)
	want := "Waiting for the debug pods: Deployment has 1 of 3 pods available on " + clusterA + "."
	eventually(t, sessionTimeout, "the session says why it waits", func() (bool, string, error) {
		msg := getSession(t, s).Status.Message
		return strings.Contains(msg, want), msg, nil
	})
}

func TestSpokeReadinessWithWatches(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "hubspoke.yaml")

	s := spokeSession("spoke-watch-alice", "e2e-spoke-lifecycle", clusterB, alice)
	createWith(t, alice, s, watchComposition)
	got := waitForState(t, s, v1alpha1.StateActive)
	requireSpokeWorkload(t, got, clusterB)
	podsAt := podsReadyAt(t, targetB, s.Name, 1)
	readyAt := readySince(t, s)
	latency := readyAt.Sub(podsAt)
	t.Logf("readiness latency with watches (pods Ready on %s to session Ready): %s", clusterB, latency)
	if latency > watchLatency {
		t.Errorf("with delivery.watch the session became Ready %s after its pods did; want at most %s (%s)", latency, watchLatency, responsive(t, s))
	}
}

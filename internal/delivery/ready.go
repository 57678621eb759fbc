package delivery

import (
	"fmt"
	"time"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
)

// Readiness is what the observed state says about one composed resource.
type Readiness struct {
	// Observed is true once Crossplane has created the composed resource
	// and reports it back.
	Observed bool

	// Ready is true when the resource can be depended on: its
	// provider-kubernetes Object says Ready, or, composed directly, it
	// exists and a workload has all its pods available.
	Ready bool

	// Message says in plain English why the resource is not ready; it is
	// empty when it is.
	Message string

	// Finished is true for a workload that has run to its end: a Job that
	// completed or failed. Its pods are not coming, so nothing waits for
	// them; Message then says how it ended.
	Finished bool
}

// Readiness returns the readiness of the composed resource called name.
//
// With ProviderKubernetes delivery the Object's Ready condition decides: the
// provider sets it when the object was applied to the target cluster, and, for
// a workload, when its pods are available (see readinessQuery). Composed
// directly, a resource is ready once observed, except a workload, which must
// also have its pods available.
func (t Target) Readiness(name resource.Name, observed map[resource.Name]resource.ObservedComposed) Readiness {
	oc, ok := observed[name]
	if !ok || oc.Resource == nil {
		return Readiness{Message: "not created yet"}
	}
	if t.Mode == v1beta1.DeliveryLocal {
		return localReadiness(oc.Resource)
	}
	return objectReadiness(oc.Resource, t.Cluster)
}

// PodsWaiting says why the workload called name is not ready, in terms of
// its pods on the target cluster ("Deployment has 1 of 3 pods available on
// prod-cluster-a"), or returns "" when it is ready or when nothing of its
// pods has been observed yet.
func (t Target) PodsWaiting(name resource.Name, observed map[resource.Name]resource.ObservedComposed) string {
	oc, ok := observed[name]
	if !ok || oc.Resource == nil {
		return ""
	}
	if t.Mode == v1beta1.DeliveryLocal {
		if r := localReadiness(oc.Resource); !r.Ready && !r.Finished {
			return r.Message
		}
		return ""
	}
	if c := readyCondition(oc.Resource); c.Status == corev1.ConditionTrue {
		return ""
	}
	return objectPodsWaiting(oc.Resource, t.Cluster)
}

// Ready reports whether the composed resource called name is ready. It is
// Readiness(name, observed).Ready.
func (t Target) Ready(name resource.Name, observed map[resource.Name]resource.ObservedComposed) bool {
	return t.Readiness(name, observed).Ready
}

// ReadySince returns when the composed resource called name became ready:
// its creation, composed directly, or the last transition of the Object's
// Ready condition. It returns the zero time when the resource is not ready,
// or when the observed state does not say (an offline render may leave
// timestamps out).
func (t Target) ReadySince(name resource.Name, observed map[resource.Name]resource.ObservedComposed) time.Time {
	if !t.Ready(name, observed) {
		return time.Time{}
	}
	o := observed[name].Resource
	if t.Mode == v1beta1.DeliveryLocal {
		return o.GetCreationTimestamp().Time
	}
	return readyCondition(o).LastTransitionTime.Time
}

// objectReadiness reads an Object's Ready condition. When a workload's
// Object is not ready, the message says why from the workload as the provider
// last observed it on the target cluster (status.atProvider.manifest), such as
// "Deployment has 1 of 3 pods available on prod-cluster-a": the condition
// itself only says that the readiness query does not hold.
func objectReadiness(o *composed.Unstructured, cluster string) Readiness {
	c := readyCondition(o)
	if c.Status == corev1.ConditionTrue {
		return Readiness{Observed: true, Ready: true}
	}
	if w := objectPodsWaiting(o, cluster); w != "" {
		return Readiness{Observed: true, Message: w}
	}
	msg := fmt.Sprintf("%s is not ready", o.GetKind())
	if c.Reason != "" {
		msg += fmt.Sprintf(" (%s)", c.Reason)
	}
	if c.Message != "" {
		msg += ": " + c.Message
	}
	return Readiness{Observed: true, Message: msg}
}

// objectPodsWaiting says why the workload an Object manages is not ready,
// from the workload as the provider last observed it on the target cluster
// (status.atProvider.manifest). It returns "" when the Object holds no
// observed workload or the observed workload is ready.
func objectPodsWaiting(o *composed.Unstructured, cluster string) string {
	w := observedWorkload(o)
	if w == nil {
		return ""
	}
	r := localReadiness(w)
	if r.Ready || r.Finished {
		return ""
	}
	return onCluster(r.Message, cluster)
}

// observedWorkload returns the workload an Object manages as the provider
// last observed it on the target cluster (status.atProvider.manifest), or
// nil when the Object holds no observed workload.
func observedWorkload(o *composed.Unstructured) *composed.Unstructured {
	m, found, err := unstructured.NestedMap(o.Object, "status", "atProvider", "manifest")
	if err != nil || !found {
		return nil
	}
	w := &composed.Unstructured{Unstructured: unstructured.Unstructured{Object: m}}
	switch w.GroupVersionKind() {
	case daemonSetKind, deploymentKind, jobKind:
		return w
	}
	return nil
}

// onCluster appends the target cluster to a message about its workload.
func onCluster(msg, cluster string) string {
	if cluster == "" {
		return msg
	}
	return msg + " on " + cluster
}

var (
	daemonSetKind  = appsv1.SchemeGroupVersion.WithKind("DaemonSet")
	deploymentKind = appsv1.SchemeGroupVersion.WithKind("Deployment")
	jobKind        = batchv1.SchemeGroupVersion.WithKind("Job")
)

func localReadiness(o *composed.Unstructured) Readiness {
	switch o.GroupVersionKind() {
	case daemonSetKind:
		ds := &appsv1.DaemonSet{}
		if err := fromUnstructured(o, ds); err != nil {
			return Readiness{Observed: true, Message: err.Error()}
		}
		return daemonSetReadiness(ds)
	case deploymentKind:
		d := &appsv1.Deployment{}
		if err := fromUnstructured(o, d); err != nil {
			return Readiness{Observed: true, Message: err.Error()}
		}
		return deploymentReadiness(d)
	case jobKind:
		j := &batchv1.Job{}
		if err := fromUnstructured(o, j); err != nil {
			return Readiness{Observed: true, Message: err.Error()}
		}
		return jobReadiness(j)
	}
	return Readiness{Observed: true, Ready: true}
}

// fromUnstructured parses an observed object into its API type. Observed
// resources arrive as protobuf Structs, whose numbers are all float64; the
// converter turns them back into integers, which the unstructured accessors
// (GetGeneration and friends) would not.
func fromUnstructured(o *composed.Unstructured, into runtime.Object) error {
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.UnstructuredContent(), into); err != nil {
		return fmt.Errorf("cannot read the observed %s %s: %w", o.GetKind(), o.GetName(), err)
	}
	return nil
}

// daemonSetReadiness wants every scheduled pod available, and at least one.
//
// A DaemonSet that no node is eligible for (desiredNumberScheduled 0) is not
// ready. Formally it has everything it asked for, but a debug session whose
// pods run nowhere is of no use, and calling it ready would tell the user to
// go ahead. Kept unready, the session shows "Unready resources: workload" and
// the workload message says that no node is eligible, which points at the
// scheduling constraints or the node labels and taints.
func daemonSetReadiness(ds *appsv1.DaemonSet) Readiness {
	if r, stale := staleStatus("DaemonSet", ds.Generation, ds.Status.ObservedGeneration); stale {
		return r
	}
	st := ds.Status
	switch {
	case st.DesiredNumberScheduled == 0:
		return Readiness{Observed: true, Message: "DaemonSet runs no pod: no node is eligible for its pods"}
	case st.NumberAvailable < st.DesiredNumberScheduled:
		return Readiness{Observed: true, Message: fmt.Sprintf("DaemonSet has %d of %d pods available", st.NumberAvailable, st.DesiredNumberScheduled)}
	}
	return Readiness{Observed: true, Ready: true}
}

// deploymentReadiness wants as many available pods as the spec asks for.
func deploymentReadiness(d *appsv1.Deployment) Readiness {
	if r, stale := staleStatus("Deployment", d.Generation, d.Status.ObservedGeneration); stale {
		return r
	}
	want := int32(1) // The API server's default.
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	if d.Status.AvailableReplicas < want {
		return Readiness{Observed: true, Message: fmt.Sprintf("Deployment has %d of %d pods available", d.Status.AvailableReplicas, want)}
	}
	return Readiness{Observed: true, Ready: true}
}

// staleStatus reports a workload whose controller has not yet looked at its
// current spec: its status still describes an older one, so it says nothing
// about readiness.
func staleStatus(kind string, generation, observedGeneration int64) (Readiness, bool) {
	if observedGeneration >= generation {
		return Readiness{}, false
	}
	return Readiness{Observed: true, Message: fmt.Sprintf("%s status is not up to date with its spec yet", kind)}, true
}

// CEL queries for provider-kubernetes' DeriveFromCelQuery readiness policy.
// They say on the target cluster what daemonSetReadiness and
// deploymentReadiness say here, so that a workload is ready under the same
// conditions in both delivery modes; a test evaluates both against the same
// objects. The provider hands the observed object over as JSON, so absent
// fields must be tested with has() and numbers are doubles. One condition a
// line keeps the rendered Object readable.
const (
	celUpToDate = "(!has(object.metadata.generation) ||\n" +
		"  (has(object.status.observedGeneration) && object.status.observedGeneration >= object.metadata.generation))"

	celDaemonSetReady = "has(object.status) &&\n" +
		celUpToDate + " &&\n" +
		"has(object.status.desiredNumberScheduled) && object.status.desiredNumberScheduled > 0 &&\n" +
		"has(object.status.numberAvailable) && object.status.numberAvailable >= object.status.desiredNumberScheduled"

	celDeploymentReady = "has(object.status) &&\n" +
		celUpToDate + " &&\n" +
		"(has(object.status.availableReplicas) ? object.status.availableReplicas : 0) >=\n" +
		"  (has(object.spec.replicas) ? object.spec.replicas : 1)"
)

// readinessQuery returns the CEL query that decides when an Object wrapping
// manifest is ready, or "" to keep the provider's default (ready once the
// object is applied), which is right for every kind that is not a workload.
func readinessQuery(manifest *unstructured.Unstructured) string {
	switch manifest.GroupVersionKind() {
	case daemonSetKind:
		return celDaemonSetReady
	case deploymentKind:
		return celDeploymentReady
	case jobKind:
		return celJobReady
	}
	return ""
}

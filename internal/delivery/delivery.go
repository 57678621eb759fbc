// Package delivery turns the objects of a session into desired composed
// resources: wrapped in provider-kubernetes Objects that reach the target
// cluster, or composed directly when the target is the control plane itself.
// It also reads back, from the observed composed resources, whether each of
// them is ready, and tells Crossplane so.
package delivery

import (
	"fmt"
	"slices"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// Kinds of provider-kubernetes ProviderConfigs that a namespaced Object can
// reference.
const (
	ProviderConfigKind        = "ProviderConfig"
	ClusterProviderConfigKind = "ClusterProviderConfig"
)

// Object is one object of a session, under a stable composition resource
// name. Names are stable so that Crossplane never deletes and recreates a
// running workload because something else changed.
type Object struct {
	Name   resource.Name
	Object *unstructured.Unstructured

	// Orphan objects stay on the target cluster when the DebugSession is
	// deleted (auxiliary resources with deleteAfter: false). Only
	// ProviderKubernetes delivery can orphan: composed directly, an object is
	// owned by the DebugSession and Kubernetes' garbage collector deletes it
	// with the session whatever this says.
	Orphan bool
}

// Target says where, and how, objects go.
type Target struct {
	Mode             v1beta1.DeliveryMode
	ObjectAPIVersion string
	DeletionPolicy   string

	// Watch sets spec.watch on the Objects of workloads, so that
	// provider-kubernetes (with --enable-watches) re-evaluates their
	// readiness as soon as they change on the target cluster.
	Watch bool

	// Cluster is the name of the target cluster.
	Cluster string

	// ProviderConfigName and ProviderConfigKind reach the target cluster.
	// The kind matters only to namespaced Objects.
	ProviderConfigName string
	ProviderConfigKind string

	// CompositeNamespace is the namespace of the DebugSession, empty for a
	// legacy cluster-scoped one. Crossplane composes resources of a
	// namespaced composite only in the composite's own namespace.
	CompositeNamespace string
}

// A TargetOption tells TargetFor more about the session.
type TargetOption func(*Target)

// ForCompositeNamespace tells TargetFor the namespace of the DebugSession
// (empty for a legacy cluster-scoped XR).
//
// Crossplane v2 composes only namespaced resources, in the XR's own
// namespace, for a namespaced XR: it refuses to apply a cluster-scoped
// Object, and it moves any namespaced object into the XR's namespace. Knowing
// the namespace, TargetFor picks the namespaced Object when the input leaves
// delivery.objectAPIVersion unset, and Desired refuses, with a message that
// says why, what Crossplane would refuse or silently change.
func ForCompositeNamespace(ns string) TargetOption {
	return func(t *Target) { t.CompositeNamespace = ns }
}

// TargetFor returns the target of a session on a cluster. The
// providerConfigRef comes from the cluster's ClusterConfig; its name defaults
// to the cluster name, and its kind, for namespaced Objects, to
// ClusterProviderConfig: a DebugSession lives in its requester's namespace,
// where the platform team would otherwise have to keep a ProviderConfig for
// every cluster.
func TargetFor(in *v1beta1.Input, cluster string, cc *v1alpha1.ClusterConfig, o ...TargetOption) Target {
	t := Target{
		Mode:               in.GetDeliveryMode(),
		ObjectAPIVersion:   in.GetObjectAPIVersion(),
		DeletionPolicy:     in.GetDeletionPolicy(),
		Watch:              in.GetWatch(),
		Cluster:            cluster,
		ProviderConfigName: cluster,
	}
	for _, fn := range o {
		fn(&t)
	}
	if t.CompositeNamespace != "" && (in == nil || in.Delivery == nil || in.Delivery.ObjectAPIVersion == "") {
		// The input's default, the cluster-scoped Object, is one that
		// Crossplane cannot compose for a namespaced DebugSession.
		t.ObjectAPIVersion = v1beta1.NamespacedObjectAPIVersion
	}
	if cc != nil && cc.Spec.ProviderConfigRef != nil {
		if n := cc.Spec.ProviderConfigRef.Name; n != "" {
			t.ProviderConfigName = n
		}
		t.ProviderConfigKind = cc.Spec.ProviderConfigRef.Kind
	}
	if t.ProviderConfigKind == "" {
		t.ProviderConfigKind = ClusterProviderConfigKind
	}
	return t
}

// Desired returns the desired composed resources for objs, each marked ready
// or not from its observed state, so that Crossplane reports the
// DebugSession Ready only once all of them are. Crossplane counts a composed
// resource whose readiness a function leaves unspecified as not ready, and
// has no way to tell when a DaemonSet is, so readiness is always set here.
func Desired(t Target, objs []Object, observed map[resource.Name]resource.ObservedComposed) (map[resource.Name]*resource.DesiredComposed, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	out := make(map[resource.Name]*resource.DesiredComposed, len(objs))
	for i, o := range objs {
		if o.Name == "" || o.Object == nil {
			return nil, outcome.Failed("", "", "object %d has no composition resource name or no content", i)
		}
		if _, dup := out[o.Name]; dup {
			return nil, outcome.Failed("", "", "two objects have the composition resource name %q", o.Name)
		}
		if err := t.checkObject(o); err != nil {
			return nil, err
		}
		out[o.Name] = t.desired(o, observed)
	}
	return out, nil
}

func (t Target) desired(o Object, observed map[resource.Name]resource.ObservedComposed) *resource.DesiredComposed {
	u := o.Object.DeepCopy()
	if t.Mode != v1beta1.DeliveryLocal {
		u = t.wrap(u, o.Orphan)
	}
	ready := resource.ReadyFalse
	if t.Ready(o.Name, observed) {
		ready = resource.ReadyTrue
	}
	return &resource.DesiredComposed{Resource: &composed.Unstructured{Unstructured: *u}, Ready: ready}
}

// check refuses targets that Crossplane or provider-kubernetes would refuse,
// with a message that says what to change.
func (t Target) check() error {
	switch t.Mode {
	case v1beta1.DeliveryLocal:
		return nil
	case v1beta1.DeliveryProviderKubernetes:
	default:
		return outcome.Failed("", "", "unknown delivery mode %q", t.Mode)
	}
	if t.ProviderConfigName == "" {
		return outcome.Failed("", "", "cannot deliver to a cluster without a name: no providerConfigRef can reach it")
	}
	switch t.ObjectAPIVersion {
	case v1beta1.DefaultObjectAPIVersion:
		if t.CompositeNamespace != "" {
			return outcome.Failed("", "", "delivery.objectAPIVersion %s is a cluster-scoped Object, which Crossplane cannot compose for a namespaced DebugSession (namespace %s); use %s",
				t.ObjectAPIVersion, t.CompositeNamespace, v1beta1.NamespacedObjectAPIVersion)
		}
	case v1beta1.NamespacedObjectAPIVersion:
		if t.ProviderConfigKind != ProviderConfigKind && t.ProviderConfigKind != ClusterProviderConfigKind {
			return outcome.New(v1alpha1.StateFailed, v1alpha1.ClusterConfigKind+" "+t.Cluster, "spec.providerConfigRef.kind", fmt.Sprintf("ClusterConfig %s spec.providerConfigRef.kind: %q is neither %s nor %s",
				t.Cluster, t.ProviderConfigKind, ProviderConfigKind, ClusterProviderConfigKind))
		}
	default:
		return outcome.Failed("", "", "unknown delivery.objectAPIVersion %q", t.ObjectAPIVersion)
	}
	return nil
}

// clusterScopedKinds are the kinds that a session may compose and that have
// no namespace. Auxiliary resources are never cluster-scoped (their policy
// forbids it); the denied-nodes admission policy and its binding are.
var clusterScopedKinds = []string{"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"}

// checkObject refuses, in Local delivery for a namespaced DebugSession, an
// object that Crossplane would refuse (a cluster-scoped one) or silently move
// into the DebugSession's namespace (one meant for another namespace).
func (t Target) checkObject(o Object) error {
	if t.Mode != v1beta1.DeliveryLocal || t.CompositeNamespace == "" {
		return nil
	}
	u := o.Object
	desc := fmt.Sprintf("%s %s (%s)", u.GetKind(), u.GetName(), o.Name)
	if slices.Contains(clusterScopedKinds, u.GetKind()) {
		return outcome.Failed("", "", "Local delivery cannot create the cluster-scoped %s: Crossplane composes only namespaced resources for a namespaced DebugSession; use ProviderKubernetes delivery", desc)
	}
	if ns := u.GetNamespace(); ns != "" && ns != t.CompositeNamespace {
		return outcome.Failed("", "", "Local delivery cannot create %s in namespace %s: Crossplane composes resources of a namespaced DebugSession only in its own namespace, %s; make that the target namespace or use ProviderKubernetes delivery",
			desc, ns, t.CompositeNamespace)
	}
	return nil
}

// managementNoDelete lets provider-kubernetes do everything to an object but
// delete it. Namespaced Objects orphan this way: unlike cluster-scoped ones
// they have no deletionPolicy. provider-kubernetes enables management
// policies by default.
var managementNoDelete = []any{"Observe", "Create", "Update", "LateInitialize"}

// wrap wraps manifest in a provider-kubernetes Object.
func (t Target) wrap(manifest *unstructured.Unstructured, orphan bool) *unstructured.Unstructured {
	orphan = orphan || t.DeletionPolicy == v1beta1.OrphanDeletionPolicy
	ref := map[string]any{"name": t.ProviderConfigName}
	spec := map[string]any{
		"forProvider":       map[string]any{"manifest": manifest.Object},
		"providerConfigRef": ref,
	}
	if t.ObjectAPIVersion == v1beta1.NamespacedObjectAPIVersion {
		ref["kind"] = t.ProviderConfigKind
		if orphan {
			spec["managementPolicies"] = slices.Clone(managementNoDelete)
		}
	} else {
		policy := v1beta1.DefaultDeletionPolicy
		if orphan {
			policy = v1beta1.OrphanDeletionPolicy
		}
		spec["deletionPolicy"] = policy
	}
	if q := readinessQuery(manifest); q != "" {
		// The provider's default readiness is "applied", which says
		// nothing about whether the debug pods run.
		spec["readiness"] = map[string]any{"policy": "DeriveFromCelQuery", "celQuery": q}
		if t.Watch {
			// Only workloads wait for something on the target; every
			// other kind is ready once applied and needs no informer.
			spec["watch"] = true
		}
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": t.ObjectAPIVersion,
		"kind":       "Object",
		"spec":       spec,
	}}
}

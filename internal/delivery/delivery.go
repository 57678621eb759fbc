// Package delivery turns the objects of a session into desired composed
// resources: wrapped in provider-kubernetes Objects that reach the target
// cluster, or composed directly when the target is the control plane itself.
package delivery

import (
	"maps"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// Object is one object of a session, under a stable composition resource
// name. Names are stable so that Crossplane never deletes and recreates a
// running workload because something else changed.
type Object struct {
	Name   resource.Name
	Object *unstructured.Unstructured
	// Orphan objects are left on the target cluster when they stop being
	// desired or the session is deleted.
	Orphan bool
}

// Target says where objects go.
type Target struct {
	Mode             v1beta1.DeliveryMode
	ObjectAPIVersion string
	DeletionPolicy   string
	// ProviderConfigName and ProviderConfigKind reach the target cluster.
	ProviderConfigName string
	ProviderConfigKind string
}

// TargetFor returns the target of a session on a cluster.
func TargetFor(in *v1beta1.Input, cluster string, cc *v1alpha1.ClusterConfig) Target {
	t := Target{
		Mode:               in.GetDeliveryMode(),
		ObjectAPIVersion:   in.GetObjectAPIVersion(),
		DeletionPolicy:     in.GetDeletionPolicy(),
		ProviderConfigName: cluster,
	}
	if cc != nil && cc.Spec.ProviderConfigRef != nil {
		if n := cc.Spec.ProviderConfigRef.Name; n != "" {
			t.ProviderConfigName = n
		}
		t.ProviderConfigKind = cc.Spec.ProviderConfigRef.Kind
	}
	return t
}

// Compose returns the desired composed resources for objs.
func Compose(t Target, objs []Object) map[resource.Name]*resource.DesiredComposed {
	out := make(map[resource.Name]*resource.DesiredComposed, len(objs))
	for _, o := range objs {
		u := o.Object
		if t.Mode == v1beta1.DeliveryProviderKubernetes {
			u = wrap(t, o)
		}
		out[o.Name] = &resource.DesiredComposed{Resource: &composed.Unstructured{Unstructured: *u.DeepCopy()}}
	}
	return out
}

// managementOrphan manages an object in every way except deletion. Only
// namespaced Objects use it: cluster-scoped ones orphan through their
// deletionPolicy, which needs no provider feature flag.
var managementOrphan = []any{"Observe", "Create", "Update", "LateInitialize"}

func wrap(t Target, o Object) *unstructured.Unstructured {
	ref := map[string]any{"name": t.ProviderConfigName}
	spec := map[string]any{
		"forProvider":       map[string]any{"manifest": maps.Clone(o.Object.Object)},
		"providerConfigRef": ref,
	}
	if t.ObjectAPIVersion == v1beta1.NamespacedObjectAPIVersion {
		// Namespaced managed resources name the kind of their config and
		// have no deletionPolicy; management policies decide deletion.
		kind := t.ProviderConfigKind
		if kind == "" {
			kind = "ClusterProviderConfig"
		}
		ref["kind"] = kind
		if o.Orphan {
			spec["managementPolicies"] = managementOrphan
		}
	} else {
		policy := t.DeletionPolicy
		if o.Orphan {
			policy = v1beta1.OrphanDeletionPolicy
		}
		spec["deletionPolicy"] = policy
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": t.ObjectAPIVersion,
		"kind":       "Object",
		"spec":       spec,
	}}
}

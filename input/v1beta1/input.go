// Package v1beta1 contains the input type of this function.
//
// Kubebuilder defaults are never applied to a function's input, so every
// default lives in a nil-safe getter below, and Validate checks the input up
// front with field paths.
//
// +kubebuilder:object:generate=true
// +groupName=debugsession.fn.breakglass.telekom.de
// +versionName=v1beta1
package v1beta1

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Defaults of the input fields.
const (
	DefaultConfigNamespace        = "breakglass-system"
	DefaultTargetNamespace        = "breakglass-debug"
	DefaultTTL                    = 60 * time.Second
	DefaultMaxPerSession          = 20
	DefaultMaxRenderedBytes       = 256 * 1024
	DefaultObjectAPIVersion       = "kubernetes.crossplane.io/v1alpha2"
	NamespacedObjectAPIVersion    = "kubernetes.m.crossplane.io/v1alpha1"
	AllBindingNamespaces          = "*"
	DefaultDeletionPolicy         = "Delete"
	OrphanDeletionPolicy          = "Orphan"
	deliveryModeProviderK8s       = "ProviderKubernetes"
	deliveryModeLocal             = "Local"
	deniedNodeGlobsAdmission      = "AdmissionPolicy"
	deniedNodeGlobsReject         = "Reject"
	maxConfigurableRenderedBytes  = 4 * 1024 * 1024
	maxConfigurablePerSession     = 200
	minTTL                        = time.Second
	maxBindingNamespaceListLength = 256
)

// DeliveryMode says how objects reach the target cluster.
// +kubebuilder:validation:Enum=ProviderKubernetes;Local
type DeliveryMode string

// Delivery modes.
const (
	// DeliveryProviderKubernetes wraps every object in a provider-kubernetes
	// Object that reaches the target cluster.
	DeliveryProviderKubernetes DeliveryMode = deliveryModeProviderK8s
	// DeliveryLocal composes objects directly: the target cluster is the
	// control plane itself.
	DeliveryLocal DeliveryMode = deliveryModeLocal
)

// DeniedNodeGlobs says how glob patterns in deniedNodes are enforced.
// +kubebuilder:validation:Enum=AdmissionPolicy;Reject
type DeniedNodeGlobs string

// Ways to enforce glob patterns in deniedNodes.
const (
	// DeniedNodeGlobsAdmissionPolicy enforces globs with a
	// ValidatingAdmissionPolicy on the target cluster.
	DeniedNodeGlobsAdmissionPolicy DeniedNodeGlobs = deniedNodeGlobsAdmission
	// DeniedNodeGlobsReject fails sessions whose constraints deny nodes by glob.
	DeniedNodeGlobsReject DeniedNodeGlobs = deniedNodeGlobsReject
)

// PodAccess says whether the function confines who may reach a session's
// debug pods on the target cluster.
// +kubebuilder:validation:Enum=Enforce;Off
type PodAccess string

// Ways to handle access to debug pods.
const (
	// PodAccessEnforce composes, for every Active session, a Role and
	// RoleBinding that grant its requester and participants the allowed
	// operations, and a ValidatingAdmissionPolicy that confines them to the
	// session's pods and the session's pods to them.
	PodAccessEnforce PodAccess = "Enforce"
	// PodAccessOff composes none of that: the target namespace's own RBAC
	// decides who may exec into debug pods. It exists for Local delivery of
	// namespaced sessions, which cannot compose a cluster-scoped policy.
	PodAccessOff PodAccess = "Off"
)

// GroupKind names a kind of Kubernetes object.
type GroupKind struct {
	// Group of the kind; empty for the core group.
	// +optional
	Group string `json:"group"`

	// Kind of the object.
	Kind string `json:"kind"`
}

// Delivery configures how objects reach the target cluster.
type Delivery struct {
	// Mode is ProviderKubernetes (the default) or Local.
	// +optional
	Mode DeliveryMode `json:"mode,omitempty"`

	// ObjectAPIVersion of the provider-kubernetes Object:
	// kubernetes.crossplane.io/v1alpha2 (cluster-scoped, the default) or
	// kubernetes.m.crossplane.io/v1alpha1 (namespaced).
	// +optional
	// +kubebuilder:validation:Enum=kubernetes.crossplane.io/v1alpha2;kubernetes.m.crossplane.io/v1alpha1
	ObjectAPIVersion string `json:"objectAPIVersion,omitempty"`

	// DeletionPolicy of provider-kubernetes Objects, Delete (the default) or
	// Orphan.
	// +optional
	// +kubebuilder:validation:Enum=Delete;Orphan
	DeletionPolicy string `json:"deletionPolicy,omitempty"`

	// Watch asks provider-kubernetes to watch each debug workload on the
	// target cluster (spec.watch of its Object), so that the session is
	// Ready within seconds of its pods becoming available. Without it the
	// provider re-checks an unready Object every 30 seconds. It takes
	// effect only when provider-kubernetes runs with --enable-watches (an
	// alpha feature); otherwise the provider ignores it. Default false.
	// +optional
	Watch *bool `json:"watch,omitempty"`
}

// AuxiliaryResources limits auxiliary resources.
type AuxiliaryResources struct {
	// AllowedKinds replaces the default kind allowlist.
	// +optional
	AllowedKinds []GroupKind `json:"allowedKinds,omitempty"`

	// MaxPerSession limits the auxiliary resources of one session.
	// +optional
	MaxPerSession *int32 `json:"maxPerSession,omitempty"`

	// MaxRenderedBytes limits the rendered size of all auxiliary resources of
	// one session.
	// +optional
	MaxRenderedBytes *int64 `json:"maxRenderedBytes,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:resource:categories=crossplane

// Input configures function-debug-session.
type Input struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// ConfigNamespace holds templates, pod templates and cluster configs.
	// Defaults to breakglass-system.
	// +optional
	ConfigNamespace string `json:"configNamespace,omitempty"`

	// BindingNamespaces are the namespaces whose bindings are trusted.
	// Defaults to [configNamespace]; "*" trusts every namespace.
	// +optional
	BindingNamespaces []string `json:"bindingNamespaces,omitempty"`

	// Delivery configures how objects reach the target cluster.
	// +optional
	Delivery *Delivery `json:"delivery,omitempty"`

	// DefaultTargetNamespace is where debug pods run when neither binding
	// nor template names a namespace. Defaults to breakglass-debug.
	// +optional
	DefaultTargetNamespace string `json:"defaultTargetNamespace,omitempty"`

	// AuxiliaryResources limits auxiliary resources.
	// +optional
	AuxiliaryResources *AuxiliaryResources `json:"auxiliaryResources,omitempty"`

	// DeniedNodeGlobs says how glob patterns in deniedNodes are enforced:
	// AdmissionPolicy (the default) or Reject.
	// +optional
	DeniedNodeGlobs DeniedNodeGlobs `json:"deniedNodeGlobs,omitempty"`

	// TTL caps how long Crossplane may cache the function's response.
	// Defaults to 60s.
	// +optional
	TTL *metav1.Duration `json:"ttl,omitempty"`

	// PodAccess says whether the function confines who may reach a
	// session's debug pods: Enforce (the default) or Off.
	// +optional
	PodAccess PodAccess `json:"podAccess,omitempty"`
}

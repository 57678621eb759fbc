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
	"fmt"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
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

// GetConfigNamespace returns the namespace of templates and cluster configs.
func (in *Input) GetConfigNamespace() string {
	if in == nil || in.ConfigNamespace == "" {
		return DefaultConfigNamespace
	}
	return in.ConfigNamespace
}

// GetBindingNamespaces returns the trusted binding namespaces, sorted and
// without duplicates. A lone "*" means every namespace.
func (in *Input) GetBindingNamespaces() []string {
	if in == nil || len(in.BindingNamespaces) == 0 {
		return []string{in.GetConfigNamespace()}
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(in.BindingNamespaces))
	for _, ns := range in.BindingNamespaces {
		if ns == AllBindingNamespaces {
			return []string{AllBindingNamespaces}
		}
		if seen[ns] {
			continue
		}
		seen[ns] = true
		out = append(out, ns)
	}
	slices.Sort(out)
	return out
}

// TrustsBindingNamespace reports whether bindings in ns are trusted.
func (in *Input) TrustsBindingNamespace(ns string) bool {
	for _, t := range in.GetBindingNamespaces() {
		if t == AllBindingNamespaces || t == ns {
			return true
		}
	}
	return false
}

// GetDeliveryMode returns the delivery mode.
func (in *Input) GetDeliveryMode() DeliveryMode {
	if in == nil || in.Delivery == nil || in.Delivery.Mode == "" {
		return DeliveryProviderKubernetes
	}
	return in.Delivery.Mode
}

// GetObjectAPIVersion returns the apiVersion of provider-kubernetes Objects.
func (in *Input) GetObjectAPIVersion() string {
	if in == nil || in.Delivery == nil || in.Delivery.ObjectAPIVersion == "" {
		return DefaultObjectAPIVersion
	}
	return in.Delivery.ObjectAPIVersion
}

// GetDeletionPolicy returns the deletion policy of provider-kubernetes Objects.
func (in *Input) GetDeletionPolicy() string {
	if in == nil || in.Delivery == nil || in.Delivery.DeletionPolicy == "" {
		return DefaultDeletionPolicy
	}
	return in.Delivery.DeletionPolicy
}

// GetWatch reports whether provider-kubernetes should watch the debug
// workloads on the target cluster.
func (in *Input) GetWatch() bool {
	return in != nil && in.Delivery != nil && in.Delivery.Watch != nil && *in.Delivery.Watch
}

// GetDefaultTargetNamespace returns the fallback target namespace.
func (in *Input) GetDefaultTargetNamespace() string {
	if in == nil || in.DefaultTargetNamespace == "" {
		return DefaultTargetNamespace
	}
	return in.DefaultTargetNamespace
}

// GetAllowedKinds returns the input's kind allowlist, or nil to use the
// built-in default.
func (in *Input) GetAllowedKinds() []GroupKind {
	if in == nil || in.AuxiliaryResources == nil {
		return nil
	}
	return in.AuxiliaryResources.AllowedKinds
}

// GetMaxPerSession returns the limit of auxiliary resources per session.
func (in *Input) GetMaxPerSession() int {
	if in == nil || in.AuxiliaryResources == nil || in.AuxiliaryResources.MaxPerSession == nil {
		return DefaultMaxPerSession
	}
	return int(*in.AuxiliaryResources.MaxPerSession)
}

// GetMaxRenderedBytes returns the limit of rendered auxiliary bytes per
// session.
func (in *Input) GetMaxRenderedBytes() int64 {
	if in == nil || in.AuxiliaryResources == nil || in.AuxiliaryResources.MaxRenderedBytes == nil {
		return DefaultMaxRenderedBytes
	}
	return *in.AuxiliaryResources.MaxRenderedBytes
}

// GetPodAccess returns whether access to debug pods is confined.
func (in *Input) GetPodAccess() PodAccess {
	if in == nil || in.PodAccess == "" {
		return PodAccessEnforce
	}
	return in.PodAccess
}

// GetDeniedNodeGlobs returns how glob patterns in deniedNodes are enforced.
func (in *Input) GetDeniedNodeGlobs() DeniedNodeGlobs {
	if in == nil || in.DeniedNodeGlobs == "" {
		return DeniedNodeGlobsAdmissionPolicy
	}
	return in.DeniedNodeGlobs
}

// GetTTL returns the longest time Crossplane may cache a response.
func (in *Input) GetTTL() time.Duration {
	if in == nil || in.TTL == nil {
		return DefaultTTL
	}
	return in.TTL.Duration
}

// Validate checks the input and returns every problem with its field path.
func (in *Input) Validate() field.ErrorList {
	if in == nil {
		return nil
	}
	var errs field.ErrorList
	if in.ConfigNamespace != "" {
		errs = append(errs, validateNamespace(field.NewPath("configNamespace"), in.ConfigNamespace)...)
	}
	if in.DefaultTargetNamespace != "" {
		errs = append(errs, validateNamespace(field.NewPath("defaultTargetNamespace"), in.DefaultTargetNamespace)...)
	}
	if len(in.BindingNamespaces) > maxBindingNamespaceListLength {
		errs = append(errs, field.TooMany(field.NewPath("bindingNamespaces"), len(in.BindingNamespaces), maxBindingNamespaceListLength))
	}
	for i, ns := range in.BindingNamespaces {
		p := field.NewPath("bindingNamespaces").Index(i)
		if ns == AllBindingNamespaces {
			if len(in.BindingNamespaces) > 1 {
				errs = append(errs, field.Invalid(p, ns, `"*" trusts every namespace and must be the only entry`))
			}
			continue
		}
		errs = append(errs, validateNamespace(p, ns)...)
	}
	errs = append(errs, in.Delivery.validate(field.NewPath("delivery"))...)
	errs = append(errs, in.AuxiliaryResources.validate(field.NewPath("auxiliaryResources"))...)
	switch in.DeniedNodeGlobs {
	case "", DeniedNodeGlobsAdmissionPolicy, DeniedNodeGlobsReject:
	default:
		errs = append(errs, field.NotSupported(field.NewPath("deniedNodeGlobs"), in.DeniedNodeGlobs, []string{deniedNodeGlobsAdmission, deniedNodeGlobsReject}))
	}
	switch in.PodAccess {
	case "", PodAccessEnforce, PodAccessOff:
	default:
		errs = append(errs, field.NotSupported(field.NewPath("podAccess"), in.PodAccess, []string{string(PodAccessEnforce), string(PodAccessOff)}))
	}
	if in.TTL != nil && in.TTL.Duration < minTTL {
		errs = append(errs, field.Invalid(field.NewPath("ttl"), in.TTL.Duration.String(), "must be at least 1s"))
	}
	return errs
}

// validate checks the delivery settings; nil means every default.
func (d *Delivery) validate(p *field.Path) field.ErrorList {
	if d == nil {
		return nil
	}
	var errs field.ErrorList
	switch d.Mode {
	case "", DeliveryProviderKubernetes, DeliveryLocal:
	default:
		errs = append(errs, field.NotSupported(p.Child("mode"), d.Mode, []string{deliveryModeProviderK8s, deliveryModeLocal}))
	}
	switch d.ObjectAPIVersion {
	case "", DefaultObjectAPIVersion, NamespacedObjectAPIVersion:
	default:
		errs = append(errs, field.NotSupported(p.Child("objectAPIVersion"), d.ObjectAPIVersion, []string{DefaultObjectAPIVersion, NamespacedObjectAPIVersion}))
	}
	switch d.DeletionPolicy {
	case "", DefaultDeletionPolicy, OrphanDeletionPolicy:
	default:
		errs = append(errs, field.NotSupported(p.Child("deletionPolicy"), d.DeletionPolicy, []string{DefaultDeletionPolicy, OrphanDeletionPolicy}))
	}
	return errs
}

// validate checks the auxiliary resource limits; nil means every default.
func (a *AuxiliaryResources) validate(p *field.Path) field.ErrorList {
	if a == nil {
		return nil
	}
	var errs field.ErrorList
	for i, gk := range a.AllowedKinds {
		if gk.Kind == "" {
			errs = append(errs, field.Required(p.Child("allowedKinds").Index(i).Child("kind"), "a kind is required"))
		}
	}
	if m := a.MaxPerSession; m != nil && (*m < 0 || *m > maxConfigurablePerSession) {
		errs = append(errs, field.Invalid(p.Child("maxPerSession"), *m, fmt.Sprintf("must be between 0 and %d", maxConfigurablePerSession)))
	}
	if m := a.MaxRenderedBytes; m != nil && (*m < 0 || *m > maxConfigurableRenderedBytes) {
		errs = append(errs, field.Invalid(p.Child("maxRenderedBytes"), *m, fmt.Sprintf("must be between 0 and %d", maxConfigurableRenderedBytes)))
	}
	return errs
}

func validateNamespace(p *field.Path, ns string) field.ErrorList {
	msgs := validation.IsDNS1123Label(ns)
	errs := make(field.ErrorList, 0, len(msgs))
	for _, msg := range msgs {
		errs = append(errs, field.Invalid(p, ns, msg))
	}
	return errs
}

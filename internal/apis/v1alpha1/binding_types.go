package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// MergeMode says whether a binding stands alone or merges with the next
// matching binding.
// +kubebuilder:validation:Enum=override;additive
type MergeMode string

// Merge modes.
const (
	MergeModeOverride MergeMode = "override"
	MergeModeAdditive MergeMode = "additive"
)

// GroupKind names a kind of Kubernetes object. Kind "*" means every kind in
// the group.
type GroupKind struct {
	// Group of the kind; empty for the core group.
	// +optional
	Group string `json:"group"`

	// Kind, or "*" for every kind in the group.
	// +kubebuilder:validation:MinLength=1
	Kind string `json:"kind"`
}

// AuxiliaryResourcePolicy narrows the kinds of auxiliary resources that may
// be deployed through a binding.
type AuxiliaryResourcePolicy struct {
	// AllowedKinds, when set, is intersected with the function's allowlist.
	// +optional
	AllowedKinds []GroupKind `json:"allowedKinds,omitempty"`

	// DeniedKinds are never deployed.
	// +optional
	DeniedKinds []GroupKind `json:"deniedKinds,omitempty"`
}

// DebugSessionClusterBindingSpec binds a template to clusters with
// cluster-specific access, approval, limits and scheduling.
// +kubebuilder:validation:XValidation:rule=`(has(self.clusters) && size(self.clusters) > 0) || has(self.clusterSelector)`,message="set clusters or clusterSelector: a binding must say which clusters it applies to"
// +kubebuilder:validation:XValidation:rule=`!has(self.effectiveFrom) || !has(self.expiresAt) || timestamp(self.effectiveFrom) < timestamp(self.expiresAt)`,message="expiresAt must be after effectiveFrom",fieldPath=`.expiresAt`
// +kubebuilder:validation:XValidation:rule=`has(self.templateRef) != has(self.templateSelector)`,message="set exactly one of templateRef and templateSelector"
type DebugSessionClusterBindingSpec struct {
	// TemplateRef names the DebugSessionTemplate. An empty namespace means
	// the binding's own. Exactly one of templateRef and templateSelector
	// is set.
	// +optional
	TemplateRef *ObjectReference `json:"templateRef,omitempty"`

	// TemplateSelector selects the DebugSessionTemplates of the binding's
	// own namespace by their labels. It must say something: an empty
	// selector would bind every present and future template, and selects
	// none.
	// +optional
	// +kubebuilder:validation:XValidation:rule=`(has(self.matchLabels) && size(self.matchLabels) > 0) || (has(self.matchExpressions) && size(self.matchExpressions) > 0)`,message="templateSelector must set matchLabels or matchExpressions: an empty selector would bind every template"
	TemplateSelector *metav1.LabelSelector `json:"templateSelector,omitempty"`

	// DisplayNamePrefix is put before the display name of the template
	// (its name when it has none), as "<prefix> - <display name>", wherever
	// a session through this binding shows it.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	DisplayNamePrefix string `json:"displayNamePrefix,omitempty"`

	// Clusters this binding applies to, as glob patterns.
	// +optional
	Clusters Globs `json:"clusters,omitempty"`

	// ClusterSelector selects clusters by the labels of their ClusterConfig.
	// +optional
	ClusterSelector *metav1.LabelSelector `json:"clusterSelector,omitempty"`

	// Allowed replaces the template's allowlist when it names any user or
	// group.
	// +optional
	Allowed *Allowed `json:"allowed,omitempty"`

	// Approvers replaces the template's approvers when set, even when empty.
	// +optional
	Approvers *Approvers `json:"approvers,omitempty"`

	// SchedulingConstraints are mandatory on the bound clusters.
	// +optional
	SchedulingConstraints *SchedulingConstraints `json:"schedulingConstraints,omitempty"`

	// NamespaceConstraints say which namespaces sessions may run in, and
	// whether a session may choose one.
	// +optional
	NamespaceConstraints *NamespaceConstraints `json:"namespaceConstraints,omitempty"`

	// SchedulingOptions replace the template's options on the bound
	// clusters. Their constraints add to every mandatory constraint, and a
	// template's required stays required.
	// +optional
	SchedulingOptions *SchedulingOptions `json:"schedulingOptions,omitempty"`

	// Constraints override the template's, field by field.
	// +optional
	Constraints *Constraints `json:"constraints,omitempty"`

	// MaxActiveSessionsPerUser caps the sessions one requester may have
	// running through this binding at once, over every cluster it applies
	// to. A session over the cap waits, Queued; a running session is never
	// stopped by it.
	// +optional
	// +kubebuilder:validation:Minimum=1
	MaxActiveSessionsPerUser *int32 `json:"maxActiveSessionsPerUser,omitempty"`

	// MaxActiveSessionsTotal caps the sessions running through this binding
	// at once, over every cluster it applies to and every requester. A
	// session over the cap waits, Queued; a running session is never
	// stopped by it.
	// +optional
	// +kubebuilder:validation:Minimum=1
	MaxActiveSessionsTotal *int32 `json:"maxActiveSessionsTotal,omitempty"`

	// TargetNamespace overrides the template's target namespace.
	// +optional
	TargetNamespace string `json:"targetNamespace,omitempty"`

	// AuxiliaryResources are always deployed through this binding.
	// +optional
	AuxiliaryResources AuxiliaryResources `json:"auxiliaryResources,omitempty"`

	// AuxiliaryResourceOverrides enables or disables categories, overriding
	// the template's defaults.
	// +optional
	AuxiliaryResourceOverrides map[string]bool `json:"auxiliaryResourceOverrides,omitempty"`

	// AuxiliaryResourcePolicy narrows the allowed auxiliary resource kinds.
	// +optional
	AuxiliaryResourcePolicy *AuxiliaryResourcePolicy `json:"auxiliaryResourcePolicy,omitempty"`

	// AllowedPodOperations narrows the template's: a field set to false
	// turns the operation off on the bound clusters. A true where the
	// template says false is ignored with a warning.
	// +optional
	AllowedPodOperations *AllowedPodOperations `json:"allowedPodOperations,omitempty"`

	// AllowUserNodeSelector lets a session add its own nodeSelector.
	// +optional
	AllowUserNodeSelector bool `json:"allowUserNodeSelector,omitempty"`

	// MergeMode override (the default) uses this binding alone; additive
	// also merges the next matching binding.
	// +optional
	MergeMode MergeMode `json:"mergeMode,omitempty"`

	// Disabled bindings are ignored.
	// +optional
	Disabled bool `json:"disabled,omitempty"`

	// EffectiveFrom is when the binding starts to exist. Before it, the
	// binding applies to no session.
	// +optional
	EffectiveFrom *metav1.Time `json:"effectiveFrom,omitempty"`

	// ExpiresAt is when the binding stops existing for new sessions. A
	// session that is Active through it keeps it until the session ends,
	// but is granted no further renewal.
	// +optional
	ExpiresAt *metav1.Time `json:"expiresAt,omitempty"`

	// Hidden bindings apply only to sessions that name them in
	// spec.bindingRef, and the available tool never lists them.
	// +optional
	Hidden bool `json:"hidden,omitempty"`

	// Priority orders matching bindings; higher wins.
	// +optional
	// +kubebuilder:validation:XValidation:rule=`self >= 0 && self <= 1000000`,message="priority must be between 0 and 1000000"
	Priority int32 `json:"priority,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Namespaced,categories=breakglass,shortName=dscb
// +kubebuilder:printcolumn:name="Template",type=string,JSONPath=`.spec.templateRef.name`
// +kubebuilder:printcolumn:name="Clusters",type=string,JSONPath=`.status.matchedClusters`
// +kubebuilder:printcolumn:name="Priority",type=integer,JSONPath=`.spec.priority`
// +kubebuilder:printcolumn:name="Active",type=integer,JSONPath=`.status.activeSessions`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Disabled",type=boolean,JSONPath=`.spec.disabled`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// A DebugSessionClusterBinding binds a DebugSessionTemplate to clusters with
// cluster-specific permissions, constraints and resources.
type DebugSessionClusterBinding struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec DebugSessionClusterBindingSpec `json:"spec,omitempty"`

	// Status is written by the status controller only.
	// +optional
	Status DebugSessionClusterBindingStatus `json:"status,omitempty"`
}

// ProviderConfigReference names the provider-kubernetes ProviderConfig that
// reaches a cluster.
type ProviderConfigReference struct {
	// Name of the ProviderConfig. Defaults to the cluster name.
	// +optional
	Name string `json:"name,omitempty"`

	// Kind of the ProviderConfig, ProviderConfig or ClusterProviderConfig.
	// +optional
	Kind string `json:"kind,omitempty"`
}

// ClusterConfigSpec describes a target cluster.
type ClusterConfigSpec struct {
	// DisplayName is a human-friendly name.
	// +optional
	DisplayName string `json:"displayName,omitempty"`

	// Environment, for example production.
	// +optional
	Environment string `json:"environment,omitempty"`

	// Location, for example eu-west-1.
	// +optional
	Location string `json:"location,omitempty"`

	// ProviderConfigRef reaches the cluster through provider-kubernetes.
	// +optional
	ProviderConfigRef *ProviderConfigReference `json:"providerConfigRef,omitempty"`

	// NamespaceLabels are the labels of namespaces on the cluster, by
	// namespace name, for the selectorTerms of namespaceConstraints. The
	// function cannot read the target cluster; a namespace not listed has
	// no known labels.
	// +optional
	// +kubebuilder:validation:MaxProperties=256
	NamespaceLabels map[string]LabelSet `json:"namespaceLabels,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:resource:scope=Namespaced,categories=breakglass,shortName=cc
// +kubebuilder:printcolumn:name="Environment",type=string,JSONPath=`.spec.environment`
// +kubebuilder:printcolumn:name="Location",type=string,JSONPath=`.spec.location`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// A ClusterConfig describes one target cluster. Its name is the cluster name
// and its labels are what binding cluster selectors match.
type ClusterConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec ClusterConfigSpec `json:"spec,omitempty"`
}

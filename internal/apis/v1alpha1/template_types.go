package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DebugSessionTemplateSpec says what a debug session runs and who may run it.
// +kubebuilder:validation:XValidation:rule="!has(self.backoffLimit) || (has(self.workloadType) && self.workloadType == 'Job')",message="backoffLimit needs workloadType Job",fieldPath=`.backoffLimit`
// +kubebuilder:validation:XValidation:rule="!has(self.podDisruptionBudget) || !has(self.workloadType) || self.workloadType != 'Job'",message="a Job's pods get no PodDisruptionBudget: they are meant to finish, and an eviction counts as a failed attempt",fieldPath=`.podDisruptionBudget`
// +kubebuilder:validation:XValidation:rule="!has(self.replicas) || !has(self.workloadType) || self.workloadType != 'Job' || self.replicas >= 1",message="a Job needs at least one pod",fieldPath=`.replicas`
// +kubebuilder:validation:XValidation:rule="(has(self.workloadType) ? self.workloadType : 'DaemonSet') == (has(oldSelf.workloadType) ? oldSelf.workloadType : 'DaemonSet')",message="workloadType is immutable: the running sessions' workloads would be left behind on their clusters; create a new template",fieldPath=`.workloadType`
type DebugSessionTemplateSpec struct {
	// DisplayName is a human-friendly name.
	// +optional
	DisplayName string `json:"displayName,omitempty"`

	// Description says what the template is for.
	// +optional
	Description string `json:"description,omitempty"`

	// Mode of the session. Only "workload" is supported.
	// +optional
	// +kubebuilder:validation:Enum=workload
	Mode string `json:"mode,omitempty"`

	// WorkloadType is DaemonSet (the default), Deployment or Job.
	// +optional
	WorkloadType WorkloadType `json:"workloadType,omitempty"`

	// Replicas of a Deployment, or the pods of a Job (its parallelism and
	// completions: each runs once, all at the same time). Defaults to 1.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Replicas *int32 `json:"replicas,omitempty"`

	// BackoffLimit is how often a Job retries a failed pod before it fails
	// (only for workloadType Job). Defaults to 3, at most 10. A Job also
	// stops at the session's expiry: its activeDeadlineSeconds is set from
	// the session's activation and expiry.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=10
	BackoffLimit *int32 `json:"backoffLimit,omitempty"`

	// PodTemplateRef names the DebugPodTemplate, in this template's namespace.
	PodTemplateRef *LocalObjectReference `json:"podTemplateRef,omitempty"`

	// Allowed says who may use this template, and on which clusters when no
	// binding applies.
	// +optional
	Allowed *Allowed `json:"allowed,omitempty"`

	// Approvers says who may approve sessions.
	// +optional
	Approvers *Approvers `json:"approvers,omitempty"`

	// Constraints limit session duration, renewals and concurrency.
	// +optional
	Constraints *Constraints `json:"constraints,omitempty"`

	// TargetNamespace is where debug pods run on the target cluster.
	// +optional
	TargetNamespace string `json:"targetNamespace,omitempty"`

	// SchedulingConstraints apply to every session of this template.
	// +optional
	SchedulingConstraints *SchedulingConstraints `json:"schedulingConstraints,omitempty"`

	// NamespaceConstraints say which namespaces sessions may run in, and
	// whether a session may choose one.
	// +optional
	NamespaceConstraints *NamespaceConstraints `json:"namespaceConstraints,omitempty"`

	// SchedulingOptions a session may pick from; their constraints add to
	// schedulingConstraints.
	// +optional
	SchedulingOptions *SchedulingOptions `json:"schedulingOptions,omitempty"`

	// AuxiliaryResources are deployed with the debug pods. A resource with a
	// category is deployed only when its category is enabled.
	// +optional
	AuxiliaryResources AuxiliaryResources `json:"auxiliaryResources,omitempty"`

	// AuxiliaryResourceDefaults enables or disables auxiliary resource
	// categories by default. Categories not listed are disabled.
	// +optional
	AuxiliaryResourceDefaults map[string]bool `json:"auxiliaryResourceDefaults,omitempty"`

	// AllowedPodOperations says what the requester and participants may do
	// with the debug pods. Defaults: exec, attach and portForward on, logs
	// off.
	// +optional
	AllowedPodOperations *AllowedPodOperations `json:"allowedPodOperations,omitempty"`

	// ResourceQuota, when set, is created in the target namespace for each
	// session.
	// +optional
	ResourceQuota *SessionResourceQuota `json:"resourceQuota,omitempty"`

	// PodDisruptionBudget, when set, is created for each session's pods.
	// +optional
	PodDisruptionBudget *SessionPodDisruptionBudget `json:"podDisruptionBudget,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:resource:scope=Namespaced,categories=breakglass,shortName=dst
// +kubebuilder:printcolumn:name="Display Name",type=string,JSONPath=`.spec.displayName`
// +kubebuilder:printcolumn:name="Workload",type=string,JSONPath=`.spec.workloadType`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// A DebugSessionTemplate describes a kind of debug session: its pod template,
// who may use it, approval and limits.
type DebugSessionTemplate struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec DebugSessionTemplateSpec `json:"spec,omitempty"`
}

// PodTemplateMetadata holds the labels and annotations of debug pods.
//
// It is not metav1.ObjectMeta because a CRD schema generated from an embedded
// ObjectMeta has no properties, and the API server would prune the labels.
type PodTemplateMetadata struct {
	// Labels added to debug pods.
	// +optional
	Labels LabelSet `json:"labels,omitempty"`

	// Annotations added to debug pods.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
}

// PodTemplate is the pod of a debug session.
type PodTemplate struct {
	// Metadata of the pods.
	// +optional
	Metadata PodTemplateMetadata `json:"metadata,omitempty"`

	// Spec of the pods.
	Spec corev1.PodSpec `json:"spec"`
}

// DebugPodTemplateSpec is a debug pod and the resources it may need.
type DebugPodTemplateSpec struct {
	// DisplayName is a human-friendly name.
	// +optional
	DisplayName string `json:"displayName,omitempty"`

	// Description says what the pod is for.
	// +optional
	Description string `json:"description,omitempty"`

	// Template of the debug pods.
	Template PodTemplate `json:"template"`

	// AuxiliaryResources are deployed with the pods when their category is
	// enabled.
	// +optional
	AuxiliaryResources AuxiliaryResources `json:"auxiliaryResources,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:resource:scope=Namespaced,categories=breakglass,shortName=dpt
// +kubebuilder:printcolumn:name="Display Name",type=string,JSONPath=`.spec.displayName`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// A DebugPodTemplate is a reusable debug pod with optional auxiliary
// resources.
type DebugPodTemplate struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec DebugPodTemplateSpec `json:"spec,omitempty"`
}

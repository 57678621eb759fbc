package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Labels the function reads and writes.
const (
	// LabelCluster on a DebugSession must equal spec.cluster. Sessions are
	// looked up by it when concurrency is limited.
	LabelCluster = "breakglass.telekom.de/cluster"
	// LabelSession names the session on every object it creates.
	LabelSession = "breakglass.telekom.de/session"
	// LabelSessionNamespace is the namespace of the session.
	LabelSessionNamespace = "breakglass.telekom.de/session-namespace"
	// LabelSessionType is always "debug".
	LabelSessionType = "breakglass.telekom.de/session-type"
	// LabelTemplate names the session's template.
	LabelTemplate = "breakglass.telekom.de/template"
	// LabelManagedBy is the standard managed-by label.
	LabelManagedBy = "app.kubernetes.io/managed-by"
	// ManagedBy is the value of LabelManagedBy.
	ManagedBy = "function-debug-session"
)

// Annotations the function writes on every object of a session, so that
// whoever finds a debug pod or one of its resources on a target cluster can
// tell who asked for it and why.
const (
	// AnnotationRequestedBy is the session's spec.requestedBy.
	AnnotationRequestedBy = "breakglass.telekom.de/requested-by"
	// AnnotationSourceSession is the session's namespace/name.
	AnnotationSourceSession = "breakglass.telekom.de/source-session"
	// AnnotationReason is the session's spec.reason, when it has one.
	AnnotationReason = "breakglass.telekom.de/reason"
)

// ApprovalDecision is an approver's decision.
// +kubebuilder:validation:Enum=Approved;Rejected
type ApprovalDecision string

// Approval decisions.
const (
	ApprovalApproved ApprovalDecision = "Approved"
	ApprovalRejected ApprovalDecision = "Rejected"
)

// Approval is written by an approver.
type Approval struct {
	// Decision is Approved or Rejected.
	Decision ApprovalDecision `json:"decision"`

	// ApprovedBy is the approver's identity.
	ApprovedBy string `json:"approvedBy"`

	// ApproverGroups are the approver's groups.
	// +optional
	ApproverGroups []string `json:"approverGroups,omitempty"`

	// Reason for the decision.
	// +optional
	Reason string `json:"reason,omitempty"`
}

// DebugSessionSpec is what a user asks for.
type DebugSessionSpec struct {
	// TemplateRef names the DebugSessionTemplate. An empty namespace means
	// the function's configNamespace.
	TemplateRef ObjectReference `json:"templateRef"`

	// Cluster the session runs on.
	// +kubebuilder:validation:MinLength=1
	Cluster string `json:"cluster"`

	// RequestedBy is the requester's identity.
	// +kubebuilder:validation:MinLength=1
	RequestedBy string `json:"requestedBy"`

	// RequesterGroups are the requester's groups.
	// +optional
	RequesterGroups []string `json:"requesterGroups,omitempty"`

	// Reason for the session, for example an incident number.
	// +optional
	Reason string `json:"reason,omitempty"`

	// Duration of the session, as a Go duration ("1h").
	// +optional
	Duration string `json:"duration,omitempty"`

	// NodeSelector narrows the nodes debug pods run on, when the binding
	// allows it.
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`

	// SchedulingOption picks one of the scheduling options of the binding,
	// or of the template when no binding sets any. An approver approves it
	// with the session, so it cannot change after the session is created.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	SchedulingOption string `json:"schedulingOption,omitempty"`

	// TargetNamespace asks for the namespace the debug pods run in, when the
	// namespace constraints allow a choice. An approver approves it with the
	// session, so it cannot change after the session is created.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	TargetNamespace string `json:"targetNamespace,omitempty"`

	// BindingRef picks one of the matching bindings explicitly.
	// +optional
	BindingRef *ObjectReference `json:"bindingRef,omitempty"`

	// Renewals is raised by one to renew the session.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Renewals int32 `json:"renewals,omitempty"`

	// Terminate ends the session early.
	// +optional
	Terminate bool `json:"terminate,omitempty"`

	// Participants may use the debug pods with the requester. An approver
	// approves them with the session, so they cannot change after it is
	// created.
	// +optional
	Participants *Participants `json:"participants,omitempty"`

	// Approval is written by an approver.
	// +optional
	Approval *Approval `json:"approval,omitempty"`
}

// Participants are users and groups that may use a session's debug pods
// with its requester.
type Participants struct {
	// Users, by exact username.
	// +optional
	Users []string `json:"users,omitempty"`

	// Groups, by exact name. Every member may use the pods.
	// +optional
	Groups []string `json:"groups,omitempty"`
}

// State of a session.
// +kubebuilder:validation:Enum=Pending;PendingApproval;Queued;Active;Expired;Terminated;Rejected;Denied;Failed
type State string

// Session states.
const (
	StatePending         State = "Pending"
	StatePendingApproval State = "PendingApproval"
	StateQueued          State = "Queued"
	StateActive          State = "Active"
	StateExpired         State = "Expired"
	StateTerminated      State = "Terminated"
	StateRejected        State = "Rejected"
	StateDenied          State = "Denied"
	StateFailed          State = "Failed"
)

// Ended reports whether a session in this state has ended for good.
func (s State) Ended() bool {
	switch s {
	case StateExpired, StateTerminated, StateRejected, StateDenied, StateFailed:
		return true
	case StatePending, StatePendingApproval, StateQueued, StateActive:
		return false
	}
	return false
}

// BindingStatus names the binding that applied to a session.
type BindingStatus struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Priority  int32  `json:"priority"`
	// DisplayName is the template's display name as this binding shows it,
	// set only when a binding gives it a displayNamePrefix.
	// +optional
	DisplayName string `json:"displayName,omitempty"`
}

// ApprovalStatus says whether approval is required and by whom.
type ApprovalStatus struct {
	Required       bool     `json:"required"`
	ApproverGroups []string `json:"approverGroups,omitempty"`
	ApproverUsers  []string `json:"approverUsers,omitempty"`
	ApprovedBy     string   `json:"approvedBy,omitempty"`
}

// ConstraintsStatus are the effective limits of a session.
type ConstraintsStatus struct {
	MaxDuration           string `json:"maxDuration,omitempty"`
	DefaultDuration       string `json:"defaultDuration,omitempty"`
	MaxConcurrentSessions *int32 `json:"maxConcurrentSessions,omitempty"`
	MaxRenewals           *int32 `json:"maxRenewals,omitempty"`
}

// SchedulingStatus describes, in plain words, where debug pods may run.
type SchedulingStatus struct {
	// Option is the scheduling option in force, when there is one.
	Option             string            `json:"option,omitempty"`
	Summary            string            `json:"summary,omitempty"`
	RequiredNodeLabels map[string]string `json:"requiredNodeLabels,omitempty"`
	DeniedNodeLabels   map[string]string `json:"deniedNodeLabels,omitempty"`
	DeniedNodes        []string          `json:"deniedNodes,omitempty"`
}

// WorkloadStatus names the debug workload.
type WorkloadStatus struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

// AuxiliaryResourceStatus reports one auxiliary resource.
type AuxiliaryResourceStatus struct {
	Name     string `json:"name"`
	Kind     string `json:"kind,omitempty"`
	Category string `json:"category,omitempty"`
	Phase    string `json:"phase,omitempty"`
	Message  string `json:"message,omitempty"`
}

// DebugSessionStatus is written only by the function.
type DebugSessionStatus struct {
	State              State                     `json:"state,omitempty"`
	Message            string                    `json:"message,omitempty"`
	Template           *ObjectReference          `json:"template,omitempty"`
	Binding            *BindingStatus            `json:"binding,omitempty"`
	TargetNamespace    string                    `json:"targetNamespace,omitempty"`
	Approval           *ApprovalStatus           `json:"approval,omitempty"`
	ActivatedAt        string                    `json:"activatedAt,omitempty"`
	ExpiresAt          string                    `json:"expiresAt,omitempty"`
	RenewalsUsed       int32                     `json:"renewalsUsed,omitempty"`
	Constraints        *ConstraintsStatus        `json:"constraints,omitempty"`
	Scheduling         *SchedulingStatus         `json:"scheduling,omitempty"`
	Workload           *WorkloadStatus           `json:"workload,omitempty"`
	AuxiliaryResources []AuxiliaryResourceStatus `json:"auxiliaryResources,omitempty"`
	// AllowedPodOperations are what the requester and participants may do
	// with the debug pods.
	AllowedPodOperations *PodOperations `json:"allowedPodOperations,omitempty"`
	// Participants who may use the debug pods with the requester.
	Participants *Participants `json:"participants,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:resource:scope=Namespaced,categories=breakglass,shortName=dbgs

// A DebugSession asks for a debug workload on a cluster for a while. It is a
// Crossplane composite resource; this type is the source of its XRD schema.
type DebugSession struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   DebugSessionSpec   `json:"spec"`
	Status DebugSessionStatus `json:"status,omitempty"`
}

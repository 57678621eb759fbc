package available

import (
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// TemplateList is the answer of GET /api/v1/debug-sessions/templates.
type TemplateList struct {
	Templates []Template `json:"templates"`
	Total     int        `json:"total"`
}

// A Template the user may use on at least one cluster.
type Template struct {
	Name            string `json:"name"`
	Namespace       string `json:"namespace"`
	DisplayName     string `json:"displayName,omitempty"`
	Description     string `json:"description,omitempty"`
	WorkloadType    string `json:"workloadType"`
	TargetNamespace string `json:"targetNamespace,omitempty"`
	// Constraints of the template itself; a binding may change them per
	// cluster (see Cluster.Constraints).
	Constraints *v1alpha1.Constraints `json:"constraints,omitempty"`
	// RequiresApproval is true when a session of this user needs approval
	// on at least one of the clusters.
	RequiresApproval      bool `json:"requiresApproval"`
	HasAvailableClusters  bool `json:"hasAvailableClusters"`
	AvailableClusterCount int  `json:"availableClusterCount"`

	// priority orders the list: the highest priority of the bindings that
	// give the user the template.
	priority int32
}

// ClusterList is the answer of GET
// /api/v1/debug-sessions/templates/{name}/clusters.
type ClusterList struct {
	TemplateName        string    `json:"templateName"`
	TemplateDisplayName string    `json:"templateDisplayName,omitempty"`
	Clusters            []Cluster `json:"clusters"`
}

// A Cluster the user may use a template on, with what would apply there.
type Cluster struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName,omitempty"`
	Environment string `json:"environment,omitempty"`
	Location    string `json:"location,omitempty"`
	// BindingRef is the binding that applies; absent when the template
	// applies alone.
	BindingRef      *BindingRef           `json:"bindingRef,omitempty"`
	TargetNamespace string                `json:"targetNamespace"`
	Constraints     *v1alpha1.Constraints `json:"constraints,omitempty"`
	// MaxActiveSessionsPerUser and MaxActiveSessionsTotal are the smallest
	// caps of the bindings that apply: more sessions than that (of the user,
	// or of everyone) never run at once through them; the rest wait, Queued.
	MaxActiveSessionsPerUser *int32      `json:"maxActiveSessionsPerUser,omitempty"`
	MaxActiveSessionsTotal   *int32      `json:"maxActiveSessionsTotal,omitempty"`
	SchedulingConstraints    *Scheduling `json:"schedulingConstraints,omitempty"`
	// SchedulingOptions the user may pick with spec.schedulingOption.
	// SchedulingConstraints are those of the default option, or of the
	// first listed when options are required and there is no usable
	// default.
	SchedulingOptions []string `json:"schedulingOptions,omitempty"`
	Approval          Approval `json:"approval"`
	// RequiredAuxiliaryResourceCategories are the categories of the
	// auxiliary resources a session deploys.
	//
	// Resolution warnings are left out on purpose: they may name bindings
	// of other tenants.
	RequiredAuxiliaryResourceCategories []string `json:"requiredAuxiliaryResourceCategories,omitempty"`
}

// BindingRef names a DebugSessionClusterBinding.
type BindingRef struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Priority  int32  `json:"priority"`
	// DisplayName is the template's display name on this cluster when a
	// binding gives it a displayNamePrefix; the template list and
	// templateDisplayName keep the template's own, which is the same on
	// every cluster.
	DisplayName string `json:"displayName,omitempty"`
}

// Scheduling says where debug pods may run, in plain words and in detail.
type Scheduling struct {
	Summary            string            `json:"summary,omitempty"`
	RequiredNodeLabels map[string]string `json:"requiredNodeLabels,omitempty"`
	DeniedNodeLabels   map[string]string `json:"deniedNodeLabels,omitempty"`
	DeniedNodes        []string          `json:"deniedNodes,omitempty"`
	Tolerations        []Toleration      `json:"tolerations,omitempty"`
}

// A Toleration the debug pods carry.
type Toleration struct {
	Key      string `json:"key,omitempty"`
	Operator string `json:"operator,omitempty"`
	Value    string `json:"value,omitempty"`
	Effect   string `json:"effect,omitempty"`
}

// Approval says whether a session of this user needs approval and from
// whom.
type Approval struct {
	Required       bool     `json:"required"`
	ApproverGroups []string `json:"approverGroups,omitempty"`
	ApproverUsers  []string `json:"approverUsers,omitempty"`
	// CanAutoApprove is true when approvers are configured but this user
	// is approved automatically.
	CanAutoApprove bool `json:"canAutoApprove"`
}

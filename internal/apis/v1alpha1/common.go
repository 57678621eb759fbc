package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// WorkloadType is the kind of workload that runs the debug pods.
// +kubebuilder:validation:Enum=DaemonSet;Deployment;Job
type WorkloadType string

// Workload types.
const (
	WorkloadTypeDaemonSet  WorkloadType = "DaemonSet"
	WorkloadTypeDeployment WorkloadType = "Deployment"
	WorkloadTypeJob        WorkloadType = "Job"
)

// Bounds of a Job's backoffLimit.
const (
	// DefaultBackoffLimit is how often a debug Job retries a failed pod
	// when its template does not say.
	DefaultBackoffLimit int32 = 3
	// MaxBackoffLimit bounds a template's backoffLimit: every retry is a
	// new pod on the target cluster.
	MaxBackoffLimit int32 = 10
)

// Allowed says who may use a template, and where.
type Allowed struct {
	// Clusters the template may be used on, as glob patterns (`*`, `?`,
	// `[...]`). Only consulted when no binding applies to the cluster.
	// +optional
	Clusters Globs `json:"clusters,omitempty"`

	// Groups whose members may request a session, as glob patterns.
	// +optional
	Groups Globs `json:"groups,omitempty"`

	// Users who may request a session, as glob patterns. An entry without
	// glob metacharacters matches case-insensitively.
	// +optional
	Users Globs `json:"users,omitempty"`
}

// Approvers says who may approve a session, and who needs no approval.
type Approvers struct {
	// Groups whose members may approve.
	// +optional
	Groups []string `json:"groups,omitempty"`

	// Users who may approve.
	// +optional
	Users []string `json:"users,omitempty"`

	// AutoApproveFor lists requesters and clusters that need no approval.
	// +optional
	AutoApproveFor *AutoApproveFor `json:"autoApproveFor,omitempty"`
}

// AutoApproveFor lists requester groups and clusters that are approved
// automatically.
type AutoApproveFor struct {
	// Groups (exact names) whose members are approved automatically.
	// +optional
	Groups []string `json:"groups,omitempty"`

	// Clusters (glob patterns) on which sessions are approved automatically.
	// +optional
	Clusters Globs `json:"clusters,omitempty"`
}

// Constraints limit how long and how often a template may be used.
// +kubebuilder:validation:XValidation:rule=`!has(self.maxDuration) || !has(self.defaultDuration) || !self.maxDuration.matches(r'^(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$') || !self.defaultDuration.matches(r'^(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$') || duration(self.defaultDuration) <= duration(self.maxDuration)`,message="defaultDuration must not be longer than maxDuration",fieldPath=`.defaultDuration`
type Constraints struct {
	// MaxDuration is the longest session that may be requested, and the cap
	// on a session's total time including renewals, as a Go duration ("2h").
	// +optional
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule=`self.matches(r'^(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$') && duration(self) > duration('0s')`,message="maxDuration must be a positive duration such as 30m, 2h or 1h30m"
	MaxDuration string `json:"maxDuration,omitempty"`

	// DefaultDuration applies when a session does not ask for a duration.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule=`self.matches(r'^(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$') && duration(self) > duration('0s')`,message="defaultDuration must be a positive duration such as 30m, 2h or 1h30m"
	DefaultDuration string `json:"defaultDuration,omitempty"`

	// MaxConcurrentSessions limits the Active sessions of this template on
	// one cluster. Later sessions are Queued.
	// +optional
	// +kubebuilder:validation:Minimum=1
	MaxConcurrentSessions *int32 `json:"maxConcurrentSessions,omitempty"`

	// MaxRenewals limits how often a session may be renewed.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MaxRenewals *int32 `json:"maxRenewals,omitempty"`

	// AllowRenewal permits renewals at all. Defaults to true.
	// +optional
	AllowRenewal *bool `json:"allowRenewal,omitempty"`

	// ApprovalTimeout is how long a session may wait for approval before it
	// fails. Defaults to 24h.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule=`self.matches(r'^(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$') && duration(self) > duration('0s')`,message="approvalTimeout must be a positive duration such as 30m, 2h or 1h30m"
	ApprovalTimeout string `json:"approvalTimeout,omitempty"`
}

// SchedulingConstraints are mandatory scheduling rules for debug pods. They
// are applied after the pod template and the user's request, and nothing can
// weaken them.
type SchedulingConstraints struct {
	// RequiredNodeAffinity is AND-ed with every other required affinity.
	// +optional
	RequiredNodeAffinity *corev1.NodeSelector `json:"requiredNodeAffinity,omitempty"`

	// PreferredNodeAffinity is appended to the pod's preferences.
	// +optional
	// +kubebuilder:validation:MaxItems=32
	PreferredNodeAffinity []corev1.PreferredSchedulingTerm `json:"preferredNodeAffinity,omitempty"`

	// RequiredPodAntiAffinity is appended to the pod's hard anti-affinity.
	// +optional
	// +kubebuilder:validation:MaxItems=32
	RequiredPodAntiAffinity []corev1.PodAffinityTerm `json:"requiredPodAntiAffinity,omitempty"`

	// PreferredPodAntiAffinity is appended to the pod's soft anti-affinity.
	// +optional
	// +kubebuilder:validation:MaxItems=32
	PreferredPodAntiAffinity []corev1.WeightedPodAffinityTerm `json:"preferredPodAntiAffinity,omitempty"`

	// NodeSelector entries are mandatory node labels.
	// +optional
	NodeSelector LabelSet `json:"nodeSelector,omitempty"`

	// Tolerations are added to the pod's tolerations.
	// +optional
	// +kubebuilder:validation:MaxItems=64
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`

	// TopologySpreadConstraints are added to the pod's constraints.
	// +optional
	// +kubebuilder:validation:MaxItems=16
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`

	// DeniedNodes are node names, or glob patterns of node names, that must
	// never run debug pods.
	// +optional
	DeniedNodes Globs `json:"deniedNodes,omitempty"`

	// DeniedNodeLabels excludes nodes carrying these labels. A value of "*"
	// excludes every node with the key, whatever its value.
	// +optional
	DeniedNodeLabels DeniedLabels `json:"deniedNodeLabels,omitempty"`
}

// FailurePolicy says what happens when an auxiliary resource cannot be
// rendered.
// +kubebuilder:validation:Enum=fail;ignore
type FailurePolicy string

// Failure policies.
const (
	FailurePolicyFail   FailurePolicy = "fail"
	FailurePolicyIgnore FailurePolicy = "ignore"
)

// AuxiliaryResource is a Kubernetes object deployed with the debug pods.
//
// createBefore holds the debug workload back until the resource is ready,
// and the function observes readiness as "applied" for every kind except a
// DaemonSet or Deployment, whose pods must be available. For kinds that run
// something to completion or on their own (Pod, Job, CronJob, StatefulSet,
// ReplicaSet, ReplicationController) "applied" says nothing about whether
// they are ready, so the admission policy refuses createBefore, which is the
// default, for them. A kind written as a template action is only known after
// rendering and is not checked.
type AuxiliaryResource struct {
	// Name identifies the resource within its source. It names the composed
	// resource, so it must stay stable.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:XValidation:rule=`!format.dns1123Label().validate(self).hasValue()`,message="name must be a DNS label: at most 63 lower-case letters, digits or '-', starting and ending with a letter or digit"
	Name string `json:"name"`

	// Description says what the resource is for.
	// +optional
	Description string `json:"description,omitempty"`

	// Category groups resources that are switched on and off together.
	// +optional
	Category string `json:"category,omitempty"`

	// RequiresApproval forces approval of a session that enables this
	// resource, even when the requester would be approved automatically.
	// +optional
	RequiresApproval bool `json:"requiresApproval,omitempty"`

	// CreateBefore creates the resource before the debug pods. Defaults to true.
	// +optional
	CreateBefore *bool `json:"createBefore,omitempty"`

	// DeleteAfter deletes the resource when the session ends. Defaults to true.
	// +optional
	DeleteAfter *bool `json:"deleteAfter,omitempty"`

	// FailurePolicy says whether a resource that cannot be rendered fails the
	// session (fail, the default) or is skipped (ignore).
	// +optional
	FailurePolicy FailurePolicy `json:"failurePolicy,omitempty"`

	// Template is the object to create. Every string in it is a Go template.
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	// +kubebuilder:validation:Type=object
	Template runtime.RawExtension `json:"template"`
}

// ObjectReference names an object. An empty namespace means a default that
// depends on where the reference is used.
type ObjectReference struct {
	// Name of the object.
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`

	// Namespace of the object.
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// LocalObjectReference names an object in a known namespace.
type LocalObjectReference struct {
	// Name of the object.
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`
}

// AllowedPodOperations says what a session's requester and participants may
// do with its debug pods. An unset field takes the template's value; on a
// template, exec, attach and portForward default to true and logs to false.
// A binding can only narrow the template: a true where the template says
// false is ignored with a warning.
type AllowedPodOperations struct {
	// Exec allows kubectl exec (pods/exec).
	// +optional
	Exec *bool `json:"exec,omitempty"`

	// Attach allows kubectl attach (pods/attach).
	// +optional
	Attach *bool `json:"attach,omitempty"`

	// PortForward allows kubectl port-forward (pods/portforward), and
	// pods/proxy to the session's pods for whoever is granted it otherwise.
	// +optional
	PortForward *bool `json:"portForward,omitempty"`

	// Logs allows kubectl logs (pods/log). Reading logs is a GET, which no
	// admission policy sees, so the grant covers every pod in the target
	// namespace, not only the session's: it is off unless the template
	// turns it on.
	// +optional
	Logs *bool `json:"logs,omitempty"`
}

// PodOperations is the effective set of pod operations of a session.
type PodOperations struct {
	Exec        bool `json:"exec"`
	Attach      bool `json:"attach"`
	PortForward bool `json:"portForward"`
	Logs        bool `json:"logs"`
}

// SessionResourceQuota is a ResourceQuota created in the target namespace for
// each session. A quota counts every pod in its namespace, not only the
// session's: when sessions share a target namespace, each session's quota
// bounds them all together.
type SessionResourceQuota struct {
	// MaxPods limits the number of pods (hard pods).
	// +optional
	// +kubebuilder:validation:Minimum=0
	MaxPods *int32 `json:"maxPods,omitempty"`

	// MaxCPU limits the sum of CPU limits (hard limits.cpu). Every
	// container of the debug pod must then set a CPU limit.
	// +optional
	MaxCPU *resource.Quantity `json:"maxCPU,omitempty"`

	// MaxMemory limits the sum of memory limits (hard limits.memory). Every
	// container of the debug pod must then set a memory limit.
	// +optional
	MaxMemory *resource.Quantity `json:"maxMemory,omitempty"`

	// MaxStorage limits the sum of ephemeral storage limits (hard
	// limits.ephemeral-storage). Every container of the debug pod must then
	// set an ephemeral-storage limit.
	// +optional
	MaxStorage *resource.Quantity `json:"maxStorage,omitempty"`
}

// SessionPodDisruptionBudget is a PodDisruptionBudget for a session's debug
// pods. Set exactly one of minAvailable and maxUnavailable.
// +kubebuilder:validation:XValidation:rule="has(self.minAvailable) != has(self.maxUnavailable)",message="set exactly one of minAvailable and maxUnavailable"
type SessionPodDisruptionBudget struct {
	// MinAvailable pods, a number or a percentage.
	// +optional
	MinAvailable *intstr.IntOrString `json:"minAvailable,omitempty"`

	// MaxUnavailable pods, a number or a percentage. Kubernetes can only
	// compute it for pods of a controller with a scale subresource, so it
	// needs workloadType Deployment.
	// +optional
	MaxUnavailable *intstr.IntOrString `json:"maxUnavailable,omitempty"`
}

// SchedulingOptions let a session pick one of several placements, such as
// a GPU pool or a dedicated node group. A chosen option's constraints are
// AND-ed with the mandatory schedulingConstraints; an option can only add
// restrictions, never lift one.
// +kubebuilder:validation:XValidation:rule=`self.options.all(o, self.options.exists_one(p, p.name == o.name))`,message="option names must be unique"
// +kubebuilder:validation:XValidation:rule=`self.options.filter(o, has(o.default) && o.default).size() <= 1`,message="at most one option may be the default"
type SchedulingOptions struct {
	// Required means every session uses an option: the default when the
	// session names none. A binding cannot turn a template's required off.
	// +optional
	Required bool `json:"required,omitempty"`

	// Options a session may pick with spec.schedulingOption.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	Options []SchedulingOption `json:"options"`
}

// SchedulingOption is one placement a session may pick.
type SchedulingOption struct {
	// Name is what a session sets in spec.schedulingOption.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:XValidation:rule=`!format.dns1123Label().validate(self).hasValue()`,message="name must be a DNS label: at most 63 lower-case letters, digits or '-', starting and ending with a letter or digit"
	Name string `json:"name"`

	// DisplayName is a human-friendly name.
	// +optional
	DisplayName string `json:"displayName,omitempty"`

	// Description says when to pick this option.
	// +optional
	Description string `json:"description,omitempty"`

	// Default is used when options are required and a session names none.
	// +optional
	Default bool `json:"default,omitempty"`

	// SchedulingConstraints are added to the mandatory constraints when
	// this option is picked.
	// +optional
	SchedulingConstraints *SchedulingConstraints `json:"schedulingConstraints,omitempty"`

	// AllowedUsers may pick this option, as glob patterns. When neither
	// allowedUsers nor allowedGroups is set, every requester may.
	// +optional
	AllowedUsers Globs `json:"allowedUsers,omitempty"`

	// AllowedGroups whose members may pick this option, as glob patterns.
	// +optional
	AllowedGroups Globs `json:"allowedGroups,omitempty"`
}

// NamespaceConstraints say which namespaces of the target cluster a session
// may run in. A binding only narrows its template: denied namespaces of
// every layer are denied, and a namespace must be allowed by every layer
// that lists allowed ones.
type NamespaceConstraints struct {
	// AllowedNamespaces, when set, are the only namespaces sessions may use.
	// +optional
	AllowedNamespaces *NamespaceFilter `json:"allowedNamespaces,omitempty"`

	// DeniedNamespaces are never used, whatever else allows them.
	// +optional
	DeniedNamespaces *NamespaceFilter `json:"deniedNamespaces,omitempty"`

	// DefaultNamespace is where sessions run when they ask for none. It
	// takes precedence over targetNamespace.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:XValidation:rule=`!format.dns1123Label().validate(self).hasValue()`,message="defaultNamespace must be a namespace name (a DNS label)"
	DefaultNamespace string `json:"defaultNamespace,omitempty"`

	// AllowUserNamespace lets a session choose its namespace with
	// spec.targetNamespace. Only a template can allow it; a binding can
	// only turn it off.
	// +optional
	AllowUserNamespace *bool `json:"allowUserNamespace,omitempty"`
}

// NamespaceFilter matches namespaces by name pattern or by labels. A
// namespace matches when a pattern matches its name or any selector term
// matches its labels. Labels of namespaces on a target cluster are those the
// ClusterConfig lists in spec.namespaceLabels.
type NamespaceFilter struct {
	// Patterns of namespace names, as glob patterns.
	// +optional
	Patterns Globs `json:"patterns,omitempty"`

	// SelectorTerms over namespace labels; any term may match.
	// +optional
	// +kubebuilder:validation:MaxItems=16
	SelectorTerms []NamespaceSelectorTerm `json:"selectorTerms,omitempty"`
}

// NamespaceSelectorTerm matches namespace labels: every matchLabels entry
// and every matchExpressions requirement must hold.
type NamespaceSelectorTerm struct {
	// MatchLabels are labels the namespace must carry.
	// +optional
	MatchLabels LabelSet `json:"matchLabels,omitempty"`

	// MatchExpressions are label requirements (In, NotIn, Exists,
	// DoesNotExist).
	// +optional
	// +kubebuilder:validation:MaxItems=16
	MatchExpressions []metav1.LabelSelectorRequirement `json:"matchExpressions,omitempty"`
}

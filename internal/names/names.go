// Package names is every name the function makes up: the composition
// resource names Crossplane matches desired to observed resources by, the
// names of the objects it creates on the target cluster, and the one hash
// that keeps them unique and stable.
//
// Crossplane matches desired to observed composed resources by composition
// resource name alone. Renaming one makes Crossplane delete the old composed
// resource and create a new one, which for the workload means killing the
// debug pods of a running session. Treat every name here as an API: never
// change how one is made.
package names

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/crossplane/function-sdk-go/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Composition resource names of the objects every session may have.
const (
	// WorkloadResource is the DaemonSet, Deployment or Job running the debug
	// pods.
	WorkloadResource resource.Name = "workload"

	// DeniedNodesPolicyResource is the ValidatingAdmissionPolicy that keeps
	// the session's pods off nodes denied by glob.
	DeniedNodesPolicyResource resource.Name = "policy-denied-nodes"

	// DeniedNodesPolicyBindingResource binds DeniedNodesPolicyResource.
	DeniedNodesPolicyBindingResource resource.Name = "policy-denied-nodes-binding"

	// PodAccessPolicyResource is the ValidatingAdmissionPolicy that confines
	// connections to the session's pods to its members, and its members'
	// grant to the session's pods.
	PodAccessPolicyResource resource.Name = "policy-pod-access"

	// PodAccessPolicyBindingResource binds PodAccessPolicyResource.
	PodAccessPolicyBindingResource resource.Name = "policy-pod-access-binding"

	// PodAccessRoleResource and PodAccessRoleBindingResource grant the
	// session's members the allowed operations on pods.
	PodAccessRoleResource        resource.Name = "pod-access-role"
	PodAccessRoleBindingResource resource.Name = "pod-access-rolebinding"

	// ResourceQuotaResource is the session's ResourceQuota.
	ResourceQuotaResource resource.Name = "resource-quota"

	// DisruptionBudgetResource is the session's PodDisruptionBudget.
	DisruptionBudgetResource resource.Name = "pod-disruption-budget"
)

// hashLength is enough to keep the names of one session, or of the sessions
// sharing a target namespace, apart.
const hashLength = 8

// Hash returns the first 8 hex digits of the SHA-256 of s: the suffix or
// infix that keeps made-up names unique without making them depend on order.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:hashLength]
}

// Sources of auxiliary resources, as they appear in composition resource
// names.
const (
	SourcePodTemplate = "podtemplate"
	SourceTemplate    = "template"
	SourceBinding     = "binding"
)

// AuxiliaryResource returns the composition resource name of the auxiliary
// resource named name in the template of its source:
//
//	aux-podtemplate-<name>, aux-template-<name>, or
//	aux-binding-<Hash(namespace/name of the binding)>-<name>.
//
// The source keeps a pod template's and a binding's resources of the same
// name apart; the hash does the same for two bindings without making names
// depend on the order of bindings. owner is the binding's namespace/name and
// is ignored for the other sources.
//
// The result is always a DNS-1123 label, so that it reads well in
// Crossplane's "Unready resources: …" messages and can be used as a label
// value. A name that is already valid in that form is kept as it is. Any
// other name is lowercased, stripped of other characters and shortened, and
// gets a hash of the original name appended, so that two names that clean up
// to the same text still get different, stable names.
func AuxiliaryResource(source, owner, name string) resource.Name {
	prefix := source + "-"
	if source == SourceBinding {
		prefix += Hash(owner) + "-"
	}
	return resource.Name(auxiliaryLabel(prefix + name))
}

// auxiliaryLabel is "aux-" and name, made a stable DNS label.
func auxiliaryLabel(name string) string {
	const prefix = "aux-"
	full := prefix + name
	if name != "" && len(validation.IsDNS1123Label(full)) == 0 {
		return full
	}
	suffix := "-" + Hash(name)
	clean := cleanLabel(name)
	if room := validation.DNS1123LabelMaxLength - len(prefix) - len(suffix); len(clean) > room {
		clean = strings.TrimRight(clean[:room], "-")
	}
	if clean == "" {
		// Nothing usable is left of the name: the hash alone names it.
		return prefix + suffix[1:]
	}
	return prefix + clean + suffix
}

// cleanLabel lowercases s and replaces every run of characters that a DNS
// label cannot hold with a single '-', without a leading or trailing '-'.
func cleanLabel(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

const (
	workloadPrefix = "debug-"
	// maxWorkloadLength keeps "<workload>-" whole at the start of every
	// debug pod's name. Pods of a DaemonSet or a Job are generated from
	// "<workload>-", and pods of a Deployment from "<workload>-<hash>-", and
	// the API server keeps only the first 58 characters of a generated
	// name's base. Every per-session admission policy on the target cluster
	// recognises the session's pods by that prefix (a pods/binding request
	// shows nothing but the pod's name), so a longer workload name would let
	// its pods escape them.
	maxWorkloadLength = maxGeneratedNameBase - 1
	// maxGeneratedNameBase is how much of a generateName the API server
	// keeps: 63 characters less the 5 random ones it appends.
	maxGeneratedNameBase = validation.DNS1123LabelMaxLength - 5

	deniedNodesPolicySuffix = "-denied-nodes"
)

// Workload returns the name of a session's workload: debug-<session>-<hash>,
// at most 57 characters. The hash of the session's namespace and name keeps
// names of sessions with the same name in different namespaces apart, and
// keeps a truncated name unique.
func Workload(sessionNamespace, sessionName string) string {
	suffix := "-" + Hash(sessionNamespace+"/"+sessionName)
	base := strings.ToLower(strings.ReplaceAll(sessionName, ".", "-"))
	if room := maxWorkloadLength - len(workloadPrefix) - len(suffix); len(base) > room {
		base = base[:room]
	}
	base = strings.TrimRight(base, "-")
	return workloadPrefix + base + suffix
}

// PodAccess returns the name of a session's pod access Role, RoleBinding,
// ValidatingAdmissionPolicy and policy binding: they are of different kinds,
// so they share it.
func PodAccess(workload string) string { return workload + "-pod-access" }

// Quota returns the name of a session's ResourceQuota.
func Quota(workload string) string { return workload + "-quota" }

// DisruptionBudget returns the name of a session's PodDisruptionBudget.
func DisruptionBudget(workload string) string { return workload + "-pdb" }

// DeniedNodesPolicy returns the name of the ValidatingAdmissionPolicy, and of
// its binding, that keeps the pods of workload off denied nodes. Policies are
// cluster-scoped; the workload name is unique per session.
func DeniedNodesPolicy(workload string) string {
	return workload + deniedNodesPolicySuffix
}

package scheduling

import (
	"maps"
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/glob"
	"github.com/k8s-breakglass/function-debug-session/internal/names"
)

// AdmissionTarget identifies a session's debug pods on the target cluster.
type AdmissionTarget struct {
	// Session names the DebugSession in messages, as namespace/name.
	Session string
	// Workload is the name of the debug workload. Every debug pod's name
	// starts with it and a dash: DaemonSet and Job pods are named
	// <workload>-<random>, Deployment pods <workload>-<hash>-<random>.
	Workload string
	// Namespace of the debug pods: the session's target namespace.
	Namespace string
	// Labels for the policy objects: the session's standard labels.
	Labels map[string]string
}

// NodeAdmission holds the objects that enforce glob patterns in deniedNodes
// on the target cluster: a ValidatingAdmissionPolicy and its binding,
// both admissionregistration.k8s.io/v1 and cluster-scoped.
type NodeAdmission struct {
	Policy  *unstructured.Unstructured
	Binding *unstructured.Unstructured
}

// DeniedNodeAdmission returns what enforces the glob patterns in c's
// deniedNodes, which node affinity cannot express (exact names are already
// in the pod spec, see Apply). It returns nil when c has no glob.
//
// With deniedNodeGlobs AdmissionPolicy (the default) that is a
// ValidatingAdmissionPolicy and binding that reject, for this session's
// pods only, a binding to a node whose name matches a pattern and a pod
// created with such a spec.nodeName or pinned to such a node by the node
// affinity the DaemonSet controller injects. With Reject, a glob is a Failed
// error: a pattern is never dropped silently.
func DeniedNodeAdmission(c *v1alpha1.SchedulingConstraints, mode v1beta1.DeniedNodeGlobs, t AdmissionTarget) (*NodeAdmission, error) {
	if c == nil {
		return nil, nil
	}
	_, globs := exactAndGlobs(c.DeniedNodes)
	if len(globs) == 0 {
		return nil, nil
	}
	switch mode {
	case v1beta1.DeniedNodeGlobsReject:
		return nil, failed("", constraintsPath.Child("deniedNodes").String(), "%s: the patterns %s cannot be enforced by node affinity and the function input sets deniedNodeGlobs: %s; list exact node names, or set deniedNodeGlobs: %s",
			constraintsPath.Child("deniedNodes"), quoteAll(globs), v1beta1.DeniedNodeGlobsReject, v1beta1.DeniedNodeGlobsAdmissionPolicy)
	case "", v1beta1.DeniedNodeGlobsAdmissionPolicy:
	default:
		return nil, failed("Input", "deniedNodeGlobs", "the function input's deniedNodeGlobs %q is not supported; use %s or %s", mode, v1beta1.DeniedNodeGlobsAdmissionPolicy, v1beta1.DeniedNodeGlobsReject)
	}
	if t.Workload == "" || t.Namespace == "" {
		return nil, failed("DebugSession "+t.Session, "", "cannot build the denied nodes admission policy of DebugSession %s without the workload name and namespace", t.Session)
	}
	policy, binding, err := deniedNodePolicy(globs, t)
	if err != nil {
		return nil, err
	}
	p, err := toUnstructured(policy)
	if err != nil {
		return nil, err
	}
	b, err := toUnstructured(binding)
	if err != nil {
		return nil, err
	}
	return &NodeAdmission{Policy: p, Binding: b}, nil
}

// deniedNodePolicy builds the typed policy and binding. The CEL follows what
// was measured on a real API server and scheduler:
//
//   - The scheduler binds through pods/binding, but the legacy bindings
//     endpoint does the same and a pods/binding-only rule misses it, so the
//     policy matches pods, pods/binding and bindings.
//   - A Binding carries only the pod's name and target.name, no labels, so
//     the session's pods are recognised by namespace and name prefix, not
//     by an objectSelector.
//   - A plain pod CREATE has no subresource, so a binding is recognised by
//     the object's kind; testing request.subResource alone would treat
//     every pod create as a binding and reject it.
//   - CEL matches() searches, so each glob becomes an anchored RE2.
func deniedNodePolicy(globs []string, t AdmissionTarget) (*admissionregistrationv1.ValidatingAdmissionPolicy, *admissionregistrationv1.ValidatingAdmissionPolicyBinding, error) {
	res := make([]string, 0, len(globs))
	for _, g := range globs {
		re, err := glob.Regexp(g)
		if err != nil {
			return nil, nil, failed("", constraintsPath.Child("deniedNodes").String(), "%s: %v", constraintsPath.Child("deniedNodes"), err)
		}
		res = append(res, re)
	}
	patterns := strings.Join(globs, ", ")
	prefix := t.Workload + "-"
	name := names.DeniedNodesPolicy(t.Workload)
	fail := admissionregistrationv1.Fail
	scope := admissionregistrationv1.NamespacedScope
	forbidden := metav1.StatusReasonForbidden
	equivalent := admissionregistrationv1.Equivalent

	policy := &admissionregistrationv1.ValidatingAdmissionPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: admissionregistrationv1.SchemeGroupVersion.String(), Kind: "ValidatingAdmissionPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: maps.Clone(t.Labels)},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			// A policy that cannot evaluate must not let a pod through.
			FailurePolicy: &fail,
			// The selectors and match policy are what the API server
			// defaults them to; spelled out, the desired object equals
			// the stored one and never looks drifted.
			MatchConstraints: &admissionregistrationv1.MatchResources{
				NamespaceSelector: &metav1.LabelSelector{},
				ObjectSelector:    &metav1.LabelSelector{},
				MatchPolicy:       &equivalent,
				ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
					RuleWithOperations: admissionregistrationv1.RuleWithOperations{
						Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
						Rule: admissionregistrationv1.Rule{
							APIGroups:   []string{""},
							APIVersions: []string{"v1"},
							Resources:   []string{"pods", "pods/binding", "bindings"},
							Scope:       &scope,
						},
					},
				}},
			},
			MatchConditions: []admissionregistrationv1.MatchCondition{
				{Name: "session-namespace", Expression: "request.namespace == " + celString(t.Namespace)},
				{
					// Pods created from generateName are named before
					// validating admission runs; the generateName test is
					// a second line of defence.
					Name: "session-pods",
					Expression: "object.?metadata.?name.orValue(\"\").startsWith(" + celString(prefix) + ") || " +
						"object.?metadata.?generateName.orValue(\"\").startsWith(" + celString(prefix) + ")",
				},
			},
			Variables: []admissionregistrationv1.Variable{
				{Name: "isBinding", Expression: "object.?kind.orValue(\"\") == \"Binding\" || request.kind.kind == \"Binding\""},
				{Name: "nodeName", Expression: "variables.isBinding ? object.?target.?name.orValue(\"\") : object.?spec.?nodeName.orValue(\"\")"},
			},
			Validations: []admissionregistrationv1.Validation{
				{
					Expression: "variables.nodeName == \"\" || !" + matchesAny("variables.nodeName", res),
					Message:    "debug pods of session " + t.Session + " must not run on a node whose name matches " + patterns,
					MessageExpression: celString("debug pods of session "+t.Session+" must not run on node ") + " + variables.nodeName + " +
						celString(": its name matches one of the denied node patterns "+patterns),
					Reason: &forbidden,
				},
				{
					Expression: "variables.isBinding || !object.?spec.?affinity.?nodeAffinity.?requiredDuringSchedulingIgnoredDuringExecution.?nodeSelectorTerms.orValue([]).exists(t, " +
						"t.?matchFields.orValue([]).exists(f, f.key == \"metadata.name\" && f.operator == \"In\" && " +
						"f.?values.orValue([]).exists(n, " + matchesAny("n", res) + ")))",
					Message: "debug pods of session " + t.Session + " must not be pinned by node affinity to a node whose name matches " + patterns,
					Reason:  &forbidden,
				},
			},
		},
	}
	binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: admissionregistrationv1.SchemeGroupVersion.String(), Kind: "ValidatingAdmissionPolicyBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: maps.Clone(t.Labels)},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        name,
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny},
		},
	}
	return policy, binding, nil
}

// matchesAny returns a CEL expression that is true when the string
// expression v matches any of the regular expressions.
func matchesAny(v string, res []string) string {
	alts := make([]string, len(res))
	for i, re := range res {
		alts[i] = v + ".matches(" + celString(re) + ")"
	}
	return "(" + strings.Join(alts, " || ") + ")"
}

// celString quotes s as a CEL string literal. Go's escapes (\\, \", \n,
// \xHH, \uHHHH, …) are also CEL's, so a pattern or name can never end the
// literal early or inject an expression.
func celString(s string) string {
	return strconv.Quote(s)
}

func toUnstructured(obj runtime.Object) (*unstructured.Unstructured, error) {
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, failed("", "", "cannot convert the denied nodes admission policy to an unstructured object: %v", err)
	}
	// Typed objects always serialise an empty status and creation time;
	// they would only be noise in the desired state.
	delete(u, "status")
	unstructured.RemoveNestedField(u, "metadata", "creationTimestamp")
	return &unstructured.Unstructured{Object: u}, nil
}

package access

import (
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/names"
)

// connectSubresources are the pod subresources the policy watches: every
// CONNECT that reaches into a pod, and the UPDATE that adds an ephemeral
// container to one.
var connectSubresources = []string{"pods/attach", "pods/exec", "pods/portforward", "pods/proxy"}

// policy returns the ValidatingAdmissionPolicy and binding that confine
// connections to a session's pods to its members and its members' grant to
// the session's pods. What it relies on, read in k8s.io/apiserver (see
// docs/access-model.md for the sources):
//
//   - The API server runs validating admission, and so these policies, on
//     every CONNECT, with request.name and request.namespace the pod's and
//     request.userInfo the caller (the impersonated user under --as).
//   - The object of a CONNECT is the options (PodExecOptions, …), not the
//     pod: no labels, so the session's pods are recognised by their name
//     prefix, <workload>-, which every one of them keeps (workload names are
//     capped at 57 characters).
//   - UPDATE pods/ephemeralcontainers names the pod the same way.
//
// For a request in the target namespace it checks, in order:
//
//  1. On this session's pods, ephemeral containers are refused: they would
//     run another image with the pod's privileges, outside the template.
//  2. On this session's pods, only the allowed operations: exec, attach,
//     port-forward, and proxy with port-forward (both reach the pod's
//     ports). This also holds for a member whose grant comes from another
//     session's Role.
//  3. On this session's pods, only members connect.
//  4. A member connecting, through an operation this session's Role grants,
//     to a pod that is not this session's must be entitled to it another
//     way: the Role's grant covers the whole namespace, and without this
//     check it would reach pods of no session. A member is entitled when
//     they hold the marker for the pod's workload (they belong to that
//     session too, whose own policy then decides) or the marker for the
//     whole namespace (granted on purpose, or held by cluster admins). The
//     pod's workload is its name less the last one or two dash-separated
//     parts: <workload>-<random> for a DaemonSet's or a Job's pods,
//     <workload>-<hash>-<random> for a Deployment's.
func policy(t Target, m Members, ops v1alpha1.PodOperations) (*admissionregistrationv1.ValidatingAdmissionPolicy, *admissionregistrationv1.ValidatingAdmissionPolicyBinding) {
	name := names.PodAccess(t.Workload)
	prefix := t.Workload + "-"
	fail := admissionregistrationv1.Fail
	scope := admissionregistrationv1.NamespacedScope
	forbidden := metav1.StatusReasonForbidden
	equivalent := admissionregistrationv1.Equivalent

	// What members may do on this session's pods, and what of that the
	// Role grants namespace-wide (proxy is never granted).
	var allowed, granted []string
	if ops.Attach {
		allowed, granted = append(allowed, "attach"), append(granted, "attach")
	}
	if ops.Exec {
		allowed, granted = append(allowed, "exec"), append(granted, "exec")
	}
	if ops.PortForward {
		allowed, granted = append(allowed, "portforward", "proxy"), append(granted, "portforward")
	}
	session := "DebugSession " + t.Session
	marker := "authorizer.group(" + celString(MarkerGroup) + ").resource(" + celString(MarkerResource) + ").namespace(request.namespace)"

	validations := []admissionregistrationv1.Validation{
		{
			Expression: "!(variables.sessionPod && variables.subresource == \"ephemeralcontainers\")",
			Message:    "ephemeral containers cannot be added to the debug pods of " + session,
			Reason:     &forbidden,
		},
		{
			Expression:        "!variables.sessionPod || variables.subresource == \"ephemeralcontainers\" || variables.subresource in " + celList(allowed),
			Message:           "this operation is not allowed on the debug pods of " + session,
			MessageExpression: "\"pods/\" + variables.subresource + " + celString(" is not allowed on the debug pods of "+session),
			Reason:            &forbidden,
		},
		{
			Expression:        "!variables.sessionPod || variables.subresource == \"ephemeralcontainers\" || variables.member",
			Message:           "only the requester and participants of " + session + " may connect to its debug pods",
			MessageExpression: "request.userInfo.username + " + celString(" is neither the requester nor a participant of "+session+": only they may connect to its debug pods"),
			Reason:            &forbidden,
		},
	}
	if len(granted) > 0 {
		validations = append(validations, admissionregistrationv1.Validation{
			Expression: "variables.sessionPod || !(variables.subresource in " + celList(granted) + ") || !variables.member || " +
				"variables.markerForNamespace || variables.markerForWorkload1 || variables.markerForWorkload2",
			Message: session + " grants its members access to its own debug pods only",
			MessageExpression: celString(session+" grants ") + " + request.userInfo.username + \" pods/\" + variables.subresource + " +
				celString(" on its own debug pods ("+prefix+"*) only; ") + " + request.name + \" is not one of them\"",
			Reason: &forbidden,
		})
	}

	p := &admissionregistrationv1.ValidatingAdmissionPolicy{
		TypeMeta:   typeMeta(admissionregistrationv1.SchemeGroupVersion.String(), "ValidatingAdmissionPolicy"),
		ObjectMeta: t.meta(name, ""),
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			// A policy that cannot evaluate must not let anyone in.
			FailurePolicy: &fail,
			// Selectors and match policy spelled out as the API server
			// defaults them, so the desired object equals the stored one.
			MatchConstraints: &admissionregistrationv1.MatchResources{
				NamespaceSelector: &metav1.LabelSelector{},
				ObjectSelector:    &metav1.LabelSelector{},
				MatchPolicy:       &equivalent,
				ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{
					rule(admissionregistrationv1.Connect, &scope, connectSubresources...),
					rule(admissionregistrationv1.Update, &scope, "pods/ephemeralcontainers"),
				},
			},
			MatchConditions: []admissionregistrationv1.MatchCondition{
				{Name: "session-namespace", Expression: "request.namespace == " + celString(t.Namespace)},
			},
			Variables: []admissionregistrationv1.Variable{
				{Name: "subresource", Expression: "request.?subResource.orValue(\"\")"},
				{Name: "sessionPod", Expression: "request.name.startsWith(" + celString(prefix) + ")"},
				{Name: "member", Expression: memberExpression(m)},
				{Name: "workload1", Expression: "request.name.lastIndexOf(\"-\") > 0 ? request.name.substring(0, request.name.lastIndexOf(\"-\")) : \"\""},
				{Name: "workload2", Expression: "variables.workload1.lastIndexOf(\"-\") > 0 ? variables.workload1.substring(0, variables.workload1.lastIndexOf(\"-\")) : \"\""},
				// One authorizer check per variable: the API server allows
				// two per expression, and each variable is evaluated on its
				// own, only when the guard needs it.
				{Name: "markerForNamespace", Expression: marker + ".check(" + celString(MarkerVerb) + ").allowed()"},
				{Name: "markerForWorkload1", Expression: "variables.workload1 != \"\" && " + marker + ".name(variables.workload1).check(" + celString(MarkerVerb) + ").allowed()"},
				{Name: "markerForWorkload2", Expression: "variables.workload2 != \"\" && " + marker + ".name(variables.workload2).check(" + celString(MarkerVerb) + ").allowed()"},
			},
			Validations: validations,
		},
	}
	b := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		TypeMeta:   typeMeta(admissionregistrationv1.SchemeGroupVersion.String(), "ValidatingAdmissionPolicyBinding"),
		ObjectMeta: t.meta(name, ""),
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        name,
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny},
		},
	}
	return p, b
}

func rule(op admissionregistrationv1.OperationType, scope *admissionregistrationv1.ScopeType, resources ...string) admissionregistrationv1.NamedRuleWithOperations {
	return admissionregistrationv1.NamedRuleWithOperations{
		RuleWithOperations: admissionregistrationv1.RuleWithOperations{
			Operations: []admissionregistrationv1.OperationType{op},
			Rule: admissionregistrationv1.Rule{
				APIGroups:   []string{""},
				APIVersions: []string{"v1"},
				Resources:   resources,
				Scope:       scope,
			},
		},
	}
}

// memberExpression is true when the caller is one of the members: by exact
// username, or by one of the groups the API server authenticated them with.
func memberExpression(m Members) string {
	e := "request.userInfo.username in " + celList(m.Users)
	if len(m.Groups) > 0 {
		e += " || request.userInfo.?groups.orValue([]).exists(g, g in " + celList(m.Groups) + ")"
	}
	return e
}

// celList returns a CEL list literal of strings.
func celList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = celString(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// celString quotes s as a CEL string literal. Go's escapes are also CEL's,
// so a name can never end the literal early or inject an expression.
func celString(s string) string {
	return strconv.Quote(s)
}

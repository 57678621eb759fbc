package outcome

import (
	"strings"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// A Reason classifies why a session was refused, in a small fixed set, so
// that metrics and audit records can count refusals without carrying the
// message, which names users and objects. It is a classification, not a
// condition reason: the session's condition keeps its state as its reason.
type Reason string

// Refusal reasons.
const (
	// ReasonNotAllowed: no binding or template admits the requester to the
	// cluster, or the session names a binding that does not apply.
	ReasonNotAllowed Reason = "NotAllowed"
	// ReasonDuration: spec.duration is not a duration or exceeds the
	// maximum.
	ReasonDuration Reason = "Duration"
	// ReasonNodeSelector: spec.nodeSelector is not allowed or conflicts with
	// the mandatory scheduling constraints.
	ReasonNodeSelector Reason = "NodeSelector"
	// ReasonPolicyViolation: a rendered auxiliary resource breaks the kind,
	// namespace, RoleBinding or size policy.
	ReasonPolicyViolation Reason = "PolicyViolation"
	// ReasonRenderFailure: an auxiliary resource template does not render.
	ReasonRenderFailure Reason = "RenderFailure"
	// ReasonMissingInput: an object the session needs does not exist.
	ReasonMissingInput Reason = "MissingInput"
	// ReasonNobodyCanApprove: approval is required and nobody but the
	// requester could give it.
	ReasonNobodyCanApprove Reason = "NobodyCanApprove"
	// ReasonApprovalTimedOut: nobody approved in time.
	ReasonApprovalTimedOut Reason = "ApprovalTimedOut"
	// ReasonInvalidSession: the DebugSession itself cannot be read or named.
	ReasonInvalidSession Reason = "InvalidSession"
	// ReasonInvalidConfiguration: anything else the platform team has to fix
	// (templates, bindings, cluster configs, the function input).
	ReasonInvalidConfiguration Reason = "InvalidConfiguration"
)

// Reasons are every Reason, for dashboards and tests that enumerate them.
var Reasons = []Reason{
	ReasonNotAllowed, ReasonDuration, ReasonNodeSelector, ReasonPolicyViolation, ReasonRenderFailure,
	ReasonMissingInput, ReasonNobodyCanApprove, ReasonApprovalTimedOut, ReasonInvalidSession, ReasonInvalidConfiguration,
}

// WithReason sets the error's reason where the state, object and field do not
// tell it, such as a render failure and a policy violation of the same
// auxiliary resource. It returns e.
func (e *Error) WithReason(r Reason) *Error {
	e.Reason = r
	return e
}

// ReasonOf classifies err: the Reason set on the *Error in its chain, else
// one derived from its state and field, never from its message. A nil error
// gives "".
func ReasonOf(err error) Reason {
	if err == nil {
		return ""
	}
	e, ok := As(err)
	switch {
	case !ok:
		return ReasonInvalidConfiguration
	case e.Reason != "":
		return e.Reason
	case e.State == v1alpha1.StateDenied && strings.HasPrefix(e.Field, "spec.nodeSelector"):
		return ReasonNodeSelector
	case e.State == v1alpha1.StateDenied && strings.HasPrefix(e.Field, "spec.duration"):
		return ReasonDuration
	case e.State == v1alpha1.StateDenied:
		// Every other refusal of a request is about who may have it:
		// the allowlists, spec.bindingRef, the requester and participants.
		return ReasonNotAllowed
	case strings.HasPrefix(e.Object, v1alpha1.DebugSessionKind+" "):
		return ReasonInvalidSession
	}
	return ReasonInvalidConfiguration
}

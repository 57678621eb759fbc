package telemetry

import (
	"github.com/crossplane/function-sdk-go/logging"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// AuditMessage is the message of every audit line, and AuditSchema the value
// of its audit key: log pipelines select audit records by either. A change
// to the record's keys or their meaning changes the schema version.
const (
	AuditMessage = "DebugSession transition"
	AuditSchema  = "debugsession.transition/v1"
)

// A Record is the audit record of one session transition: who asked for
// debug access where, what the function decided and why. It holds names and
// decisions only, never a template body, a rendered object or a secret.
type Record struct {
	// Session is namespace/name, or the name of a cluster-scoped one.
	Session string
	UID     string
	// Requester, Groups and Justification are spec.requestedBy,
	// spec.requesterGroups and spec.reason as the session states them.
	Requester     string
	Groups        []string
	Justification string
	Cluster       string
	// Template and Binding are namespace/name; Binding is empty when the
	// template applied alone or resolution did not get that far.
	Template string
	Binding  string
	From, To v1alpha1.State
	// Reason is the condition reason, Refusal the classification of a
	// Denied or Failed session.
	Reason  string
	Refusal outcome.Reason
	// Approver approved or rejected the session, if anyone did.
	Approver               string
	ActivatedAt, ExpiresAt string
	// Message is the status message users read.
	Message string
}

// Audit writes r as one Info line. The line always has every key, in the
// same order, so that it parses the same way whatever the transition.
//
// The message of a render failure or policy violation is left out: it quotes
// what the template rendered, and an auxiliary resource may be a Secret.
// Users read it in the session's status; the record keeps the refusal
// reason.
func Audit(log logging.Logger, r Record) {
	msg := r.Message
	if r.Refusal == outcome.ReasonRenderFailure || r.Refusal == outcome.ReasonPolicyViolation {
		msg = ""
	}
	groups := r.Groups
	if groups == nil {
		groups = []string{}
	}
	from := string(r.From)
	if from == "" {
		from = New
	}
	log.Info(AuditMessage,
		"audit", AuditSchema,
		"session", r.Session,
		"uid", r.UID,
		"requester", r.Requester,
		"groups", groups,
		"justification", r.Justification,
		"cluster", r.Cluster,
		"template", r.Template,
		"binding", r.Binding,
		"from", from,
		"to", string(r.To),
		"reason", r.Reason,
		"refusal", string(r.Refusal),
		"approver", r.Approver,
		"activatedAt", r.ActivatedAt,
		"expiresAt", r.ExpiresAt,
		"message", msg,
	)
}

package lifecycle

import (
	"fmt"
	"strings"
	"time"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// A Decision is the state of a session and everything that goes with it.
type Decision struct {
	// State of the session.
	State v1alpha1.State
	// Reason for the state, CamelCase, for a condition or event.
	Reason string
	// Message says in plain words what the state means for the user. It is
	// deterministic: it holds no timestamps and no durations that count down.
	Message string

	// Approval is the status.approval block.
	Approval *v1alpha1.ApprovalStatus
	// ActivatedAt and ExpiresAt are RFC 3339 times, empty until the session
	// starts.
	ActivatedAt string
	ExpiresAt   string
	// RenewalsUsed is the number of renewals granted.
	RenewalsUsed int32

	// Queue is set when the session is Queued.
	Queue *Queue

	// TTL is how long Crossplane may cache the response: the input TTL, or
	// less when something is due sooner (expiry, approval timeout), so that
	// Crossplane calls the function back when it is.
	TTL time.Duration

	// Warnings about the session or its configuration, sorted. They repeat
	// on every call; emit them as results only when Updated.
	Warnings []string

	// RunWorkload is true when the debug workload should run (Active).
	RunWorkload bool
	// Ended is true for a session that has ended for good: only auxiliary
	// resources with deleteAfter false stay desired.
	Ended bool

	// Previous is the state the session had before this call.
	Previous v1alpha1.State
	// Transition is true when the state differs from Previous: the time to
	// emit an event and change the condition.
	Transition bool
	// Updated is true when the state or the message differs from the
	// observed status. Warnings are worth emitting only then.
	Updated bool

	previousMessage string
	// refusal classifies a Denied or Failed decision; see Refusal.
	refusal outcome.Reason
}

// Refusal classifies why a session was Denied or Failed on this call, for
// metrics and audit records; empty for every other decision.
func (d Decision) Refusal() outcome.Reason { return d.refusal }

// refused records why the session is refused, before end.
func (d Decision) refused(r outcome.Reason) Decision {
	d.refusal = r
	return d
}

// KnownEnd decides, from the session alone, whether it has ended: it had
// ended before, spec.terminate is set, or its recorded expiresAt has passed.
// It reads only in.Session, in.Now and in.TTL.
//
// Use it when the inputs Decide needs (template, bindings, cluster config)
// are missing or broken. Such a session normally keeps its resources through
// a Fatal result, but one that has ended must not keep its debug
// pods running because a template was deleted. It does not grant renewals:
// that needs the constraints, so a renewal requested just before expiry is
// lost when the inputs are missing at that moment.
func KnownEnd(in DecideInput) (Decision, bool) {
	s := in.Session
	if s == nil {
		return Decision{}, false
	}
	obs := s.Status
	d := Decision{Previous: obs.State, previousMessage: obs.Message, TTL: in.TTL, Approval: obs.Approval}
	if d.TTL <= 0 {
		d.TTL = v1beta1.DefaultTTL
	}
	if obs.State.Ended() {
		return d.ended(obs), true
	}
	if s.Spec.Terminate {
		return d.end(v1alpha1.StateTerminated, ReasonTerminated, terminatedMessage, obs), true
	}
	if !startedBefore(obs) {
		return Decision{}, false
	}
	activated, aerr := time.Parse(time.RFC3339, obs.ActivatedAt)
	expires, err := time.Parse(time.RFC3339, obs.ExpiresAt)
	if err != nil || in.Now.Before(expires) {
		return Decision{}, false
	}
	msg := "The session expired; its debug resources are removed."
	if aerr == nil && !expires.Before(activated) {
		msg = fmt.Sprintf("The session expired after %s; its debug resources are removed.", human(expires.Sub(activated)))
	}
	return d.end(v1alpha1.StateExpired, ReasonExpired, msg, obs), true
}

// Preparing turns an Active decision into Pending while the session waits
// for something before its debug pods start, such as auxiliary resources
// that must be ready first. The session's time has started: activatedAt and
// expiresAt stay, and the session keeps its concurrency slot.
func (d Decision) Preparing(waitingFor string) Decision {
	if d.State != v1alpha1.StateActive {
		return d
	}
	d.State, d.Reason, d.RunWorkload = v1alpha1.StatePending, ReasonPreparing, false
	d.Message = fmt.Sprintf("Waiting for %s before the debug pods start. %s", strings.TrimSuffix(waitingFor, "."), d.Message)
	return d.done()
}

// Apply writes the decision into a session status. Fields the lifecycle does
// not own are left alone.
func (d Decision) Apply(st *v1alpha1.DebugSessionStatus) {
	st.State = d.State
	st.Message = d.Message
	st.Approval = d.Approval
	st.ActivatedAt = d.ActivatedAt
	st.ExpiresAt = d.ExpiresAt
	st.RenewalsUsed = d.RenewalsUsed
}

// ended keeps a session that had already ended as it was: ended states are
// final, so an Expired session never runs again, whatever changed since.
func (d Decision) ended(obs v1alpha1.DebugSessionStatus) Decision {
	d.State, d.Ended = obs.State, true
	d.Approval = obs.Approval
	d.ActivatedAt, d.ExpiresAt, d.RenewalsUsed = obs.ActivatedAt, obs.ExpiresAt, obs.RenewalsUsed
	d.Reason = map[v1alpha1.State]string{
		v1alpha1.StateExpired:    ReasonExpired,
		v1alpha1.StateTerminated: ReasonTerminated,
		v1alpha1.StateRejected:   ReasonRejected,
		v1alpha1.StateDenied:     ReasonDenied,
	}[d.State]
	if d.Reason == "" {
		d.Reason = ReasonFailed
	}
	d.Message = d.previousMessage
	if d.Message == "" {
		d.Message = fmt.Sprintf("The session has ended (%s).", d.State)
	}
	return d.done()
}

// end moves a session into an ended state. The times of a session that ran
// stay in the status as a record.
func (d Decision) end(state v1alpha1.State, reason, msg string, obs v1alpha1.DebugSessionStatus) Decision {
	d.State, d.Reason, d.Message, d.Ended, d.RunWorkload = state, reason, msg, true, false
	if d.ActivatedAt == "" {
		d.ActivatedAt, d.ExpiresAt, d.RenewalsUsed = obs.ActivatedAt, obs.ExpiresAt, obs.RenewalsUsed
	}
	return d.done()
}

func (d Decision) done() Decision {
	d.Warnings = sortedSet(d.Warnings)
	d.Transition = d.State != d.Previous
	d.Updated = d.Transition || d.Message != d.previousMessage
	return d
}

// Stopped is the decision for a session that cannot go on because of err:
// it takes the state and message of err (an *outcome.Error; any other error
// fails the session) and keeps the session's record of when it ran. Only a
// session without composed resources is stopped this way; one with
// resources keeps them (see KnownEnd). s is nil when the session could not
// be read at all.
func Stopped(s *v1alpha1.DebugSession, err error, ttl time.Duration) Decision {
	state := outcome.StateOf(err)
	d := Decision{State: state, Reason: string(state), Message: err.Error(), TTL: ttl, Ended: true, refusal: outcome.ReasonOf(err)}
	if s == nil {
		d.Transition, d.Updated = true, true
		return d
	}
	obs := s.Status
	d.Previous, d.previousMessage = obs.State, obs.Message
	d.ActivatedAt, d.ExpiresAt, d.RenewalsUsed = obs.ActivatedAt, obs.ExpiresAt, obs.RenewalsUsed
	// A stop is news whenever what the user reads changes, not only the
	// state: a second, different reason to refuse the same session is.
	d.Updated = obs.State != state || obs.Message != d.Message
	d.Transition = d.Updated
	return d
}

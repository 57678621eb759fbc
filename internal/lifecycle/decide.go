package lifecycle

import (
	"fmt"
	"strings"
	"time"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// Condition reasons, one per way a session gets to its state. They are
// CamelCase for use as condition and event reasons.
const (
	ReasonActive           = "Active"
	ReasonPreparing        = "Preparing"
	ReasonAwaitingApproval = "AwaitingApproval"
	ReasonQueued           = "Queued"
	ReasonExpired          = "Expired"
	ReasonTerminated       = "Terminated"
	ReasonRejected         = "Rejected"
	ReasonDenied           = "Denied"
	ReasonApprovalTimedOut = "ApprovalTimedOut"
	ReasonNobodyCanApprove = "NobodyCanApprove"
	// ReasonFailed is the reason of a session that had failed before this
	// call, when the original reason is no longer known.
	ReasonFailed = "Failed"
)

const terminatedMessage = "The session was terminated on request (spec.terminate); its debug resources are removed."

// minTTL keeps Crossplane from calling back in a tight loop when an expiry
// is only moments away.
const minTTL = time.Second

// DecideInput is everything the lifecycle decision looks at. The caller
// resolves approvers and constraints first; Decide never looks anything up.
type DecideInput struct {
	// Session as observed: its spec, its creationTimestamp and the status the
	// function wrote last time (state, activatedAt, renewalsUsed).
	Session *v1alpha1.DebugSession

	// Now is the current time. Tests and example renders pin it.
	Now time.Time

	// Approvers in effect for the session; nil when none are configured.
	Approvers *v1alpha1.Approvers

	// Constraints in effect for the session.
	Constraints v1alpha1.Constraints

	// ConstraintSources names the object each constraint came from, by
	// field ("constraints.maxDuration"), so that an error about a broken
	// constraint names the object to fix: resolution's Result.Sources.
	ConstraintSources map[string]string

	// ApprovalRequiredBy names the enabled auxiliary resources that have
	// requiresApproval. Any name forces approval, even for a requester who
	// would be approved automatically.
	ApprovalRequiredBy []string

	// Others are the other DebugSessions: those on the session's cluster
	// when the constraints set maxConcurrentSessions, those on every cluster
	// when a binding caps its sessions. Read only in those cases.
	Others []v1alpha1.DebugSession

	// Bindings the session applies through, highest first (resolution's
	// Result.Bindings): their maxActiveSessionsPerUser and
	// maxActiveSessionsTotal caps gate the start, each over the sessions
	// that binding applies to.
	Bindings []*v1alpha1.DebugSessionClusterBinding

	// BindingsOf names the bindings another session applies through
	// (resolution.BindingsOf). Only called for the Others that are running
	// or waiting, when a binding caps its sessions. Nil: each other session
	// is known by the binding its status records.
	BindingsOf func(o *v1alpha1.DebugSession) []v1alpha1.ObjectReference

	// Template is the session's DebugSessionTemplate, with its namespace
	// resolved.
	Template v1alpha1.ObjectReference

	// ConfigNamespace is the function's configNamespace: the template
	// namespace of another session whose templateRef has none.
	ConfigNamespace string

	// RenewalsClosed, when set, says why the session may not be renewed any
	// further, naming the object and field: resolution's RenewalsClosed.
	RenewalsClosed string

	// TTL is the longest time Crossplane may cache the response: the input's
	// ttl. Zero means the input's default.
	TTL time.Duration
}

// Decide applies the lifecycle rules to a session: ended
// states stay, then termination, rejection, the requested duration, approval,
// the latest possible end, concurrency and binding caps, and finally
// activation and expiry.
//
// Decide returns an error, an *outcome.Error naming the object and field,
// only when the constraints are broken (a duration that does not parse, a
// negative limit). The caller should then treat the
// session like one whose inputs are missing: a Fatal result when it has
// composed resources, so that nothing is deleted because of a typo.
func Decide(in DecideInput) (Decision, error) {
	s := in.Session
	if s == nil {
		return Decision{}, outcome.Failed("", "", "cannot decide the state of a missing session")
	}
	obs := s.Status
	d := Decision{Previous: obs.State, previousMessage: obs.Message, TTL: in.TTL}
	if d.TTL <= 0 {
		d.TTL = v1beta1.DefaultTTL
	}
	now := in.Now.UTC()

	if obs.State.Ended() {
		return d.ended(obs), nil
	}

	l, badRequest, err := parseLimits(in.Constraints, in.ConstraintSources, s.Spec.Duration)
	if err != nil {
		return Decision{}, err
	}
	l.renewalsClosed = in.RenewalsClosed
	gs, err := gates(in, l.concurrent)
	if err != nil {
		return Decision{}, err
	}
	ap := decideApproval(s, in.Approvers, in.ApprovalRequiredBy)
	d.Approval = ap.status()
	d.Warnings = append(append(d.Warnings, l.warnings...), ap.warnings...)
	started := startedBefore(obs)
	created := createdAt(s, now)
	// Whatever the status says, a session never runs past this: the longest
	// it could have waited for approval plus the longest it may run. The
	// status is written by the function, but it is the one input that a
	// restore from backup or a careless edit can change.
	latest := created.Add(add(l.approvalTimeout, l.total))
	var notes []string
	if ap.ignored != "" {
		notes = append(notes, ap.ignored)
	}

	switch {
	case s.Spec.Terminate:
		return d.end(v1alpha1.StateTerminated, ReasonTerminated, terminatedMessage, obs), nil
	case ap.rejectedBy != "":
		msg := fmt.Sprintf("The session was rejected by %s.", ap.rejectedBy)
		if ap.rejectReason != "" {
			msg = fmt.Sprintf("The session was rejected by %s: %s", ap.rejectedBy, strings.TrimSuffix(ap.rejectReason, ".")+".")
		}
		return d.end(v1alpha1.StateRejected, ReasonRejected, msg, obs), nil
	case !started && badRequest != "":
		return d.refused(outcome.ReasonDuration).end(v1alpha1.StateDenied, ReasonDenied, badRequest, obs), nil
	case !started && l.max > 0 && l.requested > l.max:
		return d.refused(outcome.ReasonDuration).end(v1alpha1.StateDenied, ReasonDenied, fmt.Sprintf("The requested duration %s exceeds the maximum duration %s.", human(l.requested), human(l.max)), obs), nil
	case !started && ap.nobody:
		return d.refused(outcome.ReasonNobodyCanApprove).end(v1alpha1.StateFailed, ReasonNobodyCanApprove, fmt.Sprintf("The session needs approval because %s, but nobody other than the requester can approve it.", ap.because), obs), nil
	case !started && ap.required && ap.approvedBy == "":
		deadline := created.Add(l.approvalTimeout)
		if !now.Before(deadline) {
			return d.refused(outcome.ReasonApprovalTimedOut).end(v1alpha1.StateFailed, ReasonApprovalTimedOut, fmt.Sprintf("The session was not approved within %s.", human(l.approvalTimeout)), obs), nil
		}
		d.State, d.Reason = v1alpha1.StatePendingApproval, ReasonAwaitingApproval
		d.Message = message(fmt.Sprintf("Waiting for approval by %s, because %s. Without approval within %s the session fails.", ap.who(), ap.because, human(l.approvalTimeout)), notes)
		d.TTL = until(d.TTL, now, deadline)
		return d.done(), nil
	case !started && !now.Before(latest):
		return d.end(v1alpha1.StateExpired, ReasonExpired, fmt.Sprintf("The session expired before it could start: it waited longer than the approval timeout %s plus its time %s.", human(l.approvalTimeout), human(l.total)), obs), nil
	case !started && len(gs) > 0:
		q, why, ok := admit(in, gs)
		if ok {
			break
		}
		d.State, d.Reason, d.Queue = v1alpha1.StateQueued, ReasonQueued, &q
		d.Message = message(why, notes)
		d.TTL = until(d.TTL, now, latest)
		return d.done(), nil
	}

	return d.run(s, l, now, started, latest, notes), nil
}

// run starts or continues a session that may run, and expires it at its end.
func (d Decision) run(s *v1alpha1.DebugSession, l limits, now time.Time, started bool, latest time.Time, notes []string) Decision {
	obs := s.Status
	activated := now.Truncate(time.Second)
	if started {
		t, err := time.Parse(time.RFC3339, obs.ActivatedAt)
		if err == nil {
			activated = t.UTC()
		} else {
			// Without a readable start the session restarts its clock now;
			// the latest end still bounds it.
			d.Warnings = append(d.Warnings, fmt.Sprintf("status.activatedAt %q is not an RFC 3339 time; the session's time is counted from now.", obs.ActivatedAt))
		}
	}
	// The function never records an activation in the future or after the
	// latest end, but a restored or edited status, or a lowered approval
	// timeout, can hold one. Counting from it would let the session run
	// longer, or report an expiry before its activation and a negative time.
	if activated.After(now) {
		d.Warnings = append(d.Warnings, fmt.Sprintf("status.activatedAt %s is in the future; the session's time is counted from now.", obs.ActivatedAt))
		activated = now.Truncate(time.Second)
	}
	if activated.After(latest) {
		activated = latest
	}
	used, refused := renew(s.Spec.Renewals, obs.RenewalsUsed, l)
	if refused != "" {
		notes = append(notes, refused)
		d.Warnings = append(d.Warnings, refused)
	}
	span := min(mul(l.duration, int64(used)+1), l.total)
	expires := activated.Add(span)
	capped := expires.After(latest)
	if capped {
		expires = latest
	}
	d.ActivatedAt = activated.Format(time.RFC3339)
	d.ExpiresAt = expires.Format(time.RFC3339)
	d.RenewalsUsed = used

	if !now.Before(expires) {
		return d.end(v1alpha1.StateExpired, ReasonExpired, fmt.Sprintf("The session expired after %s; its debug resources are removed.", human(expires.Sub(activated))), obs)
	}
	d.State, d.Reason, d.RunWorkload = v1alpha1.StateActive, ReasonActive, true
	msg := fmt.Sprintf("Active on cluster %s for %s; %s.", s.Spec.Cluster, human(span), renewalsText(used, l))
	if capped {
		msg += " The session ends early, at the latest end allowed since its creation."
	}
	d.Message = message(msg, notes)
	d.TTL = until(d.TTL, now, expires)
	return d.done()
}

// startedBefore reports whether the session started in an earlier call. A
// started session never loses its slot, and the approval and duration rules
// that admitted it are not applied again.
func startedBefore(st v1alpha1.DebugSessionStatus) bool {
	switch st.State {
	case v1alpha1.StateActive:
		return true
	case v1alpha1.StatePending:
		return st.ActivatedAt != ""
	case "", v1alpha1.StatePendingApproval, v1alpha1.StateQueued,
		v1alpha1.StateExpired, v1alpha1.StateTerminated, v1alpha1.StateRejected, v1alpha1.StateDenied, v1alpha1.StateFailed:
		return false
	}
	return false
}

// until caps a TTL so that Crossplane calls back at t.
func until(ttl time.Duration, now, t time.Time) time.Duration {
	left := t.Sub(now)
	if left < ttl {
		ttl = left
	}
	return max(ttl, minTTL)
}

func renewalsText(used int32, l limits) string {
	if !l.renewals {
		return "renewals are not allowed"
	}
	return fmt.Sprintf("%d of %d renewals used", used, l.maxRenewals)
}

func message(main string, notes []string) string {
	if len(notes) == 0 {
		return main
	}
	return main + " " + strings.Join(notes, " ")
}

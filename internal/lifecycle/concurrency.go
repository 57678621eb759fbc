package lifecycle

import (
	"time"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// Queue describes a session that waits for a free slot.
type Queue struct {
	// Position in the queue, from 1.
	Position int32
	// Length of the queue, this session included.
	Length int32
	// Active sessions that count against the limit.
	Active int32
	// Limit is the template's maxConcurrentSessions, or the binding's cap.
	Limit int32
	// Binding and Field name the binding cap the session waits for; nil and
	// empty when it waits for the template's maxConcurrentSessions.
	Binding *v1alpha1.ObjectReference
	Field   string
}

// queueKey orders sessions for a slot: earlier created first, then by
// namespace and name. creationTimestamp only has a resolution of seconds, so
// two sessions created in the same second tie on it; the name breaks the tie
// the same way in both sessions' reconciles, so exactly one of them is first.
type queueKey struct {
	created         time.Time
	namespace, name string
}

func (k queueKey) before(o queueKey) bool {
	if !k.created.Equal(o.created) {
		return k.created.Before(o.created)
	}
	if k.namespace != o.namespace {
		return k.namespace < o.namespace
	}
	return k.name < o.name
}

func keyOf(s *v1alpha1.DebugSession, now time.Time) queueKey {
	return queueKey{created: createdAt(s, now), namespace: s.Namespace, name: s.Name}
}

// createdAt is the session's creationTimestamp. Only an offline render has a
// session without one; it is treated as created now.
func createdAt(s *v1alpha1.DebugSession, now time.Time) time.Time {
	if s.CreationTimestamp.IsZero() {
		return now
	}
	return s.CreationTimestamp.Time
}

// place decides whether a session that has not started may take one of
// limit slots. It counts the other sessions that counts selects (for the
// template's limit, those of the same template on the same cluster) that
// hold a slot (Active) and those that wait ahead of it. Every session decides
// from the same facts (creation order and observed states), and a session
// that might have started is counted as holding a slot, so two sessions
// reconciled at once never both take the last slot. The price is that a
// session whose status is stale may make another wait one reconcile longer.
func place(in DecideInput, limit int32, counts func(o *v1alpha1.DebugSession) bool) (Queue, bool) {
	self := keyOf(in.Session, in.Now)
	var active, ahead, behind int32
	for i := range in.Others {
		o := &in.Others[i]
		if o.Namespace == in.Session.Namespace && o.Name == in.Session.Name {
			continue
		}
		holds, waits := slotOf(o)
		if !holds && !waits || !counts(o) {
			// Ended sessions are skipped before counts, which may have to
			// resolve the session.
			continue
		}
		switch {
		case holds:
			active++
		case waits && keyOf(o, in.Now).before(self):
			ahead++
		case waits:
			behind++
		}
	}
	q := Queue{Active: active, Limit: limit}
	if active+ahead < limit {
		return q, true
	}
	// Of the sessions ahead, those that fit into the free slots start; the
	// rest queue before this one.
	free := max(limit-active, 0)
	q.Position = ahead - free + 1
	q.Length = ahead + 1 + behind - free
	return q, false
}

// slotOf classifies another session by its observed status: whether it holds
// a slot, or waits for one.
func slotOf(o *v1alpha1.DebugSession) (holds, waits bool) {
	if o.DeletionTimestamp != nil {
		// It is being deleted: its owner ended it.
		return false, false
	}
	switch o.Status.State {
	case v1alpha1.StateActive:
		return true, false
	case v1alpha1.StatePending:
		// A Pending session with an activation time has started and is
		// preparing its debug pods.
		if o.Status.ActivatedAt != "" {
			return true, false
		}
		return false, !o.Spec.Terminate
	case "", v1alpha1.StateQueued:
		// A session not yet reconciled may turn out to be runnable; counting
		// it keeps the order fair and race-free. A terminated one never runs.
		return false, !o.Spec.Terminate
	case v1alpha1.StatePendingApproval:
		// A session that waits for approval does not block the queue, or a
		// session nobody approves would hold everyone up until it times out.
		// Once an approval is written it may start at its next reconcile, so
		// from then on it counts as waiting.
		a := o.Spec.Approval
		return false, !o.Spec.Terminate && a != nil && a.Decision == v1alpha1.ApprovalApproved
	case v1alpha1.StateExpired, v1alpha1.StateTerminated, v1alpha1.StateRejected, v1alpha1.StateDenied, v1alpha1.StateFailed:
		return false, false
	}
	return false, false
}

// sameTemplate reports whether another session uses the deciding session's
// template. An empty templateRef namespace means the function's config
// namespace, as for the deciding session.
func sameTemplate(o *v1alpha1.DebugSession, in DecideInput) bool {
	ns := o.Spec.TemplateRef.Namespace
	if ns == "" {
		ns = in.ConfigNamespace
	}
	return o.Spec.TemplateRef.Name == in.Template.Name && ns == in.Template.Namespace
}

package lifecycle

import (
	"fmt"
	"strings"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// Fields of a binding that cap its sessions.
const (
	FieldMaxActiveSessionsPerUser = "spec.maxActiveSessionsPerUser"
	FieldMaxActiveSessionsTotal   = "spec.maxActiveSessionsTotal"
)

// A gate is one limit a session must pass to start: the template's
// maxConcurrentSessions, or one cap of a binding it applies through. Each
// gate has its own queue, ordered like the template's (see place).
type gate struct {
	limit int32
	// binding and field name the cap; binding is nil for the template's
	// maxConcurrentSessions.
	binding *v1alpha1.ObjectReference
	field   string
	// counts reports whether another session counts against the limit.
	counts func(o *v1alpha1.DebugSession) bool
	// text says why a session waits at q.
	text func(q Queue) string
}

// gates are the limits a session must pass to start: the template's
// maxConcurrentSessions (concurrent, zero when unset), then for each binding
// of its chain, highest first, its per-user cap and its total cap. Every
// binding's caps hold over the sessions that binding applies to, so in an
// additive chain the smallest cap is the one a session meets first, and a
// binding can only narrow what the bindings below it allow. A cap below 1
// is a configuration error naming the binding and field.
func gates(in DecideInput, concurrent int32) ([]gate, error) {
	var gs []gate
	s := in.Session
	if concurrent > 0 {
		gs = append(gs, gate{limit: concurrent, counts: func(o *v1alpha1.DebugSession) bool {
			return o.Spec.Cluster == s.Spec.Cluster && sameTemplate(o, in)
		}, text: func(q Queue) string {
			return fmt.Sprintf("Queued at position %d of %d: %d of %d allowed sessions of template %s/%s are active on cluster %s.",
				q.Position, q.Length, q.Active, q.Limit, in.Template.Namespace, in.Template.Name, s.Spec.Cluster)
		}})
	}
	uses := bindingsOfOthers(in)
	requester := strings.TrimSpace(s.Spec.RequestedBy)
	for _, b := range in.Bindings {
		ref := &v1alpha1.ObjectReference{Name: b.Name, Namespace: b.Namespace}
		through := func(o *v1alpha1.DebugSession) bool { return uses(o)[*ref] }
		if n := b.Spec.MaxActiveSessionsPerUser; n != nil {
			if *n < 1 {
				return nil, outcome.Failed(b.Describe(), FieldMaxActiveSessionsPerUser, "%d must be at least 1", *n)
			}
			gs = append(gs, gate{limit: *n, binding: ref, field: FieldMaxActiveSessionsPerUser, counts: func(o *v1alpha1.DebugSession) bool {
				return sameRequester(o.Spec.RequestedBy, requester) && through(o)
			}, text: func(q Queue) string {
				return fmt.Sprintf("Queued at position %d of %d: binding %s/%s allows %s per user (%s), and %s has %d active.",
					q.Position, q.Length, ref.Namespace, ref.Name, plural(int64(q.Limit), "active session", "active sessions"), FieldMaxActiveSessionsPerUser, requester, q.Active)
			}})
		}
		if n := b.Spec.MaxActiveSessionsTotal; n != nil {
			if *n < 1 {
				return nil, outcome.Failed(b.Describe(), FieldMaxActiveSessionsTotal, "%d must be at least 1", *n)
			}
			gs = append(gs, gate{limit: *n, binding: ref, field: FieldMaxActiveSessionsTotal, counts: through, text: func(q Queue) string {
				return fmt.Sprintf("Queued at position %d of %d: binding %s/%s allows %s in total (%s), and %s.",
					q.Position, q.Length, ref.Namespace, ref.Name, plural(int64(q.Limit), "active session", "active sessions"), FieldMaxActiveSessionsTotal, plural(int64(q.Active), "is active", "are active"))
			}})
		}
	}
	return gs, nil
}

// admit decides whether a session that has not started passes every gate.
// When it does not, it waits in the queue of the gate where it is furthest
// back (the first such gate on a tie), because that is the earliest it can
// start; the message says which limit that is.
//
// Each gate is race-free on its own (see place); a session starts only when
// it passes all of them, so two sessions reconciled at once never both take
// the last slot of any. The price of strict creation order is that a
// session may wait behind an earlier one that itself waits for another
// gate.
func admit(in DecideInput, gs []gate) (Queue, string, bool) {
	var worst Queue
	var text string
	for _, g := range gs {
		q, ok := place(in, g.limit, g.counts)
		if ok || (text != "" && q.Position <= worst.Position) {
			continue
		}
		q.Binding, q.Field = g.binding, g.field
		worst, text = q, g.text(q)
	}
	return worst, text, text == ""
}

// bindingsOfOthers returns, for another session, the set of bindings it
// applies through, computing each session's once. Without in.BindingsOf the
// binding its status records is all that is known.
func bindingsOfOthers(in DecideInput) func(o *v1alpha1.DebugSession) map[v1alpha1.ObjectReference]bool {
	seen := map[v1alpha1.ObjectReference]map[v1alpha1.ObjectReference]bool{}
	return func(o *v1alpha1.DebugSession) map[v1alpha1.ObjectReference]bool {
		key := v1alpha1.ObjectReference{Name: o.Name, Namespace: o.Namespace}
		if set, ok := seen[key]; ok {
			return set
		}
		set := map[v1alpha1.ObjectReference]bool{}
		switch {
		case in.BindingsOf != nil:
			for _, b := range in.BindingsOf(o) {
				set[b] = true
			}
		case o.Status.Binding != nil:
			set[v1alpha1.ObjectReference{Name: o.Status.Binding.Name, Namespace: o.Status.Binding.Namespace}] = true
		}
		seen[key] = set
		return set
	}
}

// sameRequester reports whether two requester names are one user. The
// admission policies make spec.requestedBy the Kubernetes user name, but
// names are compared as approval compares them, ignoring case and
// surrounding space, so that no spelling of a name counts as someone else.
// A Unicode look-alike is another name, as it is for approval: the API
// server authenticated it as another user.
func sameRequester(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

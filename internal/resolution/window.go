package resolution

import (
	"time"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// InWindow reports whether binding b exists at now by its effectiveFrom–
// expiresAt window alone: from effectiveFrom (inclusive) until expiresAt
// (exclusive).
func InWindow(b *v1alpha1.DebugSessionClusterBinding, now time.Time) bool {
	if f := b.Spec.EffectiveFrom; f != nil && now.Before(f.Time) {
		return false
	}
	if e := b.Spec.ExpiresAt; e != nil && !now.Before(e.Time) {
		return false
	}
	return true
}

// exists reports whether binding b exists for session s at now. A binding
// exists within its effectiveFrom–expiresAt window; a hidden one only for
// a session that names it in spec.bindingRef.
//
// An Active session that applied through b keeps it after expiresAt, until
// the session itself ends: an expiring grant must not take away debug pods
// an approver already let run (nothing is lost), and the session's own
// expiry still bounds it.
func (x *Index) exists(cb *compiledBinding, s *v1alpha1.DebugSession, now time.Time) bool {
	b := cb.binding
	if b.Spec.Hidden && (s.Spec.BindingRef == nil || x.bindingRefID(s.Spec.BindingRef) != cb.id) {
		return false
	}
	if f := b.Spec.EffectiveFrom; f != nil && now.Before(f.Time) {
		return false
	}
	if !InWindow(b, now) {
		st := s.Status
		return st.State == v1alpha1.StateActive && st.Binding != nil && st.Binding.Namespace == b.Namespace && st.Binding.Name == b.Name
	}
	return true
}

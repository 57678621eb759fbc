package lint

import (
	"time"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// checkWidening warns about bindings that allow more than their template:
// a binding's constraint replaces the template's (it does not take the
// stricter of the two), and a binding's approvers block, even empty,
// replaces the template's. That is sometimes what a platform team wants,
// so these are warnings.
func (s *set) checkWidening() {
	for _, b := range s.bindings {
		// A binding that selects several templates is held to each.
		for _, t := range s.templatesOf(b) {
			s.widerConstraints(b, t.obj.Spec.Constraints, b.obj.Spec.Constraints)
			ta, ba := t.obj.Spec.Approvers, b.obj.Spec.Approvers
			if ta != nil && len(ta.Groups)+len(ta.Users) > 0 && ba != nil && len(ba.Groups)+len(ba.Users) == 0 {
				s.add(b.Document, SeverityWarning, "spec.approvers", "lists nobody, which turns off the approval that template %s requires", t.obj.Name)
			}
		}
	}
}

func (s *set) widerConstraints(b linted[v1alpha1.DebugSessionClusterBinding], tc, bc *v1alpha1.Constraints) {
	if tc == nil || bc == nil {
		return
	}
	for _, f := range []struct{ field, t, b string }{
		{"spec.constraints.maxDuration", tc.MaxDuration, bc.MaxDuration},
		{"spec.constraints.approvalTimeout", tc.ApprovalTimeout, bc.ApprovalTimeout},
	} {
		td, terr := time.ParseDuration(f.t)
		bd, berr := time.ParseDuration(f.b)
		if terr == nil && berr == nil && bd > td {
			s.add(b.Document, SeverityWarning, f.field, "%s widens the template's %s", f.b, f.t)
		}
	}
	for _, f := range []struct {
		field string
		t, b  *int32
	}{
		{"spec.constraints.maxConcurrentSessions", tc.MaxConcurrentSessions, bc.MaxConcurrentSessions},
		{"spec.constraints.maxRenewals", tc.MaxRenewals, bc.MaxRenewals},
	} {
		if f.t != nil && f.b != nil && *f.b > *f.t {
			s.add(b.Document, SeverityWarning, f.field, "%d widens the template's %d", *f.b, *f.t)
		}
	}
	if tc.AllowRenewal != nil && !*tc.AllowRenewal && bc.AllowRenewal != nil && *bc.AllowRenewal {
		s.add(b.Document, SeverityWarning, "spec.constraints.allowRenewal", "true widens the template's false")
	}
}

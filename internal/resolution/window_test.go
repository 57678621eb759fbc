package resolution

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

func window(from, to *time.Time) func(*v1alpha1.DebugSessionClusterBinding) {
	return func(b *v1alpha1.DebugSessionClusterBinding) {
		if from != nil {
			b.Spec.EffectiveFrom = &metav1.Time{Time: *from}
		}
		if to != nil {
			b.Spec.ExpiresAt = &metav1.Time{Time: *to}
		}
	}
}

func hidden(b *v1alpha1.DebugSessionClusterBinding) { b.Spec.Hidden = true }

func activeThrough(name string) func(*v1alpha1.DebugSession) {
	return func(s *v1alpha1.DebugSession) {
		s.Status.State = v1alpha1.StateActive
		s.Status.Binding = &v1alpha1.BindingStatus{Namespace: configNS, Name: name}
	}
}

func TestResolveBindingWindowAndHidden(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	earlier, later := now.Add(-time.Hour), now.Add(time.Hour)
	// The tests' template admits nobody without a binding on prod-a: only
	// the contractor binding lets carol in.
	tmpl := template("netops-debug", templateAllowed([]string{"dev-*"}, []string{"netops-team"}, nil))
	carol := func(mods ...func(*v1alpha1.DebugSession)) *v1alpha1.DebugSession {
		return session("prod-a", "carol@example.com", []string{"contractors"}, mods...)
	}
	contractor := func(mods ...func(*v1alpha1.DebugSessionClusterBinding)) []v1alpha1.DebugSessionClusterBinding {
		return []v1alpha1.DebugSessionClusterBinding{binding("contractor", "netops-debug", append([]func(*v1alpha1.DebugSessionClusterBinding){clusters("prod-*"), allowedGroups("contractors")}, mods...)...)}
	}
	noBinding := denied("DebugSessionTemplate breakglass-system/netops-debug", "spec.allowed.clusters", "template netops-debug does not allow cluster prod-a and no binding applies to it")

	cases := map[string]struct {
		reason   string
		session  *v1alpha1.DebugSession
		bindings []v1alpha1.DebugSessionClusterBinding
		want     decision
	}{
		"InsideWindow": {
			reason:   "Within effectiveFrom and expiresAt the binding applies.",
			session:  carol(),
			bindings: contractor(window(&earlier, &later)),
			want:     decision{Bindings: []string{configNS + "/contractor"}},
		},
		"BeforeEffectiveFrom": {
			reason:   "Before effectiveFrom the binding does not exist.",
			session:  carol(),
			bindings: contractor(window(&later, nil)),
			want:     decision{Err: noBinding},
		},
		"ExpiredBindingAdmitsNobodyNew": {
			reason:   "From expiresAt on the binding does not exist: its grant cannot admit a new session.",
			session:  carol(),
			bindings: contractor(window(nil, &now)),
			want:     decision{Err: noBinding},
		},
		"ActiveSessionKeepsExpiredBinding": {
			reason:   "A session Active through the binding keeps it after expiry, so nothing running is lost, but the binding grants no renewal any more.",
			session:  carol(activeThrough("contractor")),
			bindings: contractor(window(nil, &earlier)),
			want: decision{
				Bindings:       []string{configNS + "/contractor"},
				RenewalsClosed: "DebugSessionClusterBinding breakglass-system/contractor spec.expiresAt passed at 2026-11-28T11:00:00Z",
			},
		},
		"ActiveSessionBeforeExpiryMayRenew": {
			reason:   "Until expiresAt the binding still grants renewals.",
			session:  carol(activeThrough("contractor")),
			bindings: contractor(window(nil, &later)),
			want:     decision{Bindings: []string{configNS + "/contractor"}},
		},
		"PendingSessionLosesExpiredBinding": {
			reason: "A session not yet Active has nothing to lose: the expired binding no longer applies.",
			session: carol(func(s *v1alpha1.DebugSession) {
				s.Status.State = v1alpha1.StatePendingApproval
				s.Status.Binding = &v1alpha1.BindingStatus{Namespace: configNS, Name: "contractor"}
			}),
			bindings: contractor(window(nil, &earlier)),
			want:     decision{Err: noBinding},
		},
		"ActiveThroughAnotherBindingDoesNotKeepIt": {
			reason:   "Only the binding the session is Active through is kept.",
			session:  carol(activeThrough("other")),
			bindings: contractor(window(nil, &earlier)),
			want:     decision{Err: noBinding},
		},
		"HiddenWithoutBindingRef": {
			reason:   "A hidden binding does not exist for a session that does not name it.",
			session:  carol(),
			bindings: contractor(hidden),
			want:     decision{Err: noBinding},
		},
		"HiddenByBindingRef": {
			reason:   "A hidden binding applies to a session that names it in bindingRef.",
			session:  carol(withBindingRef("", "contractor")),
			bindings: contractor(hidden),
			want:     decision{Bindings: []string{configNS + "/contractor"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Resolve(Request{Session: tc.session, Template: tmpl, Bindings: tc.bindings, Now: now})
			if diff := cmp.Diff(tc.want, decisionOf(got, err), cmpopts.EquateErrors(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nResolve(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

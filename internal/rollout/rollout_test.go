package rollout

import (
	"testing"
	"time"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/delivery"
	"github.com/k8s-breakglass/function-debug-session/internal/lifecycle"
	"github.com/k8s-breakglass/function-debug-session/internal/names"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

func TestPlan(t *testing.T) {
	now := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	active := lifecycle.Decision{State: v1alpha1.StateActive, Reason: lifecycle.ReasonActive, Message: "Active.", RunWorkload: true, TTL: time.Minute}
	ended := lifecycle.Decision{State: v1alpha1.StateExpired, Reason: lifecycle.ReasonExpired, Message: "Expired.", Ended: true, TTL: time.Minute}
	admission := []delivery.Object{
		{Name: names.DeniedNodesPolicyResource, Object: &unstructured.Unstructured{}},
		{Name: names.DeniedNodesPolicyBindingResource, Object: &unstructured.Unstructured{}},
	}
	guarded := []delivery.Object{
		{Name: names.PodAccessRoleResource, Object: &unstructured.Unstructured{}},
		{Name: names.PodAccessRoleBindingResource, Object: &unstructured.Unstructured{}},
	}
	policyReadyFor := func(d time.Duration) observer {
		since := now.Add(-d)
		return observer{
			Observed: ready(names.DeniedNodesPolicyResource, names.DeniedNodesPolicyBindingResource),
			since:    map[resource.Name]time.Time{names.DeniedNodesPolicyResource: since, names.DeniedNodesPolicyBindingResource: since},
		}
	}
	kept := aux("kept", cm("kept"), keep)
	gone := aux("gone", cm("gone"))
	broken := aux("kept", `{apiVersion: v1, kind: ConfigMap, metadata: {name: '{{ .Nope }}'}}`, keep)

	type want struct {
		objects []string
		state   v1alpha1.State
		ttl     time.Duration
		warns   int
		err     error
	}
	cases := map[string]struct {
		reason    string
		decision  lifecycle.Decision
		admission []delivery.Object
		guarded   []delivery.Object
		rs        []v1alpha1.AuxiliaryResource
		observed  observer
		want      want
	}{
		"WaitingGetsNothing": {
			reason:   "A session waiting for approval or a free slot runs nothing.",
			decision: lifecycle.Decision{State: v1alpha1.StatePendingApproval, TTL: time.Minute},
			rs:       []v1alpha1.AuxiliaryResource{gone},
			want:     want{state: v1alpha1.StatePendingApproval, ttl: time.Minute},
		},
		"AdmissionNotReady": {
			reason:    "The workload waits for the denied-nodes policy to be ready.",
			decision:  active,
			admission: admission,
			want:      want{objects: []string{"policy-denied-nodes", "policy-denied-nodes-binding"}, state: v1alpha1.StatePending, ttl: time.Minute},
		},
		"AdmissionSettling": {
			reason:    "A policy ready for 2s is not in force everywhere yet: the workload waits, and Crossplane comes back when it is.",
			decision:  active,
			admission: admission,
			observed:  policyReadyFor(2 * time.Second),
			want:      want{objects: []string{"policy-denied-nodes", "policy-denied-nodes-binding"}, state: v1alpha1.StatePending, ttl: AdmissionSettle - 2*time.Second},
		},
		"AdmissionSettled": {
			reason:    "Once the policy has settled the workload is returned, after it.",
			decision:  active,
			admission: admission,
			observed:  policyReadyFor(AdmissionSettle),
			want:      want{objects: []string{"policy-denied-nodes", "policy-denied-nodes-binding", "workload"}, state: v1alpha1.StateActive, ttl: time.Minute},
		},
		"RunningWorkloadOutlivesAnUnreadyPolicy": {
			reason:    "A policy that stops being ready (a provider restart) must not take a running workload down.",
			decision:  active,
			admission: admission,
			observed:  observer{Observed: ready(names.WorkloadResource)},
			want:      want{objects: []string{"policy-denied-nodes", "policy-denied-nodes-binding", "workload"}, state: v1alpha1.StateActive, ttl: time.Minute},
		},
		"GuardedWaitForThePolicies": {
			reason:    "Grants come only once the policies that confine them are in force.",
			decision:  active,
			admission: admission,
			guarded:   guarded,
			observed:  policyReadyFor(time.Second),
			want:      want{objects: []string{"policy-denied-nodes", "policy-denied-nodes-binding"}, state: v1alpha1.StatePending, ttl: AdmissionSettle - time.Second},
		},
		"GuardedBeforeTheWorkload": {
			reason:    "Once the policies are in force the grants follow, and the workload waits for them to be ready.",
			decision:  active,
			admission: admission,
			guarded:   guarded,
			observed:  policyReadyFor(AdmissionSettle),
			want:      want{objects: []string{"policy-denied-nodes", "policy-denied-nodes-binding", "pod-access-role", "pod-access-rolebinding"}, state: v1alpha1.StatePending, ttl: time.Minute},
		},
		"GuardedReady": {
			reason:    "With the grants ready the workload is returned last.",
			decision:  active,
			admission: admission,
			guarded:   guarded,
			observed: func() observer {
				o := policyReadyFor(AdmissionSettle)
				o.Observed = o.Observed.with(names.PodAccessRoleResource, delivery.Readiness{Observed: true, Ready: true}).with(names.PodAccessRoleBindingResource, delivery.Readiness{Observed: true, Ready: true})
				return o
			}(),
			want: want{objects: []string{"policy-denied-nodes", "policy-denied-nodes-binding", "pod-access-role", "pod-access-rolebinding", "workload"}, state: v1alpha1.StateActive, ttl: time.Minute},
		},
		"EndedKeepsRetainedOnly": {
			reason:   "An ended session keeps only the deleteAfter: false resources that exist, and never its workload.",
			decision: ended,
			rs:       []v1alpha1.AuxiliaryResource{kept, gone},
			observed: observer{Observed: ready(names.WorkloadResource, "aux-template-kept", "aux-template-gone")},
			want:     want{objects: []string{"aux-template-kept"}, state: v1alpha1.StateExpired, ttl: time.Minute},
		},
		"EndedWithBrokenTemplateLetsGo": {
			reason:   "An ended session lets go of everything when a retained resource no longer renders: a warning, not an error.",
			decision: ended,
			rs:       []v1alpha1.AuxiliaryResource{broken},
			observed: observer{Observed: ready(names.WorkloadResource, "aux-template-kept")},
			want:     want{state: v1alpha1.StateExpired, ttl: time.Minute, warns: 1},
		},
		"RunningWithBrokenTemplateFails": {
			reason:   "A running session whose resource does not render fails with the error naming the resource.",
			decision: active,
			rs:       []v1alpha1.AuxiliaryResource{broken},
			want: want{state: v1alpha1.StateActive, ttl: time.Minute, err: outcome.New(v1alpha1.StateFailed, "DebugSessionTemplate breakglass-system/network-debug-session", "spec.auxiliaryResources[0]",
				"DebugSessionTemplate breakglass-system/network-debug-session auxiliaryResources[kept] template.metadata.name: line 1, column 3: at <.Nope>: can't evaluate field Nope in type render.variables")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if tc.observed.Observed == nil {
				tc.observed.Observed = Observed{}
			}
			out, err := Plan(Input{
				Decision: tc.decision, Admission: tc.admission, Guarded: tc.guarded, Workload: &unstructured.Unstructured{},
				Enabled: enabled(t, tc.rs...), Render: renderAll, Observed: tc.observed, Now: now,
			})
			got := want{state: out.Decision.State, ttl: out.Decision.TTL, warns: len(out.Warnings), err: err}
			for _, o := range out.Objects {
				got.objects = append(got.objects, string(o.Name))
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{}), cmpopts.EquateEmpty(), cmpopts.EquateErrors()); diff != "" {
				t.Errorf("%s\nPlan(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

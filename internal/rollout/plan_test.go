package rollout

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/auxiliary"
	"github.com/k8s-breakglass/function-debug-session/internal/delivery"
	"github.com/k8s-breakglass/function-debug-session/internal/render"
)

// planned summarises a Plan for comparison.
type planned struct {
	Objects    []string // name, and "(orphan)" when orphaned
	Workload   bool
	WaitingFor []string
	Status     []v1alpha1.AuxiliaryResourceStatus
}

func summarisePlan(p order) planned {
	s := planned{Workload: p.Workload, WaitingFor: p.WaitingFor, Status: p.Status}
	for _, o := range p.Objects {
		n := string(o.Name)
		if o.Orphan {
			n += " (orphan)"
		}
		s.Objects = append(s.Objects, n)
	}
	return s
}

// rendered renders resources of a session template, for the plan tests.
func rendered(t *testing.T, rs ...v1alpha1.AuxiliaryResource) *auxiliary.Result {
	t.Helper()
	res, err := renderAll(enabled(t, rs...))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestOrderAround(t *testing.T) {
	before := aux("netpol", cm("netpol"))
	after := aux("later", cm("later"), createAfter)
	kept := aux("kept", cm("kept"), keep)
	broken := aux("broken", `{apiVersion: v1, kind: ConfigMap, metadata: {name: '{{ .Nope }}'}}`, ignore)
	creating := delivery.Readiness{Observed: true, Message: "Object is not Ready: Creating"}

	cases := map[string]struct {
		reason   string
		rs       []v1alpha1.AuxiliaryResource
		observed Observed
		want     planned
	}{
		"NothingObserved": {
			reason: "At first only createBefore resources are returned; the workload waits for them.",
			rs:     []v1alpha1.AuxiliaryResource{before, after},
			want: planned{
				Objects:    []string{"aux-template-netpol"},
				WaitingFor: []string{"netpol"},
				Status: []v1alpha1.AuxiliaryResourceStatus{
					{Name: "netpol", Kind: "ConfigMap", Phase: PhaseCreating, Message: "not created yet"},
					{Name: "later", Kind: "ConfigMap", Phase: PhasePending, Message: "created once the debug workload exists (createBefore: false)"},
				},
			},
		},
		"BeforeObservedNotReady": {
			reason:   "A createBefore resource that exists but is not ready still holds the workload back, and says why.",
			rs:       []v1alpha1.AuxiliaryResource{before, after},
			observed: Observed{}.with("aux-template-netpol", creating),
			want: planned{
				Objects:    []string{"aux-template-netpol"},
				WaitingFor: []string{"netpol"},
				Status: []v1alpha1.AuxiliaryResourceStatus{
					{Name: "netpol", Kind: "ConfigMap", Phase: PhaseCreating, Message: "Object is not Ready: Creating"},
					{Name: "later", Kind: "ConfigMap", Phase: PhasePending, Message: "created once the debug workload exists (createBefore: false)"},
				},
			},
		},
		"BeforeReady": {
			reason:   "Once every createBefore resource is ready the workload is returned; createBefore: false ones still wait for it.",
			rs:       []v1alpha1.AuxiliaryResource{before, after},
			observed: ready("aux-template-netpol"),
			want: planned{
				Objects:  []string{"aux-template-netpol"},
				Workload: true,
				Status: []v1alpha1.AuxiliaryResourceStatus{
					{Name: "netpol", Kind: "ConfigMap", Phase: PhaseReady},
					{Name: "later", Kind: "ConfigMap", Phase: PhasePending, Message: "created once the debug workload exists (createBefore: false)"},
				},
			},
		},
		"WorkloadObserved": {
			reason:   "Once the workload is observed, createBefore: false resources are returned.",
			rs:       []v1alpha1.AuxiliaryResource{before, after},
			observed: ready("aux-template-netpol").with(workload, notReadyWorkload()),
			want: planned{
				Objects:  []string{"aux-template-netpol", "aux-template-later"},
				Workload: true,
				Status: []v1alpha1.AuxiliaryResourceStatus{
					{Name: "netpol", Kind: "ConfigMap", Phase: PhaseReady},
					{Name: "later", Kind: "ConfigMap", Phase: PhaseCreating, Message: "not created yet"},
				},
			},
		},
		"RunningWorkloadStays": {
			reason:   "A createBefore resource that stops being ready never takes a running workload down.",
			rs:       []v1alpha1.AuxiliaryResource{before, after},
			observed: ready(workload, "aux-template-later").with("aux-template-netpol", creating),
			want: planned{
				Objects:    []string{"aux-template-netpol", "aux-template-later"},
				Workload:   true,
				WaitingFor: []string{"netpol"},
				Status: []v1alpha1.AuxiliaryResourceStatus{
					{Name: "netpol", Kind: "ConfigMap", Phase: PhaseCreating, Message: "Object is not Ready: Creating"},
					{Name: "later", Kind: "ConfigMap", Phase: PhaseReady},
				},
			},
		},
		"NoAuxiliaryResources": {
			reason: "Without auxiliary resources the workload is returned at once.",
			want:   planned{Workload: true},
		},
		"SkippedDoNotHoldTheWorkload": {
			reason: "A skipped resource is reported and neither returned nor waited for.",
			rs:     []v1alpha1.AuxiliaryResource{broken},
			want: planned{
				Workload: true,
				Status: []v1alpha1.AuxiliaryResourceStatus{
					{Name: "broken", Kind: "ConfigMap", Phase: PhaseSkipped, Message: "template.metadata.name: line 1, column 3: at <.Nope>: can't evaluate field Nope in type render.variables"},
				},
			},
		},
		"DeleteAfterFalseIsOrphaned": {
			reason: "A deleteAfter: false resource is marked Orphan from the start, so it outlives an XR deletion.",
			rs:     []v1alpha1.AuxiliaryResource{kept},
			want: planned{
				Objects:    []string{"aux-template-kept (orphan)"},
				WaitingFor: []string{"kept"},
				Status:     []v1alpha1.AuxiliaryResourceStatus{{Name: "kept", Kind: "ConfigMap", Phase: PhaseCreating, Message: "not created yet"}},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := orderAround(rendered(t, tc.rs...), tc.observed)
			if diff := cmp.Diff(tc.want, summarisePlan(got), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nPlan(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func notReadyWorkload() delivery.Readiness {
	return delivery.Readiness{Observed: true, Message: "0 of 3 pods available"}
}

func TestRetainOnEnd(t *testing.T) {
	gone := aux("gone", cm("gone"))
	kept := aux("kept", cm("kept"), keep)
	never := aux("never", cm("never"), keep)

	cases := map[string]struct {
		reason   string
		observed Observed
		want     planned
	}{
		"KeepsExistingDeleteAfterFalse": {
			reason:   "After the end only deleteAfter: false resources that exist stay; the rest, and the workload, are dropped.",
			observed: ready(workload, "aux-template-gone", "aux-template-kept"),
			want: planned{
				Objects: []string{"aux-template-kept (orphan)"},
				Status:  []v1alpha1.AuxiliaryResourceStatus{{Name: "kept", Kind: "ConfigMap", Phase: PhaseRetained, Message: "kept after the session ended (deleteAfter: false)"}},
			},
		},
		"NeverCreatesAfterTheEnd": {
			reason: "A deleteAfter: false resource that was never created is not created after the end.",
			want:   planned{},
		},
	}
	en := enabled(t, gone, kept, never)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			// The plan renders only what may stay.
			res, err := renderAll(en.Retained(tc.observed.exists))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, summarisePlan(retain(res, tc.observed)), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nretain(...): -want, +got:\n%s", tc.reason, diff)
			}
			// retain on everything rendered agrees.
			all, err := renderAll(en)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, summarisePlan(retain(all, tc.observed)), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nRetain(...) of every resource: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestNilIsNothing(t *testing.T) {
	res, err := auxiliary.Render(render.New(), nil, auxiliary.Context{}, auxiliary.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	var none *auxiliary.Result
	got := []planned{summarisePlan(orderAround(res, nil)), summarisePlan(orderAround(none, nil)), summarisePlan(retain(none, nil))}
	want := []planned{{Workload: true}, {Workload: true}, {}}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Nothing enabled, or nothing rendered, plans nothing but the workload.\n-want, +got:\n%s", diff)
	}
	var en *auxiliary.Enabled
	if n := len(en.Retained(Observed{}.exists).Resources); n != 0 {
		t.Errorf("Retained of nothing must be nothing, got %d", n)
	}
}

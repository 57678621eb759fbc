package rollout

import (
	"github.com/crossplane/function-sdk-go/resource"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/auxiliary"
	"github.com/k8s-breakglass/function-debug-session/internal/delivery"
	"github.com/k8s-breakglass/function-debug-session/internal/names"
)

// Phases of an auxiliary resource in the session status.
const (
	// PhasePending resources wait for the workload: they are created after
	// it (createBefore: false).
	PhasePending = "Pending"
	// PhaseCreating resources are desired but not yet observed ready.
	PhaseCreating = "Creating"
	// PhaseReady resources are observed ready.
	PhaseReady = "Ready"
	// PhaseSkipped resources failed to render and have failurePolicy ignore.
	PhaseSkipped = "Skipped"
	// PhaseRetained resources stay after the session ended (deleteAfter:
	// false).
	PhaseRetained = "Retained"
)

// order is what to return for a session's auxiliary resources.
type order struct {
	// Objects to return as desired composed resources, in order. Objects
	// with deleteAfter: false are marked Orphan, so they outlive the
	// session on the target cluster.
	Objects []delivery.Object
	// Workload reports whether the debug workload may be returned.
	Workload bool
	// WaitingFor names the createBefore resources that hold the workload
	// back because they are not ready yet.
	WaitingFor []string
	// Status entries, one per enabled resource, in order.
	Status []v1alpha1.AuxiliaryResourceStatus
}

// orderAround orders a running session's resources around its workload:
//
//   - createBefore resources are always returned;
//   - the workload is returned once every createBefore resource is observed
//     ready, and from then on for good, so a resource that stops being ready
//     never takes a running workload down;
//   - createBefore: false resources are returned once the workload is
//     observed, and from then on for good.
//
// Skipped resources are reported and never returned.
func orderAround(r *auxiliary.Result, observed Observed) order {
	p := order{}
	if r == nil {
		p.Workload = true
		return p
	}
	workloadObserved := observed.exists(names.WorkloadResource)
	for _, rr := range r.Resources {
		if rr.Object != nil && rr.CreateBefore() && !observed.ready(rr.Name) {
			p.WaitingFor = append(p.WaitingFor, rr.Spec.Name)
		}
	}
	p.Workload = workloadObserved || len(p.WaitingFor) == 0

	for _, rr := range r.Resources {
		st := v1alpha1.AuxiliaryResourceStatus{Name: rr.Spec.Name, Kind: rr.Kind, Category: rr.Spec.Category}
		switch {
		case rr.Object == nil:
			st.Phase, st.Message = PhaseSkipped, rr.Skipped
		case !rr.CreateBefore() && !workloadObserved && !observed.exists(rr.Name):
			st.Phase, st.Message = PhasePending, "created once the debug workload exists (createBefore: false)"
		case observed.ready(rr.Name):
			p.Objects = append(p.Objects, object(rr))
			st.Phase = PhaseReady
		default:
			p.Objects = append(p.Objects, object(rr))
			st.Phase, st.Message = PhaseCreating, observed[rr.Name].Message
			if st.Message == "" {
				st.Message = "not created yet"
			}
		}
		p.Status = append(p.Status, st)
	}
	return p
}

// retain is the order of a session that has ended: no workload, and only
// the resources with deleteAfter: false that exist. Everything else stops
// being returned, so Crossplane deletes it.
func retain(r *auxiliary.Result, observed Observed) order {
	p := order{}
	if r == nil {
		return p
	}
	for _, rr := range r.Resources {
		if !observed.exists(rr.Name) || rr.DeleteAfter() || rr.Object == nil {
			continue
		}
		p.Objects = append(p.Objects, object(rr))
		p.Status = append(p.Status, v1alpha1.AuxiliaryResourceStatus{
			Name: rr.Spec.Name, Kind: rr.Kind, Category: rr.Spec.Category,
			Phase: PhaseRetained, Message: "kept after the session ended (deleteAfter: false)",
		})
	}
	return p
}

func object(rr auxiliary.Rendered) delivery.Object {
	return delivery.Object{Name: rr.Name, Object: rr.Object.DeepCopy(), Orphan: !rr.DeleteAfter()}
}

// Observed is what the deliverer has observed of the session's composed
// resources, by composition resource name. A name that is absent was not
// observed.
type Observed map[resource.Name]delivery.Readiness

func (o Observed) exists(name resource.Name) bool { return o[name].Observed }

func (o Observed) ready(name resource.Name) bool { return o[name].Ready }

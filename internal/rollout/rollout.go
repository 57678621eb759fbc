package rollout

import (
	"strings"
	"time"

	"github.com/crossplane/function-sdk-go/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/auxiliary"
	"github.com/k8s-breakglass/function-debug-session/internal/delivery"
	"github.com/k8s-breakglass/function-debug-session/internal/lifecycle"
	"github.com/k8s-breakglass/function-debug-session/internal/names"
)

// AdmissionSettle is how long the objects that must be in force before any
// debug pod exists must have been ready before the workload is returned. The
// API server loads new admission policies in the background, refreshing them
// every second, so a pod created in the same second as the policy can
// escape it (seen end to end); a few seconds later it cannot.
const AdmissionSettle = 5 * time.Second

// waitingForAdmission is how the status names the admission policies the
// workload waits for.
const waitingForAdmission = "the session's admission policies"

// An Observer tells what the deliverer has observed of the session's
// composed resources. delivery.Observer is the one RunFunction uses.
type Observer interface {
	// Readiness of a composed resource; the zero value when it was not
	// observed.
	Readiness(name resource.Name) delivery.Readiness
	// ReadySince is when the resource became ready, or the zero time when
	// that is not known.
	ReadySince(name resource.Name) time.Time
}

// Input is a session's objects and its decided state.
type Input struct {
	// Decision of the lifecycle for this call.
	Decision lifecycle.Decision

	// Admission are the objects that must be in force before any debug pod
	// exists, with their composition resource names.
	Admission []delivery.Object

	// Guarded are objects that must exist before the workload but only once
	// the admission objects are in force: grants the admission policies
	// confine (a Role binding before its policy would reach pods the policy
	// keeps out of reach), the quota and disruption budget.
	Guarded []delivery.Object

	// Workload is the debug workload.
	Workload *unstructured.Unstructured

	// Enabled are the session's enabled auxiliary resources, and Render
	// renders some of them with the session's context and policy. Only the
	// resources that may still be returned are rendered.
	Enabled *auxiliary.Enabled
	Render  func(*auxiliary.Enabled) (*auxiliary.Result, error)

	// Observed is what the deliverer has observed.
	Observed Observer

	// Now is the current time, from the injected clock.
	Now time.Time
}

// Output is what to return for the session on this call.
type Output struct {
	// Objects to return as desired composed resources, in order.
	Objects []delivery.Object

	// Auxiliary is the status of every enabled auxiliary resource.
	Auxiliary []v1alpha1.AuxiliaryResourceStatus

	// Decision is the input's, turned from Active into Preparing while the
	// workload waits for what must exist before it, and with a TTL that
	// brings Crossplane back when the admission policy has settled.
	Decision lifecycle.Decision

	// Warnings about skipped or broken auxiliary resources.
	Warnings []string
}

// Plan returns the objects of a session for its decided state. A session
// waiting for approval or a free slot gets nothing; a running one its
// objects in order; an ended one what stays. It fails only when a running
// session's auxiliary resources cannot be rendered: an ended session must
// let go of its debug pods whatever its retained resources' templates say
// now, so that becomes a warning.
func Plan(in Input) (Output, error) {
	d := in.Decision
	out := Output{Decision: d}
	if !d.RunWorkload && !d.Ended {
		return out, nil
	}
	observed := observe(in)
	if d.Ended {
		rendered, err := in.Render(in.Enabled.Retained(observed.exists))
		if err != nil {
			out.Warnings = append(out.Warnings, err.Error())
			return out, nil
		}
		kept := retain(rendered, observed)
		out.Objects, out.Auxiliary, out.Warnings = kept.Objects, kept.Status, rendered.Warnings
		return out, nil
	}

	rendered, err := in.Render(in.Enabled)
	if err != nil {
		return out, err
	}
	out.Warnings = rendered.Warnings
	o := orderAround(rendered, observed)
	out.Auxiliary = o.Status
	out.Objects = make([]delivery.Object, 0, len(in.Admission)+len(in.Guarded)+len(o.Objects)+1)
	out.Objects = append(out.Objects, in.Admission...)

	// Once the workload exists the order has been kept, and nothing that
	// stops being ready later takes it, or what it needs, away.
	running := observed.exists(names.WorkloadResource)
	waiting := o.WaitingFor
	pending, left := admissionPending(in)
	if pending && !running {
		waiting = append(waiting, waitingForAdmission)
		if left > 0 && left < d.TTL {
			d.TTL = left
		}
	}
	if !pending || running {
		out.Objects = append(out.Objects, in.Guarded...)
		for _, g := range in.Guarded {
			if !running && !observed.ready(g.Name) {
				waiting = append(waiting, string(g.Name))
			}
		}
	}
	out.Objects = append(out.Objects, o.Objects...)
	if !o.Workload || len(waiting) > 0 {
		out.Decision = d.Preparing(strings.Join(waiting, ", "))
		return out, nil
	}
	out.Objects = append(out.Objects, delivery.Object{Name: names.WorkloadResource, Object: in.Workload})
	out.Decision = d
	return out, nil
}

// observe reads the readiness of everything the plan looks at.
func observe(in Input) Observed {
	o := Observed{}
	if in.Observed == nil {
		return o
	}
	add := func(n resource.Name) {
		if r := in.Observed.Readiness(n); r.Observed {
			o[n] = r
		}
	}
	add(names.WorkloadResource)
	for _, a := range in.Admission {
		add(a.Name)
	}
	for _, g := range in.Guarded {
		add(g.Name)
	}
	if in.Enabled != nil {
		for _, r := range in.Enabled.Resources {
			add(r.Name)
		}
	}
	return o
}

// admissionPending reports whether the admission objects are not in force
// yet, and how long until they will be when that is a matter of time.
func admissionPending(in Input) (bool, time.Duration) {
	var latest time.Time
	for _, a := range in.Admission {
		if in.Observed == nil || !in.Observed.Readiness(a.Name).Ready {
			return true, 0
		}
		if t := in.Observed.ReadySince(a.Name); t.After(latest) {
			latest = t
		}
	}
	if latest.IsZero() {
		// No policy, or an observed state without timestamps (an offline
		// render): nothing to wait for.
		return false, 0
	}
	left := latest.Add(AdmissionSettle).Sub(in.Now)
	return left > 0, left
}

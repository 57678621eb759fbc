package main

import (
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/internal/access"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/auxiliary"
	"github.com/k8s-breakglass/function-debug-session/internal/delivery"
	"github.com/k8s-breakglass/function-debug-session/internal/lifecycle"
	"github.com/k8s-breakglass/function-debug-session/internal/names"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
	"github.com/k8s-breakglass/function-debug-session/internal/requirements"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
	"github.com/k8s-breakglass/function-debug-session/internal/rollout"
	"github.com/k8s-breakglass/function-debug-session/internal/scheduling"
	"github.com/k8s-breakglass/function-debug-session/internal/workload"
)

// plan is what a session would run, whatever its state: its scheduling
// constraints, workload, admission policy for denied node names, enabled
// auxiliary resources and where they are delivered.
type plan struct {
	labels      map[string]string
	annotations map[string]string
	workload    *unstructured.Unstructured
	admission   []delivery.Object
	guarded     []delivery.Object
	operations  *v1alpha1.PodOperations
	warnings    []string
	enabled     *auxiliary.Enabled
	target      delivery.Target
	scheduling  *v1alpha1.SchedulingStatus
	template    *v1alpha1.DebugSessionTemplate
	res         *resolution.Result
	// participants as the session asked for them.
	participants *v1alpha1.Participants
}

// plan builds the session's plan from the layers resolution picked. Errors
// are Denied when the user asked for something the constraints forbid, else
// Failed; both name the object and field.
func (c *call) plan(got *requirements.Fetched, res *resolution.Result) (*plan, error) {
	sched, err := scheduling.Effective(res.Layers)
	if err != nil {
		return nil, err
	}
	user := scheduling.UserNodeSelector{Session: sessionName(c.s), NodeSelector: c.s.Spec.NodeSelector, Allowed: res.AllowUserNodeSelector}
	if err := user.Check(sched); err != nil {
		return nil, err
	}
	t := got.Template
	p := &plan{template: t, res: res, target: delivery.TargetFor(c.in, c.s.Spec.Cluster, got.ClusterConfig, delivery.ForCompositeNamespace(c.xr.Resource.GetNamespace()))}
	if p.labels, err = workload.Labels(c.s, t.Name); err != nil {
		return nil, outcome.New(v1alpha1.StateFailed, c.s.Describe(), "metadata.name", c.s.Describe()+": "+err.Error())
	}
	p.annotations = workload.Annotations(c.s)
	p.workload, err = workload.Build(workload.Params{
		Session: c.s, Template: t, PodTemplate: got.PodTemplate, Namespace: res.TargetNamespace,
		Labels: p.labels, Annotations: p.annotations, Constrain: scheduling.Constrain(sched, user),
	})
	if err != nil {
		return nil, err
	}
	adm, err := scheduling.DeniedNodeAdmission(sched, c.in.GetDeniedNodeGlobs(), scheduling.AdmissionTarget{
		Session: sessionName(c.s), Workload: p.workload.GetName(), Namespace: res.TargetNamespace, Labels: p.labels,
	})
	if err != nil {
		return nil, err
	}
	if adm != nil {
		p.admission = []delivery.Object{
			{Name: names.DeniedNodesPolicyResource, Object: adm.Policy},
			{Name: names.DeniedNodesPolicyBindingResource, Object: adm.Binding},
		}
	}
	if err := c.planAccess(p, got, res); err != nil {
		return nil, err
	}
	if p.enabled, err = auxiliary.Enable(got.PodTemplate, res.Layers); err != nil {
		return nil, err
	}
	p.scheduling = scheduling.Status(sched, user, workload.Kind(t))
	if o := res.SchedulingOption(); o != nil {
		// The approver approved this option; the status says which it is.
		if p.scheduling == nil {
			p.scheduling = &v1alpha1.SchedulingStatus{}
		}
		p.scheduling.Option = o.Name
	}
	return p, nil
}

// context is what the session's auxiliary resources are rendered with.
func (p *plan) context(s *v1alpha1.DebugSession, got *requirements.Fetched, res *resolution.Result, expiresAt string) auxiliary.Context {
	return auxiliary.Context{
		Session: s, Template: got.Template, Binding: res.Binding(), ClusterConfig: got.ClusterConfig,
		TargetNamespace: res.TargetNamespace, Labels: p.labels, Annotations: p.annotations, ExpiresAt: expiresAt,
		DisplayName: res.DisplayName,
	}
}

// status is the session's status: what the plan says about every session,
// what the rollout made of it on this call, and the decision. podsWaiting
// is what the observed workload's pods wait for, finished how a workload
// that runs to an end (a Job) ended.
func (p *plan) status(out rollout.Output, podsWaiting, finished string) *v1alpha1.DebugSessionStatus {
	st := &v1alpha1.DebugSessionStatus{
		Template:           &v1alpha1.ObjectReference{Name: p.template.Name, Namespace: p.template.Namespace},
		TargetNamespace:    p.res.TargetNamespace,
		Constraints:        constraintsStatus(p.res.Constraints),
		Scheduling:         p.scheduling,
		AuxiliaryResources: out.Auxiliary,
	}
	st.AllowedPodOperations = p.operations
	st.Participants = access.ParticipantsStatus(p.participants)
	if b := p.res.Binding(); b != nil {
		st.Binding = &v1alpha1.BindingStatus{Name: b.Name, Namespace: b.Namespace, Priority: b.Spec.Priority}
		st.Binding.DisplayName, _ = p.res.PrefixedDisplayName()
	}
	if slices.ContainsFunc(out.Objects, func(o delivery.Object) bool { return o.Name == names.WorkloadResource }) {
		st.Workload = &v1alpha1.WorkloadStatus{Kind: p.workload.GetKind(), Name: p.workload.GetName(), Namespace: p.workload.GetNamespace()}
	}
	out.Decision.Apply(st)
	if w := podsWaiting; w != "" && st.State == v1alpha1.StateActive {
		// Crossplane's Ready condition says only "Unready resources:
		// workload"; the status says what the session waits for.
		st.Message += " Waiting for the debug pods: " + w + "."
	}
	if f := finished; f != "" && st.State == v1alpha1.StateActive {
		// A finished Job's pods, and their logs, are what the session is
		// for now: they stay until it expires or is terminated.
		st.Message += " The debug " + f + "; it and its pods stay until the session ends."
	}
	return st
}

// bound returns the workload bounded by the session's time once the
// lifecycle has decided it. The plan is shared by every call of the same
// request (see prepared), possibly at once, so a workload that needs a bound
// (a Job) is bounded in a copy; the others are returned as planned.
func (p *plan) bound(s *v1alpha1.DebugSession, d lifecycle.Decision) (*unstructured.Unstructured, error) {
	if !d.RunWorkload || !workload.NeedsBound(p.workload) {
		return p.workload, nil
	}
	w := p.workload.DeepCopy()
	return w, workload.Bound(w, s.Describe(), d.ActivatedAt, d.ExpiresAt)
}

// endedStatus is the status of a session that stopped or ended before
// anything was planned: only the decision.
func endedStatus(d lifecycle.Decision) *v1alpha1.DebugSessionStatus {
	st := &v1alpha1.DebugSessionStatus{}
	d.Apply(st)
	return st
}

func constraintsStatus(c v1alpha1.Constraints) *v1alpha1.ConstraintsStatus {
	if c.MaxDuration == "" && c.DefaultDuration == "" && c.MaxConcurrentSessions == nil && c.MaxRenewals == nil {
		return nil
	}
	return &v1alpha1.ConstraintsStatus{MaxDuration: c.MaxDuration, DefaultDuration: c.DefaultDuration, MaxConcurrentSessions: c.MaxConcurrentSessions, MaxRenewals: c.MaxRenewals}
}

// sessionName names a session in messages: namespace/name, or just its name
// when it is a legacy cluster-scoped one.
func sessionName(s *v1alpha1.DebugSession) string {
	if s.Namespace == "" {
		return s.Name
	}
	return s.Namespace + "/" + s.Name
}

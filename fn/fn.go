package main

import (
	"context"
	"strings"
	"time"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/response"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/auxiliary"
	"github.com/k8s-breakglass/function-debug-session/internal/delivery"
	"github.com/k8s-breakglass/function-debug-session/internal/lifecycle"
	"github.com/k8s-breakglass/function-debug-session/internal/render"
	"github.com/k8s-breakglass/function-debug-session/internal/requirements"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
	"github.com/k8s-breakglass/function-debug-session/internal/scheduling"
)

// Function turns DebugSessions into debug workloads.
type Function struct {
	fnv1.UnimplementedFunctionRunnerServiceServer

	log      logging.Logger
	clock    func() time.Time
	renderer *render.Renderer
}

// An Option configures a Function.
type Option func(*Function)

// WithClock injects the clock. Tests and example renders pin it.
func WithClock(c func() time.Time) Option {
	return func(f *Function) { f.clock = c }
}

// NewFunction returns a Function that logs to log. Its template renderer,
// and the parse cache in it, lives as long as the Function.
func NewFunction(log logging.Logger, o ...Option) *Function {
	f := &Function{log: log, clock: time.Now, renderer: render.New()}
	for _, fn := range o {
		fn(f)
	}
	return f
}

// RunFunction reads the session and everything it refers to, decides its
// state, and returns its objects and status. Each step below is one internal
// package; a step that cannot go on ends the call through c.stop, which never
// deletes a running session's objects.
func (f *Function) RunFunction(_ context.Context, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	c, rsp := f.begin(req)
	if c == nil {
		return rsp, nil
	}

	sel, got, err := fetch(req, c.s, c.in)
	if err != nil {
		return c.stop(v1alpha1.StateFailed, err.Error()), nil
	}
	rsp.Requirements = &fnv1.Requirements{Resources: sel}
	if !got.Complete(sel) {
		// Crossplane calls again with the answers; until then nothing is
		// decided.
		c.log.Debug("Waiting for required resources", "requirements", len(sel))
		return rsp, nil
	}
	if msg := missing(c.s, c.in, got); msg != "" {
		return c.stop(v1alpha1.StateFailed, msg), nil
	}

	res := resolve(c.s, c.in, got)
	c.warn(res.Warnings...)
	if res.Denied != "" {
		return c.stop(v1alpha1.StateDenied, res.Denied), nil
	}
	ss, err := c.plan(got, res)
	if err != nil {
		return c.stop(scheduling.StateOf(err), err.Error()), nil
	}
	d, err := lifecycle.Decide(lifecycle.DecideInput{
		Session: c.s, Now: f.clock(), Approvers: res.Approvers, Constraints: res.Constraints,
		ApprovalRequiredBy: ss.enabled.ApprovalRequiredBy, Others: got.Sessions,
		Template:        v1alpha1.ObjectReference{Name: got.Template.Name, Namespace: got.Template.Namespace},
		ConfigNamespace: c.in.GetConfigNamespace(), TTL: c.in.GetTTL(),
	})
	if err != nil {
		return c.stop(v1alpha1.StateFailed, withSource(err, res)), nil
	}
	c.warn(ss.enabled.Warnings...)
	c.warn(d.Warnings...)

	objs, d, err := f.objects(c, got, res, ss, d)
	if err != nil {
		return c.stop(v1alpha1.StateFailed, err.Error()), nil
	}
	desired, err := delivery.Desired(ss.target, objs, c.observed)
	if err != nil {
		return c.stop(v1alpha1.StateFailed, err.Error()), nil
	}
	if _, ok := desired[delivery.WorkloadResourceName]; ok {
		ss.status.Workload = &v1alpha1.WorkloadStatus{Kind: ss.workload.GetKind(), Name: ss.workload.GetName(), Namespace: ss.workload.GetNamespace()}
	}
	d.Apply(ss.status)
	if w := ss.target.PodsWaiting(delivery.WorkloadResourceName, c.observed); w != "" && d.State == v1alpha1.StateActive {
		// Crossplane's Ready condition says only "Unready resources:
		// workload"; the status says what the session waits for.
		ss.status.Message += " Waiting for the debug pods: " + w + "."
	}
	c.decided(d)
	if err := c.respond(ss.status, d.RunWorkload, desired); err != nil {
		response.Fatal(rsp, err)
	}
	return rsp, nil
}

// objects returns the session's objects for its decided state, and the
// decision, which turns from Active into Pending while objects that must
// exist before the debug pods are not ready yet.
func (f *Function) objects(c *call, got *requirements.Fetched, res *resolution.Result, ss *session, d lifecycle.Decision) ([]delivery.Object, lifecycle.Decision, error) {
	if !d.RunWorkload && !d.Ended {
		// Waiting for approval or a free slot: nothing runs yet.
		return nil, d, nil
	}
	obs := auxiliary.Observe(ss.target, c.observed)
	en := ss.enabled
	if d.Ended {
		en = en.Retained(obs)
	}
	actx := auxiliary.Context{
		Session: c.s, Template: got.Template, Binding: res.Binding(), ClusterConfig: got.ClusterConfig,
		TargetNamespace: res.TargetNamespace, Labels: ss.labels,
		Annotations: ss.annotations, ExpiresAt: d.ExpiresAt,
	}
	out, err := auxiliary.Render(f.renderer, en, actx, auxiliary.PolicyFor(c.in, res.Bindings))
	if err != nil && d.Ended {
		// An ended session must let go of its debug pods whatever its
		// retained resources' templates say now.
		c.warn(err.Error())
		return nil, d, nil
	}
	if err != nil {
		return nil, d, err
	}
	c.warn(out.Warnings...)
	if d.Ended {
		plan := out.Retain(obs)
		ss.status.AuxiliaryResources = plan.Status
		return plan.Objects, d, nil
	}

	plan := out.Plan(obs, delivery.WorkloadResourceName)
	ss.status.AuxiliaryResources = plan.Status
	objs := make([]delivery.Object, 0, len(ss.admission)+len(plan.Objects)+1)
	objs = append(objs, ss.admission...)
	objs = append(objs, plan.Objects...)
	waiting := plan.WaitingFor
	if pending, left := c.admissionPending(ss); pending {
		// Pods must not be bound before the policy that refuses denied
		// nodes is in force.
		waiting = append(waiting, "the admission policy that refuses denied nodes")
		if left > 0 && left < d.TTL {
			d.TTL = left
		}
	}
	if !plan.Workload || len(waiting) > 0 {
		return objs, d.Preparing(strings.Join(waiting, ", ")), nil
	}
	return append(objs, delivery.Object{Name: delivery.WorkloadResourceName, Object: ss.workload}), d, nil
}

// decided writes the response's TTL and, on a transition only, the event
// and condition that tell users what happened.
func (c *call) decided(d lifecycle.Decision) {
	c.rsp.Meta.Ttl = durationpb.New(d.TTL)
	if d.Updated {
		c.flush()
	}
	if !d.Transition {
		return
	}
	response.Normalf(c.rsp, "DebugSession is %s: %s", d.State, d.Message).TargetCompositeAndClaim()
	cond := response.ConditionFalse(c.rsp, conditionType, d.Reason)
	if d.State == v1alpha1.StateActive {
		cond = response.ConditionTrue(c.rsp, conditionType, d.Reason)
	}
	cond.WithMessage(d.Message).TargetCompositeAndClaim()
}

// begin reads the input, the observed session and its composed resources.
// It returns no call when the response is already final.
func (f *Function) begin(req *fnv1.RunFunctionRequest) (*call, *fnv1.RunFunctionResponse) {
	in := &v1beta1.Input{}
	if err := request.GetInput(req, in); err != nil {
		rsp := response.To(req, v1beta1.DefaultTTL)
		response.Fatal(rsp, errors.Wrap(err, "cannot get the function input"))
		return nil, rsp
	}
	rsp := response.To(req, in.GetTTL())
	if errs := in.Validate(); len(errs) > 0 {
		response.Fatal(rsp, errors.Wrap(errs.ToAggregate(), "invalid function input"))
		return nil, rsp
	}
	xr, err := request.GetObservedCompositeResource(req)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot get the observed DebugSession"))
		return nil, rsp
	}
	observed, err := request.GetObservedComposedResources(req)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot get the observed composed resources"))
		return nil, rsp
	}
	c := &call{
		f: f, req: req, rsp: rsp, in: in, xr: xr, observed: observed,
		log: f.log.WithValues("session", xr.Resource.GetNamespace()+"/"+xr.Resource.GetName()),
	}
	c.s, err = lifecycle.Parse(xr)
	if err != nil {
		return nil, c.stop(v1alpha1.StateFailed, err.Error())
	}
	return c, rsp
}

package main

import (
	"time"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/response"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/lifecycle"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
	"github.com/k8s-breakglass/function-debug-session/internal/requirements"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
	"github.com/k8s-breakglass/function-debug-session/internal/telemetry"
)

// conditionType is the DebugSession condition the function sets: True while
// the session is Active, False otherwise, with the state as its reason.
const conditionType = "SessionActive"

// call is one RunFunction call: what it read and what it is writing.
type call struct {
	f        *Function
	req      *fnv1.RunFunctionRequest
	rsp      *fnv1.RunFunctionResponse
	in       *v1beta1.Input
	xr       *resource.Composite
	s        *v1alpha1.DebugSession
	observed map[resource.Name]resource.ObservedComposed
	log      logging.Logger
	timer    *telemetry.Timer

	// got and res are what fetch found, for metrics and the audit record;
	// nil until it found them.
	got *requirements.Fetched
	res *resolution.Result

	// warnings are emitted as results only when the session's status
	// changes, so that an unchanged configuration problem does not raise an
	// event on every reconcile.
	warnings []string
}

// begin reads the input, the observed session and its composed resources.
// It returns no call when the response is already final.
func (f *Function) begin(req *fnv1.RunFunctionRequest, t *telemetry.Timer) (*call, *fnv1.RunFunctionResponse) {
	in := &v1beta1.Input{}
	if err := request.GetInput(req, in); err != nil {
		rsp := response.To(req, v1beta1.DefaultTTL)
		response.Fatal(rsp, errors.New("cannot get the function input: "+outcome.Decoding(err)))
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
		f: f, req: req, rsp: rsp, in: in, xr: xr, observed: observed, timer: t,
		log: f.log.WithValues("session", xr.Resource.GetNamespace()+"/"+xr.Resource.GetName()),
	}
	c.s, err = lifecycle.Parse(xr)
	if err != nil {
		return nil, c.stop(err)
	}
	return c, rsp
}

// fetch asks Crossplane for what the session refers to and resolves it, once.
// The second round (the pod template, and other sessions when a concurrency
// limit or a binding cap applies) is only asked for once the first is
// answered, so the
// requirements stay a pure function of what is known. It returns nothing
// while answers are outstanding.
func (c *call) fetch(now time.Time) (*requirements.Fetched, *resolution.Result, error) {
	defer c.timer.Enter(telemetry.StepRequirements)()
	sel := requirements.Selectors(c.s, c.in, requirements.Needs{})
	load := requirements.NewLoader(c.req)
	got, err := load.Load(c.s, sel)
	if err != nil {
		return nil, nil, err
	}
	var res *resolution.Result
	var refused error
	if got.Complete(sel) && got.Template != nil {
		ptName, err := requirements.PodTemplateName(got.Template)
		if err != nil {
			return nil, nil, err
		}
		leave := c.timer.Enter(telemetry.StepResolution)
		res, refused = resolution.Resolve(resolution.Request{Session: c.s, Template: got.Template, ClusterConfig: got.ClusterConfig, Bindings: got.Bindings, Input: c.in, Now: now})
		leave()
		needs := requirements.Needs{PodTemplate: ptName, PodTemplateNamespace: got.Template.Namespace}
		needs.SessionsOnCluster = refused == nil && res.Constraints.MaxConcurrentSessions != nil
		needs.SessionsEverywhere = refused == nil && res.Capped()
		sel = requirements.Selectors(c.s, c.in, needs)
		if got, err = load.Load(c.s, sel); err != nil {
			return nil, nil, err
		}
	}
	c.rsp.Requirements = &fnv1.Requirements{Resources: sel}
	if !got.Complete(sel) {
		c.log.Debug("Waiting for required resources", "requirements", len(sel))
		return nil, nil, nil
	}
	c.got, c.res = got, res
	if err := got.Missing(c.s, c.in); err != nil {
		return nil, nil, err
	}
	c.warn(res.Warnings...)
	return got, res, refused
}

// bindingsOf names the bindings another session applies through, resolved
// as this session was, for the binding caps; nil when no binding caps its
// sessions.
func (c *call) bindingsOf(got *requirements.Fetched, now time.Time) func(*v1alpha1.DebugSession) []v1alpha1.ObjectReference {
	if !c.res.Capped() {
		return nil
	}
	return resolution.BindingsOf(resolution.Request{Template: got.Template, Bindings: got.Bindings, Input: c.in, Now: now}, got.ClusterConfigs)
}

func (c *call) warn(w ...string) { c.warnings = append(c.warnings, w...) }

func (c *call) flush() {
	seen := map[string]bool{}
	for _, w := range c.warnings {
		if seen[w] {
			continue
		}
		seen[w] = true
		response.Warning(c.rsp, errors.New(w)).TargetCompositeAndClaim()
	}
	c.warnings = nil
}

// stop ends a call that cannot go on because of err. A session that
// already has composed resources keeps them: a Fatal result makes Crossplane
// change nothing, so a broken or missing input never deletes a running
// session's objects. A session that never had any gets err's terminal state
// instead.
func (c *call) stop(err error) *fnv1.RunFunctionResponse {
	if len(c.observed) > 0 && c.s != nil {
		// A session that has ended by its own record ends even when an
		// input is missing or broken, so that nothing can keep expired
		// debug pods running.
		if d, ended := lifecycle.KnownEnd(lifecycle.DecideInput{Session: c.s, Now: c.f.clock(), TTL: c.in.GetTTL()}); ended {
			return c.end(d, err)
		}
	}
	if len(c.observed) > 0 {
		c.seen(c.s)
		c.flush()
		response.Fatal(c.rsp, errors.Errorf("%s; keeping the session's %d existing resources unchanged", err, len(c.observed)))
		return c.rsp
	}
	d := lifecycle.Stopped(c.s, err, c.in.GetTTL())
	return c.respond(d, endedStatus(d), nil)
}

// end ends a session whose inputs cannot be read. Its objects are dropped;
// deleteAfter: false auxiliary resources survive on the target cluster only
// where delivery orphans them (ProviderKubernetes), because without the
// inputs they cannot be rendered again.
func (c *call) end(d lifecycle.Decision, why error) *fnv1.RunFunctionResponse {
	c.warn(why.Error())
	return c.respond(d, endedStatus(d), nil)
}

// respond writes the decision's TTL, event and condition, the session
// status and the session's objects over the desired state left by earlier
// pipeline steps. A session that is not running is reported not ready,
// whatever its composed resources say.
func (c *call) respond(d lifecycle.Decision, st *v1alpha1.DebugSessionStatus, objs map[resource.Name]*resource.DesiredComposed) *fnv1.RunFunctionResponse {
	c.decided(d)
	if err := c.write(st, d.RunWorkload, objs); err != nil {
		response.Fatal(c.rsp, err)
	}
	return c.rsp
}

// decided writes the response's TTL and, on a transition only, the event
// and condition that tell users what happened.
func (c *call) decided(d lifecycle.Decision) {
	c.rsp.Meta.Ttl = durationpb.New(lifecycle.ThrottleTTL(d.TTL, c.xr.Resource))
	c.observe(d)
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

func (c *call) write(st *v1alpha1.DebugSessionStatus, running bool, objs map[resource.Name]*resource.DesiredComposed) error {
	dxr, err := request.GetDesiredCompositeResource(c.req)
	if err != nil {
		return errors.Wrap(err, "cannot get the desired DebugSession")
	}
	if err := lifecycle.WriteStatus(dxr, st); err != nil {
		return err
	}
	if !running {
		dxr.Ready = resource.ReadyFalse
	}
	if err := response.SetDesiredCompositeResource(c.rsp, dxr); err != nil {
		return errors.Wrap(err, "cannot set the desired DebugSession")
	}
	if len(objs) == 0 {
		return nil
	}
	desired, err := request.GetDesiredComposedResources(c.req)
	if err != nil {
		return errors.Wrap(err, "cannot get the desired composed resources")
	}
	for name, o := range objs {
		desired[name] = o
	}
	return errors.Wrap(response.SetDesiredComposedResources(c.rsp, desired), "cannot set the desired composed resources")
}

package main

import (
	"time"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/response"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/auxiliary"
	"github.com/k8s-breakglass/function-debug-session/internal/delivery"
	"github.com/k8s-breakglass/function-debug-session/internal/lifecycle"
	"github.com/k8s-breakglass/function-debug-session/internal/memo"
	"github.com/k8s-breakglass/function-debug-session/internal/render"
	"github.com/k8s-breakglass/function-debug-session/internal/rollout"
	"github.com/k8s-breakglass/function-debug-session/internal/telemetry"
)

// Function turns DebugSessions into debug workloads.
type Function struct {
	fnv1.UnimplementedFunctionRunnerServiceServer

	log      logging.Logger
	clock    func() time.Time
	renderer *render.Renderer
	// rendered remembers auxiliary resources rendered on earlier calls, by
	// a hash of everything rendering reads: see auxiliary.Memo.
	rendered *auxiliary.Memo
	// prepared remembers what calls computed before their decision, by a
	// hash of the whole request: see prepared.
	prepared *preparedCache
	registry prometheus.Registerer
	metrics  *telemetry.Metrics
}

// An Option configures a Function.
type Option func(*Function)

// WithClock injects the clock. Tests and example renders pin it.
func WithClock(c func() time.Time) Option {
	return func(f *Function) { f.clock = c }
}

// NewFunction returns a Function that logs to log. Its template renderer,
// and the parse cache in it, lives as long as the Function, and so do its
// metrics, which go to a private registry unless WithMetrics names one.
func NewFunction(log logging.Logger, o ...Option) *Function {
	f := &Function{log: log, clock: time.Now, renderer: render.New(), rendered: auxiliary.NewMemo(), prepared: newPreparedCache(), registry: prometheus.NewRegistry()}
	for _, fn := range o {
		fn(f)
	}
	f.metrics = telemetry.NewMetrics(f.registry, telemetry.WithClock(f.clock), telemetry.WithRenderCache(f.renderer.CacheStats))
	return f
}

// run reads the session and everything it refers to, decides its state, and
// returns its objects and status. Each step is one internal package and
// fails with an *outcome.Error; c.stop ends the call with it and never
// deletes a running session's objects. t times the steps. A request seen
// before skips to the decision (see prepared).
func (f *Function) run(req *fnv1.RunFunctionRequest, t *telemetry.Timer) *fnv1.RunFunctionResponse {
	leave := t.Enter(telemetry.StepRequirements)
	k, size := memo.MessageKey("RunFunctionRequest", req)
	pr, ok := f.prepared.get(k, f.clock())
	leave()
	if ok {
		return pr.call(f, req, t).decide(pr)
	}
	c, rsp := f.begin(req, t)
	if c == nil {
		return rsp
	}
	resolvedAt := f.clock()
	got, res, err := c.fetch(resolvedAt)
	if err != nil {
		return c.stop(err)
	}
	if got == nil {
		// Crossplane calls again with the answers; until then nothing is
		// decided.
		return rsp
	}

	p, err := c.plan(got, res)
	if err != nil {
		return c.stop(err)
	}
	pr = newPrepared(c, p, resolvedAt)
	f.prepared.add(k, pr, size)
	return c.decide(pr)
}

// decide decides the prepared session's state at the current time, and
// returns the objects the rollout lets it have.
func (c *call) decide(pr *prepared) *fnv1.RunFunctionResponse {
	f, t, p, got, res := c.f, c.timer, pr.plan, pr.got, pr.res
	now := f.clock()
	leave := t.Enter(telemetry.StepLifecycle)
	d, err := lifecycle.Decide(lifecycle.DecideInput{
		Session: c.s, Now: now, Approvers: res.Approvers,
		Constraints: res.Constraints, ConstraintSources: res.Sources,
		ApprovalRequiredBy: p.enabled.ApprovalRequiredBy, Others: got.Sessions,
		Bindings: res.Bindings(), BindingsOf: c.bindingsOf(got, now),
		Template:        v1alpha1.ObjectReference{Name: got.Template.Name, Namespace: got.Template.Namespace},
		ConfigNamespace: c.in.GetConfigNamespace(), TTL: c.in.GetTTL(), RenewalsClosed: res.RenewalsClosed,
	})
	leave()
	if err != nil {
		return c.stop(err)
	}
	bounded, err := p.bound(c.s, d)
	if err != nil {
		return c.stop(err)
	}
	c.warn(p.warnings...)
	c.warn(p.enabled.Warnings...)
	c.warn(d.Warnings...)

	var rendered string
	out, err := rollout.Plan(rollout.Input{
		Decision: d, Admission: p.admission, Guarded: p.guarded, Workload: bounded, Enabled: p.enabled,
		Render: func(en *auxiliary.Enabled) (*auxiliary.Result, error) {
			defer t.Enter(telemetry.StepRender)()
			ctx := p.context(c.s, got, res, d.ExpiresAt)
			r, k, err := pr.render(en, ctx, func() (*auxiliary.Result, error) {
				return f.rendered.Render(f.renderer, en, ctx, auxiliary.PolicyFor(c.in, res.Layers))
			})
			rendered = k
			return c.rendered(r, err)
		},
		Observed: pr,
		Now:      now,
	})
	if err != nil {
		return c.stop(err)
	}
	c.warn(out.Warnings...)
	return c.deliver(pr, out, rendered)
}

// deliver returns out's objects and the status, built once for each
// distinct answer the prepared session gets (see answerKey).
func (c *call) deliver(pr *prepared, out rollout.Output, rendered string) *fnv1.RunFunctionResponse {
	p := pr.plan
	waiting, finished := pr.workloadState()
	st := p.status(out, waiting, finished)
	k := answerKey(rendered, out.Objects)
	if desired, ok := pr.answered(k, st, out.Decision.RunWorkload); ok {
		c.decided(out.Decision)
		c.rsp.Desired = desired
		return c.rsp
	}
	leave := c.timer.Enter(telemetry.StepDelivery)
	desired, err := delivery.Desired(p.target, out.Objects, c.observed)
	leave()
	if err != nil {
		return c.stop(err)
	}
	c.decided(out.Decision)
	if err := c.write(st, out.Decision.RunWorkload, desired); err != nil {
		response.Fatal(c.rsp, err)
		return c.rsp
	}
	pr.answer(k, st, out.Decision.RunWorkload, c.rsp.GetDesired())
	return c.rsp
}

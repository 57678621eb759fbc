package main

import (
	"time"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/auxiliary"
	"github.com/k8s-breakglass/function-debug-session/internal/delivery"
	"github.com/k8s-breakglass/function-debug-session/internal/lifecycle"
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
	f := &Function{log: log, clock: time.Now, renderer: render.New(), rendered: auxiliary.NewMemo(), registry: prometheus.NewRegistry()}
	for _, fn := range o {
		fn(f)
	}
	f.metrics = telemetry.NewMetrics(f.registry, telemetry.WithClock(f.clock), telemetry.WithRenderCache(f.renderer.CacheStats))
	return f
}

// run reads the session and everything it refers to, decides its state, and
// returns its objects and status. Each step is one internal package and
// fails with an *outcome.Error; c.stop ends the call with it and never
// deletes a running session's objects. t times the steps.
func (f *Function) run(req *fnv1.RunFunctionRequest, t *telemetry.Timer) *fnv1.RunFunctionResponse {
	c, rsp := f.begin(req, t)
	if c == nil {
		return rsp
	}

	got, res, err := c.fetch()
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
	if err := p.bound(c.s, d); err != nil {
		return c.stop(err)
	}
	c.warn(p.warnings...)
	c.warn(p.enabled.Warnings...)
	c.warn(d.Warnings...)

	out, err := rollout.Plan(rollout.Input{
		Decision: d, Admission: p.admission, Guarded: p.guarded, Workload: p.workload, Enabled: p.enabled,
		Render: func(en *auxiliary.Enabled) (*auxiliary.Result, error) {
			defer t.Enter(telemetry.StepRender)()
			return c.rendered(f.rendered.Render(f.renderer, en, p.context(c.s, got, res, d.ExpiresAt), auxiliary.PolicyFor(c.in, res.Layers)))
		},
		Observed: delivery.Observer{Target: p.target, Observed: c.observed},
		Now:      now,
	})
	if err != nil {
		return c.stop(err)
	}
	c.warn(out.Warnings...)
	leave = t.Enter(telemetry.StepDelivery)
	desired, err := delivery.Desired(p.target, out.Objects, c.observed)
	leave()
	if err != nil {
		return c.stop(err)
	}
	return c.respond(out.Decision, p.status(out, desired, c.observed), desired)
}

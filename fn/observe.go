package main

import (
	"context"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/auxiliary"
	"github.com/k8s-breakglass/function-debug-session/internal/lifecycle"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
	"github.com/k8s-breakglass/function-debug-session/internal/telemetry"
)

// WithMetrics registers the function's domain metrics with reg: the registry
// the metrics server serves, or a test's own.
func WithMetrics(reg prometheus.Registerer) Option {
	return func(f *Function) { f.registry = reg }
}

// RunFunction runs one call (see run) and records how long each step took
// and how the call ended. Domain failures are results, never Go errors.
func (f *Function) RunFunction(_ context.Context, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	t := f.metrics.Timer()
	rsp := f.run(req, t)
	t.Observe()
	f.metrics.Call(rsp)
	return rsp, nil
}

// observe records a decision: the session's state for the sessions gauge on
// every call, and on a transition the metrics and the audit record.
func (c *call) observe(d lifecycle.Decision) {
	c.f.metrics.Seen(c.key(), d.State)
	if !d.Transition {
		return
	}
	template, cluster := c.labels()
	t := telemetry.Transition{From: d.Previous, To: d.State, Reason: d.Reason, Refusal: d.Refusal(), Template: template, Cluster: cluster, Now: c.f.clock()}
	if c.s != nil {
		t.CreatedAt = c.s.CreationTimestamp.Time
	}
	c.f.metrics.Transition(t)
	telemetry.Audit(c.f.log, c.record(d))
}

// seen records the state of a session the call leaves as it is.
func (c *call) seen(s *v1alpha1.DebugSession) {
	if s != nil {
		c.f.metrics.Seen(c.key(), s.Status.State)
	}
}

// rendered counts the auxiliary resources that failed to render or broke
// the policy, and passes the render's result on.
func (c *call) rendered(res *auxiliary.Result, err error) (*auxiliary.Result, error) {
	template, _ := c.labels()
	if r := outcome.ReasonOf(err); r == outcome.ReasonRenderFailure || r == outcome.ReasonPolicyViolation {
		c.f.metrics.AuxiliaryFailure(template, r, string(v1alpha1.FailurePolicyFail))
	}
	if res != nil {
		for _, r := range res.Resources {
			if r.Skipped != "" {
				c.f.metrics.AuxiliaryFailure(template, outcome.ReasonRenderFailure, string(v1alpha1.FailurePolicyIgnore))
			}
		}
	}
	return res, err
}

// key identifies the session for the sessions gauge; it is never a label.
func (c *call) key() string {
	return c.xr.Resource.GetNamespace() + "/" + c.xr.Resource.GetName()
}

// labels are the template and cluster label values: names of objects that
// exist, so that what a user types cannot add series. Empty means
// unresolved.
func (c *call) labels() (template, cluster string) {
	if c.got == nil {
		return "", ""
	}
	if t := c.got.Template; t != nil {
		template = t.Namespace + "/" + t.Name
	}
	if cc := c.got.ClusterConfig; cc != nil && c.s != nil {
		cluster = c.s.Spec.Cluster
	}
	return template, cluster
}

// record is the audit record of a transition. It names the template and
// binding as resolved, else as the session asked for or last recorded them.
func (c *call) record(d lifecycle.Decision) telemetry.Record {
	r := telemetry.Record{
		Session: c.xr.Resource.GetName(), UID: string(c.xr.Resource.GetUID()),
		From: d.Previous, To: d.State, Reason: d.Reason, Refusal: d.Refusal(),
		ActivatedAt: d.ActivatedAt, ExpiresAt: d.ExpiresAt, Message: d.Message,
	}
	if ns := c.xr.Resource.GetNamespace(); ns != "" {
		r.Session = ns + "/" + r.Session
	}
	if d.Approval != nil {
		r.Approver = d.Approval.ApprovedBy
	}
	s := c.s
	if s == nil {
		return r
	}
	r.Requester, r.Groups, r.Justification, r.Cluster = s.Spec.RequestedBy, s.Spec.RequesterGroups, s.Spec.Reason, s.Spec.Cluster
	if a := s.Spec.Approval; d.State == v1alpha1.StateRejected && a != nil {
		r.Approver = a.ApprovedBy
	}
	r.Template, _ = c.labels()
	if r.Template == "" {
		ns := s.Spec.TemplateRef.Namespace
		if ns == "" {
			ns = c.in.GetConfigNamespace()
		}
		r.Template = ns + "/" + s.Spec.TemplateRef.Name
	}
	switch {
	case c.res != nil && c.res.Binding() != nil:
		b := c.res.Binding()
		r.Binding = b.Namespace + "/" + b.Name
	case c.res == nil && s.Status.Binding != nil:
		r.Binding = s.Status.Binding.Namespace + "/" + s.Status.Binding.Name
	}
	return r
}

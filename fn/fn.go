package main

import (
	"context"
	"fmt"
	"time"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/response"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/delivery"
	"github.com/k8s-breakglass/function-debug-session/internal/lifecycle"
	"github.com/k8s-breakglass/function-debug-session/internal/requirements"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
	"github.com/k8s-breakglass/function-debug-session/internal/workload"
)

// Function turns DebugSessions into debug workloads.
type Function struct {
	fnv1.UnimplementedFunctionRunnerServiceServer

	log   logging.Logger
	clock func() time.Time
}

// An Option configures a Function.
type Option func(*Function)

// WithClock injects the clock. Tests and example renders pin it.
func WithClock(c func() time.Time) Option {
	return func(f *Function) { f.clock = c }
}

// NewFunction returns a Function that logs to log.
func NewFunction(log logging.Logger, o ...Option) *Function {
	f := &Function{log: log, clock: time.Now}
	for _, fn := range o {
		fn(f)
	}
	return f
}

// RunFunction reads the session and everything it refers to, decides its
// state, and returns its objects and status.
func (f *Function) RunFunction(_ context.Context, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	in := &v1beta1.Input{}
	if err := request.GetInput(req, in); err != nil {
		rsp := response.To(req, v1beta1.DefaultTTL)
		response.Fatal(rsp, errors.Wrap(err, "cannot get the function input"))
		return rsp, nil
	}
	rsp := response.To(req, in.GetTTL())
	if errs := in.Validate(); len(errs) > 0 {
		response.Fatal(rsp, errors.Wrap(errs.ToAggregate(), "invalid function input"))
		return rsp, nil
	}
	xr, err := request.GetObservedCompositeResource(req)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot get the observed DebugSession"))
		return rsp, nil
	}
	observed, err := request.GetObservedComposedResources(req)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot get the observed composed resources"))
		return rsp, nil
	}
	log := f.log.WithValues("session", xr.Resource.GetNamespace()+"/"+xr.Resource.GetName())

	s, err := lifecycle.Parse(xr)
	if err != nil {
		return f.stop(req, rsp, observed, v1alpha1.StateFailed, err.Error()), nil
	}

	sel, got, err := fetch(req, s, in)
	if err != nil {
		return f.stop(req, rsp, observed, v1alpha1.StateFailed, err.Error()), nil
	}
	rsp.Requirements = &fnv1.Requirements{Resources: sel}
	if !got.Complete(sel) {
		// Crossplane calls again with the answers; until then nothing is
		// decided.
		log.Debug("Waiting for required resources", "requirements", len(sel))
		return rsp, nil
	}
	if got.Template == nil {
		return f.stop(req, rsp, observed, v1alpha1.StateFailed, fmt.Sprintf("DebugSessionTemplate %s not found", templateName(s, in))), nil
	}
	if got.PodTemplate == nil {
		return f.stop(req, rsp, observed, v1alpha1.StateFailed, fmt.Sprintf("DebugPodTemplate %s not found, named by DebugSessionTemplate %s/%s spec.podTemplateRef", podTemplateName(got.Template), got.Template.Namespace, got.Template.Name)), nil
	}

	res := resolve(s, in, got)
	for _, w := range res.Warnings {
		response.Warning(rsp, errors.New(w))
	}
	if res.Denied != "" {
		return f.stop(req, rsp, observed, v1alpha1.StateDenied, res.Denied), nil
	}

	labels, err := workload.Labels(s, got.Template.Name)
	if err != nil {
		return f.stop(req, rsp, observed, v1alpha1.StateFailed, fmt.Sprintf("DebugSession %s: %v", s.Name, err)), nil
	}
	wl, err := workload.Build(workload.Params{Session: s, Template: got.Template, PodTemplate: got.PodTemplate, Namespace: res.TargetNamespace, Labels: labels})
	if err != nil {
		return f.stop(req, rsp, observed, v1alpha1.StateFailed, err.Error()), nil
	}

	target := delivery.TargetFor(in, s.Spec.Cluster, got.ClusterConfig)
	objs := []delivery.Object{{Name: "workload", Object: wl}}
	st := activeStatus(s, got, res, wl.GetKind(), wl.GetName())
	if err := f.respond(req, rsp, st, delivery.Compose(target, objs)); err != nil {
		response.Fatal(rsp, err)
	}
	return rsp, nil
}

// fetch computes the requirements of a session and reads Crossplane's
// answers. The second round (the pod template, and other sessions when a
// concurrency limit applies) is only asked for once the first is answered,
// so the requirements stay a pure function of what is known.
func fetch(req *fnv1.RunFunctionRequest, s *v1alpha1.DebugSession, in *v1beta1.Input) (map[string]*fnv1.ResourceSelector, *requirements.Fetched, error) {
	sel := requirements.Selectors(s, in, requirements.Needs{})
	got, err := requirements.Load(req, s, sel)
	if err != nil || !got.Complete(sel) || got.Template == nil {
		return sel, got, err
	}
	needs := requirements.Needs{PodTemplate: podTemplateName(got.Template), PodTemplateNamespace: got.Template.Namespace}
	if res := resolve(s, in, got); res.Denied == "" && res.Constraints.MaxConcurrentSessions != nil {
		needs.SessionsOnCluster = true
	}
	if needs.PodTemplate == "" {
		return sel, got, errors.Errorf("DebugSessionTemplate %s/%s spec.podTemplateRef.name: a pod template is required", got.Template.Namespace, got.Template.Name)
	}
	sel = requirements.Selectors(s, in, needs)
	got, err = requirements.Load(req, s, sel)
	return sel, got, err
}

func resolve(s *v1alpha1.DebugSession, in *v1beta1.Input, got *requirements.Fetched) *resolution.Result {
	return resolution.Resolve(resolution.Request{Session: s, Template: got.Template, ClusterConfig: got.ClusterConfig, Bindings: got.Bindings, Input: in})
}

// stop ends a call without a running workload. A session that already has
// composed resources keeps them: a Fatal result makes Crossplane change
// nothing, so a broken or missing input never deletes a running session's
// objects. A session that never had any gets a terminal state instead.
func (f *Function) stop(req *fnv1.RunFunctionRequest, rsp *fnv1.RunFunctionResponse, observed map[resource.Name]resource.ObservedComposed, state v1alpha1.State, msg string) *fnv1.RunFunctionResponse {
	if len(observed) > 0 {
		response.Fatal(rsp, errors.Errorf("%s; keeping the session's %d existing resources unchanged", msg, len(observed)))
		return rsp
	}
	st := &v1alpha1.DebugSessionStatus{State: state, Message: msg}
	if err := f.respond(req, rsp, st, nil); err != nil {
		response.Fatal(rsp, err)
	}
	return rsp
}

// respond writes the session status and adds the session's objects to the
// desired state left by earlier pipeline steps.
func (f *Function) respond(req *fnv1.RunFunctionRequest, rsp *fnv1.RunFunctionResponse, st *v1alpha1.DebugSessionStatus, objs map[resource.Name]*resource.DesiredComposed) error {
	dxr, err := request.GetDesiredCompositeResource(req)
	if err != nil {
		return errors.Wrap(err, "cannot get the desired DebugSession")
	}
	if err := lifecycle.WriteStatus(dxr, st); err != nil {
		return err
	}
	if err := response.SetDesiredCompositeResource(rsp, dxr); err != nil {
		return errors.Wrap(err, "cannot set the desired DebugSession")
	}
	if len(objs) == 0 {
		return nil
	}
	desired, err := request.GetDesiredComposedResources(req)
	if err != nil {
		return errors.Wrap(err, "cannot get the desired composed resources")
	}
	for name, o := range objs {
		desired[name] = o
	}
	return errors.Wrap(response.SetDesiredComposedResources(rsp, desired), "cannot set the desired composed resources")
}

func activeStatus(s *v1alpha1.DebugSession, got *requirements.Fetched, res *resolution.Result, kind, name string) *v1alpha1.DebugSessionStatus {
	st := &v1alpha1.DebugSessionStatus{
		State:           v1alpha1.StateActive,
		Message:         fmt.Sprintf("%s %s/%s runs the debug pods on cluster %s", kind, res.TargetNamespace, name, s.Spec.Cluster),
		Template:        &v1alpha1.ObjectReference{Name: got.Template.Name, Namespace: got.Template.Namespace},
		TargetNamespace: res.TargetNamespace,
		Workload:        &v1alpha1.WorkloadStatus{Kind: kind, Name: name, Namespace: res.TargetNamespace},
	}
	if b := res.Binding(); b != nil {
		st.Binding = &v1alpha1.BindingStatus{Name: b.Name, Namespace: b.Namespace, Priority: b.Spec.Priority}
	}
	c := res.Constraints
	if c.MaxDuration != "" || c.DefaultDuration != "" || c.MaxConcurrentSessions != nil || c.MaxRenewals != nil {
		st.Constraints = &v1alpha1.ConstraintsStatus{MaxDuration: c.MaxDuration, DefaultDuration: c.DefaultDuration, MaxConcurrentSessions: c.MaxConcurrentSessions, MaxRenewals: c.MaxRenewals}
	}
	return st
}

func templateName(s *v1alpha1.DebugSession, in *v1beta1.Input) string {
	ns := s.Spec.TemplateRef.Namespace
	if ns == "" {
		ns = in.GetConfigNamespace()
	}
	return ns + "/" + s.Spec.TemplateRef.Name
}

func podTemplateName(t *v1alpha1.DebugSessionTemplate) string {
	if t.Spec.PodTemplateRef == nil {
		return ""
	}
	return t.Spec.PodTemplateRef.Name
}

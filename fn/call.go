package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/response"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/auxiliary"
	"github.com/k8s-breakglass/function-debug-session/internal/delivery"
	"github.com/k8s-breakglass/function-debug-session/internal/lifecycle"
	"github.com/k8s-breakglass/function-debug-session/internal/requirements"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
	"github.com/k8s-breakglass/function-debug-session/internal/scheduling"
	"github.com/k8s-breakglass/function-debug-session/internal/workload"
)

// admissionSettle is how long the denied-nodes admission policy and its
// binding must have been ready before the workload is returned. The API
// server loads new policies in the background, refreshing them every second,
// so a pod created in the same second as the policy can escape it (seen end
// to end); a few seconds later it cannot.
const admissionSettle = 5 * time.Second

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

	// warnings are emitted as results only when the session's status
	// changes, so that an unchanged configuration problem does not raise an
	// event on every reconcile.
	warnings []string
}

// session is everything about a session that does not depend on its state.
type session struct {
	labels      map[string]string
	annotations map[string]string
	workload    *unstructured.Unstructured
	admission   []delivery.Object
	enabled     *auxiliary.Enabled
	target      delivery.Target
	status      *v1alpha1.DebugSessionStatus
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
	if needs.PodTemplate == "" {
		return sel, got, errors.Errorf("DebugSessionTemplate %s/%s spec.podTemplateRef.name: a pod template is required", got.Template.Namespace, got.Template.Name)
	}
	if res := resolve(s, in, got); res.Denied == "" && res.Constraints.MaxConcurrentSessions != nil {
		needs.SessionsOnCluster = true
	}
	sel = requirements.Selectors(s, in, needs)
	got, err = requirements.Load(req, s, sel)
	return sel, got, err
}

func resolve(s *v1alpha1.DebugSession, in *v1beta1.Input, got *requirements.Fetched) *resolution.Result {
	return resolution.Resolve(resolution.Request{Session: s, Template: got.Template, ClusterConfig: got.ClusterConfig, Bindings: got.Bindings, Input: in})
}

// missing names a required object that Crossplane answered does not exist.
func missing(s *v1alpha1.DebugSession, in *v1beta1.Input, got *requirements.Fetched) string {
	if got.Template == nil {
		ns := s.Spec.TemplateRef.Namespace
		if ns == "" {
			ns = in.GetConfigNamespace()
		}
		return fmt.Sprintf("DebugSessionTemplate %s/%s not found", ns, s.Spec.TemplateRef.Name)
	}
	if got.PodTemplate == nil {
		return fmt.Sprintf("DebugPodTemplate %s/%s not found, named by DebugSessionTemplate %s/%s spec.podTemplateRef",
			got.Template.Namespace, podTemplateName(got.Template), got.Template.Namespace, got.Template.Name)
	}
	return ""
}

// plan builds what the session would run: its scheduling constraints, its
// workload, the admission policy for denied node names, and its enabled
// auxiliary resources. Errors are Denied when the user asked for something
// the constraints forbid, else Failed; both name the object and field.
func (c *call) plan(got *requirements.Fetched, res *resolution.Result) (*session, error) {
	t := got.Template
	layers := make([]scheduling.Layer, 0, len(res.Bindings))
	for _, b := range res.Bindings {
		layers = append(layers, scheduling.Layer{Name: fmt.Sprintf("DebugSessionClusterBinding %s/%s", b.Namespace, b.Name), Constraints: b.Spec.SchedulingConstraints})
	}
	sched, err := scheduling.Effective(scheduling.Layer{Name: fmt.Sprintf("DebugSessionTemplate %s/%s", t.Namespace, t.Name), Constraints: t.Spec.SchedulingConstraints}, layers...)
	if err != nil {
		return nil, err
	}
	user := scheduling.UserNodeSelector{Session: sessionName(c.s), NodeSelector: c.s.Spec.NodeSelector, Allowed: res.AllowUserNodeSelector}
	if err := user.Check(sched); err != nil {
		return nil, err
	}
	ss := &session{target: delivery.TargetFor(c.in, c.s.Spec.Cluster, got.ClusterConfig, delivery.ForCompositeNamespace(c.xr.Resource.GetNamespace()))}
	if ss.labels, err = workload.Labels(c.s, t.Name); err != nil {
		return nil, errors.Wrapf(err, "DebugSession %s", sessionName(c.s))
	}
	ss.annotations = workload.Annotations(c.s)
	ss.workload, err = workload.Build(workload.Params{
		Session: c.s, Template: t, PodTemplate: got.PodTemplate, Namespace: res.TargetNamespace,
		Labels: ss.labels, Annotations: ss.annotations, Constrain: scheduling.Constrain(sched, user),
	})
	if err != nil {
		return nil, err
	}
	adm, err := scheduling.DeniedNodeAdmission(sched, c.in.GetDeniedNodeGlobs(), scheduling.AdmissionTarget{
		Session: sessionName(c.s), Workload: ss.workload.GetName(), Namespace: res.TargetNamespace, Labels: ss.labels,
	})
	if err != nil {
		return nil, err
	}
	if adm != nil {
		ss.admission = []delivery.Object{
			{Name: delivery.DeniedNodesPolicyResourceName, Object: adm.Policy},
			{Name: delivery.DeniedNodesPolicyBindingResourceName, Object: adm.Binding},
		}
	}
	if ss.enabled, err = auxiliary.Enable(auxiliary.Sources{PodTemplate: got.PodTemplate, Template: t, Bindings: res.Bindings}); err != nil {
		return nil, err
	}
	ss.status = &v1alpha1.DebugSessionStatus{
		Template:        &v1alpha1.ObjectReference{Name: t.Name, Namespace: t.Namespace},
		TargetNamespace: res.TargetNamespace,
		Constraints:     constraintsStatus(res.Constraints),
		Scheduling:      scheduling.Status(sched, user, workload.Kind(t)),
	}
	if b := res.Binding(); b != nil {
		ss.status.Binding = &v1alpha1.BindingStatus{Name: b.Name, Namespace: b.Namespace, Priority: b.Spec.Priority}
	}
	return ss, nil
}

// stop ends a call without a running workload. A session that already has
// composed resources keeps them: a Fatal result makes Crossplane change
// nothing, so a broken or missing input never deletes a running session's
// objects. A session that never had any gets a terminal state instead.
func (c *call) stop(state v1alpha1.State, msg string) *fnv1.RunFunctionResponse {
	if len(c.observed) > 0 && c.s != nil {
		// A session that has ended by its own record ends even when an
		// input is missing or broken, so that nothing can keep expired
		// debug pods running.
		if d, ended := lifecycle.KnownEnd(lifecycle.DecideInput{Session: c.s, Now: c.f.clock(), TTL: c.in.GetTTL()}); ended {
			return c.end(d, msg)
		}
	}
	if len(c.observed) > 0 {
		c.flush()
		response.Fatal(c.rsp, errors.Errorf("%s; keeping the session's %d existing resources unchanged", msg, len(c.observed)))
		return c.rsp
	}
	if c.s == nil || c.s.Status.State != state || c.s.Status.Message != msg {
		c.flush()
		response.Normalf(c.rsp, "DebugSession is %s: %s", state, msg).TargetCompositeAndClaim()
		response.ConditionFalse(c.rsp, conditionType, string(state)).WithMessage(msg).TargetCompositeAndClaim()
	}
	st := &v1alpha1.DebugSessionStatus{State: state, Message: msg}
	if c.s != nil {
		// A session that ended keeps its record of when it ran.
		st.ActivatedAt, st.ExpiresAt, st.RenewalsUsed = c.s.Status.ActivatedAt, c.s.Status.ExpiresAt, c.s.Status.RenewalsUsed
	}
	if err := c.respond(st, false, nil); err != nil {
		response.Fatal(c.rsp, err)
	}
	return c.rsp
}

// end ends a session whose inputs cannot be read. Its objects are dropped;
// deleteAfter: false auxiliary resources survive on the target cluster only
// where delivery orphans them (ProviderKubernetes), because without the
// inputs they cannot be rendered again.
func (c *call) end(d lifecycle.Decision, why string) *fnv1.RunFunctionResponse {
	st := &v1alpha1.DebugSessionStatus{}
	d.Apply(st)
	c.warn(why)
	c.decided(d)
	if err := c.respond(st, false, nil); err != nil {
		response.Fatal(c.rsp, err)
	}
	return c.rsp
}

// respond writes the session status and adds the session's objects to the
// desired state left by earlier pipeline steps. A session that is not
// running is reported not ready, whatever its composed resources say.
func (c *call) respond(st *v1alpha1.DebugSessionStatus, running bool, objs map[resource.Name]*resource.DesiredComposed) error {
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

// admissionPending reports whether the denied-nodes admission policy is not
// in force yet, and how long until it will be when that is a matter of time.
func (c *call) admissionPending(ss *session) (bool, time.Duration) {
	var latest time.Time
	for _, o := range ss.admission {
		if !ss.target.Ready(o.Name, c.observed) {
			return true, 0
		}
		if t := ss.target.ReadySince(o.Name, c.observed); t.After(latest) {
			latest = t
		}
	}
	if latest.IsZero() {
		// No policy, or an observed state without timestamps (an offline
		// render): nothing to wait for.
		return false, 0
	}
	left := latest.Add(admissionSettle).Sub(c.f.clock())
	return left > 0, left
}

func constraintsStatus(c v1alpha1.Constraints) *v1alpha1.ConstraintsStatus {
	if c.MaxDuration == "" && c.DefaultDuration == "" && c.MaxConcurrentSessions == nil && c.MaxRenewals == nil {
		return nil
	}
	return &v1alpha1.ConstraintsStatus{MaxDuration: c.MaxDuration, DefaultDuration: c.DefaultDuration, MaxConcurrentSessions: c.MaxConcurrentSessions, MaxRenewals: c.MaxRenewals}
}

// withSource names the object a broken constraint comes from. The lifecycle
// sees only the effective constraints ("constraints.maxDuration: …");
// resolution knows which template or binding set each of them.
func withSource(err error, res *resolution.Result) string {
	msg := err.Error()
	field, _, ok := strings.Cut(msg, ":")
	if src, found := res.Sources[field]; ok && found {
		return src + " spec." + msg
	}
	return msg
}

// sessionName names a session in messages: namespace/name, or just its name
// when it is a legacy cluster-scoped one.
func sessionName(s *v1alpha1.DebugSession) string {
	if s.Namespace == "" {
		return s.Name
	}
	return s.Namespace + "/" + s.Name
}

func podTemplateName(t *v1alpha1.DebugSessionTemplate) string {
	if t.Spec.PodTemplateRef == nil {
		return ""
	}
	return t.Spec.PodTemplateRef.Name
}

package preview

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/crossplane/function-sdk-go/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"
	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/lifecycle"
	"github.com/k8s-breakglass/function-debug-session/internal/requirements"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
)

// maxCalls bounds the request loop as Crossplane does: it calls a function at
// most this many times per reconcile while its requirements change.
const maxCalls = 6

// A Runner is the composition function.
type Runner interface {
	RunFunction(ctx context.Context, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error)
}

// A Source answers required resource selectors, as the API server does for
// Crossplane.
type Source interface {
	Select(sel *fnv1.ResourceSelector) []*unstructured.Unstructured
}

// Request is one session to run.
type Request struct {
	// Session is the DebugSession XR.
	Session *unstructured.Unstructured
	// Input is the function input of the Composition step; nil means an
	// Input with every default.
	Input *unstructured.Unstructured
	// Observed composed resources that already exist, by composition
	// resource name.
	Observed map[string]*unstructured.Unstructured
	// Source answers the function's requirements.
	Source Source
	// Now is the time the Runner's function runs at, so that resolution
	// here sees the same time-bounded bindings; zero means the current
	// time.
	Now time.Time
}

// Outcome is what the function did with a session, and the resolution
// behind it.
type Outcome struct {
	now time.Time

	// Calls is how many times RunFunction was called.
	Calls int
	// Required names what the function asked for on its last call, sorted.
	Required []string
	// Response of the last call.
	Response *fnv1.RunFunctionResponse
	// Status the function wrote to the session.
	Status v1alpha1.DebugSessionStatus
	// Composed objects the function returned, by composition resource name.
	Composed []Composed
	// Results (events and warnings) of the last call.
	Results []Result

	// Session and Input as RunFunction read them; nil when it could not.
	Session *v1alpha1.DebugSession
	Input   *v1beta1.Input
	// Fetched is what RunFunction read on its last call; nil until the
	// template was found.
	Fetched *requirements.Fetched
	// Resolution of the session over Fetched, and the error that denied it.
	Resolution *resolution.Result
	Refused    error
}

// A Result is a result of the function: an event, a warning or a fatal
// error.
type Result struct {
	Severity string
	Message  string
}

// Run runs the function for one session until its requirements are stable.
// Only a failure to talk to the function is an error; a session the
// function denies or fails is an Outcome.
func Run(ctx context.Context, fn Runner, r Request) (*Outcome, error) {
	req, err := newRequest(r)
	if err != nil {
		return nil, err
	}
	out := &Outcome{now: r.Now}
	var asked map[string]*fnv1.ResourceSelector
	for out.Calls < maxCalls {
		out.Calls++
		rsp, err := fn.RunFunction(ctx, req)
		if err != nil {
			return nil, errors.Wrap(err, "the function failed")
		}
		out.Response = rsp
		sel := rsp.GetRequirements().GetResources()
		if out.Calls > 1 && sameSelectors(asked, sel) {
			break
		}
		if len(sel) == 0 {
			break
		}
		asked = sel
		req = proto.Clone(req).(*fnv1.RunFunctionRequest) //nolint:forcetypeassert // Clone returns the type it is given.
		req.RequiredResources = answer(r.Source, sel)
	}
	out.Required = slices.Sorted(maps.Keys(asked))
	if err := out.read(req); err != nil {
		return nil, err
	}
	return out, nil
}

func newRequest(r Request) (*fnv1.RunFunctionRequest, error) {
	in := r.Input
	if in == nil {
		in = &unstructured.Unstructured{Object: map[string]any{"apiVersion": InputAPIVersion, "kind": "Input"}}
	}
	xr, err := resource.AsStruct(r.Session)
	if err != nil {
		return nil, errors.Wrap(err, "cannot convert the session")
	}
	desired := r.Session.DeepCopy()
	unstructured.RemoveNestedField(desired.Object, "status")
	dxr, err := resource.AsStruct(desired)
	if err != nil {
		return nil, errors.Wrap(err, "cannot convert the session")
	}
	input, err := resource.AsStruct(in)
	if err != nil {
		return nil, errors.Wrap(err, "cannot convert the function input")
	}
	req := &fnv1.RunFunctionRequest{
		Input:    input,
		Observed: &fnv1.State{Composite: &fnv1.Resource{Resource: xr}},
		Desired:  &fnv1.State{Composite: &fnv1.Resource{Resource: dxr}},
	}
	for _, name := range slices.Sorted(maps.Keys(r.Observed)) {
		o, err := resource.AsStruct(r.Observed[name])
		if err != nil {
			return nil, errors.Wrapf(err, "cannot convert observed resource %s", name)
		}
		if req.Observed.Resources == nil {
			req.Observed.Resources = map[string]*fnv1.Resource{}
		}
		req.Observed.Resources[name] = &fnv1.Resource{Resource: o}
	}
	return req, nil
}

// answer answers every selector; an empty answer is still an answer.
func answer(src Source, sel map[string]*fnv1.ResourceSelector) map[string]*fnv1.Resources {
	out := make(map[string]*fnv1.Resources, len(sel))
	for name, s := range sel {
		rs := &fnv1.Resources{}
		for _, o := range src.Select(s) {
			st, err := resource.AsStruct(o)
			if err != nil {
				// An object that cannot be converted could not have come
				// from an API server either.
				continue
			}
			rs.Items = append(rs.Items, &fnv1.Resource{Resource: st})
		}
		out[name] = rs
	}
	return out
}

func sameSelectors(a, b map[string]*fnv1.ResourceSelector) bool {
	return maps.EqualFunc(a, b, func(x, y *fnv1.ResourceSelector) bool { return proto.Equal(x, y) })
}

// read fills the outcome from the last request and response, reading the
// session, input and required resources the way RunFunction does.
func (o *Outcome) read(req *fnv1.RunFunctionRequest) error {
	o.readResponse()
	in := &v1beta1.Input{}
	if err := request.GetInput(req, in); err != nil {
		return nil //nolint:nilerr // The function reported it as a Fatal result; the outcome says so.
	}
	o.Input = in
	xr, err := request.GetObservedCompositeResource(req)
	if err != nil {
		return errors.Wrap(err, "cannot read the session")
	}
	if o.Session, err = lifecycle.Parse(xr); err != nil {
		return nil //nolint:nilerr // As above: the function reported it.
	}
	got, err := requirements.Load(req, o.Session, o.Response.GetRequirements().GetResources())
	if err != nil || got.Template == nil {
		return nil //nolint:nilerr // As above: the function reported it.
	}
	o.Fetched = got
	o.Resolution, o.Refused = resolution.Resolve(resolution.Request{
		Session: o.Session, Template: got.Template, ClusterConfig: got.ClusterConfig, Bindings: got.Bindings, Input: in, Now: o.now,
	})
	return nil
}

// InputAPIVersion is the apiVersion of the function input.
const InputAPIVersion = "debugsession.fn.breakglass.telekom.de/v1beta1"

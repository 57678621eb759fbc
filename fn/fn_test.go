package main

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

var now = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

func st(o map[string]any) *structpb.Struct {
	return resource.MustStructObject(&unstructured.Unstructured{Object: o})
}

func xr(cluster string) map[string]any {
	return map[string]any{
		"apiVersion": "breakglass.telekom.de/v1alpha1",
		"kind":       "DebugSession",
		"metadata": map[string]any{
			"name": "inc-1234", "namespace": "team-a",
			"labels": map[string]any{"breakglass.telekom.de/cluster": cluster},
		},
		"spec": map[string]any{
			"templateRef":     map[string]any{"name": "netops-debug"},
			"cluster":         cluster,
			"requestedBy":     "alice@example.com",
			"requesterGroups": []any{"sre-oncall"},
			"reason":          "INC-1234",
		},
	}
}

func template() map[string]any {
	return map[string]any{
		"apiVersion": "breakglass.telekom.de/v1alpha1",
		"kind":       "DebugSessionTemplate",
		"metadata":   map[string]any{"name": "netops-debug", "namespace": "breakglass-system"},
		"spec": map[string]any{
			"podTemplateRef":  map[string]any{"name": "netops-debug-pod"},
			"allowed":         map[string]any{"clusters": []any{"prod-*"}, "groups": []any{"sre-oncall"}},
			"targetNamespace": "debug-sessions-prod",
		},
	}
}

func podTemplate() map[string]any {
	return map[string]any{
		"apiVersion": "breakglass.telekom.de/v1alpha1",
		"kind":       "DebugPodTemplate",
		"metadata":   map[string]any{"name": "netops-debug-pod", "namespace": "breakglass-system"},
		"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
			"containers": []any{map[string]any{"name": "debug", "image": "debug-tools:1"}},
		}}},
	}
}

func items(objs ...map[string]any) *fnv1.Resources {
	rs := &fnv1.Resources{}
	for _, o := range objs {
		rs.Items = append(rs.Items, &fnv1.Resource{Resource: st(o)})
	}
	return rs
}

type args struct {
	xr       map[string]any
	input    map[string]any
	required map[string]*fnv1.Resources
	observed map[string]*fnv1.Resource
}

func newRequest(a args) *fnv1.RunFunctionRequest {
	req := &fnv1.RunFunctionRequest{
		Observed: &fnv1.State{
			Composite: &fnv1.Resource{Resource: st(a.xr)},
			Resources: a.observed,
		},
		Desired:           &fnv1.State{Composite: &fnv1.Resource{Resource: st(a.xr)}},
		RequiredResources: a.required,
	}
	if a.input != nil {
		req.Input = st(a.input)
	}
	return req
}

// want is a digest of a response: what each case is about, without the
// bulk of the objects, which the example renders pin down byte for byte.
type want struct {
	results      []string
	requirements []string
	state        string
	message      string
	composed     []string
}

func digest(rsp *fnv1.RunFunctionResponse) want {
	var w want
	for _, r := range rsp.GetResults() {
		w.results = append(w.results, r.GetSeverity().String()+": "+r.GetMessage())
	}
	for name := range rsp.GetRequirements().GetResources() {
		w.requirements = append(w.requirements, name)
	}
	sort.Strings(w.requirements)
	if s := rsp.GetDesired().GetComposite().GetResource().GetFields()["status"].GetStructValue(); s != nil {
		w.state = s.GetFields()["state"].GetStringValue()
		w.message = s.GetFields()["message"].GetStringValue()
	}
	for name := range rsp.GetDesired().GetResources() {
		w.composed = append(w.composed, name)
	}
	sort.Strings(w.composed)
	return w
}

func TestRunFunction(t *testing.T) {
	firstRound := []string{"bindings-breakglass-system", "cluster-config", "template"}
	secondRound := []string{"bindings-breakglass-system", "cluster-config", "pod-template", "template"}
	answered := map[string]*fnv1.Resources{
		"template":                   items(template()),
		"cluster-config":             items(),
		"bindings-breakglass-system": items(),
		"pod-template":               items(podTemplate()),
	}
	workload := map[string]*fnv1.Resource{"workload": {Resource: st(map[string]any{"apiVersion": "apps/v1", "kind": "DaemonSet"})}}

	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"FirstCallAsksForTheFirstRound": {
			reason: "Without required resources the function only asks for them and decides nothing.",
			args:   args{xr: xr("prod-cluster-a")},
			want:   want{requirements: firstRound},
		},
		"SecondRoundOnceTheTemplateIsKnown": {
			reason: "Once the template arrives, its pod template is asked for too.",
			args: args{xr: xr("prod-cluster-a"), required: map[string]*fnv1.Resources{
				"template": items(template()), "cluster-config": items(), "bindings-breakglass-system": items(),
			}},
			want: want{requirements: secondRound},
		},
		"Active": {
			reason: "A requester the template admits, on a cluster it allows, gets an Active session with a workload.",
			args:   args{xr: xr("prod-cluster-a"), input: map[string]any{"apiVersion": "debugsession.fn.breakglass.telekom.de/v1beta1", "kind": "Input", "delivery": map[string]any{"mode": "Local"}}, required: answered},
			want: want{
				requirements: secondRound,
				state:        "Active",
				message:      "DaemonSet debug-sessions-prod/debug-inc-1234-433036c4 runs the debug pods on cluster prod-cluster-a",
				composed:     []string{"workload"},
			},
		},
		"DeniedCluster": {
			reason: "A cluster the template does not allow, with no binding, is Denied and nothing is composed.",
			args:   args{xr: xr("dev-cluster-1"), required: answered},
			want: want{
				requirements: secondRound,
				state:        "Denied",
				message:      "template netops-debug does not allow cluster dev-cluster-1 and no binding applies to it",
			},
		},
		"MissingTemplateNewSession": {
			reason: "A session that never had resources fails with a message naming the missing template.",
			args: args{xr: xr("prod-cluster-a"), required: map[string]*fnv1.Resources{
				"template": items(), "cluster-config": items(), "bindings-breakglass-system": items(),
			}},
			want: want{
				requirements: firstRound,
				state:        "Failed",
				message:      "DebugSessionTemplate breakglass-system/netops-debug not found",
			},
		},
		"MissingTemplateRunningSession": {
			reason: "A running session whose template vanished keeps its resources: a Fatal result makes Crossplane change nothing.",
			args: args{xr: xr("prod-cluster-a"), observed: workload, required: map[string]*fnv1.Resources{
				"template": items(), "cluster-config": items(), "bindings-breakglass-system": items(),
			}},
			want: want{
				requirements: firstRound,
				results:      []string{"SEVERITY_FATAL: DebugSessionTemplate breakglass-system/netops-debug not found; keeping the session's 1 existing resources unchanged"},
			},
		},
		"InvalidInput": {
			reason: "An invalid input is Fatal with the field path.",
			args:   args{xr: xr("prod-cluster-a"), input: map[string]any{"apiVersion": "debugsession.fn.breakglass.telekom.de/v1beta1", "kind": "Input", "deniedNodeGlobs": "Ignore"}},
			want: want{
				results: []string{`SEVERITY_FATAL: invalid function input: deniedNodeGlobs: Unsupported value: "Ignore": supported values: "AdmissionPolicy", "Reject"`},
			},
		},
		"InvalidSession": {
			reason: "A session without a cluster fails with the field path and composes nothing.",
			args: args{xr: func() map[string]any {
				o := xr("prod-cluster-a")
				delete(o["spec"].(map[string]any), "cluster")
				return o
			}()},
			want: want{
				state:   "Failed",
				message: "invalid DebugSession team-a/inc-1234: spec.cluster: Required value: the session must name a cluster",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := NewFunction(logging.NewNopLogger(), WithClock(func() time.Time { return now }))
			rsp, err := f.RunFunction(context.Background(), newRequest(tc.args))
			if err != nil {
				t.Fatalf("%s\nRunFunction(...): unexpected Go error: %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want, digest(rsp), cmp.AllowUnexported(want{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nRunFunction(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

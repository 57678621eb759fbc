package main

import (
	"encoding/json"
	"slices"
	"sort"
	"time"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
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

// deniedGlobTemplate denies nodes by a glob, which only an admission policy
// on the target cluster can enforce.
func deniedGlobTemplate() map[string]any {
	t := template()
	t["spec"].(map[string]any)["schedulingConstraints"] = map[string]any{"deniedNodes": []any{"cp-*"}}
	return t
}

// Composition resource names of the objects an Active session has before
// its workload: the admission policies, then the grants they confine.
var (
	deniedNodesPolicies = []string{"policy-denied-nodes", "policy-denied-nodes-binding"}
	podAccessPolicies   = []string{"policy-pod-access", "policy-pod-access-binding"}
	podAccessGrants     = []string{"pod-access-role", "pod-access-rolebinding"}
)

// readySince is the named composed resources, observed ready since at.
func readySince(at time.Time, names ...[]string) map[string]*fnv1.Resource {
	out := map[string]*fnv1.Resource{}
	for _, name := range slices.Concat(names...) {
		out[name] = &fnv1.Resource{Resource: st(map[string]any{
			"apiVersion": "kubernetes.m.crossplane.io/v1alpha1", "kind": "Object",
			"status": map[string]any{"conditions": []any{map[string]any{
				"type": "Ready", "status": "True", "reason": "Available", "lastTransitionTime": at.Format(time.RFC3339),
			}}},
		})}
	}
	return out
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

// active gives a session the status the function wrote when it activated
// it at activated, for an hour.
func active(o map[string]any, activated time.Time) map[string]any {
	o["status"] = map[string]any{
		"state": "Active", "message": "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used.",
		"activatedAt": activated.Format(time.RFC3339), "expiresAt": activated.Add(time.Hour).Format(time.RFC3339),
	}
	o["metadata"].(map[string]any)["creationTimestamp"] = activated.Format(time.RFC3339)
	return o
}

// circuitOpen gives a session the condition Crossplane sets while its watch
// circuit breaker for the session is open.
func circuitOpen(o map[string]any) map[string]any {
	status, _ := o["status"].(map[string]any)
	if status == nil {
		status = map[string]any{}
		o["status"] = status
	}
	status["conditions"] = []any{map[string]any{
		"type": "Responsive", "status": "False", "reason": "WatchCircuitOpen",
		"message":            "Too many watch events from DebugSession/example (default). Allowing events periodically.",
		"lastTransitionTime": "2026-01-01T00:00:00Z",
	}}
	return o
}

// withoutStatus returns a shallow copy of o without its status: Crossplane
// sends the desired composite without the status it observed.
func withoutStatus(o map[string]any) map[string]any {
	out := make(map[string]any, len(o))
	for k, v := range o {
		if k != "status" {
			out[k] = v
		}
	}
	return out
}

// withTemplate returns a copy of m whose template is v.
func withTemplate(m map[string]*fnv1.Resources, v *fnv1.Resources) map[string]*fnv1.Resources {
	out := make(map[string]*fnv1.Resources, len(m))
	for k, r := range m {
		out[k] = r
	}
	out["template"] = v
	return out
}

// capAnswers is m with a binding for prod-* that allows one session per
// user, and sessions as the answer for every session (nil: not answered
// yet, like the cluster configs).
func capAnswers(m map[string]*fnv1.Resources, sessions *fnv1.Resources) map[string]*fnv1.Resources {
	out := withTemplate(m, m["template"])
	out["bindings-breakglass-system"] = items(map[string]any{
		"apiVersion": "breakglass.telekom.de/v1alpha1",
		"kind":       "DebugSessionClusterBinding",
		"metadata":   map[string]any{"name": "netops-prod", "namespace": "breakglass-system"},
		"spec": map[string]any{
			"templateRef": map[string]any{"name": "netops-debug"}, "clusters": []any{"prod-*"},
			"allowed": map[string]any{"groups": []any{"sre-oncall"}}, "maxActiveSessionsPerUser": int64(1),
		},
	})
	if sessions != nil {
		out["sessions"], out["cluster-configs"] = sessions, items()
	}
	return out
}

func newRequest(a args) *fnv1.RunFunctionRequest {
	req := &fnv1.RunFunctionRequest{
		Observed: &fnv1.State{
			Composite: &fnv1.Resource{Resource: st(a.xr)},
			Resources: a.observed,
		},
		Desired:           &fnv1.State{Composite: &fnv1.Resource{Resource: st(withoutStatus(a.xr))}},
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
	ttl          time.Duration
	// access is status.allowedPodOperations and status.participants, as
	// JSON; empty when the status has neither.
	access string
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
		access := &structpb.Struct{Fields: map[string]*structpb.Value{}}
		for _, f := range []string{"allowedPodOperations", "participants"} {
			if v := s.GetFields()[f]; v != nil {
				access.Fields[f] = v
			}
		}
		if len(access.Fields) > 0 {
			// encoding/json, not protojson: protojson varies its whitespace
			// from one build of the test binary to the next, on purpose.
			b, err := json.Marshal(access.AsMap())
			if err != nil {
				panic(err)
			}
			w.access = string(b)
		}
	}
	for name := range rsp.GetDesired().GetResources() {
		w.composed = append(w.composed, name)
	}
	sort.Strings(w.composed)
	w.ttl = rsp.GetMeta().GetTtl().AsDuration()
	return w
}

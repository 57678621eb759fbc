package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/k8s-breakglass/function-debug-session/internal/requirements"
)

// cacheInputs are the objects of a request whose auxiliary resources read
// every template variable, so that a change to any input shows in them.
type cacheInputs struct {
	session, tmpl, pod, binding, cluster, input map[string]any
	// readySince is when the observed objects became ready; noWorkload
	// leaves the workload unobserved.
	readySince time.Time
	noWorkload bool
	// tag and desired are the request's meta tag and the desired composed
	// resources of earlier pipeline steps.
	tag     string
	desired map[string]*fnv1.Resource
}

func newCacheInputs() *cacheInputs {
	pod := podTemplate()
	np := networkPolicy("egress-network-policy")
	np["template"].(map[string]any)["metadata"].(map[string]any)["annotations"] = map[string]any{
		"vars": "{{ .Session.Namespace }} {{ .Session.Cluster }} {{ .Session.RequestedBy }} {{ .Session.Reason }} {{ .Session.ExpiresAt }}" +
			" {{ .Template.Name }} {{ .Template.DisplayName }} {{ .Binding.Name }} {{ .Binding.Namespace }}" +
			" {{ .Cluster.Name }} {{ .Cluster.Environment }} {{ .Cluster.Location }} {{ .Cluster.Labels | toJson }} {{ .Annotations | toJson }}",
	}
	pod["spec"].(map[string]any)["auxiliaryResources"] = []any{np}
	tmpl := template()
	tmpl["spec"].(map[string]any)["auxiliaryResourceDefaults"] = map[string]any{"network-isolation": true}
	return &cacheInputs{
		session: active(xr("prod-cluster-a"), now.Add(-10*time.Minute)),
		tmpl:    tmpl, pod: pod, binding: perfBinding(), cluster: clusterConfig(),
		input:      map[string]any{"apiVersion": "debugsession.fn.breakglass.telekom.de/v1beta1", "kind": "Input"},
		readySince: now.Add(-time.Minute),
	}
}

func (ci *cacheInputs) request() *fnv1.RunFunctionRequest {
	observed := readySince(ci.readySince, deniedNodesPolicies, podAccessPolicies, podAccessGrants)
	observed["aux-podtemplate-egress-network-policy"] = networkPolicyObserved()["aux-podtemplate-egress-network-policy"]
	if !ci.noWorkload {
		observed["workload"] = observed["aux-podtemplate-egress-network-policy"]
	}
	req := newRequest(args{xr: ci.session, observed: observed, input: ci.input, required: map[string]*fnv1.Resources{
		"template": items(ci.tmpl), "cluster-config": items(ci.cluster), "pod-template": items(ci.pod),
		"bindings-breakglass-system": items(ci.binding),
	}})
	if ci.tag != "" {
		req.Meta = &fnv1.RequestMeta{Tag: ci.tag}
	}
	req.Desired.Resources = ci.desired
	return req
}

func spec(o map[string]any) map[string]any { return o["spec"].(map[string]any) }

func meta(o map[string]any) map[string]any { return o["metadata"].(map[string]any) }

// TestCacheNeverStale proves that what the Function remembers from earlier
// calls never outlives a change to what it was computed from: a Function
// that has answered the unchanged request answers each changed one exactly
// as a new Function does.
func TestCacheNeverStale(t *testing.T) {
	auxTemplate := func(ci *cacheInputs) map[string]any {
		return spec(ci.pod)["auxiliaryResources"].([]any)[0].(map[string]any)["template"].(map[string]any)
	}
	cases := map[string]struct {
		reason string
		change func(ci *cacheInputs)
		// later, when set, is how much later than the warming calls the
		// changed request comes; the warm Function has seen the changed
		// request itself at the earlier time.
		later time.Duration
	}{
		"Unchanged": {
			reason: "The unchanged request is answered as the first call answered it.",
			change: func(*cacheInputs) {},
		},
		"PodTemplateAuxiliaryTemplate": {
			reason: "A changed auxiliary template renders anew.",
			change: func(ci *cacheInputs) { spec(auxTemplate(ci))["policyTypes"] = []any{"Ingress"} },
		},
		"PodTemplateContainer": {
			reason: "A changed pod template changes the workload.",
			change: func(ci *cacheInputs) {
				spec(ci.pod)["template"].(map[string]any)["spec"].(map[string]any)["containers"] = []any{map[string]any{"name": "debug", "image": "debug-tools:2"}}
			},
		},
		"CircuitBreakerOpened": {
			reason: "Once Crossplane's watch circuit breaker for the session opens, the response asks for a call within ThrottledTTL.",
			change: func(ci *cacheInputs) { ci.session = circuitOpen(ci.session) },
		},
		"TemplateDisplayName": {
			reason: "Templates may read .Template.DisplayName.",
			change: func(ci *cacheInputs) { spec(ci.tmpl)["displayName"] = "Network operations" },
		},
		"TemplateTargetNamespace": {
			reason: "The target namespace places every object.",
			change: func(ci *cacheInputs) { spec(ci.tmpl)["targetNamespace"] = "debug-elsewhere" },
		},
		"TemplateAuxiliaryDefaults": {
			reason: "Turning a category off drops its resources.",
			change: func(ci *cacheInputs) {
				spec(ci.tmpl)["auxiliaryResourceDefaults"] = map[string]any{"network-isolation": false}
			},
		},
		"BindingName": {
			reason: "Templates may read .Binding.Name.",
			change: func(ci *cacheInputs) { meta(ci.binding)["name"] = "prod-binding-2" },
		},
		"BindingSchedulingConstraints": {
			reason: "A binding's scheduling constraints shape the workload and the admission policy.",
			change: func(ci *cacheInputs) {
				spec(ci.binding)["schedulingConstraints"].(map[string]any)["deniedNodes"] = []any{"infra-*"}
			},
		},
		"BindingAuxiliaryOverride": {
			reason: "A binding can turn a category off.",
			change: func(ci *cacheInputs) {
				spec(ci.binding)["auxiliaryResourceOverrides"] = map[string]any{"network-isolation": false}
			},
		},
		"ClusterConfigEnvironment": {
			reason: "Templates may read .Cluster.Environment.",
			change: func(ci *cacheInputs) { spec(ci.cluster)["environment"] = "staging" },
		},
		"ClusterConfigLabels": {
			reason: "Templates may read .Cluster.Labels.",
			change: func(ci *cacheInputs) { meta(ci.cluster)["labels"] = map[string]any{"tier": "gold"} },
		},
		"SessionReason": {
			reason: "Templates may read .Session.Reason.",
			change: func(ci *cacheInputs) { spec(ci.session)["reason"] = "INC-5678" },
		},
		"SessionRequestedBy": {
			reason: "Templates may read .Session.RequestedBy, and the access grants name the requester.",
			change: func(ci *cacheInputs) { spec(ci.session)["requestedBy"] = "bob@example.com" },
		},
		"SessionName": {
			reason: "Every object is named after the session.",
			change: func(ci *cacheInputs) { meta(ci.session)["name"] = "inc-5678" },
		},
		"SessionRenewed": {
			reason: "A renewed session's new expiry is .Session.ExpiresAt.",
			change: func(ci *cacheInputs) { spec(ci.session)["renewals"] = int64(1) },
		},
		"SessionExpired": {
			reason: "Time-dependent decisions are never remembered: an expired session ends.",
			change: func(ci *cacheInputs) { ci.session = active(xr("prod-cluster-a"), now.Add(-2*time.Hour)) },
		},
		"SessionLabels": {
			reason: "The session's labels are not the standard labels, but the workload copies some.",
			change: func(ci *cacheInputs) { meta(ci.session)["labels"].(map[string]any)["team"] = "netops" },
		},
		"SessionAnnotations": {
			reason: "Templates may read .Annotations.",
			change: func(ci *cacheInputs) {
				meta(ci.session)["annotations"] = map[string]any{"example.com/ticket": "INC-1234"}
			},
		},
		"InputAllowedKinds": {
			reason: "A narrower allowlist turns the NetworkPolicy into a policy violation.",
			change: func(ci *cacheInputs) {
				ci.input["auxiliaryResources"] = map[string]any{"allowedKinds": []any{map[string]any{"group": "", "kind": "ConfigMap"}}}
			},
		},
		"InputMaxRenderedBytes": {
			reason: "A smaller byte budget fails the render.",
			change: func(ci *cacheInputs) { ci.input["auxiliaryResources"] = map[string]any{"maxRenderedBytes": int64(100)} },
		},
		"InputDelivery": {
			reason: "Local delivery composes the rendered objects as they are.",
			change: func(ci *cacheInputs) { ci.input["delivery"] = map[string]any{"mode": "Local"} },
		},
		"ObservedWorkloadNotReady": {
			reason: "The readiness of an observed composed resource is part of the answer.",
			change: func(ci *cacheInputs) { ci.noWorkload = true },
		},
		"RequestTag": {
			reason: "The request's meta tag, outside any Struct, is returned.",
			change: func(ci *cacheInputs) { ci.tag = "other" },
		},
		"DesiredOfEarlierSteps": {
			reason: "What earlier pipeline steps desired is returned with the session's objects.",
			change: func(ci *cacheInputs) {
				ci.desired = map[string]*fnv1.Resource{"earlier": {Resource: st(map[string]any{"apiVersion": "v1", "kind": "ConfigMap"})}}
			},
		},
		"LaterSameRequestExpired": {
			reason: "The same request after the session's expiry ends it: the decision is never remembered.",
			change: func(*cacheInputs) {},
			later:  2 * time.Hour,
		},
		"LaterAdmissionSettled": {
			reason: "The same request once the admission policies have settled returns the workload it held back.",
			change: func(ci *cacheInputs) { ci.readySince, ci.noWorkload = now.Add(-2*time.Second), true },
			later:  10 * time.Second,
		},
		"LaterApprovalTimedOut": {
			reason: "The same request for a session waiting for approval fails it after the approval timeout, with nothing composed either time.",
			change: func(ci *cacheInputs) {
				spec(ci.tmpl)["approvers"] = map[string]any{"groups": []any{"security-team"}}
				ci.session = xr("prod-cluster-a")
				meta(ci.session)["creationTimestamp"] = now.Add(-time.Minute).Format(time.RFC3339)
			},
			later: 25 * time.Hour,
		},
		"LaterBindingEffective": {
			reason: "The same request once a binding's effectiveFrom has passed resolves through the binding.",
			change: func(ci *cacheInputs) {
				spec(ci.binding)["effectiveFrom"] = now.Add(5 * time.Minute).Format(time.RFC3339)
			},
			later: 10 * time.Minute,
		},
		"LaterBindingExpired": {
			reason: "The same request once a binding's expiresAt has passed resolves without it.",
			change: func(ci *cacheInputs) { spec(ci.binding)["expiresAt"] = now.Add(5 * time.Minute).Format(time.RFC3339) },
			later:  10 * time.Minute,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			at := now
			clock := WithClock(func() time.Time { return at })
			warm := NewFunction(logging.NewNopLogger(), clock)
			var before *fnv1.RunFunctionResponse
			for range 2 {
				before, _ = warm.RunFunction(context.Background(), newCacheInputs().request())
			}
			ci := newCacheInputs()
			tc.change(ci)
			// A later call is compared without its TTL, which follows the
			// clock whatever else changes.
			opts := []cmp.Option{protocmp.Transform()}
			if tc.later != 0 {
				for range 2 {
					before, _ = warm.RunFunction(context.Background(), ci.request())
				}
				at = now.Add(tc.later)
				opts = append(opts, protocmp.IgnoreFields(&fnv1.ResponseMeta{}, "ttl"))
			}
			got, _ := warm.RunFunction(context.Background(), ci.request())
			want, _ := NewFunction(logging.NewNopLogger(), clock).RunFunction(context.Background(), ci.request())
			if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
				t.Errorf("%s\nRunFunction(...) after the unchanged request: -new Function, +warm Function:\n%s", tc.reason, diff)
			}
			// A change that did not change the answer would prove nothing.
			if changed := !cmp.Equal(before, want, opts...); changed != (name != "Unchanged") {
				t.Errorf("%s\nRunFunction(...): the change changed the response: %t", tc.reason, changed)
			}
		})
	}
}

// TestCacheKeepsMetrics proves that the caches change no metric: a Function
// with them and one without count the same calls, states and transitions,
// including a transition that comes after many remembered calls.
func TestCacheKeepsMetrics(t *testing.T) {
	expired := newCacheInputs()
	expired.session = active(xr("prod-cluster-a"), now.Add(-2*time.Hour))
	calls := []*cacheInputs{newCacheInputs(), newCacheInputs(), newCacheInputs(), expired, expired}

	cachedReg, uncachedReg := prometheus.NewRegistry(), prometheus.NewRegistry()
	cached := NewFunction(logging.NewNopLogger(), WithClock(func() time.Time { return now }), WithMetrics(cachedReg))
	uncached := NewFunction(logging.NewNopLogger(), WithClock(func() time.Time { return now }), WithMetrics(uncachedReg))
	uncached.rendered, uncached.prepared = nil, nil
	for _, ci := range calls {
		if _, err := cached.RunFunction(context.Background(), ci.request()); err != nil {
			t.Fatal(err)
		}
		requirements.Forget()
		if _, err := uncached.RunFunction(context.Background(), ci.request()); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(gathered(t, uncachedReg), gathered(t, cachedReg)); diff != "" {
		t.Errorf("metrics after the same calls: -without caches, +with caches:\n%s", diff)
	}
	if !slices.ContainsFunc(gathered(t, cachedReg), func(m string) bool { return strings.HasPrefix(m, "transitions_total") }) {
		t.Errorf("the calls made no transition, so the test proves nothing: %v", gathered(t, cachedReg))
	}
}

package main

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
)

// jobTemplate is the test template with workloadType Job.
func jobTemplate(extra map[string]any) map[string]any {
	t := template()
	spec := t["spec"].(map[string]any) //nolint:forcetypeassert // Built above.
	spec["workloadType"] = "Job"
	for k, v := range extra {
		spec[k] = v
	}
	return t
}

// observedJob is the workload Object as provider-kubernetes reports it, with
// the Job it last observed on the target cluster.
func observedJob(ready string, status map[string]any) map[string]*fnv1.Resource {
	obs := readySince(now.Add(-time.Hour), podAccessPolicies, podAccessGrants)
	obs["workload"] = &fnv1.Resource{Resource: st(map[string]any{
		"apiVersion": "kubernetes.m.crossplane.io/v1alpha1", "kind": "Object",
		"status": map[string]any{
			"conditions": []any{map[string]any{"type": "Ready", "status": ready}},
			"atProvider": map[string]any{"manifest": map[string]any{
				"apiVersion": "batch/v1", "kind": "Job", "metadata": map[string]any{"name": "debug-inc-1234-433036c4"},
				"spec": map[string]any{"completions": 1, "parallelism": 1}, "status": status,
			}},
		},
	})}
	return obs
}

func TestJobSession(t *testing.T) {
	required := func(tmpl map[string]any) map[string]*fnv1.Resources {
		return map[string]*fnv1.Resources{
			"template": items(tmpl), "cluster-config": items(), "bindings-breakglass-system": items(), "pod-template": items(podTemplate()),
		}
	}
	renewed := func() map[string]any {
		o := active(xr("prod-cluster-a"), now.Add(-10*time.Minute))
		o["spec"].(map[string]any)["renewals"] = 1 //nolint:forcetypeassert // Built by xr.
		return o
	}
	const active1h = "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."
	type want struct {
		state    string
		message  string
		deadline any
		backoff  any
	}
	cases := map[string]struct {
		reason   string
		xr       map[string]any
		template map[string]any
		observed map[string]*fnv1.Resource
		want     want
	}{
		"DeadlineIsTheSessionLength": {
			reason:   "An Active Job session returns its Job bounded by the session's hour, counted from activation and not from now, with the default backoff limit.",
			xr:       active(xr("prod-cluster-a"), now.Add(-10*time.Minute)),
			template: jobTemplate(nil),
			observed: observedJob("True", map[string]any{"active": 1, "ready": 1}),
			want:     want{state: "Active", message: active1h, deadline: float64(3600), backoff: float64(3)},
		},
		"RenewalMovesTheDeadline": {
			reason:   "A renewal moves the expiry an hour on, and the running Job's deadline with it.",
			xr:       renewed(),
			template: jobTemplate(map[string]any{"backoffLimit": 0}),
			observed: observedJob("True", map[string]any{"active": 1, "ready": 1}),
			want:     want{state: "Active", message: "Active on cluster prod-cluster-a for 2h; 1 of 3 renewals used.", deadline: float64(7200), backoff: float64(0)},
		},
		"WaitingForThePod": {
			reason:   "While the Job's pod is not ready, the status says so with the cluster.",
			xr:       active(xr("prod-cluster-a"), now.Add(-10*time.Minute)),
			template: jobTemplate(nil),
			observed: observedJob("False", map[string]any{"active": 1}),
			want:     want{state: "Active", message: active1h + " Waiting for the debug pods: Job has 0 of 1 pods ready on prod-cluster-a.", deadline: float64(3600), backoff: float64(3)},
		},
		"FailedJobKeptUntilTheEnd": {
			reason:   "A Job that used up its retries stays, with what is left of its pods, until the session ends; the session stays Active and says why the Job failed.",
			xr:       active(xr("prod-cluster-a"), now.Add(-10*time.Minute)),
			template: jobTemplate(nil),
			observed: observedJob("False", map[string]any{"failed": 4, "conditions": []any{map[string]any{
				"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit",
			}}}),
			want: want{
				state: "Active", deadline: float64(3600), backoff: float64(3),
				message: active1h + " The debug Job failed (BackoffLimitExceeded: Job has reached the specified backoff limit) on prod-cluster-a; it and its pods stay until the session ends.",
			},
		},
		"CompletedJobKeptUntilTheEnd": {
			reason:   "A completed Job is ready and stays until the session ends, so its pods' logs can still be read.",
			xr:       active(xr("prod-cluster-a"), now.Add(-10*time.Minute)),
			template: jobTemplate(nil),
			observed: observedJob("True", map[string]any{"succeeded": 1, "conditions": []any{map[string]any{"type": "Complete", "status": "True"}}}),
			want: want{
				state: "Active", deadline: float64(3600), backoff: float64(3),
				message: active1h + " The debug Job completed on prod-cluster-a; it and its pods stay until the session ends.",
			},
		},
		"NoDisruptionBudget": {
			reason:   "A Job template with a disruption budget fails a new session, naming the template's field.",
			xr:       xr("prod-cluster-a"),
			template: jobTemplate(map[string]any{"podDisruptionBudget": map[string]any{"minAvailable": 1}}),
			want: want{
				state:   "Failed",
				message: "DebugSessionTemplate breakglass-system/netops-debug spec.podDisruptionBudget: a Job's pods get no PodDisruptionBudget; remove it, or use workloadType Deployment",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := NewFunction(logging.NewNopLogger(), WithClock(func() time.Time { return now }))
			rsp, err := f.RunFunction(context.Background(), newRequest(args{xr: tc.xr, required: required(tc.template), observed: tc.observed}))
			if err != nil {
				t.Fatalf("%s\nRunFunction(...): unexpected Go error: %v", tc.reason, err)
			}
			d := digest(rsp)
			got := want{state: d.state, message: d.message}
			if w := rsp.GetDesired().GetResources()["workload"]; w != nil {
				spec := w.GetResource().AsMap()["spec"].(map[string]any)["forProvider"].(map[string]any)["manifest"].(map[string]any)["spec"].(map[string]any) //nolint:forcetypeassert // A missing field fails the test with a panic.
				got.deadline, got.backoff = spec["activeDeadlineSeconds"], spec["backoffLimit"]
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nRunFunction(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestConcurrentJobCalls calls one Active Job session at once from many
// goroutines through one Function, as Crossplane may while requirements
// settle: the calls share the prepared plan, so bounding the Job by the
// session's time must not write to it (go test -race finds such a write),
// and every call returns the same deadline.
func TestConcurrentJobCalls(t *testing.T) {
	req := newRequest(args{
		xr:       active(xr("prod-cluster-a"), now.Add(-10*time.Minute)),
		required: map[string]*fnv1.Resources{"template": items(jobTemplate(nil)), "cluster-config": items(), "bindings-breakglass-system": items(), "pod-template": items(podTemplate())},
		observed: observedJob("True", map[string]any{"active": 1, "ready": 1}),
	})
	f := NewFunction(logging.NewNopLogger(), WithClock(func() time.Time { return now }))
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			rsp, err := f.RunFunction(context.Background(), proto.Clone(req).(*fnv1.RunFunctionRequest)) //nolint:forcetypeassert // Clone keeps the type.
			if err != nil {
				t.Errorf("call %d: RunFunction(...): %v", i, err)
				return
			}
			w := rsp.GetDesired().GetResources()["workload"]
			if w == nil {
				t.Errorf("call %d: RunFunction(...) returned no workload", i)
				return
			}
			spec := w.GetResource().AsMap()["spec"].(map[string]any)["forProvider"].(map[string]any)["manifest"].(map[string]any)["spec"].(map[string]any) //nolint:forcetypeassert // A missing field fails the test with a panic.
			if got := spec["activeDeadlineSeconds"]; got != float64(3600) {
				t.Errorf("call %d: activeDeadlineSeconds = %v, want 3600", i, got)
			}
		})
	}
	wg.Wait()
}

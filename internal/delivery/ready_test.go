package delivery

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
	"github.com/google/cel-go/cel"
	celtypes "github.com/google/cel-go/common/types"
	"github.com/google/go-cmp/cmp"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/names"
)

// observedFromJSON parses an observed object the way it reaches the
// function: through a protobuf Struct, so that every number is a float64.
func observedFromJSON(t *testing.T, s string) *composed.Unstructured {
	t.Helper()
	o := composed.New()
	if err := json.Unmarshal([]byte(s), &o.Object); err != nil {
		t.Fatalf("cannot parse %s: %v", s, err)
	}
	return o
}

const (
	daemonSetReady = `{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"debug","generation":2},
		"status":{"observedGeneration":2,"desiredNumberScheduled":3,"numberAvailable":3}}`
	daemonSetNoNodes = `{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"debug","generation":1},
		"status":{"observedGeneration":1,"desiredNumberScheduled":0,"numberAvailable":0}}`
	daemonSetPartial = `{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"debug","generation":1},
		"status":{"observedGeneration":1,"desiredNumberScheduled":3,"numberAvailable":2}}`
	daemonSetNoAvailableField = `{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"debug","generation":1},
		"status":{"observedGeneration":1,"desiredNumberScheduled":2}}`
	daemonSetStale = `{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"debug","generation":3},
		"status":{"observedGeneration":2,"desiredNumberScheduled":3,"numberAvailable":3}}`
	daemonSetNew = `{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"debug","generation":1}}`

	deploymentDefaultReplicasReady = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"debug","generation":1},
		"spec":{},"status":{"observedGeneration":1,"availableReplicas":1}}`
	deploymentReady = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"debug","generation":1},
		"spec":{"replicas":3},"status":{"observedGeneration":1,"availableReplicas":3,"replicas":3}}`
	deploymentPartial = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"debug","generation":1},
		"spec":{"replicas":3},"status":{"observedGeneration":1,"availableReplicas":1,"replicas":3}}`
	deploymentNoneAvailable = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"debug","generation":1},
		"spec":{"replicas":2},"status":{"observedGeneration":1,"replicas":2}}`
	deploymentStale = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"debug","generation":2},
		"spec":{"replicas":1},"status":{"observedGeneration":1,"availableReplicas":1}}`
	deploymentScaledToZero = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"debug","generation":1},
		"spec":{"replicas":0},"status":{"observedGeneration":1}}`

	jobNew = `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"debug","generation":1},
		"spec":{"completions":1,"parallelism":1},"status":{}}`
	jobRunning = `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"debug","generation":1},
		"spec":{"completions":1,"parallelism":1},"status":{"active":1,"ready":1,"startTime":"2026-11-28T10:00:05Z"}}`
	jobDefaultCompletionsRunning = `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"debug","generation":1},
		"spec":{},"status":{"active":1,"ready":1}}`
	jobPartlyReady = `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"debug","generation":1},
		"spec":{"completions":3,"parallelism":3},"status":{"active":3,"ready":1}}`
	jobSomeFinished = `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"debug","generation":1},
		"spec":{"completions":3,"parallelism":3},"status":{"active":1,"ready":0,"succeeded":2}}`
	jobRestFinished = `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"debug","generation":1},
		"spec":{"completions":3,"parallelism":3},"status":{"active":1,"ready":1,"succeeded":2}}`
	jobComplete = `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"debug","generation":1},
		"spec":{"completions":1,"parallelism":1},"status":{"succeeded":1,"ready":0,
		"conditions":[{"type":"SuccessCriteriaMet","status":"True"},{"type":"Complete","status":"True"}]}}`
	jobFailed = `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"debug","generation":1},
		"spec":{"completions":1,"parallelism":1},"status":{"failed":4,"ready":0,
		"conditions":[{"type":"FailureTarget","status":"True"},{"type":"Failed","status":"True","reason":"BackoffLimitExceeded","message":"Job has reached the specified backoff limit"}]}}`
	jobFailedWhileReady = `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"debug","generation":1},
		"spec":{"completions":1,"parallelism":1},"status":{"ready":1,
		"conditions":[{"type":"Failed","status":"True","reason":"DeadlineExceeded","message":"Job was active longer than specified deadline"}]}}`
)

// workloadCases are workloads on a target cluster, with their readiness as
// the Local mode computes it. The CEL queries of the ProviderKubernetes mode
// must agree on every one of them.
var workloadCases = map[string]struct {
	reason string
	object string
	want   Readiness
}{
	"DaemonSetAllAvailable": {
		reason: "A DaemonSet with a pod available on every eligible node is ready.",
		object: daemonSetReady,
		want:   Readiness{Observed: true, Ready: true},
	},
	"DaemonSetOnNoNode": {
		reason: "A DaemonSet that no node is eligible for runs no debug pod, so it is not ready, and the message says why.",
		object: daemonSetNoNodes,
		want:   Readiness{Observed: true, Message: "DaemonSet runs no pod: no node is eligible for its pods"},
	},
	"DaemonSetPartlyAvailable": {
		reason: "A DaemonSet with fewer available pods than scheduled ones is not ready yet.",
		object: daemonSetPartial,
		want:   Readiness{Observed: true, Message: "DaemonSet has 2 of 3 pods available"},
	},
	"DaemonSetNoneAvailable": {
		reason: "The API server omits numberAvailable when it is zero; that is not ready, not an error.",
		object: daemonSetNoAvailableField,
		want:   Readiness{Observed: true, Message: "DaemonSet has 0 of 2 pods available"},
	},
	"DaemonSetStaleStatus": {
		reason: "A status written for an older spec says nothing about the current one.",
		object: daemonSetStale,
		want:   Readiness{Observed: true, Message: "DaemonSet status is not up to date with its spec yet"},
	},
	"DaemonSetJustCreated": {
		reason: "A DaemonSet whose controller has not written a status yet is not ready.",
		object: daemonSetNew,
		want:   Readiness{Observed: true, Message: "DaemonSet status is not up to date with its spec yet"},
	},
	"DeploymentDefaultReplicas": {
		reason: "A Deployment without spec.replicas wants one pod, as the API server defaults it.",
		object: deploymentDefaultReplicasReady,
		want:   Readiness{Observed: true, Ready: true},
	},
	"DeploymentAllAvailable": {
		reason: "A Deployment with as many available pods as replicas is ready.",
		object: deploymentReady,
		want:   Readiness{Observed: true, Ready: true},
	},
	"DeploymentPartlyAvailable": {
		reason: "A Deployment with fewer available pods than replicas is not ready.",
		object: deploymentPartial,
		want:   Readiness{Observed: true, Message: "Deployment has 1 of 3 pods available"},
	},
	"DeploymentNoneAvailable": {
		reason: "The API server omits availableReplicas when it is zero; that is not ready, not an error.",
		object: deploymentNoneAvailable,
		want:   Readiness{Observed: true, Message: "Deployment has 0 of 2 pods available"},
	},
	"DeploymentStaleStatus": {
		reason: "A status written for an older spec says nothing about the current one.",
		object: deploymentStale,
		want:   Readiness{Observed: true, Message: "Deployment status is not up to date with its spec yet"},
	},
	"DeploymentScaledToZero": {
		reason: "A Deployment asking for no pods has all it asked for.",
		object: deploymentScaledToZero,
		want:   Readiness{Observed: true, Ready: true},
	},
	"JobJustCreated": {
		reason: "A Job whose pod is not ready yet is not ready, and says how many of its pods are.",
		object: jobNew,
		want:   Readiness{Observed: true, Message: "Job has 0 of 1 pods ready"},
	},
	"JobRunning": {
		reason: "A Job whose pod is running and ready is ready: the session's debug pod is there.",
		object: jobRunning,
		want:   Readiness{Observed: true, Ready: true},
	},
	"JobDefaultCompletions": {
		reason: "A Job without spec.completions wants one pod, as the API server defaults it.",
		object: jobDefaultCompletionsRunning,
		want:   Readiness{Observed: true, Ready: true},
	},
	"JobPartlyReady": {
		reason: "A Job of three pods with one ready is not ready.",
		object: jobPartlyReady,
		want:   Readiness{Observed: true, Message: "Job has 1 of 3 pods ready"},
	},
	"JobSomeFinishedRestNotReady": {
		reason: "Pods that finished count as done, but the one still starting is waited for, and the message says how many finished.",
		object: jobSomeFinished,
		want:   Readiness{Observed: true, Message: "Job has 0 of 3 pods ready, 2 finished"},
	},
	"JobSomeFinishedRestReady": {
		reason: "Every pod either finished or ready: nothing left to wait for.",
		object: jobRestFinished,
		want:   Readiness{Observed: true, Ready: true},
	},
	"JobComplete": {
		reason: "A completed Job did what it was asked: ready, finished, and its pods are not waited for.",
		object: jobComplete,
		want:   Readiness{Observed: true, Ready: true, Finished: true, Message: "Job completed"},
	},
	"JobFailed": {
		reason: "A Job that used up its backoff limit is finished and not ready; the message carries the condition's reason and message.",
		object: jobFailed,
		want:   Readiness{Observed: true, Finished: true, Message: "Job failed (BackoffLimitExceeded: Job has reached the specified backoff limit)"},
	},
	"JobFailedWhileCountsSayReady": {
		reason: "The Failed condition wins over a stale ready count: a Job past its deadline is not ready.",
		object: jobFailedWhileReady,
		want:   Readiness{Observed: true, Finished: true, Message: "Job failed (DeadlineExceeded: Job was active longer than specified deadline)"},
	},
}

func TestLocalWorkloadReadiness(t *testing.T) {
	target := Target{Mode: v1beta1.DeliveryLocal}
	for name, tc := range workloadCases {
		t.Run(name, func(t *testing.T) {
			observed := map[resource.Name]resource.ObservedComposed{
				names.WorkloadResource: {Resource: observedFromJSON(t, tc.object)},
			}
			got := target.Readiness(names.WorkloadResource, observed)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nReadiness(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestReadinessQueriesAgreeWithLocal evaluates the CEL queries handed to
// provider-kubernetes the way the provider does (one dynamic variable,
// "object", holding the observed object decoded from JSON) and checks that
// they call a workload ready exactly when Local delivery does.
func TestReadinessQueriesAgreeWithLocal(t *testing.T) {
	env, err := cel.NewEnv(cel.Variable("object", cel.AnyType))
	if err != nil {
		t.Fatalf("cel.NewEnv: %v", err)
	}
	for name, tc := range workloadCases {
		t.Run(name, func(t *testing.T) {
			o := observedFromJSON(t, tc.object)
			query := readinessQuery(&o.Unstructured)
			if query == "" {
				t.Fatalf("%s\nreadinessQuery(%s) is empty", tc.reason, o.GetKind())
			}
			ast, iss := env.Compile(query)
			if iss.Err() != nil {
				t.Fatalf("cannot compile %q: %v", query, iss.Err())
			}
			if !reflect.DeepEqual(ast.OutputType(), cel.BoolType) {
				t.Fatalf("%q has type %v; the provider wants bool", query, ast.OutputType())
			}
			prg, err := env.Program(ast)
			if err != nil {
				t.Fatalf("cannot plan %q: %v", query, err)
			}
			val, _, err := prg.Eval(map[string]any{"object": o.Object})
			if err != nil {
				t.Fatalf("%s\ncannot evaluate the %s query: %v", tc.reason, o.GetKind(), err)
			}
			if got := val == celtypes.True; got != tc.want.Ready {
				t.Errorf("%s\nthe %s CEL query says ready=%t, Local delivery says ready=%t", tc.reason, o.GetKind(), got, tc.want.Ready)
			}
		})
	}
}

func TestReadiness(t *testing.T) {
	type args struct {
		target   Target
		name     resource.Name
		observed map[resource.Name]resource.ObservedComposed
	}
	pk := Target{Mode: v1beta1.DeliveryProviderKubernetes, ObjectAPIVersion: v1beta1.DefaultObjectAPIVersion}
	pkOnCluster := Target{Mode: v1beta1.DeliveryProviderKubernetes, ObjectAPIVersion: v1beta1.NamespacedObjectAPIVersion, Cluster: "prod-cluster-a"}
	local := Target{Mode: v1beta1.DeliveryLocal}
	cases := map[string]struct {
		reason string
		args   args
		want   Readiness
	}{
		"NotObserved": {
			reason: "A resource Crossplane has not reported back is neither observed nor ready.",
			args:   args{target: pk, name: "aux-sa", observed: nil},
			want:   Readiness{Message: "not created yet"},
		},
		"ObjectReady": {
			reason: "An Object whose Ready condition is True is ready.",
			args: args{target: pk, name: names.WorkloadResource, observed: map[resource.Name]resource.ObservedComposed{
				names.WorkloadResource: {Resource: observedFromJSON(t, `{"apiVersion":"kubernetes.crossplane.io/v1alpha2","kind":"Object",
					"status":{"conditions":[{"type":"Synced","status":"True","reason":"ReconcileSuccess"},{"type":"Ready","status":"True","reason":"Available"}]}}`)},
			}},
			want: Readiness{Observed: true, Ready: true},
		},
		"ObjectUnavailable": {
			reason: "An Object whose Ready condition is False is not ready, and the message passes on the provider's reason and message.",
			args: args{target: pk, name: names.WorkloadResource, observed: map[resource.Name]resource.ObservedComposed{
				names.WorkloadResource: {Resource: observedFromJSON(t, `{"apiVersion":"kubernetes.crossplane.io/v1alpha2","kind":"Object",
					"status":{"conditions":[{"type":"Ready","status":"False","reason":"Unavailable","message":"failed to eval the program"}]}}`)},
			}},
			want: Readiness{Observed: true, Message: "Object is not ready (Unavailable): failed to eval the program"},
		},
		"ObjectOfPartlyAvailableWorkload": {
			reason: "An unready Object of a workload says, from the workload the provider observed on the target, how many pods are available there.",
			args: args{target: pkOnCluster, name: names.WorkloadResource, observed: map[resource.Name]resource.ObservedComposed{
				names.WorkloadResource: {Resource: observedFromJSON(t, `{"apiVersion":"kubernetes.m.crossplane.io/v1alpha1","kind":"Object",
					"status":{"conditions":[{"type":"Ready","status":"False","reason":"Unavailable"}],
					"atProvider":{"manifest":`+deploymentPartial+`}}}`)},
			}},
			want: Readiness{Observed: true, Message: "Deployment has 1 of 3 pods available on prod-cluster-a"},
		},
		"ObjectOfDaemonSetOnNoNode": {
			reason: "An unready Object of a DaemonSet that no node is eligible for says so, naming the cluster.",
			args: args{target: pkOnCluster, name: names.WorkloadResource, observed: map[resource.Name]resource.ObservedComposed{
				names.WorkloadResource: {Resource: observedFromJSON(t, `{"apiVersion":"kubernetes.m.crossplane.io/v1alpha1","kind":"Object",
					"status":{"conditions":[{"type":"Ready","status":"False","reason":"Unavailable"}],
					"atProvider":{"manifest":`+daemonSetNoNodes+`}}}`)},
			}},
			want: Readiness{Observed: true, Message: "DaemonSet runs no pod: no node is eligible for its pods on prod-cluster-a"},
		},
		"ObjectOfAvailableWorkloadNotYetReady": {
			reason: "An Object whose observed workload is available but whose readiness the provider has not re-evaluated yet is still not ready, with the provider's reason.",
			args: args{target: pkOnCluster, name: names.WorkloadResource, observed: map[resource.Name]resource.ObservedComposed{
				names.WorkloadResource: {Resource: observedFromJSON(t, `{"apiVersion":"kubernetes.m.crossplane.io/v1alpha1","kind":"Object",
					"status":{"conditions":[{"type":"Ready","status":"False","reason":"Unavailable"}],
					"atProvider":{"manifest":`+deploymentReady+`}}}`)},
			}},
			want: Readiness{Observed: true, Message: "Object is not ready (Unavailable)"},
		},
		"ObjectOfOtherKind": {
			reason: "An unready Object of a kind that is not a workload keeps the provider's reason.",
			args: args{target: pkOnCluster, name: "aux-cm", observed: map[resource.Name]resource.ObservedComposed{
				"aux-cm": {Resource: observedFromJSON(t, `{"apiVersion":"kubernetes.m.crossplane.io/v1alpha1","kind":"Object",
					"status":{"conditions":[{"type":"Ready","status":"False","reason":"Creating"}],
					"atProvider":{"manifest":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"}}}}}`)},
			}},
			want: Readiness{Observed: true, Message: "Object is not ready (Creating)"},
		},
		"ObjectWithoutConditions": {
			reason: "An Object the provider has not reconciled yet is not ready.",
			args: args{target: pk, name: "aux-sa", observed: map[resource.Name]resource.ObservedComposed{
				"aux-sa": {Resource: observedFromJSON(t, `{"apiVersion":"kubernetes.m.crossplane.io/v1alpha1","kind":"Object"}`)},
			}},
			want: Readiness{Observed: true, Message: "Object is not ready"},
		},
		"ProviderKubernetesIgnoresWorkloadStatus": {
			reason: "With ProviderKubernetes delivery only the Object's condition counts, even if the observed resource looks like an available workload.",
			args: args{target: pk, name: names.WorkloadResource, observed: map[resource.Name]resource.ObservedComposed{
				names.WorkloadResource: {Resource: observedFromJSON(t, daemonSetReady)},
			}},
			want: Readiness{Observed: true, Message: "DaemonSet is not ready"},
		},
		"LocalOtherKindReadyWhenObserved": {
			reason: "Composed directly, a kind that is not a workload is ready as soon as it exists.",
			args: args{target: local, name: "aux-cm", observed: map[resource.Name]resource.ObservedComposed{
				"aux-cm": {Resource: observedFromJSON(t, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"}}`)},
			}},
			want: Readiness{Observed: true, Ready: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := tc.args.target.Readiness(tc.args.name, tc.args.observed)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nReadiness(...): -want, +got:\n%s", tc.reason, diff)
			}
			if gotReady := tc.args.target.Ready(tc.args.name, tc.args.observed); gotReady != tc.want.Ready {
				t.Errorf("%s\nReady(...) = %t, Readiness(...).Ready = %t", tc.reason, gotReady, tc.want.Ready)
			}
		})
	}
}

func TestLocalReadinessOfUnreadableWorkload(t *testing.T) {
	// A workload whose observed state does not parse is not ready, and the
	// message names it; the rest of the message is the converter's.
	observed := map[resource.Name]resource.ObservedComposed{
		names.WorkloadResource: {Resource: observedFromJSON(t, `{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"debug"},"status":{"numberAvailable":"three"}}`)},
	}
	got := Target{Mode: v1beta1.DeliveryLocal}.Readiness(names.WorkloadResource, observed)
	if got.Ready || !got.Observed || !strings.HasPrefix(got.Message, "cannot read the observed DaemonSet debug: ") {
		t.Errorf("Readiness(...) = %+v, want observed, not ready, and a message naming the DaemonSet", got)
	}
}

func TestReadySince(t *testing.T) {
	pk := Target{Mode: v1beta1.DeliveryProviderKubernetes, ObjectAPIVersion: v1beta1.DefaultObjectAPIVersion}
	local := Target{Mode: v1beta1.DeliveryLocal}
	at := time.Date(2026, 1, 1, 9, 0, 5, 0, time.UTC)
	cases := map[string]struct {
		reason   string
		target   Target
		observed string
		want     time.Time
	}{
		"ObjectReadySinceItsCondition": {
			reason:   "An Object became ready when its Ready condition last turned True.",
			target:   pk,
			observed: `{"apiVersion":"kubernetes.crossplane.io/v1alpha2","kind":"Object","metadata":{"creationTimestamp":"2026-01-01T08:00:00Z"},"status":{"conditions":[{"type":"Ready","status":"True","reason":"Available","lastTransitionTime":"2026-01-01T09:00:05Z"}]}}`,
			want:     at,
		},
		"ObjectNotReady": {
			reason:   "An Object that is not ready has no ready time.",
			target:   pk,
			observed: `{"apiVersion":"kubernetes.crossplane.io/v1alpha2","kind":"Object","status":{"conditions":[{"type":"Ready","status":"False","reason":"Creating","lastTransitionTime":"2026-01-01T09:00:05Z"}]}}`,
		},
		"LocalSinceCreation": {
			reason:   "Composed directly, an object that is not a workload is ready from its creation.",
			target:   local,
			observed: `{"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingAdmissionPolicyBinding","metadata":{"name":"b","creationTimestamp":"2026-01-01T09:00:05Z"}}`,
			want:     at,
		},
		"LocalWithoutTimestamp": {
			reason:   "An offline render may leave the creation time out; then nothing is known.",
			target:   local,
			observed: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"}}`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			observed := map[resource.Name]resource.ObservedComposed{"x": {Resource: observedFromJSON(t, tc.observed)}}
			if got := tc.target.ReadySince("x", observed); !got.Equal(tc.want) {
				t.Errorf("%s\nReadySince(...) = %v, want %v", tc.reason, got, tc.want)
			}
		})
	}
}

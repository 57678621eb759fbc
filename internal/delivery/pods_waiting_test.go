package delivery

import (
	"testing"

	"github.com/crossplane/function-sdk-go/resource"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/names"
)

// workloadObject is the workload's Object with its Ready condition and the
// workload the provider last observed on the target cluster.
func workloadObject(t *testing.T, ready, manifest string) map[resource.Name]resource.ObservedComposed {
	t.Helper()
	return map[resource.Name]resource.ObservedComposed{names.WorkloadResource: {Resource: observedFromJSON(t, `{"apiVersion":"kubernetes.m.crossplane.io/v1alpha1","kind":"Object",
		"status":{"conditions":[{"type":"Ready","status":"`+ready+`"}],"atProvider":{"manifest":`+manifest+`}}}`)}}
}

func TestPodsWaiting(t *testing.T) {
	type args struct {
		target   Target
		observed map[resource.Name]resource.ObservedComposed
	}
	pk := Target{Mode: v1beta1.DeliveryProviderKubernetes, ObjectAPIVersion: v1beta1.NamespacedObjectAPIVersion, Cluster: "prod-cluster-a"}
	local := Target{Mode: v1beta1.DeliveryLocal, Cluster: "mgmt"}
	object := func(ready, manifest string) map[resource.Name]resource.ObservedComposed {
		return workloadObject(t, ready, manifest)
	}
	cases := map[string]struct {
		reason string
		args   args
		want   string
	}{
		"NotObserved": {
			reason: "Nothing is said about pods that nobody has observed.",
			args:   args{target: pk},
			want:   "",
		},
		"ObjectPartlyAvailable": {
			reason: "An unready workload Object says how many pods are available on the target cluster.",
			args:   args{target: pk, observed: object("False", deploymentPartial)},
			want:   "Deployment has 1 of 3 pods available on prod-cluster-a",
		},
		"ObjectReady": {
			reason: "A ready Object waits for nothing, whatever its last observed manifest says.",
			args:   args{target: pk, observed: object("True", deploymentPartial)},
			want:   "",
		},
		"ObjectWithoutManifest": {
			reason: "An Object the provider has not observed on the target says nothing about pods.",
			args: args{target: pk, observed: map[resource.Name]resource.ObservedComposed{
				names.WorkloadResource: {Resource: observedFromJSON(t, `{"apiVersion":"kubernetes.m.crossplane.io/v1alpha1","kind":"Object"}`)},
			}},
			want: "",
		},
		"ObjectJobWaiting": {
			reason: "A Job's Object says how many of its pods are ready on the target cluster.",
			args:   args{target: pk, observed: object("False", jobNew)},
			want:   "Job has 0 of 1 pods ready on prod-cluster-a",
		},
		"ObjectJobFailed": {
			reason: "A failed Job is not ready, but nothing waits for its pods any more: WorkloadFinished says how it ended.",
			args:   args{target: pk, observed: object("False", jobFailed)},
			want:   "",
		},
		"LocalJobFailed": {
			reason: "The same composed directly.",
			args: args{target: local, observed: map[resource.Name]resource.ObservedComposed{
				names.WorkloadResource: {Resource: observedFromJSON(t, jobFailed)},
			}},
			want: "",
		},
		"LocalPartlyAvailable": {
			reason: "Composed directly, the workload itself says how many pods are available.",
			args: args{target: local, observed: map[resource.Name]resource.ObservedComposed{
				names.WorkloadResource: {Resource: observedFromJSON(t, daemonSetPartial)},
			}},
			want: "DaemonSet has 2 of 3 pods available",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := tc.args.target.PodsWaiting(names.WorkloadResource, tc.args.observed); got != tc.want {
				t.Errorf("%s\nPodsWaiting(...): want %q, got %q", tc.reason, tc.want, got)
			}
		})
	}
}

func TestWorkloadFinished(t *testing.T) {
	pk := Target{Mode: v1beta1.DeliveryProviderKubernetes, ObjectAPIVersion: v1beta1.NamespacedObjectAPIVersion, Cluster: "prod-cluster-a"}
	local := Target{Mode: v1beta1.DeliveryLocal, Cluster: "mgmt"}
	object := func(ready, manifest string) map[resource.Name]resource.ObservedComposed {
		return workloadObject(t, ready, manifest)
	}
	direct := func(manifest string) map[resource.Name]resource.ObservedComposed {
		return map[resource.Name]resource.ObservedComposed{names.WorkloadResource: {Resource: observedFromJSON(t, manifest)}}
	}
	cases := map[string]struct {
		reason   string
		target   Target
		observed map[resource.Name]resource.ObservedComposed
		want     string
	}{
		"NotObserved": {
			reason: "Nothing is said about a workload nobody has observed.",
			target: pk,
		},
		"JobRunning": {
			reason: "A running Job has not finished.",
			target: pk, observed: object("True", jobRunning),
		},
		"DaemonSet": {
			reason: "Only a Job finishes.",
			target: pk, observed: object("True", daemonSetReady),
		},
		"ObjectJobComplete": {
			reason: "A completed Job on the target is reported with its cluster, although its Object is Ready.",
			target: pk, observed: object("True", jobComplete),
			want: "Job completed on prod-cluster-a",
		},
		"ObjectJobFailed": {
			reason: "A failed Job says why, on which cluster.",
			target: pk, observed: object("False", jobFailed),
			want: "Job failed (BackoffLimitExceeded: Job has reached the specified backoff limit) on prod-cluster-a",
		},
		"LocalJobFailed": {
			reason: "Composed directly, the Job itself says it failed; the control plane is not named.",
			target: local, observed: direct(jobFailedWhileReady),
			want: "Job failed (DeadlineExceeded: Job was active longer than specified deadline)",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := tc.target.WorkloadFinished(names.WorkloadResource, tc.observed); got != tc.want {
				t.Errorf("%s\nWorkloadFinished(...): want %q, got %q", tc.reason, tc.want, got)
			}
		})
	}
}

package delivery

import (
	"testing"

	"github.com/crossplane/function-sdk-go/resource"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/names"
)

func TestPodsWaiting(t *testing.T) {
	type args struct {
		target   Target
		observed map[resource.Name]resource.ObservedComposed
	}
	pk := Target{Mode: v1beta1.DeliveryProviderKubernetes, ObjectAPIVersion: v1beta1.NamespacedObjectAPIVersion, Cluster: "prod-cluster-a"}
	local := Target{Mode: v1beta1.DeliveryLocal, Cluster: "mgmt"}
	object := func(ready, manifest string) map[resource.Name]resource.ObservedComposed {
		return map[resource.Name]resource.ObservedComposed{names.WorkloadResource: {Resource: observedFromJSON(t, `{"apiVersion":"kubernetes.m.crossplane.io/v1alpha1","kind":"Object",
			"status":{"conditions":[{"type":"Ready","status":"`+ready+`"}],"atProvider":{"manifest":`+manifest+`}}}`)}}
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

package delivery

import (
	"testing"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/names"
)

func TestDesiredDoesNotShareState(t *testing.T) {
	// Crossplane's pipeline and later code may change the desired objects;
	// that must never reach back into the caller's objects.
	ds := daemonSet()
	got, err := Desired(Target{Mode: v1beta1.DeliveryProviderKubernetes, ObjectAPIVersion: v1beta1.DefaultObjectAPIVersion, ProviderConfigName: "a"},
		[]Object{{Name: names.WorkloadResource, Object: ds}}, nil)
	if err != nil {
		t.Fatalf("Desired(...): %v", err)
	}
	if err := got[names.WorkloadResource].Resource.SetString("spec.forProvider.manifest.metadata.name", "changed"); err != nil {
		t.Fatalf("SetString: %v", err)
	}
	if ds.GetName() != "debug-inc-1234-433036c4" {
		t.Errorf("changing the desired Object changed the caller's DaemonSet: name is now %q", ds.GetName())
	}
}

package scheduling

import (
	"encoding/json"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
)

// FuzzMergeSchedulingConstraints feeds arbitrary constraints, pod specs and
// user selectors through everything the package exports. Bad input must
// give an error, never a panic.
func FuzzMergeSchedulingConstraints(f *testing.F) {
	f.Add([]byte(`{"requiredNodeAffinity":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"node-role.kubernetes.io/control-plane","operator":"DoesNotExist"}]}]}}`),
		[]byte(`{"deniedNodeLabels":{"cp":"*"},"deniedNodes":["cp-*","node-a"],"nodeSelector":{"pool":"debug"}}`),
		[]byte(`{"nodeSelector":{"pool":"x"},"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{}]}}}}`),
		[]byte(`{"zone":"a"}`), true)
	f.Add([]byte(`{"requiredNodeAffinity":{"nodeSelectorTerms":[]}}`), []byte(`{"deniedNodes":["[", "]", "a[!b]"]}`), []byte(`{}`), []byte(`null`), false)
	f.Add([]byte(`{"topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"k","whenUnsatisfiable":"DoNotSchedule"}],"tolerations":[{"operator":"Exists"}]}`),
		[]byte(`{"topologySpreadConstraints":[{"maxSkew":2,"topologyKey":"k","whenUnsatisfiable":"DoNotSchedule"}],"deniedNodeLabels":{"cp":"x"}}`),
		[]byte(`{"topologySpreadConstraints":[{"maxSkew":3,"topologyKey":"k","whenUnsatisfiable":"DoNotSchedule"}]}`), []byte(`{"cp":"x"}`), true)

	f.Fuzz(func(_ *testing.T, aJSON, bJSON, specJSON, userJSON []byte, allowed bool) {
		var a, b *v1alpha1.SchedulingConstraints
		_ = json.Unmarshal(aJSON, &a)
		_ = json.Unmarshal(bJSON, &b)
		var spec *corev1.PodSpec
		_ = json.Unmarshal(specJSON, &spec)
		var sel map[string]string
		_ = json.Unmarshal(userJSON, &sel)
		user := UserNodeSelector{Session: "ns/s", NodeSelector: sel, Allowed: allowed}

		_, _ = MergeSchedulingConstraints(a, b)
		eff, err := Effective([]resolution.Layer{templateLayer(a), bindingLayer("b", b)})
		if err != nil {
			// Apply and the rest must cope with unvalidated constraints too.
			eff = b
		}
		_ = Apply(spec, eff, user)
		_ = Status(eff, user, v1alpha1.WorkloadTypeDeployment)
		_, _ = DeniedNodeAdmission(eff, v1beta1.DeniedNodeGlobsAdmissionPolicy, AdmissionTarget{Session: "ns/s", Workload: "debug-s-1", Namespace: "ns"})
		_, _ = DeniedNodeAdmission(eff, v1beta1.DeniedNodeGlobsReject, AdmissionTarget{})
	})
}

package access

import (
	"testing"

	"github.com/crossplane/function-sdk-go/errors"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

const (
	tmplName = "breakglass-system/netops-debug"
	podName  = "breakglass-system/netshoot"
)

func ptrTo[T any](v T) *T { return &v }

func TestResourceQuota(t *testing.T) {
	labels := map[string]any{v1alpha1.LabelSession: "inc-1234"}
	type want struct {
		obj map[string]any
		err error
	}
	cases := map[string]struct {
		reason string
		quota  *v1alpha1.SessionResourceQuota
		want   want
	}{
		"None": {
			reason: "A template without a quota gets none.",
		},
		"Empty": {
			reason: "A quota without any limit is no quota.",
			quota:  &v1alpha1.SessionResourceQuota{},
		},
		"Everything": {
			reason: "Each field bounds its resource: pods, and the limits of CPU, memory and ephemeral storage.",
			quota: &v1alpha1.SessionResourceQuota{
				MaxPods: ptrTo(int32(3)), MaxCPU: ptrTo(resource.MustParse("2")),
				MaxMemory: ptrTo(resource.MustParse("1Gi")), MaxStorage: ptrTo(resource.MustParse("500Mi")),
			},
			want: want{obj: map[string]any{
				"apiVersion": "v1", "kind": "ResourceQuota",
				"metadata": map[string]any{"name": "debug-inc-1234-0f3c2a1b-quota", "namespace": "breakglass-debug", "labels": labels},
				"spec": map[string]any{"hard": map[string]any{
					"pods": "3", "limits.cpu": "2", "limits.memory": "1Gi", "limits.ephemeral-storage": "500Mi",
				}},
			}},
		},
		"NegativePods": {
			reason: "A negative bound is a mistake, named by field.",
			quota:  &v1alpha1.SessionResourceQuota{MaxPods: ptrTo(int32(-1))},
			want:   want{err: errorf("DebugSessionTemplate breakglass-system/netops-debug spec.resourceQuota.maxPods: must not be negative")},
		},
		"NegativeMemory": {
			reason: "A negative quantity is a mistake, named by field.",
			quota:  &v1alpha1.SessionResourceQuota{MaxMemory: ptrTo(resource.MustParse("-1Gi"))},
			want:   want{err: errorf("DebugSessionTemplate breakglass-system/netops-debug spec.resourceQuota.maxMemory: must not be negative")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := ResourceQuota(testTarget, tmplName, tc.quota)
			if diff := cmp.Diff(tc.want.err, err, equateErrorMessages()); diff != "" {
				t.Fatalf("%s\nResourceQuota(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			var obj map[string]any
			if got != nil {
				obj = got.Object
			}
			if diff := cmp.Diff(tc.want.obj, obj); diff != "" {
				t.Errorf("%s\nResourceQuota(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestValidatePodResources(t *testing.T) {
	limited := func(name string, res ...corev1.ResourceName) corev1.Container {
		c := corev1.Container{Name: name, Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{}}}
		for _, r := range res {
			c.Resources.Limits[r] = resource.MustParse("1")
		}
		return c
	}
	cpuAndMemory := &v1alpha1.SessionResourceQuota{MaxCPU: ptrTo(resource.MustParse("2")), MaxMemory: ptrTo(resource.MustParse("1Gi"))}
	cases := map[string]struct {
		reason string
		quota  *v1alpha1.SessionResourceQuota
		spec   *corev1.PodSpec
		want   error
	}{
		"NoQuota": {
			reason: "Without a quota any pod goes.",
			spec:   &corev1.PodSpec{Containers: []corev1.Container{{Name: "debug"}}},
		},
		"PodsOnly": {
			reason: "A quota on the number of pods asks nothing of containers.",
			quota:  &v1alpha1.SessionResourceQuota{MaxPods: ptrTo(int32(2))},
			spec:   &corev1.PodSpec{Containers: []corev1.Container{{Name: "debug"}}},
		},
		"AllLimitsSet": {
			reason: "Containers and init containers with every bounded limit pass.",
			quota:  cpuAndMemory,
			spec: &corev1.PodSpec{
				InitContainers: []corev1.Container{limited("init", corev1.ResourceCPU, corev1.ResourceMemory)},
				Containers:     []corev1.Container{limited("debug", corev1.ResourceCPU, corev1.ResourceMemory)},
			},
		},
		"MissingLimits": {
			reason: "Every missing limit is reported with the pod template's field and the template's quota field, init containers too.",
			quota:  cpuAndMemory,
			spec: &corev1.PodSpec{
				InitContainers: []corev1.Container{limited("init", corev1.ResourceCPU)},
				Containers:     []corev1.Container{limited("debug", corev1.ResourceMemory), limited("sidecar", corev1.ResourceCPU, corev1.ResourceMemory)},
			},
			want: errors.Join(
				errorf("DebugPodTemplate breakglass-system/netshoot spec.template.spec.initContainers[0].resources.limits[memory]: required, because DebugSessionTemplate breakglass-system/netops-debug spec.resourceQuota.maxMemory sets a quota on limits.memory, which refuses pods without it"),
				errorf("DebugPodTemplate breakglass-system/netshoot spec.template.spec.containers[0].resources.limits[cpu]: required, because DebugSessionTemplate breakglass-system/netops-debug spec.resourceQuota.maxCPU sets a quota on limits.cpu, which refuses pods without it"),
			),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := ValidatePodResources(tmplName, tc.quota, podName, tc.spec)
			if diff := cmp.Diff(tc.want, err, equateErrorMessages()); diff != "" {
				t.Errorf("%s\nValidatePodResources(...): -want error, +got error:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestPodDisruptionBudget(t *testing.T) {
	selector := map[string]string{v1alpha1.LabelSession: "inc-1234", v1alpha1.LabelSessionNamespace: "team-a"}
	pdb := func(field string, v any) map[string]any {
		return map[string]any{
			"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
			"metadata": map[string]any{"name": "debug-inc-1234-0f3c2a1b-pdb", "namespace": "breakglass-debug", "labels": map[string]any{v1alpha1.LabelSession: "inc-1234"}},
			"spec": map[string]any{
				"selector": map[string]any{"matchLabels": map[string]any{v1alpha1.LabelSession: "inc-1234", v1alpha1.LabelSessionNamespace: "team-a"}},
				field:      v,
			},
		}
	}
	type args struct {
		budget *v1alpha1.SessionPodDisruptionBudget
		kind   v1alpha1.WorkloadType
	}
	type want struct {
		obj map[string]any
		err error
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"None": {reason: "A template without a budget gets none."},
		"MinAvailableDaemonSet": {
			reason: "An integer minAvailable works for any pods, a DaemonSet's too.",
			args:   args{budget: &v1alpha1.SessionPodDisruptionBudget{MinAvailable: ptrTo(intstr.FromInt32(1))}, kind: v1alpha1.WorkloadTypeDaemonSet},
			want:   want{obj: pdb("minAvailable", int64(1))},
		},
		"MaxUnavailablePercentDeployment": {
			reason: "A Deployment has a scale subresource: percentages and maxUnavailable work.",
			args:   args{budget: &v1alpha1.SessionPodDisruptionBudget{MaxUnavailable: ptrTo(intstr.FromString("50%"))}, kind: v1alpha1.WorkloadTypeDeployment},
			want:   want{obj: pdb("maxUnavailable", "50%")},
		},
		"MaxUnavailableDaemonSet": {
			reason: "maxUnavailable cannot be computed for a DaemonSet's pods and would block every eviction.",
			args:   args{budget: &v1alpha1.SessionPodDisruptionBudget{MaxUnavailable: ptrTo(intstr.FromInt32(1))}, kind: v1alpha1.WorkloadTypeDaemonSet},
			want:   want{err: errorf("DebugSessionTemplate breakglass-system/netops-debug spec.podDisruptionBudget.maxUnavailable: 1 cannot be computed for the pods of a DaemonSet, which has no scale subresource; use an integer minAvailable, or workloadType Deployment")},
		},
		"Job": {
			reason: "A Job's pods get no budget, not even an integer minAvailable that would work for any pods: the refusal names the template's field.",
			args:   args{budget: &v1alpha1.SessionPodDisruptionBudget{MinAvailable: ptrTo(intstr.FromInt32(1))}, kind: v1alpha1.WorkloadTypeJob},
			want:   want{err: errorf("DebugSessionTemplate breakglass-system/netops-debug spec.podDisruptionBudget: a Job's pods get no PodDisruptionBudget; remove it, or use workloadType Deployment")},
		},
		"Both": {
			reason: "minAvailable and maxUnavailable exclude each other.",
			args:   args{budget: &v1alpha1.SessionPodDisruptionBudget{MinAvailable: ptrTo(intstr.FromInt32(1)), MaxUnavailable: ptrTo(intstr.FromInt32(1))}},
			want:   want{err: errorf("DebugSessionTemplate breakglass-system/netops-debug spec.podDisruptionBudget: set exactly one of minAvailable and maxUnavailable")},
		},
		"BadPercent": {
			reason: "A percentage above 100% is a mistake, named by field.",
			args:   args{budget: &v1alpha1.SessionPodDisruptionBudget{MinAvailable: ptrTo(intstr.FromString("150%"))}, kind: v1alpha1.WorkloadTypeDeployment},
			want:   want{err: errorf(`DebugSessionTemplate breakglass-system/netops-debug spec.podDisruptionBudget.minAvailable: "150%%" must be an integer or a percentage from 0%% to 100%%`)},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := PodDisruptionBudget(testTarget, tmplName, tc.args.budget, tc.args.kind, selector)
			if diff := cmp.Diff(tc.want.err, err, equateErrorMessages()); diff != "" {
				t.Fatalf("%s\nPodDisruptionBudget(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			var obj map[string]any
			if got != nil {
				obj = got.Object
			}
			if diff := cmp.Diff(tc.want.obj, obj); diff != "" {
				t.Errorf("%s\nPodDisruptionBudget(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

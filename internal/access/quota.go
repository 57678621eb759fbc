package access

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/crossplane/function-sdk-go/errors"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/names"
)

var (
	quotaPath = field.NewPath("spec", "resourceQuota")
	pdbPath   = field.NewPath("spec", "podDisruptionBudget")
)

// quotaLimit ties a quota field to the resource it bounds. The quota bounds
// limits, not requests: a container's requests default to its limits and
// never exceed them, so bounding limits bounds both, and a pod template
// only has to set limits.
type quotaLimit struct {
	field    string
	resource corev1.ResourceName
	// container is the resource a container must set a limit for.
	container corev1.ResourceName
	get       func(*v1alpha1.SessionResourceQuota) *resource.Quantity
}

var quotaLimits = []quotaLimit{
	{field: "maxCPU", resource: corev1.ResourceLimitsCPU, container: corev1.ResourceCPU, get: func(q *v1alpha1.SessionResourceQuota) *resource.Quantity { return q.MaxCPU }},
	{field: "maxMemory", resource: corev1.ResourceLimitsMemory, container: corev1.ResourceMemory, get: func(q *v1alpha1.SessionResourceQuota) *resource.Quantity { return q.MaxMemory }},
	{field: "maxStorage", resource: corev1.ResourceLimitsEphemeralStorage, container: corev1.ResourceEphemeralStorage, get: func(q *v1alpha1.SessionResourceQuota) *resource.Quantity { return q.MaxStorage }},
}

// ResourceQuota returns the session's ResourceQuota in the target namespace,
// or nil when the template (template is its namespace/name, for errors)
// sets no limit.
//
// A ResourceQuota counts every pod in its namespace: when sessions share a
// target namespace, each session's quota bounds all their pods together,
// and a session can be refused pods because of another's. Templates that
// need a per-session bound give each its own target namespace.
func ResourceQuota(t Target, template string, q *v1alpha1.SessionResourceQuota) (*unstructured.Unstructured, error) {
	if q == nil {
		return nil, nil
	}
	hard := corev1.ResourceList{}
	if q.MaxPods != nil {
		if *q.MaxPods < 0 {
			return nil, errorf("DebugSessionTemplate %s %s: must not be negative", template, quotaPath.Child("maxPods"))
		}
		hard[corev1.ResourcePods] = *resource.NewQuantity(int64(*q.MaxPods), resource.DecimalSI)
	}
	for _, l := range quotaLimits {
		v := l.get(q)
		if v == nil {
			continue
		}
		if v.Sign() < 0 {
			return nil, errorf("DebugSessionTemplate %s %s: must not be negative", template, quotaPath.Child(l.field))
		}
		hard[l.resource] = v.DeepCopy()
	}
	if len(hard) == 0 {
		return nil, nil
	}
	if err := t.validate("ResourceQuota"); err != nil {
		return nil, err
	}
	return toUnstructured(&corev1.ResourceQuota{
		TypeMeta:   typeMeta(corev1.SchemeGroupVersion.String(), "ResourceQuota"),
		ObjectMeta: t.meta(names.Quota(t.Workload), t.Namespace),
		Spec:       corev1.ResourceQuotaSpec{Hard: hard},
	})
}

// ValidatePodResources refuses a debug pod that the session's quota would
// refuse: a quota on limits.cpu (memory, ephemeral-storage) makes the API
// server reject every pod with a container or init container without that
// limit. Caught here, the session fails with a message that names the pod
// template's field instead of leaving a workload whose pods never appear.
// template and podTemplate are the namespace/names of the
// DebugSessionTemplate and DebugPodTemplate, for the message; every missing
// limit is reported.
func ValidatePodResources(template string, q *v1alpha1.SessionResourceQuota, podTemplate string, spec *corev1.PodSpec) error {
	if q == nil || spec == nil {
		return nil
	}
	base := field.NewPath("spec", "template", "spec")
	var errs []error
	check := func(list string, containers []corev1.Container) {
		for i, c := range containers {
			for _, l := range quotaLimits {
				if l.get(q) == nil {
					continue
				}
				if _, ok := c.Resources.Limits[l.container]; ok {
					continue
				}
				errs = append(errs, errorf("DebugPodTemplate %s %s: required, because DebugSessionTemplate %s %s sets a quota on %s, which refuses pods without it",
					podTemplate, base.Child(list).Index(i).Child("resources", "limits").Key(string(l.container)), template, quotaPath.Child(l.field), l.resource))
			}
		}
	}
	check("initContainers", spec.InitContainers)
	check("containers", spec.Containers)
	return errors.Join(errs...)
}

// PodDisruptionBudget returns the PodDisruptionBudget of the session's pods,
// or nil when the template (template is its namespace/name, for errors)
// asks for none. selector is the workload's pod selector.
//
// Kubernetes computes maxUnavailable and a percentage minAvailable from the
// replicas of the pods' controller, which it finds only for controllers
// with a scale subresource: for a DaemonSet's pods such a budget never
// allows a disruption, so only an integer minAvailable is accepted there.
func PodDisruptionBudget(t Target, template string, b *v1alpha1.SessionPodDisruptionBudget, kind v1alpha1.WorkloadType, selector map[string]string) (*unstructured.Unstructured, error) {
	if b == nil {
		return nil, nil
	}
	switch {
	case b.MinAvailable == nil && b.MaxUnavailable == nil, b.MinAvailable != nil && b.MaxUnavailable != nil:
		return nil, errorf("DebugSessionTemplate %s %s: set exactly one of minAvailable and maxUnavailable", template, pdbPath)
	}
	f, v := "minAvailable", b.MinAvailable
	if v == nil {
		f, v = "maxUnavailable", b.MaxUnavailable
	}
	path := pdbPath.Child(f)
	percent, err := checkIntOrPercent(v)
	if err != nil {
		return nil, errorf("DebugSessionTemplate %s %s: %v", template, path, err)
	}
	if kind == v1alpha1.WorkloadTypeJob {
		// A Job's pods are meant to finish, and an evicted one counts as a
		// failed attempt against its backoffLimit; a budget would only hold
		// node drains up for pods that may have done their work.
		return nil, errorf("DebugSessionTemplate %s %s: a Job's pods get no PodDisruptionBudget; remove it, or use workloadType Deployment", template, pdbPath)
	}
	if kind == v1alpha1.WorkloadTypeDaemonSet && (percent || f == "maxUnavailable") {
		return nil, errorf("DebugSessionTemplate %s %s: %s cannot be computed for the pods of a DaemonSet, which has no scale subresource; use an integer minAvailable, or workloadType Deployment", template, path, v.String())
	}
	if len(selector) == 0 {
		return nil, errorf("cannot build the PodDisruptionBudget of DebugSession %s without the workload's pod selector", t.Session)
	}
	if err := t.validate("PodDisruptionBudget"); err != nil {
		return nil, err
	}
	spec := policyv1.PodDisruptionBudgetSpec{Selector: &metav1.LabelSelector{MatchLabels: selector}}
	if f == "minAvailable" {
		spec.MinAvailable = v
	} else {
		spec.MaxUnavailable = v
	}
	return toUnstructured(&policyv1.PodDisruptionBudget{
		TypeMeta:   typeMeta(policyv1.SchemeGroupVersion.String(), "PodDisruptionBudget"),
		ObjectMeta: t.meta(names.DisruptionBudget(t.Workload), t.Namespace),
		Spec:       spec,
	})
}

// checkIntOrPercent accepts a non-negative integer or a percentage from 0%
// to 100%, and reports which it is.
func checkIntOrPercent(v *intstr.IntOrString) (percent bool, err error) {
	if v.Type == intstr.Int {
		if v.IntVal < 0 {
			return false, fmt.Errorf("%d must not be negative", v.IntVal)
		}
		return false, nil
	}
	n, err := strconv.Atoi(strings.TrimSuffix(v.StrVal, "%"))
	if !strings.HasSuffix(v.StrVal, "%") || err != nil || n < 0 || n > 100 {
		return true, fmt.Errorf("%q must be an integer or a percentage from 0%% to 100%%", v.StrVal)
	}
	return true, nil
}

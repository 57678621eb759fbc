// Package workload builds the debug workload, a DaemonSet, a Deployment or a
// Job, from a DebugPodTemplate.
package workload

import (
	"maps"
	"slices"
	"strings"

	"github.com/crossplane/function-sdk-go/errors"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/names"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// Labels returns the standard labels of a session's pods and objects. They
// are also the `.Labels` of auxiliary resource templates.
func Labels(s *v1alpha1.DebugSession, templateName string) (map[string]string, error) {
	l := map[string]string{
		v1alpha1.LabelSession:          s.Name,
		v1alpha1.LabelSessionNamespace: s.Namespace,
		v1alpha1.LabelSessionType:      "debug",
		v1alpha1.LabelCluster:          s.Spec.Cluster,
		v1alpha1.LabelTemplate:         templateName,
		v1alpha1.LabelManagedBy:        v1alpha1.ManagedBy,
	}
	// In order, so that the error, which becomes the session's status
	// message, is the same on every reconcile.
	for _, k := range slices.Sorted(maps.Keys(l)) {
		if msgs := validation.IsValidLabelValue(l[k]); len(msgs) > 0 {
			return nil, errors.Errorf("cannot use %q as the value of label %s: %s", l[k], k, strings.Join(msgs, "; "))
		}
	}
	return l, nil
}

// Selector returns the labels that select a session's pods, from its
// standard labels: the session's name and namespace, which stay the same
// for as long as the session exists.
func Selector(labels map[string]string) map[string]string {
	return map[string]string{
		v1alpha1.LabelSession:          labels[v1alpha1.LabelSession],
		v1alpha1.LabelSessionNamespace: labels[v1alpha1.LabelSessionNamespace],
	}
}

// Annotations returns the standard annotations of a session's objects. They
// are also the `.Annotations` of auxiliary resource templates.
func Annotations(s *v1alpha1.DebugSession) map[string]string {
	source := s.Name
	if s.Namespace != "" {
		source = s.Namespace + "/" + s.Name
	}
	a := map[string]string{
		v1alpha1.AnnotationRequestedBy:   s.Spec.RequestedBy,
		v1alpha1.AnnotationSourceSession: source,
	}
	if s.Spec.Reason != "" {
		a[v1alpha1.AnnotationReason] = s.Spec.Reason
	}
	return a
}

// Params describe a workload to build.
type Params struct {
	Session     *v1alpha1.DebugSession
	Template    *v1alpha1.DebugSessionTemplate
	PodTemplate *v1alpha1.DebugPodTemplate
	Namespace   string
	Labels      map[string]string
	// Annotations are the standard annotations (Annotations), set on the
	// workload and its pods.
	Annotations map[string]string

	// Constrain is applied to the pod spec last, so that nothing in the pod
	// template can weaken the mandatory scheduling constraints it sets.
	Constrain func(*corev1.PodSpec) error
}

// Build returns the workload as an unstructured object ready to compose.
func Build(p Params) (*unstructured.Unstructured, error) {
	pt := p.PodTemplate.Spec.Template
	spec := *pt.Spec.DeepCopy()
	if len(spec.Containers) == 0 {
		return nil, outcome.Failed(p.PodTemplate.Describe(), "spec.template.spec.containers", "at least one container is required")
	}
	// Debug pods get no API credentials and no service environment unless
	// the pod template asks for them.
	if spec.AutomountServiceAccountToken == nil {
		spec.AutomountServiceAccountToken = ptr(false)
	}
	if spec.EnableServiceLinks == nil {
		spec.EnableServiceLinks = ptr(false)
	}
	if p.Constrain != nil {
		if err := p.Constrain(&spec); err != nil {
			return nil, err
		}
	}

	podLabels := map[string]string{}
	maps.Copy(podLabels, pt.Metadata.Labels)
	maps.Copy(podLabels, p.Labels) // The standard labels always win.

	var podAnnotations map[string]string
	if len(pt.Metadata.Annotations)+len(p.Annotations) > 0 {
		podAnnotations = map[string]string{}
		maps.Copy(podAnnotations, pt.Metadata.Annotations)
		maps.Copy(podAnnotations, p.Annotations) // The standard annotations always win.
	}
	tmpl := corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: podLabels, Annotations: podAnnotations},
		Spec:       spec,
	}
	selector := &metav1.LabelSelector{MatchLabels: Selector(p.Labels)}
	meta := metav1.ObjectMeta{
		Name:        names.Workload(p.Session.Namespace, p.Session.Name),
		Namespace:   p.Namespace,
		Labels:      maps.Clone(p.Labels),
		Annotations: maps.Clone(p.Annotations),
	}

	var obj runtime.Object
	switch Kind(p.Template) {
	case v1alpha1.WorkloadTypeJob:
		j, err := job(p, meta, tmpl)
		if err != nil {
			return nil, err
		}
		obj = j
	case v1alpha1.WorkloadTypeDeployment:
		replicas := int32(1)
		if r := p.Template.Spec.Replicas; r != nil {
			replicas = *r
		}
		obj = &appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: appsv1.SchemeGroupVersion.String(), Kind: "Deployment"},
			ObjectMeta: meta,
			Spec:       appsv1.DeploymentSpec{Replicas: &replicas, Selector: selector, Template: tmpl},
		}
	default:
		obj = &appsv1.DaemonSet{
			TypeMeta:   metav1.TypeMeta{APIVersion: appsv1.SchemeGroupVersion.String(), Kind: "DaemonSet"},
			ObjectMeta: meta,
			Spec:       appsv1.DaemonSetSpec{Selector: selector, Template: tmpl},
		}
	}
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, outcome.Failed("", "", "cannot convert the workload to an unstructured object: %v", err)
	}
	clean(u)
	return &unstructured.Unstructured{Object: u}, nil
}

// Kind returns the workload kind of a template.
func Kind(t *v1alpha1.DebugSessionTemplate) v1alpha1.WorkloadType {
	switch t.Spec.WorkloadType {
	case v1alpha1.WorkloadTypeDeployment, v1alpha1.WorkloadTypeJob:
		return t.Spec.WorkloadType
	}
	return v1alpha1.WorkloadTypeDaemonSet
}

// clean removes the empty status and creationTimestamp fields that typed
// objects always serialise; they would only be noise in the desired state.
func clean(u map[string]any) {
	delete(u, "status")
	unstructured.RemoveNestedField(u, "metadata", "creationTimestamp")
	unstructured.RemoveNestedField(u, "spec", "template", "metadata", "creationTimestamp")
}

func ptr[T any](v T) *T { return &v }

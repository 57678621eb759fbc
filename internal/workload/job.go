package workload

import (
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// job returns the Job of a template whose workloadType is Job.
//
// Its pods are the template's replicas, all started at once and each run to
// completion once (parallelism = completions), so that replicas means "this
// many debug pods" for every kind. The selector is left to the Job
// controller, which makes one from the Job's UID; a hand-written one is
// discouraged by Kubernetes and would let two Jobs adopt each other's pods.
// activeDeadlineSeconds is set later by Bound, once the session's activation
// and expiry are decided.
func job(p Params, meta metav1.ObjectMeta, tmpl corev1.PodTemplateSpec) (*batchv1.Job, error) {
	t := p.Template
	pods := int32(1)
	if r := t.Spec.Replicas; r != nil {
		pods = *r
	}
	if pods < 1 {
		return nil, outcome.Failed(t.Describe(), "spec.replicas", "a Job needs at least one pod, got %d", pods)
	}
	backoff := v1alpha1.DefaultBackoffLimit
	if b := t.Spec.BackoffLimit; b != nil {
		backoff = *b
	}
	if backoff < 0 || backoff > v1alpha1.MaxBackoffLimit {
		return nil, outcome.Failed(t.Describe(), "spec.backoffLimit", "must be between 0 and %d, got %d", v1alpha1.MaxBackoffLimit, backoff)
	}
	// A Job's pods must not restart forever, so Kubernetes refuses Always,
	// the default of every pod. An unset policy becomes Never: a failed
	// attempt then leaves its pod, and its logs, for the user to read,
	// where OnFailure would restart the container in place. An explicit
	// Always is what the pod template's author wrote for another kind and
	// is refused rather than silently changed.
	switch tmpl.Spec.RestartPolicy {
	case "":
		tmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
	case corev1.RestartPolicyAlways:
		return nil, outcome.Failed(p.PodTemplate.Describe(), "spec.template.spec.restartPolicy",
			"Always, which a Job refuses (%s runs a Job); set Never or OnFailure, or leave it unset for Never", t.Describe())
	}
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: batchv1.SchemeGroupVersion.String(), Kind: string(v1alpha1.WorkloadTypeJob)},
		ObjectMeta: meta,
		Spec: batchv1.JobSpec{
			Parallelism:  &pods,
			Completions:  &pods,
			BackoffLimit: &backoff,
			Template:     tmpl,
		},
	}, nil
}

// NeedsBound reports whether Bound changes workload u: only a Job, the one
// kind that runs to an end by itself, carries the session's time.
func NeedsBound(u *unstructured.Unstructured) bool {
	return u.GetKind() == string(v1alpha1.WorkloadTypeJob)
}

// Bound sets a Job's activeDeadlineSeconds to the length of the session
// (session names it in errors), from its activation to its expiry (RFC 3339
// times, as the lifecycle records them), so that a Job the control plane fails to delete at expiry
// stops by itself. Other workloads are left as they are (see NeedsBound).
//
// The deadline is computed from the recorded times, never from the clock,
// so every call of a session returns the same Job until a renewal moves the
// expiry (activeDeadlineSeconds may change on a running Job). Kubernetes
// counts it from the Job's start, which is a few seconds after activation
// (the admission policies settle first), so the backstop may fire that much
// after expiry; the function itself deletes the Job at expiry.
func Bound(u *unstructured.Unstructured, session, activatedAt, expiresAt string) error {
	if !NeedsBound(u) {
		return nil
	}
	from, err := time.Parse(time.RFC3339, activatedAt)
	if err != nil {
		return outcome.Failed(session, "status.activatedAt", "cannot bound the debug Job: %q is not an RFC 3339 time", activatedAt)
	}
	to, err := time.Parse(time.RFC3339, expiresAt)
	if err != nil {
		return outcome.Failed(session, "status.expiresAt", "cannot bound the debug Job: %q is not an RFC 3339 time", expiresAt)
	}
	seconds := int64(to.Sub(from) / time.Second)
	if seconds < 1 {
		return outcome.Failed(session, "status.expiresAt", "cannot bound the debug Job: the session expires at %s, not after its activation at %s", expiresAt, activatedAt)
	}
	return unstructured.SetNestedField(u.Object, seconds, "spec", "activeDeadlineSeconds")
}

package workload

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

func jobTemplate(replicas, backoff *int32) *v1alpha1.DebugSessionTemplate {
	return &v1alpha1.DebugSessionTemplate{
		ObjectMeta: metav1.ObjectMeta{Name: "netops-job", Namespace: "breakglass-system"},
		Spec:       v1alpha1.DebugSessionTemplateSpec{WorkloadType: v1alpha1.WorkloadTypeJob, Replicas: replicas, BackoffLimit: backoff},
	}
}

func TestBuildJob(t *testing.T) {
	s := session("inc-1234")
	labels, err := Labels(s, "netops-job")
	if err != nil {
		t.Fatal(err)
	}
	debug := corev1.Container{Name: "debug", Image: "debug-tools:1"}
	i32 := func(v int32) *int32 { return &v }

	// jobSpec is the part of the built Job the cases decide; the pod
	// template's labels and scheduling are the same as for every kind.
	type jobSpec struct {
		Parallelism, Completions, BackoffLimit *int32
		ActiveDeadlineSeconds                  *int64
		Selector                               *metav1.LabelSelector
		RestartPolicy                          corev1.RestartPolicy
		NodeSelector                           map[string]string
	}
	type want struct {
		spec *jobSpec
		err  error
	}
	cases := map[string]struct {
		reason      string
		template    *v1alpha1.DebugSessionTemplate
		restart     corev1.RestartPolicy
		constrained bool
		want        want
	}{
		"Defaults": {
			reason:   "A Job template without replicas or backoffLimit runs one pod once, retried up to 3 times, that never restarts in place; the Job controller makes the selector.",
			template: jobTemplate(nil, nil),
			want:     want{spec: &jobSpec{Parallelism: i32(1), Completions: i32(1), BackoffLimit: i32(3), RestartPolicy: corev1.RestartPolicyNever}},
		},
		"ReplicasAreParallelPods": {
			reason:   "replicas is how many debug pods run at once, each once; the template's backoffLimit and the pod template's OnFailure are kept.",
			template: jobTemplate(i32(3), i32(0)),
			restart:  corev1.RestartPolicyOnFailure,
			want:     want{spec: &jobSpec{Parallelism: i32(3), Completions: i32(3), BackoffLimit: i32(0), RestartPolicy: corev1.RestartPolicyOnFailure}},
		},
		"MandatoryConstraintsApply": {
			reason:      "The Job's pod template goes through the same constraint hook as every other kind.",
			template:    jobTemplate(nil, i32(10)),
			constrained: true,
			want:        want{spec: &jobSpec{Parallelism: i32(1), Completions: i32(1), BackoffLimit: i32(10), RestartPolicy: corev1.RestartPolicyNever, NodeSelector: map[string]string{"pool": "debug"}}},
		},
		"AlwaysRefused": {
			reason:   "A pod template that says Always cannot run as a Job; the refusal names the pod template's field and the template that asks for a Job.",
			template: jobTemplate(nil, nil),
			restart:  corev1.RestartPolicyAlways,
			want: want{err: outcome.Failed("DebugPodTemplate breakglass-system/netops-debug-pod", "spec.template.spec.restartPolicy",
				"Always, which a Job refuses (DebugSessionTemplate breakglass-system/netops-job runs a Job); set Never or OnFailure, or leave it unset for Never")},
		},
		"BackoffAboveBound": {
			reason:   "A backoffLimit above 10 (admitted before the CRD bounded it, or in an offline render) fails the session naming the field.",
			template: jobTemplate(nil, i32(11)),
			want:     want{err: outcome.Failed("DebugSessionTemplate breakglass-system/netops-job", "spec.backoffLimit", "must be between 0 and 10, got 11")},
		},
		"NegativeBackoff": {
			reason:   "A negative backoffLimit is refused the same way.",
			template: jobTemplate(nil, i32(-1)),
			want:     want{err: outcome.Failed("DebugSessionTemplate breakglass-system/netops-job", "spec.backoffLimit", "must be between 0 and 10, got -1")},
		},
		"NoPods": {
			reason:   "A Job of zero pods would complete at once and run nothing.",
			template: jobTemplate(i32(0), nil),
			want:     want{err: outcome.Failed("DebugSessionTemplate breakglass-system/netops-job", "spec.replicas", "a Job needs at least one pod, got 0")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := Params{
				Session: s, Template: tc.template, Namespace: "debug-sessions-prod", Labels: labels,
				PodTemplate: podTemplate(corev1.PodSpec{Containers: []corev1.Container{debug}, RestartPolicy: tc.restart}, nil),
			}
			if tc.constrained {
				p.Constrain = func(spec *corev1.PodSpec) error {
					spec.NodeSelector = map[string]string{"pool": "debug"}
					return nil
				}
			}
			u, err := Build(p)
			if diff := cmp.Diff(tc.want.err, err, cmpopts.EquateErrors()); diff != "" {
				t.Fatalf("%s\nBuild(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if err != nil {
				return
			}
			j := &batchv1.Job{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, j); err != nil {
				t.Fatal(err)
			}
			got := &jobSpec{
				Parallelism: j.Spec.Parallelism, Completions: j.Spec.Completions, BackoffLimit: j.Spec.BackoffLimit,
				ActiveDeadlineSeconds: j.Spec.ActiveDeadlineSeconds, Selector: j.Spec.Selector,
				RestartPolicy: j.Spec.Template.Spec.RestartPolicy, NodeSelector: j.Spec.Template.Spec.NodeSelector,
			}
			if diff := cmp.Diff(tc.want.spec, got); diff != "" {
				t.Errorf("%s\nBuild(...): -want, +got:\n%s", tc.reason, diff)
			}
			if j.APIVersion != "batch/v1" || j.Kind != "Job" || j.Name != "debug-inc-1234-433036c4" || j.Namespace != "debug-sessions-prod" {
				t.Errorf("%s\nBuild(...): got %s %s %s/%s, want batch/v1 Job debug-sessions-prod/debug-inc-1234-433036c4", tc.reason, j.APIVersion, j.Kind, j.Namespace, j.Name)
			}
			if diff := cmp.Diff(labels, j.Spec.Template.Labels); diff != "" {
				t.Errorf("%s\nBuild(...) pod labels: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestBound(t *testing.T) {
	const session = "DebugSession team-a/inc-1234"
	job := func() *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "batch/v1", "kind": "Job", "spec": map[string]any{}}}
	}
	type want struct {
		deadline any
		err      error
	}
	cases := map[string]struct {
		reason    string
		workload  *unstructured.Unstructured
		activated string
		expires   string
		want      want
	}{
		"SessionLength": {
			reason:    "A one-hour session bounds its Job to 3600 seconds, whatever the time of the call.",
			workload:  job(),
			activated: "2026-11-28T10:00:00Z", expires: "2026-11-28T11:00:00Z",
			want: want{deadline: int64(3600)},
		},
		"Renewed": {
			reason:    "A renewal moves the expiry, and the deadline grows with it (activeDeadlineSeconds may change on a running Job).",
			workload:  job(),
			activated: "2026-11-28T10:00:00Z", expires: "2026-11-28T12:00:00Z",
			want: want{deadline: int64(7200)},
		},
		"OtherKindUntouched": {
			reason:    "A DaemonSet has no deadline.",
			workload:  &unstructured.Unstructured{Object: map[string]any{"apiVersion": "apps/v1", "kind": "DaemonSet", "spec": map[string]any{}}},
			activated: "2026-11-28T10:00:00Z", expires: "2026-11-28T11:00:00Z",
		},
		"NotActivated": {
			reason:    "A Job cannot be bounded without an activation time.",
			workload:  job(),
			activated: "", expires: "2026-11-28T11:00:00Z",
			want: want{err: outcome.Failed(session, "status.activatedAt", `cannot bound the debug Job: "" is not an RFC 3339 time`)},
		},
		"BadExpiry": {
			reason:    "Nor without an expiry.",
			workload:  job(),
			activated: "2026-11-28T10:00:00Z", expires: "soon",
			want: want{err: outcome.Failed(session, "status.expiresAt", `cannot bound the debug Job: "soon" is not an RFC 3339 time`)},
		},
		"ExpiryNotAfterActivation": {
			reason:    "Kubernetes refuses a deadline of zero; a session that ends when it starts has nothing to run.",
			workload:  job(),
			activated: "2026-11-28T10:00:00Z", expires: "2026-11-28T10:00:00Z",
			want: want{err: outcome.Failed(session, "status.expiresAt", "cannot bound the debug Job: the session expires at 2026-11-28T10:00:00Z, not after its activation at 2026-11-28T10:00:00Z")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := Bound(tc.workload, session, tc.activated, tc.expires)
			if diff := cmp.Diff(tc.want.err, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("%s\nBound(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			got, _, _ := unstructured.NestedFieldNoCopy(tc.workload.Object, "spec", "activeDeadlineSeconds")
			if diff := cmp.Diff(tc.want.deadline, got); diff != "" {
				t.Errorf("%s\nBound(...) activeDeadlineSeconds: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

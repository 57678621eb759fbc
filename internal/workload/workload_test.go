package workload

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

func session(name string) *v1alpha1.DebugSession {
	return &v1alpha1.DebugSession{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "team-a"},
		Spec:       v1alpha1.DebugSessionSpec{Cluster: "prod-cluster-a", RequestedBy: "alice@example.com"},
	}
}

func TestLabels(t *testing.T) {
	long := strings.Repeat("a", 64)
	cases := map[string]struct {
		reason   string
		session  *v1alpha1.DebugSession
		template string
		want     map[string]string
		err      string
	}{
		"Standard": {
			reason:   "Every debug pod carries the standard session labels.",
			session:  session("inc-1234"),
			template: "netops-debug",
			want: map[string]string{
				"breakglass.telekom.de/session":           "inc-1234",
				"breakglass.telekom.de/session-namespace": "team-a",
				"breakglass.telekom.de/session-type":      "debug",
				"breakglass.telekom.de/cluster":           "prod-cluster-a",
				"breakglass.telekom.de/template":          "netops-debug",
				"app.kubernetes.io/managed-by":            "function-debug-session",
			},
		},
		"NameTooLongForALabel": {
			reason:   "A session name that cannot be a label value is an error, not a broken object.",
			session:  session(long),
			template: "netops-debug",
			err:      `cannot use "` + long + `" as the value of label breakglass.telekom.de/session: must be no more than 63 bytes`,
		},
		"SeveralTooLong": {
			reason: "With several values that cannot be labels, the error names the first label in order, the same on every call.",
			session: func() *v1alpha1.DebugSession {
				s := session(long)
				s.Spec.Cluster = long
				return s
			}(),
			template: long,
			err:      `cannot use "` + long + `" as the value of label breakglass.telekom.de/cluster: must be no more than 63 bytes`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			// Called again and again: an error that depends on the order
			// of a map changes from call to call.
			for range 10 {
				got, err := Labels(tc.session, tc.template)
				if diff := cmp.Diff(tc.err, fmt.Sprint(err)); tc.err != "" && diff != "" {
					t.Fatalf("%s\nLabels(...): -want error, +got error:\n%s", tc.reason, diff)
				}
				if tc.err == "" && err != nil {
					t.Fatalf("%s\nLabels(...): unexpected error %v", tc.reason, err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Fatalf("%s\nLabels(...): -want, +got:\n%s", tc.reason, diff)
				}
			}
		})
	}
}

func podTemplate(spec corev1.PodSpec, labels map[string]string) *v1alpha1.DebugPodTemplate {
	return &v1alpha1.DebugPodTemplate{
		ObjectMeta: metav1.ObjectMeta{Name: "netops-debug-pod", Namespace: "breakglass-system"},
		Spec: v1alpha1.DebugPodTemplateSpec{Template: v1alpha1.PodTemplate{
			Metadata: v1alpha1.PodTemplateMetadata{Labels: labels},
			Spec:     spec,
		}},
	}
}

func TestBuild(t *testing.T) {
	s := session("inc-1234")
	labels, err := Labels(s, "netops-debug")
	if err != nil {
		t.Fatal(err)
	}
	debug := corev1.Container{Name: "debug", Image: "debug-tools:1"}
	three := int32(3)
	yes := true

	type want struct {
		kind         string
		replicas     any
		automount    any
		serviceLinks any
		podLabels    map[string]any
		nodeSelector any
		err          bool
	}
	cases := map[string]struct {
		reason string
		params Params
		want   want
	}{
		"DaemonSetByDefault": {
			reason: "A template without a workload type runs a DaemonSet with locked-down defaults; the standard labels win over the pod template's.",
			params: Params{
				Template:    &v1alpha1.DebugSessionTemplate{},
				PodTemplate: podTemplate(corev1.PodSpec{Containers: []corev1.Container{debug}}, map[string]string{"team": "netops", v1alpha1.LabelSession: "spoofed"}),
			},
			want: want{
				kind: "DaemonSet", automount: false, serviceLinks: false,
				podLabels: map[string]any{
					"team":                          "netops",
					"breakglass.telekom.de/session": "inc-1234",
					"breakglass.telekom.de/session-namespace": "team-a",
					"breakglass.telekom.de/session-type":      "debug",
					"breakglass.telekom.de/cluster":           "prod-cluster-a",
					"breakglass.telekom.de/template":          "netops-debug",
					"app.kubernetes.io/managed-by":            "function-debug-session",
				},
			},
		},
		"Deployment": {
			reason: "A Deployment template runs its replicas, and explicit pod template choices are kept.",
			params: Params{
				Template:    &v1alpha1.DebugSessionTemplate{Spec: v1alpha1.DebugSessionTemplateSpec{WorkloadType: v1alpha1.WorkloadTypeDeployment, Replicas: &three}},
				PodTemplate: podTemplate(corev1.PodSpec{Containers: []corev1.Container{debug}, AutomountServiceAccountToken: &yes}, nil),
			},
			want: want{kind: "Deployment", replicas: int64(3), automount: true, serviceLinks: false},
		},
		"ConstrainRunsLast": {
			reason: "The constraint hook sees the final spec, so the pod template cannot override it.",
			params: Params{
				Template:    &v1alpha1.DebugSessionTemplate{},
				PodTemplate: podTemplate(corev1.PodSpec{Containers: []corev1.Container{debug}, NodeSelector: map[string]string{"pool": "any"}}, nil),
				Constrain: func(spec *corev1.PodSpec) error {
					spec.NodeSelector["pool"] = "debug"
					return nil
				},
			},
			want: want{kind: "DaemonSet", automount: false, serviceLinks: false, nodeSelector: map[string]any{"pool": "debug"}},
		},
		"NoContainers": {
			reason: "A pod template without containers is an error naming the field.",
			params: Params{Template: &v1alpha1.DebugSessionTemplate{}, PodTemplate: podTemplate(corev1.PodSpec{}, nil)},
			want:   want{err: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := tc.params
			p.Session, p.Namespace, p.Labels = s, "debug-sessions-prod", labels
			u, err := Build(p)
			if (err != nil) != tc.want.err {
				t.Fatalf("%s\nBuild(...): err = %v, want error: %v", tc.reason, err, tc.want.err)
			}
			if err != nil {
				return
			}
			got := want{kind: u.GetKind()}
			got.replicas, _, _ = unstructured.NestedFieldNoCopy(u.Object, "spec", "replicas")
			got.automount, _, _ = unstructured.NestedFieldNoCopy(u.Object, "spec", "template", "spec", "automountServiceAccountToken")
			got.serviceLinks, _, _ = unstructured.NestedFieldNoCopy(u.Object, "spec", "template", "spec", "enableServiceLinks")
			got.nodeSelector, _, _ = unstructured.NestedFieldNoCopy(u.Object, "spec", "template", "spec", "nodeSelector")
			if tc.want.podLabels != nil {
				got.podLabels, _, _ = unstructured.NestedMap(u.Object, "spec", "template", "metadata", "labels")
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nBuild(...): -want, +got:\n%s", tc.reason, diff)
			}
			if u.GetName() != "debug-inc-1234-433036c4" || u.GetNamespace() != "debug-sessions-prod" {
				t.Errorf("%s\nBuild(...): got %s/%s", tc.reason, u.GetNamespace(), u.GetName())
			}
			sel, _, _ := unstructured.NestedStringMap(u.Object, "spec", "selector", "matchLabels")
			if diff := cmp.Diff(map[string]string{"breakglass.telekom.de/session": "inc-1234", "breakglass.telekom.de/session-namespace": "team-a"}, sel); diff != "" {
				t.Errorf("%s\nBuild(...) selector: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestAnnotations(t *testing.T) {
	cases := map[string]struct {
		reason  string
		session *v1alpha1.DebugSession
		want    map[string]string
	}{
		"WithReason": {
			reason: "Who asked, from which session and why travel with every object of the session.",
			session: func() *v1alpha1.DebugSession {
				s := session("inc-1234")
				s.Spec.Reason = "INC-1234 packet loss"
				return s
			}(),
			want: map[string]string{
				"breakglass.telekom.de/requested-by":   "alice@example.com",
				"breakglass.telekom.de/source-session": "team-a/inc-1234",
				"breakglass.telekom.de/reason":         "INC-1234 packet loss",
			},
		},
		"LegacyClusterScopedWithoutReason": {
			reason: "A cluster-scoped session is named without a namespace, and an empty reason is left out.",
			session: func() *v1alpha1.DebugSession {
				s := session("inc-1234")
				s.Namespace = ""
				return s
			}(),
			want: map[string]string{
				"breakglass.telekom.de/requested-by":   "alice@example.com",
				"breakglass.telekom.de/source-session": "inc-1234",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Annotations(tc.session)); diff != "" {
				t.Errorf("%s\nAnnotations(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestBuildAnnotations(t *testing.T) {
	s := session("inc-1234")
	labels, _ := Labels(s, "netops-debug")
	pt := podTemplate(corev1.PodSpec{Containers: []corev1.Container{{Name: "debug", Image: "x"}}}, nil)
	pt.Spec.Template.Metadata.Annotations = map[string]string{"team": "netops", v1alpha1.AnnotationRequestedBy: "spoofed"}
	u, err := Build(Params{
		Session: s, Template: &v1alpha1.DebugSessionTemplate{}, PodTemplate: pt, Namespace: "debug-sessions-prod",
		Labels: labels, Annotations: Annotations(s),
	})
	if err != nil {
		t.Fatal(err)
	}
	pod, _, _ := unstructured.NestedStringMap(u.Object, "spec", "template", "metadata", "annotations")
	want := map[string]string{"team": "netops", "breakglass.telekom.de/requested-by": "alice@example.com", "breakglass.telekom.de/source-session": "team-a/inc-1234"}
	if diff := cmp.Diff(want, pod); diff != "" {
		t.Errorf("The pods carry the pod template's annotations and the standard ones, which win.\n-want, +got:\n%s", diff)
	}
	if diff := cmp.Diff(Annotations(s), u.GetAnnotations()); diff != "" {
		t.Errorf("The workload carries the standard annotations.\n-want, +got:\n%s", diff)
	}
}

package workload

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

func TestName(t *testing.T) {
	long := strings.Repeat("incident-", 20)
	cases := map[string]struct {
		reason    string
		namespace string
		name      string
		want      string
	}{
		"Short": {
			reason:    "A short session name is kept whole, with a hash suffix.",
			namespace: "team-a", name: "inc-1234",
			want: "debug-inc-1234-433036c4",
		},
		"OtherNamespace": {
			reason:    "The same session name in another namespace gets another name.",
			namespace: "team-b", name: "inc-1234",
			want: "debug-inc-1234-2ca1a5d1",
		},
		"DotsBecomeDashes": {
			reason:    "Session names may contain dots; workload names stay DNS labels.",
			namespace: "team-a", name: "inc.1234",
			want: "debug-inc-1234-" + hashOf("team-a/inc.1234"),
		},
		"Long": {
			reason:    "A long session name is truncated so that generated pod names keep the whole workload name.",
			namespace: "team-a", name: long,
			want: "debug-incident-incident-incident-incident-incide-c11736a1",
		},
		"LongestKeptWhole": {
			reason:    "A 42-character session name is the longest kept whole: debug- + 42 + -hash is 57 characters.",
			namespace: "team-a", name: strings.Repeat("a", 42),
			want: "debug-" + strings.Repeat("a", 42) + "-" + hashOf("team-a/"+strings.Repeat("a", 42)),
		},
		"FirstTruncated": {
			reason:    "A 43-character session name, the shortest that made pods escape the name-prefix policies, loses one character.",
			namespace: "team-a", name: strings.Repeat("a", 43),
			want: "debug-" + strings.Repeat("a", 42) + "-" + hashOf("team-a/"+strings.Repeat("a", 43)),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := Name(tc.namespace, tc.name)
			if got != tc.want {
				t.Errorf("%s\nName(%q, %q) = %q, want %q", tc.reason, tc.namespace, tc.name, got, tc.want)
			}
			if len(got) > 57 {
				t.Errorf("%s\nName(%q, %q) = %q is longer than 57 characters", tc.reason, tc.namespace, tc.name, got)
			}
			if msgs := validation.IsDNS1123Label(got); len(msgs) > 0 {
				t.Errorf("%s\nName(%q, %q) = %q is not a DNS label: %v", tc.reason, tc.namespace, tc.name, got, msgs)
			}
			if again := Name(tc.namespace, tc.name); again != got {
				t.Errorf("%s\nName is not stable: %q then %q", tc.reason, got, again)
			}
		})
	}
}

// TestNamePrefixSurvivesGeneratedNames checks, for session names of every
// length, that the pods the DaemonSet and Deployment controllers create keep
// "<workload>-" whole at the start of their names, which is all that the
// per-session admission policies see of a pod being bound.
func TestNamePrefixSurvivesGeneratedNames(t *testing.T) {
	for n := 1; n <= 253; n++ {
		w := Name("team-a", strings.Repeat("s", n))
		prefix := w + "-"
		// What the controllers ask for; a pod-template hash has at most 10
		// characters.
		bases := map[string]string{
			"DaemonSet":  w + "-",
			"Deployment": w + "-" + strings.Repeat("h", 10) + "-",
		}
		for kind, base := range bases {
			if got := generatedName(base); !strings.HasPrefix(got, prefix) {
				t.Errorf("session name of %d characters: %s pod %q does not start with %q", n, kind, got, prefix)
			}
		}
	}
}

// generatedName is what the API server makes of a generateName: at most 58
// characters of it, then 5 random ones.
func generatedName(base string) string {
	if len(base) > 58 {
		base = base[:58]
	}
	return base + "xxxxx"
}

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:8]
}

func session(name string) *v1alpha1.DebugSession {
	return &v1alpha1.DebugSession{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "team-a"},
		Spec:       v1alpha1.DebugSessionSpec{Cluster: "prod-cluster-a", RequestedBy: "alice@example.com"},
	}
}

func TestLabels(t *testing.T) {
	cases := map[string]struct {
		reason  string
		session *v1alpha1.DebugSession
		want    map[string]string
		err     bool
	}{
		"Standard": {
			reason:  "Every debug pod carries the standard labels of DESIGN 6.",
			session: session("inc-1234"),
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
			reason:  "A session name that cannot be a label value is an error, not a broken object.",
			session: session(strings.Repeat("a", 64)),
			err:     true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Labels(tc.session, "netops-debug")
			if (err != nil) != tc.err {
				t.Fatalf("%s\nLabels(...): err = %v, want error: %v", tc.reason, err, tc.err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nLabels(...): -want, +got:\n%s", tc.reason, diff)
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
			if u.GetName() != Name("team-a", "inc-1234") || u.GetNamespace() != "debug-sessions-prod" {
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

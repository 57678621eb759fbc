package scheduling

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"

	"github.com/k8s-breakglass/function-debug-session/internal/admissiontest"
)

// request is one admission request to the target cluster's API server.
type request struct {
	obj         runtime.Object
	kind        string
	namespace   string
	name        string
	resource    string
	subresource string
	operation   admission.Operation
}

// decision is what the policy decided about a request.
type decision struct {
	// matched is true when the policy's rules and match conditions select
	// the request, so its validations ran.
	matched bool
	denied  bool
	reason  metav1.StatusReason
	message string
}

// admit runs a request from the scheduler through the policy, with the API
// server's own CEL libraries. When more than one validation denies the
// request, the decision carries the last one's reason and message.
func admit(t *testing.T, p *admissiontest.Policy, r request) decision {
	t.Helper()
	matched, denials := p.Evaluate(t, admissiontest.Request{
		Object:      r.obj,
		Kind:        schema.GroupVersionKind{Version: "v1", Kind: r.kind},
		Resource:    schema.GroupVersionResource{Version: "v1", Resource: r.resource},
		Subresource: r.subresource,
		Namespace:   r.namespace,
		Name:        r.name,
		Operation:   r.operation,
		User:        "system:kube-scheduler",
	})
	d := decision{matched: matched}
	for _, dn := range denials {
		d.denied, d.reason, d.message = true, dn.Reason, dn.Message
	}
	return d
}

func TestDeniedNodePolicyCEL(t *testing.T) {
	const (
		ns       = "debug-sessions-prod"
		workload = "debug-inc-1234-0f3c2a1b"
	)
	target := AdmissionTarget{Session: "team-a/inc-1234", Workload: workload, Namespace: ns, Labels: map[string]string{"breakglass.telekom.de/session": "inc-1234"}}
	// The patterns cover every glob form: a star, a question mark, a class
	// with a range, and a dot that must match only a dot.
	policy, binding, err := deniedNodePolicy([]string{"cp-*", "old-node-?", "gpu-[0-3].zone.a"}, target)
	if err != nil {
		t.Fatal(err)
	}
	p := admissiontest.Compile(t, policy, binding)

	pod := func(name, nodeName string, pinnedTo ...string) *corev1.Pod {
		o := &corev1.Pod{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Spec:       corev1.PodSpec{NodeName: nodeName, Containers: []corev1.Container{{Name: "debug", Image: "busybox"}}},
		}
		if len(pinnedTo) > 0 {
			// What the DaemonSet controller injects into each pod it creates.
			o.Spec.Affinity = podWithRequired(fieldTerm(nil, expr(metav1.ObjectNameField, corev1.NodeSelectorOpIn, pinnedTo...))).Affinity
		}
		return o
	}
	bindingTo := func(podName, node string) *corev1.Binding {
		return &corev1.Binding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Binding"},
			ObjectMeta: metav1.ObjectMeta{Name: podName, Namespace: ns},
			Target:     corev1.ObjectReference{Kind: "Node", Name: node},
		}
	}
	podCreate := func(o *corev1.Pod) request {
		return request{obj: o, kind: "Pod", namespace: o.Namespace, name: o.Name, resource: "pods"}
	}
	podsBinding := func(b *corev1.Binding) request {
		return request{obj: b, kind: "Binding", namespace: b.Namespace, name: b.Name, resource: "pods", subresource: "binding"}
	}
	legacyBinding := func(b *corev1.Binding) request {
		return request{obj: b, kind: "Binding", namespace: b.Namespace, name: b.Name, resource: "bindings"}
	}
	sessionPod := workload + "-7xk2p"
	deploymentPod := workload + "-5d8f9c7b6-q2w3e"

	cases := map[string]struct {
		reason string
		req    request
		want   decision
		says   string
	}{
		"SchedulerBindsToDeniedNode": {
			reason: "The scheduler binding a session pod to cp-1 through pods/binding is rejected as Forbidden.",
			req:    podsBinding(bindingTo(sessionPod, "cp-1")),
			want:   decision{matched: true, denied: true, reason: metav1.StatusReasonForbidden},
			says:   "must not run on node cp-1",
		},
		"LegacyBindingsEndpoint": {
			reason: "The legacy bindings endpoint would bypass a pods/binding-only rule; it is matched and rejected too.",
			req:    legacyBinding(bindingTo(deploymentPod, "old-node-7")),
			want:   decision{matched: true, denied: true, reason: metav1.StatusReasonForbidden},
			says:   "must not run on node old-node-7",
		},
		"BindingToAllowedNode": {
			reason: "A binding to a node no pattern matches is admitted.",
			req:    podsBinding(bindingTo(sessionPod, "worker-1")),
			want:   decision{matched: true},
		},
		"PatternIsAnchored": {
			reason: "matches() searches, so an unanchored cp-.* would also catch my-cp-1; the anchored pattern does not.",
			req:    podsBinding(bindingTo(sessionPod, "my-cp-1")),
			want:   decision{matched: true},
		},
		"DotIsLiteral": {
			reason: "A dot in a glob matches only a dot, not any character.",
			req:    podsBinding(bindingTo(sessionPod, "gpu-2xzone.a")),
			want:   decision{matched: true},
		},
		"ClassMatches": {
			reason: "A character class with a range matches like a shell glob.",
			req:    podsBinding(bindingTo(sessionPod, "gpu-2.zone.a")),
			want:   decision{matched: true, denied: true, reason: metav1.StatusReasonForbidden},
			says:   "must not run on node gpu-2.zone.a",
		},
		"BindingWithoutTypeMeta": {
			reason: "A Binding is recognised by the request's kind even if the object carried no kind.",
			req: func() request {
				b := bindingTo(sessionPod, "cp-9")
				b.TypeMeta = metav1.TypeMeta{}
				return podsBinding(b)
			}(),
			want: decision{matched: true, denied: true, reason: metav1.StatusReasonForbidden},
			says: "must not run on node cp-9",
		},
		"PlainPodCreateAdmitted": {
			reason: "A plain pod create has no subresource and no node: it must not be mistaken for a binding and rejected.",
			req:    podCreate(pod(sessionPod, "")),
			want:   decision{matched: true},
		},
		"PodCreatedWithNodeName": {
			reason: "A pod created with spec.nodeName bypasses the scheduler; a denied node is rejected at create.",
			req:    podCreate(pod(sessionPod, "cp-2")),
			want:   decision{matched: true, denied: true, reason: metav1.StatusReasonForbidden},
			says:   "must not run on node cp-2",
		},
		"DaemonSetPodPinnedToDeniedNode": {
			reason: "The DaemonSet controller pins each pod with matchFields metadata.name In [node]; a denied node is rejected at create.",
			req:    podCreate(pod(sessionPod, "", "cp-3")),
			want:   decision{matched: true, denied: true, reason: metav1.StatusReasonForbidden},
			says:   "pinned by node affinity",
		},
		"DaemonSetPodPinnedToAllowedNode": {
			reason: "A DaemonSet pod pinned to an allowed node is admitted.",
			req:    podCreate(pod(sessionPod, "", "worker-3")),
			want:   decision{matched: true},
		},
		"GeneratedNameOnly": {
			reason: "A pod known only by its generateName is still recognised as a session pod.",
			req: func() request {
				o := pod("", "cp-4")
				o.GenerateName = workload + "-"
				return podCreate(o)
			}(),
			want: decision{matched: true, denied: true, reason: metav1.StatusReasonForbidden},
			says: "must not run on node cp-4",
		},
		"OtherPodsUntouched": {
			reason: "Pods that are not this session's are outside the policy, even on a denied node.",
			req:    podsBinding(bindingTo("coredns-6f6b679f8f-abcde", "cp-1")),
			want:   decision{},
		},
		"OtherNamespaceUntouched": {
			reason: "A pod with the same name prefix in another namespace is outside the policy.",
			req: func() request {
				b := bindingTo(sessionPod, "cp-1")
				b.Namespace = "kube-system"
				return podsBinding(b)
			}(),
			want: decision{},
		},
		"UpdatesNotMatched": {
			reason: "Only creates are checked: a node is chosen at create or binding time.",
			req: func() request {
				r := podCreate(pod(sessionPod, "cp-1"))
				r.operation = admission.Update
				return r
			}(),
			want: decision{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := admit(t, p, tc.req)
			msg := got.message
			got.message = ""
			if got != tc.want {
				t.Errorf("%s\nadmit(...): want %+v, got %+v (message %q)", tc.reason, tc.want, got, msg)
			}
			if tc.says != "" && !strings.Contains(msg, tc.says) {
				t.Errorf("%s\nadmit(...): message %q does not say %q", tc.reason, msg, tc.says)
			}
		})
	}
}

func TestDeniedNodePolicyCELQuoting(t *testing.T) {
	// Names with quotes or backslashes cannot come from a valid session,
	// but if they did they must stay inside their string literals.
	target := AdmissionTarget{Session: `ns/a"b\c`, Workload: `debug-"x\`, Namespace: `n"s`}
	policy, binding, err := deniedNodePolicy([]string{"cp-*"}, target)
	if err != nil {
		t.Fatal(err)
	}
	admissiontest.Compile(t, policy, binding)
}

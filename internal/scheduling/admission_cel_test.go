package scheduling

import (
	"context"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/admission/plugin/policy/generic"
	"k8s.io/apiserver/pkg/admission/plugin/policy/matching"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/admission/plugin/webhook/matchconditions"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/cel/environment"
)

// compiledPolicy is a ValidatingAdmissionPolicy compiled the way the API
// server's ValidatingAdmissionPolicy plugin compiles one, with the API
// server's own CEL environment and libraries.
type compiledPolicy struct {
	policy    *admissionregistrationv1.ValidatingAdmissionPolicy
	binding   *admissionregistrationv1.ValidatingAdmissionPolicyBinding
	validator validating.Validator
}

// compile mirrors the plugin's (unexported) compilePolicy, but in the
// NewExpressions environment, which is the stricter one the API server
// uses to accept a policy that is created or updated. Every expression
// must compile there.
func compile(t *testing.T, policy *admissionregistrationv1.ValidatingAdmissionPolicy, binding *admissionregistrationv1.ValidatingAdmissionPolicyBinding) *compiledPolicy {
	t.Helper()
	env, err := plugincel.NewCompositionEnv(plugincel.VariablesTypeName, environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()))
	if err != nil {
		t.Fatalf("cannot build the Kubernetes CEL environment: %v", err)
	}
	compiler := plugincel.NewCompositedCompilerFromTemplate(env)
	withAuthz := plugincel.OptionalVariableDeclarations{HasAuthorizer: true}
	noAuthz := plugincel.OptionalVariableDeclarations{}
	mode := environment.NewExpressions

	for _, v := range policy.Spec.Variables {
		res := compiler.CompileAndStoreVariable(&validating.Variable{Name: v.Name, Expression: v.Expression}, withAuthz, mode)
		if res.Error != nil {
			t.Fatalf("variable %s does not compile: %v\n%s", v.Name, res.Error, v.Expression)
		}
	}
	conds := make([]plugincel.ExpressionAccessor, len(policy.Spec.MatchConditions))
	for i := range policy.Spec.MatchConditions {
		conds[i] = (*matchconditions.MatchCondition)(&policy.Spec.MatchConditions[i])
	}
	vals := make([]plugincel.ExpressionAccessor, len(policy.Spec.Validations))
	msgs := make([]plugincel.ExpressionAccessor, len(policy.Spec.Validations))
	for i, v := range policy.Spec.Validations {
		vals[i] = &validating.ValidationCondition{Expression: v.Expression, Message: v.Message, Reason: v.Reason}
		// Like the plugin, leave a nil accessor where there is no
		// messageExpression, so indexes stay aligned with validations.
		if v.MessageExpression != "" {
			msgs[i] = &validating.MessageExpressionCondition{MessageExpression: v.MessageExpression}
		}
	}
	condEval := compiler.CompileCondition(conds, withAuthz, mode)
	valEval := compiler.CompileCondition(vals, withAuthz, mode)
	msgEval := compiler.CompileCondition(msgs, noAuthz, mode)
	// The policy has no audit annotations, but the plugin always compiles
	// the (empty) list and the validator evaluates it.
	auditEval := compiler.CompileCondition(nil, withAuthz, mode)
	for what, e := range map[string]plugincel.ConditionEvaluator{"matchConditions": condEval, "validations": valEval, "messageExpressions": msgEval} {
		for _, err := range e.CompilationErrors() {
			t.Errorf("%s do not compile: %v", what, err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	matcher := matchconditions.NewMatcher(condEval, policy.Spec.FailurePolicy, "policy", "validate", policy.Name)
	return &compiledPolicy{
		policy:    policy,
		binding:   binding,
		validator: validating.NewValidator(valEval, matcher, auditEval, msgEval, policy.Spec.FailurePolicy),
	}
}

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

var allowAll = authorizer.AuthorizerFunc(func(context.Context, authorizer.Attributes) (authorizer.Decision, string, error) {
	return authorizer.DecisionAllow, "", nil
})

// admit runs a request through the policy's and the binding's match rules
// and, when they match, its match conditions and validations.
func (p *compiledPolicy) admit(t *testing.T, r request) decision {
	t.Helper()
	gvk := schema.GroupVersionKind{Version: "v1", Kind: r.kind}
	gvr := schema.GroupVersionResource{Version: "v1", Resource: r.resource}
	op := r.operation
	if op == "" {
		op = admission.Create
	}
	attr := admission.NewAttributesRecord(r.obj, nil, gvk, r.namespace, r.name, gvr, r.subresource, op, &metav1.CreateOptions{}, false, &user.DefaultInfo{Name: "system:kube-scheduler"})
	ifaces := admission.NewObjectInterfacesFromScheme(runtime.NewScheme())
	m := generic.NewPolicyMatcher(matching.NewMatcher(nil, nil))
	ok, matchedGVR, matchedGVK, err := m.DefinitionMatches(attr, ifaces, validating.NewValidatingAdmissionPolicyAccessor(p.policy))
	if err != nil {
		t.Fatalf("cannot match the policy: %v", err)
	}
	if !ok {
		return decision{}
	}
	if ok, err := m.BindingMatches(attr, ifaces, validating.NewValidatingAdmissionPolicyBindingAccessor(p.binding)); err != nil || !ok {
		t.Fatalf("the policy binding does not match a request the policy matches: %v", err)
	}
	va := &admission.VersionedAttributes{Attributes: attr, VersionedObject: r.obj, VersionedKind: matchedGVK}
	res := p.validator.Validate(context.Background(), matchedGVR, va, nil, nil, celconfig.RuntimeCELCostBudget, allowAll)
	// The validator decides nothing when the match conditions exclude the
	// request.
	d := decision{matched: len(res.Decisions) > 0}
	for _, dec := range res.Decisions {
		if dec.Evaluation == validating.EvalError {
			t.Fatalf("the policy failed to evaluate (so its failurePolicy Fail would reject the request): %s", dec.Message)
		}
		if dec.Action == validating.ActionDeny {
			d.denied, d.reason, d.message = true, dec.Reason, dec.Message
		}
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
	p := compile(t, policy, binding)

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
			got := p.admit(t, tc.req)
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
	compile(t, policy, binding)
}

package admissiontest

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
)

const policyName = "no-bad-configmaps"

// configMapPolicy is a tiny policy: no ConfigMap may be named "bad", the
// data of a ConfigMap cannot change, and members of the group "outsiders"
// may not write ConfigMaps at all. It leaves kube-system alone.
func configMapPolicy(mods ...func(*admissionregistrationv1.ValidatingAdmissionPolicySpec)) (*admissionregistrationv1.ValidatingAdmissionPolicy, *admissionregistrationv1.ValidatingAdmissionPolicyBinding) {
	fail := admissionregistrationv1.Fail
	forbidden := metav1.StatusReasonForbidden
	policy := &admissionregistrationv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: policyName},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: &fail,
			MatchConstraints: &admissionregistrationv1.MatchResources{
				ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
					RuleWithOperations: admissionregistrationv1.RuleWithOperations{
						Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
						Rule: admissionregistrationv1.Rule{
							APIGroups:   []string{""},
							APIVersions: []string{"v1"},
							Resources:   []string{"configmaps"},
						},
					},
				}},
			},
			MatchConditions: []admissionregistrationv1.MatchCondition{
				{Name: "not-kube-system", Expression: `request.namespace != "kube-system"`},
			},
			Variables: []admissionregistrationv1.Variable{
				{Name: "name", Expression: "object.metadata.name"},
			},
			Validations: []admissionregistrationv1.Validation{
				{
					Expression:        `variables.name != "bad"`,
					MessageExpression: `"ConfigMap " + variables.name + " is not allowed"`,
					Reason:            &forbidden,
				},
				{
					Expression: `oldObject == null || oldObject.?data.orValue({}) == object.?data.orValue({})`,
					Message:    "data is immutable",
				},
				{
					Expression: `!("outsiders" in request.userInfo.?groups.orValue([]))`,
					Message:    "outsiders may not write ConfigMaps",
					Reason:     &forbidden,
				},
			},
		},
	}
	for _, m := range mods {
		m(&policy.Spec)
	}
	DefaultMatch(policy.Spec.MatchConstraints)
	binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{Name: policyName},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        policyName,
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny},
		},
	}
	return policy, binding
}

// compileConfigMapPolicy compiles configMapPolicy with Compile.
func compileConfigMapPolicy(tb testing.TB, mods ...func(*admissionregistrationv1.ValidatingAdmissionPolicySpec)) *Policy {
	tb.Helper()
	policy, binding := configMapPolicy(mods...)
	return Compile(tb, policy, binding)
}

func configMap(ns, name string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Data:       data,
	}
}

func configMapRequest(op admission.Operation, obj, old *corev1.ConfigMap, groups ...string) Request {
	named := obj
	if named == nil {
		named = old
	}
	return Request{
		Object:    obj,
		OldObject: old,
		Kind:      schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"},
		Resource:  schema.GroupVersionResource{Version: "v1", Resource: "configmaps"},
		Namespace: named.Namespace,
		Name:      named.Name,
		Operation: op,
		User:      "alice",
		Groups:    groups,
	}
}

func TestEvaluate(t *testing.T) {
	p := compileConfigMapPolicy(t)
	v1 := map[string]string{"k": "v1"}
	v2 := map[string]string{"k": "v2"}

	cases := map[string]struct {
		reason  string
		req     Request
		matched bool
		denials []Denial
	}{
		"GoodAdmitted": {
			reason:  "A ConfigMap with an allowed name is admitted.",
			req:     configMapRequest(admission.Create, configMap("default", "good", v1), nil),
			matched: true,
		},
		"BadDenied": {
			reason:  "A ConfigMap named bad is denied with the validation's reason and messageExpression.",
			req:     configMapRequest(admission.Create, configMap("default", "bad", v1), nil),
			matched: true,
			denials: []Denial{{Reason: metav1.StatusReasonForbidden, Message: "ConfigMap bad is not allowed"}},
		},
		"OperationDefaultsToCreate": {
			reason:  "A request without an operation is a CREATE.",
			req:     configMapRequest("", configMap("default", "bad", v1), nil),
			matched: true,
			denials: []Denial{{Reason: metav1.StatusReasonForbidden, Message: "ConfigMap bad is not allowed"}},
		},
		"MatchConditionExcludes": {
			reason: "A request the match conditions exclude is not matched, even if a validation would deny it.",
			req:    configMapRequest(admission.Create, configMap("kube-system", "bad", v1), nil),
		},
		"OtherResource": {
			reason: "A resource outside the rules is not matched.",
			req: func() Request {
				r := configMapRequest(admission.Create, configMap("default", "bad", v1), nil)
				r.Kind.Kind, r.Resource.Resource = "Secret", "secrets"
				return r
			}(),
		},
		"OtherOperation": {
			reason: "An operation outside the rules is not matched.",
			req:    configMapRequest(admission.Delete, nil, configMap("default", "bad", v1)),
		},
		"UpdateKeepsData": {
			reason:  "An UPDATE sees the old object; one that keeps the data is admitted.",
			req:     configMapRequest(admission.Update, configMap("default", "good", v1), configMap("default", "good", v1)),
			matched: true,
		},
		"UpdateChangesData": {
			reason:  "An UPDATE that changes the data is denied, with the default reason Invalid and the static message.",
			req:     configMapRequest(admission.Update, configMap("default", "good", v2), configMap("default", "good", v1)),
			matched: true,
			denials: []Denial{{Reason: metav1.StatusReasonInvalid, Message: "data is immutable"}},
		},
		"UpdateWithNilOldObject": {
			reason:  "A nil *ConfigMap as the old object counts as none.",
			req:     configMapRequest(admission.Update, configMap("default", "good", v2), (*corev1.ConfigMap)(nil)),
			matched: true,
		},
		"UserGroups": {
			reason:  "The requesting user's groups reach request.userInfo.",
			req:     configMapRequest(admission.Create, configMap("default", "good", v1), nil, "developers", "outsiders"),
			matched: true,
			denials: []Denial{{Reason: metav1.StatusReasonForbidden, Message: "outsiders may not write ConfigMaps"}},
		},
		"AllDenials": {
			reason:  "Every validation that denies is returned, in order.",
			req:     configMapRequest(admission.Update, configMap("default", "bad", v2), configMap("default", "bad", v1), "outsiders"),
			matched: true,
			denials: []Denial{
				{Reason: metav1.StatusReasonForbidden, Message: "ConfigMap bad is not allowed"},
				{Reason: metav1.StatusReasonInvalid, Message: "data is immutable"},
				{Reason: metav1.StatusReasonForbidden, Message: "outsiders may not write ConfigMaps"},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			matched, denials := p.Evaluate(t, tc.req)
			if matched != tc.matched || !slices.Equal(denials, tc.denials) {
				t.Errorf("%s\nEvaluate(...): want %v %+v, got %v %+v", tc.reason, tc.matched, tc.denials, matched, denials)
			}
		})
	}
}

func TestCompileE(t *testing.T) {
	cases := map[string]struct {
		reason string
		mod    func(*admissionregistrationv1.ValidatingAdmissionPolicySpec)
		// says are parts of the error; none when the policy compiles.
		says []string
	}{
		"Compiles": {
			reason: "The policy compiles.",
			mod:    func(*admissionregistrationv1.ValidatingAdmissionPolicySpec) {},
		},
		"ValidationSyntaxError": {
			reason: "A validation with a CEL syntax error does not compile; the error names the policy, the field and the expression.",
			mod: func(s *admissionregistrationv1.ValidatingAdmissionPolicySpec) {
				s.Validations[1].Expression = `object.metadata.name ==`
			},
			says: []string{policyName, "spec.validations[1].expression", "object.metadata.name =="},
		},
		"ValidationNotBool": {
			reason: "A validation must evaluate to a bool.",
			mod: func(s *admissionregistrationv1.ValidatingAdmissionPolicySpec) {
				s.Validations[0].Expression = `variables.name`
			},
			says: []string{"spec.validations[0].expression", "must evaluate to bool"},
		},
		"MessageExpressionError": {
			reason: "A messageExpression is compiled too.",
			mod: func(s *admissionregistrationv1.ValidatingAdmissionPolicySpec) {
				s.Validations[0].MessageExpression = `"ConfigMap " + noSuchVariable`
			},
			says: []string{"spec.validations[0].messageExpression", "noSuchVariable"},
		},
		"MatchConditionError": {
			reason: "A match condition is compiled too.",
			mod: func(s *admissionregistrationv1.ValidatingAdmissionPolicySpec) {
				s.MatchConditions[0].Expression = `request.namespace !=`
			},
			says: []string{"spec.matchConditions[0].expression", "request.namespace !="},
		},
		"VariableError": {
			reason: "A variable is compiled too, and named.",
			mod: func(s *admissionregistrationv1.ValidatingAdmissionPolicySpec) {
				s.Variables[0].Expression = `object.metadata.name +`
			},
			says: []string{"spec.variables[0] (name)", "object.metadata.name +"},
		},
		"AllErrors": {
			reason: "Every expression that does not compile is reported, not only the first.",
			mod: func(s *admissionregistrationv1.ValidatingAdmissionPolicySpec) {
				s.Validations[0].Expression = `(`
				s.Validations[2].Expression = `)`
			},
			says: []string{"spec.validations[0].expression", "spec.validations[2].expression"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := CompileE(configMapPolicy(tc.mod))
			if len(tc.says) == 0 {
				if err != nil {
					t.Errorf("%s\nCompileE(...): %v", tc.reason, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("%s\nCompileE(...): want an error, got none", tc.reason)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%s\nCompileE(...): error does not say %q:\n%v", tc.reason, s, err)
				}
			}
		})
	}
}

// fatalTB records a fatal failure and ends the goroutine like the real
// testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (*fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// fatal runs fn with a fake testing.TB and returns the message it failed
// with; empty when it did not fail.
func fatal(t *testing.T, fn func(testing.TB)) string {
	t.Helper()
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f.msg
}

func TestCompileFails(t *testing.T) {
	msg := fatal(t, func(tb testing.TB) {
		compileConfigMapPolicy(tb, func(s *admissionregistrationv1.ValidatingAdmissionPolicySpec) {
			s.Validations[0].Expression = `variables.name !=`
		})
	})
	if !strings.Contains(msg, policyName) || !strings.Contains(msg, "variables.name !=") {
		t.Errorf("Compile(...) of a policy with a syntax error: want a fatal failure naming the policy and the expression, got %q", msg)
	}
	if msg := fatal(t, func(tb testing.TB) { compileConfigMapPolicy(tb) }); msg != "" {
		t.Errorf("Compile(...) of a valid policy failed: %s", msg)
	}
}

func TestEvaluateFailsOnEvalError(t *testing.T) {
	// The first validation reads a key that is not there: an evaluation
	// error, which with failurePolicy Fail rejects the request.
	p := compileConfigMapPolicy(t, func(s *admissionregistrationv1.ValidatingAdmissionPolicySpec) {
		s.Validations[0].Expression = `object.data.missing == "x"`
	})
	msg := fatal(t, func(tb testing.TB) {
		p.Evaluate(tb, configMapRequest(admission.Create, configMap("default", "good", map[string]string{"k": "v"}), nil))
	})
	if !strings.Contains(msg, "failed to evaluate") || !strings.Contains(msg, policyName) {
		t.Errorf("Evaluate(...) of a policy that cannot evaluate: want a fatal failure naming the policy, got %q", msg)
	}
}

func TestEvaluateFailsOnBindingMismatch(t *testing.T) {
	policy, binding := configMapPolicy()
	binding.Spec.MatchResources = &admissionregistrationv1.MatchResources{
		ObjectSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "a"}},
	}
	DefaultMatch(binding.Spec.MatchResources)
	p := Compile(t, policy, binding)
	msg := fatal(t, func(tb testing.TB) {
		p.Evaluate(tb, configMapRequest(admission.Create, configMap("default", "good", nil), nil))
	})
	if !strings.Contains(msg, "binding") {
		t.Errorf("Evaluate(...) with a binding that does not match: want a fatal failure, got %q", msg)
	}
}

func TestCompileERejects(t *testing.T) {
	policy, binding := configMapPolicy()
	other := binding.DeepCopy()
	other.Spec.PolicyName = "other"
	for what, b := range map[string]*admissionregistrationv1.ValidatingAdmissionPolicyBinding{"no binding": nil, "another policy's binding": other} {
		if _, err := CompileE(policy, b); err == nil {
			t.Errorf("CompileE(...) with %s: want an error, got none", what)
		}
	}
}

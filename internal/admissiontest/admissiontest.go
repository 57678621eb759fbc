// Package admissiontest is a test helper that compiles and evaluates
// ValidatingAdmissionPolicies the way the API server's
// ValidatingAdmissionPolicy plugin does, with the API server's own CEL
// environment and libraries (k8s.io/apiserver). It is imported only by
// tests.
package admissiontest

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/crossplane/function-sdk-go/errors"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
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

// Policy is a ValidatingAdmissionPolicy and its binding, compiled.
type Policy struct {
	policy  *admissionregistrationv1.ValidatingAdmissionPolicy
	binding *admissionregistrationv1.ValidatingAdmissionPolicyBinding
	// matcher evaluates the match conditions; nil when there are none.
	matcher   matchconditions.Matcher
	validator validating.Validator
}

// Compile compiles a policy and its binding like CompileE, and fails the
// test when any expression does not compile.
func Compile(t testing.TB, policy *admissionregistrationv1.ValidatingAdmissionPolicy, binding *admissionregistrationv1.ValidatingAdmissionPolicyBinding) *Policy {
	t.Helper()
	p, err := CompileE(policy, binding)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return p
}

// CompileE compiles a policy the way the plugin's (unexported)
// compilePolicy does, but in the NewExpressions environment: the stricter
// one the API server uses to accept a policy that is created or updated.
// Every variable, match condition, validation and messageExpression must
// compile there; the error names the policy and each expression that does
// not. Params and audit annotations are not supported; the (empty) list of
// audit annotations is compiled because the validator always evaluates it.
func CompileE(policy *admissionregistrationv1.ValidatingAdmissionPolicy, binding *admissionregistrationv1.ValidatingAdmissionPolicyBinding) (*Policy, error) {
	if policy == nil {
		return nil, errors.New("no policy to compile")
	}
	switch {
	case binding == nil:
		return nil, fmt.Errorf("policy %s: no binding", policy.Name)
	case binding.Spec.PolicyName != policy.Name:
		return nil, fmt.Errorf("policy %s: binding %s is for policy %q", policy.Name, binding.Name, binding.Spec.PolicyName)
	case policy.Spec.ParamKind != nil:
		return nil, fmt.Errorf("policy %s: params are not supported", policy.Name)
	case len(policy.Spec.AuditAnnotations) > 0:
		return nil, fmt.Errorf("policy %s: audit annotations are not supported", policy.Name)
	}
	env, err := plugincel.NewCompositionEnv(plugincel.VariablesTypeName, environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()))
	if err != nil {
		return nil, fmt.Errorf("cannot build the Kubernetes CEL environment: %w", err)
	}
	c := &compiler{CompositedCompiler: plugincel.NewCompositedCompilerFromTemplate(env)}
	withAuthz := plugincel.OptionalVariableDeclarations{HasAuthorizer: true}
	noAuthz := plugincel.OptionalVariableDeclarations{}

	for i, v := range policy.Spec.Variables {
		// res.Error is a typed pointer: test it before it becomes an error.
		if res := c.CompileAndStoreVariable(&validating.Variable{Name: v.Name, Expression: v.Expression}, withAuthz, environment.NewExpressions); res.Error != nil {
			c.fail(fmt.Sprintf("spec.variables[%d] (%s)", i, v.Name), v.Expression, res.Error)
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
	condEval := c.compile("spec.matchConditions", "expression", conds, withAuthz)
	valEval := c.compile("spec.validations", "expression", vals, withAuthz)
	msgEval := c.compile("spec.validations", "messageExpression", msgs, noAuthz)
	auditEval := c.compile("spec.auditAnnotations", "valueExpression", nil, withAuthz)
	if len(c.errs) > 0 {
		return nil, fmt.Errorf("policy %s does not compile:\n%w", policy.Name, errors.Join(c.errs...))
	}

	p := &Policy{policy: policy, binding: binding}
	// The plugin hands the match conditions to the validator, which
	// evaluates them first and decides nothing when they exclude the
	// request. Evaluate runs them itself, in the same way, so that it can
	// tell a request they exclude from one that no validation denies.
	if len(conds) > 0 {
		p.matcher = matchconditions.NewMatcher(condEval, policy.Spec.FailurePolicy, "policy", "validate", policy.Name)
	}
	p.validator = validating.NewValidator(valEval, nil, auditEval, msgEval, policy.Spec.FailurePolicy)
	return p, nil
}

// compiler compiles the expressions of one policy and collects the errors.
type compiler struct {
	*plugincel.CompositedCompiler
	errs []error
}

func (c *compiler) fail(field, expression string, err error) {
	c.errs = append(c.errs, fmt.Errorf("%s does not compile: %w\n\texpression: %s", field, err, expression))
}

// compile compiles a list of expressions as the plugin does. The compiled
// list reports errors without saying which expression they belong to, so
// when there are any each expression is compiled again on its own to name
// it.
func (c *compiler) compile(list, field string, accessors []plugincel.ExpressionAccessor, decls plugincel.OptionalVariableDeclarations) plugincel.ConditionEvaluator {
	eval := c.CompileCondition(accessors, decls, environment.NewExpressions)
	errs := eval.CompilationErrors()
	if len(errs) == 0 {
		return eval
	}
	named := 0
	for i, a := range accessors {
		if a == nil {
			continue
		}
		if res := c.CompileCELExpression(a, decls, environment.NewExpressions); res.Error != nil {
			c.fail(fmt.Sprintf("%s[%d].%s", list, i, field), a.GetExpression(), res.Error)
			named++
		}
	}
	if named == 0 {
		// Not expected: every error should belong to an expression.
		for _, err := range errs {
			c.errs = append(c.errs, fmt.Errorf("%s does not compile: %w", list, err))
		}
	}
	return eval
}

// Request is one admission request.
type Request struct {
	// Object is the new object; nil for a DELETE.
	Object runtime.Object
	// OldObject is the object before an UPDATE or DELETE. A nil pointer
	// counts as no object.
	OldObject runtime.Object
	// Kind is the kind of the request (request.kind), Resource and
	// Subresource its resource (request.resource, request.subResource).
	Kind        schema.GroupVersionKind
	Resource    schema.GroupVersionResource
	Subresource string
	Namespace   string
	Name        string
	// Operation defaults to CREATE.
	Operation admission.Operation
	// User and Groups are the requesting user (request.userInfo).
	User   string
	Groups []string
	// Authorizer answers the policy's authorizer checks, for this user. Nil
	// allows everything.
	Authorizer authorizer.Authorizer
}

// Denial is a validation that denied a request.
type Denial struct {
	Reason  metav1.StatusReason
	Message string
}

// allowAll is the authorizer the policies' authorizer variable checks
// against unless a request brings its own: it allows everything.
var allowAll = authorizer.AuthorizerFunc(func(context.Context, authorizer.Attributes) (authorizer.Decision, string, error) {
	return authorizer.DecisionAllow, "", nil
})

// Evaluate runs a request through the policy's and the binding's match
// rules and, when they select it, the policy's match conditions and
// validations. It returns whether the policy matched, that is whether the
// rules and match conditions select the request so that its validations
// ran, and the validations that denied it, in order. A policy that fails to
// evaluate, which with failurePolicy Fail rejects the request, fails the
// test, and so does a binding that does not match a request its policy
// matches.
func (p *Policy) Evaluate(t testing.TB, r Request) (matched bool, denials []Denial) {
	t.Helper()
	op := r.Operation
	if op == "" {
		op = admission.Create
	}
	obj, old := orNil(r.Object), orNil(r.OldObject)
	authz := r.Authorizer
	if authz == nil {
		authz = allowAll
	}
	attr := admission.NewAttributesRecord(obj, old, r.Kind, r.Namespace, r.Name, r.Resource, r.Subresource, op, options(op), false, &user.DefaultInfo{Name: r.User, Groups: r.Groups})
	ifaces := admission.NewObjectInterfacesFromScheme(runtime.NewScheme())
	m := generic.NewPolicyMatcher(matching.NewMatcher(nil, nil))
	ok, matchedGVR, matchedGVK, err := m.DefinitionMatches(attr, ifaces, validating.NewValidatingAdmissionPolicyAccessor(p.policy))
	if err != nil {
		t.Fatalf("cannot match policy %s: %v", p.policy.Name, err)
	}
	if !ok {
		return false, nil
	}
	if ok, err := m.BindingMatches(attr, ifaces, validating.NewValidatingAdmissionPolicyBindingAccessor(p.binding)); err != nil || !ok {
		t.Fatalf("the binding of policy %s does not match a request the policy matches: %v", p.policy.Name, err)
	}
	va := &admission.VersionedAttributes{Attributes: attr, VersionedObject: obj, VersionedOldObject: old, VersionedKind: matchedGVK}
	if p.matcher != nil {
		res := p.matcher.Match(context.Background(), va, nil, authz)
		if res.Error != nil {
			t.Fatalf("the match conditions of policy %s failed to evaluate (so its failurePolicy Fail would reject the request): %v", p.policy.Name, res.Error)
		}
		if !res.Matches {
			return false, nil
		}
	}
	res := p.validator.Validate(context.Background(), matchedGVR, va, nil, nil, celconfig.RuntimeCELCostBudget, authz)
	for _, d := range res.Decisions {
		if d.Evaluation == validating.EvalError {
			t.Fatalf("policy %s failed to evaluate (so its failurePolicy Fail would reject the request): %s", p.policy.Name, d.Message)
		}
		if d.Action == validating.ActionDeny {
			denials = append(denials, Denial{Reason: d.Reason, Message: d.Message})
		}
	}
	return true, denials
}

// orNil turns a typed nil pointer, such as an unset *unstructured.Unstructured,
// into a nil interface, which is what the API server passes for a missing
// object.
func orNil(o runtime.Object) runtime.Object {
	if o == nil {
		return nil
	}
	if v := reflect.ValueOf(o); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil
	}
	return o
}

// options are the operation's options, as the API server passes them.
func options(op admission.Operation) runtime.Object {
	switch op {
	case admission.Create:
		return &metav1.CreateOptions{}
	case admission.Update:
		return &metav1.UpdateOptions{}
	case admission.Delete:
		return &metav1.DeleteOptions{}
	default:
		return nil
	}
}

// DefaultMatch applies the API server's defaults to match rules, as it does
// when a policy or binding is created: match everything in every namespace,
// and requests for equivalent versions too.
func DefaultMatch(m *admissionregistrationv1.MatchResources) {
	if m == nil {
		return
	}
	if m.NamespaceSelector == nil {
		m.NamespaceSelector = &metav1.LabelSelector{}
	}
	if m.ObjectSelector == nil {
		m.ObjectSelector = &metav1.LabelSelector{}
	}
	if m.MatchPolicy == nil {
		equivalent := admissionregistrationv1.Equivalent
		m.MatchPolicy = &equivalent
	}
}

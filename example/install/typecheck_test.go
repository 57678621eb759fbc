package install_test

import (
	"encoding/json"
	"testing"

	"github.com/crossplane/function-sdk-go/errors"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/kube-openapi/pkg/validation/spec"

	"github.com/k8s-breakglass/function-debug-session/internal/admissiontest"
)

// loadPolicies reads the shipped policies and their bindings by name.
func loadPolicies(t *testing.T) (map[string]*admissionregistrationv1.ValidatingAdmissionPolicy, map[string]*admissionregistrationv1.ValidatingAdmissionPolicyBinding) {
	t.Helper()
	policies := map[string]*admissionregistrationv1.ValidatingAdmissionPolicy{}
	bindings := map[string]*admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
	for _, doc := range admissiontest.ReadYAML(t, policyFile) {
		switch doc["kind"] {
		case "ValidatingAdmissionPolicy":
			p := &admissionregistrationv1.ValidatingAdmissionPolicy{}
			fromYAML(t, doc, p)
			policies[p.Name] = p
		case "ValidatingAdmissionPolicyBinding":
			b := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
			fromYAML(t, doc, b)
			bindings[b.Spec.PolicyName] = b
		default:
			t.Fatalf("%s: unexpected kind %v", policyFile, doc["kind"])
		}
	}
	for _, p := range policies {
		admissiontest.DefaultMatch(p.Spec.MatchConstraints)
	}
	for _, b := range bindings {
		admissiontest.DefaultMatch(b.Spec.MatchResources)
	}
	return policies, bindings
}

// fromYAML converts a document strictly: an unknown field is a typo the API
// server would reject.
func fromYAML(t *testing.T, doc map[string]any, into any) {
	t.Helper()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(doc, into, true); err != nil {
		t.Fatalf("%s: %v", policyFile, err)
	}
}

// xrdSchema resolves the DebugSession schema from the shipped XRD, with the
// metadata that every object has, so that the policies can be type-checked
// the way the API server checks them against the real CRD.
type xrdSchema struct{ s *spec.Schema }

func (r xrdSchema) ResolveSchema(gvk schema.GroupVersionKind) (*spec.Schema, error) {
	if gvk != sessionGVK {
		return nil, errors.New("schema not found")
	}
	return r.s, nil
}

func loadXRDSchema(t *testing.T) *spec.Schema {
	t.Helper()
	docs := admissiontest.ReadYAML(t, xrdFile)
	if len(docs) != 1 {
		t.Fatalf("%s: want one document, got %d", xrdFile, len(docs))
	}
	versions, _, _ := unstructured.NestedSlice(docs[0], "spec", "versions")
	for _, v := range versions {
		vm, _ := v.(map[string]any)
		if vm["name"] != sessionGVK.Version {
			continue
		}
		raw, found, err := unstructured.NestedMap(vm, "schema", "openAPIV3Schema")
		if err != nil || !found {
			t.Fatalf("%s: no openAPIV3Schema for %s: %v", xrdFile, sessionGVK.Version, err)
		}
		b, err := json.Marshal(raw)
		if err != nil {
			t.Fatal(err)
		}
		s := &spec.Schema{}
		if err := json.Unmarshal(b, s); err != nil {
			t.Fatal(err)
		}
		str := *spec.StringProperty()
		strMap := *spec.MapProperty(spec.StringProperty())
		s.Properties["apiVersion"], s.Properties["kind"] = str, str
		s.Properties["metadata"] = spec.Schema{SchemaProps: spec.SchemaProps{
			Type: []string{"object"},
			Properties: map[string]spec.Schema{
				"name": str, "generateName": str, "namespace": str, "labels": strMap, "annotations": strMap,
				"finalizers": *spec.ArrayProperty(spec.StringProperty()),
			},
		}}
		return s
	}
	t.Fatalf("%s: no version %s", xrdFile, sessionGVK.Version)
	return nil
}

func TestAdmissionPoliciesTypeCheck(t *testing.T) {
	policies, bindings := loadPolicies(t)
	mapper := meta.NewDefaultRESTMapper([]schema.GroupVersion{sessionGVK.GroupVersion()})
	mapper.Add(sessionGVK, meta.RESTScopeNamespace)
	tc := &validating.TypeChecker{SchemaResolver: xrdSchema{loadXRDSchema(t)}, RestMapper: mapper}
	for _, name := range []string{createName, updateName} {
		p, ok := policies[name]
		if !ok {
			t.Fatalf("policy %s is missing", name)
		}
		if b := bindings[name]; b == nil || len(b.Spec.ValidationActions) != 1 || b.Spec.ValidationActions[0] != admissionregistrationv1.Deny {
			t.Errorf("policy %s needs a binding that denies", name)
		}
		if p.Spec.FailurePolicy == nil || *p.Spec.FailurePolicy != admissionregistrationv1.Fail {
			t.Errorf("policy %s must fail closed", name)
		}
		ctx := tc.CreateContext(p)
		// An empty context means the schema was not found, and nothing
		// would be checked; make sure the check really ran.
		if res := tc.CheckExpression(ctx, "object.spec.noSuchField == 'x'"); len(res) == 0 {
			t.Fatalf("policy %s: the type checker did not resolve the DebugSession schema", name)
		}
		for _, w := range tc.Check(p) {
			t.Errorf("policy %s: %s: %s", name, w.FieldRef, w.Warning)
		}
	}
}

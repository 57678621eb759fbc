package admissiontest

import (
	"context"
	"fmt"
	"os"
	"testing"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsvalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

// CRD is a CustomResourceDefinition that the API server accepted, with the
// validators it would run on a custom resource of its (only) version.
type CRD struct {
	Name   string
	schema validation.SchemaValidator
	// structural and rules are the structural schema and its compiled
	// x-kubernetes-validations; rules is nil when there are none.
	structural *schema.Structural
	rules      *cel.Validator
}

// LoadCRD reads a CRD from a YAML file and checks it as the API server does
// when it is created, including the static cost estimate of every
// x-kubernetes-validations rule against the per-rule and per-CRD limits. It
// fails the test when the API server would refuse the CRD.
func LoadCRD(t testing.TB, path string) *CRD {
	t.Helper()
	c, err := LoadCRDE(path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// LoadCRDE is LoadCRD without a test.
func LoadCRDE(path string) (*CRD, error) {
	b, err := os.ReadFile(path) //nolint:gosec // Tests read the CRDs they name.
	if err != nil {
		return nil, err
	}
	v1 := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.UnmarshalStrict(b, v1); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// The API server defaults a v1 CRD before it converts and validates it.
	apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(v1)
	crd := &apiextensions.CustomResourceDefinition{}
	if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(v1, crd, nil); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if errs := apiextensionsvalidation.ValidateCustomResourceDefinition(context.Background(), crd); len(errs) > 0 {
		return nil, fmt.Errorf("%s: the API server would refuse the CRD: %w", path, errs.ToAggregate())
	}
	// The internal version keeps a schema that every version shares at the
	// top level.
	v := crd.Spec.Validation
	if len(crd.Spec.Versions) == 1 && crd.Spec.Versions[0].Schema != nil {
		v = crd.Spec.Versions[0].Schema
	}
	if len(crd.Spec.Versions) != 1 || v == nil || v.OpenAPIV3Schema == nil {
		return nil, fmt.Errorf("%s: want exactly one version with a schema", path)
	}
	props := v.OpenAPIV3Schema
	sv, _, err := validation.NewSchemaValidator(props)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ss, err := schema.NewStructural(props)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &CRD{Name: crd.Name, schema: sv, structural: ss, rules: cel.NewValidator(ss, true, celconfig.PerCallLimit)}, nil
}

// Validate validates a custom resource, given as its JSON-like map, on
// create: the OpenAPI schema (types, enums, bounds) and then the
// x-kubernetes-validations rules, with the runtime cost budget of one
// request. The errors carry the field paths the API server reports.
func (c *CRD) Validate(obj map[string]any) field.ErrorList {
	return c.ValidateUpdate(obj, nil)
}

// ValidateUpdate is Validate on an update from old, which also runs the
// transition rules (those that read oldSelf). A nil old is a create.
func (c *CRD) ValidateUpdate(obj, old map[string]any) field.ErrorList {
	errs := validation.ValidateCustomResource(nil, obj, c.schema)
	if c.rules != nil {
		var oldObj any
		if old != nil {
			oldObj = old
		}
		ruleErrs, _ := c.rules.Validate(context.Background(), nil, c.structural, obj, oldObj, celconfig.RuntimeCELCostBudget)
		errs = append(errs, ruleErrs...)
	}
	return errs
}

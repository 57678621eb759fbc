package lint

import (
	"fmt"
	"io/fs"
	"sort"

	apiextensions "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"
)

// Schemas validate objects as the API server would, by apiVersion/kind.
type Schemas map[string]*schema

type schema struct {
	structural *structuralschema.Structural
	validator  validation.SchemaValidator
}

// LoadSchemas compiles every CRD in fsys (only served versions).
func LoadSchemas(fsys fs.FS) (Schemas, error) {
	files, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	out := Schemas{}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(b, crd); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if err := out.add(crd); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	return out, nil
}

func (s Schemas) add(crd *apiextensionsv1.CustomResourceDefinition) error {
	in := &apiextensions.CustomResourceDefinition{}
	if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(crd, in, nil); err != nil {
		return err
	}
	for _, v := range in.Spec.Versions {
		// The conversion moves a schema that every version shares to the
		// top level.
		sv := in.Spec.Validation
		if v.Schema != nil {
			sv = v.Schema
		}
		if !v.Served || sv == nil {
			continue
		}
		st, err := structuralschema.NewStructural(sv.OpenAPIV3Schema)
		if err != nil {
			return err
		}
		val, _, err := validation.NewSchemaValidator(sv.OpenAPIV3Schema)
		if err != nil {
			return err
		}
		s[in.Spec.Group+"/"+v.Name+"/"+in.Spec.Names.Kind] = &schema{structural: st, validator: val}
	}
	return nil
}

// Has reports whether a schema for apiVersion and kind is known.
func (s Schemas) Has(apiVersion, kind string) bool { return s[apiVersion+"/"+kind] != nil }

// Validate returns what the API server would reject in obj: fields the
// schema does not know (the API server prunes them silently, or rejects
// them with strict field validation; either way they are typos) and values
// of the wrong type or format.
func (s Schemas) Validate(apiVersion, kind string, obj map[string]any) []FieldError {
	sc := s[apiVersion+"/"+kind]
	if sc == nil {
		return nil
	}
	var errs []FieldError
	pruned := pruning.PruneWithOptions(runtime.DeepCopyJSON(obj), sc.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	sort.Strings(pruned)
	for _, p := range pruned {
		errs = append(errs, FieldError{Field: p, Message: msgUnknownField})
	}
	for _, e := range validation.ValidateCustomResource(nil, obj, sc.validator) {
		errs = append(errs, FieldError{Field: e.Field, Message: e.ErrorBody()})
	}
	return errs
}

// msgUnknownField is the message of a field the schema does not have.
const msgUnknownField = "unknown field"

// A FieldError is a problem with one field.
type FieldError struct {
	Field   string
	Message string
}

func fieldErrors(errs field.ErrorList, prefix string) []FieldError {
	out := make([]FieldError, 0, len(errs))
	for _, e := range errs {
		out = append(out, FieldError{Field: prefix + e.Field, Message: e.ErrorBody()})
	}
	return out
}

// Package lifecycle reads a DebugSession, decides its state, and writes its
// status.
package lifecycle

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/crossplane/function-sdk-go/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// Parse reads the observed composite resource as a DebugSession and checks
// its spec. Errors name the session and the field.
func Parse(xr *resource.Composite) (*v1alpha1.DebugSession, error) {
	// Decoding through JSON, unlike the unstructured converter, names the
	// field that has the wrong type.
	s := &v1alpha1.DebugSession{}
	raw, err := json.Marshal(xr.Resource.UnstructuredContent())
	if err == nil {
		err = json.Unmarshal(raw, s)
	}
	if err != nil {
		id := name(xr.Resource.GetNamespace(), xr.Resource.GetName())
		return nil, outcome.New(v1alpha1.StateFailed, v1alpha1.Describe(v1alpha1.DebugSessionKind, xr.Resource.GetNamespace(), xr.Resource.GetName()), "",
			fmt.Sprintf("cannot read DebugSession %s: %s", id, outcome.Decoding(err)))
	}
	if errs := Validate(s); len(errs) > 0 {
		return nil, outcome.New(v1alpha1.StateFailed, s.Describe(), errs[0].Field, fmt.Sprintf("invalid DebugSession %s: %v", name(s.Namespace, s.Name), errs.ToAggregate()))
	}
	return s, nil
}

// Validate checks the fields of a session spec that the function relies on.
func Validate(s *v1alpha1.DebugSession) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("spec")
	if s.Spec.TemplateRef.Name == "" {
		errs = append(errs, field.Required(p.Child("templateRef", "name"), "the session must name a DebugSessionTemplate"))
	}
	if s.Spec.Cluster == "" {
		errs = append(errs, field.Required(p.Child("cluster"), "the session must name a cluster"))
	}
	if s.Spec.RequestedBy == "" {
		errs = append(errs, field.Required(p.Child("requestedBy"), "the session must name its requester"))
	}
	if d := s.Spec.Duration; d != "" {
		v, err := time.ParseDuration(d)
		switch {
		case err != nil:
			errs = append(errs, field.Invalid(p.Child("duration"), d, "must be a duration such as 1h or 30m"))
		case v <= 0:
			errs = append(errs, field.Invalid(p.Child("duration"), d, "must be positive"))
		}
	}
	if s.Spec.Renewals < 0 {
		errs = append(errs, field.Invalid(p.Child("renewals"), s.Spec.Renewals, "must not be negative"))
	}
	return errs
}

func name(namespace, n string) string {
	if namespace == "" {
		return n
	}
	return namespace + "/" + n
}

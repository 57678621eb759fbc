package auxiliary

import (
	"fmt"
	"slices"
	"strings"

	"github.com/crossplane/function-sdk-go/resource"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/names"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
)

// Source says where an auxiliary resource is defined.
type Source string

// Sources of auxiliary resources.
const (
	// SourcePodTemplate resources are deployed when their category is on.
	SourcePodTemplate Source = names.SourcePodTemplate
	// SourceTemplate resources are deployed when their category is on, or
	// always when they have no category.
	SourceTemplate Source = names.SourceTemplate
	// SourceBinding resources are always deployed.
	SourceBinding Source = names.SourceBinding
)

// Resource is an enabled auxiliary resource.
type Resource struct {
	// Name is the composition resource name, stable for as long as the
	// resource's source and name stay the same (names.AuxiliaryResource).
	Name resource.Name
	// Source says where the resource is defined; Owner names the object,
	// for messages ("DebugPodTemplate breakglass-system/network-debug-pod").
	Source Source
	Owner  string
	// Spec is the resource as written.
	Spec v1alpha1.AuxiliaryResource

	// index is the resource's position in its source's list.
	index int
}

// CreateBefore reports whether the resource is created before the workload.
// It defaults to true.
func (r Resource) CreateBefore() bool {
	return r.Spec.CreateBefore == nil || *r.Spec.CreateBefore
}

// DeleteAfter reports whether the resource is deleted when the session
// ends. It defaults to true.
func (r Resource) DeleteAfter() bool {
	return r.Spec.DeleteAfter == nil || *r.Spec.DeleteAfter
}

// IgnoreRenderFailure reports whether a render failure skips the resource
// instead of failing the session.
func (r Resource) IgnoreRenderFailure() bool {
	return r.Spec.FailurePolicy == v1alpha1.FailurePolicyIgnore
}

// where prefixes messages about the resource.
func (r Resource) where() string {
	return fmt.Sprintf("%s auxiliaryResources[%s]", r.Owner, r.Spec.Name)
}

// fail returns the Failed error of a resource that cannot be deployed; the
// message is written out in full and usually starts with where().
func (r Resource) fail(format string, a ...any) *outcome.Error {
	return outcome.New(v1alpha1.StateFailed, r.Owner, fmt.Sprintf("spec.auxiliaryResources[%d]", r.index), fmt.Sprintf(format, a...))
}

// Enabled are the auxiliary resources a session deploys, in order: the pod
// template's, the session template's, then each binding's, each in the order
// written.
type Enabled struct {
	Resources []Resource
	// RequiresApproval is true when an enabled resource has
	// requiresApproval: the session then needs approval even when the
	// requester would be approved automatically.
	RequiresApproval bool
	// ApprovalRequiredBy names those resources, for the status message.
	ApprovalRequiredBy []string
	// Warnings about resources that can never be enabled, sorted.
	Warnings []string
}

// Enable returns the enabled auxiliary resources of a session with pod
// template pt and the layers resolution picked.
//
// A category is on when the first binding whose auxiliaryResourceOverrides
// names it says so, else when the session template's
// auxiliaryResourceDefaults says so, else it is off. Pod template resources
// are enabled by category only; one without a category is never deployed
// and yields a warning. Session template resources without a category, and
// every binding resource, are always deployed.
//
// Only enabled resources are validated: a Failed *outcome.Error names the
// object and the field of a resource with an invalid name, a name used twice
// in one source, or an unknown failurePolicy.
func Enable(pt *v1alpha1.DebugPodTemplate, layers []resolution.Layer) (*Enabled, error) {
	on := categories(layers)
	en := &Enabled{}
	var errs []ownedError

	if pt != nil {
		owner := pt.Describe()
		for i, r := range pt.Spec.AuxiliaryResources {
			if r.Category == "" {
				en.Warnings = append(en.Warnings, fmt.Sprintf("%s spec.auxiliaryResources[%d] (%s) has no category and is never deployed: pod template resources are enabled by category", owner, i, r.Name))
				continue
			}
			if on[r.Category] {
				en.add(SourcePodTemplate, owner, "", i, r)
			}
		}
		errs = append(errs, validate(en.Resources, owner)...)
	}
	for _, l := range layers {
		n := len(en.Resources)
		switch {
		case l.Template != nil:
			for i, r := range l.Template.Spec.AuxiliaryResources {
				if r.Category == "" || on[r.Category] {
					en.add(SourceTemplate, l.Source, "", i, r)
				}
			}
		case l.Binding != nil:
			b := l.Binding
			for i, r := range b.Spec.AuxiliaryResources {
				en.add(SourceBinding, l.Source, b.Namespace+"/"+b.Name, i, r)
			}
		}
		errs = append(errs, validate(en.Resources[n:], l.Source)...)
	}
	if len(errs) > 0 {
		msgs := make([]string, 0, len(errs))
		for _, e := range errs {
			msgs = append(msgs, e.owner+" "+e.err.Error())
		}
		return nil, outcome.New(v1alpha1.StateFailed, errs[0].owner, errs[0].err.Field, strings.Join(msgs, "; "))
	}
	for _, r := range en.Resources {
		if r.Spec.RequiresApproval {
			en.RequiresApproval = true
			en.ApprovalRequiredBy = append(en.ApprovalRequiredBy, r.Spec.Name)
		}
	}
	slices.Sort(en.Warnings)
	return en, nil
}

// add enables r, the i-th resource of owner. id is the binding's
// namespace/name for binding resources, which keeps two bindings' names
// apart.
func (en *Enabled) add(s Source, owner, id string, i int, r v1alpha1.AuxiliaryResource) {
	en.Resources = append(en.Resources, Resource{
		Name:   names.AuxiliaryResource(string(s), id, r.Name),
		Source: s,
		Owner:  owner,
		Spec:   *r.DeepCopy(),
		index:  i,
	})
}

// categories returns the categories that are on. Bindings are consulted
// highest first, so the first binding that names a category decides it.
func categories(layers []resolution.Layer) map[string]bool {
	on := map[string]bool{}
	decided := map[string]bool{}
	for _, l := range layers {
		if l.Binding == nil {
			continue
		}
		for c, v := range l.Binding.Spec.AuxiliaryResourceOverrides {
			if !decided[c] {
				on[c], decided[c] = v, true
			}
		}
	}
	for _, l := range layers {
		if l.Template == nil {
			continue
		}
		for c, v := range l.Template.Spec.AuxiliaryResourceDefaults {
			if !decided[c] {
				on[c] = v
			}
		}
	}
	return on
}

// ownedError is a field error of one source object.
type ownedError struct {
	owner string
	err   *field.Error
}

// validate checks the enabled resources of one source. Their names become
// composition resource names and label values, so they must be DNS labels
// and unique within the source.
func validate(rs []Resource, owner string) []ownedError {
	var errs field.ErrorList
	seen := map[string]bool{}
	for _, r := range rs {
		p := field.NewPath("spec", "auxiliaryResources").Index(r.index)
		if msgs := validation.IsDNS1123Label(r.Spec.Name); len(msgs) > 0 {
			errs = append(errs, field.Invalid(p.Child("name"), r.Spec.Name, strings.Join(msgs, "; ")))
			continue
		}
		if seen[r.Spec.Name] {
			errs = append(errs, field.Duplicate(p.Child("name"), r.Spec.Name))
		}
		seen[r.Spec.Name] = true
		switch r.Spec.FailurePolicy {
		case "", v1alpha1.FailurePolicyFail, v1alpha1.FailurePolicyIgnore:
		default:
			errs = append(errs, field.NotSupported(p.Child("failurePolicy"), r.Spec.FailurePolicy, []string{string(v1alpha1.FailurePolicyFail), string(v1alpha1.FailurePolicyIgnore)}))
		}
	}
	out := make([]ownedError, 0, len(errs))
	for _, e := range errs {
		out = append(out, ownedError{owner: owner, err: e})
	}
	return out
}

// Retained returns the resources that stay once the session has ended:
// those with deleteAfter: false that exist, as the deliverer observes them.
// A resource that was never created is not created after the end.
func (en *Enabled) Retained(exists func(resource.Name) bool) *Enabled {
	out := &Enabled{}
	if en == nil {
		return out
	}
	for _, r := range en.Resources {
		if exists(r.Name) && !r.DeleteAfter() {
			out.Resources = append(out.Resources, r)
		}
	}
	return out
}

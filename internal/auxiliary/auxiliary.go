// Package auxiliary decides which auxiliary resources a session deploys,
// renders and polices them, and orders them around the debug workload.
//
// The orchestrator calls it in four steps:
//
//  1. Enable collects the enabled resources from the pod template, the
//     session template and the bindings, and says whether any of them forces
//     approval. It renders nothing, so it can run before approval is decided.
//  2. Render renders every enabled resource and applies the policy. A policy
//     violation is an error whatever the resource's failurePolicy says; a
//     resource that fails to render is skipped when its failurePolicy is
//     ignore.
//  3. Result.Plan picks, from what Crossplane has observed, which resources
//     to return and whether the workload may be returned yet.
//  4. Once the session has ended, Enabled.Retained and Result.Retain keep
//     only the deleteAfter: false resources that exist.
package auxiliary

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/crossplane/function-sdk-go/resource"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/delivery"
)

// Source says where an auxiliary resource is defined.
type Source string

// Sources of auxiliary resources.
const (
	// SourcePodTemplate resources are deployed when their category is on.
	SourcePodTemplate Source = "podtemplate"
	// SourceTemplate resources are deployed when their category is on, or
	// always when they have no category.
	SourceTemplate Source = "template"
	// SourceBinding resources are always deployed.
	SourceBinding Source = "binding"
)

// Sources are the objects auxiliary resources come from.
type Sources struct {
	PodTemplate *v1alpha1.DebugPodTemplate
	Template    *v1alpha1.DebugSessionTemplate
	// Bindings that apply to the session, highest first; empty when the
	// template applies alone. Resolution's Result.Bindings.
	Bindings []*v1alpha1.DebugSessionClusterBinding
}

// Resource is an enabled auxiliary resource.
type Resource struct {
	// Name is the composition resource name, stable for as long as the
	// resource's source and name stay the same:
	//   aux-podtemplate-<name>, aux-template-<name>, or
	//   aux-binding-<first 8 hex digits of sha256(namespace/name of the binding)>-<name>.
	// The source keeps a pod template's and a binding's resources of the same
	// name apart; the hash does the same for two bindings without making
	// names depend on the order of bindings. delivery.AuxiliaryResourceName
	// makes it a DNS label: a name too long for one is shortened and gets a
	// hash of its own.
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

// Enable returns the enabled auxiliary resources of a session.
//
// A category is on when the first binding whose auxiliaryResourceOverrides
// names it says so, else when the session template's
// auxiliaryResourceDefaults says so, else it is off. Pod template resources
// are enabled by category only; one without a category is never deployed
// and yields a warning. Session template resources without a category, and
// every binding resource, are always deployed.
//
// Only enabled resources are validated: an error names the object and the
// field of a resource with an invalid name, a name used twice in one source,
// or an unknown failurePolicy.
func Enable(src Sources) (*Enabled, error) {
	on := categories(src)
	en := &Enabled{}
	var errs []string

	if pt := src.PodTemplate; pt != nil {
		owner := fmt.Sprintf("DebugPodTemplate %s/%s", pt.Namespace, pt.Name)
		for i, r := range pt.Spec.AuxiliaryResources {
			if r.Category == "" {
				en.Warnings = append(en.Warnings, fmt.Sprintf("%s spec.auxiliaryResources[%d] (%s) has no category and is never deployed: pod template resources are enabled by category", owner, i, r.Name))
				continue
			}
			if on[r.Category] {
				en.add(SourcePodTemplate, owner, string(SourcePodTemplate)+"-", i, r)
			}
		}
		errs = append(errs, validate(en.Resources, owner)...)
	}
	if t := src.Template; t != nil {
		owner := fmt.Sprintf("DebugSessionTemplate %s/%s", t.Namespace, t.Name)
		n := len(en.Resources)
		for i, r := range t.Spec.AuxiliaryResources {
			if r.Category == "" || on[r.Category] {
				en.add(SourceTemplate, owner, string(SourceTemplate)+"-", i, r)
			}
		}
		errs = append(errs, validate(en.Resources[n:], owner)...)
	}
	for _, b := range src.Bindings {
		if b == nil {
			continue
		}
		owner := fmt.Sprintf("DebugSessionClusterBinding %s/%s", b.Namespace, b.Name)
		sum := sha256.Sum256([]byte(b.Namespace + "/" + b.Name))
		prefix := string(SourceBinding) + "-" + hex.EncodeToString(sum[:])[:8] + "-"
		n := len(en.Resources)
		for i, r := range b.Spec.AuxiliaryResources {
			en.add(SourceBinding, owner, prefix, i, r)
		}
		errs = append(errs, validate(en.Resources[n:], owner)...)
	}
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "; "))
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

func (en *Enabled) add(s Source, owner, prefix string, i int, r v1alpha1.AuxiliaryResource) {
	en.Resources = append(en.Resources, Resource{
		Name:   delivery.AuxiliaryResourceName(prefix + r.Name),
		Source: s,
		Owner:  owner,
		Spec:   *r.DeepCopy(),
		index:  i,
	})
}

// categories returns the categories that are on. Bindings are consulted
// highest first, so the first binding that names a category decides it.
func categories(src Sources) map[string]bool {
	on := map[string]bool{}
	decided := map[string]bool{}
	for _, b := range src.Bindings {
		if b == nil {
			continue
		}
		for c, v := range b.Spec.AuxiliaryResourceOverrides {
			if !decided[c] {
				on[c], decided[c] = v, true
			}
		}
	}
	if src.Template != nil {
		for c, v := range src.Template.Spec.AuxiliaryResourceDefaults {
			if !decided[c] {
				on[c] = v
			}
		}
	}
	return on
}

// validate checks the enabled resources of one source. Their names become
// composition resource names and label values, so they must be DNS labels
// and unique within the source.
func validate(rs []Resource, owner string) []string {
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
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		out = append(out, owner+" "+e.Error())
	}
	return out
}

// Observed is what Crossplane has observed of the session's composed
// resources, by composition resource name. A name that is absent was not
// observed.
type Observed map[resource.Name]delivery.Readiness

// Observe reads the readiness of every observed composed resource, the way
// the target delivers them.
func Observe(t delivery.Target, observed map[resource.Name]resource.ObservedComposed) Observed {
	out := make(Observed, len(observed))
	for name := range observed {
		out[name] = t.Readiness(name, observed)
	}
	return out
}

func (o Observed) exists(name resource.Name) bool { return o[name].Observed }

func (o Observed) ready(name resource.Name) bool { return o[name].Ready }

// Retained returns the resources that stay once the session has ended:
// those with deleteAfter: false that exist. A resource that was never
// created is not created after the end.
func (en *Enabled) Retained(observed Observed) *Enabled {
	out := &Enabled{}
	if en == nil {
		return out
	}
	for _, r := range en.Resources {
		if observed.exists(r.Name) && !r.DeleteAfter() {
			out.Resources = append(out.Resources, r)
		}
	}
	return out
}

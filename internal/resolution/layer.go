package resolution

import (
	"strings"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// SourceInputDefault is the source of a target namespace that neither a
// binding nor the template sets.
const SourceInputDefault = "Input defaultTargetNamespace"

// layerSource is one layer of settings: the template, or one binding.
type layerSource struct {
	id              string
	constraints     *v1alpha1.Constraints
	approvers       *v1alpha1.Approvers
	targetNamespace string
	scheduling      *v1alpha1.SchedulingConstraints
	// binding holds the binding-only settings; nil for the template.
	binding *v1alpha1.DebugSessionClusterBindingSpec
}

// layer fills the effective settings of res. chain holds the applying
// bindings highest first, and is empty when the template applies alone.
//
// Layers are applied lowest first, the template and then the chain from its
// lowest binding up, each overriding what it sets. That gives "a binding
// value overrides the template's when set" and, within an additive chain,
// "every field from the highest binding that sets it" in one pass.
func (x *Index) layer(res *Result, chain []*compiledBinding, t *v1alpha1.DebugSessionTemplate) {
	layers := make([]layerSource, 0, len(chain)+1)
	layers = append(layers, layerSource{
		id:              "DebugSessionTemplate " + t.Namespace + "/" + t.Name,
		constraints:     t.Spec.Constraints,
		approvers:       t.Spec.Approvers,
		targetNamespace: t.Spec.TargetNamespace,
		scheduling:      t.Spec.SchedulingConstraints,
	})
	for i := len(chain) - 1; i >= 0; i-- {
		b := chain[i].binding
		layers = append(layers, layerSource{
			id:              "DebugSessionClusterBinding " + chain[i].id,
			constraints:     b.Spec.Constraints,
			approvers:       b.Spec.Approvers,
			targetNamespace: b.Spec.TargetNamespace,
			scheduling:      b.Spec.SchedulingConstraints,
			binding:         &b.Spec,
		})
	}

	src := map[string]string{}
	for _, l := range layers {
		if l.constraints != nil {
			for _, f := range constraintFields {
				if f.copy(&res.Constraints, l.constraints) {
					src["constraints."+f.name] = l.id
				}
			}
		}
		// A binding that sets approvers replaces the template's even when
		// it lists nobody: that is how a binding turns approval off.
		if l.approvers != nil {
			res.Approvers = l.approvers.DeepCopy()
			src["approvers"] = l.id
		}
		if strings.TrimSpace(l.targetNamespace) != "" {
			res.TargetNamespace = l.targetNamespace
			src["targetNamespace"] = l.id
		}
		if l.scheduling != nil {
			res.Scheduling = append(res.Scheduling, l.scheduling.DeepCopy())
			res.SchedulingSources = append(res.SchedulingSources, l.id)
		}
		if l.binding != nil {
			layerBinding(res, l.binding, l.id, src)
		}
	}
	if res.TargetNamespace == "" {
		res.TargetNamespace = x.in.GetDefaultTargetNamespace()
		src["targetNamespace"] = SourceInputDefault
	}
	res.Sources = src
}

// layerBinding applies the settings only a binding has.
func layerBinding(res *Result, b *v1alpha1.DebugSessionClusterBindingSpec, id string, src map[string]string) {
	// A plain bool cannot say "unset", so only true counts as setting it.
	if b.AllowUserNodeSelector {
		res.AllowUserNodeSelector = true
		src["allowUserNodeSelector"] = id
	}
	// Overrides name only the categories they change, so each category is
	// a setting of its own.
	for category, on := range b.AuxiliaryResourceOverrides {
		if res.AuxiliaryResourceOverrides == nil {
			res.AuxiliaryResourceOverrides = map[string]bool{}
		}
		res.AuxiliaryResourceOverrides[category] = on
		src["auxiliaryResourceOverrides."+category] = id
	}
	if b.AuxiliaryResourcePolicy != nil {
		res.AuxiliaryResourcePolicy = b.AuxiliaryResourcePolicy.DeepCopy()
		src["auxiliaryResourcePolicy"] = id
	}
	if len(b.AuxiliaryResources) > 0 {
		res.BindingAuxiliaryResources = make([]v1alpha1.AuxiliaryResource, len(b.AuxiliaryResources))
		for i := range b.AuxiliaryResources {
			b.AuxiliaryResources[i].DeepCopyInto(&res.BindingAuxiliaryResources[i])
		}
		src["auxiliaryResources"] = id
	}
}

// constraintFields copy one field of Constraints when the source sets it,
// and report whether it did. Each field layers on its own.
var constraintFields = []struct {
	name string
	copy func(dst, src *v1alpha1.Constraints) bool
}{
	{"maxDuration", func(d, s *v1alpha1.Constraints) bool { return copyString(&d.MaxDuration, s.MaxDuration) }},
	{"defaultDuration", func(d, s *v1alpha1.Constraints) bool { return copyString(&d.DefaultDuration, s.DefaultDuration) }},
	{"maxConcurrentSessions", func(d, s *v1alpha1.Constraints) bool {
		return copyPtr(&d.MaxConcurrentSessions, s.MaxConcurrentSessions)
	}},
	{"maxRenewals", func(d, s *v1alpha1.Constraints) bool { return copyPtr(&d.MaxRenewals, s.MaxRenewals) }},
	{"allowRenewal", func(d, s *v1alpha1.Constraints) bool { return copyPtr(&d.AllowRenewal, s.AllowRenewal) }},
	{"approvalTimeout", func(d, s *v1alpha1.Constraints) bool { return copyString(&d.ApprovalTimeout, s.ApprovalTimeout) }},
}

func copyString(dst *string, src string) bool {
	if src == "" {
		return false
	}
	*dst = src
	return true
}

// copyPtr copies the value, not the pointer, so the result never aliases a
// template or binding.
func copyPtr[T any](dst **T, src *T) bool {
	if src == nil {
		return false
	}
	v := *src
	*dst = &v
	return true
}

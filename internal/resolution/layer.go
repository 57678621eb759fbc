package resolution

import (
	"strings"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// SourceInputDefault is the source of a target namespace that neither a
// binding nor the template sets.
const SourceInputDefault = "Input defaultTargetNamespace"

// sourceDisplayName is the Sources key of a display name a binding's
// displayNamePrefix made.
const sourceDisplayName = "displayName"

// A Layer is one object whose settings apply to a session: the template,
// one binding of the picked chain, or the scheduling option the session
// uses. Exactly one of Template, Binding and Option is set.
type Layer struct {
	// Source names the object in messages, as v1alpha1's Describe does. For
	// an option it is the template or binding that offers it.
	Source   string
	Template *v1alpha1.DebugSessionTemplate
	Binding  *v1alpha1.DebugSessionClusterBinding

	// Option is the scheduling option in use, at OptionIndex of Source's
	// spec.schedulingOptions.options. It is always the last layer: it adds
	// scheduling constraints and sets nothing else.
	Option      *v1alpha1.SchedulingOption
	OptionIndex int
}

// SchedulingConstraints returns the layer's scheduling constraints, nil when
// it sets none.
func (l Layer) SchedulingConstraints() *v1alpha1.SchedulingConstraints {
	if l.Option != nil {
		return l.Option.SchedulingConstraints
	}
	if l.Binding != nil {
		return l.Binding.Spec.SchedulingConstraints
	}
	if l.Template != nil {
		return l.Template.Spec.SchedulingConstraints
	}
	return nil
}

func (l Layer) namespaceConstraints() *v1alpha1.NamespaceConstraints {
	if l.Binding != nil {
		return l.Binding.Spec.NamespaceConstraints
	}
	return l.Template.Spec.NamespaceConstraints
}

func (l Layer) schedulingOptions() *v1alpha1.SchedulingOptions {
	if l.Binding != nil {
		return l.Binding.Spec.SchedulingOptions
	}
	return l.Template.Spec.SchedulingOptions
}

func (l Layer) constraints() *v1alpha1.Constraints {
	if l.Binding != nil {
		return l.Binding.Spec.Constraints
	}
	return l.Template.Spec.Constraints
}

func (l Layer) approvers() *v1alpha1.Approvers {
	if l.Binding != nil {
		return l.Binding.Spec.Approvers
	}
	return l.Template.Spec.Approvers
}

func (l Layer) targetNamespace() string {
	if l.Binding != nil {
		return l.Binding.Spec.TargetNamespace
	}
	return l.Template.Spec.TargetNamespace
}

// TargetNamespace returns the namespace a session of layers runs in when it
// asks for none, and the source that set it: the highest layer's
// namespaceConstraints.defaultNamespace, which is the more specific setting
// because it is written next to the rules it must satisfy, else the highest
// layer's targetNamespace, else def, the function input's default. Layers are
// in Result.Layers order: the template, then the bindings highest first.
func TargetNamespace(layers []Layer, def string) (namespace, source string) {
	var dflt, dfltSource string
	for i := range layers {
		// The template, then the bindings from the lowest up, each
		// overriding what it sets.
		l := layers[(len(layers)-i)%len(layers)]
		if c := l.namespaceConstraints(); c != nil && c.DefaultNamespace != "" {
			dflt, dfltSource = c.DefaultNamespace, l.Source
		}
		if ns := l.targetNamespace(); strings.TrimSpace(ns) != "" {
			namespace, source = ns, l.Source
		}
	}
	switch {
	case dflt != "":
		return dflt, dfltSource
	case namespace == "":
		return def, SourceInputDefault
	}
	return namespace, source
}

// layer records the layers of a session and fills its effective settings.
// chain holds the applying bindings highest first, and is empty when the
// template applies alone. It returns the scheduling options and namespace
// rules in force, which the session's own choices are checked against.
//
// Settings are applied lowest layer first, the template and then the chain
// from its lowest binding up, each overriding what it sets. That gives "a
// binding value overrides the template's when set" and, within an additive
// chain, "every field from the highest binding that sets it" in one pass.
func (x *Index) layer(res *Result, t *v1alpha1.DebugSessionTemplate, chain []*compiledBinding) (effectiveOptions, namespaceRules) {
	res.Layers = make([]Layer, 0, len(chain)+1)
	res.Layers = append(res.Layers, Layer{Source: t.Describe(), Template: t})
	for _, cb := range chain {
		res.Layers = append(res.Layers, Layer{Source: cb.binding.Describe(), Binding: cb.binding})
	}

	src := map[string]string{}
	var opts effectiveOptions
	var nsRules namespaceRules
	for i := range res.Layers {
		// The template, then the bindings from the lowest up.
		l := res.Layers[(len(res.Layers)-i)%len(res.Layers)]
		opts.add(l)
		nsRules.add(l)
		if c := l.constraints(); c != nil {
			for _, f := range constraintFields {
				if f.copy(&res.Constraints, c) {
					src["constraints."+f.name] = l.Source
				}
			}
		}
		// A binding that sets approvers replaces the template's even when
		// it lists nobody: that is how a binding turns approval off.
		if a := l.approvers(); a != nil {
			res.Approvers = a.DeepCopy()
			src["approvers"] = l.Source
		}
		// A plain bool cannot say "unset", so only true counts as setting
		// it.
		if l.Binding != nil && l.Binding.Spec.AllowUserNodeSelector {
			res.AllowUserNodeSelector = true
			src["allowUserNodeSelector"] = l.Source
		}
	}
	res.TargetNamespace, src["targetNamespace"] = TargetNamespace(res.Layers, x.in.GetDefaultTargetNamespace())
	if opts.options != nil {
		src["schedulingOptions"] = opts.source
	}
	var from string
	res.DisplayName, from = EffectiveDisplayName(t, res.Bindings())
	if from != "" {
		src[sourceDisplayName] = from
	}
	res.Sources = src
	return opts, nsRules
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

package scheduling

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
)

func TestEffective(t *testing.T) {
	type args struct {
		template resolution.Layer
		bindings []resolution.Layer
	}
	type want struct {
		c   *sc
		err error
	}
	tmpl := templateLayer
	binding := bindingLayer
	spreadZone := corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: "topology.kubernetes.io/zone", WhenUnsatisfiable: corev1.ScheduleAnyway}
	spreadZone3 := spreadZone
	spreadZone3.MaxSkew = 3

	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"NothingAnywhere": {
			reason: "Without constraints on the template or a binding, nothing is in force.",
			args:   args{template: tmpl(nil), bindings: []resolution.Layer{binding("b", nil)}},
			want:   want{},
		},
		"TemplateAlone": {
			reason: "The template's constraints apply when no binding applies.",
			args:   args{template: tmpl(&sc{NodeSelector: map[string]string{"role": "worker"}})},
			want:   want{c: &sc{NodeSelector: map[string]string{"role": "worker"}}},
		},
		"BindingAddsToTemplate": {
			reason: "A binding's restrictions are added to the template's.",
			args: args{
				template: tmpl(&sc{NodeSelector: map[string]string{"role": "worker"}}),
				bindings: []resolution.Layer{binding("prod", &sc{DeniedNodes: []string{"control-plane-*"}, DeniedNodeLabels: map[string]string{"node-role.kubernetes.io/control-plane": "*"}})},
			},
			want: want{c: &sc{NodeSelector: map[string]string{"role": "worker"}, DeniedNodes: []string{"control-plane-*"}, DeniedNodeLabels: map[string]string{"node-role.kubernetes.io/control-plane": "*"}}},
		},
		"BindingNodeSelectorWinsOverTemplate": {
			reason: "The binding's nodeSelector value wins over the template's base value.",
			args: args{
				template: tmpl(&sc{NodeSelector: map[string]string{"node-pool": "restricted", "base": "template"}}),
				bindings: []resolution.Layer{binding("prod", &sc{NodeSelector: map[string]string{"node-pool": "general"}})},
			},
			want: want{c: &sc{NodeSelector: map[string]string{"node-pool": "general", "base": "template"}}},
		},
		"BindingSpreadWinsOverTemplate": {
			reason: "A binding's topology spread constraint replaces the template's for the same key and action.",
			args: args{
				template: tmpl(&sc{TopologySpreadConstraints: []corev1.TopologySpreadConstraint{spreadZone}}),
				bindings: []resolution.Layer{binding("prod", &sc{TopologySpreadConstraints: []corev1.TopologySpreadConstraint{spreadZone3}})},
			},
			want: want{c: &sc{TopologySpreadConstraints: []corev1.TopologySpreadConstraint{spreadZone3}}},
		},
		"AdditiveBindingsAgree": {
			reason: "Additive bindings that agree merge: all keys present, the template's overridden value replaced.",
			args: args{
				template: tmpl(&sc{NodeSelector: map[string]string{"pool": "template"}}),
				bindings: []resolution.Layer{
					binding("platform", &sc{NodeSelector: map[string]string{"pool": "debug"}, RequiredNodeAffinity: selector(term(absent("node-role.kubernetes.io/control-plane")))}),
					binding("prod", &sc{NodeSelector: map[string]string{"pool": "debug", "zone": "a"}, RequiredNodeAffinity: selector(term(in("tenant", "a")), term(in("tenant", "b")))}),
				},
			},
			want: want{c: &sc{
				NodeSelector: map[string]string{"pool": "debug", "zone": "a"},
				RequiredNodeAffinity: selector(
					term(absent("node-role.kubernetes.io/control-plane"), in("tenant", "a")),
					term(absent("node-role.kubernetes.io/control-plane"), in("tenant", "b")),
				),
			}},
		},
		"AdditiveBindingsDisagree": {
			reason: "Two bindings disagreeing on a nodeSelector key is an error naming both, even when the template set it too.",
			args: args{
				template: tmpl(&sc{NodeSelector: map[string]string{"pool": "template"}}),
				bindings: []resolution.Layer{
					binding("platform", &sc{NodeSelector: map[string]string{"pool": "debug"}}),
					binding("prod", &sc{NodeSelector: map[string]string{"pool": "general"}}),
				},
			},
			want: want{err: failed("DebugSessionClusterBinding breakglass-system/prod", "spec.schedulingConstraints.nodeSelector[pool]", `spec.schedulingConstraints.nodeSelector[pool]: DebugSessionClusterBinding breakglass-system/platform requires "debug" and DebugSessionClusterBinding breakglass-system/prod requires "general"; constraints merged with each other must agree`)},
		},
		"DeniedLabelsConflictWithTemplate": {
			reason: "A binding cannot replace a template's denied value with another: that would lift the template's denial.",
			args: args{
				template: tmpl(&sc{DeniedNodeLabels: map[string]string{"tier": "gold"}}),
				bindings: []resolution.Layer{binding("prod", &sc{DeniedNodeLabels: map[string]string{"tier": "silver"}})},
			},
			want: want{err: failed("DebugSessionClusterBinding breakglass-system/prod", "spec.schedulingConstraints.deniedNodeLabels[tier]", `spec.schedulingConstraints.deniedNodeLabels[tier]: DebugSessionTemplate breakglass-system/netops-debug denies "gold" and DebugSessionClusterBinding breakglass-system/prod denies "silver"; a key denies one value, or "*" for any value`)},
		},
		"InvalidBindingNamed": {
			reason: "A validation error names the object and the field.",
			args: args{
				template: tmpl(nil),
				bindings: []resolution.Layer{binding("prod", &sc{DeniedNodeLabels: map[string]string{"-bad": "*"}})},
			},
			want: want{err: failed("DebugSessionClusterBinding breakglass-system/prod", "spec.schedulingConstraints", "DebugSessionClusterBinding breakglass-system/prod: %v", field.ErrorList{field.Invalid(constraintsPath.Child("deniedNodeLabels").Key("-bad"), "-bad",
				"invalid label key: "+validation.IsQualifiedName("-bad")[0])}.ToAggregate())},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Effective(append([]resolution.Layer{tc.args.template}, tc.args.bindings...))
			if diff := cmp.Diff(tc.want.c, got); diff != "" {
				t.Errorf("%s\nEffective(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.err, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("%s\nEffective(...): -want error, +got error:\n%s", tc.reason, diff)
			}
		})
	}
}

package scheduling

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
)

// TestEffectiveWithOption covers the session's scheduling option, the last
// layer: it adds to the mandatory constraints and can never replace one.
func TestEffectiveWithOption(t *testing.T) {
	type want struct {
		c   *sc
		err error
	}
	const optionName = `scheduling option "opt" of DebugSessionTemplate ns/t`
	gpu := corev1.Toleration{Key: "nvidia.com/gpu", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}

	cases := map[string]struct {
		reason string
		layers []resolution.Layer
		want   want
	}{
		"OptionAddsToTemplateAndBinding": {
			reason: "The option's nodeSelector, tolerations and denied nodes are added to the template's and the binding's.",
			layers: []resolution.Layer{
				templateLayer(&sc{NodeSelector: map[string]string{"base": "template"}, DeniedNodes: []string{"control-plane-*"}}),
				bindingLayer("prod", &sc{NodeSelector: map[string]string{"mandatory": "binding"}}),
				optionLayer(&sc{NodeSelector: map[string]string{"accelerator": "nvidia"}, DeniedNodes: []string{"old-node-*"}, Tolerations: []corev1.Toleration{gpu}}),
			},
			want: want{c: &sc{
				NodeSelector: map[string]string{"base": "template", "mandatory": "binding", "accelerator": "nvidia"},
				DeniedNodes:  []string{"control-plane-*", "old-node-*"},
				Tolerations:  []corev1.Toleration{gpu},
			}},
		},
		"OptionRequiredAffinityIsANDed": {
			reason: "The option's required node affinity narrows the template's; it does not offer an alternative.",
			layers: []resolution.Layer{
				templateLayer(required(term(in("pool", "debug")))),
				optionLayer(required(term(in("zone", "a")))),
			},
			want: want{c: required(term(in("pool", "debug"), in("zone", "a")))},
		},
		"OptionCannotReplaceTemplateNodeSelector": {
			reason: "A binding may replace the template's nodeSelector value; an option may not, because it only adds.",
			layers: []resolution.Layer{
				templateLayer(&sc{NodeSelector: map[string]string{"node-pool": "restricted"}}),
				optionLayer(&sc{NodeSelector: map[string]string{"node-pool": "general"}}),
			},
			want: want{err: failed("DebugSessionTemplate ns/t", "spec.schedulingOptions.options[0].schedulingConstraints.nodeSelector[node-pool]",
				`spec.schedulingOptions.options[0].schedulingConstraints.nodeSelector[node-pool]: DebugSessionTemplate breakglass-system/netops-debug requires "restricted" and `+optionName+` requires "general"; a scheduling option adds to the mandatory constraints and cannot change them`)},
		},
		"OptionCannotReplaceBindingNodeSelector": {
			reason: "An option's value that differs from a binding's mandatory value is a conflict too.",
			layers: []resolution.Layer{
				templateLayer(nil),
				bindingLayer("prod", &sc{NodeSelector: map[string]string{"node-pool": "restricted"}}),
				optionLayer(&sc{NodeSelector: map[string]string{"node-pool": "general"}}),
			},
			want: want{err: failed("DebugSessionTemplate ns/t", "spec.schedulingOptions.options[0].schedulingConstraints.nodeSelector[node-pool]",
				`spec.schedulingOptions.options[0].schedulingConstraints.nodeSelector[node-pool]: DebugSessionClusterBinding breakglass-system/prod requires "restricted" and `+optionName+` requires "general"; a scheduling option adds to the mandatory constraints and cannot change them`)},
		},
		"OptionAgreeingValueIsKept": {
			reason: "An option that repeats a mandatory value adds nothing and is no conflict.",
			layers: []resolution.Layer{
				templateLayer(&sc{NodeSelector: map[string]string{"node-pool": "restricted"}}),
				optionLayer(&sc{NodeSelector: map[string]string{"node-pool": "restricted"}}),
			},
			want: want{c: &sc{NodeSelector: map[string]string{"node-pool": "restricted"}}},
		},
		"OptionCannotReplaceTemplateSpread": {
			reason: "An option cannot replace the template's topology spread constraint, as a binding could.",
			layers: []resolution.Layer{
				templateLayer(&sc{TopologySpreadConstraints: []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: "zone", WhenUnsatisfiable: corev1.DoNotSchedule}}}),
				optionLayer(&sc{TopologySpreadConstraints: []corev1.TopologySpreadConstraint{{MaxSkew: 5, TopologyKey: "zone", WhenUnsatisfiable: corev1.DoNotSchedule}}}),
			},
			want: want{err: failed("DebugSessionTemplate ns/t", "spec.schedulingOptions.options[0].schedulingConstraints.topologySpreadConstraints[0]",
				`spec.schedulingOptions.options[0].schedulingConstraints.topologySpreadConstraints[0]: DebugSessionTemplate breakglass-system/netops-debug and `+optionName+` set different constraints for topologyKey "zone" with whenUnsatisfiable "DoNotSchedule"`)},
		},
		"InvalidOptionNamesItsField": {
			reason: "A validation error names the object and the option's field.",
			layers: []resolution.Layer{
				templateLayer(nil),
				optionLayer(&sc{NodeSelector: map[string]string{"-bad": "x"}}),
			},
			want: want{err: failed("DebugSessionTemplate ns/t", "spec.schedulingOptions.options[0].schedulingConstraints",
				"%s: %v", optionName, validate(&sc{NodeSelector: map[string]string{"-bad": "x"}}, optionPath(0)).ToAggregate())},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Effective(tc.layers)
			if diff := cmp.Diff(tc.want.c, got); diff != "" {
				t.Errorf("%s\nEffective(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.err, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("%s\nEffective(...): -want error, +got error:\n%s", tc.reason, diff)
			}
		})
	}
}

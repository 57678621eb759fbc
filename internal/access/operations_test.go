package access

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

func TestEffectiveOperations(t *testing.T) {
	on, off := new(bool), new(bool)
	*on = true
	type args struct {
		template *v1alpha1.AllowedPodOperations
		bindings []BindingOperations
	}
	type want struct {
		ops      v1alpha1.PodOperations
		warnings []string
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"Defaults": {
			reason: "Without any setting, exec, attach and port-forward are on and logs off.",
			want:   want{ops: v1alpha1.PodOperations{Exec: true, Attach: true, PortForward: true}},
		},
		"TemplateSetsEverything": {
			reason: "The template's values replace the defaults, including turning logs on.",
			args:   args{template: &v1alpha1.AllowedPodOperations{Exec: off, Attach: off, PortForward: off, Logs: on}},
			want:   want{ops: v1alpha1.PodOperations{Logs: true}},
		},
		"BindingNarrows": {
			reason: "A binding may turn off what the template allows.",
			args: args{bindings: []BindingOperations{
				{Binding: "breakglass-system/prod", Operations: &v1alpha1.AllowedPodOperations{Exec: off, PortForward: off}},
			}},
			want: want{ops: v1alpha1.PodOperations{Attach: true}},
		},
		"BindingCannotWidenDefault": {
			reason: "Logs are off by default; a binding turning them on would widen the template, and is ignored with a warning naming the binding and field.",
			args: args{bindings: []BindingOperations{
				{Binding: "breakglass-system/prod", Operations: &v1alpha1.AllowedPodOperations{Logs: on}},
			}},
			want: want{
				ops:      DefaultOperations,
				warnings: []string{"DebugSessionClusterBinding breakglass-system/prod spec.allowedPodOperations.logs: true is ignored: a binding can only narrow the template, which does not allow logs"},
			},
		},
		"BindingCannotWidenTemplate": {
			reason: "A template that turns exec off cannot be widened by a binding; the narrowing fields of the same binding still apply.",
			args: args{
				template: &v1alpha1.AllowedPodOperations{Exec: off},
				bindings: []BindingOperations{{Binding: "ns/b", Operations: &v1alpha1.AllowedPodOperations{Exec: on, Attach: off}}},
			},
			want: want{
				ops:      v1alpha1.PodOperations{PortForward: true},
				warnings: []string{"DebugSessionClusterBinding ns/b spec.allowedPodOperations.exec: true is ignored: a binding can only narrow the template, which does not allow exec"},
			},
		},
		"HighestBindingWins": {
			reason: "As for every field a binding overrides, the highest binding that sets it decides, within what the template allows.",
			args: args{bindings: []BindingOperations{
				{Binding: "ns/high", Operations: &v1alpha1.AllowedPodOperations{Exec: on}},
				{Binding: "ns/low", Operations: &v1alpha1.AllowedPodOperations{Exec: off, Attach: off}},
			}},
			want: want{ops: v1alpha1.PodOperations{Exec: true, PortForward: true}},
		},
		"IgnoredValueFallsThrough": {
			reason: "An ignored widening value is as if unset: the next binding that sets the field decides.",
			args: args{
				template: &v1alpha1.AllowedPodOperations{PortForward: off},
				bindings: []BindingOperations{
					{Binding: "ns/high", Operations: &v1alpha1.AllowedPodOperations{PortForward: on}},
					{Binding: "ns/low", Operations: &v1alpha1.AllowedPodOperations{PortForward: off}},
					{Binding: "ns/unset"},
				},
			},
			want: want{
				ops:      v1alpha1.PodOperations{Exec: true, Attach: true},
				warnings: []string{"DebugSessionClusterBinding ns/high spec.allowedPodOperations.portForward: true is ignored: a binding can only narrow the template, which does not allow portForward"},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ops, warnings := EffectiveOperations(tc.args.template, tc.args.bindings)
			if diff := cmp.Diff(tc.want.ops, ops); diff != "" {
				t.Errorf("%s\nEffectiveOperations(...): -want ops, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.warnings, warnings); diff != "" {
				t.Errorf("%s\nEffectiveOperations(...): -want warnings, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

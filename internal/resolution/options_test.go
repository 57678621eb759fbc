package resolution

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

func withOption(name string) func(*v1alpha1.DebugSession) {
	return func(s *v1alpha1.DebugSession) { s.Spec.SchedulingOption = name }
}

func option(name string, mods ...func(*v1alpha1.SchedulingOption)) v1alpha1.SchedulingOption {
	o := v1alpha1.SchedulingOption{Name: name, SchedulingConstraints: &v1alpha1.SchedulingConstraints{NodeSelector: v1alpha1.LabelSet{"pool": name}}}
	for _, m := range mods {
		m(&o)
	}
	return o
}

func isDefault(o *v1alpha1.SchedulingOption) { o.Default = true }

func forGroups(g ...string) func(*v1alpha1.SchedulingOption) {
	return func(o *v1alpha1.SchedulingOption) { o.AllowedGroups = g }
}

func templateOptions(required bool, opts ...v1alpha1.SchedulingOption) func(*v1alpha1.DebugSessionTemplate) {
	return func(t *v1alpha1.DebugSessionTemplate) {
		t.Spec.SchedulingOptions = &v1alpha1.SchedulingOptions{Required: required, Options: opts}
	}
}

func bindingOptions(required bool, opts ...v1alpha1.SchedulingOption) func(*v1alpha1.DebugSessionClusterBinding) {
	return func(b *v1alpha1.DebugSessionClusterBinding) {
		b.Spec.SchedulingOptions = &v1alpha1.SchedulingOptions{Required: required, Options: opts}
	}
}

func TestResolveSchedulingOption(t *testing.T) {
	const tmpl = "DebugSessionTemplate breakglass-system/netops-debug"
	const prod = "DebugSessionClusterBinding breakglass-system/prod"
	type want struct {
		// option is the chosen option's name and the source that offers it.
		option, source string
		err            error
		warnings       []string
		// usable are the options the requester may use, kept on denial.
		usable []string
	}
	prodBinding := func(mods ...func(*v1alpha1.DebugSessionClusterBinding)) []v1alpha1.DebugSessionClusterBinding {
		return []v1alpha1.DebugSessionClusterBinding{binding("prod", "netops-debug", append([]func(*v1alpha1.DebugSessionClusterBinding){clusters("prod-*")}, mods...)...)}
	}
	alice := func(mods ...func(*v1alpha1.DebugSession)) *v1alpha1.DebugSession {
		return session("prod-a", "alice@example.com", []string{"sre-oncall"}, mods...)
	}
	cases := map[string]struct {
		reason   string
		session  *v1alpha1.DebugSession
		template *v1alpha1.DebugSessionTemplate
		bindings []v1alpha1.DebugSessionClusterBinding
		want     want
	}{
		"NoOptions": {
			reason:   "Without options and without a choice, no option layer is added.",
			session:  alice(),
			template: netopsTemplate(),
		},
		"StaleChoiceWithoutOptionsIsIgnored": {
			reason:   "A choice nobody offers (any more) is ignored with a warning, so removing options does not end running sessions.",
			session:  alice(withOption("any-worker")),
			template: netopsTemplate(),
			want:     want{warnings: []string{theSession + ` spec.schedulingOption: "any-worker" is ignored: no template or binding offers scheduling options`}},
		},
		"ChosenTemplateOption": {
			reason:   "A session picks one of the template's options.",
			session:  alice(withOption("sriov")),
			template: netopsTemplate(templateOptions(false, option("standard"), option("sriov"))),
			want:     want{usable: []string{"standard", "sriov"}, option: "sriov", source: tmpl},
		},
		"UnknownChoiceDenied": {
			reason:   "A choice that is not among the options is Denied, naming the options.",
			session:  alice(withOption("nonexistent")),
			template: netopsTemplate(templateOptions(false, option("sriov"))),
			want: want{usable: []string{"sriov"}, err: outcome.New(v1alpha1.StateDenied, theSession, "spec.schedulingOption",
				theSession+` spec.schedulingOption: "nonexistent" is not an option of `+tmpl+` spec.schedulingOptions; choose one of "sriov"`)},
		},
		"RequiredDefaultApplies": {
			reason:   "With required options and no choice, the default applies.",
			session:  alice(),
			template: netopsTemplate(templateOptions(true, option("standard", isDefault), option("sriov"))),
			want:     want{usable: []string{"standard", "sriov"}, option: "standard", source: tmpl},
		},
		"RequiredWithoutDefaultDenied": {
			reason:   "With required options, no choice and no default, the session is Denied.",
			session:  alice(),
			template: netopsTemplate(templateOptions(true, option("sriov"))),
			want: want{usable: []string{"sriov"}, err: outcome.New(v1alpha1.StateDenied, theSession, "spec.schedulingOption",
				theSession+` spec.schedulingOption: `+tmpl+` spec.schedulingOptions.required needs a scheduling option and `+tmpl+` has no default; choose one of "sriov"`)},
		},
		"NotRequiredNoChoiceUsesNone": {
			reason:   "Options that are not required apply only when chosen, even with a default.",
			session:  alice(),
			template: netopsTemplate(templateOptions(false, option("standard", isDefault))),
			want:     want{usable: []string{"standard"}},
		},
		"RestrictedOptionByGroupGlob": {
			reason:   "allowedGroups are globs: sre-* admits sre-oncall.",
			session:  alice(withOption("gpu")),
			template: netopsTemplate(templateOptions(false, option("gpu", forGroups("sre-*")))),
			want:     want{usable: []string{"gpu"}, option: "gpu", source: tmpl},
		},
		"RestrictedOptionDenied": {
			reason:   "A requester outside an option's allowlist may not use it.",
			session:  alice(withOption("gpu")),
			template: netopsTemplate(templateOptions(false, option("gpu", forGroups("platform-admins")))),
			want: want{err: outcome.New(v1alpha1.StateDenied, tmpl, "spec.schedulingOptions.options[0].allowedUsers",
				tmpl+` spec.schedulingOptions.options[0]: alice@example.com may not use scheduling option "gpu": it is limited to users [] and groups [platform-admins]`)},
		},
		"RestrictedDefaultDenied": {
			reason:   "The default is checked like a choice: a restricted default denies whoever it does not admit.",
			session:  alice(),
			template: netopsTemplate(templateOptions(true, option("gpu", isDefault, forGroups("platform-admins")))),
			want: want{err: outcome.New(v1alpha1.StateDenied, tmpl, "spec.schedulingOptions.options[0].allowedUsers",
				tmpl+` spec.schedulingOptions.options[0]: alice@example.com may not use scheduling option "gpu": it is limited to users [] and groups [platform-admins]`)},
		},
		"BindingOptionsReplaceTemplate": {
			reason:   "A binding's options replace the template's: the binding's option is offered, by the binding.",
			session:  alice(withOption("dedicated")),
			template: netopsTemplate(templateOptions(false, option("template-opt"))),
			bindings: prodBinding(bindingOptions(false, option("dedicated"))),
			want:     want{usable: []string{"dedicated"}, option: "dedicated", source: prod},
		},
		"TemplateOptionGoneWithBindingOptions": {
			reason:   "Once a binding sets options, the template's are not offered on its clusters.",
			session:  alice(withOption("template-opt")),
			template: netopsTemplate(templateOptions(false, option("template-opt"))),
			bindings: prodBinding(bindingOptions(false, option("dedicated"))),
			want: want{usable: []string{"dedicated"}, err: outcome.New(v1alpha1.StateDenied, theSession, "spec.schedulingOption",
				theSession+` spec.schedulingOption: "template-opt" is not an option of `+prod+` spec.schedulingOptions; choose one of "dedicated"`)},
		},
		"BindingCannotDropRequired": {
			reason:   "A binding trying to widen by making options optional: the template's required still holds, so the binding's default applies.",
			session:  alice(),
			template: netopsTemplate(templateOptions(true, option("standard", isDefault))),
			bindings: prodBinding(bindingOptions(false, option("dedicated", isDefault))),
			want:     want{usable: []string{"dedicated"}, option: "dedicated", source: prod},
		},
		"BindingCannotDropRequiredWithoutDefault": {
			reason:   "The template's required with a binding's options without a default denies a session without a choice, naming both.",
			session:  alice(),
			template: netopsTemplate(templateOptions(true, option("standard", isDefault))),
			bindings: prodBinding(bindingOptions(false, option("dedicated"))),
			want: want{usable: []string{"dedicated"}, err: outcome.New(v1alpha1.StateDenied, theSession, "spec.schedulingOption",
				theSession+` spec.schedulingOption: `+tmpl+` spec.schedulingOptions.required needs a scheduling option and `+prod+` has no default; choose one of "dedicated"`)},
		},
		"BindingMakesOptionsRequired": {
			reason:   "A binding may narrow optional options to required ones: its default then applies.",
			session:  alice(),
			template: netopsTemplate(templateOptions(false, option("standard"))),
			bindings: prodBinding(bindingOptions(true, option("dedicated", isDefault))),
			want:     want{usable: []string{"dedicated"}, option: "dedicated", source: prod},
		},
		"TwoDefaultsFail": {
			reason:   "Two defaults are a configuration error, Failed and named.",
			session:  alice(),
			template: netopsTemplate(templateOptions(true, option("a", isDefault), option("b", isDefault))),
			want: want{usable: []string{"a", "b"}, err: outcome.New(v1alpha1.StateFailed, tmpl, "spec.schedulingOptions.options[1].default",
				tmpl+` spec.schedulingOptions: options "a" and "b" are both the default; at most one may be`)},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := Resolve(Request{Session: tc.session, Template: tc.template, Bindings: tc.bindings})
			got := want{err: err, warnings: res.Warnings, usable: res.UsableSchedulingOptions}
			if o := res.SchedulingOption(); o != nil {
				got.option, got.source = o.Name, res.Layers[len(res.Layers)-1].Source
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{}), cmpopts.EquateErrors(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nResolve(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

package resolution

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

func inTargetNamespace(ns string) func(*v1alpha1.DebugSession) {
	return func(s *v1alpha1.DebugSession) { s.Spec.TargetNamespace = ns }
}

func templateNamespaces(c v1alpha1.NamespaceConstraints) func(*v1alpha1.DebugSessionTemplate) {
	return func(t *v1alpha1.DebugSessionTemplate) { t.Spec.NamespaceConstraints = &c }
}

func bindingNamespaces(c v1alpha1.NamespaceConstraints) func(*v1alpha1.DebugSessionClusterBinding) {
	return func(b *v1alpha1.DebugSessionClusterBinding) { b.Spec.NamespaceConstraints = &c }
}

func patterns(p ...string) *v1alpha1.NamespaceFilter { return &v1alpha1.NamespaceFilter{Patterns: p} }

func labelTerm(kv ...string) *v1alpha1.NamespaceFilter {
	l := v1alpha1.LabelSet{}
	for i := 0; i+1 < len(kv); i += 2 {
		l[kv[i]] = kv[i+1]
	}
	return &v1alpha1.NamespaceFilter{SelectorTerms: []v1alpha1.NamespaceSelectorTerm{{MatchLabels: l}}}
}

func TestResolveTargetNamespace(t *testing.T) {
	const tmpl = "DebugSessionTemplate breakglass-system/netops-debug"
	const prod = "DebugSessionClusterBinding breakglass-system/prod"
	type want struct {
		namespace, source string
		err               error
		warnings          []string
	}
	yes, no := ptrTo(true), ptrTo(false)
	prodBinding := func(c v1alpha1.NamespaceConstraints) []v1alpha1.DebugSessionClusterBinding {
		return []v1alpha1.DebugSessionClusterBinding{binding("prod", "netops-debug", clusters("prod-*"), bindingNamespaces(c))}
	}
	alice := func(mods ...func(*v1alpha1.DebugSession)) *v1alpha1.DebugSession {
		return session("prod-a", "alice@example.com", []string{"sre-oncall"}, mods...)
	}
	open := v1alpha1.NamespaceConstraints{AllowUserNamespace: yes, AllowedNamespaces: patterns("debug-*"), DeniedNamespaces: patterns("kube-*")}
	withLabels := clusterConfig("prod-a")
	withLabels.Spec.NamespaceLabels = map[string]v1alpha1.LabelSet{"debug-pci": {"compliance": "pci"}, "debug-team": {"team": "a"}}

	cases := map[string]struct {
		reason   string
		session  *v1alpha1.DebugSession
		template *v1alpha1.DebugSessionTemplate
		bindings []v1alpha1.DebugSessionClusterBinding
		cc       *v1alpha1.ClusterConfig
		want     want
	}{
		"DefaultNamespaceWins": {
			reason:   "namespaceConstraints.defaultNamespace takes precedence over targetNamespace.",
			session:  alice(),
			template: netopsTemplate(func(t *v1alpha1.DebugSessionTemplate) { t.Spec.TargetNamespace = "old" }, templateNamespaces(v1alpha1.NamespaceConstraints{DefaultNamespace: "debug-default"})),
			want:     want{namespace: "debug-default", source: tmpl},
		},
		"UserChoosesAllowed": {
			reason:   "A session may choose an allowed namespace when the template lets it.",
			session:  alice(inTargetNamespace("debug-team")),
			template: netopsTemplate(templateNamespaces(open)),
			want:     want{namespace: "debug-team", source: theSession},
		},
		"UserChoiceNotAllowed": {
			reason:   "Without allowUserNamespace a session cannot choose.",
			session:  alice(inTargetNamespace("debug-team")),
			template: netopsTemplate(),
			want: want{err: outcome.Denied(theSession, "spec.targetNamespace",
				`namespace "debug-team" cannot be chosen: no template allows it with spec.namespaceConstraints.allowUserNamespace; sessions run in "breakglass-debug"`)},
		},
		"SameAsDefaultNeedsNoPermission": {
			reason:   "Asking for the namespace the session would use anyway is no choice.",
			session:  alice(inTargetNamespace("breakglass-debug")),
			template: netopsTemplate(),
			want:     want{namespace: "breakglass-debug", source: SourceInputDefault},
		},
		"DeniedPatternRefused": {
			reason:   "A denied pattern refuses the namespace, naming the pattern.",
			session:  alice(inTargetNamespace("kube-debug")),
			template: netopsTemplate(templateNamespaces(v1alpha1.NamespaceConstraints{AllowUserNamespace: yes, DeniedNamespaces: patterns("kube-*")})),
			want: want{err: outcome.New(v1alpha1.StateDenied, tmpl, "spec.namespaceConstraints.deniedNamespaces.patterns[0]",
				tmpl+` spec.namespaceConstraints.deniedNamespaces.patterns[0]: namespace "kube-debug" is denied`)},
		},
		"NotAllowedRefused": {
			reason:   "A namespace outside allowedNamespaces is refused.",
			session:  alice(inTargetNamespace("prod-apps")),
			template: netopsTemplate(templateNamespaces(open)),
			want: want{err: outcome.New(v1alpha1.StateDenied, tmpl, "spec.namespaceConstraints.allowedNamespaces",
				tmpl+` spec.namespaceConstraints.allowedNamespaces: namespace "prod-apps" is not allowed`)},
		},
		"BindingCannotWidenAllowed": {
			reason:   "A binding allowing every namespace does not widen the template's allowedNamespaces: both must allow.",
			session:  alice(inTargetNamespace("prod-apps")),
			template: netopsTemplate(templateNamespaces(open)),
			bindings: prodBinding(v1alpha1.NamespaceConstraints{AllowedNamespaces: patterns("*")}),
			want: want{err: outcome.New(v1alpha1.StateDenied, tmpl, "spec.namespaceConstraints.allowedNamespaces",
				tmpl+` spec.namespaceConstraints.allowedNamespaces: namespace "prod-apps" is not allowed`)},
		},
		"BindingDeniesMore": {
			reason:   "A binding's denied namespaces add to the template's.",
			session:  alice(inTargetNamespace("debug-pci")),
			template: netopsTemplate(templateNamespaces(open)),
			bindings: prodBinding(v1alpha1.NamespaceConstraints{DeniedNamespaces: patterns("*-pci")}),
			want: want{err: outcome.New(v1alpha1.StateDenied, prod, "spec.namespaceConstraints.deniedNamespaces.patterns[0]",
				prod+` spec.namespaceConstraints.deniedNamespaces.patterns[0]: namespace "debug-pci" is denied`)},
		},
		"BindingCannotWidenAllowUser": {
			reason:   "A binding cannot let sessions choose when the template does not: it is ignored with a warning.",
			session:  alice(inTargetNamespace("debug-team")),
			template: netopsTemplate(),
			bindings: prodBinding(v1alpha1.NamespaceConstraints{AllowUserNamespace: yes}),
			want: want{
				err: outcome.Denied(theSession, "spec.targetNamespace",
					`namespace "debug-team" cannot be chosen: no template allows it with spec.namespaceConstraints.allowUserNamespace; sessions run in "breakglass-debug"`),
				warnings: []string{prod + " spec.namespaceConstraints.allowUserNamespace: true is ignored: only the template can let sessions choose their namespace"},
			},
		},
		"BindingTurnsAllowUserOff": {
			reason:   "A binding may turn the choice off, and the refusal names it.",
			session:  alice(inTargetNamespace("debug-team")),
			template: netopsTemplate(templateNamespaces(open)),
			bindings: prodBinding(v1alpha1.NamespaceConstraints{AllowUserNamespace: no}),
			want: want{err: outcome.Denied(theSession, "spec.targetNamespace",
				`namespace "debug-team" cannot be chosen: `+prod+` spec.namespaceConstraints.allowUserNamespace is false; sessions run in "breakglass-debug"`)},
		},
		"DeniedSelectorWithLabels": {
			reason:   "Selector terms match the labels the ClusterConfig lists for the namespace.",
			session:  alice(inTargetNamespace("debug-pci")),
			template: netopsTemplate(templateNamespaces(v1alpha1.NamespaceConstraints{AllowUserNamespace: yes, DeniedNamespaces: labelTerm("compliance", "pci")})),
			cc:       withLabels,
			want: want{err: outcome.New(v1alpha1.StateDenied, tmpl, "spec.namespaceConstraints.deniedNamespaces.selectorTerms[0]",
				tmpl+` spec.namespaceConstraints.deniedNamespaces.selectorTerms[0]: namespace "debug-pci" is denied`)},
		},
		"DeniedSelectorUnknownLabelsFailsClosed": {
			reason:   "A deny selector cannot be evaluated without the namespace's labels, so the namespace is refused.",
			session:  alice(inTargetNamespace("debug-other")),
			template: netopsTemplate(templateNamespaces(v1alpha1.NamespaceConstraints{AllowUserNamespace: yes, DeniedNamespaces: labelTerm("compliance", "pci")})),
			cc:       withLabels,
			want: want{err: outcome.New(v1alpha1.StateDenied, tmpl, "spec.namespaceConstraints.deniedNamespaces.selectorTerms",
				tmpl+` spec.namespaceConstraints.deniedNamespaces.selectorTerms: cannot tell whether namespace "debug-other" is denied: the cluster's ClusterConfig lists no labels for it in spec.namespaceLabels`)},
		},
		"AllowedSelector": {
			reason:   "An allowed selector admits a namespace whose listed labels match.",
			session:  alice(inTargetNamespace("debug-team")),
			template: netopsTemplate(templateNamespaces(v1alpha1.NamespaceConstraints{AllowUserNamespace: yes, AllowedNamespaces: labelTerm("team", "a")})),
			cc:       withLabels,
			want:     want{namespace: "debug-team", source: theSession},
		},
		"ConfiguredDefaultDeniedFails": {
			reason:   "A default namespace the constraints deny is a configuration error: Failed.",
			session:  alice(),
			template: netopsTemplate(templateNamespaces(v1alpha1.NamespaceConstraints{DefaultNamespace: "kube-debug", DeniedNamespaces: patterns("kube-*")})),
			want: want{err: outcome.New(v1alpha1.StateFailed, tmpl, "spec.namespaceConstraints.deniedNamespaces.patterns[0]",
				tmpl+` spec.namespaceConstraints.deniedNamespaces.patterns[0]: namespace "kube-debug" is denied`)},
		},
		"InvalidName": {
			reason:   "A namespace that is no DNS label is Denied before anything else.",
			session:  alice(inTargetNamespace("Debug_NS")),
			template: netopsTemplate(templateNamespaces(open)),
			want: want{err: outcome.Denied(theSession, "spec.targetNamespace",
				`"Debug_NS" is not a namespace name: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`)},
		},
		"BrokenSelectorFails": {
			reason:   "A selector term that is no valid selector fails, naming the term.",
			session:  alice(inTargetNamespace("debug-team")),
			template: netopsTemplate(templateNamespaces(v1alpha1.NamespaceConstraints{AllowUserNamespace: yes, AllowedNamespaces: &v1alpha1.NamespaceFilter{SelectorTerms: []v1alpha1.NamespaceSelectorTerm{{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "team", Operator: metav1.LabelSelectorOpIn}}}}}})),
			cc:       withLabels,
			want: want{err: outcome.New(v1alpha1.StateFailed, tmpl, "spec.namespaceConstraints.allowedNamespaces.selectorTerms[0]",
				tmpl+` spec.namespaceConstraints.allowedNamespaces.selectorTerms[0]: values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty`)},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := Resolve(Request{Session: tc.session, Template: tc.template, Bindings: tc.bindings, ClusterConfig: tc.cc})
			got := want{err: err, warnings: res.Warnings}
			if err == nil {
				got.namespace, got.source = res.TargetNamespace, res.Sources["targetNamespace"]
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{}), cmpopts.EquateErrors(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nResolve(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

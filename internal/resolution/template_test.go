package resolution

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// templateSelector makes a binding select templates by label instead of
// naming one.
func templateSelector(s *metav1.LabelSelector) func(*v1alpha1.DebugSessionClusterBinding) {
	return func(b *v1alpha1.DebugSessionClusterBinding) {
		b.Spec.TemplateRef = nil
		b.Spec.TemplateSelector = s
	}
}

func templateLabels(kv ...string) func(*v1alpha1.DebugSessionTemplate) {
	return func(t *v1alpha1.DebugSessionTemplate) { t.Labels = matchLabels(kv...).MatchLabels }
}

func displayNamePrefix(p string) func(*v1alpha1.DebugSessionClusterBinding) {
	return func(b *v1alpha1.DebugSessionClusterBinding) { b.Spec.DisplayNamePrefix = p }
}

var badOperator = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "tier", Operator: "Like", Values: []string{"network"}}}}

func TestSelectsTemplate(t *testing.T) {
	network := template("netops-debug", templateLabels("tier", "network"))
	elsewhere := template("netops-debug", templateLabels("tier", "network"), func(t *v1alpha1.DebugSessionTemplate) { t.Namespace = "team-x" })
	both := binding("both", "netops-debug", templateSelector(matchLabels("tier", "network")), func(b *v1alpha1.DebugSessionClusterBinding) {
		b.Spec.TemplateRef = &v1alpha1.ObjectReference{Name: "netops-debug"}
	})
	cases := map[string]struct {
		reason string
		b      v1alpha1.DebugSessionClusterBinding
		t      *v1alpha1.DebugSessionTemplate
		want   bool
	}{
		"RefNamesTemplate":           {reason: "A templateRef without namespace names a template of the binding's namespace.", b: binding("b", "netops-debug"), t: network, want: true},
		"RefNamesOtherTemplate":      {reason: "A templateRef of another name does not apply.", b: binding("b", "privileged-debug"), t: network},
		"RefNamesOtherNamespace":     {reason: "A templateRef with a namespace reaches that namespace.", b: binding("b", "netops-debug", inNamespace("team-x"), templateInConfigNS), t: network, want: true},
		"SelectorSelectsLabels":      {reason: "A selector applies to a template of its namespace whose labels it selects.", b: binding("b", "", templateSelector(matchLabels("tier", "network"))), t: network, want: true},
		"SelectorOtherLabels":        {reason: "A selector does not apply to a template whose labels it does not select.", b: binding("b", "", templateSelector(matchLabels("tier", "compute"))), t: network},
		"SelectorExpressions":        {reason: "matchExpressions select like matchLabels.", b: binding("b", "", templateSelector(&metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"network", "storage"}}}})), t: network, want: true},
		"SelectorStaysInNamespace":   {reason: "A selector never reaches a template of another namespace, whatever its labels: whoever writes templates there chose them.", b: binding("b", "", templateSelector(matchLabels("tier", "network"))), t: elsewhere},
		"SelectorFromOtherNamespace": {reason: "Nor does a selector in another namespace reach the config namespace.", b: binding("b", "", inNamespace("team-x"), templateSelector(matchLabels("tier", "network"))), t: network},
		"EmptySelectorSelectsNone":   {reason: "An empty selector would bind every template, so it binds none.", b: binding("b", "", templateSelector(&metav1.LabelSelector{})), t: network},
		"InvalidSelectorSelectsNone": {reason: "A selector that does not parse selects nothing, never everything.", b: binding("b", "", templateSelector(badOperator)), t: network},
		"BothSetSelectsNone":         {reason: "A binding with a templateRef and a templateSelector is ambiguous and applies to no template.", b: both, t: network},
		"NeitherSetSelectsNone":      {reason: "A binding that names no template applies to none.", b: binding("b", "", templateSelector(nil)), t: network},
		"NoTemplate":                 {reason: "There is nothing to select.", b: binding("b", "netops-debug")},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := SelectsTemplate(&tc.b, tc.t); got != tc.want {
				t.Errorf("%s\nSelectsTemplate(...) = %v, want %v", tc.reason, got, tc.want)
			}
		})
	}
}

// templateSelectorCases are the Resolve cases of bindings that select
// templates by label.
func templateSelectorCases() map[string]resolveCase {
	prodA := clusterConfig("prod-cluster-a", "environment", "production")
	alice := []string{"sre-oncall"}
	network := netopsTemplate(templateLabels("tier", "network"))
	byTier := templateSelector(matchLabels("tier", "network"))

	return map[string]resolveCase{
		"TemplateSelectorApplies": {
			reason: "A binding that selects the template's labels applies like one that names it.",
			args: resolveArgs{
				session: session("prod-cluster-a", "alice@example.com", alice), template: network, cc: prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("network-prod", "", byTier, clusters("prod-*"))},
			},
			want: decision{Bindings: []string{"breakglass-system/network-prod"}},
		},
		"TemplateSelectorOtherLabels": {
			reason: "A selector that does not select the template's labels does not apply: the template alone decides.",
			args: resolveArgs{
				session: session("prod-cluster-a", "alice@example.com", alice), template: network, cc: prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("compute-prod", "", templateSelector(matchLabels("tier", "compute")), clusters("prod-*"), allowedGroups("nobody"))},
			},
			want: decision{},
		},
		"TemplateSelectorCompetesWithTemplateRef": {
			reason: "Selector and templateRef bindings of one template are ordered together: priority decides.",
			args: resolveArgs{
				session: session("prod-cluster-a", "alice@example.com", alice), template: network, cc: prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(), binding("network-prod", "", byTier, clusters("prod-*"), priority(60))},
			},
			want: decision{Bindings: []string{"breakglass-system/network-prod"}},
		},
		"TemplateSelectorStaysInItsNamespace": {
			reason: "A trusted binding of another namespace does not reach the config namespace's templates by label.",
			args: resolveArgs{
				session: session("prod-cluster-a", "tim@example.com", []string{"team-x-oncall"}), template: network, cc: prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("team-x", "", inNamespace("team-x"), byTier, clusters("prod-*"), allowedGroups("team-x-oncall"))},
				input:    &v1beta1.Input{BindingNamespaces: []string{"breakglass-system", "team-x"}},
			},
			want: decision{Err: denied("DebugSessionTemplate breakglass-system/netops-debug", "spec.allowed", "template netops-debug does not admit tim@example.com on cluster prod-cluster-a")},
		},
		"TemplateSelectorDeniesLikeTemplateRef": {
			reason: "A selector binding that applies but does not admit the requester denies, as a templateRef binding does.",
			args: resolveArgs{
				session: session("prod-cluster-a", "alice@example.com", alice), template: network, cc: prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("network-prod", "", byTier, clusters("prod-*"), allowedGroups("netops-team"))},
			},
			want: decision{Err: denied(theSession, "spec.requestedBy", "no binding for cluster prod-cluster-a admits alice@example.com (groups sre-oncall) to template netops-debug; 1 binding applies to the cluster")},
		},
		"InvalidTemplateSelectorWarns": {
			reason: "A selector that does not parse selects nothing, and every session of a template in its namespace hears about it.",
			args: resolveArgs{
				session: session("prod-cluster-a", "alice@example.com", alice), template: network, cc: prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("typo", "", templateSelector(badOperator), clusters("*"), allowedGroups("nobody"))},
			},
			want: decision{Warnings: []string{`DebugSessionClusterBinding breakglass-system/typo spec.templateSelector: "Like" is not a valid label selector operator: it selects no template`}},
		},
		"EmptyTemplateSelectorWarns": {
			reason: "An empty selector would bind every template; it binds none, and says so.",
			args: resolveArgs{
				session: session("prod-cluster-a", "alice@example.com", alice), template: network, cc: prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("all", "", templateSelector(&metav1.LabelSelector{}), clusters("*"), allowedGroups("nobody"))},
			},
			want: decision{Warnings: []string{"DebugSessionClusterBinding breakglass-system/all spec.templateSelector: is empty: it would select every template, so it selects none"}},
		},
		"BothTemplateFieldsWarn": {
			reason: "A binding with both templateRef and templateSelector applies to no template, even the one it names.",
			args: resolveArgs{
				session: session("prod-cluster-a", "alice@example.com", alice), template: network, cc: prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("both", "netops-debug", clusters("*"), allowedGroups("nobody"), func(b *v1alpha1.DebugSessionClusterBinding) {
					b.Spec.TemplateSelector = matchLabels("tier", "network")
				})},
			},
			want: decision{Warnings: []string{"DebugSessionClusterBinding breakglass-system/both spec.templateSelector: is set together with spec.templateRef; set exactly one: the binding applies to no template"}},
		},
		"NeitherTemplateFieldWarns": {
			reason: "A binding that names no template applies to none, and says so.",
			args: resolveArgs{
				session: session("prod-cluster-a", "alice@example.com", alice), template: network, cc: prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("none", "", templateSelector(nil), clusters("*"))},
			},
			want: decision{Warnings: []string{"DebugSessionClusterBinding breakglass-system/none spec: set templateRef or templateSelector: the binding applies to no template"}},
		},
		"TemplateSelectorBindingCannotWiden": {
			reason: "A selector binding narrows like any binding: its allowUserNamespace true is ignored with a warning.",
			args: resolveArgs{
				session: session("prod-cluster-a", "alice@example.com", alice), template: network, cc: prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("network-prod", "", byTier, clusters("prod-*"), func(b *v1alpha1.DebugSessionClusterBinding) {
					b.Spec.NamespaceConstraints = &v1alpha1.NamespaceConstraints{AllowUserNamespace: ptrTo(true)}
				})},
			},
			want: decision{
				Bindings: []string{"breakglass-system/network-prod"},
				Warnings: []string{"DebugSessionClusterBinding breakglass-system/network-prod spec.namespaceConstraints.allowUserNamespace: true is ignored: only the template can let sessions choose their namespace"},
			},
		},
	}
}

func TestEffectiveDisplayName(t *testing.T) {
	type want struct {
		DisplayName string
		Prefixed    bool
		Source      string
	}
	prodA := clusterConfig("prod-cluster-a", "environment", "production")
	alice := []string{"sre-oncall"}
	named := func(t *v1alpha1.DebugSessionTemplate) { t.Spec.DisplayName = "Network Debug" }
	cases := map[string]struct {
		reason   string
		template *v1alpha1.DebugSessionTemplate
		bindings []v1alpha1.DebugSessionClusterBinding
		want     want
	}{
		"TemplateAlone": {
			reason:   "Without a binding the template's display name is shown as it is.",
			template: netopsTemplate(named),
			want:     want{DisplayName: "Network Debug"},
		},
		"BindingWithoutPrefix": {
			reason:   "A binding without a prefix leaves the display name alone.",
			template: netopsTemplate(named),
			bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific()},
			want:     want{DisplayName: "Network Debug"},
		},
		"Prefix": {
			reason:   "The picked binding's prefix goes before the template's display name, as upstream's API shows it.",
			template: netopsTemplate(named),
			bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(displayNamePrefix("Production"))},
			want:     want{DisplayName: "Production - Network Debug", Prefixed: true, Source: "DebugSessionClusterBinding breakglass-system/prod-cluster-a-specific"},
		},
		"PrefixBeforeName": {
			reason:   "A template without a display name is shown by its name after the prefix.",
			template: netopsTemplate(),
			bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(displayNamePrefix("Development"))},
			want:     want{DisplayName: "Development - netops-debug", Prefixed: true, Source: "DebugSessionClusterBinding breakglass-system/prod-cluster-a-specific"},
		},
		"HighestPrefixOfChain": {
			reason:   "In an additive chain the highest binding that sets a prefix gives it, like every other field.",
			template: netopsTemplate(named),
			bindings: []v1alpha1.DebugSessionClusterBinding{
				productionDefaults(additive),
				prodClusterASpecific(displayNamePrefix("[A] ")),
			},
			want: want{DisplayName: "[A] - Network Debug", Prefixed: true, Source: "DebugSessionClusterBinding breakglass-system/prod-cluster-a-specific"},
		},
		"PrefixOfSelectorBinding": {
			reason:   "A binding that selects the template by label gives its prefix the same way.",
			template: netopsTemplate(named, templateLabels("tier", "network")),
			bindings: []v1alpha1.DebugSessionClusterBinding{binding("network-prod", "", templateSelector(matchLabels("tier", "network")), clusters("prod-*"), displayNamePrefix("PROD"))},
			want:     want{DisplayName: "PROD - Network Debug", Prefixed: true, Source: "DebugSessionClusterBinding breakglass-system/network-prod"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := Resolve(Request{Session: session("prod-cluster-a", "alice@example.com", alice), Template: tc.template, ClusterConfig: prodA, Bindings: tc.bindings})
			if err != nil {
				t.Fatal(err)
			}
			var got want
			got.DisplayName = res.DisplayName
			_, got.Prefixed = res.PrefixedDisplayName()
			got.Source = res.Sources["displayName"]
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nResolve(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

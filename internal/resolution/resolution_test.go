package resolution

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// decision is the part of a Result that says which bindings apply: why the
// session is denied, the chain of bindings by namespace/name, and the
// warnings.
type decision struct {
	Err      error
	Bindings []string
	Warnings []string
}

func decisionOf(r *Result, err error) decision {
	d := decision{Err: err, Warnings: r.Warnings}
	for _, b := range r.Bindings() {
		d.Bindings = append(d.Bindings, b.Namespace+"/"+b.Name)
	}
	return d
}

// The session of the fixtures, as errors name it.
const theSession = "DebugSession team-a/inc-1234"

func denied(object, field, msg string) error {
	return outcome.New(v1alpha1.StateDenied, object, field, msg)
}

func TestResolve(t *testing.T) {
	type args struct {
		session  *v1alpha1.DebugSession
		template *v1alpha1.DebugSessionTemplate
		cc       *v1alpha1.ClusterConfig
		bindings []v1alpha1.DebugSessionClusterBinding
		input    *v1beta1.Input
	}
	tenantTemplate := template("tenant-debug")
	tenantBindings := []v1alpha1.DebugSessionClusterBinding{tenantBinding("tenant-a"), tenantBinding("tenant-b")}
	prodA := clusterConfig("prod-cluster-a", "environment", "production", "region", "eu-west")
	alice := []string{"sre-oncall"}

	cases := map[string]struct {
		reason string
		args   args
		want   decision
	}{
		// The proposal's tenant isolation example.
		"TenantAAdminGetsTenantABinding": {
			reason: "A tenant-a admin on a cluster labelled tenant=tenant-a gets the tenant-a binding, selected by label.",
			args: args{
				session:  tenantSession("tenant-a-prod", "ann@tenant-a.example", "tenant-a-admins"),
				template: tenantTemplate,
				cc:       clusterConfig("tenant-a-prod", "tenant", "tenant-a"),
				bindings: tenantBindings,
			},
			want: decision{Bindings: []string{"breakglass-system/tenant-a-debug"}},
		},
		"TenantBAdminDeniedOnTenantACluster": {
			reason: "The tenant-a binding applies to the cluster but does not admit a tenant-b admin, so the session is denied rather than falling back to the template.",
			args: args{
				session:  tenantSession("tenant-a-prod", "bob@tenant-b.example", "tenant-b-admins"),
				template: tenantTemplate,
				cc:       clusterConfig("tenant-a-prod", "tenant", "tenant-a"),
				bindings: tenantBindings,
			},
			want: decision{Err: denied(theSession, "spec.requestedBy", "no binding for cluster tenant-a-prod admits bob@tenant-b.example (groups tenant-b-admins) to template tenant-debug; 1 binding applies to the cluster")},
		},
		"TenantClusterWithoutBindingFallsBackAndTemplateAdmitsNobody": {
			reason: "On a cluster of neither tenant no binding applies; the tenant template allows no cluster, so the session is denied.",
			args: args{
				session:  tenantSession("shared-1", "ann@tenant-a.example", "tenant-a-admins"),
				template: tenantTemplate,
				cc:       clusterConfig("shared-1", "tenant", "shared"),
				bindings: tenantBindings,
			},
			want: decision{Err: denied("DebugSessionTemplate breakglass-system/tenant-debug", "spec.allowed.clusters", "template tenant-debug does not allow cluster shared-1 and no binding applies to it")},
		},

		// The proposal's priority examples.
		"ProductionDefaultsBeatClusterSpecific": {
			reason: "production-defaults (priority 100, selector) wins over prod-cluster-a-specific (priority 50, exact name): priority comes before specificity.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(), productionDefaults()},
			},
			want: decision{Bindings: []string{"breakglass-system/production-defaults"}},
		},
		"PlatformAdminGlobalWins": {
			reason: "platform-admin-global (priority 1000, `*`) outranks every other binding for a platform admin.",
			args: args{
				session:  session("prod-cluster-a", "root@example.com", []string{"platform-admins"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(), productionDefaults(), platformAdminGlobal()},
			},
			want: decision{Bindings: []string{"breakglass-system/platform-admin-global"}},
		},
		"PlatformAdminGlobalMatchesUnconfiguredCluster": {
			reason: "A `*` binding applies to a cluster that has no ClusterConfig.",
			args: args{
				session:  session("lab-7", "root@example.com", []string{"platform-admins"}),
				template: netopsTemplate(),
				bindings: []v1alpha1.DebugSessionClusterBinding{platformAdminGlobal()},
			},
			want: decision{Bindings: []string{"breakglass-system/platform-admin-global"}},
		},
		"NonAdminSkipsGlobalBinding": {
			reason: "A netops engineer is not admitted by platform-admin-global, so the next binding that admits them applies.",
			args: args{
				session:  session("prod-cluster-a", "nora@example.com", []string{"netops-team"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(), productionDefaults(), platformAdminGlobal()},
			},
			want: decision{Bindings: []string{"breakglass-system/production-defaults"}},
		},

		// Template fallback.
		"TemplateFallback": {
			reason: "No binding applies to dev-cluster-1, so the template applies alone: it allows dev-* and admits sre-oncall.",
			args: args{
				session:  session("dev-cluster-1", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       clusterConfig("dev-cluster-1", "environment", "development"),
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(), productionDefaults()},
			},
			want: decision{},
		},
		"TemplateFallbackClusterNotAllowed": {
			reason: "With no binding, a cluster outside the template's allowed.clusters is denied.",
			args: args{
				session:  session("staging-1", "alice@example.com", alice),
				template: netopsTemplate(),
			},
			want: decision{Err: denied("DebugSessionTemplate breakglass-system/netops-debug", "spec.allowed.clusters", "template netops-debug does not allow cluster staging-1 and no binding applies to it")},
		},
		"TemplateFallbackRequesterNotAdmitted": {
			reason: "With no binding, the template's allowlist must admit the requester.",
			args: args{
				session:  session("dev-cluster-1", "dave@example.com", []string{"developers"}),
				template: netopsTemplate(),
			},
			want: decision{Err: denied("DebugSessionTemplate breakglass-system/netops-debug", "spec.allowed", "template netops-debug does not admit dave@example.com on cluster dev-cluster-1")},
		},
		"TemplateWithoutAllowedIsUnavailable": {
			reason: "A template without allowed clusters and without bindings is available nowhere.",
			args: args{
				session:  session("dev-cluster-1", "alice@example.com", alice),
				template: template("netops-debug"),
			},
			want: decision{Err: denied("DebugSessionTemplate breakglass-system/netops-debug", "spec.allowed.clusters", "template netops-debug does not allow cluster dev-cluster-1 and no binding applies to it")},
		},

		// Candidate selection.
		"DisabledBindingIsIgnored": {
			reason: "A disabled binding is no candidate, so the template applies alone.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(disabled)},
			},
			want: decision{},
		},
		"UntrustedNamespaceIsIgnored": {
			reason: "A binding outside bindingNamespaces grants nothing, even if the caller passed it in.",
			args: args{
				session:  session("prod-cluster-a", "mallory@example.com", []string{"anyone"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("backdoor", "netops-debug", inNamespace("team-x"), templateInConfigNS, clusters("*"), allowedGroups("anyone"))},
			},
			want: decision{Err: denied("DebugSessionTemplate breakglass-system/netops-debug", "spec.allowed", "template netops-debug does not admit mallory@example.com on cluster prod-cluster-a")},
		},
		"AllNamespacesTrusted": {
			reason: `With bindingNamespaces ["*"] a binding in any namespace is trusted.`,
			args: args{
				session:  session("prod-cluster-a", "tim@example.com", []string{"team-x-oncall"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("team-x", "netops-debug", inNamespace("team-x"), templateInConfigNS, clusters("prod-*"), allowedGroups("team-x-oncall"))},
				input:    &v1beta1.Input{BindingNamespaces: []string{"*"}},
			},
			want: decision{Bindings: []string{"team-x/team-x"}},
		},
		"TemplateRefNamespaceDefaultsToBindings": {
			reason: "A templateRef without namespace names a template in the binding's own namespace, not the config namespace.",
			args: args{
				session:  session("prod-cluster-a", "tim@example.com", []string{"team-x-oncall"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("team-x", "netops-debug", inNamespace("team-x"), clusters("prod-*"), allowedGroups("team-x-oncall"))},
				input:    &v1beta1.Input{BindingNamespaces: []string{"breakglass-system", "team-x"}},
			},
			want: decision{Err: denied("DebugSessionTemplate breakglass-system/netops-debug", "spec.allowed", "template netops-debug does not admit tim@example.com on cluster prod-cluster-a")},
		},
		"OtherTemplatesBindingIsIgnored": {
			reason: "A binding of another template does not apply.",
			args: args{
				session:  session("prod-cluster-a", "tim@example.com", []string{"team-x-oncall"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("other", "privileged-debug", clusters("*"), allowedGroups("team-x-oncall"))},
			},
			want: decision{Err: denied("DebugSessionTemplate breakglass-system/netops-debug", "spec.allowed", "template netops-debug does not admit tim@example.com on cluster prod-cluster-a")},
		},
		"EmptySelectorMatchesConfiguredCluster": {
			reason: "An empty clusterSelector matches every cluster that has a ClusterConfig.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       clusterConfig("prod-cluster-a"),
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("everywhere", "netops-debug", selector(&metav1.LabelSelector{}))},
			},
			want: decision{Bindings: []string{"breakglass-system/everywhere"}},
		},
		"SelectorNeverMatchesWithoutClusterConfig": {
			reason: "Without a ClusterConfig there are no labels, so even an empty selector does not match and the template applies alone.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("everywhere", "netops-debug", selector(&metav1.LabelSelector{}))},
			},
			want: decision{},
		},
		"ClusterConfigOfAnotherClusterIsIgnored": {
			reason: "A ClusterConfig whose name is not the session's cluster does not lend its labels.",
			args: args{
				session:  session("prod-cluster-b", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{productionDefaults(allowedGroups("nobody"))},
			},
			want: decision{},
		},
		"SelectorMatchExpressions": {
			reason: "matchExpressions are evaluated on the ClusterConfig's labels.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("eu", "netops-debug", selector(&metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "region", Operator: metav1.LabelSelectorOpIn, Values: []string{"eu-west", "eu-central"}}}}))},
			},
			want: decision{Bindings: []string{"breakglass-system/eu"}},
		},
		"ClustersOrSelector": {
			reason: "A binding applies when its clusters list OR its selector matches.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("either", "netops-debug", clusters("dev-*"), selector(matchLabels("environment", "production")))},
			},
			want: decision{Bindings: []string{"breakglass-system/either"}},
		},
		"MalformedSelectorMatchesNothingAndWarns": {
			reason: "A malformed selector matches no cluster, and a warning names the binding and the field.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("broken", "netops-debug", selector(&metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "environment", Operator: "Equals", Values: []string{"production"}}}}))},
			},
			want: decision{Warnings: []string{`DebugSessionClusterBinding breakglass-system/broken spec.clusterSelector: "Equals" is not a valid label selector operator; it matches no cluster`}},
		},
		"InvalidGlobMatchesNothingAndWarns": {
			reason: "An invalid clusters glob matches nothing, and a warning names the binding and the entry; the other entries still work.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("typo", "netops-debug", clusters("[prod-*", "prod-cluster-a"))},
			},
			want: decision{
				Bindings: []string{"breakglass-system/typo"},
				Warnings: []string{`DebugSessionClusterBinding breakglass-system/typo spec.clusters[0]: invalid glob "[prod-*": unterminated character class; it matches no cluster`},
			},
		},
		"InvalidAllowlistGlobWarns": {
			reason: "Invalid allowlist globs of the binding and the template are reported; they admit nobody.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(templateAllowed([]string{"prod-*"}, []string{"sre-oncall", "]"}, nil)),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(allowedUsers("[alice"), allowedGroups("sre-oncall"))},
			},
			want: decision{
				Bindings: []string{"breakglass-system/prod-cluster-a-specific"},
				Warnings: []string{
					`DebugSessionClusterBinding breakglass-system/prod-cluster-a-specific spec.allowed.users[0]: invalid glob "[alice": unterminated character class; it matches nothing`,
					`DebugSessionTemplate breakglass-system/netops-debug spec.allowed.groups[1]: invalid glob "]": unexpected ']'; it matches nothing`,
				},
			},
		},

		// Access filter.
		"BindingWithoutAllowlistInheritsTemplates": {
			reason: "A binding that lists no users or groups uses the template's allowlist.",
			args: args{
				session:  session("prod-cluster-a", "nora@example.com", []string{"netops-team"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(func(b *v1alpha1.DebugSessionClusterBinding) { b.Spec.Allowed = &v1alpha1.Allowed{} })},
			},
			want: decision{Bindings: []string{"breakglass-system/prod-cluster-a-specific"}},
		},
		"BindingAllowlistReplacesTemplates": {
			reason: "A binding that lists anyone replaces the template's allowlist entirely: the template's groups no longer count.",
			args: args{
				session:  session("prod-cluster-a", "nora@example.com", []string{"netops-team"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(allowedUsers("admin@example.com"))},
			},
			want: decision{Err: denied(theSession, "spec.requestedBy", "no binding for cluster prod-cluster-a admits nora@example.com (groups netops-team) to template netops-debug; 1 binding applies to the cluster")},
		},
		"EmptyAllowlistAdmitsNobody": {
			reason: "When neither the binding nor the template lists anyone, nobody is admitted.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", nil),
				template: template("netops-debug"),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific()},
			},
			want: decision{Err: denied(theSession, "spec.requestedBy", "no binding for cluster prod-cluster-a admits alice@example.com (no groups) to template netops-debug; 1 binding applies to the cluster")},
		},
		"PlainUserMatchesCaseInsensitively": {
			reason: "A user entry without metacharacters is an identity and matches regardless of case.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", nil),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(allowedUsers("Alice@Example.COM"))},
			},
			want: decision{Bindings: []string{"breakglass-system/prod-cluster-a-specific"}},
		},
		"UserGlobIsCaseSensitive": {
			reason: "A user glob matches exactly as written.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", nil),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(allowedUsers("*@EXAMPLE.com"))},
			},
			want: decision{Err: denied(theSession, "spec.requestedBy", "no binding for cluster prod-cluster-a admits alice@example.com (no groups) to template netops-debug; 1 binding applies to the cluster")},
		},
		"UserGlobMatches": {
			reason: "A user glob admits every matching identity.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", nil),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(allowedUsers("*@example.com"))},
			},
			want: decision{Bindings: []string{"breakglass-system/prod-cluster-a-specific"}},
		},
		"GroupGlobMatches": {
			reason: "Group entries are globs.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", []string{"developers", "sre-oncall"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(allowedGroups("sre-*"))},
			},
			want: decision{Bindings: []string{"breakglass-system/prod-cluster-a-specific"}},
		},
		"GroupIsCaseSensitive": {
			reason: "Groups match exactly, unlike user identities.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", []string{"SRE-oncall"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(allowedGroups("sre-oncall"))},
			},
			want: decision{Err: denied(theSession, "spec.requestedBy", "no binding for cluster prod-cluster-a admits alice@example.com (groups SRE-oncall) to template netops-debug; 1 binding applies to the cluster")},
		},
		"DeniedMessageCountsBindings": {
			reason: "The denial names user, groups, template and cluster and counts the bindings that apply.",
			args: args{
				session:  session("prod-cluster-a", "dave@example.com", []string{"testers", "developers", "testers"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(), productionDefaults()},
			},
			want: decision{Err: denied(theSession, "spec.requestedBy", "no binding for cluster prod-cluster-a admits dave@example.com (groups developers, testers) to template netops-debug; 2 bindings apply to the cluster")},
		},

		// Pick: specificity and ties.
		"ExactNameBeatsGlob": {
			reason: "At equal priority an exact cluster name is more specific than a glob.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("a-glob", "netops-debug", clusters("prod-cluster-*")), binding("z-exact", "netops-debug", clusters("prod-cluster-a"))},
			},
			want: decision{Bindings: []string{"breakglass-system/z-exact"}},
		},
		"LongerLiteralGlobWins": {
			reason: "Between globs, the one with more literal characters is more specific.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("a-short", "netops-debug", clusters("prod-*")), binding("z-long", "netops-debug", clusters("prod-cluster-?"))},
			},
			want: decision{Bindings: []string{"breakglass-system/z-long"}},
		},
		"GlobBeatsSelector": {
			reason: "A glob with literal text is more specific than a clusterSelector.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("a-selector", "netops-debug", selector(matchLabels("environment", "production"))), binding("z-glob", "netops-debug", clusters("prod-*"))},
			},
			want: decision{Bindings: []string{"breakglass-system/z-glob"}},
		},
		"SelectorBeatsWildcard": {
			reason: "A clusterSelector is more specific than `*`.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("a-star", "netops-debug", clusters("*")), binding("z-selector", "netops-debug", selector(matchLabels("environment", "production")))},
			},
			want: decision{Bindings: []string{"breakglass-system/z-selector"}},
		},
		"GlobWithoutLiteralsIsAWildcard": {
			reason: "A glob with no literal characters, like `?*`, says no more than `*`, so a selector beats it.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("a-any", "netops-debug", clusters("?*")), binding("z-selector", "netops-debug", selector(matchLabels("environment", "production")))},
			},
			want: decision{Bindings: []string{"breakglass-system/z-selector"}},
		},
		"MostSpecificMatchOfABindingCounts": {
			reason: "A binding that matches both by `*` and by exact name ranks as exact.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("a-glob", "netops-debug", clusters("prod-*")), binding("z-both", "netops-debug", clusters("*", "prod-cluster-a"))},
			},
			want: decision{Bindings: []string{"breakglass-system/z-both"}},
		},
		"TrueTieWarnsAndPicksByNamespaceName": {
			reason: "Two bindings with the same priority and specificity tie: the first by namespace/name applies, and a warning names both.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("b-second", "netops-debug", clusters("prod-*")), binding("a-first", "netops-debug", clusters("prod-*"))},
			},
			want: decision{
				Bindings: []string{"breakglass-system/a-first"},
				Warnings: []string{"DebugSessionClusterBindings breakglass-system/a-first and breakglass-system/b-second tie for cluster prod-cluster-a (priority 0, glob with 5 literal characters); using breakglass-system/a-first, the first by namespace/name: give one a higher priority"},
			},
		},
		"NamespaceOrdersBeforeName": {
			reason: "Ties are broken by namespace first, then name.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{
					binding("a", "netops-debug", inNamespace("ops-b"), templateInConfigNS, clusters("prod-cluster-a")),
					binding("z", "netops-debug", inNamespace("ops-a"), templateInConfigNS, clusters("prod-cluster-a")),
				},
				input: &v1beta1.Input{BindingNamespaces: []string{"ops-a", "ops-b"}},
			},
			want: decision{
				Bindings: []string{"ops-a/z"},
				Warnings: []string{"DebugSessionClusterBindings ops-a/z and ops-b/a tie for cluster prod-cluster-a (priority 0, exact cluster name); using ops-a/z, the first by namespace/name: give one a higher priority"},
			},
		},
		"DifferentLiteralLengthIsNoTie": {
			reason: "Globs of different literal length are not a tie, so there is no warning.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("a", "netops-debug", clusters("prod-*")), binding("b", "netops-debug", clusters("prod-c*"))},
			},
			want: decision{Bindings: []string{"breakglass-system/b"}},
		},
		"TieWithNonAdmittingBindingIsNoTie": {
			reason: "A binding that does not admit the requester cannot be picked, so it does not tie.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("a", "netops-debug", clusters("prod-*")), binding("b", "netops-debug", clusters("prod-*"), allowedGroups("nobody"))},
			},
			want: decision{Bindings: []string{"breakglass-system/a"}},
		},

		// bindingRef.
		"BindingRefPicksLowerCandidate": {
			reason: "spec.bindingRef picks a remaining candidate even if another would win; its namespace defaults to the config namespace.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice, withBindingRef("", "prod-cluster-a-specific")),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(), productionDefaults()},
			},
			want: decision{Bindings: []string{"breakglass-system/prod-cluster-a-specific"}},
		},
		"BindingRefToNonCandidateIsDenied": {
			reason: "A bindingRef that names no binding applying to the cluster is denied, not ignored.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice, withBindingRef(configNS, "dev-only")),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{productionDefaults(), binding("dev-only", "netops-debug", clusters("dev-*"))},
			},
			want: decision{Err: denied(theSession, "spec.bindingRef", "spec.bindingRef breakglass-system/dev-only is not a binding of template netops-debug for cluster prod-cluster-a")},
		},
		"BindingRefNotAdmittingIsDenied": {
			reason: "A bindingRef to a binding that does not admit the requester is denied.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice, withBindingRef(configNS, "platform-admin-global")),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{productionDefaults(), platformAdminGlobal(allowedGroups("platform-admins"))},
			},
			want: decision{Err: denied("DebugSessionClusterBinding breakglass-system/platform-admin-global", "spec.allowed", "binding breakglass-system/platform-admin-global (spec.bindingRef) does not admit alice@example.com to template netops-debug on cluster prod-cluster-a")},
		},
		"BindingRefWithoutCandidatesIsDenied": {
			reason: "A bindingRef cannot be honoured by the template fallback.",
			args: args{
				session:  session("dev-cluster-1", "alice@example.com", alice, withBindingRef("", "production-defaults")),
				template: netopsTemplate(),
				cc:       clusterConfig("dev-cluster-1"),
				bindings: []v1alpha1.DebugSessionClusterBinding{productionDefaults()},
			},
			want: decision{Err: denied(theSession, "spec.bindingRef", "spec.bindingRef breakglass-system/production-defaults is not a binding of template netops-debug for cluster dev-cluster-1: no binding applies to the cluster")},
		},
		"BindingRefSkipsTieWarning": {
			reason: "An explicit choice settles a tie, so no warning is given.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice, withBindingRef("", "b")),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("a", "netops-debug", clusters("prod-*")), binding("b", "netops-debug", clusters("prod-*"))},
			},
			want: decision{Bindings: []string{"breakglass-system/b"}},
		},

		// mergeMode.
		"AdditiveChainStopsAtOverride": {
			reason: "An additive binding merges the next candidate, and so on, until a binding in override mode.",
			args: args{
				session:  session("prod-cluster-a", "root@example.com", []string{"platform-admins"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{platformAdminGlobal(additive), productionDefaults(), prodClusterASpecific()},
			},
			want: decision{Bindings: []string{"breakglass-system/platform-admin-global", "breakglass-system/production-defaults"}},
		},
		"AdditiveChainToTheEnd": {
			reason: "When every binding is additive, all candidates merge.",
			args: args{
				session:  session("prod-cluster-a", "root@example.com", []string{"platform-admins"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{platformAdminGlobal(additive), productionDefaults(additive), prodClusterASpecific(additive)},
			},
			want: decision{Bindings: []string{"breakglass-system/platform-admin-global", "breakglass-system/production-defaults", "breakglass-system/prod-cluster-a-specific"}},
		},
		"AdditiveChainIncludesBindingsThatDoNotAdmit": {
			reason: "Lower bindings join the chain whatever their allowlist, so their mandatory constraints never depend on who asks.",
			args: args{
				session:  session("prod-cluster-a", "root@example.com", []string{"platform-admins"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{platformAdminGlobal(additive), productionDefaults(allowedGroups("netops-team"))},
			},
			want: decision{Bindings: []string{"breakglass-system/platform-admin-global", "breakglass-system/production-defaults"}},
		},
		"AdditiveChainStartsAtPick": {
			reason: "The chain starts at the picked binding: higher candidates that did not admit the requester stay out.",
			args: args{
				session:  session("prod-cluster-a", "nora@example.com", []string{"netops-team"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{platformAdminGlobal(additive), productionDefaults(additive), prodClusterASpecific()},
			},
			want: decision{Bindings: []string{"breakglass-system/production-defaults", "breakglass-system/prod-cluster-a-specific"}},
		},
		"DuplicateBindingCountsOnce": {
			reason: "The same binding passed twice is one candidate, so it neither ties with itself nor chains twice.",
			args: args{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(additive), prodClusterASpecific(additive)},
			},
			want: decision{Bindings: []string{"breakglass-system/prod-cluster-a-specific"}},
		},

		// Bad input.
		"EmptyRequesterIsDenied": {
			reason: "A session must name its requester; a `*` allowlist must not admit nobody in particular.",
			args: args{
				session:  session("prod-cluster-a", " ", nil),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{platformAdminGlobal(allowedUsers("*"))},
			},
			want: decision{Err: denied(theSession, "spec.requestedBy", "spec.requestedBy is empty: a session must name its requester")},
		},
		"EmptyClusterIsDenied": {
			reason: "A `*` binding must not apply to a session without a cluster.",
			args: args{
				session:  session("", "root@example.com", []string{"platform-admins"}),
				template: netopsTemplate(),
				bindings: []v1alpha1.DebugSessionClusterBinding{platformAdminGlobal()},
			},
			want: decision{Err: denied(theSession, "spec.cluster", "spec.cluster is empty: a session must name its cluster")},
		},
		"NilTemplateIsDenied": {
			reason: "Resolution without a template denies rather than panics.",
			args: args{
				session: session("prod-cluster-a", "alice@example.com", alice),
			},
			want: decision{Err: denied("", "", "there is no session or no template to resolve")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Resolve(Request{Session: tc.args.session, Template: tc.args.template, ClusterConfig: tc.args.cc, Bindings: tc.args.bindings, Input: tc.args.input})
			if diff := cmp.Diff(tc.want, decisionOf(got, err), cmpopts.EquateErrors()); diff != "" {
				t.Errorf("%s\nResolve(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestResolveCandidates(t *testing.T) {
	prodA := clusterConfig("prod-cluster-a", "environment", "production")
	cases := map[string]struct {
		reason   string
		session  *v1alpha1.DebugSession
		bindings []v1alpha1.DebugSessionClusterBinding
		want     []Candidate
	}{
		"ExplainsEveryMatchInPickOrder": {
			reason:   "Candidates list every binding that applies to the cluster in pick order, with the field that matched and whether it admits the requester.",
			session:  session("prod-cluster-a", "nora@example.com", []string{"netops-team"}),
			bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(), productionDefaults(), platformAdminGlobal(), binding("dev", "netops-debug", clusters("dev-*"))},
			want: []Candidate{
				{MatchedBy: `clusters[0] "*"`, Specificity: Specificity{Rank: RankWildcard}},
				{MatchedBy: "clusterSelector", Specificity: Specificity{Rank: RankSelector}, Admitted: true},
				{MatchedBy: `clusters[0] "prod-cluster-a"`, Specificity: Specificity{Rank: RankExact}, Admitted: true},
			},
		},
		"GlobSpecificityCountsLiterals": {
			reason:   "A glob's specificity is the number of its literal characters; a class counts as none.",
			session:  session("prod-cluster-a", "alice@example.com", []string{"sre-oncall"}),
			bindings: []v1alpha1.DebugSessionClusterBinding{binding("g", "netops-debug", clusters("prod-cluster-[a-c]", "p*"))},
			want: []Candidate{
				{MatchedBy: `clusters[0] "prod-cluster-[a-c]"`, Specificity: Specificity{Rank: RankGlob, Literal: 13}, Admitted: true},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, _ := Resolve(Request{Session: tc.session, Template: netopsTemplate(), ClusterConfig: prodA, Bindings: tc.bindings})
			for i := range got.Candidates {
				got.Candidates[i].Binding = nil // Compared by the outcome tests.
			}
			if diff := cmp.Diff(tc.want, got.Candidates); diff != "" {
				t.Errorf("%s\nResolve(...).Candidates: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSpecificityString(t *testing.T) {
	cases := map[string]struct {
		reason string
		s      Specificity
		want   string
	}{
		"Exact":    {reason: "Exact names say so.", s: Specificity{Rank: RankExact}, want: "exact cluster name"},
		"Glob":     {reason: "Globs say how long their literal part is.", s: Specificity{Rank: RankGlob, Literal: 5}, want: "glob with 5 literal characters"},
		"Selector": {reason: "Selectors say so.", s: Specificity{Rank: RankSelector}, want: "clusterSelector"},
		"Wildcard": {reason: "Wildcards say so.", s: Specificity{Rank: RankWildcard}, want: "wildcard"},
		"Unknown":  {reason: "An out-of-range rank does not panic.", s: Specificity{Rank: 42}, want: "unknown"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.s.String()); diff != "" {
				t.Errorf("%s\nString(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

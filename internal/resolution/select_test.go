package resolution

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// selectionCases are the Resolve cases of the proposal's examples, the
// template fallback and which bindings are candidates at all.
func selectionCases() map[string]resolveCase {
	tenantTemplate := template("tenant-debug")
	tenantBindings := []v1alpha1.DebugSessionClusterBinding{tenantBinding("tenant-a"), tenantBinding("tenant-b")}
	prodA := clusterConfig("prod-cluster-a", "environment", "production", "region", "eu-west")
	alice := []string{"sre-oncall"}

	return map[string]resolveCase{
		// The proposal's tenant isolation example.
		"TenantAAdminGetsTenantABinding": {
			reason: "A tenant-a admin on a cluster labelled tenant=tenant-a gets the tenant-a binding, selected by label.",
			args: resolveArgs{
				session:  tenantSession("tenant-a-prod", "ann@tenant-a.example", "tenant-a-admins"),
				template: tenantTemplate,
				cc:       clusterConfig("tenant-a-prod", "tenant", "tenant-a"),
				bindings: tenantBindings,
			},
			want: decision{Bindings: []string{"breakglass-system/tenant-a-debug"}},
		},
		"TenantBAdminDeniedOnTenantACluster": {
			reason: "The tenant-a binding applies to the cluster but does not admit a tenant-b admin, so the session is denied rather than falling back to the template.",
			args: resolveArgs{
				session:  tenantSession("tenant-a-prod", "bob@tenant-b.example", "tenant-b-admins"),
				template: tenantTemplate,
				cc:       clusterConfig("tenant-a-prod", "tenant", "tenant-a"),
				bindings: tenantBindings,
			},
			want: decision{Err: denied(theSession, "spec.requestedBy", "no binding for cluster tenant-a-prod admits bob@tenant-b.example (groups tenant-b-admins) to template tenant-debug; 1 binding applies to the cluster")},
		},
		"TenantClusterWithoutBindingFallsBackAndTemplateAdmitsNobody": {
			reason: "On a cluster of neither tenant no binding applies; the tenant template allows no cluster, so the session is denied.",
			args: resolveArgs{
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
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(), productionDefaults()},
			},
			want: decision{Bindings: []string{"breakglass-system/production-defaults"}},
		},
		"PlatformAdminGlobalWins": {
			reason: "platform-admin-global (priority 1000, `*`) outranks every other binding for a platform admin.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "root@example.com", []string{"platform-admins"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(), productionDefaults(), platformAdminGlobal()},
			},
			want: decision{Bindings: []string{"breakglass-system/platform-admin-global"}},
		},
		"PlatformAdminGlobalMatchesUnconfiguredCluster": {
			reason: "A `*` binding applies to a cluster that has no ClusterConfig.",
			args: resolveArgs{
				session:  session("lab-7", "root@example.com", []string{"platform-admins"}),
				template: netopsTemplate(),
				bindings: []v1alpha1.DebugSessionClusterBinding{platformAdminGlobal()},
			},
			want: decision{Bindings: []string{"breakglass-system/platform-admin-global"}},
		},
		"NonAdminSkipsGlobalBinding": {
			reason: "A netops engineer is not admitted by platform-admin-global, so the next binding that admits them applies.",
			args: resolveArgs{
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
			args: resolveArgs{
				session:  session("dev-cluster-1", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       clusterConfig("dev-cluster-1", "environment", "development"),
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(), productionDefaults()},
			},
			want: decision{},
		},
		"TemplateFallbackClusterNotAllowed": {
			reason: "With no binding, a cluster outside the template's allowed.clusters is denied.",
			args: resolveArgs{
				session:  session("staging-1", "alice@example.com", alice),
				template: netopsTemplate(),
			},
			want: decision{Err: denied("DebugSessionTemplate breakglass-system/netops-debug", "spec.allowed.clusters", "template netops-debug does not allow cluster staging-1 and no binding applies to it")},
		},
		"TemplateFallbackRequesterNotAdmitted": {
			reason: "With no binding, the template's allowlist must admit the requester.",
			args: resolveArgs{
				session:  session("dev-cluster-1", "dave@example.com", []string{"developers"}),
				template: netopsTemplate(),
			},
			want: decision{Err: denied("DebugSessionTemplate breakglass-system/netops-debug", "spec.allowed", "template netops-debug does not admit dave@example.com on cluster dev-cluster-1")},
		},
		"TemplateWithoutAllowedIsUnavailable": {
			reason: "A template without allowed clusters and without bindings is available nowhere.",
			args: resolveArgs{
				session:  session("dev-cluster-1", "alice@example.com", alice),
				template: template("netops-debug"),
			},
			want: decision{Err: denied("DebugSessionTemplate breakglass-system/netops-debug", "spec.allowed.clusters", "template netops-debug does not allow cluster dev-cluster-1 and no binding applies to it")},
		},

		// Candidate selection.
		"DisabledBindingIsIgnored": {
			reason: "A disabled binding is no candidate, so the template applies alone.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(disabled)},
			},
			want: decision{},
		},
		"UntrustedNamespaceIsIgnored": {
			reason: "A binding outside bindingNamespaces grants nothing, even if the caller passed it in.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "mallory@example.com", []string{"anyone"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("backdoor", "netops-debug", inNamespace("team-x"), templateInConfigNS, clusters("*"), allowedGroups("anyone"))},
			},
			want: decision{Err: denied("DebugSessionTemplate breakglass-system/netops-debug", "spec.allowed", "template netops-debug does not admit mallory@example.com on cluster prod-cluster-a")},
		},
		"AllNamespacesTrusted": {
			reason: `With bindingNamespaces ["*"] a binding in any namespace is trusted.`,
			args: resolveArgs{
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
			args: resolveArgs{
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
			args: resolveArgs{
				session:  session("prod-cluster-a", "tim@example.com", []string{"team-x-oncall"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("other", "privileged-debug", clusters("*"), allowedGroups("team-x-oncall"))},
			},
			want: decision{Err: denied("DebugSessionTemplate breakglass-system/netops-debug", "spec.allowed", "template netops-debug does not admit tim@example.com on cluster prod-cluster-a")},
		},
		"EmptySelectorMatchesConfiguredCluster": {
			reason: "An empty clusterSelector matches every cluster that has a ClusterConfig.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       clusterConfig("prod-cluster-a"),
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("everywhere", "netops-debug", selector(&metav1.LabelSelector{}))},
			},
			want: decision{Bindings: []string{"breakglass-system/everywhere"}},
		},
		"SelectorNeverMatchesWithoutClusterConfig": {
			reason: "Without a ClusterConfig there are no labels, so even an empty selector does not match and the template applies alone.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("everywhere", "netops-debug", selector(&metav1.LabelSelector{}))},
			},
			want: decision{},
		},
		"ClusterConfigOfAnotherClusterIsIgnored": {
			reason: "A ClusterConfig whose name is not the session's cluster does not lend its labels.",
			args: resolveArgs{
				session:  session("prod-cluster-b", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{productionDefaults(allowedGroups("nobody"))},
			},
			want: decision{},
		},
		"SelectorMatchExpressions": {
			reason: "matchExpressions are evaluated on the ClusterConfig's labels.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("eu", "netops-debug", selector(&metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "region", Operator: metav1.LabelSelectorOpIn, Values: []string{"eu-west", "eu-central"}}}}))},
			},
			want: decision{Bindings: []string{"breakglass-system/eu"}},
		},
		"ClustersOrSelector": {
			reason: "A binding applies when its clusters list OR its selector matches.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("either", "netops-debug", clusters("dev-*"), selector(matchLabels("environment", "production")))},
			},
			want: decision{Bindings: []string{"breakglass-system/either"}},
		},
		"MalformedSelectorMatchesNothingAndWarns": {
			reason: "A malformed selector matches no cluster, and a warning names the binding and the field.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("broken", "netops-debug", selector(&metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "environment", Operator: "Equals", Values: []string{"production"}}}}))},
			},
			want: decision{Warnings: []string{`DebugSessionClusterBinding breakglass-system/broken spec.clusterSelector: "Equals" is not a valid label selector operator; it matches no cluster`}},
		},
		"InvalidGlobMatchesNothingAndWarns": {
			reason: "An invalid clusters glob matches nothing, and a warning names the binding and the entry; the other entries still work.",
			args: resolveArgs{
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
			args: resolveArgs{
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
	}
}

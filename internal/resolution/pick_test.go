package resolution

import (
	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// pickCases are the Resolve cases of the access filter and of the pick
// among the candidates: specificity and ties.
func pickCases() map[string]resolveCase {
	prodA := clusterConfig("prod-cluster-a", "environment", "production", "region", "eu-west")
	alice := []string{"sre-oncall"}

	return map[string]resolveCase{
		// Access filter.
		"BindingWithoutAllowlistInheritsTemplates": {
			reason: "A binding that lists no users or groups uses the template's allowlist.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "nora@example.com", []string{"netops-team"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(func(b *v1alpha1.DebugSessionClusterBinding) { b.Spec.Allowed = &v1alpha1.Allowed{} })},
			},
			want: decision{Bindings: []string{"breakglass-system/prod-cluster-a-specific"}},
		},
		"BindingAllowlistReplacesTemplates": {
			reason: "A binding that lists anyone replaces the template's allowlist entirely: the template's groups no longer count.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "nora@example.com", []string{"netops-team"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(allowedUsers("admin@example.com"))},
			},
			want: decision{Err: denied(theSession, "spec.requestedBy", "no binding for cluster prod-cluster-a admits nora@example.com (groups netops-team) to template netops-debug; 1 binding applies to the cluster")},
		},
		"EmptyAllowlistAdmitsNobody": {
			reason: "When neither the binding nor the template lists anyone, nobody is admitted.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", nil),
				template: template("netops-debug"),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific()},
			},
			want: decision{Err: denied(theSession, "spec.requestedBy", "no binding for cluster prod-cluster-a admits alice@example.com (no groups) to template netops-debug; 1 binding applies to the cluster")},
		},
		"PlainUserMatchesCaseInsensitively": {
			reason: "A user entry without metacharacters is an identity and matches regardless of case.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", nil),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(allowedUsers("Alice@Example.COM"))},
			},
			want: decision{Bindings: []string{"breakglass-system/prod-cluster-a-specific"}},
		},
		"UserGlobIsCaseSensitive": {
			reason: "A user glob matches exactly as written.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", nil),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(allowedUsers("*@EXAMPLE.com"))},
			},
			want: decision{Err: denied(theSession, "spec.requestedBy", "no binding for cluster prod-cluster-a admits alice@example.com (no groups) to template netops-debug; 1 binding applies to the cluster")},
		},
		"UserGlobMatches": {
			reason: "A user glob admits every matching identity.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", nil),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(allowedUsers("*@example.com"))},
			},
			want: decision{Bindings: []string{"breakglass-system/prod-cluster-a-specific"}},
		},
		"GroupGlobMatches": {
			reason: "Group entries are globs.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", []string{"developers", "sre-oncall"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(allowedGroups("sre-*"))},
			},
			want: decision{Bindings: []string{"breakglass-system/prod-cluster-a-specific"}},
		},
		"GroupIsCaseSensitive": {
			reason: "Groups match exactly, unlike user identities.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", []string{"SRE-oncall"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(allowedGroups("sre-oncall"))},
			},
			want: decision{Err: denied(theSession, "spec.requestedBy", "no binding for cluster prod-cluster-a admits alice@example.com (groups SRE-oncall) to template netops-debug; 1 binding applies to the cluster")},
		},
		"DeniedMessageCountsBindings": {
			reason: "The denial names user, groups, template and cluster and counts the bindings that apply.",
			args: resolveArgs{
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
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("a-glob", "netops-debug", clusters("prod-cluster-*")), binding("z-exact", "netops-debug", clusters("prod-cluster-a"))},
			},
			want: decision{Bindings: []string{"breakglass-system/z-exact"}},
		},
		"LongerLiteralGlobWins": {
			reason: "Between globs, the one with more literal characters is more specific.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("a-short", "netops-debug", clusters("prod-*")), binding("z-long", "netops-debug", clusters("prod-cluster-?"))},
			},
			want: decision{Bindings: []string{"breakglass-system/z-long"}},
		},
		"GlobBeatsSelector": {
			reason: "A glob with literal text is more specific than a clusterSelector.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("a-selector", "netops-debug", selector(matchLabels("environment", "production"))), binding("z-glob", "netops-debug", clusters("prod-*"))},
			},
			want: decision{Bindings: []string{"breakglass-system/z-glob"}},
		},
		"SelectorBeatsWildcard": {
			reason: "A clusterSelector is more specific than `*`.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("a-star", "netops-debug", clusters("*")), binding("z-selector", "netops-debug", selector(matchLabels("environment", "production")))},
			},
			want: decision{Bindings: []string{"breakglass-system/z-selector"}},
		},
		"GlobWithoutLiteralsIsAWildcard": {
			reason: "A glob with no literal characters, like `?*`, says no more than `*`, so a selector beats it.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("a-any", "netops-debug", clusters("?*")), binding("z-selector", "netops-debug", selector(matchLabels("environment", "production")))},
			},
			want: decision{Bindings: []string{"breakglass-system/z-selector"}},
		},
		"MostSpecificMatchOfABindingCounts": {
			reason: "A binding that matches both by `*` and by exact name ranks as exact.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("a-glob", "netops-debug", clusters("prod-*")), binding("z-both", "netops-debug", clusters("*", "prod-cluster-a"))},
			},
			want: decision{Bindings: []string{"breakglass-system/z-both"}},
		},
		"TrueTieWarnsAndPicksByNamespaceName": {
			reason: "Two bindings with the same priority and specificity tie: the first by namespace/name applies, and a warning names both.",
			args: resolveArgs{
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
			args: resolveArgs{
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
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("a", "netops-debug", clusters("prod-*")), binding("b", "netops-debug", clusters("prod-c*"))},
			},
			want: decision{Bindings: []string{"breakglass-system/b"}},
		},
		"TieWithNonAdmittingBindingIsNoTie": {
			reason: "A binding that does not admit the requester cannot be picked, so it does not tie.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", alice),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("a", "netops-debug", clusters("prod-*")), binding("b", "netops-debug", clusters("prod-*"), allowedGroups("nobody"))},
			},
			want: decision{Bindings: []string{"breakglass-system/a"}},
		},
	}
}

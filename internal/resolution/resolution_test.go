package resolution

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// decision is the part of a Result that says which bindings apply: why the
// session is denied, the chain of bindings by namespace/name, and the
// warnings.
type decision struct {
	Err            error
	Bindings       []string
	RenewalsClosed string
	Warnings       []string
}

func decisionOf(r *Result, err error) decision {
	d := decision{Err: err, RenewalsClosed: r.RenewalsClosed, Warnings: r.Warnings}
	for _, b := range r.Bindings() {
		d.Bindings = append(d.Bindings, b.Namespace+"/"+b.Name)
	}
	return d
}

// The session of the fixtures, as errors name it.
const theSession = "DebugSession team-a/inc-1234"

func denied(object, field, msg string) error {
	return outcome.Denied(object, field, "%s", msg)
}

// resolveArgs are the inputs of a Resolve case.
type resolveArgs struct {
	session  *v1alpha1.DebugSession
	template *v1alpha1.DebugSessionTemplate
	cc       *v1alpha1.ClusterConfig
	bindings []v1alpha1.DebugSessionClusterBinding
	input    *v1beta1.Input
}

// resolveCase is a case of TestResolve.
type resolveCase struct {
	reason string
	args   resolveArgs
	want   decision
}

func TestResolve(t *testing.T) {
	cases := map[string]resolveCase{}
	for _, group := range []map[string]resolveCase{selectionCases(), pickCases(), chainCases(), templateSelectorCases()} {
		for name, tc := range group {
			if _, dup := cases[name]; dup {
				t.Fatalf("case %s is defined twice", name)
			}
			cases[name] = tc
		}
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

// chainCases are the Resolve cases of bindingRef, of mergeMode and of bad
// input.
func chainCases() map[string]resolveCase {
	prodA := clusterConfig("prod-cluster-a", "environment", "production", "region", "eu-west")
	alice := []string{"sre-oncall"}

	return map[string]resolveCase{
		// bindingRef.
		"BindingRefPicksLowerCandidate": {
			reason: "spec.bindingRef picks a remaining candidate even if another would win; its namespace defaults to the config namespace.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", alice, withBindingRef("", "prod-cluster-a-specific")),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(), productionDefaults()},
			},
			want: decision{Bindings: []string{"breakglass-system/prod-cluster-a-specific"}},
		},
		"BindingRefToNonCandidateIsDenied": {
			reason: "A bindingRef that names no binding applying to the cluster is denied, not ignored.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", alice, withBindingRef(configNS, "dev-only")),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{productionDefaults(), binding("dev-only", "netops-debug", clusters("dev-*"))},
			},
			want: decision{Err: denied(theSession, "spec.bindingRef", "breakglass-system/dev-only is not a binding of template netops-debug for cluster prod-cluster-a")},
		},
		"BindingRefNotAdmittingIsDenied": {
			reason: "A bindingRef to a binding that does not admit the requester is denied.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "alice@example.com", alice, withBindingRef(configNS, "platform-admin-global")),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{productionDefaults(), platformAdminGlobal(allowedGroups("platform-admins"))},
			},
			want: decision{Err: denied("DebugSessionClusterBinding breakglass-system/platform-admin-global", "spec.allowed", "does not admit alice@example.com to template netops-debug on cluster prod-cluster-a, and the session names this binding in spec.bindingRef")},
		},
		"BindingRefWithoutCandidatesIsDenied": {
			reason: "A bindingRef cannot be honoured by the template fallback.",
			args: resolveArgs{
				session:  session("dev-cluster-1", "alice@example.com", alice, withBindingRef("", "production-defaults")),
				template: netopsTemplate(),
				cc:       clusterConfig("dev-cluster-1"),
				bindings: []v1alpha1.DebugSessionClusterBinding{productionDefaults()},
			},
			want: decision{Err: denied(theSession, "spec.bindingRef", "breakglass-system/production-defaults is not a binding of template netops-debug for cluster dev-cluster-1: no binding applies to the cluster")},
		},
		"BindingRefSkipsTieWarning": {
			reason: "An explicit choice settles a tie, so no warning is given.",
			args: resolveArgs{
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
			args: resolveArgs{
				session:  session("prod-cluster-a", "root@example.com", []string{"platform-admins"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{platformAdminGlobal(additive), productionDefaults(), prodClusterASpecific()},
			},
			want: decision{Bindings: []string{"breakglass-system/platform-admin-global", "breakglass-system/production-defaults"}},
		},
		"AdditiveChainToTheEnd": {
			reason: "When every binding is additive, all candidates merge.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "root@example.com", []string{"platform-admins"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{platformAdminGlobal(additive), productionDefaults(additive), prodClusterASpecific(additive)},
			},
			want: decision{Bindings: []string{"breakglass-system/platform-admin-global", "breakglass-system/production-defaults", "breakglass-system/prod-cluster-a-specific"}},
		},
		"AdditiveChainIncludesBindingsThatDoNotAdmit": {
			reason: "Lower bindings join the chain whatever their allowlist, so their mandatory constraints never depend on who asks.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "root@example.com", []string{"platform-admins"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{platformAdminGlobal(additive), productionDefaults(allowedGroups("netops-team"))},
			},
			want: decision{Bindings: []string{"breakglass-system/platform-admin-global", "breakglass-system/production-defaults"}},
		},
		"AdditiveChainStartsAtPick": {
			reason: "The chain starts at the picked binding: higher candidates that did not admit the requester stay out.",
			args: resolveArgs{
				session:  session("prod-cluster-a", "nora@example.com", []string{"netops-team"}),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{platformAdminGlobal(additive), productionDefaults(additive), prodClusterASpecific()},
			},
			want: decision{Bindings: []string{"breakglass-system/production-defaults", "breakglass-system/prod-cluster-a-specific"}},
		},
		"DuplicateBindingCountsOnce": {
			reason: "The same binding passed twice is one candidate, so it neither ties with itself nor chains twice.",
			args: resolveArgs{
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
			args: resolveArgs{
				session:  session("prod-cluster-a", " ", nil),
				template: netopsTemplate(),
				cc:       prodA,
				bindings: []v1alpha1.DebugSessionClusterBinding{platformAdminGlobal(allowedUsers("*"))},
			},
			want: decision{Err: denied(theSession, "spec.requestedBy", "is empty: a session must name its requester")},
		},
		"EmptyClusterIsDenied": {
			reason: "A `*` binding must not apply to a session without a cluster.",
			args: resolveArgs{
				session:  session("", "root@example.com", []string{"platform-admins"}),
				template: netopsTemplate(),
				bindings: []v1alpha1.DebugSessionClusterBinding{platformAdminGlobal()},
			},
			want: decision{Err: denied(theSession, "spec.cluster", "is empty: a session must name its cluster")},
		},
		"NilTemplateIsDenied": {
			reason: "Resolution without a template denies rather than panics.",
			args: resolveArgs{
				session: session("prod-cluster-a", "alice@example.com", alice),
			},
			want: decision{Err: denied("", "", "there is no session or no template to resolve")},
		},
	}
}

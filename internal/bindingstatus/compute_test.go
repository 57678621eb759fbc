package bindingstatus

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

const ns = "breakglass-system"

func bnd(name string, prio int32, clusters ...string) v1alpha1.DebugSessionClusterBinding {
	return v1alpha1.DebugSessionClusterBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Generation: 3},
		Spec:       v1alpha1.DebugSessionClusterBindingSpec{TemplateRef: &v1alpha1.ObjectReference{Name: "netops"}, Clusters: clusters, Priority: prio},
	}
}

func cluster(name string, labels map[string]string) v1alpha1.ClusterConfig {
	return v1alpha1.ClusterConfig{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels}}
}

var netops = &v1alpha1.DebugSessionTemplate{
	ObjectMeta: metav1.ObjectMeta{Name: "netops", Namespace: ns},
	Spec:       v1alpha1.DebugSessionTemplateSpec{Allowed: &v1alpha1.Allowed{Groups: v1alpha1.Globs{"sre"}}},
}

var netopsOnly = []*v1alpha1.DebugSessionTemplate{netops}

var clusters = []v1alpha1.ClusterConfig{
	cluster("prod-a", map[string]string{"env": "prod"}),
	cluster("prod-b", map[string]string{"env": "prod"}),
	cluster("dev-a", map[string]string{"env": "dev"}),
}

// summary is the part of a status a case checks: matched clusters, active
// sessions, and each condition as "Type=Status/Reason".
type summary struct {
	Matched    []string
	Active     int32
	Conditions []string
	Generation int64
}

func summarize(st v1alpha1.DebugSessionClusterBindingStatus) summary {
	s := summary{Matched: st.MatchedClusters, Active: st.ActiveSessions, Generation: st.ObservedGeneration}
	for _, c := range st.Conditions {
		s.Conditions = append(s.Conditions, c.Type+"="+string(c.Status)+"/"+c.Reason)
	}
	return s
}

func conds(ready, missing, invalid, shadowed, tie string) []string {
	return []string{"Ready=" + ready, "TemplateNotFound=" + missing, "InvalidSpec=" + invalid, "Shadowed=" + shadowed, "Tie=" + tie}
}

var healthy = conds("True/Available", "False/TemplateFound", "False/ValidSpec", "False/NotShadowed", "False/NoTie")

func TestCompute(t *testing.T) {
	selector := bnd("by-label", 0)
	selector.Spec.ClusterSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"env": "prod"}}
	disabled := bnd("off", 0, "prod-*")
	disabled.Spec.Disabled = true
	additive := bnd("platform", 100, "*")
	additive.Spec.MergeMode = v1alpha1.MergeModeAdditive
	ownAllow := bnd("tenant", 0, "prod-a")
	ownAllow.Spec.Allowed = &v1alpha1.Allowed{Groups: v1alpha1.Globs{"tenant-a"}}
	badGlob := bnd("typo", 0, "prod-[")
	otherNS := bnd("elsewhere", 0, "prod-*")
	otherNS.Namespace = "team-a"
	trustConfigNS := func(n string) bool { return n == ns }
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	expired := func(b v1alpha1.DebugSessionClusterBinding) v1alpha1.DebugSessionClusterBinding {
		b.Spec.ExpiresAt = &metav1.Time{Time: now.Add(-time.Minute)}
		return b
	}
	future := func(b v1alpha1.DebugSessionClusterBinding) v1alpha1.DebugSessionClusterBinding {
		b.Spec.EffectiveFrom = &metav1.Time{Time: now.Add(time.Minute)}
		return b
	}
	hidden := func(b v1alpha1.DebugSessionClusterBinding) v1alpha1.DebugSessionClusterBinding {
		b.Spec.Hidden = true
		return b
	}

	network := func(name string) *v1alpha1.DebugSessionTemplate {
		t := netops.DeepCopy()
		t.Name, t.Labels = name, map[string]string{"tier": "network"}
		return t
	}
	bySelector := func(b v1alpha1.DebugSessionClusterBinding, sel *metav1.LabelSelector) v1alpha1.DebugSessionClusterBinding {
		b.Spec.TemplateRef, b.Spec.TemplateSelector = nil, sel
		return b
	}
	tierNetwork := &metav1.LabelSelector{MatchLabels: map[string]string{"tier": "network"}}
	badSelector := &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "tier", Operator: "Like"}}}
	netA, netB := network("netops"), network("net-b")

	cases := map[string]struct {
		reason string
		in     Inputs
		want   summary
	}{
		"TemplateSelectorFindsTemplates": {
			reason: "A binding that selects templates by label is Ready when it selects some.",
			in:     Inputs{Binding: ptr(bySelector(bnd("net", 0, "prod-*"), tierNetwork)), Templates: []*v1alpha1.DebugSessionTemplate{netB, netA}, ClusterConfigs: clusters},
			want:   summary{Matched: []string{"prod-a", "prod-b"}, Conditions: healthy, Generation: 3},
		},
		"TemplateSelectorSelectsNothing": {
			reason: "A selector that selects no template applies to nothing, like a missing templateRef.",
			in:     Inputs{Binding: ptr(bySelector(bnd("net", 0, "prod-*"), tierNetwork)), ClusterConfigs: clusters},
			want:   summary{Matched: []string{"prod-a", "prod-b"}, Conditions: conds("False/TemplateNotFound", "True/TemplateNotFound", "False/ValidSpec", "False/NotShadowed", "False/NoTie"), Generation: 3},
		},
		"InvalidTemplateSelector": {
			reason: "A selector that does not parse is an invalid spec, never a selector of everything.",
			in:     Inputs{Binding: ptr(bySelector(bnd("net", 0, "prod-*"), badSelector)), ClusterConfigs: clusters},
			want:   summary{Matched: []string{"prod-a", "prod-b"}, Conditions: conds("False/InvalidSpec", "True/TemplateNotFound", "True/InvalidSpec", "False/NotShadowed", "False/NoTie"), Generation: 3},
		},
		"BothTemplateFields": {
			reason: "A binding with templateRef and templateSelector applies to no template and says why.",
			in: Inputs{Binding: ptr(func() v1alpha1.DebugSessionClusterBinding {
				b := bnd("both", 0, "prod-*")
				b.Spec.TemplateSelector = tierNetwork
				return b
			}()), ClusterConfigs: clusters},
			want: summary{Matched: []string{"prod-a", "prod-b"}, Conditions: conds("False/InvalidSpec", "True/TemplateNotFound", "True/InvalidSpec", "False/NotShadowed", "False/NoTie"), Generation: 3},
		},
		"SelectorPeerShadows": {
			reason: "A binding that selects the template by label competes like one that names it.",
			in:     Inputs{Binding: ptr(bnd("prod", 0, "prod-*")), Peers: []v1alpha1.DebugSessionClusterBinding{bySelector(bnd("global", 100, "*"), tierNetwork)}, Templates: []*v1alpha1.DebugSessionTemplate{netA}, ClusterConfigs: clusters},
			want:   summary{Matched: []string{"prod-a", "prod-b"}, Conditions: conds("True/Available", "False/TemplateFound", "False/ValidSpec", "True/Shadowed", "False/NoTie"), Generation: 3},
		},
		"SelectorPeerOfOtherLabels": {
			reason: "A selector that does not select the template is no rival.",
			in:     Inputs{Binding: ptr(bnd("prod", 0, "prod-*")), Peers: []v1alpha1.DebugSessionClusterBinding{bySelector(bnd("global", 100, "*"), tierNetwork)}, Templates: netopsOnly, ClusterConfigs: clusters},
			want:   summary{Matched: []string{"prod-a", "prod-b"}, Conditions: healthy, Generation: 3},
		},
		"SelectorShadowedOnOneTemplateOnly": {
			reason: "A binding of two templates that is shadowed for one still wins for the other.",
			in:     Inputs{Binding: ptr(bySelector(bnd("net", 0, "prod-*"), tierNetwork)), Peers: []v1alpha1.DebugSessionClusterBinding{bnd("global", 100, "*")}, Templates: []*v1alpha1.DebugSessionTemplate{netB, netA}, ClusterConfigs: clusters},
			want:   summary{Matched: []string{"prod-a", "prod-b"}, Conditions: healthy, Generation: 3},
		},
		"SelectorTiesPerTemplate": {
			reason: "Ties are found on each selected template.",
			in:     Inputs{Binding: ptr(bySelector(bnd("a-net", 0, "prod-*"), tierNetwork)), Peers: []v1alpha1.DebugSessionClusterBinding{bnd("b-prod", 0, "prod-?")}, Templates: []*v1alpha1.DebugSessionTemplate{netB, netA}, ClusterConfigs: clusters},
			want:   summary{Matched: []string{"prod-a", "prod-b"}, Conditions: conds("True/Available", "False/TemplateFound", "False/ValidSpec", "False/NotShadowed", "True/Tie"), Generation: 3},
		},
		"GlobMatchesConfigs": {
			reason: "A glob matches the ClusterConfigs whose names fit it, and counts the active sessions it was given.",
			in:     Inputs{Binding: ptr(bnd("prod", 0, "prod-*")), Templates: netopsOnly, ClusterConfigs: clusters, ActiveSessions: 2},
			want:   summary{Matched: []string{"prod-a", "prod-b"}, Active: 2, Conditions: healthy, Generation: 3},
		},
		"SelectorMatchesLabels": {
			reason: "A clusterSelector matches ClusterConfigs by their labels.",
			in:     Inputs{Binding: &selector, Templates: netopsOnly, ClusterConfigs: clusters},
			want:   summary{Matched: []string{"prod-a", "prod-b"}, Conditions: healthy, Generation: 3},
		},
		"ExactNameWithoutConfig": {
			reason: "A cluster named exactly is known even without a ClusterConfig.",
			in:     Inputs{Binding: ptr(bnd("edge", 0, "edge-1")), Templates: netopsOnly, ClusterConfigs: clusters},
			want:   summary{Matched: []string{"edge-1"}, Conditions: healthy, Generation: 3},
		},
		"TemplateMissing": {
			reason: "A binding whose template does not exist is not Ready.",
			in:     Inputs{Binding: ptr(bnd("prod", 0, "prod-*")), ClusterConfigs: clusters},
			want:   summary{Matched: []string{"prod-a", "prod-b"}, Conditions: conds("False/TemplateNotFound", "True/TemplateNotFound", "False/ValidSpec", "False/NotShadowed", "False/NoTie"), Generation: 3},
		},
		"InvalidGlob": {
			reason: "An invalid glob, which the function ignores, makes the spec invalid.",
			in:     Inputs{Binding: &badGlob, Templates: netopsOnly, ClusterConfigs: clusters},
			want:   summary{Conditions: conds("False/InvalidSpec", "False/TemplateFound", "True/InvalidSpec", "False/NotShadowed", "False/NoTie"), Generation: 3},
		},
		"Disabled": {
			reason: "A disabled binding applies to no cluster.",
			in:     Inputs{Binding: &disabled, Templates: netopsOnly, ClusterConfigs: clusters},
			want:   summary{Conditions: conds("False/Disabled", "False/TemplateFound", "False/ValidSpec", "False/NotShadowed", "False/NoTie"), Generation: 3},
		},
		"Untrusted": {
			reason: "A binding outside the trusted namespaces applies to no cluster.",
			in:     Inputs{Binding: &otherNS, Trusted: trustConfigNS, Templates: netopsOnly, ClusterConfigs: clusters},
			want:   summary{Conditions: conds("False/NamespaceNotTrusted", "False/TemplateFound", "False/ValidSpec", "False/NotShadowed", "False/NoTie"), Generation: 3},
		},
		"NoKnownCluster": {
			reason: "A glob that matches no known cluster leaves the binding not Ready.",
			in:     Inputs{Binding: ptr(bnd("stage", 0, "stage-*")), Templates: netopsOnly, ClusterConfigs: clusters},
			want:   summary{Conditions: conds("False/NoMatchedClusters", "False/TemplateFound", "False/ValidSpec", "False/NotShadowed", "False/NoTie"), Generation: 3},
		},
		"ShadowedEverywhere": {
			reason: "A higher-priority override binding with the same allowlist wins on every cluster this one matches.",
			in:     Inputs{Binding: ptr(bnd("prod", 0, "prod-*")), Peers: []v1alpha1.DebugSessionClusterBinding{bnd("global", 100, "*")}, Templates: netopsOnly, ClusterConfigs: clusters},
			want:   summary{Matched: []string{"prod-a", "prod-b"}, Conditions: conds("True/Available", "False/TemplateFound", "False/ValidSpec", "True/Shadowed", "False/NoTie"), Generation: 3},
		},
		"ShadowedOnSomeOnly": {
			reason: "A binding shadowed on one matched cluster but not another is not Shadowed.",
			in:     Inputs{Binding: ptr(bnd("prod", 0, "prod-*")), Peers: []v1alpha1.DebugSessionClusterBinding{bnd("a", 100, "prod-a")}, Templates: netopsOnly, ClusterConfigs: clusters},
			want:   summary{Matched: []string{"prod-a", "prod-b"}, Conditions: healthy, Generation: 3},
		},
		"AdditiveDoesNotShadow": {
			reason: "A higher binding that merges additively lets resolution reach this one.",
			in:     Inputs{Binding: ptr(bnd("prod", 0, "prod-*")), Peers: []v1alpha1.DebugSessionClusterBinding{additive}, Templates: netopsOnly, ClusterConfigs: clusters},
			want:   summary{Matched: []string{"prod-a", "prod-b"}, Conditions: healthy, Generation: 3},
		},
		"NarrowerAllowlistDoesNotShadow": {
			reason: "A lower binding that admits people the higher one does not still wins for them.",
			in:     Inputs{Binding: &ownAllow, Peers: []v1alpha1.DebugSessionClusterBinding{bnd("global", 100, "*")}, Templates: netopsOnly, ClusterConfigs: clusters},
			want:   summary{Matched: []string{"prod-a"}, Conditions: healthy, Generation: 3},
		},
		"DisabledPeerIgnored": {
			reason: "A disabled binding neither shadows nor ties.",
			in:     Inputs{Binding: ptr(bnd("prod", 0, "prod-*")), Peers: []v1alpha1.DebugSessionClusterBinding{disabled}, Templates: netopsOnly, ClusterConfigs: clusters},
			want:   summary{Matched: []string{"prod-a", "prod-b"}, Conditions: healthy, Generation: 3},
		},
		"Tie": {
			reason: "Same priority and specificity on a shared cluster is a tie, for the binding that wins by name too.",
			in:     Inputs{Binding: ptr(bnd("a-prod", 0, "prod-*")), Peers: []v1alpha1.DebugSessionClusterBinding{bnd("b-prod", 0, "prod-?")}, Templates: netopsOnly, ClusterConfigs: clusters},
			want:   summary{Matched: []string{"prod-a", "prod-b"}, Conditions: conds("True/Available", "False/TemplateFound", "False/ValidSpec", "False/NotShadowed", "True/Tie"), Generation: 3},
		},
		"ExpiredPeerDoesNotShadow": {
			reason: "A binding past its expiresAt does not exist for new sessions, so it shadows nothing.",
			in:     Inputs{Binding: ptr(bnd("prod", 0, "prod-*")), Peers: []v1alpha1.DebugSessionClusterBinding{expired(bnd("global", 100, "*"))}, Templates: netopsOnly, ClusterConfigs: clusters, Now: now},
			want:   summary{Matched: []string{"prod-a", "prod-b"}, Conditions: healthy, Generation: 3},
		},
		"FuturePeerDoesNotTie": {
			reason: "A binding before its effectiveFrom does not exist yet, so it ties with nothing.",
			in:     Inputs{Binding: ptr(bnd("a-prod", 0, "prod-*")), Peers: []v1alpha1.DebugSessionClusterBinding{future(bnd("b-prod", 0, "prod-?"))}, Templates: netopsOnly, ClusterConfigs: clusters, Now: now},
			want:   summary{Matched: []string{"prod-a", "prod-b"}, Conditions: healthy, Generation: 3},
		},
		"HiddenPeerDoesNotShadow": {
			reason: "A hidden binding applies only to sessions that name it, so it never wins over this one for anyone else.",
			in:     Inputs{Binding: ptr(bnd("prod", 0, "prod-*")), Peers: []v1alpha1.DebugSessionClusterBinding{hidden(bnd("global", 100, "*")), hidden(bnd("b-prod", 0, "prod-?"))}, Templates: netopsOnly, ClusterConfigs: clusters, Now: now},
			want:   summary{Matched: []string{"prod-a", "prod-b"}, Conditions: healthy, Generation: 3},
		},
		"HiddenNeitherShadowedNorTied": {
			reason: "A hidden binding is only ever chosen by spec.bindingRef, where pick order plays no part.",
			in:     Inputs{Binding: ptr(hidden(bnd("a-prod", 0, "prod-*"))), Peers: []v1alpha1.DebugSessionClusterBinding{bnd("global", 100, "*"), bnd("b-prod", 0, "prod-?")}, Templates: netopsOnly, ClusterConfigs: clusters, Now: now},
			want:   summary{Matched: []string{"prod-a", "prod-b"}, Conditions: healthy, Generation: 3},
		},
		"Expired": {
			reason: "Past its expiresAt the binding applies to no new session: not Ready, no clusters.",
			in:     Inputs{Binding: ptr(expired(bnd("prod", 0, "prod-*"))), Templates: netopsOnly, ClusterConfigs: clusters, ActiveSessions: 1, Now: now},
			want:   summary{Active: 1, Conditions: conds("False/Expired", "False/TemplateFound", "False/ValidSpec", "False/NotShadowed", "False/NoTie"), Generation: 3},
		},
		"NotYetEffective": {
			reason: "Before its effectiveFrom the binding applies to nothing yet.",
			in:     Inputs{Binding: ptr(future(bnd("prod", 0, "prod-*"))), Templates: netopsOnly, ClusterConfigs: clusters, Now: now},
			want:   summary{Conditions: conds("False/NotYetEffective", "False/TemplateFound", "False/ValidSpec", "False/NotShadowed", "False/NoTie"), Generation: 3},
		},
		"OtherTemplateIgnored": {
			reason: "Bindings of another template neither shadow nor tie.",
			in: Inputs{Binding: ptr(bnd("prod", 0, "prod-*")), Peers: []v1alpha1.DebugSessionClusterBinding{func() v1alpha1.DebugSessionClusterBinding {
				o := bnd("global", 100, "*")
				o.Spec.TemplateRef.Name = "other"
				return o
			}()}, Templates: netopsOnly, ClusterConfigs: clusters},
			want: summary{Matched: []string{"prod-a", "prod-b"}, Conditions: healthy, Generation: 3},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := summarize(Compute(tc.in))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nCompute(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

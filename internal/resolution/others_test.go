package resolution

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

func TestBindingsOf(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	recorded := func(ns, name string) func(*v1alpha1.DebugSession) {
		return func(s *v1alpha1.DebugSession) {
			s.Status.State = v1alpha1.StateActive
			s.Status.Binding = &v1alpha1.BindingStatus{Namespace: ns, Name: name}
		}
	}
	ref := func(name string) v1alpha1.ObjectReference {
		return v1alpha1.ObjectReference{Namespace: configNS, Name: name}
	}
	configs := []v1alpha1.ClusterConfig{*clusterConfig("prod-cluster-a", "environment", "production"), *clusterConfig("prod-cluster-b", "environment", "production")}

	type args struct {
		bindings []v1alpha1.DebugSessionClusterBinding
		other    *v1alpha1.DebugSession
	}
	cases := map[string]struct {
		reason string
		args   args
		want   []v1alpha1.ObjectReference
	}{
		"NewSessionOnAnotherCluster": {
			reason: "A session never reconciled, on another cluster, is resolved with that cluster's labels: the selector binding applies to it.",
			args: args{
				bindings: []v1alpha1.DebugSessionClusterBinding{productionDefaults(allowedGroups("sre-oncall"))},
				other:    session("prod-cluster-b", "bob@example.com", []string{"sre-oncall"}),
			},
			want: []v1alpha1.ObjectReference{ref("production-defaults")},
		},
		"ClusterWithoutConfig": {
			reason: "A cluster without a ClusterConfig has no labels, so a selector binding does not apply to its sessions.",
			args: args{
				bindings: []v1alpha1.DebugSessionClusterBinding{productionDefaults(allowedGroups("sre-oncall"))},
				other:    session("prod-cluster-z", "bob@example.com", []string{"sre-oncall"}),
			},
			want: nil,
		},
		"AdditiveChain": {
			reason: "Every binding of the other session's additive chain applies to it, highest first.",
			args: args{
				bindings: []v1alpha1.DebugSessionClusterBinding{
					binding("base", "netops-debug", clusters("*"), allowedGroups("sre-oncall")),
					binding("prod", "netops-debug", clusters("prod-*"), priority(10), additive, allowedGroups("sre-oncall")),
				},
				other: session("prod-cluster-b", "bob@example.com", []string{"sre-oncall"}),
			},
			want: []v1alpha1.ObjectReference{ref("prod"), ref("base")},
		},
		"OtherTemplate": {
			reason: "A session of another template cannot be resolved with this template: its recorded binding counts.",
			args: args{
				bindings: []v1alpha1.DebugSessionClusterBinding{productionDefaults(allowedGroups("sre-oncall"))},
				other: session("prod-cluster-a", "bob@example.com", []string{"sre-oncall"}, recorded("team-x", "other-binding"), func(s *v1alpha1.DebugSession) {
					s.Spec.TemplateRef.Name = "other-template"
				}),
			},
			want: []v1alpha1.ObjectReference{{Namespace: "team-x", Name: "other-binding"}},
		},
		"NewSessionOfAnotherTemplateMightBeSelected": {
			reason: "A session of another template never reconciled records no binding, and its template's labels are not at hand: every selector binding of its template's namespace that applies to its cluster counts it, so two new sessions of different templates cannot both take a selector binding's last slot.",
			args: args{
				bindings: []v1alpha1.DebugSessionClusterBinding{
					binding("by-label", "", clusters("prod-*"), templateSelector(matchLabels("tier", "network"))),
					binding("by-name", "other-template", clusters("prod-*")),
					binding("elsewhere", "", clusters("prod-*"), templateSelector(matchLabels("tier", "network")), func(b *v1alpha1.DebugSessionClusterBinding) { b.Namespace = "team-x" }),
					binding("dev-only", "", clusters("dev-*"), templateSelector(matchLabels("tier", "network"))),
				},
				other: session("prod-cluster-a", "bob@example.com", nil, func(s *v1alpha1.DebugSession) {
					s.Spec.TemplateRef.Name = "other-template"
				}),
			},
			want: []v1alpha1.ObjectReference{ref("by-label")},
		},
		"ReconciledSessionOfAnotherTemplate": {
			reason: "Once reconciled, a session of another template that applies through no binding is not counted by a selector binding.",
			args: args{
				bindings: []v1alpha1.DebugSessionClusterBinding{binding("by-label", "", clusters("prod-*"), templateSelector(matchLabels("tier", "network")))},
				other: session("prod-cluster-a", "bob@example.com", nil, func(s *v1alpha1.DebugSession) {
					s.Spec.TemplateRef.Name = "other-template"
					s.Status.State = v1alpha1.StateActive
				}),
			},
			want: nil,
		},
		"NoLongerAdmitted": {
			reason: "A running session whose binding stopped admitting its requester keeps running, so it still counts against the binding its status records.",
			args: args{
				bindings: []v1alpha1.DebugSessionClusterBinding{productionDefaults(allowedGroups("sre-oncall"))},
				other:    session("prod-cluster-a", "bob@example.com", []string{"other-team"}, recorded(configNS, "production-defaults")),
			},
			want: []v1alpha1.ObjectReference{ref("production-defaults")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			of := BindingsOf(Request{Template: netopsTemplate(), Bindings: tc.args.bindings, Now: now}, configs)
			got := of(tc.args.other)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nBindingsOf(...)(other): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSessionCaps(t *testing.T) {
	caps := func(perUser, total *int32) func(*v1alpha1.DebugSessionClusterBinding) {
		return func(b *v1alpha1.DebugSessionClusterBinding) {
			b.Spec.MaxActiveSessionsPerUser, b.Spec.MaxActiveSessionsTotal = perUser, total
		}
	}
	type want struct {
		capped         bool
		perUser, total *int32
	}
	cases := map[string]struct {
		reason   string
		bindings []v1alpha1.DebugSessionClusterBinding
		want     want
	}{
		"NoCaps": {
			reason:   "A binding without caps needs no other sessions.",
			bindings: []v1alpha1.DebugSessionClusterBinding{binding("prod", "netops-debug", clusters("prod-*"), allowedGroups("sre-oncall"))},
			want:     want{},
		},
		"SmallestOfTheChain": {
			reason: "Caps of every binding of the additive chain apply; the smallest of each is the most that can run through it.",
			bindings: []v1alpha1.DebugSessionClusterBinding{
				binding("base", "netops-debug", clusters("*"), caps(ptrTo[int32](1), ptrTo[int32](3))),
				binding("prod", "netops-debug", clusters("prod-*"), priority(10), additive, allowedGroups("sre-oncall"), caps(ptrTo[int32](2), ptrTo[int32](10))),
			},
			want: want{capped: true, perUser: ptrTo[int32](1), total: ptrTo[int32](3)},
		},
		"CapLowerInChain": {
			reason: "A cap on a lower binding of the additive chain applies too.",
			bindings: []v1alpha1.DebugSessionClusterBinding{
				binding("base", "netops-debug", clusters("*"), caps(nil, ptrTo[int32](3))),
				binding("prod", "netops-debug", clusters("prod-*"), priority(10), additive, allowedGroups("sre-oncall")),
			},
			want: want{capped: true, total: ptrTo[int32](3)},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := Resolve(Request{Session: session("prod-cluster-a", "alice@example.com", []string{"sre-oncall"}), Template: netopsTemplate(), Bindings: tc.bindings})
			if err != nil {
				t.Fatalf("%s\nResolve(...): %v", tc.reason, err)
			}
			got := want{capped: res.Capped()}
			got.perUser, got.total = res.SessionCaps()
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nCapped(), SessionCaps(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

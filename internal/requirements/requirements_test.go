package requirements

import (
	"testing"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/testing/protocmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

func session() *v1alpha1.DebugSession {
	return &v1alpha1.DebugSession{
		ObjectMeta: metav1.ObjectMeta{Name: "inc-1234", Namespace: "team-a"},
		Spec: v1alpha1.DebugSessionSpec{
			TemplateRef: v1alpha1.ObjectReference{Name: "netops-debug"},
			Cluster:     "prod-cluster-a",
			RequestedBy: "alice@example.com",
		},
	}
}

func nsPtr(s string) *string { return &s }

func TestSelectors(t *testing.T) {
	matchAll := &fnv1.ResourceSelector_MatchLabels{MatchLabels: &fnv1.MatchLabels{Labels: map[string]string{}}}
	template := &fnv1.ResourceSelector{ApiVersion: "breakglass.telekom.de/v1alpha1", Kind: "DebugSessionTemplate", Namespace: nsPtr("breakglass-system"), Match: &fnv1.ResourceSelector_MatchName{MatchName: "netops-debug"}}
	clusterConfig := &fnv1.ResourceSelector{ApiVersion: "breakglass.telekom.de/v1alpha1", Kind: "ClusterConfig", Namespace: nsPtr("breakglass-system"), Match: &fnv1.ResourceSelector_MatchName{MatchName: "prod-cluster-a"}}

	type args struct {
		in    *v1beta1.Input
		needs Needs
	}
	cases := map[string]struct {
		reason string
		args   args
		want   map[string]*fnv1.ResourceSelector
	}{
		"FirstRound": {
			reason: "The first round asks for the template, the cluster config and the bindings of the config namespace.",
			args:   args{in: nil},
			want: map[string]*fnv1.ResourceSelector{
				"template":                   template,
				"cluster-config":             clusterConfig,
				"bindings-breakglass-system": {ApiVersion: "breakglass.telekom.de/v1alpha1", Kind: "DebugSessionClusterBinding", Namespace: nsPtr("breakglass-system"), Match: matchAll},
			},
		},
		"OneSelectorPerBindingNamespace": {
			reason: "Each trusted namespace gets its own selector.",
			args:   args{in: &v1beta1.Input{BindingNamespaces: []string{"team-b", "team-a"}}},
			want: map[string]*fnv1.ResourceSelector{
				"template":        template,
				"cluster-config":  clusterConfig,
				"bindings-team-a": {ApiVersion: "breakglass.telekom.de/v1alpha1", Kind: "DebugSessionClusterBinding", Namespace: nsPtr("team-a"), Match: matchAll},
				"bindings-team-b": {ApiVersion: "breakglass.telekom.de/v1alpha1", Kind: "DebugSessionClusterBinding", Namespace: nsPtr("team-b"), Match: matchAll},
			},
		},
		"AllNamespaces": {
			reason: `"*" lists bindings in every namespace with one selector without a namespace.`,
			args:   args{in: &v1beta1.Input{BindingNamespaces: []string{"*"}}},
			want: map[string]*fnv1.ResourceSelector{
				"template":       template,
				"cluster-config": clusterConfig,
				"bindings":       {ApiVersion: "breakglass.telekom.de/v1alpha1", Kind: "DebugSessionClusterBinding", Match: matchAll},
			},
		},
		"SecondRound": {
			reason: "Once the template is known, the pod template and (with a concurrency limit) the cluster's sessions are asked for.",
			args:   args{in: nil, needs: Needs{PodTemplate: "netops-debug-pod", PodTemplateNamespace: "breakglass-system", SessionsOnCluster: true}},
			want: map[string]*fnv1.ResourceSelector{
				"template":                   template,
				"cluster-config":             clusterConfig,
				"bindings-breakglass-system": {ApiVersion: "breakglass.telekom.de/v1alpha1", Kind: "DebugSessionClusterBinding", Namespace: nsPtr("breakglass-system"), Match: matchAll},
				"pod-template":               {ApiVersion: "breakglass.telekom.de/v1alpha1", Kind: "DebugPodTemplate", Namespace: nsPtr("breakglass-system"), Match: &fnv1.ResourceSelector_MatchName{MatchName: "netops-debug-pod"}},
				"sessions":                   {ApiVersion: "breakglass.telekom.de/v1alpha1", Kind: "DebugSession", Match: &fnv1.ResourceSelector_MatchLabels{MatchLabels: &fnv1.MatchLabels{Labels: map[string]string{"breakglass.telekom.de/cluster": "prod-cluster-a"}}}},
			},
		},
		"SecondRoundWithCaps": {
			reason: "A binding cap counts sessions on every cluster the binding applies to: every session and every cluster config are asked for, whatever the concurrency limit asks.",
			args:   args{in: nil, needs: Needs{PodTemplate: "netops-debug-pod", PodTemplateNamespace: "breakglass-system", SessionsOnCluster: true, SessionsEverywhere: true}},
			want: map[string]*fnv1.ResourceSelector{
				"template":                   template,
				"cluster-config":             clusterConfig,
				"bindings-breakglass-system": {ApiVersion: "breakglass.telekom.de/v1alpha1", Kind: "DebugSessionClusterBinding", Namespace: nsPtr("breakglass-system"), Match: matchAll},
				"pod-template":               {ApiVersion: "breakglass.telekom.de/v1alpha1", Kind: "DebugPodTemplate", Namespace: nsPtr("breakglass-system"), Match: &fnv1.ResourceSelector_MatchName{MatchName: "netops-debug-pod"}},
				"sessions":                   {ApiVersion: "breakglass.telekom.de/v1alpha1", Kind: "DebugSession", Match: matchAll},
				"cluster-configs":            {ApiVersion: "breakglass.telekom.de/v1alpha1", Kind: "ClusterConfig", Namespace: nsPtr("breakglass-system"), Match: matchAll},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := Selectors(session(), tc.args.in, tc.args.needs)
			if diff := cmp.Diff(tc.want, got, protocmp.Transform()); diff != "" {
				t.Errorf("%s\nSelectors(...): -want, +got:\n%s", tc.reason, diff)
			}
			// Crossplane stops calling once requirements are stable, so the
			// same input must always give the same requirements.
			if diff := cmp.Diff(got, Selectors(session(), tc.args.in, tc.args.needs), protocmp.Transform()); diff != "" {
				t.Errorf("%s\nSelectors(...) is not stable:\n%s", tc.reason, diff)
			}
		})
	}
}

func obj(kind, namespace, name string, extra map[string]any) map[string]any {
	o := map[string]any{
		"apiVersion": "breakglass.telekom.de/v1alpha1",
		"kind":       kind,
		"metadata":   map[string]any{"name": name, "namespace": namespace},
	}
	for k, v := range extra {
		o[k] = v
	}
	return o
}

func answer(objs ...map[string]any) *fnv1.Resources {
	rs := &fnv1.Resources{}
	for _, o := range objs {
		rs.Items = append(rs.Items, &fnv1.Resource{Resource: resource.MustStructObject(&unstructured.Unstructured{Object: o})})
	}
	return rs
}

func TestLoad(t *testing.T) {
	sel := Selectors(session(), nil, Needs{PodTemplate: "netops-debug-pod", PodTemplateNamespace: "breakglass-system", SessionsOnCluster: true})

	type want struct {
		complete bool
		template string
		bindings []string
		sessions []string
		err      string
	}
	cases := map[string]struct {
		reason   string
		required map[string]*fnv1.Resources
		want     want
	}{
		"NothingAnswered": {
			reason:   "Before Crossplane answers, nothing is complete.",
			required: nil,
			want:     want{},
		},
		"FiltersByNamespaceAndKind": {
			reason: "crossplane render ignores selector namespaces, so objects in other namespaces or of other kinds are dropped.",
			required: map[string]*fnv1.Resources{
				"template": answer(
					obj("DebugSessionTemplate", "elsewhere", "netops-debug", nil),
					obj("DebugSessionTemplate", "breakglass-system", "netops-debug", map[string]any{"spec": map[string]any{"displayName": "right one"}}),
				),
				"cluster-config": answer(),
				"pod-template":   answer(obj("DebugPodTemplate", "breakglass-system", "netops-debug-pod", nil)),
				"bindings-breakglass-system": answer(
					obj("DebugSessionClusterBinding", "breakglass-system", "z-binding", nil),
					obj("DebugSessionClusterBinding", "untrusted", "evil", nil),
					obj("DebugSessionTemplate", "breakglass-system", "not-a-binding", nil),
					obj("DebugSessionClusterBinding", "breakglass-system", "a-binding", nil),
				),
				"sessions": answer(
					obj("DebugSession", "team-a", "inc-1234", map[string]any{"metadata": map[string]any{"name": "inc-1234", "namespace": "team-a", "labels": map[string]any{"breakglass.telekom.de/cluster": "prod-cluster-a"}}}),
					obj("DebugSession", "team-b", "inc-9", map[string]any{"metadata": map[string]any{"name": "inc-9", "namespace": "team-b", "labels": map[string]any{"breakglass.telekom.de/cluster": "prod-cluster-a"}}}),
					obj("DebugSession", "team-b", "inc-10", map[string]any{"metadata": map[string]any{"name": "inc-10", "namespace": "team-b", "labels": map[string]any{"breakglass.telekom.de/cluster": "other"}}}),
				),
			},
			want: want{
				complete: true,
				template: "right one",
				bindings: []string{"breakglass-system/a-binding", "breakglass-system/z-binding"},
				sessions: []string{"team-b/inc-9"},
			},
		},
		"MalformedObject": {
			reason: "An object whose fields have the wrong type is an error naming the object.",
			required: map[string]*fnv1.Resources{
				"template": answer(obj("DebugSessionTemplate", "breakglass-system", "netops-debug", map[string]any{"spec": map[string]any{"replicas": "three"}})),
			},
			want: want{err: "cannot read DebugSessionTemplate breakglass-system/netops-debug: json: cannot unmarshal string into Go struct field DebugSessionTemplateSpec.spec.replicas of type int32"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := &fnv1.RunFunctionRequest{RequiredResources: tc.required}
			f, err := Load(req, session(), sel)
			got := want{}
			if err != nil {
				got.err = err.Error()
			}
			if err == nil {
				got.complete = f.Complete(sel)
				if f.Template != nil {
					got.template = f.Template.Spec.DisplayName
				}
				for _, b := range f.Bindings {
					got.bindings = append(got.bindings, b.Namespace+"/"+b.Name)
				}
				for _, s := range f.Sessions {
					got.sessions = append(got.sessions, s.Namespace+"/"+s.Name)
				}
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nLoad(...): -want, +got:\n%s (err: %v)", tc.reason, diff, err)
			}
		})
	}
}

func TestLoadEverywhere(t *testing.T) {
	sessionOn := func(ns, name, cluster string) map[string]any {
		return obj("DebugSession", ns, name, map[string]any{"metadata": map[string]any{"name": name, "namespace": ns, "labels": map[string]any{"breakglass.telekom.de/cluster": cluster}}})
	}
	required := map[string]*fnv1.Resources{
		"sessions": answer(sessionOn("team-b", "inc-10", "other"), sessionOn("team-a", "inc-1234", "prod-cluster-a"), sessionOn("team-b", "inc-9", "prod-cluster-a")),
		"cluster-configs": answer(
			obj("ClusterConfig", "breakglass-system", "prod-cluster-b", nil),
			obj("ClusterConfig", "elsewhere", "fake", nil),
			obj("ClusterConfig", "breakglass-system", "prod-cluster-a", nil),
		),
	}
	type want struct {
		sessions, configs []string
	}
	cases := map[string]struct {
		reason string
		needs  Needs
		want   want
	}{
		"Everywhere": {
			reason: "With a binding cap, sessions of every cluster but this one and the config namespace's cluster configs are loaded, sorted.",
			needs:  Needs{SessionsOnCluster: true, SessionsEverywhere: true},
			want:   want{sessions: []string{"team-b/inc-10", "team-b/inc-9"}, configs: []string{"breakglass-system/prod-cluster-a", "breakglass-system/prod-cluster-b"}},
		},
		"OnCluster": {
			reason: "A concurrency limit alone loads only this cluster's sessions, even when Crossplane answers with more.",
			needs:  Needs{SessionsOnCluster: true},
			want:   want{sessions: []string{"team-b/inc-9"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			sel := Selectors(session(), nil, tc.needs)
			f, err := Load(&fnv1.RunFunctionRequest{RequiredResources: required}, session(), sel)
			if err != nil {
				t.Fatalf("%s\nLoad(...): %v", tc.reason, err)
			}
			got := want{}
			for _, s := range f.Sessions {
				got.sessions = append(got.sessions, s.Namespace+"/"+s.Name)
			}
			for _, c := range f.ClusterConfigs {
				got.configs = append(got.configs, c.Namespace+"/"+c.Name)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nLoad(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

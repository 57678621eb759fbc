package bindingstatus

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// TestMapperFollowsSelectors checks that template and binding events reach
// the bindings that select a template by label, as well as those that name
// it.
func TestMapperFollowsSelectors(t *testing.T) {
	labelled := netops.DeepCopy()
	labelled.Labels = map[string]string{"tier": "network"}
	other := netops.DeepCopy()
	other.Name = "storage"
	other.Labels = map[string]string{"tier": "storage"}

	named := bnd("named", 0, "prod-*")
	selects := bnd("selects", 0, "prod-*")
	selects.Spec.TemplateRef, selects.Spec.TemplateSelector = nil, &metav1.LabelSelector{MatchLabels: map[string]string{"tier": "network"}}
	unrelated := bnd("unrelated", 0, "prod-*")
	unrelated.Spec.TemplateRef.Name = "storage"

	mapper := meta.NewDefaultRESTMapper([]schema.GroupVersion{v1alpha1.SchemeGroupVersion})
	for _, gvk := range []schema.GroupVersionKind{BindingGVK, TemplateGVK, ClusterGVK, SessionGVK} {
		mapper.Add(gvk, meta.RESTScopeNamespace)
	}
	c := fake.NewClientBuilder().WithRESTMapper(mapper).WithObjects(
		toU(t, labelled, v1alpha1.DebugSessionTemplateKind), toU(t, other, v1alpha1.DebugSessionTemplateKind),
		toU(t, &named, v1alpha1.DebugSessionClusterBindingKind), toU(t, &selects, v1alpha1.DebugSessionClusterBindingKind), toU(t, &unrelated, v1alpha1.DebugSessionClusterBindingKind),
	).Build()
	m := newRequestNames(c)

	names := func(o client.Object, f func(context.Context, client.Object) []string) []string {
		got := f(context.Background(), o)
		slices.Sort(got)
		return got
	}
	cases := map[string]struct {
		reason string
		got    []string
		want   []string
	}{
		"TemplateToSelectingBindings": {
			reason: "A template event reaches the bindings that name it and those whose selector selects its labels.",
			got:    names(toU(t, labelled, v1alpha1.DebugSessionTemplateKind), m.naming),
			want:   []string{"named", "selects"},
		},
		"RelabelledTemplate": {
			reason: "A template whose labels no longer match reaches only the binding that names it; its old labels were mapped on their own.",
			got:    names(toU(t, netops, v1alpha1.DebugSessionTemplateKind), m.naming),
			want:   []string{"named"},
		},
		"BindingToPeersOfItsTemplate": {
			reason: "A binding event reaches the bindings that share its template, by name or by label.",
			got:    names(toU(t, &named, v1alpha1.DebugSessionClusterBindingKind), m.same),
			want:   []string{"named", "named", "selects"},
		},
		"SelectorBindingToPeers": {
			reason: "A selector binding's event reaches the bindings of every template it selects.",
			got:    names(toU(t, &selects, v1alpha1.DebugSessionClusterBindingKind), m.same),
			want:   []string{"named", "selects", "selects"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// requestNames adapts the mapper's functions to the names of the requests.
type requestNames struct{ m mapper }

func newRequestNames(c client.Client) requestNames {
	return requestNames{m: mapper{c: c, configNamespace: ns}}
}

func (n requestNames) naming(ctx context.Context, o client.Object) []string {
	var out []string
	for _, r := range n.m.namingTemplate(ctx, o) {
		out = append(out, r.Name)
	}
	return out
}

func (n requestNames) same(ctx context.Context, o client.Object) []string {
	var out []string
	for _, r := range n.m.sameTemplate(ctx, o) {
		out = append(out, r.Name)
	}
	return out
}

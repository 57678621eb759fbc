package bindingstatus

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

func toU(t *testing.T, o any, kind string) *unstructured.Unstructured {
	t.Helper()
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: m}
	u.SetGroupVersionKind(v1alpha1.SchemeGroupVersion.WithKind(kind))
	return u
}

func session(name, binding string, state v1alpha1.State) *unstructured.Unstructured {
	u := newObject(SessionGVK)
	u.SetNamespace("team-a")
	u.SetName(name)
	_ = unstructured.SetNestedField(u.Object, map[string]any{"name": binding, "namespace": ns}, "status", "binding")
	_ = unstructured.SetNestedField(u.Object, string(state), "status", "state")
	return u
}

// TestReconcileWritesOnlyOnChange reconciles one binding step by step and
// counts status writes: one when the status is new or changes, none when a
// reconcile finds it unchanged.
func TestReconcileWritesOnlyOnChange(t *testing.T) {
	b := bnd("prod", 0, "prod-*")
	binding := toU(t, &b, v1alpha1.DebugSessionClusterBindingKind)
	mapper := meta.NewDefaultRESTMapper([]schema.GroupVersion{v1alpha1.SchemeGroupVersion})
	for _, gvk := range []schema.GroupVersionKind{BindingGVK, TemplateGVK, ClusterGVK, SessionGVK} {
		mapper.Add(gvk, meta.RESTScopeNamespace)
	}
	writes := 0
	c := fake.NewClientBuilder().
		WithRESTMapper(mapper).
		WithObjects(binding, toU(t, netops, v1alpha1.DebugSessionTemplateKind), toU(t, &clusters[0], v1alpha1.ClusterConfigKind),
			session("s1", "prod", v1alpha1.StateActive), session("s2", "prod", v1alpha1.StateExpired), session("s3", "other", v1alpha1.StateActive)).
		WithStatusSubresource(binding).
		WithIndex(newObject(SessionGVK), SessionBindingIndex, func(o client.Object) []string {
			if k := SessionBinding(o); k != "" {
				return []string{k}
			}
			return nil
		}).
		WithInterceptorFuncs(interceptor.Funcs{SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, o client.Object, opts ...client.SubResourceUpdateOption) error {
			writes++
			return c.SubResource(sub).Update(ctx, o, opts...)
		}}).
		Build()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	r := &Reconciler{Client: c, Input: &v1beta1.Input{}, Now: func() time.Time { return now }}
	req := reconcile.Request{NamespacedName: types.NamespacedName{Namespace: ns, Name: "prod"}}

	type observed struct {
		Writes  int
		Matched []string
		Active  int32
	}
	step := func(what string, want observed) {
		t.Helper()
		if _, err := r.Reconcile(context.Background(), req); err != nil {
			t.Fatalf("%s: Reconcile: %v", what, err)
		}
		got := newObject(BindingGVK)
		if err := c.Get(context.Background(), req.NamespacedName, got); err != nil {
			t.Fatal(err)
		}
		st := v1alpha1.DebugSessionClusterBinding{}
		if err := fromUnstructured(got, &st); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, observed{Writes: writes, Matched: st.Status.MatchedClusters, Active: st.Status.ActiveSessions}); diff != "" {
			t.Errorf("%s: -want, +got:\n%s", what, diff)
		}
	}

	step("A new binding gets its status written once; an ended session does not count.", observed{Writes: 1, Matched: []string{"prod-a"}, Active: 1})
	now = now.Add(time.Hour)
	step("Nothing changed, so nothing is written, even as the clock moves.", observed{Writes: 1, Matched: []string{"prod-a"}, Active: 1})
	if err := c.Create(context.Background(), toU(t, &clusters[1], v1alpha1.ClusterConfigKind)); err != nil {
		t.Fatal(err)
	}
	step("A new matching ClusterConfig changes matchedClusters: one write.", observed{Writes: 2, Matched: []string{"prod-a", "prod-b"}, Active: 1})
	if err := c.Create(context.Background(), session("s4", "prod", v1alpha1.StatePending)); err != nil {
		t.Fatal(err)
	}
	step("A new session of the binding changes activeSessions: one write.", observed{Writes: 3, Matched: []string{"prod-a", "prod-b"}, Active: 2})
	step("And again nothing more.", observed{Writes: 3, Matched: []string{"prod-a", "prod-b"}, Active: 2})
}

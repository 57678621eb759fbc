package bindingstatus

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
)

// The kinds the controller reads. They are read as unstructured objects:
// sessions are Crossplane XRs with no Go client types, and the API types of
// this module are plain structs without list types or a scheme.
var (
	BindingGVK  = v1alpha1.SchemeGroupVersion.WithKind(v1alpha1.DebugSessionClusterBindingKind)
	TemplateGVK = v1alpha1.SchemeGroupVersion.WithKind(v1alpha1.DebugSessionTemplateKind)
	ClusterGVK  = v1alpha1.SchemeGroupVersion.WithKind(v1alpha1.ClusterConfigKind)
	SessionGVK  = v1alpha1.SchemeGroupVersion.WithKind(v1alpha1.DebugSessionKind)
)

// SessionBindingIndex indexes DebugSessions by the namespace/name of the
// binding in their status.binding, so that counting a binding's sessions
// does not scan them all.
const SessionBindingIndex = "status.binding"

// Reconciler keeps one binding's status.
type Reconciler struct {
	Client client.Client
	// Input says where ClusterConfigs live and which binding namespaces
	// the function trusts, as the function's own input does.
	Input *v1beta1.Input
	Now   func() time.Time
}

// Reconcile computes the binding's status from the cache and writes the
// status subresource when, and only when, it differs from what is stored.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	u := newObject(BindingGVK)
	if err := r.Client.Get(ctx, req.NamespacedName, u); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	b := &v1alpha1.DebugSessionClusterBinding{}
	if err := fromUnstructured(u, b); err != nil {
		// A binding that does not decode will not decode on a retry
		// either: log it and wait for the next change.
		log.FromContext(ctx).Info("Cannot decode binding", "error", err.Error())
		return reconcile.Result{}, nil
	}
	in, err := r.inputs(ctx, b)
	if err != nil {
		return reconcile.Result{}, err
	}
	// A window boundary ahead changes the status with nothing to watch.
	again := reconcile.Result{RequeueAfter: nextWindowChange(in)}
	next := r.merge(b.Status, Compute(in))
	if equality.Semantic.DeepEqual(b.Status, next) {
		return again, nil
	}
	st, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&next)
	if err != nil {
		return reconcile.Result{}, err
	}
	u.Object["status"] = st
	// Update, not patch: the resourceVersion makes a stale write fail and
	// the request retry with a fresh cache.
	if err := r.Client.Status().Update(ctx, u); err != nil {
		return reconcile.Result{}, fmt.Errorf("cannot update the status of %s: %w", b.Describe(), err)
	}
	return again, nil
}

// inputs gathers what Compute needs from the cache.
func (r *Reconciler) inputs(ctx context.Context, b *v1alpha1.DebugSessionClusterBinding) (Inputs, error) {
	in := Inputs{Binding: b, Trusted: r.Input.TrustsBindingNamespace, Now: r.Now()}

	peers, err := r.list(ctx, BindingGVK)
	if err != nil {
		return in, err
	}
	for i := range peers {
		p := v1alpha1.DebugSessionClusterBinding{}
		if fromUnstructured(&peers[i], &p) == nil {
			in.Peers = append(in.Peers, p)
		}
	}

	if in.Templates, err = r.templatesOf(ctx, b); err != nil {
		return in, err
	}

	ccs, err := r.list(ctx, ClusterGVK, client.InNamespace(r.Input.GetConfigNamespace()))
	if err != nil {
		return in, err
	}
	for i := range ccs {
		c := v1alpha1.ClusterConfig{}
		if fromUnstructured(&ccs[i], &c) == nil {
			in.ClusterConfigs = append(in.ClusterConfigs, c)
		}
	}

	sessions, err := r.list(ctx, SessionGVK, client.MatchingFields{SessionBindingIndex: b.Namespace + "/" + b.Name})
	if err != nil {
		return in, err
	}
	for i := range sessions {
		if !sessionEnded(&sessions[i]) {
			in.ActiveSessions++
		}
	}
	return in, nil
}

// templatesOf returns the templates b applies to, sorted by namespace and
// name: the one its templateRef names, or those of its namespace its
// templateSelector selects.
func (r *Reconciler) templatesOf(ctx context.Context, b *v1alpha1.DebugSessionClusterBinding) ([]*v1alpha1.DebugSessionTemplate, error) {
	if ns, name, ok := resolution.TemplateRefOf(b); ok {
		tu := newObject(TemplateGVK)
		switch err := r.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, tu); {
		case kerrors.IsNotFound(err):
			return nil, nil
		case err != nil:
			return nil, err
		}
		t := &v1alpha1.DebugSessionTemplate{}
		if fromUnstructured(tu, t) != nil {
			return nil, nil
		}
		return []*v1alpha1.DebugSessionTemplate{t}, nil
	}
	if !resolution.SelectsByLabel(b) {
		return nil, nil
	}
	us, err := r.list(ctx, TemplateGVK, client.InNamespace(b.Namespace))
	if err != nil {
		return nil, err
	}
	var out []*v1alpha1.DebugSessionTemplate
	for i := range us {
		t := &v1alpha1.DebugSessionTemplate{}
		if fromUnstructured(&us[i], t) == nil && resolution.SelectsTemplate(b, t) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(x, y *v1alpha1.DebugSessionTemplate) int {
		return cmp.Or(strings.Compare(x.Namespace, y.Namespace), strings.Compare(x.Name, y.Name))
	})
	return out, nil
}

// merge returns computed with the conditions merged into the stored ones:
// a condition keeps its transition time unless its status changes.
func (r *Reconciler) merge(stored, computed v1alpha1.DebugSessionClusterBindingStatus) v1alpha1.DebugSessionClusterBindingStatus {
	conds := make([]metav1.Condition, 0, len(stored.Conditions))
	conds = append(conds, stored.Conditions...)
	// Seconds, as the API server stores them, so that a stored status
	// compares equal to a recomputed one.
	now := metav1.NewTime(r.Now().Truncate(time.Second))
	for _, c := range computed.Conditions {
		c.LastTransitionTime = now
		meta.SetStatusCondition(&conds, c)
	}
	computed.Conditions = conds
	return computed
}

func (r *Reconciler) list(ctx context.Context, gvk schema.GroupVersionKind, opts ...client.ListOption) ([]unstructured.Unstructured, error) {
	l := &unstructured.UnstructuredList{}
	l.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	if err := r.Client.List(ctx, l, opts...); err != nil {
		return nil, fmt.Errorf("cannot list %s: %w", gvk.Kind, err)
	}
	return l.Items, nil
}

func newObject(gvk schema.GroupVersionKind) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	return u
}

func fromUnstructured(u *unstructured.Unstructured, into any) error {
	return runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, into)
}

// SessionBinding returns the namespace/name of the binding in a session's
// status.binding, or "" when it has none.
func SessionBinding(o client.Object) string {
	u, ok := o.(*unstructured.Unstructured)
	if !ok {
		return ""
	}
	name, _, _ := unstructured.NestedString(u.Object, "status", "binding", "name")
	ns, _, _ := unstructured.NestedString(u.Object, "status", "binding", "namespace")
	if name == "" {
		return ""
	}
	return ns + "/" + name
}

// sessionEnded reports whether a session has ended: its state is terminal.
// A session without a state yet has not.
func sessionEnded(u *unstructured.Unstructured) bool {
	s, _, _ := unstructured.NestedString(u.Object, "status", "state")
	return v1alpha1.State(s).Ended()
}

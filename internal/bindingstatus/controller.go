package bindingstatus

import (
	"context"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
)

// Setup registers the binding status controller with a manager. Events are
// mapped to exactly the bindings whose status they can change, and there is
// no periodic requeue: the informers' watches drive everything, except the
// clock, for which a binding is requeued at the next effectiveFrom or
// expiresAt of it or a peer.
//
//   - a binding: every binding that shares a template with it, before and
//     after the change (matches, shadows and ties are relative), only when
//     its generation changes, so the controller's own status writes do not
//     wake it;
//   - a template: the bindings that name or select it, with its old and new
//     labels (TemplateNotFound, allowlists, selectors);
//   - a ClusterConfig in the config namespace: every binding;
//   - a session: the bindings in its old and new status.binding, only when
//     that or whether it has ended changes.
func Setup(ctx context.Context, mgr ctrl.Manager, in *v1beta1.Input) error {
	if err := mgr.GetFieldIndexer().IndexField(ctx, newObject(SessionGVK), SessionBindingIndex, func(o client.Object) []string {
		if k := SessionBinding(o); k != "" {
			return []string{k}
		}
		return nil
	}); err != nil {
		return err
	}
	r := &Reconciler{Client: mgr.GetClient(), Input: in, Now: time.Now}
	m := mapper{c: mgr.GetClient(), configNamespace: in.GetConfigNamespace()}
	return ctrl.NewControllerManagedBy(mgr).
		Named("bindingstatus").
		Watches(newObject(BindingGVK), handler.EnqueueRequestsFromMapFunc(m.sameTemplate), builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(newObject(TemplateGVK), handler.EnqueueRequestsFromMapFunc(m.namingTemplate), builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, predicate.LabelChangedPredicate{}))).
		Watches(newObject(ClusterGVK), handler.EnqueueRequestsFromMapFunc(m.allBindings), builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, predicate.LabelChangedPredicate{}))).
		Watches(newObject(SessionGVK), sessionHandler()).
		Complete(r)
}

// mapper maps events to the bindings they concern, from the cache.
type mapper struct {
	c               client.Client
	configNamespace string
}

func (m mapper) bindings(ctx context.Context, keep func(*v1alpha1.DebugSessionClusterBinding) bool) []reconcile.Request {
	r := &Reconciler{Client: m.c}
	us, err := r.list(ctx, BindingGVK)
	if err != nil {
		return nil
	}
	var out []reconcile.Request
	for i := range us {
		b := &v1alpha1.DebugSessionClusterBinding{}
		if fromUnstructured(&us[i], b) != nil || !keep(b) {
			continue
		}
		out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: b.Namespace, Name: b.Name}})
	}
	return out
}

// sameTemplate maps a binding to itself and every binding that shares a
// template with it. EnqueueRequestsFromMapFunc maps an update's old and new
// object both, so the bindings of a template the binding stopped naming or
// selecting are included.
func (m mapper) sameTemplate(ctx context.Context, o client.Object) []reconcile.Request {
	changed := &v1alpha1.DebugSessionClusterBinding{}
	if u, ok := o.(*unstructured.Unstructured); !ok || fromUnstructured(u, changed) != nil {
		return nil
	}
	self := reconcile.Request{NamespacedName: types.NamespacedName{Namespace: o.GetNamespace(), Name: o.GetName()}}
	templates, err := (&Reconciler{Client: m.c}).templatesOf(ctx, changed)
	if err != nil || len(templates) == 0 {
		return []reconcile.Request{self}
	}
	peers := m.bindings(ctx, func(b *v1alpha1.DebugSessionClusterBinding) bool {
		return slices.ContainsFunc(templates, func(t *v1alpha1.DebugSessionTemplate) bool { return resolution.SelectsTemplate(b, t) })
	})
	return append(peers, self)
}

// namingTemplate maps a template to the bindings that name or select it.
func (m mapper) namingTemplate(ctx context.Context, o client.Object) []reconcile.Request {
	// Names and labels are all that decide; a template whose spec does
	// not decode still has them.
	t := &v1alpha1.DebugSessionTemplate{ObjectMeta: metav1.ObjectMeta{Namespace: o.GetNamespace(), Name: o.GetName(), Labels: o.GetLabels()}}
	return m.bindings(ctx, func(b *v1alpha1.DebugSessionClusterBinding) bool {
		return resolution.SelectsTemplate(b, t)
	})
}

func (m mapper) allBindings(ctx context.Context, o client.Object) []reconcile.Request {
	if o.GetNamespace() != m.configNamespace {
		return nil
	}
	return m.bindings(ctx, func(*v1alpha1.DebugSessionClusterBinding) bool { return true })
}

// sessionHandler enqueues the bindings a session counts towards, before and
// after a change. Crossplane updates sessions often; most updates change
// neither the binding nor whether the session has ended, and are dropped.
func sessionHandler() handler.EventHandler {
	enqueue := func(q workqueue.TypedRateLimitingInterface[reconcile.Request], o client.Object) {
		if k := SessionBinding(o); k != "" {
			ns, name, _ := strings.Cut(k, "/")
			q.Add(reconcile.Request{NamespacedName: types.NamespacedName{Namespace: ns, Name: name}})
		}
	}
	return handler.Funcs{
		CreateFunc: func(_ context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(q, e.Object)
		},
		UpdateFunc: func(_ context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			if SessionBinding(e.ObjectOld) == SessionBinding(e.ObjectNew) && ended(e.ObjectOld) == ended(e.ObjectNew) {
				return
			}
			enqueue(q, e.ObjectOld)
			enqueue(q, e.ObjectNew)
		},
		DeleteFunc: func(_ context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(q, e.Object)
		},
	}
}

// ended reports whether an event's session has ended.
func ended(o client.Object) bool {
	u, ok := o.(*unstructured.Unstructured)
	return ok && sessionEnded(u)
}

package resolution

import (
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// Capped reports whether a binding the session applies through caps its
// sessions (maxActiveSessionsPerUser or maxActiveSessionsTotal), so that
// the other sessions of every cluster must be counted.
func (r *Result) Capped() bool {
	for _, b := range r.Bindings() {
		if b.Spec.MaxActiveSessionsPerUser != nil || b.Spec.MaxActiveSessionsTotal != nil {
			return true
		}
	}
	return false
}

// SessionCaps returns the smallest maxActiveSessionsPerUser and
// maxActiveSessionsTotal of the bindings the session applies through, nil
// when none sets one. Each binding's cap holds over its own sessions, so
// the smallest is the most sessions that can ever run at once through the
// whole chain.
func (r *Result) SessionCaps() (perUser, total *int32) {
	smaller := func(have, n *int32) *int32 {
		if n == nil || have != nil && *have <= *n {
			return have
		}
		return n
	}
	for _, b := range r.Bindings() {
		perUser = smaller(perUser, b.Spec.MaxActiveSessionsPerUser)
		total = smaller(total, b.Spec.MaxActiveSessionsTotal)
	}
	return perUser, total
}

// BindingsOf returns a function that names the bindings another session
// applies through, highest first, so that a binding's caps can count the
// sessions it applies to. req is the deciding session's request (its
// Session is not read); configs are the ClusterConfigs of every cluster.
//
// A session of the same template is resolved again, with the same bindings,
// its own cluster's ClusterConfig and req.Now: it then gets the answer its
// own reconcile gets, even before it has ever been reconciled. That is what
// keeps caps race-free: two new sessions count each other the same way,
// instead of each waiting for the other's status. A session of another
// template, or one that no longer resolves (a running session whose binding
// stopped admitting it keeps running), is known by the binding its status
// records.
func BindingsOf(req Request, configs []v1alpha1.ClusterConfig) func(o *v1alpha1.DebugSession) []v1alpha1.ObjectReference {
	t := req.Template
	if t == nil {
		return recordedBinding
	}
	x := newIndex(req.Input, req.Bindings, &objectKey{t.Namespace, t.Name})
	x.now = req.Now
	byName := make(map[string]*v1alpha1.ClusterConfig, len(configs))
	for i := range configs {
		byName[configs[i].Name] = &configs[i]
	}
	return func(o *v1alpha1.DebugSession) []v1alpha1.ObjectReference {
		ns := o.Spec.TemplateRef.Namespace
		if ns == "" {
			ns = req.Input.GetConfigNamespace()
		}
		if o.Spec.TemplateRef.Name != t.Name || ns != t.Namespace {
			if o.Status.State == "" && o.Status.Binding == nil {
				return mightSelect(req.Bindings, ns, o.Spec.Cluster, byName[o.Spec.Cluster])
			}
			return recordedBinding(o)
		}
		res, err := x.Resolve(o, t, byName[o.Spec.Cluster])
		if err != nil {
			return recordedBinding(o)
		}
		bs := res.Bindings()
		out := make([]v1alpha1.ObjectReference, 0, len(bs))
		for _, b := range bs {
			out = append(out, v1alpha1.ObjectReference{Name: b.Name, Namespace: b.Namespace})
		}
		return out
	}
}

// mightSelect names the selector bindings that may apply to a session of
// another template, in namespace ns, on cluster, that was never reconciled
// and so records no binding yet. Its template is not at hand to match the
// selector against, so every selector binding of ns that applies to the
// cluster is assumed to select it. Counting it too often only makes a
// session wait one reconcile longer, until the other session records its
// binding; not counting it would let two new sessions of different
// templates both take a selector binding's last slot.
func mightSelect(bindings []v1alpha1.DebugSessionClusterBinding, ns, cluster string, cc *v1alpha1.ClusterConfig) []v1alpha1.ObjectReference {
	var out []v1alpha1.ObjectReference
	for i := range bindings {
		b := &bindings[i]
		if b.Spec.TemplateSelector == nil || b.Namespace != ns {
			continue
		}
		if _, ok := MatchBinding(b, cluster, cc); ok {
			out = append(out, v1alpha1.ObjectReference{Name: b.Name, Namespace: b.Namespace})
		}
	}
	return out
}

// recordedBinding is the binding a session's status says it applies
// through, if any.
func recordedBinding(o *v1alpha1.DebugSession) []v1alpha1.ObjectReference {
	if b := o.Status.Binding; b != nil {
		return []v1alpha1.ObjectReference{{Name: b.Name, Namespace: b.Namespace}}
	}
	return nil
}

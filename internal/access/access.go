package access

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// Objects are what gives a session's members its pods on the target
// cluster, and nobody else.
type Objects struct {
	// Role and RoleBinding grant the members the allowed operations in the
	// target namespace. Both are nil when no operation is allowed.
	Role        *unstructured.Unstructured
	RoleBinding *unstructured.Unstructured
	// Policy and PolicyBinding, a cluster-scoped ValidatingAdmissionPolicy
	// and its binding, confine those operations to the session's pods and
	// the session's pods to its members. They must be in force before the
	// Role is bound and before the workload runs, and must outlive neither.
	Policy        *unstructured.Unstructured
	PolicyBinding *unstructured.Unstructured
}

// PodAccess returns the objects that let a session's members use its pods
// with the allowed operations for an Active session. The policy is always
// returned, even when nothing is allowed: a user with a namespace-wide
// grant from elsewhere must not reach the session's pods either.
func PodAccess(t Target, m Members, ops v1alpha1.PodOperations) (*Objects, error) {
	if err := t.validate("pod access objects"); err != nil {
		return nil, err
	}
	if len(m.Users) == 0 {
		return nil, errorf("cannot build the pod access objects of DebugSession %s without its requester", t.Session)
	}
	out := &Objects{}
	p, b := policy(t, m, ops)
	var err error
	if out.Policy, err = toUnstructured(p); err != nil {
		return nil, err
	}
	if out.PolicyBinding, err = toUnstructured(b); err != nil {
		return nil, err
	}
	r := role(t, ops)
	if r == nil {
		return out, nil
	}
	if out.Role, err = toUnstructured(r); err != nil {
		return nil, err
	}
	if out.RoleBinding, err = toUnstructured(roleBinding(t, m)); err != nil {
		return nil, err
	}
	return out, nil
}

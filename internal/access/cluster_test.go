package access

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"

	"github.com/k8s-breakglass/function-debug-session/internal/admissiontest"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

const targetNS = "breakglass-debug"

// session is one session on the simulated target cluster.
type session struct {
	target  Target
	members Members
	ops     v1alpha1.PodOperations
}

// cluster is a target namespace with the access objects of some sessions
// and other grants, and the policies compiled with the API server's CEL.
type cluster struct {
	rbac     rbacModel
	policies []*admissiontest.Policy
}

func newCluster(t *testing.T, sessions []session, extra rbacModel) *cluster {
	t.Helper()
	c := &cluster{rbac: extra}
	for _, s := range sessions {
		p, b := policy(s.target, s.members, s.ops)
		c.policies = append(c.policies, admissiontest.Compile(t, p, b))
		if r := role(s.target, s.ops); r != nil {
			c.rbac.roles = append(c.rbac.roles, r)
			c.rbac.bindings = append(c.rbac.bindings, roleBinding(s.target, s.members))
		}
	}
	return c
}

// caller is who sends a request.
type caller struct {
	name   string
	groups []string
}

// attempt is a request on a pod's subresource.
type attempt struct {
	who         caller
	namespace   string
	pod         string
	subresource string
}

// outcome is what the API server would do with a request: authorize it,
// then run it through every session's policy.
type outcome struct {
	// authorized is the RBAC decision on the request itself.
	authorized bool
	// refusedBy are the messages of the policies that denied it.
	refusedBy []string
}

// admitted reports whether the request would go through.
func (o outcome) admitted() bool { return o.authorized && len(o.refusedBy) == 0 }

// try runs a request as the API server does: the authorizer decides on the
// request's verb (create: kubectl's SPDY POST, or update for ephemeral
// containers), then validating admission, with request.name the pod's and
// the options (not the pod) as the object of a CONNECT.
func (c *cluster) try(t *testing.T, a attempt) outcome {
	t.Helper()
	ns := a.namespace
	if ns == "" {
		ns = targetNS
	}
	u := &user.DefaultInfo{Name: a.who.name, Groups: a.who.groups}
	op, verb := admission.Connect, "create"
	var obj runtime.Object
	kind := "Pod"
	switch a.subresource {
	case "exec":
		obj, kind = &corev1.PodExecOptions{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "PodExecOptions"}, Stdin: true, TTY: true, Command: []string{"sh"}}, "PodExecOptions"
	case "attach":
		obj, kind = &corev1.PodAttachOptions{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "PodAttachOptions"}, Stdin: true}, "PodAttachOptions"
	case "portforward":
		obj, kind = &corev1.PodPortForwardOptions{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "PodPortForwardOptions"}, Ports: []int32{8080}}, "PodPortForwardOptions"
	case "proxy":
		obj, kind = &corev1.PodProxyOptions{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "PodProxyOptions"}, Path: "/"}, "PodProxyOptions"
	case "ephemeralcontainers":
		op, verb = admission.Update, "update"
		obj = &corev1.Pod{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
			ObjectMeta: metav1.ObjectMeta{Name: a.pod, Namespace: ns},
			Spec: corev1.PodSpec{EphemeralContainers: []corev1.EphemeralContainer{{
				EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debugger", Image: "busybox"},
			}}},
		}
	default:
		t.Fatalf("unknown subresource %q", a.subresource)
	}
	d, _, err := c.rbac.Authorize(context.Background(), authorizer.AttributesRecord{
		User: u, Verb: verb, Namespace: ns, Resource: "pods", Subresource: a.subresource, Name: a.pod, ResourceRequest: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	o := outcome{authorized: d == authorizer.DecisionAllow}
	for _, p := range c.policies {
		_, denials := p.Evaluate(t, admissiontest.Request{
			Object:      obj,
			Kind:        schema.GroupVersionKind{Version: "v1", Kind: kind},
			Resource:    schema.GroupVersionResource{Version: "v1", Resource: "pods"},
			Subresource: a.subresource,
			Namespace:   ns,
			Name:        a.pod,
			Operation:   op,
			User:        a.who.name,
			Groups:      a.who.groups,
			Authorizer:  c.rbac,
		})
		for _, dn := range denials {
			if dn.Reason != metav1.StatusReasonForbidden {
				t.Errorf("a denial has reason %q, want Forbidden: %s", dn.Reason, dn.Message)
			}
			o.refusedBy = append(o.refusedBy, dn.Message)
		}
	}
	return o
}

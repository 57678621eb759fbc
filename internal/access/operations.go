package access

import (
	"fmt"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// DefaultOperations are a session's pod operations when neither its template
// nor a binding says otherwise. Logs are off: reading logs is a GET, which
// no admission policy sees, so a logs grant cannot be confined to the
// session's pods (see docs/access-model.md).
var DefaultOperations = v1alpha1.PodOperations{Exec: true, Attach: true, PortForward: true}

// BindingOperations are the allowedPodOperations of one binding that applies
// to a session.
type BindingOperations struct {
	// Binding is the binding's namespace/name, for warnings.
	Binding string
	// Operations is the binding's spec.allowedPodOperations; nil when unset.
	Operations *v1alpha1.AllowedPodOperations
}

// EffectiveOperations returns what a session's requester and participants
// may do with its pods, and a warning for every binding value that was
// ignored.
//
// The template sets each operation (unset fields take DefaultOperations).
// Bindings are given highest first, as resolution orders them; for each
// operation the highest binding that sets it wins, as for every other field
// a binding overrides, but a binding may only narrow the template: a true
// where the template says false would widen it, so it is ignored for that
// field with a warning, and the next binding that sets the field, else the
// template, decides.
func EffectiveOperations(template *v1alpha1.AllowedPodOperations, bindings []BindingOperations) (v1alpha1.PodOperations, []string) {
	var tmpl v1alpha1.AllowedPodOperations
	if template != nil {
		tmpl = *template
	}
	var warnings []string
	field := func(name string, fromTemplate *bool, def bool, get func(*v1alpha1.AllowedPodOperations) *bool) bool {
		allowed := def
		if fromTemplate != nil {
			allowed = *fromTemplate
		}
		for _, b := range bindings {
			if b.Operations == nil {
				continue
			}
			v := get(b.Operations)
			if v == nil {
				continue
			}
			if *v && !allowed {
				warnings = append(warnings, fmt.Sprintf("DebugSessionClusterBinding %s spec.allowedPodOperations.%s: true is ignored: a binding can only narrow the template, which does not allow %s", b.Binding, name, name))
				continue
			}
			return *v
		}
		return allowed
	}
	// Fields in a fixed order, so that warnings are deterministic; built
	// before the return, which would read warnings in an unspecified order
	// relative to the calls that append to it.
	ops := v1alpha1.PodOperations{
		Exec:        field("exec", tmpl.Exec, DefaultOperations.Exec, func(o *v1alpha1.AllowedPodOperations) *bool { return o.Exec }),
		Attach:      field("attach", tmpl.Attach, DefaultOperations.Attach, func(o *v1alpha1.AllowedPodOperations) *bool { return o.Attach }),
		PortForward: field("portForward", tmpl.PortForward, DefaultOperations.PortForward, func(o *v1alpha1.AllowedPodOperations) *bool { return o.PortForward }),
		Logs:        field("logs", tmpl.Logs, DefaultOperations.Logs, func(o *v1alpha1.AllowedPodOperations) *bool { return o.Logs }),
	}
	return ops, warnings
}

// subresources returns the pod subresources a set of operations lets
// members connect to or read, in a fixed order.
func subresources(ops v1alpha1.PodOperations) []string {
	var out []string
	if ops.Attach {
		out = append(out, "attach")
	}
	if ops.Exec {
		out = append(out, "exec")
	}
	if ops.Logs {
		out = append(out, "log")
	}
	if ops.PortForward {
		out = append(out, "portforward")
	}
	return out
}

// anyAllowed reports whether any operation is allowed.
func anyAllowed(ops v1alpha1.PodOperations) bool {
	return ops.Exec || ops.Attach || ops.PortForward || ops.Logs
}

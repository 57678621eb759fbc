// Package resolution decides which binding applies to a session, whether the
// requester may use it, and which settings take effect: the access, approver,
// constraint and namespace layering of DESIGN section 4.
package resolution

import (
	"fmt"
	"strings"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/glob"
)

// Request is everything resolution looks at.
type Request struct {
	Session       *v1alpha1.DebugSession
	Template      *v1alpha1.DebugSessionTemplate
	ClusterConfig *v1alpha1.ClusterConfig // nil when the cluster has none
	Bindings      []v1alpha1.DebugSessionClusterBinding
	Input         *v1beta1.Input
}

// Result is the effective configuration of a session.
type Result struct {
	// Denied, when not empty, says in plain words why the requester may not
	// have this session. Nothing else in the result is meaningful then.
	Denied string

	// Bindings that apply, highest first. Empty when the template applies
	// alone. More than one only when the first is additive.
	Bindings []*v1alpha1.DebugSessionClusterBinding

	// Approvers in effect; nil when nobody was configured.
	Approvers *v1alpha1.Approvers

	// Constraints in effect, each field from the highest layer that sets it.
	Constraints v1alpha1.Constraints

	// TargetNamespace of the debug workload and auxiliary resources.
	TargetNamespace string

	// AllowUserNodeSelector permits the session's own nodeSelector.
	AllowUserNodeSelector bool

	// Warnings about the configuration that did not stop resolution, sorted.
	Warnings []string
}

// Binding returns the binding that was picked, or nil when the template
// applies alone.
func (r *Result) Binding() *v1alpha1.DebugSessionClusterBinding {
	if len(r.Bindings) == 0 {
		return nil
	}
	return r.Bindings[0]
}

// Resolve resolves the binding and effective settings of a session.
func Resolve(req Request) *Result {
	s := req.Session
	t := req.Template
	res := &Result{}

	// The template applies alone: it must allow the cluster and admit the
	// requester itself.
	allowed := t.Spec.Allowed
	if allowed == nil {
		allowed = &v1alpha1.Allowed{}
	}
	clusterOK, warnings := matchAny(allowed.Clusters, s.Spec.Cluster, glob.Match,
		fmt.Sprintf("DebugSessionTemplate %s/%s spec.allowed.clusters", t.Namespace, t.Name))
	res.Warnings = append(res.Warnings, warnings...)
	if !clusterOK {
		res.Denied = fmt.Sprintf("template %s does not allow cluster %s and no binding applies to it", t.Name, s.Spec.Cluster)
		return res
	}
	if ok, w := admits(allowed, s.Spec.RequestedBy, s.Spec.RequesterGroups, fmt.Sprintf("DebugSessionTemplate %s/%s spec.allowed", t.Namespace, t.Name)); !ok {
		res.Warnings = append(res.Warnings, w...)
		res.Denied = fmt.Sprintf("template %s does not admit %s on cluster %s", t.Name, s.Spec.RequestedBy, s.Spec.Cluster)
		return res
	}

	res.Approvers = t.Spec.Approvers
	if c := t.Spec.Constraints; c != nil {
		res.Constraints = *c.DeepCopy()
	}
	res.TargetNamespace = firstNonEmpty(t.Spec.TargetNamespace, req.Input.GetDefaultTargetNamespace())
	return res
}

// admits reports whether an allowlist admits a requester. Users match by
// glob, case-insensitively when the entry is a plain identity; groups match
// by glob. An allowlist without users and groups admits nobody.
func admits(a *v1alpha1.Allowed, user string, groups []string, where string) (bool, []string) {
	ok, warnings := matchAny(a.Users, user, glob.MatchFold, where+".users")
	if ok {
		return true, warnings
	}
	for _, g := range groups {
		ok, w := matchAny(a.Groups, g, glob.Match, where+".groups")
		warnings = append(warnings, w...)
		if ok {
			return true, warnings
		}
	}
	return false, dedupe(warnings)
}

func matchAny(patterns []string, name string, match func(p, n string) (bool, error), where string) (bool, []string) {
	var warnings []string
	for i, p := range patterns {
		ok, err := match(p, name)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s[%d]: %v; it matches nothing", where, i, err))
			continue
		}
		if ok {
			return true, warnings
		}
	}
	return false, warnings
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, v := range s {
		if seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
	}
	return out
}

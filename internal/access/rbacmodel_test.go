package access

import (
	"context"
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
)

// rbacModel decides like the RBAC authorizer over Roles bound in their
// namespaces and rules granted cluster-wide, with the same matching of
// verbs, API groups, resources (resource/subresource), resource names and
// subjects, and "*" wildcards. It stands in for the target cluster's
// authorizer, both for the request itself and for the authorizer checks
// in the policies' CEL.
type rbacModel struct {
	roles    []*rbacv1.Role
	bindings []*rbacv1.RoleBinding
	// cluster holds rules granted in every namespace, by subject.
	cluster []clusterGrant
}

type clusterGrant struct {
	subject rbacv1.Subject
	rules   []rbacv1.PolicyRule
}

func (m rbacModel) Authorize(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
	if !a.IsResourceRequest() {
		return authorizer.DecisionNoOpinion, "", nil
	}
	for _, g := range m.cluster {
		if appliesTo(g.subject, a.GetUser()) && rulesAllow(g.rules, a) {
			return authorizer.DecisionAllow, "", nil
		}
	}
	for _, b := range m.bindings {
		if b.Namespace != a.GetNamespace() || !slices.ContainsFunc(b.Subjects, func(s rbacv1.Subject) bool { return appliesTo(s, a.GetUser()) }) {
			continue
		}
		for _, r := range m.roles {
			if r.Namespace == b.Namespace && r.Name == b.RoleRef.Name && b.RoleRef.Kind == "Role" && rulesAllow(r.Rules, a) {
				return authorizer.DecisionAllow, "", nil
			}
		}
	}
	return authorizer.DecisionNoOpinion, "", nil
}

func appliesTo(s rbacv1.Subject, u user.Info) bool {
	switch s.Kind {
	case rbacv1.UserKind:
		return s.Name == u.GetName()
	case rbacv1.GroupKind:
		return slices.Contains(u.GetGroups(), s.Name)
	}
	return false
}

func rulesAllow(rules []rbacv1.PolicyRule, a authorizer.Attributes) bool {
	resource := a.GetResource()
	if a.GetSubresource() != "" {
		resource += "/" + a.GetSubresource()
	}
	for _, r := range rules {
		if !has(r.Verbs, a.GetVerb()) || !has(r.APIGroups, a.GetAPIGroup()) || !has(r.Resources, resource) {
			continue
		}
		// Like RBAC: a rule with resource names never allows a request
		// without a name (a list, a create, or a namespace-wide check).
		if len(r.ResourceNames) > 0 && !slices.Contains(r.ResourceNames, a.GetName()) {
			continue
		}
		return true
	}
	return false
}

func has(list []string, v string) bool {
	return slices.Contains(list, v) || slices.Contains(list, "*")
}

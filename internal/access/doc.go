// Package access decides who may use a debug session's pods on the target
// cluster, and builds the objects that enforce it: a Role and RoleBinding
// that grant the session's requester and participants its allowed pod
// operations, a ValidatingAdmissionPolicy and binding that confine those
// operations to the session's pods and the session's pods to its members,
// and the per-session ResourceQuota and PodDisruptionBudget a template may
// ask for.
//
// RBAC cannot name pods by prefix, so a Role's grant covers the whole target
// namespace; the policy, which recognises the session's pods by the
// workload name every pod name starts with, is what makes the grant
// per-session. docs/access-model.md explains the design, what it guarantees
// and what it cannot (logs, nodes/proxy, cluster admins).
//
// Every function is pure: the same session gives the same objects, with
// names derived from the workload name and lists in a fixed order.
package access

// Package resolution decides which binding applies to a session, whether the
// requester may use it, and which settings take effect: the candidate
// selection, access filter, pick, additive chains, template fallback and
// layering. Its Result is one ordered list of layers (the template, then the
// picked binding and its additive chain) that every later step consumes.
//
// Resolving one session is O(bindings): the session has one cluster and so
// one ClusterConfig. Tools that resolve many clusters (explain, available)
// build an Index once and call Index.Resolve per cluster, which does no
// parsing and only looks at the bindings of the session's template.
package resolution

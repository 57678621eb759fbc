// Package preview runs the function over objects that are not in a control
// plane (files, or an informer cache) and reports what it decided and why.
//
// It plays Crossplane's part of the request loop: it sends the session,
// answers the requirements the function returns from a Source, and calls
// again until the requirements stop changing, as Crossplane does. The
// decision is the function's own, from RunFunction; the resolution trace is
// resolution.Resolve over exactly the objects RunFunction read on its last
// call. Nothing here re-implements a rule.
package preview

// Package bindingstatus keeps the status of DebugSessionClusterBindings:
// which known clusters each binding matches, how many sessions use it, and
// whether it is in force, shadowed or tied with another binding.
//
// Compute is a pure function from the objects a binding depends on to its
// status; it reuses internal/resolution's matching rules, so the status says
// what the function will do. The Reconciler runs it from informer caches and
// writes the status subresource only when it changes.
package bindingstatus

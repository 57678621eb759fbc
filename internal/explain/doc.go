// Package explain tells a platform engineer why a session came out as it
// did: which bindings applied to its cluster and why, which one was picked,
// where every effective setting came from, the approval and scheduling
// decisions, and what would be composed. It reads a preview.Outcome, so the
// answers are the function's own.
package explain

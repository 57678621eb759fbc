// Package memo keeps the results of pure computations, keyed by a content
// hash of everything they read, in a bounded least-recently-used cache.
//
// A key that covers every input is what makes a hit safe: when any input
// changes, so does the key, and the stale entry is never looked up again
// but ages out. The bound, in entries and in an approximate cost in bytes,
// keeps a long-running function's memory flat however many distinct
// sessions it sees.
package memo

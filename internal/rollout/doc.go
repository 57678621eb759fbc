// Package rollout plans a session's objects around what the deliverer has
// observed of them: which objects to return on this call, in which order the
// debug pods and the objects they depend on come into being, and what is
// left once the session has ended.
//
// The rules, in one place:
//
//   - Objects that must be in force before any debug pod exists (the
//     denied-nodes admission policy) are returned first, and the workload
//     only once they have been ready for a few seconds: the API server loads
//     a new policy in the background, and a pod created in the same second
//     could escape it.
//   - createBefore auxiliary resources are returned first; the workload once
//     every one of them is observed ready, and from then on for good.
//   - createBefore: false resources follow once the workload is observed.
//   - Once the session has ended, only deleteAfter: false resources that
//     exist stay; everything else is no longer returned, so Crossplane
//     deletes it.
package rollout

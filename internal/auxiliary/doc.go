// Package auxiliary decides which auxiliary resources a session deploys,
// renders them and polices them. It builds objects and knows nothing of how
// they are delivered or of the order they are created in.
//
// The orchestrator calls it in two steps:
//
//  1. Enable collects the enabled resources from the pod template and the
//     layers resolution picked (the session template, then the bindings),
//     and says whether any of them forces approval. It renders nothing, so
//     it can run before approval is decided.
//  2. Render renders every enabled resource and applies the policy. A policy
//     violation is an error whatever the resource's failurePolicy says; a
//     resource that fails to render is skipped when its failurePolicy is
//     ignore.
//
// Once a session has ended, Enabled.Retained keeps only the deleteAfter:
// false resources that exist, so nothing else is rendered again.
package auxiliary

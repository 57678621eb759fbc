// Package install holds what a platform team installs: the generated CRDs,
// the XRD, the Composition, the admission policies and the api Deployment.
// Go code embeds the CRDs from here, so that `validate` checks documents
// against exactly the schemas `make generate` wrote.
package install

import "embed"

// CRDs are the generated CustomResourceDefinitions of the breakglass kinds.
//
//go:embed crd-*.yaml
var CRDs embed.FS

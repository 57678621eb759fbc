package delivery

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/crossplane/function-sdk-go/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Composition resource names of the objects every session may have.
//
// Crossplane matches desired to observed composed resources by these names
// alone. Renaming one makes Crossplane delete the old composed resource and
// create a new one, which for the workload means killing the debug pods of a
// running session. Treat them as an API: never change them.
const (
	// WorkloadResourceName is the DaemonSet or Deployment running the debug
	// pods.
	WorkloadResourceName resource.Name = "workload"

	// DeniedNodesPolicyResourceName is the ValidatingAdmissionPolicy that
	// keeps the session's pods off nodes denied by glob.
	DeniedNodesPolicyResourceName resource.Name = "policy-denied-nodes"

	// DeniedNodesPolicyBindingResourceName binds DeniedNodesPolicyResourceName.
	DeniedNodesPolicyBindingResourceName resource.Name = "policy-denied-nodes-binding"
)

const (
	auxiliaryPrefix = "aux-"
	// nameHashLength is enough to keep the names of one session apart; a
	// session has at most a few hundred objects.
	nameHashLength = 8
)

// AuxiliaryResourceName returns the composition resource name of the
// auxiliary resource named name in its template: aux-<name>.
//
// The result is always a DNS-1123 label (lowercase letters, digits and '-',
// at most 63 characters), so that it reads well in Crossplane's "Unready
// resources: …" messages and can be used as a label value. A name that is
// already valid in that form is kept as it is. Any other name is lowercased,
// stripped of other characters and shortened, and gets a hash of the original
// name appended, so that two names that clean up to the same text still get
// different, stable composition resource names.
func AuxiliaryResourceName(name string) resource.Name {
	return resource.Name(stableName(auxiliaryPrefix, name))
}

func stableName(prefix, name string) string {
	full := prefix + name
	if name != "" && len(validation.IsDNS1123Label(full)) == 0 {
		return full
	}
	sum := sha256.Sum256([]byte(name))
	suffix := "-" + hex.EncodeToString(sum[:])[:nameHashLength]

	clean := cleanLabel(name)
	if room := validation.DNS1123LabelMaxLength - len(prefix) - len(suffix); len(clean) > room {
		clean = strings.TrimRight(clean[:room], "-")
	}
	if clean == "" {
		// Nothing usable is left of the name: the hash alone names it.
		return prefix + suffix[1:]
	}
	return prefix + clean + suffix
}

// cleanLabel lowercases s and replaces every run of characters that a DNS
// label cannot hold with a single '-', without a leading or trailing '-'.
func cleanLabel(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

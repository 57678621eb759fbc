package delivery

import (
	"time"

	"github.com/crossplane/function-sdk-go/resource"
)

// An Observer reads what Crossplane observed of a session's composed
// resources, the way the target delivers them.
type Observer struct {
	Target   Target
	Observed map[resource.Name]resource.ObservedComposed
}

// Readiness of the composed resource called name.
func (o Observer) Readiness(name resource.Name) Readiness {
	return o.Target.Readiness(name, o.Observed)
}

// ReadySince is when the composed resource called name became ready, as
// Target.ReadySince says.
func (o Observer) ReadySince(name resource.Name) time.Time {
	return o.Target.ReadySince(name, o.Observed)
}

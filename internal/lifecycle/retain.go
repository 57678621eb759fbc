package lifecycle

import (
	"github.com/crossplane/function-sdk-go/resource"
)

// Retained returns the resources that stay desired after a session has
// ended. keep holds the freshly rendered auxiliary resources that have
// deleteAfter false; of those, only the ones that already exist stay, so an
// ended session never creates anything. Every other composed resource is
// dropped, and Crossplane deletes it.
//
// A session whose inputs went missing is not "ended": it gets a Fatal result
// instead and keeps everything (DESIGN 7.5).
func Retained(keep map[resource.Name]*resource.DesiredComposed, observed map[resource.Name]resource.ObservedComposed) map[resource.Name]*resource.DesiredComposed {
	out := map[resource.Name]*resource.DesiredComposed{}
	for name, r := range keep {
		if _, ok := observed[name]; ok {
			out[name] = r
		}
	}
	return out
}

package scheduling

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
)

// rank says what a layer may do to the values already in force. A binding
// may replace a template's nodeSelector value or topology spread constraint;
// a scheduling option only adds, so any difference with a mandatory value is
// a conflict, never a replacement.
type rank int

const (
	rankTemplate rank = iota
	rankBinding
	rankOption
)

// Effective returns the constraints in force for a session with the layers
// resolution picked: the template's as a base, ANDed with every binding's
// (highest first; more than one only in additive mode). The rules of
// MergeSchedulingConstraints apply between bindings; between the template
// and a binding, the binding's nodeSelector value and topology spread
// constraint win. The session's scheduling option, the last layer when it
// has one, only adds: it can never replace a mandatory value. Errors are
// Failed: they name the object and field to fix. It returns nil when no
// layer sets anything.
func Effective(layers []resolution.Layer) (*v1alpha1.SchedulingConstraints, error) {
	m := newMerger()
	for _, l := range layers {
		ml := layer{name: l.Source, constraints: l.SchedulingConstraints(), rank: rankBinding}
		switch {
		case l.Template != nil:
			ml.rank = rankTemplate
		case l.Option != nil:
			ml.rank = rankOption
			ml.name = fmt.Sprintf("scheduling option %q of %s", l.Option.Name, l.Source)
			ml.object = l.Source
			ml.path = optionPath(l.OptionIndex)
		}
		if err := m.add(ml); err != nil {
			return nil, err
		}
	}
	return m.result()
}

// optionPath is the path of the constraints of option i on its template or
// binding.
func optionPath(i int) *field.Path {
	return field.NewPath("spec", "schedulingOptions", "options").Index(i).Child("schedulingConstraints")
}

package resolution

import (
	"fmt"
	"strings"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// optionsField is where scheduling options live on templates and bindings.
const optionsField = "spec.schedulingOptions"

// effectiveOptions are the scheduling options in force: the highest layer's
// that sets any, because a binding's options replace the template's. The
// options themselves cannot widen anything, since scheduling ANDs a chosen
// option with every mandatory constraint; required can, so it is OR-ed
// over all layers and a binding cannot turn a template's off.
type effectiveOptions struct {
	options    *v1alpha1.SchedulingOptions
	source     string
	required   bool
	requiredBy string
}

func (e *effectiveOptions) add(l Layer) {
	o := l.schedulingOptions()
	if o == nil {
		return
	}
	e.options, e.source = o, l.Source
	if o.Required && !e.required {
		e.required, e.requiredBy = true, l.Source
	}
}

// chooseSchedulingOption appends the session's scheduling option to the
// layers, as the last layer, so that scheduling ANDs its constraints with
// the mandatory ones in the one layering every step reads. A session that
// asks for an option it may not use is Denied; options that contradict
// themselves are Failed.
func chooseSchedulingOption(res *Result, e effectiveOptions, s *v1alpha1.DebugSession, w *warnings) error {
	want := s.Spec.SchedulingOption
	if e.options == nil {
		if want != "" {
			// Options removed after the session was created must not end a
			// running session; the mandatory constraints still hold.
			w.add(fmt.Sprintf("%s spec.schedulingOption: %q is ignored: no template or binding offers scheduling options", s.Describe(), want))
		}
		return nil
	}
	opts := e.options.Options
	i, err := findOption(e, s)
	if err != nil || i < 0 {
		return err
	}
	o := &opts[i]
	if !mayUseOption(o, s.Spec.RequestedBy, s.Spec.RequesterGroups) {
		return outcome.New(v1alpha1.StateDenied, e.source, fmt.Sprintf("%s.options[%d].allowedUsers", optionsField, i),
			fmt.Sprintf("%s %s.options[%d]: %s may not use scheduling option %q: it is limited to users [%s] and groups [%s]",
				e.source, optionsField, i, s.Spec.RequestedBy, o.Name, strings.Join(o.AllowedUsers, ", "), strings.Join(o.AllowedGroups, ", ")))
	}
	res.Layers = append(res.Layers, Layer{Source: e.source, Option: o, OptionIndex: i})
	res.Sources["schedulingOption"] = e.source
	return nil
}

// findOption returns the index of the option the session uses, -1 for none.
func findOption(e effectiveOptions, s *v1alpha1.DebugSession) (int, error) {
	opts := e.options.Options
	def := -1
	for i := range opts {
		if !opts[i].Default {
			continue
		}
		if def >= 0 {
			return -1, outcome.New(v1alpha1.StateFailed, e.source, fmt.Sprintf("%s.options[%d].default", optionsField, i),
				fmt.Sprintf("%s %s: options %q and %q are both the default; at most one may be", e.source, optionsField, opts[def].Name, opts[i].Name))
		}
		def = i
	}
	want := s.Spec.SchedulingOption
	if want == "" {
		if !e.required {
			return -1, nil
		}
		if def < 0 {
			return -1, outcome.New(v1alpha1.StateDenied, s.Describe(), "spec.schedulingOption",
				fmt.Sprintf("%s spec.schedulingOption: %s %s.required needs a scheduling option and %s has no default; choose one of %s",
					s.Describe(), e.requiredBy, optionsField, e.source, optionNames(opts)))
		}
		return def, nil
	}
	for i := range opts {
		if opts[i].Name == want {
			return i, nil
		}
	}
	return -1, outcome.New(v1alpha1.StateDenied, s.Describe(), "spec.schedulingOption",
		fmt.Sprintf("%s spec.schedulingOption: %q is not an option of %s %s; choose one of %s",
			s.Describe(), want, e.source, optionsField, optionNames(opts)))
}

// mayUseOption reports whether a requester may use an option. An option
// that names nobody is open to every requester the session's allowlist
// admitted; one that names anyone is limited to them, matched like the
// allowlists are.
func mayUseOption(o *v1alpha1.SchedulingOption, user string, groups []string) bool {
	if len(o.AllowedUsers) == 0 && len(o.AllowedGroups) == 0 {
		return true
	}
	return admits(&v1alpha1.Allowed{Users: o.AllowedUsers, Groups: o.AllowedGroups}, user, groups)
}

func optionNames(opts []v1alpha1.SchedulingOption) string {
	n := make([]string, 0, len(opts))
	for _, o := range opts {
		n = append(n, fmt.Sprintf("%q", o.Name))
	}
	return strings.Join(n, ", ")
}

// invalidOptionPatterns warns about option allowlist patterns that match
// nothing, as the template's allowlist patterns are warned about.
func invalidOptionPatterns(e effectiveOptions) []string {
	if e.options == nil {
		return nil
	}
	var out []string
	for i, o := range e.options.Options {
		at := fmt.Sprintf("%s %s.options[%d]", e.source, optionsField, i)
		out = append(out, invalidPatterns(o.AllowedUsers, at+".allowedUsers")...)
		out = append(out, invalidPatterns(o.AllowedGroups, at+".allowedGroups")...)
	}
	return out
}

// usableOptions names the options in force that the session's requester
// may use.
func usableOptions(e effectiveOptions, s *v1alpha1.DebugSession) []string {
	if e.options == nil {
		return nil
	}
	var out []string
	for i := range e.options.Options {
		if o := &e.options.Options[i]; mayUseOption(o, s.Spec.RequestedBy, s.Spec.RequesterGroups) {
			out = append(out, o.Name)
		}
	}
	return out
}

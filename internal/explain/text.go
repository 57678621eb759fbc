package explain

import (
	"fmt"
	"io"
	"strings"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/preview"
)

func approval(a *v1alpha1.ApprovalStatus) string {
	if a == nil {
		return ""
	}
	who := people(a.ApproverGroups, a.ApproverUsers)
	switch {
	case a.ApprovedBy != "":
		return fmt.Sprintf("approved by %s (approvers: %s)", a.ApprovedBy, who)
	case a.Required:
		return "required; approvers: " + who
	case who != "":
		return "not required: the requester is approved automatically (approvers: " + who + ")"
	}
	return "not required: no approvers are configured"
}

func scheduling(s *v1alpha1.SchedulingStatus) []string {
	if s == nil {
		return nil
	}
	out := []string{s.Summary}
	if len(s.RequiredNodeLabels) > 0 {
		out = append(out, "required node labels: "+labels(s.RequiredNodeLabels))
	}
	if len(s.DeniedNodeLabels) > 0 {
		out = append(out, "denied node labels: "+labels(s.DeniedNodeLabels))
	}
	if len(s.DeniedNodes) > 0 {
		out = append(out, "denied nodes: "+strings.Join(s.DeniedNodes, ", "))
	}
	return out
}

func composed(c preview.Composed) string {
	obj := c.Object
	if c.Namespace != "" {
		obj = c.Namespace + "/" + obj
	}
	s := fmt.Sprintf("%s: %s %s", c.Name, c.Kind, obj)
	if c.Via != "" {
		s += " (in a provider-kubernetes " + c.Via + ")"
	}
	return s
}

// WriteText writes the trace for a reader.
func (t *Trace) WriteText(w io.Writer) error {
	p := &printer{w: w}
	p.f("Session %s: template %s on cluster %s, requested by %s (%s)\n", t.Session, t.Template, t.Cluster, t.Requester, groupList(t.Groups))
	p.f("State: %s", t.State)
	if t.Message != "" {
		p.f(": %s", t.Message)
	}
	p.f("\nRequired resources (%d calls): %s\n", t.Calls, strings.Join(t.Required, ", "))
	p.section("Bindings of the template, in pick order")
	if len(t.Bindings) == 0 {
		p.f("  none\n")
	}
	for _, b := range t.Bindings {
		p.f("  %-9s %s (priority %d): %s%s\n", mark(b), b.Name, b.Priority, b.Why, admits(b))
	}
	p.f("Picked: %s\n", t.Pick)
	p.section("Effective settings")
	for _, s := range t.Settings {
		p.f("  %-40s %-40s from %s\n", s.Field, s.Value, s.Source)
	}
	p.list("Approval", []string{t.Approval})
	p.list("Scheduling", t.Scheduling)
	p.list("Composed", t.Composed)
	p.list("Results", t.Results)
	return p.err
}

func mark(b Binding) string {
	switch {
	case b.Role != "":
		return "[" + b.Role + "]"
	case b.Applies:
		return "[applies]"
	}
	return "[no]"
}

func admits(b Binding) string {
	switch {
	case !b.Applies:
		return ""
	case b.Admitted:
		return "; admits the requester"
	}
	return "; does not admit the requester"
}

func groupList(g []string) string {
	if len(g) == 0 {
		return "no groups"
	}
	return "groups " + strings.Join(g, ", ")
}

// printer keeps the first write error, so WriteText reads top to bottom.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, a ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, a...)
	}
}

func (p *printer) section(title string) { p.f("%s:\n", title) }

func (p *printer) list(title string, lines []string) {
	if len(lines) == 0 || (len(lines) == 1 && lines[0] == "") {
		return
	}
	p.section(title)
	for _, l := range lines {
		p.f("  %s\n", l)
	}
}

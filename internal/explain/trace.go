package explain

import (
	"fmt"
	"strings"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/preview"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
)

// A Trace is the explanation of one session.
type Trace struct {
	Session   string   `json:"session"`
	Template  string   `json:"template,omitempty"`
	Cluster   string   `json:"cluster,omitempty"`
	Requester string   `json:"requester,omitempty"`
	Groups    []string `json:"groups,omitempty"`

	State   string `json:"state"`
	Message string `json:"message,omitempty"`

	// Required is what the function asked Crossplane for, and in how many
	// calls.
	Required []string `json:"required,omitempty"`
	Calls    int      `json:"calls"`

	// Bindings of the template that the function saw, in pick order first
	// (the candidates), then those that do not apply to the cluster.
	Bindings []Binding `json:"bindings,omitempty"`
	// Pick says which binding applies and why, or that the template
	// applies alone.
	Pick string `json:"pick,omitempty"`

	Settings   []Setting `json:"settings,omitempty"`
	Approval   string    `json:"approval,omitempty"`
	Scheduling []string  `json:"scheduling,omitempty"`
	Composed   []string  `json:"composed,omitempty"`
	Results    []string  `json:"results,omitempty"`
}

// A Binding is one binding of the template and what it has to do with the
// session.
type Binding struct {
	Name     string `json:"name"`
	Priority int32  `json:"priority"`
	// Applies is true for a candidate: a binding whose clusters or
	// clusterSelector match the session's cluster.
	Applies bool `json:"applies"`
	// Why it applies (the field that matched and how specifically) or why
	// not.
	Why      string `json:"why"`
	Admitted bool   `json:"admitsRequester"`
	// Role is "picked", "additive" (merged below the picked one) or empty.
	Role string `json:"role,omitempty"`
}

// A Setting is one effective setting and the object it came from.
type Setting struct {
	Field  string `json:"field"`
	Value  string `json:"value"`
	Source string `json:"source"`
}

// Build explains an outcome.
func Build(o *preview.Outcome) *Trace {
	t := &Trace{State: string(o.State()), Message: o.Status.Message, Required: o.Required, Calls: o.Calls}
	if s := o.Session; s != nil {
		t.Session = sessionID(s)
		t.Template = s.Spec.TemplateRef.Name
		t.Cluster, t.Requester, t.Groups = s.Spec.Cluster, s.Spec.RequestedBy, s.Spec.RequesterGroups
	}
	if o.Fetched != nil && o.Fetched.Template != nil {
		t.Template = o.Fetched.Template.Namespace + "/" + o.Fetched.Template.Name
	}
	if o.Resolution != nil {
		t.Bindings = bindings(o)
		t.Pick = pick(o)
		t.Settings = settings(o)
	}
	t.Approval = approval(o.Status.Approval)
	t.Scheduling = scheduling(o.Status.Scheduling)
	for _, c := range o.Composed {
		t.Composed = append(t.Composed, composed(c))
	}
	for _, r := range o.Results {
		t.Results = append(t.Results, r.Severity+": "+r.Message)
	}
	return t
}

func sessionID(s *v1alpha1.DebugSession) string {
	if s.Namespace == "" {
		return s.Name
	}
	return s.Namespace + "/" + s.Name
}

// bindings lists the candidates in pick order, then the template's other
// bindings the function received, by namespace/name.
func bindings(o *preview.Outcome) []Binding {
	res := o.Resolution
	roles := map[string]string{}
	for i, b := range res.Bindings() {
		roles[id(b)] = "additive"
		if i == 0 {
			roles[id(b)] = "picked"
		}
	}
	var out []Binding
	seen := map[string]bool{}
	for _, c := range res.Candidates {
		b := c.Binding
		seen[id(b)] = true
		out = append(out, Binding{
			Name: id(b), Priority: b.Spec.Priority, Applies: true, Admitted: c.Admitted, Role: roles[id(b)],
			Why: matchedBy(c.MatchedBy, c.Specificity.String()),
		})
	}
	for i := range o.Fetched.Bindings {
		b := &o.Fetched.Bindings[i]
		if seen[id(b)] {
			continue
		}
		why, ofTemplate := notApplying(o, b)
		if !ofTemplate {
			continue
		}
		out = append(out, Binding{Name: id(b), Priority: b.Spec.Priority, Why: why})
	}
	return out
}

// notApplying says why a binding the function received is not a candidate,
// and whether it is a binding of the session's template at all (bindings of
// other templates are left out of the trace).
func notApplying(o *preview.Outcome, b *v1alpha1.DebugSessionClusterBinding) (string, bool) {
	if !resolution.SelectsTemplate(b, o.Fetched.Template) {
		return "", false
	}
	switch {
	case b.Spec.Disabled:
		return "spec.disabled is true", true
	case !o.Input.TrustsBindingNamespace(b.Namespace):
		return fmt.Sprintf("namespace %s is not one of the input's bindingNamespaces", b.Namespace), true
	}
	if _, ok := resolution.MatchBinding(b, o.Session.Spec.Cluster, o.Fetched.ClusterConfig); ok {
		// It matches the cluster, so it does not exist for this session.
		switch {
		case b.Spec.Hidden:
			return "spec.hidden is true and spec.bindingRef does not name it", true
		case b.Spec.EffectiveFrom != nil || b.Spec.ExpiresAt != nil:
			return "outside its spec.effectiveFrom–spec.expiresAt window", true
		}
	}
	what := []string{}
	if len(b.Spec.Clusters) > 0 {
		what = append(what, fmt.Sprintf("spec.clusters %s", strings.Join(b.Spec.Clusters, ", ")))
	}
	if b.Spec.ClusterSelector != nil {
		what = append(what, "spec.clusterSelector")
		if o.Fetched.ClusterConfig == nil {
			what[len(what)-1] += " (the cluster has no ClusterConfig)"
		}
	}
	if len(what) == 0 {
		return "it names no clusters and no clusterSelector", true
	}
	verb := "does"
	if len(what) > 1 {
		verb = "do"
	}
	return fmt.Sprintf("%s %s not match cluster %s", strings.Join(what, " and "), verb, o.Session.Spec.Cluster), true
}

func matchedBy(field, specificity string) string {
	if field == specificity {
		return "matched by " + field
	}
	return fmt.Sprintf("matched by %s (%s)", field, specificity)
}

// pick says which binding was picked and why.
func pick(o *preview.Outcome) string {
	res, s := o.Resolution, o.Session
	if o.Refused != nil {
		return "none: " + o.Refused.Error()
	}
	picked := res.Binding()
	if picked == nil {
		return fmt.Sprintf("no binding applies to cluster %s: the template applies alone (its spec.allowed.clusters admits the cluster)", s.Spec.Cluster)
	}
	why := "the first candidate in pick order (priority, then specificity, then namespace/name) that admits the requester"
	if s.Spec.BindingRef != nil {
		why = "spec.bindingRef names it"
	}
	out := fmt.Sprintf("%s: %s", id(picked), why)
	if chain := res.Bindings(); len(chain) > 1 {
		ids := make([]string, 0, len(chain)-1)
		for _, b := range chain[1:] {
			ids = append(ids, id(b))
		}
		out += fmt.Sprintf("; mergeMode additive also merges %s", strings.Join(ids, ", "))
	}
	for _, w := range res.Warnings {
		if strings.Contains(w, " tie for cluster ") {
			out += "; " + w
		}
	}
	return out
}

func id(b *v1alpha1.DebugSessionClusterBinding) string { return b.Namespace + "/" + b.Name }

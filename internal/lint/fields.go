package lint

import (
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/catalog"
	"github.com/k8s-breakglass/function-debug-session/internal/glob"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
)

// checkFields checks the fields of each object on its own: globs,
// selectors and durations.
func (s *set) checkFields() {
	for _, t := range s.templates {
		spec := t.obj.Spec
		if a := spec.Allowed; a != nil {
			s.globs(t.Document, "spec.allowed.clusters", a.Clusters)
			s.globs(t.Document, "spec.allowed.users", a.Users)
			s.globs(t.Document, "spec.allowed.groups", a.Groups)
		}
		s.approvers(t.Document, spec.Approvers)
		s.constraints(t.Document, spec.Constraints)
		s.scheduling(t.Document, spec.SchedulingConstraints)
	}
	for _, b := range s.bindings {
		spec := b.obj.Spec
		s.globs(b.Document, "spec.clusters", spec.Clusters)
		if a := spec.Allowed; a != nil {
			s.globs(b.Document, "spec.allowed.users", a.Users)
			s.globs(b.Document, "spec.allowed.groups", a.Groups)
		}
		if f, p := resolution.TemplateProblem(b.obj); p != "" {
			s.add(b.Document, SeverityError, f, "%s", p)
		}
		if sel := spec.ClusterSelector; sel != nil {
			if _, err := metav1.LabelSelectorAsSelector(sel); err != nil {
				s.add(b.Document, SeverityError, "spec.clusterSelector", "%v: the binding matches no cluster", err)
			}
		}
		if len(spec.Clusters) == 0 && spec.ClusterSelector == nil {
			s.add(b.Document, SeverityWarning, "spec", "neither clusters nor clusterSelector is set: the binding applies to no cluster")
		}
		if !s.input.TrustsBindingNamespace(b.obj.Namespace) {
			s.add(b.Document, SeverityWarning, "metadata.namespace", "%s is not one of the function input's bindingNamespaces (%v): the function ignores this binding", b.obj.Namespace, s.input.GetBindingNamespaces())
		}
		s.approvers(b.Document, spec.Approvers)
		s.constraints(b.Document, spec.Constraints)
		s.scheduling(b.Document, spec.SchedulingConstraints)
	}
}

func (s *set) globs(d *catalog.Document, field string, patterns []string) {
	for i, p := range patterns {
		if err := glob.Validate(p); err != nil {
			s.add(d, SeverityError, fmt.Sprintf("%s[%d]", field, i), "%v; it matches nothing", err)
		}
	}
}

func (s *set) approvers(d *catalog.Document, a *v1alpha1.Approvers) {
	if a == nil || a.AutoApproveFor == nil {
		return
	}
	s.globs(d, "spec.approvers.autoApproveFor.clusters", a.AutoApproveFor.Clusters)
}

func (s *set) scheduling(d *catalog.Document, sc *v1alpha1.SchedulingConstraints) {
	if sc == nil {
		return
	}
	s.globs(d, "spec.schedulingConstraints.deniedNodes", sc.DeniedNodes)
}

// constraints checks that durations parse as the function parses them
// (Go durations, positive) and that the default fits the maximum.
func (s *set) constraints(d *catalog.Document, c *v1alpha1.Constraints) {
	if c == nil {
		return
	}
	maxD := s.duration(d, "spec.constraints.maxDuration", c.MaxDuration)
	def := s.duration(d, "spec.constraints.defaultDuration", c.DefaultDuration)
	s.duration(d, "spec.constraints.approvalTimeout", c.ApprovalTimeout)
	if maxD > 0 && def > maxD {
		s.add(d, SeverityError, "spec.constraints.defaultDuration", "%s is longer than maxDuration %s: every session without a duration would be denied", c.DefaultDuration, c.MaxDuration)
	}
}

func (s *set) duration(d *catalog.Document, field, v string) time.Duration {
	if v == "" {
		return 0
	}
	dur, err := time.ParseDuration(v)
	switch {
	case err != nil:
		s.add(d, SeverityError, field, "%q is not a duration (write it like 30m, 2h or 1h30m)", v)
	case dur <= 0:
		s.add(d, SeverityError, field, "%q is not positive", v)
	}
	return dur
}

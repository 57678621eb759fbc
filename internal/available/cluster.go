package available

import (
	"context"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/auxiliary"
	"github.com/k8s-breakglass/function-debug-session/internal/preview"
	"github.com/k8s-breakglass/function-debug-session/internal/scheduling"
)

// PreviewSessionName names the sessions the finder asks the function about.
// They are never created; the name only shows in generated object names.
const PreviewSessionName = "available-preview"

// usable are the states of a session that may start: every other state
// (Denied, Failed, ...) means the user cannot use the template there.
var usable = []v1alpha1.State{v1alpha1.StatePending, v1alpha1.StatePendingApproval, v1alpha1.StateQueued, v1alpha1.StateActive}

// cluster asks the function about a session of user q on template t and
// cluster cc. It reports false when the function would not run it.
func (f *Finder) cluster(ctx context.Context, q Query, t *v1alpha1.DebugSessionTemplate, cc *v1alpha1.ClusterConfig) (Cluster, bool, error) {
	o, err := preview.Run(ctx, f.Function, preview.Request{Session: session(q, t, cc.Name, ""), Input: f.Input, Source: f.Source, Now: f.Now})
	if err != nil {
		return Cluster{}, false, err
	}
	if r := o.Resolution; r != nil && len(r.UsableSchedulingOptions) > 0 && !slices.Contains(usable, o.Status.State) {
		// Required options without a usable default deny a session that
		// names none; the user can still pick one, so ask with the first
		// option they may use.
		o, err = preview.Run(ctx, f.Function, preview.Request{Session: session(q, t, cc.Name, r.UsableSchedulingOptions[0]), Input: f.Input, Source: f.Source, Now: f.Now})
		if err != nil {
			return Cluster{}, false, err
		}
	}
	if !slices.Contains(usable, o.Status.State) || o.Resolution == nil || o.Refused != nil {
		return Cluster{}, false, nil
	}
	c := Cluster{
		Name: cc.Name, DisplayName: cc.Spec.DisplayName, Environment: cc.Spec.Environment, Location: cc.Spec.Location,
		TargetNamespace: o.Status.TargetNamespace, SchedulingOptions: o.Resolution.UsableSchedulingOptions,
	}
	if b := o.Status.Binding; b != nil {
		c.BindingRef = &BindingRef{Name: b.Name, Namespace: b.Namespace, Priority: b.Priority, DisplayName: b.DisplayName}
	}
	if con := o.Resolution.Constraints; con != (v1alpha1.Constraints{}) {
		c.Constraints = &con
	}
	c.MaxActiveSessionsPerUser, c.MaxActiveSessionsTotal = o.Resolution.SessionCaps()
	c.SchedulingConstraints = schedulingOf(o)
	if a := o.Status.Approval; a != nil {
		c.Approval = Approval{
			Required: a.Required, ApproverGroups: a.ApproverGroups, ApproverUsers: a.ApproverUsers,
			CanAutoApprove: !a.Required && len(a.ApproverGroups)+len(a.ApproverUsers) > 0,
		}
	}
	// The same call plan() makes; a session it fails would not be usable
	// and was left out above.
	if en, err := auxiliary.Enable(o.Fetched.PodTemplate, o.Resolution.Layers); err == nil {
		for _, r := range en.Resources {
			if r.Spec.Category != "" && !slices.Contains(c.RequiredAuxiliaryResourceCategories, r.Spec.Category) {
				c.RequiredAuxiliaryResourceCategories = append(c.RequiredAuxiliaryResourceCategories, r.Spec.Category)
			}
		}
		slices.Sort(c.RequiredAuxiliaryResourceCategories)
	}
	return c, true, nil
}

// schedulingOf is the session's scheduling status, with the tolerations of
// the same effective constraints the workload gets.
func schedulingOf(o *preview.Outcome) *Scheduling {
	st := o.Status.Scheduling
	eff, err := scheduling.Effective(o.Resolution.Layers)
	if st == nil && (err != nil || eff == nil || len(eff.Tolerations) == 0) {
		return nil
	}
	s := &Scheduling{}
	if st != nil {
		s.Summary, s.RequiredNodeLabels, s.DeniedNodeLabels, s.DeniedNodes = st.Summary, st.RequiredNodeLabels, st.DeniedNodeLabels, st.DeniedNodes
	}
	if err == nil && eff != nil {
		for _, t := range eff.Tolerations {
			s.Tolerations = append(s.Tolerations, Toleration{Key: t.Key, Operator: string(t.Operator), Value: t.Value, Effect: string(t.Effect)})
		}
	}
	return s
}

// session is the DebugSession q's user would create for template t on
// cluster, with a scheduling option when option is not empty: the identity
// is what the admission policies would enforce.
func session(q Query, t *v1alpha1.DebugSessionTemplate, cluster, option string) *unstructured.Unstructured {
	groups := make([]any, 0, len(q.Groups))
	for _, g := range q.Groups {
		groups = append(groups, g)
	}
	spec := map[string]any{
		"templateRef":     map[string]any{"name": t.Name, "namespace": t.Namespace},
		"cluster":         cluster,
		"requestedBy":     q.User,
		"requesterGroups": groups,
		"reason":          "preview of the templates available to " + q.User,
	}
	if option != "" {
		spec["schedulingOption"] = option
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": v1alpha1.APIVersion,
		"kind":       v1alpha1.DebugSessionKind,
		"metadata": map[string]any{
			"name": PreviewSessionName, "namespace": "default",
			"labels": map[string]any{v1alpha1.LabelCluster: cluster},
		},
		"spec": spec,
	}}
}

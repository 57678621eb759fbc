package main

import (
	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/access"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/delivery"
	"github.com/k8s-breakglass/function-debug-session/internal/names"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
	"github.com/k8s-breakglass/function-debug-session/internal/requirements"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
	"github.com/k8s-breakglass/function-debug-session/internal/workload"
)

// planAccess adds to the plan who may reach the session's pods and what
// bounds them on the target: the pod access policy (in force before the
// grants and the workload), the Role and RoleBinding of the requester and
// participants, and the template's quota and disruption budget.
func (c *call) planAccess(p *plan, got *requirements.Fetched, res *resolution.Result) error {
	t, pt := got.Template, got.PodTemplate
	target := access.Target{Session: sessionName(c.s), Workload: p.workload.GetName(), Namespace: res.TargetNamespace, Labels: p.labels}
	p.participants = c.s.Spec.Participants
	if err := access.ValidatePodResources(t.Namespace+"/"+t.Name, t.Spec.ResourceQuota, pt.Namespace+"/"+pt.Name, &pt.Spec.Template.Spec); err != nil {
		return outcome.New(v1alpha1.StateFailed, pt.Describe(), "spec.template.spec", err.Error())
	}
	quota, err := access.ResourceQuota(target, t.Namespace+"/"+t.Name, t.Spec.ResourceQuota)
	if err != nil {
		return outcome.New(v1alpha1.StateFailed, t.Describe(), "spec.resourceQuota", err.Error())
	}
	pdb, err := access.PodDisruptionBudget(target, t.Namespace+"/"+t.Name, t.Spec.PodDisruptionBudget, workload.Kind(t), workload.Selector(p.labels))
	if err != nil {
		return outcome.New(v1alpha1.StateFailed, t.Describe(), "spec.podDisruptionBudget", err.Error())
	}
	if quota != nil {
		p.guarded = append(p.guarded, delivery.Object{Name: names.ResourceQuotaResource, Object: quota})
	}
	if pdb != nil {
		p.guarded = append(p.guarded, delivery.Object{Name: names.DisruptionBudgetResource, Object: pdb})
	}
	if c.in.GetPodAccess() == v1beta1.PodAccessOff {
		return nil
	}

	bindings := make([]access.BindingOperations, 0, len(res.Layers))
	for _, b := range res.Bindings() {
		bindings = append(bindings, access.BindingOperations{Binding: b.Namespace + "/" + b.Name, Operations: b.Spec.AllowedPodOperations})
	}
	ops, warnings := access.EffectiveOperations(t.Spec.AllowedPodOperations, bindings)
	p.operations, p.warnings = &ops, warnings
	members, err := access.SessionMembers(sessionName(c.s), c.s.Spec.RequestedBy, c.s.Spec.Participants)
	if err != nil {
		return outcome.New(v1alpha1.StateDenied, c.s.Describe(), "spec.participants", err.Error())
	}
	objs, err := access.PodAccess(target, members, ops)
	if err != nil {
		return outcome.New(v1alpha1.StateFailed, c.s.Describe(), "", err.Error())
	}
	p.admission = append(p.admission,
		delivery.Object{Name: names.PodAccessPolicyResource, Object: objs.Policy},
		delivery.Object{Name: names.PodAccessPolicyBindingResource, Object: objs.PolicyBinding},
	)
	if objs.Role != nil {
		p.guarded = append([]delivery.Object{
			{Name: names.PodAccessRoleResource, Object: objs.Role},
			{Name: names.PodAccessRoleBindingResource, Object: objs.RoleBinding},
		}, p.guarded...)
	}
	return nil
}

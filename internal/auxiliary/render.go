package auxiliary

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/crossplane/function-sdk-go/errors"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
	"github.com/k8s-breakglass/function-debug-session/internal/render"
)

// LabelAuxiliaryResource names, on every rendered object, the auxiliary
// resource it came from.
const LabelAuxiliaryResource = "breakglass.telekom.de/auxiliary-resource"

// Context is what templates are rendered with.
type Context struct {
	Session  *v1alpha1.DebugSession
	Template *v1alpha1.DebugSessionTemplate
	// Binding that was picked; nil when the template applies alone.
	Binding *v1alpha1.DebugSessionClusterBinding
	// ClusterConfig of the target cluster; nil when it has none.
	ClusterConfig   *v1alpha1.ClusterConfig
	TargetNamespace string
	// Labels are the session's standard labels (workload.Labels). They are
	// `.Labels` in templates and are set on every rendered object.
	Labels map[string]string
	// Annotations are the session's standard annotations
	// (workload.Annotations). They are `.Annotations` in templates and are
	// set on every rendered object.
	Annotations map[string]string
	// ExpiresAt is the session's expiry, RFC 3339, or empty.
	ExpiresAt string
	// DisplayName is the template's display name as the session shows it
	// (resolution.Result.DisplayName, a binding's displayNamePrefix
	// included); empty means the template's own.
	DisplayName string
}

// Variables returns the template variables of a context.
func (c Context) Variables() *render.Variables {
	v := &render.Variables{
		TargetNamespace: c.TargetNamespace,
		Labels:          c.Labels,
		Annotations:     c.Annotations,
	}
	if s := c.Session; s != nil {
		v.Session = render.SessionVariables{
			Name:        s.Name,
			Namespace:   s.Namespace,
			Cluster:     s.Spec.Cluster,
			RequestedBy: s.Spec.RequestedBy,
			Reason:      s.Spec.Reason,
			ExpiresAt:   c.ExpiresAt,
		}
		v.Cluster.Name = s.Spec.Cluster
	}
	if t := c.Template; t != nil {
		v.Template = render.TemplateVariables{Name: t.Name, Namespace: t.Namespace, DisplayName: cmp.Or(c.DisplayName, t.Spec.DisplayName)}
	}
	if b := c.Binding; b != nil {
		v.Binding = render.BindingVariables{Name: b.Name, Namespace: b.Namespace}
	}
	if cc := c.ClusterConfig; cc != nil {
		v.Cluster.Labels = cc.Labels
		v.Cluster.Environment = cc.Spec.Environment
		v.Cluster.Location = cc.Spec.Location
	}
	return v
}

// Rendered is an enabled resource after rendering.
type Rendered struct {
	Resource
	// Object is the rendered object; nil when the resource was skipped.
	Object *unstructured.Unstructured
	// Kind of the object, or of the template when it was skipped and the
	// kind could be read.
	Kind string
	// Skipped says why a resource with failurePolicy ignore was skipped.
	Skipped string
}

// Result are the rendered resources of a session, in the order of Enabled.
type Result struct {
	Resources []Rendered
	// Bytes is the total size of the rendered objects, as JSON.
	Bytes int64
	// Warnings about skipped resources, in order.
	Warnings []string
}

// Render renders every enabled resource with c and applies p. It fails the
// session (returns an error) when a resource breaks the policy, when more
// resources are enabled than the policy allows, or when a resource with
// failurePolicy fail cannot be rendered. A resource with failurePolicy
// ignore that cannot be rendered is skipped with a warning. Errors name the
// resource's source object and, for render errors, the field:
//
//	DebugPodTemplate breakglass-system/network-debug-pod auxiliaryResources[egress-network-policy] template.metadata.labels: ...
func Render(r *render.Renderer, en *Enabled, c Context, p Policy) (*Result, error) {
	if en == nil {
		return &Result{}, nil
	}
	if n := len(en.Resources); n > p.MaxPerSession {
		return nil, outcome.New(v1alpha1.StateFailed, "Input", "auxiliaryResources.maxPerSession",
			fmt.Sprintf("%d auxiliary resources are enabled, more than the %d per session that the function input allows (auxiliaryResources.maxPerSession)", n, p.MaxPerSession)).WithReason(outcome.ReasonPolicyViolation)
	}
	vars := c.Variables()
	res := &Result{}
	seen := map[string]string{}
	for _, ar := range en.Resources {
		obj, err := r.Render(ar.Spec.Template, vars, p.MaxRenderedBytes-res.Bytes)
		if errors.Is(err, render.ErrOutputLimit) {
			return nil, ar.fail("%s: the auxiliary resources render to more than the %d bytes per session that the function input allows (auxiliaryResources.maxRenderedBytes)", ar.where(), p.MaxRenderedBytes).WithReason(outcome.ReasonPolicyViolation)
		}
		if err != nil {
			if !ar.IgnoreRenderFailure() {
				return nil, ar.fail("%s %v", ar.where(), err).WithReason(outcome.ReasonRenderFailure)
			}
			msg := fmt.Sprintf("%s was skipped (failurePolicy: ignore): %v", ar.where(), err)
			res.Warnings = append(res.Warnings, msg)
			res.Resources = append(res.Resources, Rendered{Resource: ar, Kind: templateKind(ar.Spec), Skipped: err.Error()})
			continue
		}
		if err := p.police(obj, c.TargetNamespace); err != nil {
			return nil, ar.fail("%s: %v", ar.where(), err).WithReason(outcome.ReasonPolicyViolation)
		}
		label(obj, c.Labels, c.Annotations, ar.Spec.Name)

		u := &unstructured.Unstructured{Object: obj}
		id := fmt.Sprintf("%s %s/%s", u.GroupVersionKind().GroupKind(), u.GetNamespace(), u.GetName())
		if other, ok := seen[id]; ok {
			return nil, ar.fail("%s renders %s, which %s renders too", ar.where(), id, other)
		}
		seen[id] = ar.where()

		b, err := json.Marshal(obj)
		if err != nil {
			return nil, ar.fail("%s: cannot serialise the rendered object: %v", ar.where(), err).WithReason(outcome.ReasonRenderFailure)
		}
		res.Bytes += int64(len(b))
		if res.Bytes > p.MaxRenderedBytes {
			return nil, ar.fail("%s: the auxiliary resources render to more than the %d bytes per session that the function input allows (auxiliaryResources.maxRenderedBytes)", ar.where(), p.MaxRenderedBytes).WithReason(outcome.ReasonPolicyViolation)
		}
		res.Resources = append(res.Resources, Rendered{Resource: ar, Object: u, Kind: u.GetKind()})
	}
	return res, nil
}

// label sets the session's standard labels and the auxiliary resource label
// on an object. They win over the template's own values for the same keys:
// they are how the session's objects are found and cleaned up.
func label(obj map[string]any, std, annotations map[string]string, name string) {
	meta, _ := obj["metadata"].(map[string]any)
	labels, _ := meta["labels"].(map[string]any)
	if labels == nil {
		labels = map[string]any{}
	}
	for k, v := range std {
		labels[k] = v
	}
	labels[LabelAuxiliaryResource] = name
	meta["labels"] = labels
	if len(annotations) == 0 {
		return
	}
	ann, _ := meta["annotations"].(map[string]any)
	if ann == nil {
		ann = map[string]any{}
	}
	for k, v := range annotations {
		ann[k] = v
	}
	meta["annotations"] = ann
}

// templateKind reads the kind of a template that failed to render, for its
// status entry; empty when the kind itself is a template or unreadable.
func templateKind(ar v1alpha1.AuxiliaryResource) string {
	var t struct {
		Kind string `json:"kind"`
	}
	if err := yaml.Unmarshal(ar.Template.Raw, &t); err != nil {
		return ""
	}
	if strings.Contains(t.Kind, "{{") || len(t.Kind) > 63 {
		return ""
	}
	return t.Kind
}

package lint

import (
	"strings"

	"github.com/crossplane/function-sdk-go/errors"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/auxiliary"
	"github.com/k8s-breakglass/function-debug-session/internal/catalog"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
	"github.com/k8s-breakglass/function-debug-session/internal/render"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
	"github.com/k8s-breakglass/function-debug-session/internal/workload"
)

// sampleExpiry is the expiry sample sessions render with.
const sampleExpiry = "2026-01-01T10:00:00Z"

// checkRenders renders every auxiliary resource once with sample values,
// as the function would for a session of each template, alone and with
// each of its bindings, and checks the result against the kind policy.
// Every category is switched on, so that no resource escapes the check.
func (s *set) checkRenders() {
	r := render.New()
	for _, t := range s.templates {
		var pt *v1alpha1.DebugPodTemplate
		if p := s.podTemplateOf(t); p != nil {
			pt = p.obj
		}
		all := allCategoriesOn(t.obj, pt)
		s.trialRender(r, t, pt, []resolution.Layer{{Source: all.Describe(), Template: all}})
		for _, b := range s.bindingsOf(t) {
			s.trialRender(r, t, pt, []resolution.Layer{{Source: all.Describe(), Template: all}, {Source: b.obj.Describe(), Binding: withoutOverrides(b.obj)}})
		}
	}
}

func (s *set) trialRender(r *render.Renderer, t linted[v1alpha1.DebugSessionTemplate], pt *v1alpha1.DebugPodTemplate, layers []resolution.Layer) {
	en, err := auxiliary.Enable(pt, layers)
	if err != nil {
		s.addOutcome(err, SeverityError)
		return
	}
	ctx := s.sampleContext(t, layers)
	policy := auxiliary.PolicyFor(s.input, layers)
	for _, res := range en.Resources {
		// One at a time, so that every broken resource is reported, not
		// only the first.
		out, err := auxiliary.Render(r, &auxiliary.Enabled{Resources: []auxiliary.Resource{res}}, ctx, policy)
		if err != nil {
			s.addOutcome(err, SeverityError)
			continue
		}
		for _, w := range out.Warnings {
			s.addOutcome(outcome.Failed(res.Owner, "", "%s", w), SeverityWarning)
		}
	}
}

// addOutcome reports an error of the function's packages on the document
// it names.
func (s *set) addOutcome(err error, sev Severity) {
	var oe *outcome.Error
	if !errors.As(err, &oe) {
		return
	}
	d := s.document(oe.Object)
	if d == nil {
		return
	}
	// The function's messages start with the object, which the problem
	// already names.
	s.add(d, sev, oe.Field, "%s", strings.TrimPrefix(oe.Message, oe.Object+" "))
}

// document returns the first document whose object Describe names.
func (s *set) document(describe string) *catalog.Document {
	for _, l := range [][]*catalog.Document{docs(s.podTemplates), docs(s.templates), docs(s.bindings)} {
		for _, d := range l {
			if d.ID() == describe {
				return d
			}
		}
	}
	return nil
}

func docs[T any](l []linted[T]) []*catalog.Document {
	out := make([]*catalog.Document, 0, len(l))
	for _, x := range l {
		out = append(out, x.Document)
	}
	return out
}

// allCategoriesOn returns a copy of t that enables every category its
// resources and pt's use.
func allCategoriesOn(t *v1alpha1.DebugSessionTemplate, pt *v1alpha1.DebugPodTemplate) *v1alpha1.DebugSessionTemplate {
	c := t.DeepCopy()
	c.Spec.AuxiliaryResourceDefaults = map[string]bool{}
	var rs []v1alpha1.AuxiliaryResource
	rs = append(rs, t.Spec.AuxiliaryResources...)
	if pt != nil {
		rs = append(rs, pt.Spec.AuxiliaryResources...)
	}
	for _, r := range rs {
		if r.Category != "" {
			c.Spec.AuxiliaryResourceDefaults[r.Category] = true
		}
	}
	return c
}

func withoutOverrides(b *v1alpha1.DebugSessionClusterBinding) *v1alpha1.DebugSessionClusterBinding {
	c := b.DeepCopy()
	c.Spec.AuxiliaryResourceOverrides = nil
	return c
}

// sampleContext is what a sample session of template t renders with: a
// real ClusterConfig of the template's directory when there is one, so that
// templates that read cluster labels render as they would.
func (s *set) sampleContext(t linted[v1alpha1.DebugSessionTemplate], layers []resolution.Layer) auxiliary.Context {
	cc := &v1alpha1.ClusterConfig{ObjectMeta: metav1.ObjectMeta{Name: "sample-cluster", Namespace: t.obj.Namespace}}
	for _, c := range s.clusters {
		if c.Dir() == t.Dir() {
			cc = c.obj
			break
		}
	}
	sess := &v1alpha1.DebugSession{
		ObjectMeta: metav1.ObjectMeta{Name: "sample-session", Namespace: "sample-namespace"},
		Spec: v1alpha1.DebugSessionSpec{
			Cluster: cc.Name, RequestedBy: "user@example.com", Reason: "sample reason",
			TemplateRef: v1alpha1.ObjectReference{Name: t.obj.Name, Namespace: t.obj.Namespace},
		},
	}
	ctx := auxiliary.Context{Session: sess, Template: t.obj, ClusterConfig: cc, ExpiresAt: sampleExpiry, Annotations: workload.Annotations(sess)}
	ctx.Labels, _ = workload.Labels(sess, t.obj.Name) // the sample names are valid
	ctx.TargetNamespace, _ = resolution.TargetNamespace(layers, s.input.GetDefaultTargetNamespace())
	var chain []*v1alpha1.DebugSessionClusterBinding
	for _, l := range layers {
		if l.Binding != nil {
			chain = append(chain, l.Binding)
		}
	}
	if len(chain) > 0 {
		ctx.Binding = chain[0]
	}
	ctx.DisplayName, _ = resolution.EffectiveDisplayName(t.obj, chain)
	return ctx
}

package lint

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/requirements"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
	"github.com/k8s-breakglass/function-debug-session/internal/workload"
)

// find returns the object ns/name of a list, preferring one in dir.
func find[T any](list []linted[T], ns, name, dir string, meta func(*T) (string, string)) *linted[T] {
	var other *linted[T]
	for i := range list {
		n, nm := meta(list[i].obj)
		if n != ns || nm != name {
			continue
		}
		if list[i].Dir() == dir {
			return &list[i]
		}
		if other == nil {
			other = &list[i]
		}
	}
	return other
}

func templateMeta(t *v1alpha1.DebugSessionTemplate) (string, string) { return t.Namespace, t.Name }
func podTemplateMeta(t *v1alpha1.DebugPodTemplate) (string, string)  { return t.Namespace, t.Name }

// templatesOf returns the templates a binding applies to, by namespace and
// name: the one its templateRef names, or those its templateSelector
// selects. Of two documents with one namespace and name, the one in the
// binding's directory is preferred.
func (s *set) templatesOf(b linted[v1alpha1.DebugSessionClusterBinding]) []*linted[v1alpha1.DebugSessionTemplate] {
	if ns, name, ok := resolution.TemplateRefOf(b.obj); ok {
		if t := find(s.templates, ns, name, b.Dir(), templateMeta); t != nil {
			return []*linted[v1alpha1.DebugSessionTemplate]{t}
		}
		return nil
	}
	var out []*linted[v1alpha1.DebugSessionTemplate]
	seen := map[string]bool{}
	for i := range s.templates {
		t := s.templates[i].obj
		if seen[t.Namespace+"/"+t.Name] || !resolution.SelectsTemplate(b.obj, t) {
			continue
		}
		seen[t.Namespace+"/"+t.Name] = true
		out = append(out, find(s.templates, t.Namespace, t.Name, b.Dir(), templateMeta))
	}
	slices.SortFunc(out, func(x, y *linted[v1alpha1.DebugSessionTemplate]) int {
		return strings.Compare(x.obj.Namespace+"/"+x.obj.Name, y.obj.Namespace+"/"+y.obj.Name)
	})
	return out
}

// podTemplateOf returns the pod template a template names, or nil.
func (s *set) podTemplateOf(t linted[v1alpha1.DebugSessionTemplate]) *linted[v1alpha1.DebugPodTemplate] {
	name, err := requirements.PodTemplateName(t.obj)
	if err != nil {
		return nil
	}
	return find(s.podTemplates, t.obj.Namespace, name, t.Dir(), podTemplateMeta)
}

// checkReferences reports templates whose pod template, and bindings whose
// template, is not among the documents: the function would fail every
// session that uses them.
func (s *set) checkReferences() {
	for _, t := range s.templates {
		if _, err := requirements.PodTemplateName(t.obj); err != nil {
			s.add(t.Document, SeverityError, "spec.podTemplateRef.name", "is empty: a pod template is required")
			continue
		}
		pt := s.podTemplateOf(t)
		if pt == nil {
			ref := t.obj.Spec.PodTemplateRef.Name
			s.add(t.Document, SeverityError, "spec.podTemplateRef.name", "DebugPodTemplate %s/%s is not among the files: sessions of this template would fail", t.obj.Namespace, ref)
			continue
		}
		if workload.Kind(t.obj) == v1alpha1.WorkloadTypeJob && pt.obj.Spec.Template.Spec.RestartPolicy == corev1.RestartPolicyAlways {
			s.add(t.Document, SeverityError, "spec.workloadType", "Job, but DebugPodTemplate %s/%s says restartPolicy Always, which a Job refuses: sessions of this template would fail", pt.obj.Namespace, pt.obj.Name)
		}
	}
	for _, b := range s.bindings {
		if len(s.templatesOf(b)) > 0 {
			continue
		}
		if ns, name, ok := resolution.TemplateRefOf(b.obj); ok {
			s.add(b.Document, SeverityError, "spec.templateRef.name", "DebugSessionTemplate %s/%s is not among the files: the binding applies to nothing", ns, name)
			continue
		}
		if resolution.SelectsByLabel(b.obj) {
			// Templates may come later, so this is no error: but a
			// selector that selects nothing is usually a typo.
			s.add(b.Document, SeverityWarning, "spec.templateSelector", "selects no DebugSessionTemplate of namespace %s among the files: the binding applies to nothing", b.obj.Namespace)
		}
	}
}

// bindingsOf returns the bindings that apply to template t, by
// namespace/name.
func (s *set) bindingsOf(t linted[v1alpha1.DebugSessionTemplate]) []linted[v1alpha1.DebugSessionClusterBinding] {
	var out []linted[v1alpha1.DebugSessionClusterBinding]
	for _, b := range s.bindings {
		if slices.ContainsFunc(s.templatesOf(b), func(got *linted[v1alpha1.DebugSessionTemplate]) bool { return got.Document == t.Document }) {
			out = append(out, b)
		}
	}
	slices.SortStableFunc(out, func(a, b linted[v1alpha1.DebugSessionClusterBinding]) int {
		return strings.Compare(a.obj.Namespace+"/"+a.obj.Name, b.obj.Namespace+"/"+b.obj.Name)
	})
	return out
}

func id(b *v1alpha1.DebugSessionClusterBinding) string {
	return fmt.Sprintf("%s/%s", b.Namespace, b.Name)
}

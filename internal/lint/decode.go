package lint

import (
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/catalog"
)

// decode checks every breakglass document against its CRD schema and
// decodes it strictly into its Go type. A document with values the schema
// rejects is not checked further; one that only has unknown fields is, so
// that one run reports its other problems too.
func (s *set) decode(c *catalog.Catalog) {
	for _, d := range c.Documents {
		av, kind := d.Object.GetAPIVersion(), d.Object.GetKind()
		if av != v1alpha1.APIVersion || kind == v1alpha1.DebugSessionKind {
			// Sessions are users' requests, not platform configuration;
			// the XRD validates them.
			continue
		}
		if !s.schemas.Has(av, kind) {
			s.add(d, SeverityError, "kind", "unknown kind %s in %s", kind, av)
			continue
		}
		errs := s.schemas.Validate(av, kind, d.Object.Object)
		unknownOnly := true
		for _, e := range errs {
			s.add(d, SeverityError, e.Field, "%s", e.Message)
			unknownOnly = unknownOnly && e.Message == msgUnknownField
		}
		if !unknownOnly {
			continue
		}
		if d.Object.GetNamespace() == "" {
			s.add(d, SeverityError, "metadata.namespace", "is empty: the kind is namespaced and the function looks it up in a namespace")
		}
		s.decodeTyped(d, kind, len(errs) == 0)
	}
}

// decodeTyped decodes d into its Go type, strictly unless its unknown
// fields were already reported.
func (s *set) decodeTyped(d *catalog.Document, kind string, strict bool) {
	decode := func(into any) error {
		return runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(d.Object.Object, into, strict)
	}
	var err error
	switch kind {
	case v1alpha1.DebugSessionTemplateKind:
		t := &v1alpha1.DebugSessionTemplate{}
		if err = decode(t); err == nil {
			s.templates = append(s.templates, linted[v1alpha1.DebugSessionTemplate]{d, t})
		}
	case v1alpha1.DebugPodTemplateKind:
		t := &v1alpha1.DebugPodTemplate{}
		if err = decode(t); err == nil {
			s.podTemplates = append(s.podTemplates, linted[v1alpha1.DebugPodTemplate]{d, t})
		}
	case v1alpha1.DebugSessionClusterBindingKind:
		b := &v1alpha1.DebugSessionClusterBinding{}
		if err = decode(b); err == nil {
			s.bindings = append(s.bindings, linted[v1alpha1.DebugSessionClusterBinding]{d, b})
		}
	case v1alpha1.ClusterConfigKind:
		cc := &v1alpha1.ClusterConfig{}
		if err = decode(cc); err == nil {
			s.clusters = append(s.clusters, linted[v1alpha1.ClusterConfig]{d, cc})
		}
	}
	if err != nil {
		s.add(d, SeverityError, "", "%v", err)
	}
}

// checkDuplicates reports an object defined twice in one directory: only
// one of them can exist in a cluster.
func (s *set) checkDuplicates() {
	seen := map[string]*catalog.Document{}
	all := append(append(append(docs(s.templates), docs(s.podTemplates)...), docs(s.bindings)...), docs(s.clusters)...)
	for _, d := range all {
		key := d.Dir() + "\x00" + d.ID()
		if first, ok := seen[key]; ok {
			s.add(d, SeverityError, "metadata.name", "is defined twice in %s (first at %s:%d)", d.Dir(), first.File, first.Line)
			continue
		}
		seen[key] = d
	}
}

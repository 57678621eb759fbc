package catalog

import (
	"sort"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Select answers a required resource selector the way the API server would:
// by apiVersion and kind, in the selector's namespace when it names one, by
// name or by labels. Unlike `crossplane render`, it honours the namespace,
// so that a preview sees what a real control plane would send. An object
// defined more than once (same kind, namespace and name) is answered once,
// by its first definition. Results are sorted by namespace and name.
func (c *Catalog) Select(sel *fnv1.ResourceSelector) []*unstructured.Unstructured {
	seen := map[string]bool{}
	var out []*unstructured.Unstructured
	for _, d := range c.Documents {
		o := d.Object
		if o.GetAPIVersion() != sel.GetApiVersion() || o.GetKind() != sel.GetKind() {
			continue
		}
		if sel.Namespace != nil && o.GetNamespace() != sel.GetNamespace() {
			continue
		}
		if !Matches(o, sel) || seen[d.ID()] {
			continue
		}
		seen[d.ID()] = true
		out = append(out, o)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].GetNamespace() != out[j].GetNamespace() {
			return out[i].GetNamespace() < out[j].GetNamespace()
		}
		return out[i].GetName() < out[j].GetName()
	})
	return out
}

// Matches reports whether o has the name or the labels sel asks for; it does
// not look at apiVersion, kind or namespace.
func Matches(o *unstructured.Unstructured, sel *fnv1.ResourceSelector) bool {
	if name := sel.GetMatchName(); name != "" {
		return o.GetName() == name
	}
	labels := o.GetLabels()
	for k, v := range sel.GetMatchLabels().GetLabels() {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// OfKind returns the documents of one apiVersion and kind, in load order.
func (c *Catalog) OfKind(apiVersion, kind string) []*Document {
	var out []*Document
	for _, d := range c.Documents {
		if d.Object.GetAPIVersion() == apiVersion && d.Object.GetKind() == kind {
			out = append(out, d)
		}
	}
	return out
}

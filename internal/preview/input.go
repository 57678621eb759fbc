package preview

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// InputFromCompositions returns the function input of the first pipeline
// step, in the first Composition among objs, whose input is this
// function's Input; nil when there is none. The tools read the input where
// the platform team keeps it, in its Composition.
func InputFromCompositions(objs []*unstructured.Unstructured) *unstructured.Unstructured {
	for _, o := range objs {
		if o.GetKind() != "Composition" {
			continue
		}
		steps, _, _ := unstructured.NestedSlice(o.Object, "spec", "pipeline")
		for _, s := range steps {
			step, ok := s.(map[string]any)
			if !ok {
				continue
			}
			in, ok := step["input"].(map[string]any)
			if ok && in["apiVersion"] == InputAPIVersion && in["kind"] == "Input" {
				return &unstructured.Unstructured{Object: in}
			}
		}
	}
	return nil
}

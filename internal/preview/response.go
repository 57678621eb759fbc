package preview

import (
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// Composed is one object the function returned.
type Composed struct {
	// Name is the composition resource name.
	Name string
	// Kind, Namespace and Name of the object on the target cluster: the
	// manifest inside a provider-kubernetes Object, else the object itself.
	Kind      string
	Namespace string
	Object    string
	// Via is the kind of the wrapper the object is delivered in, e.g.
	// "Object"; empty when it is composed directly.
	Via string
}

// readResponse reads the status, composed objects and results.
func (o *Outcome) readResponse() {
	rsp := o.Response
	if st := rsp.GetDesired().GetComposite().GetResource().AsMap()["status"]; st != nil {
		if m, ok := st.(map[string]any); ok {
			// A status the function wrote always converts; on error the
			// outcome simply has none.
			_ = runtime.DefaultUnstructuredConverter.FromUnstructured(m, &o.Status)
		}
	}
	res := rsp.GetDesired().GetResources()
	for _, name := range slices.Sorted(maps.Keys(res)) {
		u := &unstructured.Unstructured{Object: res[name].GetResource().AsMap()}
		o.Composed = append(o.Composed, ComposedOf(name, u))
	}
	for _, r := range rsp.GetResults() {
		o.Results = append(o.Results, Result{Severity: strings.TrimPrefix(r.GetSeverity().String(), "SEVERITY_"), Message: r.GetMessage()})
	}
}

// ComposedOf describes the composed object u, named name in the
// composition.
func ComposedOf(name string, u *unstructured.Unstructured) Composed {
	c := Composed{Name: name, Kind: u.GetKind(), Namespace: u.GetNamespace(), Object: u.GetName()}
	m, ok, _ := unstructured.NestedMap(u.Object, "spec", "forProvider", "manifest")
	if !ok || !strings.HasPrefix(u.GetAPIVersion(), "kubernetes.") {
		return c
	}
	inner := &unstructured.Unstructured{Object: m}
	return Composed{Name: name, Kind: inner.GetKind(), Namespace: inner.GetNamespace(), Object: inner.GetName(), Via: u.GetKind()}
}

// State is the session's state, or Unknown when the function wrote none
// (it stopped with a Fatal result, or is still waiting for answers).
func (o *Outcome) State() v1alpha1.State {
	if o.Status.State == "" {
		return "Unknown"
	}
	return o.Status.State
}

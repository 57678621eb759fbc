package render

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"
)

func TestRenderKeepsIntegerTypes(t *testing.T) {
	got, err := New().Render(tmpl(t, `{spec: {replicas: 2, port: "{{ dict \"port\" 53 | toYaml }}"}}`), vars(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"spec": map[string]any{"replicas": int64(2), "port": map[string]any{"port": int64(53)}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Integers must be int64, as in every unstructured object.\nRender(...): -want, +got:\n%s", diff)
	}
}

func TestRenderAcceptsYAMLAndObjects(t *testing.T) {
	want := map[string]any{"kind": "ConfigMap", "data": map[string]any{"s": "inc-1234"}}
	for name, raw := range map[string]runtime.RawExtension{
		"YAML":   {Raw: []byte("kind: ConfigMap\ndata:\n  s: '{{ .Session.Name }}'\n")},
		"Object": {Object: &runtime.Unknown{Raw: []byte(`{"kind":"ConfigMap","data":{"s":"{{ .Session.Name }}"}}`), ContentType: runtime.ContentTypeJSON}},
	} {
		got, err := New().Render(raw, vars(), 1<<20)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: a template may be stored as YAML, or set as an object.\n-want, +got:\n%s", name, diff)
		}
	}
}

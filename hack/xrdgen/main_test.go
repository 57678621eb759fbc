package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
spec:
  group: breakglass.telekom.de
  names: {kind: DebugSession, listKind: DebugSessionList, plural: debugsessions, singular: debugsession}
  versions:
  - name: v1alpha1
    schema:
      openAPIV3Schema:
        description: A DebugSession.
        type: object
        properties:
          apiVersion: {type: string}
          spec: {type: object, properties: {cluster: {type: string}}}
          status: {type: object, properties: {state: {type: string}}}
`

func TestGenerate(t *testing.T) {
	type want struct {
		xrd map[string]any
		err string
	}
	cases := map[string]struct {
		reason string
		crd    string
		want   want
	}{
		"WrapsSpecAndStatus": {
			reason: "The XRD carries exactly the spec and status schema of the generated CRD, namespaced, with the default Composition.",
			crd:    crd,
			want: want{xrd: map[string]any{
				"apiVersion": "apiextensions.crossplane.io/v2",
				"kind":       "CompositeResourceDefinition",
				"name":       "debugsessions.breakglass.telekom.de",
				"scope":      "Namespaced",
				"spec":       map[string]any{"type": "object", "properties": map[string]any{"cluster": map[string]any{"type": "string"}}},
				"status":     map[string]any{"type": "object", "properties": map[string]any{"state": map[string]any{"type": "string"}}},
			}},
		},
		"NoStatus": {
			reason: "A CRD without a status schema cannot describe what the function writes.",
			crd:    strings.Replace(crd, "          status: {type: object, properties: {state: {type: string}}}\n", "", 1),
			want:   want{err: "the schema has no spec or status"},
		},
		"TwoVersions": {
			reason: "The generator only knows how to wrap one version.",
			crd:    crd + "  - name: v1beta1\n",
			want:   want{err: "want exactly one version, got 2"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "crd.yaml")
			if err := os.WriteFile(path, []byte(tc.crd), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := generate(path)
			got := want{}
			if err != nil {
				got.err = strings.TrimPrefix(err.Error(), path+": ")
			} else {
				got.xrd = digest(t, out)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\ngenerate(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// digest picks the fields of a generated XRD that the tests are about.
func digest(t *testing.T, out string) map[string]any {
	t.Helper()
	x := map[string]any{}
	if err := yaml.Unmarshal([]byte(strings.SplitN(out, "---\n", 2)[1]), &x); err != nil {
		t.Fatalf("the output is not YAML: %v", err)
	}
	spec := x["spec"].(map[string]any)
	version := spec["versions"].([]any)[0].(map[string]any)
	props := version["schema"].(map[string]any)["openAPIV3Schema"].(map[string]any)["properties"].(map[string]any)
	return map[string]any{
		"apiVersion": x["apiVersion"],
		"kind":       x["kind"],
		"name":       x["metadata"].(map[string]any)["name"],
		"scope":      spec["scope"],
		"spec":       props["spec"],
		"status":     props["status"],
	}
}

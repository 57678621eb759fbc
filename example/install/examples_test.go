package install_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	utiljson "k8s.io/apimachinery/pkg/util/json"

	"github.com/k8s-breakglass/function-debug-session/internal/admissiontest"
)

// TestExamplesAdmitted runs every template, pod template and binding of the
// examples and of the e2e fixtures through the CRD rules and the
// configuration policy: what the project shows must be what the API server
// admits.
func TestExamplesAdmitted(t *testing.T) {
	crds := map[string]*admissiontest.CRD{
		"DebugSessionClusterBinding": admissiontest.LoadCRD(t, "crd-debugsessionclusterbindings.yaml"),
		"DebugSessionTemplate":       admissiontest.LoadCRD(t, "crd-debugsessiontemplates.yaml"),
		"DebugPodTemplate":           admissiontest.LoadCRD(t, "crd-debugpodtemplates.yaml"),
	}
	policy := loadConfigPolicy(t)
	var files []string
	for _, g := range []string{"../*/*.yaml", "../../e2e/testdata/*.yaml"} {
		m, err := filepath.Glob(g)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	checked := 0
	for _, f := range files {
		for _, doc := range admissiontest.ReadYAML(t, f) {
			kind, _ := doc["kind"].(string)
			crd, ok := crds[kind]
			if !ok {
				continue
			}
			checked++
			doc = asServed(t, doc)
			meta, _ := doc["metadata"].(map[string]any)
			for _, e := range crd.Validate(doc) {
				t.Errorf("%s: %s %v: %v", f, kind, meta["name"], e)
			}
			for _, msg := range admitConfig(t, policy, doc) {
				t.Errorf("%s: %s %v: denied: %s", f, kind, meta["name"], msg)
			}
		}
	}
	if checked == 0 {
		t.Fatal("found no examples to check")
	}
}

// asServed decodes a document as the API server does, with whole numbers as
// int64 rather than float64.
func asServed(t *testing.T, doc map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	if err := utiljson.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

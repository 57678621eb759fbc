package admissiontest

import (
	"io"
	"os"
	"testing"

	"github.com/crossplane/function-sdk-go/errors"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// ReadYAML decodes every non-empty document of a multi-document YAML file:
// install manifests and example scenarios, which tests evaluate policies on.
func ReadYAML(t testing.TB, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path) //nolint:gosec // Tests read the repository's own files.
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := utilyaml.NewYAMLOrJSONDecoder(f, 4096)
	var docs []map[string]any
	for {
		doc := map[string]any{}
		err := d.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("cannot read %s: %v", path, err)
		}
		if len(doc) > 0 {
			docs = append(docs, doc)
		}
	}
}

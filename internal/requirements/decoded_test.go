package requirements

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

func bindingStruct(t *testing.T, cluster string) *structpb.Struct {
	t.Helper()
	s, err := structpb.NewStruct(map[string]any{
		"apiVersion": v1alpha1.APIVersion, "kind": v1alpha1.DebugSessionClusterBindingKind,
		"metadata": map[string]any{"name": "b", "namespace": "breakglass-system"},
		"spec":     map[string]any{"templateRef": map[string]any{"name": "t"}, "clusters": []any{cluster}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDecodedCache proves that the decoded cache neither serves an object
// after the Struct it came from changed, nor lets a caller change what the
// next call decodes.
func TestDecodedCache(t *testing.T) {
	cases := map[string]struct {
		reason string
		second string
		want   []string
	}{
		"SameStruct": {
			reason: "The same Struct decodes to the same object, unchanged by what the first caller did to its copy.",
			second: "prod-*", want: []string{"prod-*"},
		},
		"ChangedStruct": {
			reason: "A changed Struct decodes anew.",
			second: "stage-*", want: []string{"stage-*"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			first, err := decode[v1alpha1.DebugSessionClusterBinding](NewLoader(nil), bindingStruct(t, "prod-*"))
			if err != nil {
				t.Fatal(err)
			}
			first.Spec.Clusters[0] = "changed by the caller"
			got, err := decode[v1alpha1.DebugSessionClusterBinding](NewLoader(nil), bindingStruct(t, tc.second))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, []string(got.Spec.Clusters)); diff != "" {
				t.Errorf("%s\ndecode(...).Spec.Clusters: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

package api

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// TestNewClusterSourceNamesEveryUnfilledCache starts the informers with a
// context that is already done, so that no cache fills: the error names
// every kind, in order, the same on every start.
func TestNewClusterSourceNamesEveryUnfilledCache(t *testing.T) {
	gv := v1alpha1.SchemeGroupVersion
	lists := map[schema.GroupVersionResource]string{}
	for kind, res := range resources {
		lists[gv.WithResource(res)] = kind + "List"
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	want := "cannot fill the cache of clusterconfigs, debugpodtemplates, debugsessionclusterbindings, debugsessiontemplates"
	for i := range 10 {
		client := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), lists)
		_, err := NewClusterSource(ctx, client, time.Minute)
		if diff := cmp.Diff(want, fmt.Sprint(err)); diff != "" {
			t.Fatalf("start %d: NewClusterSource(...): -want error, +got error:\n%s", i, diff)
		}
	}
}

package api

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/crossplane/function-sdk-go/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/catalog"
)

// resources the API reads, by kind. Sessions are not among them: the
// answer does not depend on who else has a session.
var resources = map[string]string{
	v1alpha1.DebugSessionTemplateKind:       "debugsessiontemplates",
	v1alpha1.DebugPodTemplateKind:           "debugpodtemplates",
	v1alpha1.DebugSessionClusterBindingKind: "debugsessionclusterbindings",
	v1alpha1.ClusterConfigKind:              "clusterconfigs",
}

// ClusterSource answers selectors from informer caches: the API server is
// listed once and then watched, however many requests come in.
type ClusterSource struct {
	listers map[string]cache.GenericLister
}

// NewClusterSource starts informers for the breakglass kinds and waits
// until their caches are filled.
func NewClusterSource(ctx context.Context, client dynamic.Interface, resync time.Duration) (*ClusterSource, error) {
	f := dynamicinformer.NewDynamicSharedInformerFactory(client, resync)
	s := &ClusterSource{listers: map[string]cache.GenericLister{}}
	gv := v1alpha1.SchemeGroupVersion
	for kind, res := range resources {
		s.listers[kind] = f.ForResource(schema.GroupVersionResource{Group: gv.Group, Version: gv.Version, Resource: res}).Lister()
	}
	f.Start(ctx.Done())
	var unsynced []string
	for gvr, ok := range f.WaitForCacheSync(ctx.Done()) {
		if !ok {
			unsynced = append(unsynced, gvr.Resource)
		}
	}
	if len(unsynced) > 0 {
		// All of them, in order: the message is the same on every start.
		sort.Strings(unsynced)
		return nil, errors.Errorf("cannot fill the cache of %s", strings.Join(unsynced, ", "))
	}
	return s, nil
}

// Select implements preview.Source.
func (s *ClusterSource) Select(sel *fnv1.ResourceSelector) []*unstructured.Unstructured {
	l, ok := s.listers[sel.GetKind()]
	if !ok || sel.GetApiVersion() != v1alpha1.APIVersion {
		return nil
	}
	var objs []runtime.Object
	var err error
	if sel.Namespace != nil {
		objs, err = l.ByNamespace(sel.GetNamespace()).List(labels.Everything())
	} else {
		objs, err = l.List(labels.Everything())
	}
	if err != nil {
		return nil
	}
	var out []*unstructured.Unstructured
	for _, o := range objs {
		u, ok := o.(*unstructured.Unstructured)
		if !ok || !catalog.Matches(u, sel) {
			continue
		}
		// The function may not change the cache's objects.
		out = append(out, u.DeepCopy())
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].GetNamespace() != out[j].GetNamespace() {
			return out[i].GetNamespace() < out[j].GetNamespace()
		}
		return out[i].GetName() < out[j].GetName()
	})
	return out
}

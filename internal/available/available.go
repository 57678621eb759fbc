package available

import (
	"context"
	"slices"
	"strings"
	"time"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/preview"
	"github.com/k8s-breakglass/function-debug-session/internal/workload"
)

// Query is who asks, and optionally about which cluster or template.
type Query struct {
	User   string
	Groups []string
	// Cluster, when set, limits the answer to one cluster.
	Cluster string
	// Template, when set, limits the answer to one template by name.
	Template string
}

// Finder answers queries with the function fn over the objects of src,
// under the function input in (nil: every default).
type Finder struct {
	Function preview.Runner
	Source   preview.Source
	Input    *unstructured.Unstructured
	// Now is the time Function runs at; zero means the current time.
	Now time.Time
}

// Answer is everything a query finds: the template list and, by template
// name, its clusters.
type Answer struct {
	List     TemplateList
	Clusters map[string]*ClusterList
}

// Find runs the function for every template and cluster the query covers.
func (f *Finder) Find(ctx context.Context, q Query) (*Answer, error) {
	configNS, err := f.configNamespace()
	if err != nil {
		return nil, err
	}
	templates := f.templates(configNS, q.Template)
	clusters := f.clusterConfigs(configNS, q.Cluster)
	a := &Answer{List: TemplateList{Templates: []Template{}}, Clusters: map[string]*ClusterList{}}
	for _, t := range templates {
		cl := &ClusterList{TemplateName: t.Name, TemplateDisplayName: t.Spec.DisplayName, Clusters: []Cluster{}}
		var priority int32
		approval := false
		for _, cc := range clusters {
			c, ok, err := f.cluster(ctx, q, t, cc)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if c.BindingRef != nil && (len(cl.Clusters) == 0 || c.BindingRef.Priority > priority) {
				priority = c.BindingRef.Priority
			}
			approval = approval || c.Approval.Required
			cl.Clusters = append(cl.Clusters, c)
		}
		if len(cl.Clusters) == 0 {
			// Nothing about a template the user cannot use is shown.
			continue
		}
		a.Clusters[t.Name] = cl
		a.List.Templates = append(a.List.Templates, summary(t, cl, approval, priority, f.defaultTargetNamespace()))
	}
	slices.SortStableFunc(a.List.Templates, func(x, y Template) int {
		if x.priority != y.priority {
			return int(y.priority - x.priority)
		}
		return strings.Compare(x.Name, y.Name)
	})
	a.List.Total = len(a.List.Templates)
	return a, nil
}

func summary(t *v1alpha1.DebugSessionTemplate, cl *ClusterList, approval bool, priority int32, defaultNS string) Template {
	ns := t.Spec.TargetNamespace
	if ns == "" {
		ns = defaultNS
	}
	return Template{
		Name: t.Name, Namespace: t.Namespace, DisplayName: t.Spec.DisplayName, Description: t.Spec.Description,
		WorkloadType: string(workload.Kind(t)), TargetNamespace: ns, Constraints: t.Spec.Constraints,
		RequiresApproval: approval, HasAvailableClusters: true, AvailableClusterCount: len(cl.Clusters), priority: priority,
	}
}

func (f *Finder) input() (*v1beta1.Input, error) {
	in := &v1beta1.Input{}
	if f.Input == nil {
		return in, nil
	}
	return in, runtime.DefaultUnstructuredConverter.FromUnstructured(f.Input.Object, in)
}

func (f *Finder) configNamespace() (string, error) {
	in, err := f.input()
	if err != nil {
		return "", err
	}
	return in.GetConfigNamespace(), nil
}

func (f *Finder) defaultTargetNamespace() string {
	in, _ := f.input() // configNamespace already read it
	return in.GetDefaultTargetNamespace()
}

// templates lists the templates of the config namespace, by name.
func (f *Finder) templates(ns, only string) []*v1alpha1.DebugSessionTemplate {
	var out []*v1alpha1.DebugSessionTemplate
	for _, u := range f.Source.Select(list(v1alpha1.DebugSessionTemplateKind, ns)) {
		t := &v1alpha1.DebugSessionTemplate{}
		if runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, t) != nil || (only != "" && t.Name != only) {
			// A template that does not decode is one no session can use;
			// validate reports it.
			continue
		}
		out = append(out, t)
	}
	return out
}

// clusterConfigs lists the clusters: one ClusterConfig each, by name.
func (f *Finder) clusterConfigs(ns, only string) []*v1alpha1.ClusterConfig {
	var out []*v1alpha1.ClusterConfig
	for _, u := range f.Source.Select(list(v1alpha1.ClusterConfigKind, ns)) {
		c := &v1alpha1.ClusterConfig{}
		if runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, c) != nil || (only != "" && c.Name != only) {
			continue
		}
		out = append(out, c)
	}
	return out
}

func list(kind, ns string) *fnv1.ResourceSelector {
	return &fnv1.ResourceSelector{
		ApiVersion: v1alpha1.APIVersion, Kind: kind, Namespace: &ns,
		Match: &fnv1.ResourceSelector_MatchLabels{MatchLabels: &fnv1.MatchLabels{Labels: map[string]string{}}},
	}
}

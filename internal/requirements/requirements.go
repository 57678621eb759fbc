// Package requirements decides which resources the function asks Crossplane
// for, and turns Crossplane's answer into typed, defensively filtered values.
//
// Crossplane calls a function again whenever the requirements it returns
// change, until they are stable (at most a few times per reconcile). The
// selectors built here must therefore be a pure function of what is already
// known: the same session and the same answers always give the same
// requirements.
package requirements

import (
	"sort"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/memo"
)

// Names under which resources are required. They appear in the request and
// response, so they are part of the function's contract with Crossplane.
const (
	NameTemplate       = "template"
	NameClusterConfig  = "cluster-config"
	NamePodTemplate    = "pod-template"
	NameSessions       = "sessions"
	NameClusterConfigs = "cluster-configs"
	// NameBindingsPrefix is followed by "-<namespace>", or is used alone when
	// every namespace is trusted.
	NameBindingsPrefix = "bindings"
)

// Needs are the second-round requirements: they depend on what the first
// round returned.
type Needs struct {
	// PodTemplate to fetch, in PodTemplateNamespace. Empty until the
	// template is known.
	PodTemplate          string
	PodTemplateNamespace string

	// SessionsOnCluster asks for the other DebugSessions on the session's
	// cluster. Only needed when a concurrency limit applies.
	SessionsOnCluster bool

	// SessionsEverywhere asks for every DebugSession, on every cluster, and
	// every ClusterConfig. Only needed when a binding caps its sessions: a
	// binding applies to many clusters, and whether another cluster's
	// session uses it depends on that cluster's labels. It supersedes
	// SessionsOnCluster.
	SessionsEverywhere bool
}

// Selectors returns every requirement for a session: the first round from the
// session alone, plus the second round described by needs.
func Selectors(s *v1alpha1.DebugSession, in *v1beta1.Input, needs Needs) map[string]*fnv1.ResourceSelector {
	configNS := in.GetConfigNamespace()
	templateNS := s.Spec.TemplateRef.Namespace
	if templateNS == "" {
		templateNS = configNS
	}
	sel := map[string]*fnv1.ResourceSelector{
		NameTemplate:      byName(v1alpha1.DebugSessionTemplateKind, templateNS, s.Spec.TemplateRef.Name),
		NameClusterConfig: byName(v1alpha1.ClusterConfigKind, configNS, s.Spec.Cluster),
	}
	for name, ns := range bindingSelectors(in) {
		sel[name] = byLabels(v1alpha1.DebugSessionClusterBindingKind, ns, nil)
	}
	if needs.PodTemplate != "" {
		sel[NamePodTemplate] = byName(v1alpha1.DebugPodTemplateKind, needs.PodTemplateNamespace, needs.PodTemplate)
	}
	switch {
	case needs.SessionsEverywhere:
		sel[NameSessions] = byLabels(v1alpha1.DebugSessionKind, "", nil)
		sel[NameClusterConfigs] = byLabels(v1alpha1.ClusterConfigKind, configNS, nil)
	case needs.SessionsOnCluster:
		sel[NameSessions] = byLabels(v1alpha1.DebugSessionKind, "", map[string]string{v1alpha1.LabelCluster: s.Spec.Cluster})
	}
	return sel
}

// bindingSelectors maps requirement names to the namespace they list; an
// empty namespace lists every namespace.
func bindingSelectors(in *v1beta1.Input) map[string]string {
	out := map[string]string{}
	for _, ns := range in.GetBindingNamespaces() {
		if ns == v1beta1.AllBindingNamespaces {
			return map[string]string{NameBindingsPrefix: ""}
		}
		out[NameBindingsPrefix+"-"+ns] = ns
	}
	return out
}

func byName(kind, namespace, name string) *fnv1.ResourceSelector {
	s := &fnv1.ResourceSelector{
		ApiVersion: v1alpha1.APIVersion,
		Kind:       kind,
		Match:      &fnv1.ResourceSelector_MatchName{MatchName: name},
	}
	if namespace != "" {
		s.Namespace = &namespace
	}
	return s
}

func byLabels(kind, namespace string, labels map[string]string) *fnv1.ResourceSelector {
	if labels == nil {
		labels = map[string]string{}
	}
	s := &fnv1.ResourceSelector{
		ApiVersion: v1alpha1.APIVersion,
		Kind:       kind,
		Match:      &fnv1.ResourceSelector_MatchLabels{MatchLabels: &fnv1.MatchLabels{Labels: labels}},
	}
	if namespace != "" {
		s.Namespace = &namespace
	}
	return s
}

// Fetched is Crossplane's answer to the requirements, typed and filtered.
type Fetched struct {
	// Answered reports, by requirement name, whether Crossplane has answered.
	Answered map[string]bool

	Template      *v1alpha1.DebugSessionTemplate
	ClusterConfig *v1alpha1.ClusterConfig
	PodTemplate   *v1alpha1.DebugPodTemplate
	// Bindings from every trusted namespace, sorted by namespace and name.
	Bindings []v1alpha1.DebugSessionClusterBinding
	// Sessions other than this one, sorted by namespace and name: those on
	// the same cluster when a concurrency limit applies, those on every
	// cluster when a binding caps its sessions, else none.
	Sessions []v1alpha1.DebugSession
	// ClusterConfigs of every cluster, sorted by name. Only fetched when a
	// binding caps its sessions.
	ClusterConfigs []v1alpha1.ClusterConfig
}

// Complete reports whether Crossplane has answered every selector.
func (f *Fetched) Complete(sel map[string]*fnv1.ResourceSelector) bool {
	for name := range sel {
		if !f.Answered[name] {
			return false
		}
	}
	return true
}

// Load reads Crossplane's answers to sel from the request. Every list is
// filtered by kind and namespace again, because `crossplane render` ignores a
// selector's namespace; malformed objects are reported with their name and
// the field that could not be read.
func Load(req *fnv1.RunFunctionRequest, s *v1alpha1.DebugSession, sel map[string]*fnv1.ResourceSelector) (*Fetched, error) {
	return NewLoader(req).Load(s, sel)
}

// A Loader loads one request's required resources, as often as the caller
// asks with other selectors, and finds each resource's content hash once.
type Loader struct {
	got  map[string][]*structpb.Struct
	keys map[loaded]memo.Key
}

// NewLoader returns a Loader of req's required resources.
func NewLoader(req *fnv1.RunFunctionRequest) *Loader {
	return &Loader{got: request(req), keys: map[loaded]memo.Key{}}
}

// Load is Load, for the Loader's request.
func (l *Loader) Load(s *v1alpha1.DebugSession, sel map[string]*fnv1.ResourceSelector) (*Fetched, error) {
	got := l.got
	var err error
	f := &Fetched{Answered: map[string]bool{}}
	for name := range got {
		if _, ok := sel[name]; ok {
			f.Answered[name] = true
		}
	}

	if f.Template, err = one[v1alpha1.DebugSessionTemplate](l, got[NameTemplate], sel[NameTemplate]); err != nil {
		return nil, err
	}
	if f.ClusterConfig, err = one[v1alpha1.ClusterConfig](l, got[NameClusterConfig], sel[NameClusterConfig]); err != nil {
		return nil, err
	}
	if f.PodTemplate, err = one[v1alpha1.DebugPodTemplate](l, got[NamePodTemplate], sel[NamePodTemplate]); err != nil {
		return nil, err
	}

	names := make([]string, 0, len(sel))
	for name := range sel {
		names = append(names, name)
	}
	sort.Strings(names)
	seen := map[string]bool{}
	for _, name := range names {
		if !isBindings(name) {
			continue
		}
		bs, err := all[v1alpha1.DebugSessionClusterBinding](l, got[name], sel[name])
		if err != nil {
			return nil, err
		}
		for _, b := range bs {
			// Selectors for several namespaces may overlap when a test
			// harness ignores namespaces; keep each binding once.
			key := b.Namespace + "/" + b.Name
			if seen[key] {
				continue
			}
			seen[key] = true
			f.Bindings = append(f.Bindings, b)
		}
	}
	sort.Slice(f.Bindings, func(i, j int) bool { return less(&f.Bindings[i].ObjectMeta, &f.Bindings[j].ObjectMeta) })

	if ss := sel[NameSessions]; ss != nil {
		sessions, err := all[v1alpha1.DebugSession](l, got[NameSessions], ss)
		if err != nil {
			return nil, err
		}
		for _, o := range sessions {
			// matches already applied the selector's cluster label, if it
			// has one.
			if o.Namespace == s.Namespace && o.Name == s.Name {
				continue
			}
			f.Sessions = append(f.Sessions, o)
		}
		sort.Slice(f.Sessions, func(i, j int) bool { return less(&f.Sessions[i].ObjectMeta, &f.Sessions[j].ObjectMeta) })
	}
	if cs := sel[NameClusterConfigs]; cs != nil {
		if f.ClusterConfigs, err = all[v1alpha1.ClusterConfig](l, got[NameClusterConfigs], cs); err != nil {
			return nil, err
		}
		sort.Slice(f.ClusterConfigs, func(i, j int) bool { return less(&f.ClusterConfigs[i].ObjectMeta, &f.ClusterConfigs[j].ObjectMeta) })
	}
	return f, nil
}

func isBindings(name string) bool {
	return name == NameBindingsPrefix || len(name) > len(NameBindingsPrefix) && name[:len(NameBindingsPrefix)+1] == NameBindingsPrefix+"-"
}

// request returns the required resources of a request, as Crossplane sent
// them: each is converted only if it is selected and not decoded before.
// Crossplane before v2 sends them as extra resources, so both fields are
// read.
func request(req *fnv1.RunFunctionRequest) map[string][]*structpb.Struct {
	out := map[string][]*structpb.Struct{}
	for name, rs := range req.GetExtraResources() { //nolint:staticcheck // Older Crossplane sends the deprecated field.
		out[name] = structs(rs)
	}
	for name, rs := range req.GetRequiredResources() {
		out[name] = structs(rs)
	}
	return out
}

func structs(rs *fnv1.Resources) []*structpb.Struct {
	items := make([]*structpb.Struct, 0, len(rs.GetItems()))
	for _, r := range rs.GetItems() {
		items = append(items, r.GetResource())
	}
	return items
}

// matches applies the selector again, because a development render does not
// honour namespaces. It reads the object's identity from the Struct itself,
// so that objects that are not selected are never converted.
func matches(o *structpb.Struct, sel *fnv1.ResourceSelector) bool {
	if sel == nil {
		return false
	}
	f := o.GetFields()
	m := f["metadata"].GetStructValue().GetFields()
	if f["apiVersion"].GetStringValue() != sel.GetApiVersion() || f["kind"].GetStringValue() != sel.GetKind() {
		return false
	}
	if ns := sel.GetNamespace(); sel.Namespace != nil && m["namespace"].GetStringValue() != ns {
		return false
	}
	switch match := sel.GetMatch().(type) {
	case *fnv1.ResourceSelector_MatchName:
		return m["name"].GetStringValue() == match.MatchName
	case *fnv1.ResourceSelector_MatchLabels:
		l := m["labels"].GetStructValue().GetFields()
		for k, v := range match.MatchLabels.GetLabels() {
			if l[k].GetStringValue() != v {
				return false
			}
		}
	}
	return true
}

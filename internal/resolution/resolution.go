package resolution

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/glob"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// Request is everything resolution looks at.
type Request struct {
	Session       *v1alpha1.DebugSession
	Template      *v1alpha1.DebugSessionTemplate
	ClusterConfig *v1alpha1.ClusterConfig // nil when the cluster has none
	Bindings      []v1alpha1.DebugSessionClusterBinding
	Input         *v1beta1.Input
}

// Candidate is a binding that applies to the session's cluster.
type Candidate struct {
	Binding *v1alpha1.DebugSessionClusterBinding

	// MatchedBy names the field that matched the cluster most specifically,
	// for example `clusters[0] "prod-*"` or `clusterSelector`.
	MatchedBy string

	// Specificity of that match.
	Specificity Specificity

	// Admitted reports whether the binding's effective allowlist admits the
	// requester.
	Admitted bool
}

// Result is the effective configuration of a session.
type Result struct {
	// Layers whose settings apply, in order: the template, then the picked
	// binding, then the rest of its additive chain in pick order. Only the
	// template when it applies alone; empty when the session is denied.
	// Every step that layers settings (scheduling, auxiliary resources and
	// their policy) reads them from here.
	Layers []Layer

	// Candidates are the bindings of the template that apply to the cluster,
	// in pick order (priority, specificity, namespace/name), whether or not
	// they admit the requester. They explain the pick.
	Candidates []Candidate

	// Approvers in effect: the highest binding's that sets the block, even
	// empty, else the template's; nil when nobody configured any.
	Approvers *v1alpha1.Approvers

	// Constraints in effect, each field from the highest layer that sets it.
	Constraints v1alpha1.Constraints

	// TargetNamespace of the debug workload and auxiliary resources:
	// binding, else template, else the input's default.
	TargetNamespace string

	// AllowUserNodeSelector permits the session's own nodeSelector. It is
	// true when the highest binding that sets it does; the template alone
	// never allows it.
	AllowUserNodeSelector bool

	// Sources names, by field, the object each effective setting above came
	// from, for example "constraints.maxDuration" → "DebugSessionClusterBinding
	// breakglass-system/prod". Only settings that are set appear.
	Sources map[string]string

	// Warnings about the configuration that did not stop resolution, sorted
	// and without duplicates.
	Warnings []string
}

// Binding returns the binding that was picked, or nil when the template
// applies alone.
func (r *Result) Binding() *v1alpha1.DebugSessionClusterBinding {
	if len(r.Layers) < 2 {
		return nil
	}
	return r.Layers[1].Binding
}

// Bindings returns the bindings that apply, highest first: the picked one
// and its additive chain. Empty when the template applies alone.
func (r *Result) Bindings() []*v1alpha1.DebugSessionClusterBinding {
	if len(r.Layers) < 2 {
		return nil
	}
	out := make([]*v1alpha1.DebugSessionClusterBinding, 0, len(r.Layers)-1)
	for _, l := range r.Layers[1:] {
		out = append(out, l.Binding)
	}
	return out
}

// Resolve resolves the binding and effective settings of a session. It
// prepares only the bindings of the session's template. A session that may
// not have what it asks for gets an *outcome.Error (Denied), together with
// a Result whose Candidates and Warnings explain why.
func Resolve(req Request) (*Result, error) {
	var only *objectKey
	if t := req.Template; t != nil {
		only = &objectKey{t.Namespace, t.Name}
	}
	return newIndex(req.Input, req.Bindings, only).Resolve(req.Session, req.Template, req.ClusterConfig)
}

type objectKey struct{ namespace, name string }

// Index holds bindings prepared for resolution: only trusted, enabled ones,
// grouped by the template they name, with their globs validated and their
// selectors parsed. Build it once to resolve many sessions or clusters; it is
// only read after NewIndex, so it is safe for concurrent use.
type Index struct {
	in         *v1beta1.Input
	byTemplate map[objectKey][]*compiledBinding
}

// NewIndex prepares bindings for resolution. Bindings in namespaces the input
// does not trust are dropped here again, whatever the caller filtered: a
// binding grants access, so only a trusted namespace may hold one. The Index
// refers to bindings, it does not copy them.
func NewIndex(in *v1beta1.Input, bindings []v1alpha1.DebugSessionClusterBinding) *Index {
	return newIndex(in, bindings, nil)
}

// newIndex prepares the bindings of template only, or of every template when
// only is nil.
func newIndex(in *v1beta1.Input, bindings []v1alpha1.DebugSessionClusterBinding, only *objectKey) *Index {
	x := &Index{in: in, byTemplate: map[objectKey][]*compiledBinding{}}
	seen := map[objectKey]bool{}
	// TrustsBindingNamespace rebuilds the namespace list on every call;
	// asking once per namespace keeps preparation linear in bindings.
	trusted := map[string]bool{}
	trusts := func(ns string) bool {
		ok, known := trusted[ns]
		if !known {
			ok = in.TrustsBindingNamespace(ns)
			trusted[ns] = ok
		}
		return ok
	}
	for i := range bindings {
		b := &bindings[i]
		if b.Spec.Disabled || !trusts(b.Namespace) {
			continue
		}
		t := objectKey{b.Spec.TemplateRef.Namespace, b.Spec.TemplateRef.Name}
		if t.namespace == "" {
			t.namespace = b.Namespace
		}
		if only != nil && t != *only {
			continue
		}
		id := objectKey{b.Namespace, b.Name}
		if seen[id] {
			continue
		}
		seen[id] = true
		x.byTemplate[t] = append(x.byTemplate[t], compileBinding(b))
	}
	return x
}

// Resolve resolves the binding and effective settings of a session of
// template t on the session's cluster, whose ClusterConfig is cc (nil when
// the cluster has none). Errors are as Resolve's.
func (x *Index) Resolve(s *v1alpha1.DebugSession, t *v1alpha1.DebugSessionTemplate, cc *v1alpha1.ClusterConfig) (*Result, error) {
	res := &Result{}
	if s == nil || t == nil {
		return res, outcome.New(v1alpha1.StateDenied, "", "", "there is no session or no template to resolve")
	}
	if cc != nil && cc.Name != s.Spec.Cluster {
		// A ClusterConfig of another cluster must not lend its labels to
		// this one.
		cc = nil
	}
	w := newWarnings()
	defer func() { res.Warnings = w.sorted() }()

	tid := t.Describe()
	if a := t.Spec.Allowed; a != nil {
		w.add(invalidPatterns(a.Clusters, tid+" spec.allowed.clusters")...)
		w.add(invalidPatterns(a.Users, tid+" spec.allowed.users")...)
		w.add(invalidPatterns(a.Groups, tid+" spec.allowed.groups")...)
	}

	user, groups := s.Spec.RequestedBy, s.Spec.RequesterGroups
	if strings.TrimSpace(user) == "" {
		return res, outcome.New(v1alpha1.StateDenied, s.Describe(), "spec.requestedBy", "spec.requestedBy is empty: a session must name its requester")
	}
	if s.Spec.Cluster == "" {
		// A wildcard binding would otherwise match the empty name.
		return res, outcome.New(v1alpha1.StateDenied, s.Describe(), "spec.cluster", "spec.cluster is empty: a session must name its cluster")
	}

	cands := x.candidates(s.Spec.Cluster, t, cc, w)
	for i := range cands {
		allowed := t.Spec.Allowed
		if listsAnyone(cands[i].Binding.Spec.Allowed) {
			allowed = cands[i].Binding.Spec.Allowed
		}
		cands[i].Admitted = admits(allowed, user, groups)
		res.Candidates = append(res.Candidates, cands[i].Candidate)
	}

	if len(cands) == 0 {
		if err := x.fallbackDenied(s, t); err != nil {
			return res, err
		}
		x.layer(res, t, nil)
		return res, nil
	}

	picked, err := x.pick(s, t, cands, w)
	if err != nil {
		return res, err
	}
	chain := []*compiledBinding{cands[picked].cb}
	for i := picked + 1; i < len(cands) && chain[len(chain)-1].binding.Spec.MergeMode == v1alpha1.MergeModeAdditive; i++ {
		// The chain follows pick order whether or not a lower binding
		// admits the requester: access was decided by the picked binding,
		// and a lower binding's mandatory constraints must not vanish
		// depending on who asks.
		chain = append(chain, cands[i].cb)
	}
	x.layer(res, t, chain)
	return res, nil
}

// candidate is a Candidate with its compiled binding.
type candidate struct {
	Candidate
	cb *compiledBinding
}

// candidates returns the bindings of template t that apply to cluster, in
// pick order: priority (higher first), specificity (more specific first),
// then namespace and name. Every binding of the template contributes its
// configuration warnings, whether or not it matches.
func (x *Index) candidates(cluster string, t *v1alpha1.DebugSessionTemplate, cc *v1alpha1.ClusterConfig, w *warnings) []candidate {
	var out []candidate
	for _, cb := range x.byTemplate[objectKey{t.Namespace, t.Name}] {
		w.add(cb.warnings...)
		spec, by, ok := cb.match(cluster, cc)
		if !ok {
			continue
		}
		out = append(out, candidate{Candidate: Candidate{Binding: cb.binding, MatchedBy: by, Specificity: spec}, cb: cb})
	}
	sort.SliceStable(out, func(i, j int) bool { return before(out[i], out[j]) })
	return out
}

func before(a, b candidate) bool {
	if pa, pb := a.Binding.Spec.Priority, b.Binding.Spec.Priority; pa != pb {
		return pa > pb
	}
	if c := a.Specificity.Compare(b.Specificity); c != 0 {
		return c > 0
	}
	if a.Binding.Namespace != b.Binding.Namespace {
		return a.Binding.Namespace < b.Binding.Namespace
	}
	return a.Binding.Name < b.Binding.Name
}

// fallbackDenied checks a session that no binding applies to against the
// template alone: the template must allow the cluster and admit the
// requester. It returns why not, or nil.
func (x *Index) fallbackDenied(s *v1alpha1.DebugSession, t *v1alpha1.DebugSessionTemplate) error {
	if ref := s.Spec.BindingRef; ref != nil {
		return outcome.New(v1alpha1.StateDenied, s.Describe(), "spec.bindingRef",
			fmt.Sprintf("spec.bindingRef %s is not a binding of template %s for cluster %s: no binding applies to the cluster", x.bindingRefID(ref), t.Name, s.Spec.Cluster))
	}
	allowed := t.Spec.Allowed
	if allowed == nil || !matchAny(allowed.Clusters, s.Spec.Cluster, glob.Match) {
		return outcome.New(v1alpha1.StateDenied, t.Describe(), "spec.allowed.clusters",
			fmt.Sprintf("template %s does not allow cluster %s and no binding applies to it", t.Name, s.Spec.Cluster))
	}
	if !admits(allowed, s.Spec.RequestedBy, s.Spec.RequesterGroups) {
		return outcome.New(v1alpha1.StateDenied, t.Describe(), "spec.allowed",
			fmt.Sprintf("template %s does not admit %s on cluster %s", t.Name, s.Spec.RequestedBy, s.Spec.Cluster))
	}
	return nil
}

// pick returns the index of the binding that applies among cands, which are
// in pick order and not empty, or why none does.
func (x *Index) pick(s *v1alpha1.DebugSession, t *v1alpha1.DebugSessionTemplate, cands []candidate, w *warnings) (int, error) {
	if ref := s.Spec.BindingRef; ref != nil {
		id := x.bindingRefID(ref)
		for i, c := range cands {
			if c.cb.id != id {
				continue
			}
			if !c.Admitted {
				return -1, outcome.New(v1alpha1.StateDenied, c.Binding.Describe(), "spec.allowed",
					fmt.Sprintf("binding %s (spec.bindingRef) does not admit %s to template %s on cluster %s", id, s.Spec.RequestedBy, t.Name, s.Spec.Cluster))
			}
			return i, nil
		}
		return -1, outcome.New(v1alpha1.StateDenied, s.Describe(), "spec.bindingRef",
			fmt.Sprintf("spec.bindingRef %s is not a binding of template %s for cluster %s", id, t.Name, s.Spec.Cluster))
	}

	first := -1
	for i, c := range cands {
		if c.Admitted {
			first = i
			break
		}
	}
	if first < 0 {
		n := len(cands)
		noun := "bindings apply"
		if n == 1 {
			noun = "binding applies"
		}
		return -1, outcome.New(v1alpha1.StateDenied, s.Describe(), "spec.requestedBy",
			fmt.Sprintf("no binding for cluster %s admits %s (%s) to template %s; %d %s to the cluster", s.Spec.Cluster, s.Spec.RequestedBy, describeGroups(s.Spec.RequesterGroups), t.Name, n, noun))
	}

	// A true tie is still decided, by namespace/name, so resolution is
	// deterministic; but the platform team should make the order explicit.
	tied := []string{cands[first].cb.id}
	for _, c := range cands[first+1:] {
		if c.Admitted && c.Binding.Spec.Priority == cands[first].Binding.Spec.Priority && c.Specificity == cands[first].Specificity {
			tied = append(tied, c.cb.id)
		}
	}
	if len(tied) > 1 {
		w.add(fmt.Sprintf("DebugSessionClusterBindings %s tie for cluster %s (priority %d, %s); using %s, the first by namespace/name: give one a higher priority",
			joinAnd(tied), s.Spec.Cluster, cands[first].Binding.Spec.Priority, cands[first].Specificity, tied[0]))
	}
	return first, nil
}

// bindingRefID returns namespace/name of a session's bindingRef. An empty
// namespace means the input's configNamespace, like the templateRef's.
func (x *Index) bindingRefID(ref *v1alpha1.ObjectReference) string {
	ns := ref.Namespace
	if ns == "" {
		ns = x.in.GetConfigNamespace()
	}
	return ns + "/" + ref.Name
}

func describeGroups(groups []string) string {
	gs := slices.Clone(groups)
	gs = slices.DeleteFunc(gs, func(g string) bool { return g == "" })
	if len(gs) == 0 {
		return "no groups"
	}
	slices.Sort(gs)
	return "groups " + strings.Join(slices.Compact(gs), ", ")
}

// joinAnd joins names as "a, b and c".
func joinAnd(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// warnings collects warning messages without duplicates.
type warnings struct{ seen map[string]bool }

func newWarnings() *warnings { return &warnings{seen: map[string]bool{}} }

func (w *warnings) add(msgs ...string) {
	for _, m := range msgs {
		w.seen[m] = true
	}
}

func (w *warnings) sorted() []string {
	if len(w.seen) == 0 {
		return nil
	}
	out := make([]string, 0, len(w.seen))
	for m := range w.seen {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

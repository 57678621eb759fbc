package resolution

import (
	"fmt"
	"strings"
	"time"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// Request is everything resolution looks at.
type Request struct {
	Session       *v1alpha1.DebugSession
	Template      *v1alpha1.DebugSessionTemplate
	ClusterConfig *v1alpha1.ClusterConfig // nil when the cluster has none
	Bindings      []v1alpha1.DebugSessionClusterBinding
	Input         *v1beta1.Input

	// Now decides which time-bounded bindings exist; zero means the
	// current time.
	Now time.Time
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

	// DisplayName of the template as this session shows it: the highest
	// displayNamePrefix of the applying bindings before the template's
	// display name (or its name), else the template's display name.
	DisplayName string

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

	// UsableSchedulingOptions name the scheduling options in force that the
	// requester may use, in their order. They are kept when the session is
	// denied, like Candidates, so that a tool can offer the choice.
	UsableSchedulingOptions []string

	// RenewalsClosed, when set, says why the session may not be renewed any
	// further: the picked binding's expiresAt has passed and an Active
	// session keeps it only for the time it already has. A renewal is a new
	// grant, which a binding that no longer exists cannot give.
	RenewalsClosed string

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

// PrefixedDisplayName returns DisplayName when a binding's
// displayNamePrefix made it, and false when it is the template's own.
func (r *Result) PrefixedDisplayName() (string, bool) {
	if _, ok := r.Sources[sourceDisplayName]; !ok {
		return "", false
	}
	return r.DisplayName, true
}

// SchedulingOption returns the scheduling option the session uses, or nil.
func (r *Result) SchedulingOption() *v1alpha1.SchedulingOption {
	if n := len(r.Layers); n > 0 {
		return r.Layers[n-1].Option
	}
	return nil
}

// Bindings returns the bindings that apply, highest first: the picked one
// and its additive chain. Empty when the template applies alone.
func (r *Result) Bindings() []*v1alpha1.DebugSessionClusterBinding {
	if len(r.Layers) < 2 {
		return nil
	}
	out := make([]*v1alpha1.DebugSessionClusterBinding, 0, len(r.Layers)-1)
	for _, l := range r.Layers[1:] {
		if l.Binding != nil {
			out = append(out, l.Binding)
		}
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
	x := newIndex(req.Input, req.Bindings, only)
	x.now = req.Now
	return x.Resolve(req.Session, req.Template, req.ClusterConfig)
}

type objectKey struct{ namespace, name string }

// Index holds bindings prepared for resolution: only trusted, enabled ones,
// grouped by the template they name or by the namespace whose templates they
// select, with their globs validated and their selectors parsed. Build it once to resolve many sessions or clusters; it is
// only read after NewIndex, so it is safe for concurrent use.
type Index struct {
	in         *v1beta1.Input
	now        time.Time // zero: the current time, read per Resolve
	byTemplate map[objectKey][]*compiledBinding
	// bySelector holds, by namespace, the bindings that select the
	// templates of their namespace by label.
	bySelector map[string][]*compiledBinding
	// unbound holds, by namespace, the bindings that apply to no template
	// because their templateRef or templateSelector is unusable. Nobody
	// can tell which template they were meant for, so every session of a
	// template in that namespace hears about them.
	unbound map[string][]*compiledBinding
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
	x := &Index{in: in, byTemplate: map[objectKey][]*compiledBinding{}, bySelector: map[string][]*compiledBinding{}, unbound: map[string][]*compiledBinding{}}
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
		id := objectKey{b.Namespace, b.Name}
		if seen[id] {
			continue
		}
		x.add(compileBinding(b), only, func() { seen[id] = true })
	}
	return x
}

// add files a compiled binding under the templates it may apply to, when
// they include template only (every template when only is nil), and calls
// kept when it does.
func (x *Index) add(cb *compiledBinding, only *objectKey, kept func()) {
	m := cb.templates
	switch {
	case m.named:
		if only == nil || m.ref == *only {
			x.byTemplate[m.ref] = append(x.byTemplate[m.ref], cb)
			kept()
		}
	case m.selector != nil:
		if only == nil || only.namespace == m.namespace {
			x.bySelector[m.namespace] = append(x.bySelector[m.namespace], cb)
			kept()
		}
	default:
		ns := cb.binding.Namespace
		if only == nil || only.namespace == ns {
			x.unbound[ns] = append(x.unbound[ns], cb)
			kept()
		}
	}
}

// bindingsOf returns the prepared bindings that apply to template t, the
// named ones first, and adds to w the problems of every binding that does or
// may have been meant to.
func (x *Index) bindingsOf(t *v1alpha1.DebugSessionTemplate, w *warnings) []*compiledBinding {
	named := x.byTemplate[objectKey{t.Namespace, t.Name}]
	out := make([]*compiledBinding, 0, len(named))
	out = append(out, named...)
	for _, cb := range x.bySelector[t.Namespace] {
		if cb.templates.selects(t) {
			out = append(out, cb)
		}
	}
	for _, cb := range out {
		w.add(cb.warnings...)
	}
	for _, cb := range x.unbound[t.Namespace] {
		w.add(cb.warnings...)
	}
	return out
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
		return res, outcome.Denied(s.Describe(), "spec.requestedBy", "is empty: a session must name its requester")
	}
	if s.Spec.Cluster == "" {
		// A wildcard binding would otherwise match the empty name.
		return res, outcome.Denied(s.Describe(), "spec.cluster", "is empty: a session must name its cluster")
	}

	now := x.now
	if now.IsZero() {
		now = time.Now()
	}
	cands := x.candidates(s, t, cc, now, w)
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
		return res, x.finish(res, s, t, cc, nil, w)
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
	if e := cands[picked].Binding.Spec.ExpiresAt; e != nil && !now.Before(e.Time) {
		res.RenewalsClosed = fmt.Sprintf("%s spec.expiresAt passed at %s", cands[picked].Binding.Describe(), e.UTC().Format(time.RFC3339))
	}
	return res, x.finish(res, s, t, cc, chain, w)
}

// finish layers the template and chain, and applies the session's choices
// of scheduling option and namespace. A session denied one keeps only the
// explanation, as any denied session does.
func (x *Index) finish(res *Result, s *v1alpha1.DebugSession, t *v1alpha1.DebugSessionTemplate, cc *v1alpha1.ClusterConfig, chain []*compiledBinding, w *warnings) error {
	opts, nsRules := x.layer(res, t, chain)
	w.add(invalidOptionPatterns(opts)...)
	res.UsableSchedulingOptions = usableOptions(opts, s)
	w.add(nsRules.warnings...)
	err := chooseSchedulingOption(res, opts, s, w)
	if err == nil {
		err = chooseNamespace(res, nsRules, s, cc)
	}
	if err != nil {
		*res = Result{Candidates: res.Candidates, UsableSchedulingOptions: res.UsableSchedulingOptions}
	}
	return err
}

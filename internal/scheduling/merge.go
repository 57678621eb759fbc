// Package scheduling merges the mandatory scheduling constraints of a
// session's template and bindings, applies them to the debug pod spec so
// that nothing in the pod template or the user's request can weaken them,
// enforces denied node name patterns with a ValidatingAdmissionPolicy on the
// target cluster, and describes the result in plain words.
package scheduling

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// MaxNodeSelectorTerms caps the required node affinity. AND-ing selectors
// multiplies their terms, and a pod spec with thousands of terms is slow to
// schedule and hard to read; a configuration that needs more is a mistake.
const MaxNodeSelectorTerms = 128

// A layer is one source of scheduling constraints: the session template's
// or a binding's. Its name appears in errors, so that a platform engineer
// knows which object to fix.
type layer struct {
	// name of the object, for example
	// "DebugSessionClusterBinding breakglass-system/prod-a".
	name        string
	constraints *v1alpha1.SchedulingConstraints
	// object that holds the constraints, when name says more than that.
	object string
	// path of the constraints on the object; constraintsPath when nil.
	path *field.Path
	rank rank
}

func (l layer) obj() string {
	if l.object != "" {
		return l.object
	}
	return l.name
}

func (l layer) at() *field.Path {
	if l.path != nil {
		return l.path
	}
	return constraintsPath
}

// MergeSchedulingConstraints ANDs two sets of constraints of equal rank, as
// two bindings merged in additive mode are: every restriction of both
// holds in the result. A nodeSelector key or topology spread constraint the
// two set differently, or a deniedNodeLabels key they deny different values
// of, is an error. Neither argument is changed. Two nil arguments give nil.
//
// To layer bindings over a session template, whose nodeSelector values and
// topology spread constraints a binding may replace, use Effective.
func MergeSchedulingConstraints(a, b *v1alpha1.SchedulingConstraints) (*v1alpha1.SchedulingConstraints, error) {
	m := newMerger()
	if err := m.add(layer{name: "the first constraints", constraints: a, rank: rankBinding}); err != nil {
		return nil, err
	}
	if err := m.add(layer{name: "the second constraints", constraints: b, rank: rankBinding}); err != nil {
		return nil, err
	}
	return m.result()
}

// origin records which layer set a value, and its rank.
type origin struct {
	name   string
	object string
	rank   rank
}

// replaces reports whether a value from `from` replaces one set by prev.
func (from origin) replaces(prev origin) bool {
	return prev.rank == rankTemplate && from.rank == rankBinding
}

type spreadKey struct {
	topologyKey       string
	whenUnsatisfiable corev1.UnsatisfiableConstraintAction
}

type merger struct {
	out          v1alpha1.SchedulingConstraints
	selectorFrom map[string]origin
	deniedFrom   map[string]string
	spreadFrom   map[spreadKey]origin
}

func newMerger() *merger {
	return &merger{selectorFrom: map[string]origin{}, deniedFrom: map[string]string{}, spreadFrom: map[spreadKey]origin{}}
}

func (m *merger) add(l layer) error {
	if l.constraints == nil {
		return nil
	}
	path := l.at()
	if errs := validate(l.constraints, path); len(errs) > 0 {
		return failed(l.obj(), path.String(), "%s: %v", l.name, errs.ToAggregate())
	}
	c := l.constraints.DeepCopy()
	from := origin{name: l.name, object: l.obj(), rank: l.rank}

	if c.RequiredNodeAffinity != nil {
		have := 0
		if m.out.RequiredNodeAffinity != nil {
			have = len(m.out.RequiredNodeAffinity.NodeSelectorTerms)
		}
		terms, err := and(nodeSelectorTerms(m.out.RequiredNodeAffinity), c.RequiredNodeAffinity.NodeSelectorTerms)
		if err != nil {
			p := path.Child("requiredNodeAffinity", "nodeSelectorTerms")
			return failed(l.obj(), p.String(), "%s: %s: AND-ing its %d terms with the %d terms already in force %v",
				l.name, p, len(c.RequiredNodeAffinity.NodeSelectorTerms), have, err)
		}
		m.out.RequiredNodeAffinity = &corev1.NodeSelector{NodeSelectorTerms: terms}
	}

	for _, k := range sortedKeys(c.NodeSelector) {
		if err := m.addNodeSelector(k, c.NodeSelector[k], from, path); err != nil {
			return err
		}
	}
	for _, k := range sortedKeys(c.DeniedNodeLabels) {
		if err := m.addDeniedLabel(k, c.DeniedNodeLabels[k], from, path); err != nil {
			return err
		}
	}
	m.out.DeniedNodes = append(m.out.DeniedNodes, c.DeniedNodes...)
	m.out.Tolerations = appendUnique(m.out.Tolerations, c.Tolerations, sameToleration)
	m.out.PreferredNodeAffinity = appendUnique(m.out.PreferredNodeAffinity, c.PreferredNodeAffinity, semanticEqual)
	m.out.RequiredPodAntiAffinity = appendUnique(m.out.RequiredPodAntiAffinity, c.RequiredPodAntiAffinity, semanticEqual)
	m.out.PreferredPodAntiAffinity = appendUnique(m.out.PreferredPodAntiAffinity, c.PreferredPodAntiAffinity, semanticEqual)
	for i := range c.TopologySpreadConstraints {
		if err := m.addSpread(c.TopologySpreadConstraints[i], from, path.Child("topologySpreadConstraints").Index(i)); err != nil {
			return err
		}
	}
	return nil
}

func (m *merger) addNodeSelector(k, v string, from origin, path *field.Path) error {
	old, ok := m.out.NodeSelector[k]
	prev := m.selectorFrom[k]
	switch {
	case !ok, old == v && from.rank == rankBinding, from.replaces(prev):
		// A binding replaces the template's value. Once a binding has set
		// the key, it is the binding's: a second binding must agree.
		if m.out.NodeSelector == nil {
			m.out.NodeSelector = map[string]string{}
		}
		m.out.NodeSelector[k] = v
		m.selectorFrom[k] = from
		return nil
	case old == v:
		return nil
	}
	p := path.Child("nodeSelector").Key(k)
	if from.rank == rankOption {
		return failed(from.object, p.String(), "%s: %s requires %q and %s requires %q; a scheduling option adds to the mandatory constraints and cannot change them",
			p, prev.name, old, from.name, v)
	}
	return failed(from.object, p.String(), "%s: %s requires %q and %s requires %q; constraints merged with each other must agree",
		p, prev.name, old, from.name, v)
}

func (m *merger) addDeniedLabel(k, v string, from origin, path *field.Path) error {
	old, ok := m.out.DeniedNodeLabels[k]
	switch {
	case !ok || (v == AnyValue && old != AnyValue):
		// "*" denies every value, so it also covers a single denied value.
		if m.out.DeniedNodeLabels == nil {
			m.out.DeniedNodeLabels = map[string]string{}
		}
		m.out.DeniedNodeLabels[k] = v
		m.deniedFrom[k] = from.name
		return nil
	case old == v || old == AnyValue:
		return nil
	}
	p := path.Child("deniedNodeLabels").Key(k)
	return failed(from.object, p.String(), "%s: %s denies %q and %s denies %q; a key denies one value, or %q for any value",
		p, m.deniedFrom[k], old, from.name, v, AnyValue)
}

// addSpread appends a topology spread constraint. The API server refuses
// two constraints with the same topologyKey and whenUnsatisfiable, so two
// different ones are a conflict rather than something to append.
func (m *merger) addSpread(t corev1.TopologySpreadConstraint, from origin, p *field.Path) error {
	k := spreadKey{topologyKey: t.TopologyKey, whenUnsatisfiable: t.WhenUnsatisfiable}
	at := slices.IndexFunc(m.out.TopologySpreadConstraints, func(o corev1.TopologySpreadConstraint) bool {
		return o.TopologyKey == k.topologyKey && o.WhenUnsatisfiable == k.whenUnsatisfiable
	})
	prev := m.spreadFrom[k]
	switch {
	case at < 0:
		m.out.TopologySpreadConstraints = append(m.out.TopologySpreadConstraints, t)
		m.spreadFrom[k] = from
		return nil
	case equality.Semantic.DeepEqual(m.out.TopologySpreadConstraints[at], t):
		if from.rank == rankBinding {
			m.spreadFrom[k] = from
		}
		return nil
	case from.replaces(prev):
		m.out.TopologySpreadConstraints[at] = t
		m.spreadFrom[k] = from
		return nil
	}
	return failed(from.object, p.String(), "%s: %s and %s set different constraints for topologyKey %q with whenUnsatisfiable %q",
		p, prev.name, from.name, k.topologyKey, k.whenUnsatisfiable)
}

func (m *merger) result() (*v1alpha1.SchedulingConstraints, error) {
	// Denied nodes are a set; sorted, they render the same every time.
	slices.Sort(m.out.DeniedNodes)
	m.out.DeniedNodes = slices.Compact(m.out.DeniedNodes)
	if equality.Semantic.DeepEqual(m.out, v1alpha1.SchedulingConstraints{}) {
		return nil, nil
	}
	if errs := checkSatisfiable(&m.out); len(errs) > 0 {
		return nil, failed("", constraintsPath.String(), "the merged scheduling constraints: %v", errs.ToAggregate())
	}
	out := m.out
	return &out, nil
}

func nodeSelectorTerms(ns *corev1.NodeSelector) []corev1.NodeSelectorTerm {
	if ns == nil {
		return nil
	}
	return ns.NodeSelectorTerms
}

// and returns the conjunction of two ORed lists of terms: every pair of
// terms joined into one. An empty list stands for "no requirement".
func and(a, b []corev1.NodeSelectorTerm) ([]corev1.NodeSelectorTerm, error) {
	switch {
	case len(a) == 0:
		return deepCopyTerms(b), nil
	case len(b) == 0:
		return deepCopyTerms(a), nil
	}
	if n := len(a) * len(b); n > MaxNodeSelectorTerms {
		return nil, fmt.Errorf("gives %d terms, more than the %d allowed", n, MaxNodeSelectorTerms)
	}
	out := make([]corev1.NodeSelectorTerm, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, joinTerms(x, y))
		}
	}
	return out, nil
}

// joinTerms returns a term that holds the requirements of both, without
// repeating one that both hold.
func joinTerms(x, y corev1.NodeSelectorTerm) corev1.NodeSelectorTerm {
	t := *x.DeepCopy()
	y = *y.DeepCopy()
	t.MatchExpressions = appendUnique(t.MatchExpressions, y.MatchExpressions, semanticEqual)
	t.MatchFields = appendUnique(t.MatchFields, y.MatchFields, semanticEqual)
	return t
}

func deepCopyTerms(ts []corev1.NodeSelectorTerm) []corev1.NodeSelectorTerm {
	if len(ts) == 0 {
		return nil
	}
	out := make([]corev1.NodeSelectorTerm, len(ts))
	for i := range ts {
		ts[i].DeepCopyInto(&out[i])
	}
	return out
}

// appendUnique appends the elements of src that dst does not hold yet.
func appendUnique[T any](dst, src []T, same func(a, b T) bool) []T {
	for _, s := range src {
		if !slices.ContainsFunc(dst, func(d T) bool { return same(d, s) }) {
			dst = append(dst, s)
		}
	}
	return dst
}

func semanticEqual[T any](a, b T) bool { return equality.Semantic.DeepEqual(a, b) }

// sameToleration treats an empty operator as Equal, its documented default.
func sameToleration(a, b corev1.Toleration) bool {
	if a.Operator == "" {
		a.Operator = corev1.TolerationOpEqual
	}
	if b.Operator == "" {
		b.Operator = corev1.TolerationOpEqual
	}
	return equality.Semantic.DeepEqual(a, b)
}

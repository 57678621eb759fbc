package scheduling

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
)

// gen makes random constraints, pod specs and user selectors from small
// vocabularies, so that keys collide and conflicts, denials and oversized
// affinities all happen often.
type gen struct{ r *rand.Rand }

var (
	genKeys   = []string{"pool", "zone", "tenant", "node-role.kubernetes.io/control-plane", "gpu", "Bad Key"}
	genValues = []string{"a", "b", "c", ""}
	genNodes  = []string{"node-a", "node-b", "cp-1", "cp-*", "old-node-?", "worker-[0-3]"}
	genOps    = []corev1.NodeSelectorOperator{corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn, corev1.NodeSelectorOpExists, corev1.NodeSelectorOpDoesNotExist}
)

func (g gen) pick(ss []string) string { return ss[g.r.IntN(len(ss))] }

// key rarely returns an invalid label key, to exercise validation.
func (g gen) key() string {
	if g.r.IntN(40) == 0 {
		return "Bad Key"
	}
	return g.pick(genKeys[:len(genKeys)-1])
}

func (g gen) labels(n int) map[string]string {
	if n == 0 {
		return nil
	}
	m := map[string]string{}
	for range g.r.IntN(n + 1) {
		m[g.key()] = g.pick(genValues)
	}
	return m
}

func (g gen) requirement() corev1.NodeSelectorRequirement {
	op := genOps[g.r.IntN(len(genOps))]
	r := corev1.NodeSelectorRequirement{Key: g.key(), Operator: op}
	if op == corev1.NodeSelectorOpIn || op == corev1.NodeSelectorOpNotIn {
		for range 1 + g.r.IntN(2) {
			r.Values = append(r.Values, g.pick(genValues))
		}
	}
	return r
}

func (g gen) term() corev1.NodeSelectorTerm {
	t := corev1.NodeSelectorTerm{}
	if g.r.IntN(60) == 0 {
		return t // Empty terms are invalid in constraints; a few test that.
	}
	for range 1 + g.r.IntN(2) {
		t.MatchExpressions = append(t.MatchExpressions, g.requirement())
	}
	if g.r.IntN(4) == 0 {
		t.MatchFields = append(t.MatchFields, corev1.NodeSelectorRequirement{Key: metav1.ObjectNameField, Operator: corev1.NodeSelectorOpNotIn, Values: []string{g.pick(genNodes[:3])}})
	}
	return t
}

func (g gen) terms(maxN int) []corev1.NodeSelectorTerm {
	ts := make([]corev1.NodeSelectorTerm, 1+g.r.IntN(maxN))
	for i := range ts {
		ts[i] = g.term()
	}
	return ts
}

func (g gen) toleration() corev1.Toleration {
	return corev1.Toleration{Key: g.pick([]string{"dedicated", "gpu"}), Value: g.pick(genValues), Effect: corev1.TaintEffectNoSchedule}
}

func (g gen) spread() corev1.TopologySpreadConstraint {
	return corev1.TopologySpreadConstraint{
		MaxSkew:           int32(1 + g.r.IntN(2)),
		TopologyKey:       g.pick([]string{"kubernetes.io/hostname", "topology.kubernetes.io/zone"}),
		WhenUnsatisfiable: corev1.ScheduleAnyway,
	}
}

func (g gen) constraints() *v1alpha1.SchedulingConstraints {
	if g.r.IntN(5) == 0 {
		return nil
	}
	c := &v1alpha1.SchedulingConstraints{NodeSelector: g.labels(2)}
	if g.r.IntN(2) == 0 {
		c.RequiredNodeAffinity = &corev1.NodeSelector{NodeSelectorTerms: g.terms(4)}
	}
	if g.r.IntN(2) == 0 {
		c.DeniedNodeLabels = map[string]string{}
		for range 1 + g.r.IntN(2) {
			v := g.pick(genValues)
			if g.r.IntN(2) == 0 {
				v = AnyValue
			}
			c.DeniedNodeLabels[g.key()] = v
		}
	}
	for range g.r.IntN(3) {
		c.DeniedNodes = append(c.DeniedNodes, g.pick(genNodes))
	}
	for range g.r.IntN(2) {
		c.Tolerations = append(c.Tolerations, g.toleration())
	}
	for range g.r.IntN(2) {
		c.TopologySpreadConstraints = append(c.TopologySpreadConstraints, g.spread())
	}
	if g.r.IntN(3) == 0 {
		c.PreferredNodeAffinity = []corev1.PreferredSchedulingTerm{{Weight: int32(1 + g.r.IntN(100)), Preference: g.term()}}
	}
	if g.r.IntN(3) == 0 {
		c.RequiredPodAntiAffinity = []corev1.PodAffinityTerm{{TopologyKey: "kubernetes.io/hostname", LabelSelector: &metav1.LabelSelector{MatchLabels: g.labels(1)}}}
	}
	return c
}

func (g gen) podSpec() *corev1.PodSpec {
	s := &corev1.PodSpec{NodeSelector: g.labels(2)}
	if g.r.IntN(2) == 0 {
		ts := g.terms(4)
		if g.r.IntN(6) == 0 {
			ts = append(ts, corev1.NodeSelectorTerm{})
		}
		s.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: ts}}}
	}
	for range g.r.IntN(2) {
		s.Tolerations = append(s.Tolerations, g.toleration())
	}
	for range g.r.IntN(2) {
		s.TopologySpreadConstraints = append(s.TopologySpreadConstraints, g.spread())
	}
	return s
}

func (g gen) user() UserNodeSelector {
	return UserNodeSelector{Session: "team-a/s", NodeSelector: g.labels(2), Allowed: g.r.IntN(3) > 0}
}

// TestMandatoryConstraintsAlwaysPresent is the invariant of the scheduling
// merge: whatever the pod template and the user ask for, every required term,
// denied label, denied node and nodeSelector entry of the effective
// bindings (and of the template, unless a binding replaced it) is in the
// final pod spec — or the session is Denied or Failed. A scheduling option,
// the last layer in half the cases, adds its own constraints and never
// removes any of the template's or the bindings'.
func TestMandatoryConstraintsAlwaysPresent(t *testing.T) {
	g := gen{r: rand.New(rand.NewPCG(20260101, 5))}
	var applied, denials, failures int
	for i := range 4000 {
		tmpl := g.constraints()
		bindings := make([]*v1alpha1.SchedulingConstraints, g.r.IntN(3)+1)
		// The layers as resolution hands them to RunFunction: the template,
		// then the bindings highest first.
		layers := []resolution.Layer{templateLayer(tmpl)}
		for j := range bindings {
			bindings[j] = g.constraints()
			layers = append(layers, bindingLayer(fmt.Sprintf("b%d", j), bindings[j]))
		}
		var option *v1alpha1.SchedulingConstraints
		if g.r.IntN(2) == 0 {
			option = g.constraints()
			layers = append(layers, optionLayer(option))
		}
		spec := g.podSpec()
		user := g.user()
		before := spec.DeepCopy()

		eff, err := Effective(layers)
		if err != nil {
			if outcome.StateOf(err) != v1alpha1.StateFailed {
				t.Fatalf("case %d: merge errors are configuration errors, got %s: %v", i, outcome.StateOf(err), err)
			}
			failures++
			continue
		}
		err = Apply(spec, eff, user)
		if err != nil {
			if !equality.Semantic.DeepEqual(before, spec) {
				t.Fatalf("case %d: a failed Apply changed the pod spec", i)
			}
			switch outcome.StateOf(err) {
			case v1alpha1.StateDenied:
				if user.Check(eff) == nil {
					t.Fatalf("case %d: Denied although the user's selector passes Check: %v", i, err)
				}
				denials++
			default:
				failures++
			}
			continue
		}
		applied++
		var final []corev1.NodeSelectorTerm
		if a := spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
			final = a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
		}
		if len(final) > MaxNodeSelectorTerms {
			t.Fatalf("case %d: %d terms, more than %d", i, len(final), MaxNodeSelectorTerms)
		}
		dump := func() string {
			b, _ := json.Marshal(map[string]any{"template": tmpl, "bindings": bindings, "option": option, "effective": eff, "pod": before, "user": user, "final": spec})
			return string(b)
		}
		// The option is checked like a binding, but is not passed as one:
		// it never replaces a template value, so a template value it also
		// sets must still be there.
		for li, c := range append(append([]*v1alpha1.SchedulingConstraints{tmpl}, bindings...), option) {
			if c == nil {
				continue
			}
			if err := checkPresent(c, li == 0, bindings, final, spec); err != "" {
				t.Fatalf("case %d, layer %d: %s\n%s", i, li, err, dump())
			}
			if _, globs := exactAndGlobs(c.DeniedNodes); len(globs) > 0 {
				na, err := DeniedNodeAdmission(eff, v1beta1.DeniedNodeGlobsAdmissionPolicy, AdmissionTarget{Session: "team-a/s", Workload: "debug-s-12345678", Namespace: "debug"})
				if err != nil || na == nil {
					t.Fatalf("case %d: globs %v are not enforced: %v", i, globs, err)
				}
			}
		}
	}
	// The generator must reach every outcome, or the property proves little.
	if applied < 500 || denials == 0 || failures == 0 {
		t.Errorf("generator too narrow: %d applied, %d denied, %d failed", applied, denials, failures)
	}
	t.Logf("%d applied, %d denied, %d failed", applied, denials, failures)
}

// checkPresent returns what of c is missing from the final pod spec, or "".
func checkPresent(c *v1alpha1.SchedulingConstraints, isTemplate bool, bindings []*v1alpha1.SchedulingConstraints, final []corev1.NodeSelectorTerm, spec *corev1.PodSpec) string {
	if c.RequiredNodeAffinity != nil {
		if len(final) == 0 {
			return "required node affinity missing"
		}
		for _, f := range final {
			if !slices.ContainsFunc(c.RequiredNodeAffinity.NodeSelectorTerms, func(t corev1.NodeSelectorTerm) bool { return termImplies(f, t) }) {
				return "a final term does not imply any required term of the layer"
			}
		}
	}
	for k, v := range c.DeniedNodeLabels {
		for _, f := range final {
			if !slices.ContainsFunc(f.MatchExpressions, func(r corev1.NodeSelectorRequirement) bool {
				return r.Key == k && (r.Operator == corev1.NodeSelectorOpDoesNotExist || (v != AnyValue && r.Operator == corev1.NodeSelectorOpNotIn && slices.Equal(r.Values, []string{v})))
			}) {
				return "denied label " + k + "=" + v + " missing from a term"
			}
		}
		if len(final) == 0 {
			return "denied label " + k + " missing"
		}
	}
	exact, _ := exactAndGlobs(c.DeniedNodes)
	for _, n := range exact {
		if len(final) == 0 {
			return "denied node " + n + " missing"
		}
		for _, f := range final {
			if !slices.ContainsFunc(f.MatchFields, func(r corev1.NodeSelectorRequirement) bool {
				return r.Key == metav1.ObjectNameField && r.Operator == corev1.NodeSelectorOpNotIn && slices.Equal(r.Values, []string{n})
			}) {
				return "denied node " + n + " missing from a term"
			}
		}
	}
	for k, v := range c.NodeSelector {
		if isTemplate && slices.ContainsFunc(bindings, func(b *v1alpha1.SchedulingConstraints) bool {
			if b == nil {
				return false
			}
			_, ok := b.NodeSelector[k]
			return ok
		}) {
			continue // A binding replaced the template's value.
		}
		if spec.NodeSelector[k] != v {
			return "nodeSelector " + k + "=" + v + " missing"
		}
	}
	for _, tol := range c.Tolerations {
		if !slices.ContainsFunc(spec.Tolerations, func(o corev1.Toleration) bool { return sameToleration(o, tol) }) {
			return "toleration missing"
		}
	}
	for _, ts := range c.TopologySpreadConstraints {
		if isTemplate {
			continue // A binding may replace the template's for the same key.
		}
		if !slices.ContainsFunc(spec.TopologySpreadConstraints, func(o corev1.TopologySpreadConstraint) bool { return equality.Semantic.DeepEqual(o, ts) }) {
			return "topology spread constraint missing"
		}
	}
	for _, p := range c.PreferredNodeAffinity {
		if spec.Affinity == nil || spec.Affinity.NodeAffinity == nil ||
			!slices.ContainsFunc(spec.Affinity.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution, func(o corev1.PreferredSchedulingTerm) bool { return equality.Semantic.DeepEqual(o, p) }) {
			return "preferred node affinity missing"
		}
	}
	for _, p := range c.RequiredPodAntiAffinity {
		if spec.Affinity == nil || spec.Affinity.PodAntiAffinity == nil ||
			!slices.ContainsFunc(spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution, func(o corev1.PodAffinityTerm) bool { return equality.Semantic.DeepEqual(o, p) }) {
			return "required pod anti-affinity missing"
		}
	}
	return ""
}

// termImplies reports whether term f holds every requirement of term t,
// so that a node matching f also matches t.
func termImplies(f, t corev1.NodeSelectorTerm) bool {
	has := func(rs []corev1.NodeSelectorRequirement, r corev1.NodeSelectorRequirement) bool {
		return slices.ContainsFunc(rs, func(o corev1.NodeSelectorRequirement) bool { return equality.Semantic.DeepEqual(o, r) })
	}
	for _, r := range t.MatchExpressions {
		if !has(f.MatchExpressions, r) {
			return false
		}
	}
	for _, r := range t.MatchFields {
		if !has(f.MatchFields, r) {
			return false
		}
	}
	return true
}

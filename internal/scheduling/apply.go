package scheduling

import (
	"maps"
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// podAffinityPath is where a pod template's required node affinity lives,
// for messages about it.
var podAffinityPath = field.NewPath("spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution")

// UserNodeSelector is the nodeSelector a user asked for in a DebugSession,
// and whether the binding lets them ask.
type UserNodeSelector struct {
	// Session names the DebugSession in messages, as namespace/name.
	Session string
	// NodeSelector is the session's spec.nodeSelector.
	NodeSelector map[string]string
	// Allowed is the binding's allowUserNodeSelector.
	Allowed bool
}

// object names the session as errors do.
func (u UserNodeSelector) object() string {
	return v1alpha1.DebugSessionKind + " " + u.Session
}

// Check returns a Denied error when the user's nodeSelector may not be
// used: the binding does not allow one, a label is invalid, or it asks for
// nodes the constraints c exclude. A user's selector can only narrow where
// debug pods run, never widen it.
func (u UserNodeSelector) Check(c *v1alpha1.SchedulingConstraints) error {
	if len(u.NodeSelector) == 0 {
		return nil
	}
	p := field.NewPath("spec", "nodeSelector")
	if !u.Allowed {
		return denied(u.object(), p.String(), "DebugSession %s %s: the binding does not allow a user nodeSelector (allowUserNodeSelector is not true); remove it to request this session", u.Session, p)
	}
	if c == nil {
		c = &v1alpha1.SchedulingConstraints{}
	}
	for _, k := range sortedKeys(u.NodeSelector) {
		v := u.NodeSelector[k]
		kp := p.Key(k)
		if errs := validateLabel(k, v, kp); len(errs) > 0 {
			return denied(u.object(), kp.String(), "DebugSession %s: %v", u.Session, errs.ToAggregate())
		}
		if want, ok := c.NodeSelector[k]; ok && want != v {
			return denied(u.object(), kp.String(), "DebugSession %s %s: asks for %q but the mandatory scheduling constraints require %s=%s", u.Session, kp, v, k, want)
		}
		if d, ok := c.DeniedNodeLabels[k]; ok && (d == AnyValue || d == v) {
			return denied(u.object(), kp.String(), "DebugSession %s %s: asks for nodes labelled %s=%s, which the mandatory scheduling constraints deny", u.Session, kp, k, v)
		}
		if ra := c.RequiredNodeAffinity; ra != nil && len(ra.NodeSelectorTerms) > 0 &&
			!slices.ContainsFunc(ra.NodeSelectorTerms, func(t corev1.NodeSelectorTerm) bool { return !contradicts(t, k, v) }) {
			return denied(u.object(), kp.String(), "DebugSession %s %s: asks for nodes labelled %s=%s, which the mandatory required node affinity excludes", u.Session, kp, k, v)
		}
	}
	return nil
}

// contradicts reports whether no node labelled k=v can satisfy term t.
func contradicts(t corev1.NodeSelectorTerm, k, v string) bool {
	for _, r := range t.MatchExpressions {
		if r.Key != k {
			continue
		}
		switch r.Operator {
		case corev1.NodeSelectorOpIn:
			if !slices.Contains(r.Values, v) {
				return true
			}
		case corev1.NodeSelectorOpNotIn:
			if slices.Contains(r.Values, v) {
				return true
			}
		case corev1.NodeSelectorOpDoesNotExist:
			return true
		case corev1.NodeSelectorOpGt, corev1.NodeSelectorOpLt:
			if len(r.Values) != 1 {
				continue
			}
			bound, err := strconv.ParseInt(r.Values[0], 10, 64)
			if err != nil {
				continue
			}
			have, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				// Gt and Lt only match labels whose value is an integer.
				return true
			}
			if (r.Operator == corev1.NodeSelectorOpGt && have <= bound) || (r.Operator == corev1.NodeSelectorOpLt && have >= bound) {
				return true
			}
		case corev1.NodeSelectorOpExists:
		}
	}
	return false
}

// Constrain returns Apply as a workload.Params.Constrain hook, which the
// workload builder runs last.
func Constrain(c *v1alpha1.SchedulingConstraints, u UserNodeSelector) func(*corev1.PodSpec) error {
	return func(spec *corev1.PodSpec) error { return Apply(spec, c, u) }
}

// Apply applies the effective constraints c and the user's nodeSelector to
// a debug pod spec built from a pod template:
//
//   - the required node affinity becomes the pod's ANDed with c's, ANDed
//     with one term that excludes c's denied node labels (DoesNotExist for
//     "*", NotIn for a value, keys sorted) and exact denied node names (one
//     matchFields metadata.name NotIn per name, sorted: the API server
//     allows exactly one value per node field requirement);
//   - the nodeSelector is the pod's, then the user's, then c's: a mandatory
//     value always wins;
//   - tolerations, preferred node affinity and pod anti-affinity are
//     appended without duplicates; a topology spread constraint of c
//     replaces the pod's for the same topologyKey and whenUnsatisfiable.
//
// Glob patterns in deniedNodes cannot be expressed in a pod spec; see
// DeniedNodeAdmission. On error the spec is unchanged; the error is Denied
// when the user's request is at fault, else Failed.
func Apply(spec *corev1.PodSpec, c *v1alpha1.SchedulingConstraints, u UserNodeSelector) error {
	if spec == nil {
		return failed("", "", "there is no pod spec to apply the scheduling constraints to")
	}
	if errs := validate(c, constraintsPath); len(errs) > 0 {
		return failed("", constraintsPath.String(), "the effective scheduling constraints: %v", errs.ToAggregate())
	}
	if err := u.Check(c); err != nil {
		return err
	}
	// Work on copies: the pod spec must not share slices with the
	// constraints, and stays unchanged if anything fails.
	c = c.DeepCopy()
	if c == nil {
		c = &v1alpha1.SchedulingConstraints{}
	}
	out := spec.DeepCopy()

	podTerms, err := podRequiredTerms(out)
	if err != nil {
		return err
	}
	terms, err := and(podTerms, nodeSelectorTerms(c.RequiredNodeAffinity))
	if err == nil {
		var d []corev1.NodeSelectorTerm
		if t := deniedTerm(c); t != nil {
			d = []corev1.NodeSelectorTerm{*t}
		}
		terms, err = and(terms, d)
	}
	if err != nil {
		return failed("", podAffinityPath.Child("nodeSelectorTerms").String(), "the pod template's required node affinity (%d terms) AND-ed with the mandatory one (%d terms) %v",
			len(podTerms), len(nodeSelectorTerms(c.RequiredNodeAffinity)), err)
	}
	if len(terms) > 0 {
		na := nodeAffinity(out)
		if na.RequiredDuringSchedulingIgnoredDuringExecution == nil {
			na.RequiredDuringSchedulingIgnoredDuringExecution = &corev1.NodeSelector{}
		}
		na.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms = terms
	}

	if len(u.NodeSelector)+len(c.NodeSelector) > 0 {
		ns := maps.Clone(out.NodeSelector)
		if ns == nil {
			ns = map[string]string{}
		}
		maps.Copy(ns, u.NodeSelector)
		maps.Copy(ns, c.NodeSelector)
		out.NodeSelector = ns
	}

	out.Tolerations = appendUnique(out.Tolerations, c.Tolerations, sameToleration)
	if len(c.PreferredNodeAffinity) > 0 {
		na := nodeAffinity(out)
		na.PreferredDuringSchedulingIgnoredDuringExecution = appendUnique(na.PreferredDuringSchedulingIgnoredDuringExecution, c.PreferredNodeAffinity, semanticEqual)
	}
	if len(c.RequiredPodAntiAffinity)+len(c.PreferredPodAntiAffinity) > 0 {
		pa := podAntiAffinity(out)
		pa.RequiredDuringSchedulingIgnoredDuringExecution = appendUnique(pa.RequiredDuringSchedulingIgnoredDuringExecution, c.RequiredPodAntiAffinity, semanticEqual)
		pa.PreferredDuringSchedulingIgnoredDuringExecution = appendUnique(pa.PreferredDuringSchedulingIgnoredDuringExecution, c.PreferredPodAntiAffinity, semanticEqual)
	}
	for _, t := range c.TopologySpreadConstraints {
		at := slices.IndexFunc(out.TopologySpreadConstraints, func(o corev1.TopologySpreadConstraint) bool {
			return o.TopologyKey == t.TopologyKey && o.WhenUnsatisfiable == t.WhenUnsatisfiable
		})
		if at >= 0 {
			// The API server refuses two constraints for the same key and
			// action; the mandatory one wins.
			out.TopologySpreadConstraints[at] = t
			continue
		}
		out.TopologySpreadConstraints = append(out.TopologySpreadConstraints, t)
	}

	*spec = *out
	return nil
}

// podRequiredTerms returns the pod template's own required node affinity
// terms. Empty terms match no node, and terms are ORed, so dropping them
// changes nothing, while AND-ing them would turn "no node" into "any node
// the other side allows". A selector with no usable term is an error.
func podRequiredTerms(spec *corev1.PodSpec) ([]corev1.NodeSelectorTerm, error) {
	if spec.Affinity == nil || spec.Affinity.NodeAffinity == nil || spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return nil, nil
	}
	all := spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	terms := slices.DeleteFunc(slices.Clone(all), func(t corev1.NodeSelectorTerm) bool {
		return len(t.MatchExpressions) == 0 && len(t.MatchFields) == 0
	})
	if len(terms) == 0 {
		return nil, failed("", podAffinityPath.Child("nodeSelectorTerms").String(), "the pod template's %s: no term selects any node (a required affinity needs at least one non-empty term)", podAffinityPath.Child("nodeSelectorTerms"))
	}
	return terms, nil
}

// deniedTerm returns the one term that excludes denied node labels and
// exact denied node names, or nil when nothing is denied that way.
func deniedTerm(c *v1alpha1.SchedulingConstraints) *corev1.NodeSelectorTerm {
	exact, _ := exactAndGlobs(c.DeniedNodes)
	if len(c.DeniedNodeLabels) == 0 && len(exact) == 0 {
		return nil
	}
	t := &corev1.NodeSelectorTerm{}
	for _, k := range sortedKeys(c.DeniedNodeLabels) {
		r := corev1.NodeSelectorRequirement{Key: k, Operator: corev1.NodeSelectorOpDoesNotExist}
		if v := c.DeniedNodeLabels[k]; v != AnyValue {
			r = corev1.NodeSelectorRequirement{Key: k, Operator: corev1.NodeSelectorOpNotIn, Values: []string{v}}
		}
		t.MatchExpressions = append(t.MatchExpressions, r)
	}
	for _, n := range exact {
		t.MatchFields = append(t.MatchFields, corev1.NodeSelectorRequirement{Key: metav1.ObjectNameField, Operator: corev1.NodeSelectorOpNotIn, Values: []string{n}})
	}
	return t
}

func nodeAffinity(spec *corev1.PodSpec) *corev1.NodeAffinity {
	if spec.Affinity == nil {
		spec.Affinity = &corev1.Affinity{}
	}
	if spec.Affinity.NodeAffinity == nil {
		spec.Affinity.NodeAffinity = &corev1.NodeAffinity{}
	}
	return spec.Affinity.NodeAffinity
}

func podAntiAffinity(spec *corev1.PodSpec) *corev1.PodAntiAffinity {
	if spec.Affinity == nil {
		spec.Affinity = &corev1.Affinity{}
	}
	if spec.Affinity.PodAntiAffinity == nil {
		spec.Affinity.PodAntiAffinity = &corev1.PodAntiAffinity{}
	}
	return spec.Affinity.PodAntiAffinity
}

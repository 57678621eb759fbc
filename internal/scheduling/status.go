package scheduling

import (
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// controlPlaneLabels mark control-plane nodes; "master" is the name older
// clusters still use.
var controlPlaneLabels = []string{"node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"}

// Status describes in plain words where the debug pods of a session may
// run: under the effective constraints c, the user's nodeSelector u, in a
// workload of the given kind. It returns nil when nothing restricts them.
//
// Node name patterns are enforced by an admission policy, which neither
// the scheduler nor the DaemonSet controller knows about: when there are
// any, the summary says that a Deployment's replicas may stay Pending, or
// that a DaemonSet reports fewer pods than desired, and recommends labels
// or taints for such nodes.
func Status(c *v1alpha1.SchedulingConstraints, u UserNodeSelector, kind v1alpha1.WorkloadType) *v1alpha1.SchedulingStatus {
	if c == nil {
		c = &v1alpha1.SchedulingConstraints{}
	}
	required := map[string]string{}
	if u.Allowed {
		maps.Copy(required, u.NodeSelector)
	}
	maps.Copy(required, c.NodeSelector)
	if len(required) == 0 {
		required = nil
	}
	st := &v1alpha1.SchedulingStatus{
		RequiredNodeLabels: required,
		DeniedNodeLabels:   maps.Clone(c.DeniedNodeLabels),
	}
	exact, globs := exactAndGlobs(c.DeniedNodes)
	if d := append(slices.Clone(exact), globs...); len(d) > 0 {
		slices.Sort(d)
		st.DeniedNodes = d
	}

	var phrases []string
	terms := nodeSelectorTerms(c.RequiredNodeAffinity)
	cpKey, cpExcluded := controlPlaneExcluded(c, terms)
	if cpExcluded {
		phrases = append(phrases, "control-plane nodes excluded, worker nodes only")
	}
	if len(required) > 0 {
		phrases = append(phrases, "only nodes labelled "+labelList(required))
	}
	if p := describeTerms(terms, cpKey); p != "" {
		phrases = append(phrases, "only nodes where "+p)
	}
	var deniedLabels []string
	for _, k := range sortedKeys(c.DeniedNodeLabels) {
		if cpExcluded && k == cpKey {
			continue
		}
		if v := c.DeniedNodeLabels[k]; v != AnyValue {
			deniedLabels = append(deniedLabels, k+"="+v)
			continue
		}
		deniedLabels = append(deniedLabels, k)
	}
	if len(deniedLabels) > 0 {
		phrases = append(phrases, "nodes labelled "+strings.Join(deniedLabels, ", ")+" excluded")
	}
	if len(exact) > 0 {
		phrases = append(phrases, "nodes "+strings.Join(exact, ", ")+" excluded")
	}
	if len(globs) > 0 {
		phrases = append(phrases, "nodes matching "+strings.Join(globs, ", ")+" refused by an admission policy")
	}
	if len(c.Tolerations) > 0 {
		phrases = append(phrases, "tolerates "+describeTolerations(c.Tolerations))
	}

	if len(phrases) == 0 && st.RequiredNodeLabels == nil && st.DeniedNodeLabels == nil && st.DeniedNodes == nil {
		if equalEmpty(c) {
			return nil
		}
		phrases = append(phrases, "no node is excluded; the constraints only add preferences")
	}
	st.Summary = capitalise(strings.Join(phrases, "; "))
	switch {
	case len(globs) == 0:
	case kind == v1alpha1.WorkloadTypeDeployment:
		st.Summary += ". The scheduler is not steered by the admission policy: if the Deployment's node affinity allows a node matching " +
			strings.Join(globs, ", ") + ", it may keep choosing it and leave replicas Pending; label or taint such nodes to keep debug pods off them."
	case kind == v1alpha1.WorkloadTypeJob:
		st.Summary += ". The scheduler is not steered by the admission policy: if the Job's node affinity allows a node matching " +
			strings.Join(globs, ", ") + ", it may keep choosing it and leave the Job's pods Pending; label or taint such nodes to keep debug pods off them."
	default:
		// The DaemonSet controller decides which nodes get a pod from the
		// pod template alone, so it keeps counting a refused node.
		st.Summary += ". The DaemonSet counts nodes matching " + strings.Join(globs, ", ") +
			" as desired but gets no pod on them, so it reports fewer pods than desired; label or taint such nodes to leave them out."
	}
	return st
}

// controlPlaneExcluded reports whether no control-plane node can run debug
// pods: a control-plane label is denied for any value, or every required
// term demands that it be absent.
func controlPlaneExcluded(c *v1alpha1.SchedulingConstraints, terms []corev1.NodeSelectorTerm) (string, bool) {
	for _, k := range controlPlaneLabels {
		if c.DeniedNodeLabels[k] == AnyValue {
			return k, true
		}
	}
	if len(terms) == 0 {
		return "", false
	}
	for _, k := range controlPlaneLabels {
		if !slices.ContainsFunc(terms, func(t corev1.NodeSelectorTerm) bool { return !isAbsent(t, k) }) {
			return k, true
		}
	}
	return "", false
}

func isAbsent(t corev1.NodeSelectorTerm, k string) bool {
	return slices.ContainsFunc(t.MatchExpressions, func(r corev1.NodeSelectorRequirement) bool {
		return r.Key == k && r.Operator == corev1.NodeSelectorOpDoesNotExist
	})
}

// describeTerms renders required node selector terms, leaving out the
// control-plane exclusion that the summary already states.
func describeTerms(terms []corev1.NodeSelectorTerm, cpKey string) string {
	var alts []string
	for _, t := range terms {
		var reqs []string
		for _, r := range t.MatchExpressions {
			if r.Key == cpKey && r.Operator == corev1.NodeSelectorOpDoesNotExist {
				continue
			}
			reqs = append(reqs, describeRequirement(r.Key, r))
		}
		for _, r := range t.MatchFields {
			reqs = append(reqs, describeRequirement("node name", r))
		}
		if len(reqs) == 0 {
			// This term only excludes control-plane nodes, so any worker
			// node satisfies it and the others add nothing.
			return ""
		}
		alt := strings.Join(reqs, " and ")
		if len(terms) > 1 && len(reqs) > 1 {
			alt = "(" + alt + ")"
		}
		alts = append(alts, alt)
	}
	return strings.Join(alts, " or ")
}

func describeRequirement(key string, r corev1.NodeSelectorRequirement) string {
	switch r.Operator {
	case corev1.NodeSelectorOpIn:
		if len(r.Values) == 1 {
			return key + " is " + r.Values[0]
		}
		return key + " is one of " + strings.Join(r.Values, ", ")
	case corev1.NodeSelectorOpNotIn:
		if len(r.Values) == 1 {
			return key + " is not " + r.Values[0]
		}
		return key + " is none of " + strings.Join(r.Values, ", ")
	case corev1.NodeSelectorOpExists:
		return key + " is set"
	case corev1.NodeSelectorOpDoesNotExist:
		return key + " is not set"
	case corev1.NodeSelectorOpGt:
		return key + " > " + strings.Join(r.Values, ", ")
	case corev1.NodeSelectorOpLt:
		return key + " < " + strings.Join(r.Values, ", ")
	}
	return key + " " + string(r.Operator) + " " + strings.Join(r.Values, ", ")
}

func describeTolerations(ts []corev1.Toleration) string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		s := t.Key
		switch {
		case t.Operator == corev1.TolerationOpExists && t.Key == "":
			s = "every taint"
		case t.Value != "":
			s += "=" + t.Value
		}
		if t.Effect != "" {
			s += ":" + string(t.Effect)
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

func labelList(m map[string]string) string {
	out := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, k+"="+m[k])
	}
	return strings.Join(out, ", ")
}

func equalEmpty(c *v1alpha1.SchedulingConstraints) bool {
	return c.RequiredNodeAffinity == nil && len(c.PreferredNodeAffinity) == 0 && len(c.RequiredPodAntiAffinity) == 0 &&
		len(c.PreferredPodAntiAffinity) == 0 && len(c.NodeSelector) == 0 && len(c.Tolerations) == 0 &&
		len(c.TopologySpreadConstraints) == 0 && len(c.DeniedNodes) == 0 && len(c.DeniedNodeLabels) == 0
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

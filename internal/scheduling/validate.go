package scheduling

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/glob"
)

// AnyValue as a deniedNodeLabels value denies every node that has the key.
const AnyValue = "*"

// constraintsPath is where SchedulingConstraints live in both templates and
// bindings.
var constraintsPath = field.NewPath("spec", "schedulingConstraints")

// validate checks what the API server would otherwise reject much later,
// inside a provider-kubernetes Object on the target cluster, and what would
// silently weaken a constraint: label keys and values, node names, glob
// patterns and node selector terms.
func validate(c *v1alpha1.SchedulingConstraints, p *field.Path) field.ErrorList {
	if c == nil {
		return nil
	}
	var errs field.ErrorList
	if c.RequiredNodeAffinity != nil {
		errs = append(errs, validateNodeSelector(c.RequiredNodeAffinity, p.Child("requiredNodeAffinity"))...)
	}
	for _, k := range sortedKeys(c.NodeSelector) {
		errs = append(errs, validateLabel(k, c.NodeSelector[k], p.Child("nodeSelector").Key(k))...)
	}
	for _, k := range sortedKeys(c.DeniedNodeLabels) {
		v := c.DeniedNodeLabels[k]
		fp := p.Child("deniedNodeLabels").Key(k)
		errs = append(errs, invalid(fp, k, "invalid label key: ", validation.IsQualifiedName(k))...)
		if v == AnyValue {
			continue
		}
		errs = append(errs, invalid(fp, v, `invalid label value (use "*" for any value): `, validation.IsValidLabelValue(v))...)
	}
	for i, n := range c.DeniedNodes {
		errs = append(errs, validateDeniedNode(n, p.Child("deniedNodes").Index(i))...)
	}
	return errs
}

func validateLabel(k, v string, p *field.Path) field.ErrorList {
	errs := invalid(p, k, "invalid label key: ", validation.IsQualifiedName(k))
	return append(errs, invalid(p, v, "invalid label value: ", validation.IsValidLabelValue(v))...)
}

// invalid turns the messages of an apimachinery validation function into
// field errors.
func invalid(p *field.Path, v, prefix string, msgs []string) field.ErrorList {
	errs := make(field.ErrorList, 0, len(msgs))
	for _, msg := range msgs {
		errs = append(errs, field.Invalid(p, v, prefix+msg))
	}
	return errs
}

// validateNodeSelector insists on at least one term and no empty term.
// Kubernetes ORs terms and an empty term matches no node, so neither can be
// AND-ed with other terms without changing what it means.
func validateNodeSelector(ns *corev1.NodeSelector, p *field.Path) field.ErrorList {
	tp := p.Child("nodeSelectorTerms")
	if len(ns.NodeSelectorTerms) == 0 {
		return field.ErrorList{field.Required(tp, "at least one term is required")}
	}
	var errs field.ErrorList
	for i, t := range ns.NodeSelectorTerms {
		errs = append(errs, validateTerm(t, tp.Index(i))...)
	}
	return errs
}

func validateTerm(t corev1.NodeSelectorTerm, p *field.Path) field.ErrorList {
	if len(t.MatchExpressions) == 0 && len(t.MatchFields) == 0 {
		return field.ErrorList{field.Invalid(p, "{}", "an empty term matches no node")}
	}
	var errs field.ErrorList
	for i, r := range t.MatchExpressions {
		errs = append(errs, validateExpression(r, p.Child("matchExpressions").Index(i))...)
	}
	for i, r := range t.MatchFields {
		errs = append(errs, validateField(r, p.Child("matchFields").Index(i))...)
	}
	return errs
}

func validateExpression(r corev1.NodeSelectorRequirement, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, invalid(p.Child("key"), r.Key, "invalid label key: ", validation.IsQualifiedName(r.Key))...)
	vp := p.Child("values")
	switch r.Operator {
	case corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn:
		if len(r.Values) == 0 {
			errs = append(errs, field.Required(vp, "at least one value is required with operator "+string(r.Operator)))
		}
		for i, v := range r.Values {
			errs = append(errs, invalid(vp.Index(i), v, "invalid label value: ", validation.IsValidLabelValue(v))...)
		}
	case corev1.NodeSelectorOpExists, corev1.NodeSelectorOpDoesNotExist:
		if len(r.Values) > 0 {
			errs = append(errs, field.Forbidden(vp, "no values are allowed with operator "+string(r.Operator)))
		}
	case corev1.NodeSelectorOpGt, corev1.NodeSelectorOpLt:
		if len(r.Values) != 1 {
			errs = append(errs, field.Required(vp, "exactly one value is required with operator "+string(r.Operator)))
			break
		}
		if _, err := strconv.ParseInt(r.Values[0], 10, 64); err != nil {
			errs = append(errs, field.Invalid(vp.Index(0), r.Values[0], "must be an integer with operator "+string(r.Operator)))
		}
	default:
		errs = append(errs, field.NotSupported(p.Child("operator"), r.Operator, []string{"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"}))
	}
	return errs
}

// validateField mirrors the API server: a node field requirement names
// metadata.name with In or NotIn and exactly one value.
func validateField(r corev1.NodeSelectorRequirement, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if r.Key != metav1.ObjectNameField {
		errs = append(errs, field.NotSupported(p.Child("key"), r.Key, []string{metav1.ObjectNameField}))
	}
	if r.Operator != corev1.NodeSelectorOpIn && r.Operator != corev1.NodeSelectorOpNotIn {
		errs = append(errs, field.NotSupported(p.Child("operator"), r.Operator, []string{"In", "NotIn"}))
	}
	if len(r.Values) != 1 {
		return append(errs, field.Required(p.Child("values"), "exactly one node name is required"))
	}
	errs = append(errs, invalid(p.Child("values").Index(0), r.Values[0], "invalid node name: ", validation.IsDNS1123Subdomain(r.Values[0]))...)
	return errs
}

// validateDeniedNode accepts an exact node name or a glob pattern whose
// literal characters could appear in a node name. A pattern that can never
// match a node is a mistake that would otherwise deny nothing, silently.
func validateDeniedNode(n string, p *field.Path) field.ErrorList {
	if !glob.HasMeta(n) {
		return invalid(p, n, "invalid node name: ", validation.IsDNS1123Subdomain(n))
	}
	if err := glob.Validate(n); err != nil {
		return field.ErrorList{field.Invalid(p, n, err.Error())}
	}
	inClass := false
	for _, r := range n {
		switch {
		case inClass:
			inClass = r != ']'
		case r == '[':
			inClass = true
		case r == '*' || r == '?':
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '.':
		default:
			return field.ErrorList{field.Invalid(p, n, "the pattern can never match a node name: node names hold only lower-case letters, digits, '-' and '.'")}
		}
	}
	return nil
}

// checkSatisfiable reports constraints that no node can meet: a mandatory
// node label that is also denied. Debug pods would stay Pending forever.
func checkSatisfiable(c *v1alpha1.SchedulingConstraints) field.ErrorList {
	if c == nil {
		return nil
	}
	var errs field.ErrorList
	for _, k := range sortedKeys(c.NodeSelector) {
		v := c.NodeSelector[k]
		if d, ok := c.DeniedNodeLabels[k]; ok && (d == AnyValue || d == v) {
			errs = append(errs, field.Invalid(constraintsPath.Child("nodeSelector").Key(k), v,
				"nodes must be labelled "+k+"="+v+" but deniedNodeLabels["+k+"] is "+strconv.Quote(d)+": no node can run debug pods"))
		}
	}
	return errs
}

// sortedKeys returns the keys of m in order: every message and every
// rendered object is deterministic.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// exactAndGlobs splits deniedNodes into exact names and glob patterns, both
// sorted and without duplicates.
func exactAndGlobs(denied []string) (exact, globs []string) {
	for _, n := range denied {
		if glob.HasMeta(n) {
			globs = append(globs, n)
			continue
		}
		exact = append(exact, n)
	}
	slices.Sort(exact)
	slices.Sort(globs)
	return slices.Compact(exact), slices.Compact(globs)
}

// quoteAll quotes each string, for messages.
func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

package v1alpha1

// The types in this file carry the API server's validation rules
// (x-kubernetes-validations) for values that several fields share, so that
// each rule is written once. The function keeps its own checks: objects
// created before a rule existed still reach it.
//
// Every rule is bounded (maxItems, maxLength, maxProperties) because the API
// server refuses a CRD whose rules could cost more than its static budget.
// Rules that cannot be bounded that way (they walk the core/v1 scheduling
// types, whose nested lists carry no maxItems, or label values, which a map
// cannot bound in length) are in the ValidatingAdmissionPolicy of
// example/install/admission-config.yaml, which only has a runtime budget.

// Globs are shell-style patterns as internal/glob accepts them: `*`, `?` and
// `[...]` classes (negated by a leading `!` or `^`, a `]` right after the
// opening is a literal, ranges must not run backwards); a `]` outside a class
// is an error. CEL cannot run the Go matcher, so the rule is a regular
// expression of that grammar; ranges that run backwards (`[z-a]`) are refused
// by the admission policy, and a property test holds both together to
// internal/glob.
// +kubebuilder:validation:MaxItems=64
// +kubebuilder:validation:items:MaxLength=128
// +kubebuilder:validation:XValidation:rule=`self.all(p, p.matches(r'^([^\[\]]|\[([!^](\][^\]]*|[^\]]+)|\][^\]]*|[^\]!^][^\]]*)\])*$'))`,message="every entry must be a glob pattern: `*`, `?` and non-empty `[...]` classes, and no `]` outside a class"
type Globs []string

// LabelSet is a set of Kubernetes labels: every key a qualified name with an
// optional DNS subdomain prefix (here), every value a label value (in the
// admission policy).
// +kubebuilder:validation:MaxProperties=64
// +kubebuilder:validation:XValidation:rule=`self.all(k, !format.qualifiedName().validate(k).hasValue())`,message="every key must be a label key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
type LabelSet map[string]string

// DeniedLabels maps label keys to a denied value, or to "*" for any value.
// +kubebuilder:validation:MaxProperties=64
// +kubebuilder:validation:XValidation:rule=`self.all(k, !format.qualifiedName().validate(k).hasValue())`,message="every key must be a label key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
type DeniedLabels map[string]string

// AuxiliaryResources are auxiliary resources of one source. Their names name
// composed resources, so two with the same name would replace each other.
// +kubebuilder:validation:MaxItems=64
// +kubebuilder:validation:XValidation:rule=`self.all(a, self.exists_one(b, b.name == a.name))`,message="auxiliaryResources must have unique names"
type AuxiliaryResources []AuxiliaryResource

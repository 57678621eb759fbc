package resolution

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/glob"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

const nsField = "spec.namespaceConstraints"

// namespaceRules are the namespace constraints of every layer. Each layer's
// allowed and denied namespaces hold on their own, which is how a binding
// narrows: a namespace must pass the template's and every binding's.
type namespaceRules struct {
	layers []sourcedNamespaces

	// allowUser is the template's allowUserNamespace, unless a binding
	// turned it off (offBy).
	allowUser bool
	offBy     string
	warnings  []string
}

type sourcedNamespaces struct {
	source string
	c      *v1alpha1.NamespaceConstraints
}

// add layers l, the template first and then the bindings from the lowest up.
func (r *namespaceRules) add(l Layer) {
	c := l.namespaceConstraints()
	if c == nil {
		return
	}
	r.layers = append(r.layers, sourcedNamespaces{source: l.Source, c: c})
	if c.AllowUserNamespace == nil {
		return
	}
	switch {
	case l.Template != nil:
		r.allowUser = *c.AllowUserNamespace
	case !*c.AllowUserNamespace:
		r.allowUser, r.offBy = false, l.Source
	case !r.allowUser:
		// A binding that could let users pick namespaces its template
		// does not would widen it.
		r.warnings = append(r.warnings, fmt.Sprintf("%s %s.allowUserNamespace: true is ignored: only the template can let sessions choose their namespace", l.Source, nsField))
	}
}

// chooseNamespace applies the session's spec.targetNamespace and checks the
// namespace in force against every layer's constraints. A namespace the
// session asked for that they refuse is Denied; a configured one is Failed,
// because only the platform team can fix it.
func chooseNamespace(res *Result, r namespaceRules, s *v1alpha1.DebugSession, cc *v1alpha1.ClusterConfig) error {
	state := v1alpha1.StateFailed
	if want := s.Spec.TargetNamespace; want != "" && want != res.TargetNamespace {
		if msgs := validation.IsDNS1123Label(want); len(msgs) > 0 {
			return outcome.Denied(s.Describe(), "spec.targetNamespace", "%q is not a namespace name: %s", want, msgs[0])
		}
		if !r.allowUser {
			why := "no template allows it with " + nsField + ".allowUserNamespace"
			if r.offBy != "" {
				why = r.offBy + " " + nsField + ".allowUserNamespace is false"
			}
			return outcome.Denied(s.Describe(), "spec.targetNamespace", "namespace %q cannot be chosen: %s; sessions run in %q", want, why, res.TargetNamespace)
		}
		res.TargetNamespace, state = want, v1alpha1.StateDenied
		res.Sources["targetNamespace"] = s.Describe()
	}
	ns := res.TargetNamespace
	var nsLabels labels.Set
	known := false
	if cc != nil {
		var l v1alpha1.LabelSet
		l, known = cc.Spec.NamespaceLabels[ns]
		nsLabels = labels.Set(l)
	}
	for _, l := range r.layers {
		if err := checkNamespace(l, ns, nsLabels, known, state); err != nil {
			return err
		}
	}
	return nil
}

func checkNamespace(l sourcedNamespaces, ns string, nsLabels labels.Set, known bool, state v1alpha1.State) error {
	if d := l.c.DeniedNamespaces; d != nil {
		at := nsField + ".deniedNamespaces"
		if len(d.SelectorTerms) > 0 && !known {
			// A deny rule that cannot be evaluated must not let the
			// namespace through.
			return outcome.New(state, l.source, at+".selectorTerms", fmt.Sprintf(
				"%s %s.selectorTerms: cannot tell whether namespace %q is denied: the cluster's ClusterConfig lists no labels for it in spec.namespaceLabels", l.source, at, ns))
		}
		field, hit, err := matchNamespace(d, ns, nsLabels, at)
		if err != nil {
			return outcome.New(v1alpha1.StateFailed, l.source, field, fmt.Sprintf("%s %s: %v", l.source, field, err))
		}
		if hit {
			return outcome.New(state, l.source, field, fmt.Sprintf("%s %s: namespace %q is denied", l.source, field, ns))
		}
	}
	if a := l.c.AllowedNamespaces; a != nil {
		at := nsField + ".allowedNamespaces"
		field, hit, err := matchNamespace(a, ns, nsLabels, at)
		if err != nil {
			return outcome.New(v1alpha1.StateFailed, l.source, field, fmt.Sprintf("%s %s: %v", l.source, field, err))
		}
		if !hit {
			return outcome.New(state, l.source, at, fmt.Sprintf("%s %s: namespace %q is not allowed", l.source, at, ns))
		}
	}
	return nil
}

// matchNamespace reports whether f matches the namespace, and the field
// that matched (or that is broken).
func matchNamespace(f *v1alpha1.NamespaceFilter, ns string, nsLabels labels.Set, at string) (string, bool, error) {
	for i, p := range f.Patterns {
		if ok, _ := glob.Match(p, ns); ok {
			return fmt.Sprintf("%s.patterns[%d]", at, i), true, nil
		}
	}
	for i, t := range f.SelectorTerms {
		field := fmt.Sprintf("%s.selectorTerms[%d]", at, i)
		sel, err := metav1.LabelSelectorAsSelector(&metav1.LabelSelector{MatchLabels: t.MatchLabels, MatchExpressions: t.MatchExpressions})
		if err != nil {
			return field, false, err
		}
		if nsLabels != nil && sel.Matches(nsLabels) {
			return field, true, nil
		}
	}
	return at, false, nil
}

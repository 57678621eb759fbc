package render

import (
	"maps"
	"slices"

	"github.com/Masterminds/sprig/v3"
)

// A rule is the decision on one function name in the functions table, and
// why it was made.
type rule struct {
	decision decision
	why      string
	// guard runs before every call and refuses one whose result would not
	// fit the budget. Functions without one are only charged for their
	// arguments and their result.
	guard guard
	// impl is what templates call instead of sprig's function, or in
	// addition to sprig, for replaced and added functions.
	impl any
}

type decision int

const (
	// keep sprig's function as it is.
	keep decision = iota
	// bound sprig's function with a guard.
	bound
	// replace sprig's or text/template's function with impl.
	replace
	// add impl, which sprig lacks.
	add
	// remove the function: templates cannot call it.
	remove
)

func kept(why string) rule { return rule{decision: keep, why: why} }

func bounded(g guard, why string) rule { return rule{decision: bound, why: why, guard: g} }

func replacedBy(impl any, g guard, why string) rule {
	return rule{decision: replace, why: why, guard: g, impl: impl}
}

func added(impl any, g guard, why string) rule {
	return rule{decision: add, why: why, guard: g, impl: impl}
}

func removed(why string) rule { return rule{decision: remove, why: why} }

// builtinNames are text/template's built-in functions, which the parser must
// know about because this package parses without a text/template.Template.
var builtinNames = []string{
	"and", "call", "html", "index", "slice", "js", "len", "not", "or", "print",
	"printf", "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
}

// baseFuncs returns the functions templates may call, before budgeting: what
// the functions table keeps or bounds of sprig, and what it replaces or adds.
func baseFuncs() map[string]any {
	sprigFuncs := sprig.GenericFuncMap()
	fns := make(map[string]any, len(functions))
	for name, r := range functions {
		switch r.decision {
		case keep, bound:
			// A rule for a function sprig no longer has is stale;
			// TestEverySprigFunctionIsAudited says so.
			if fn, ok := sprigFuncs[name]; ok {
				fns[name] = fn
			}
		case replace, add:
			fns[name] = r.impl
		case remove:
			// Templates cannot call it.
		}
	}
	return fns
}

// parseFuncs holds a placeholder for every name a template may call. The
// parser only checks that names exist; the functions that run are bound to a
// budget per execution.
var parseFuncs = func() map[string]any {
	m := map[string]any{}
	for name := range baseFuncs() {
		m[name] = true
	}
	for _, name := range builtinNames {
		m[name] = true
	}
	return m
}()

// FunctionNames returns the sorted names of the functions templates may
// call, built-ins included. Documentation and tests use it.
func FunctionNames() []string {
	return slices.Sorted(maps.Keys(parseFuncs))
}

package render

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
)

// Error is a render error at a field path of the template, such as
// template.metadata.labels.
type Error struct {
	Path string
	Err  error
}

func (e *Error) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// maxObjectDepth bounds the nesting of a template object.
const maxObjectDepth = 100

// A Renderer renders templates. It caches parsed templates by content, so
// keep one for the life of the process. It is safe for concurrent use.
type Renderer struct {
	limits Limits
	cache  *cache
	conv   *conversions
	// slots are idle slots. Binding the functions of a slot costs about
	// what rendering two resources does, so idle slots are kept here rather
	// than in a sync.Pool, which would drop them at every garbage
	// collection.
	slots chan *slot
}

// An Option configures a Renderer.
type Option func(*Renderer)

// WithLimits replaces DefaultLimits.
func WithLimits(l Limits) Option {
	return func(r *Renderer) { r.limits = l }
}

// WithCacheSize sets how many parsed templates are kept; 0 disables the
// cache.
func WithCacheSize(n int) Option {
	return func(r *Renderer) { r.cache = newCache(n) }
}

// New returns a Renderer.
func New(o ...Option) *Renderer {
	r := &Renderer{limits: DefaultLimits, cache: newCache(defaultCacheSize), conv: newConversions(), slots: make(chan *slot, maxIdleSlots)}
	for _, fn := range o {
		fn(r)
	}
	// One slot is bound now, when the server starts, rather than by its
	// first render, which would otherwise cost a third more.
	r.slots <- newSlot()
	return r
}

// Render renders a template object with v. It writes at most maxOutput
// bytes of template output; beyond that it fails with an error wrapping
// ErrOutputLimit. Errors are *Error values naming the field path.
//
// Render never panics on bad input: a template that misbehaves in any way
// becomes an error.
func (r *Renderer) Render(tmpl runtime.RawExtension, v *Variables, maxOutput int64) (obj map[string]any, err error) {
	raw, err := decodeTemplate(tmpl)
	if err != nil {
		return nil, &Error{Path: "template", Err: err}
	}
	s := r.slot()
	defer r.release(s)
	s.st.b = newBudget(r.limits, maxOutput)
	s.st.conv = r.conv

	w := &walker{r: r, slot: s, dot: newVariables(v)}
	out, err := w.value(raw, &pathElem{key: "template"}, 0)
	if err != nil {
		return nil, err
	}
	obj, _ = out.(map[string]any)
	return obj, nil
}

// pathElem is a field path, built only when an error needs it.
type pathElem struct {
	parent *pathElem
	key    string
	index  int
	isList bool
}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

func (p *pathElem) String() string {
	var parts []string
	for e := p; e != nil; e = e.parent {
		switch {
		case e.isList:
			parts = append(parts, "["+strconv.Itoa(e.index)+"]")
		case e.parent == nil:
			parts = append(parts, e.key)
		case plainKey.MatchString(e.key):
			parts = append(parts, "."+e.key)
		default:
			parts = append(parts, "["+e.key+"]")
		}
	}
	slices.Reverse(parts)
	return strings.Join(parts, "")
}

type walker struct {
	r    *Renderer
	slot *slot
	dot  *variables
}

// value renders every string in v. Dictionaries are walked in key order, so
// the first error reported is the same on every call.
func (w *walker) value(v any, p *pathElem, depth int) (any, error) {
	if depth > maxObjectDepth {
		return nil, &Error{Path: p.String(), Err: fmt.Errorf("the template is nested more than %d levels deep", maxObjectDepth)}
	}
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for _, k := range slices.Sorted(maps.Keys(v)) {
			e, err := w.value(v[k], &pathElem{parent: p, key: k}, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = e
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			r, err := w.value(e, &pathElem{parent: p, index: i, isList: true}, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case string:
		r, err := w.r.renderString(w.slot, v, w.dot)
		if err != nil {
			return nil, &Error{Path: p.String(), Err: err}
		}
		return r, nil
	default:
		return v, nil
	}
}

// renderString renders one string value. A string without an action is
// returned as it is, without parsing.
func (r *Renderer) renderString(s *slot, src string, v *variables) (any, error) {
	if !strings.Contains(src, "{{") {
		return src, nil
	}
	if len(src) > r.limits.MaxTemplateBytes {
		return nil, fmt.Errorf("the template is %d bytes long, more than the %d allowed", len(src), r.limits.MaxTemplateBytes)
	}
	p := r.cache.get(src)
	if p.err != nil {
		return nil, p.err
	}
	var buf strings.Builder
	if err := s.execute(p, &budgetWriter{b: s.st.b, w: &buf, max: r.limits.MaxStringBytes}, v); err != nil {
		return nil, err
	}
	out := buf.String()
	if p.yaml {
		if st, ok := r.conv.structure(out); ok {
			return st, nil
		}
	}
	return out, nil
}

package render

import (
	"fmt"
	"io"
	"text/template"
)

// maxIdleSlots is how many idle slots a Renderer keeps: more than the
// function ever renders at once on a few cores.
const maxIdleSlots = 16

func (r *Renderer) slot() *slot {
	select {
	case s := <-r.slots:
		return s
	default:
		return newSlot()
	}
}

func (r *Renderer) release(s *slot) {
	s.st.b = nil
	s.st.conv = nil
	select {
	case r.slots <- s:
	default:
	}
}

// A slot is a text/template.Template whose functions are bound to one
// budget. Parsed trees are shared by every slot; a slot runs one Render call
// at a time, which is what makes a per-call budget possible without binding
// the functions again for every call.
type slot struct {
	st   *state
	tmpl *template.Template
}

func newSlot() *slot {
	st := &state{}
	fns := map[string]any{}
	for name, fn := range baseFuncs() {
		fns[name] = st.bind(name, fn)
	}
	fns["toYaml"] = st.bind("toYaml", st.toYaml)
	fns[rangeGuardName] = st.rangeGuard
	return &slot{st: st, tmpl: template.New(leafName).Option("missingkey=error").Funcs(fns)}
}

func (s *slot) execute(p *parsed, w io.Writer, v *variables) (err error) {
	// text/template turns panics in functions into errors, but re-panics
	// runtime errors raised outside them; nothing a template does may take
	// the function down.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the template failed: %v", r)
		}
	}()
	s.tmpl.Tree = p.tree
	defer func() { s.tmpl.Tree = nil }()
	// The dot is a value, not a pointer: a template can store $ in a list
	// or dictionary, and fmt prints a pointer there as its address.
	if err := s.tmpl.Execute(w, *v); err != nil {
		return cleanError(err)
	}
	return nil
}

package auxiliary

import (
	"github.com/k8s-breakglass/function-debug-session/internal/memo"
	"github.com/k8s-breakglass/function-debug-session/internal/render"
)

// Bounds of a Memo. A session's rendered objects are a few kilobytes, so
// the bounds hold every session of a large management cluster and cap the
// memory at a few tens of megabytes however many sessions come and go.
const (
	memoEntries = 4096
	memoBytes   = 8 << 20
)

// A Memo remembers rendered auxiliary resources. Rendering is a pure
// function of what renderKey hashes, and Crossplane calls the function for
// an unchanged session on every reconcile, so most renders are repeats.
type Memo struct {
	lru *memo.LRU[*Result]
}

// NewMemo returns an empty Memo.
func NewMemo() *Memo {
	return &Memo{lru: memo.New[*Result](memoEntries, memoBytes)}
}

// Stats returns the memo's counters.
func (m *Memo) Stats() memo.Stats { return m.lru.Stats() }

// Render is Render, remembered. A hit returns a deep copy, so that no caller
// can change what a later call gets. Failures are not remembered: they are
// rare, and each must be counted and reported as it happens.
func (m *Memo) Render(r *render.Renderer, en *Enabled, c Context, p Policy) (*Result, error) {
	if en == nil || m == nil {
		return Render(r, en, c, p)
	}
	k, err := renderKey(en, c, p)
	if err != nil {
		return Render(r, en, c, p)
	}
	if res, ok := m.lru.Get(k); ok {
		return res.copyFor(en), nil
	}
	res, err := Render(r, en, c, p)
	if err != nil {
		return nil, err
	}
	m.lru.Add(k, res.copyFor(nil), 4*res.Bytes+int64(len(res.Resources))*256)
	return res, nil
}

// renderKey hashes everything Render reads: the enabled resources as
// written, the template variables (the session, template, binding and
// cluster fields templates can use, and the expiry), the standard labels
// and annotations set on every object, the target namespace the policy
// checks against, and the policy. Render reads c only through these; a
// change to Render that reads more of c must add it here, which the
// invalidation test in ./fn catches for every input it varies.
func renderKey(en *Enabled, c Context, p Policy) (memo.Key, error) {
	return memo.KeyOf(en.Resources, c.Variables(), c.Labels, c.Annotations, c.TargetNamespace, p)
}

// copyFor returns a deep copy of res whose resources are en's, which are
// equal to the ones res was rendered from. The copy the memo keeps has no
// resources (en is nil): they hold the templates as written, which the
// next call brings again, and would otherwise be most of the memo's size.
// The cost the memo counts is the rendered JSON times four, about what the
// decoded objects take.
func (res *Result) copyFor(en *Enabled) *Result {
	out := &Result{Bytes: res.Bytes, Warnings: append([]string(nil), res.Warnings...), Resources: make([]Rendered, len(res.Resources))}
	for i, r := range res.Resources {
		out.Resources[i] = r
		out.Resources[i].Resource = Resource{}
		if en != nil {
			out.Resources[i].Resource = en.Resources[i]
		}
		if r.Object != nil {
			out.Resources[i].Object = r.Object.DeepCopy()
		}
	}
	return out
}

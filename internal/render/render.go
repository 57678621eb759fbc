// Package render renders the templates of auxiliary resources.
//
// A template is a Kubernetes object written as YAML or JSON in which every
// string value is a Go text/template with sprig functions. Rendering is
// sandboxed and deterministic: templates see only the session's Variables,
// cannot read the environment, the filesystem, the network, the clock or a
// random source, and every loop, allocation and output byte is bounded by
// Limits. The same template and variables always give the same object.
package render

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"text/template/parse"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// Variables are what a template sees as its dot. Field names are those of
// the design: `.Session.Name`, `.TargetNamespace`, `.Labels` and so on.
type Variables struct {
	Session         SessionVariables
	TargetNamespace string
	// Labels are the session's standard labels, the same as on its pods.
	Labels map[string]string
	// Annotations are the session's standard annotations.
	Annotations map[string]string
	Template    TemplateVariables
	Binding     BindingVariables
	Cluster     ClusterVariables
}

// SessionVariables describe the DebugSession.
type SessionVariables struct {
	Name        string
	Namespace   string
	Cluster     string
	RequestedBy string
	Reason      string
	// ExpiresAt is RFC 3339, or empty before the session is active.
	ExpiresAt string
}

// TemplateVariables describe the DebugSessionTemplate.
type TemplateVariables struct {
	Name        string
	Namespace   string
	DisplayName string
}

// BindingVariables describe the binding that applies; empty when the
// template applies alone.
type BindingVariables struct {
	Name      string
	Namespace string
}

// ClusterVariables describe the target cluster, from its ClusterConfig.
type ClusterVariables struct {
	Name        string
	Labels      map[string]string
	Environment string
	Location    string
}

// variables are what templates see as their dot. Its dictionaries hold `any` so that sprig's
// dictionary functions (keys, pick, merge, hasKey…) accept them, and they are
// never nil, so `{{ .Annotations | toYaml }}` gives `{}` rather than `null`.
type variables struct {
	Session         SessionVariables
	TargetNamespace string
	Labels          map[string]any
	Annotations     map[string]any
	Template        TemplateVariables
	Binding         BindingVariables
	Cluster         clusterDot
}

type clusterDot struct {
	Name        string
	Labels      map[string]any
	Environment string
	Location    string
}

func newVariables(v *Variables) *variables {
	if v == nil {
		v = &Variables{}
	}
	return &variables{
		Session:         v.Session,
		TargetNamespace: v.TargetNamespace,
		Labels:          anyMap(v.Labels),
		Annotations:     anyMap(v.Annotations),
		Template:        v.Template,
		Binding:         v.Binding,
		Cluster: clusterDot{
			Name:        v.Cluster.Name,
			Labels:      anyMap(v.Cluster.Labels),
			Environment: v.Cluster.Environment,
			Location:    v.Cluster.Location,
		},
	}
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Error is a render error at a field path of the template, such as
// template.metadata.labels.
type Error struct {
	Path string
	Err  error
}

func (e *Error) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

const (
	// defaultCacheSize is the number of parsed templates kept. A parsed
	// template is a few kilobytes; templates are re-rendered on every
	// reconcile of every session, so most renders hit the cache.
	defaultCacheSize = 1024
	// maxObjectDepth bounds the nesting of a template object.
	maxObjectDepth = 100
	// maxErrorLength keeps a failing template (say, `fail` with a huge
	// message) from flooding the session status.
	maxErrorLength = 1024
	// rangeGuardName is the function that counts range iterations. It is
	// spelled like the keyword so that templates cannot call it themselves.
	rangeGuardName = "range"
	leafName       = "leaf"
	// maxIdleSlots is how many idle slots a Renderer keeps: more than the
	// function ever renders at once on a few cores.
	maxIdleSlots = 16
)

// A Renderer renders templates. It caches parsed templates by content, so
// keep one for the life of the process. It is safe for concurrent use.
type Renderer struct {
	limits Limits
	cache  *cache
	// slots are idle slots. Binding the functions of a slot costs a few
	// milliseconds, so idle slots are kept here rather than in a sync.Pool,
	// which would drop them at every garbage collection.
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
	r := &Renderer{limits: DefaultLimits, cache: newCache(defaultCacheSize), slots: make(chan *slot, maxIdleSlots)}
	for _, fn := range o {
		fn(r)
	}
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

	w := &walker{r: r, slot: s, dot: newVariables(v)}
	out, err := w.value(raw, &pathElem{key: "template"}, 0)
	if err != nil {
		return nil, err
	}
	obj, _ = out.(map[string]any)
	return obj, nil
}

// decodeTemplate reads a template as a JSON object, with integers as int64
// like every other unstructured Kubernetes object.
func decodeTemplate(t runtime.RawExtension) (map[string]any, error) {
	b := t.Raw
	if len(b) == 0 && t.Object != nil {
		var err error
		if b, err = json.Marshal(t.Object); err != nil {
			return nil, fmt.Errorf("cannot read the template: %w", err)
		}
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errors.New("the template is empty")
	}
	v, err := decodeYAML(b)
	if err != nil {
		return nil, fmt.Errorf("cannot read the template: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("the template must be an object")
	}
	return m, nil
}

// decodeYAML reads YAML or JSON. JSON, which is how the API server stores a
// template, is read directly: it is valid YAML, but the YAML round trip
// costs more than the whole render.
func decodeYAML(b []byte) (any, error) {
	j := b
	if t := bytes.TrimSpace(b); len(t) == 0 || (t[0] != '{' && t[0] != '[') || !json.Valid(t) {
		var err error
		if j, err = yaml.YAMLToJSON(b); err != nil {
			return nil, err
		}
	}
	d := json.NewDecoder(bytes.NewReader(j))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return numbers(v), nil
}

// numbers turns json.Number into int64 or float64.
func numbers(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = numbers(e)
		}
	case []any:
		for i, e := range v {
			v[i] = numbers(e)
		}
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	}
	return v
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
		if st, ok := structure(out); ok {
			return st, nil
		}
	}
	return out, nil
}

// structure reads the output of a single YAML-producing action. Only a map
// or a list replaces the string; anything else stays a string, because a
// scalar's type would otherwise depend on what a variable happens to hold.
func structure(out string) (any, bool) {
	v, err := decodeYAML([]byte(out))
	if err != nil {
		return nil, false
	}
	switch v.(type) {
	case map[string]any, []any:
		if depthOf(v, 0) > maxObjectDepth {
			return nil, false
		}
		return v, true
	}
	return nil, false
}

func depthOf(v any, d int) int {
	if d > maxObjectDepth {
		return d
	}
	m := d
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			m = max(m, depthOf(e, d+1))
		}
	case []any:
		for _, e := range v {
			m = max(m, depthOf(e, d+1))
		}
	}
	return m
}

// budgetWriter counts the output of one string against the budget of the
// Render call, and against the longest string a template may produce.
type budgetWriter struct {
	b   *budget
	w   io.Writer
	n   int
	max int
}

func (w *budgetWriter) Write(p []byte) (int, error) {
	if w.n+len(p) > w.max {
		return 0, &errBudget{msg: fmt.Sprintf("the template produces more than the %d bytes allowed for one string", w.max)}
	}
	if err := w.b.write(len(p)); err != nil {
		return 0, err
	}
	w.n += len(p)
	return w.w.Write(p)
}

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
	if err := s.tmpl.Execute(w, v); err != nil {
		return cleanError(err)
	}
	return nil
}

// parsed is a cached template.
type parsed struct {
	tree *parse.Tree
	// yaml is true when the template is a single action ending in a
	// function that produces YAML or JSON: its output is read back as
	// structure.
	yaml bool
	err  error
}

func parseTemplate(src string) *parsed {
	trees, err := parse.Parse(leafName, src, "", "", parseFuncs)
	if err != nil {
		return &parsed{err: cleanError(err)}
	}
	tree := trees[leafName]
	if len(trees) != 1 || tree == nil {
		return &parsed{err: errors.New("{{define}} and {{block}} are not supported: every string is a template of its own")}
	}
	if err := instrument(tree, tree.Root); err != nil {
		return &parsed{err: err}
	}
	return &parsed{tree: tree, yaml: yamlAction(tree.Root)}
}

// instrument refuses {{template}} and makes every range loop pass its value
// through rangeGuard first. Without {{template}} nothing recurses, and with
// the guard no loop runs longer than the budget allows.
func instrument(t *parse.Tree, n parse.Node) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := instrument(t, c); err != nil {
				return err
			}
		}
	case *parse.TemplateNode:
		return fmt.Errorf("{{template %q}} is not supported: every string is a template of its own", n.Name)
	case *parse.IfNode:
		return instrumentBranch(t, &n.BranchNode)
	case *parse.WithNode:
		return instrumentBranch(t, &n.BranchNode)
	case *parse.RangeNode:
		if err := instrumentBranch(t, &n.BranchNode); err != nil {
			return err
		}
		cost := countNodes(n.List)
		pos := n.Pipe.Pos
		guard := &parse.CommandNode{NodeType: parse.NodeCommand, Pos: pos, Args: []parse.Node{
			parse.NewIdentifier(rangeGuardName).SetTree(t).SetPos(pos),
			&parse.NumberNode{NodeType: parse.NodeNumber, Pos: pos, IsInt: true, Int64: int64(cost), Text: strconv.Itoa(cost)},
		}}
		n.Pipe.Cmds = append(n.Pipe.Cmds, guard)
	}
	return nil
}

func instrumentBranch(t *parse.Tree, b *parse.BranchNode) error {
	if err := instrument(t, b.List); err != nil {
		return err
	}
	return instrument(t, b.ElseList)
}

// countNodes is the number of nodes a loop body runs per iteration, at most.
func countNodes(n parse.Node) int {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return 0
		}
		c := 1
		for _, e := range n.Nodes {
			c += countNodes(e)
		}
		return c
	case *parse.IfNode:
		return countBranch(&n.BranchNode)
	case *parse.WithNode:
		return countBranch(&n.BranchNode)
	case *parse.RangeNode:
		return countBranch(&n.BranchNode)
	case *parse.ActionNode:
		return 1 + countPipe(n.Pipe)
	default:
		return 1
	}
}

func countBranch(b *parse.BranchNode) int {
	return 1 + countPipe(b.Pipe) + countNodes(b.List) + countNodes(b.ElseList)
}

func countPipe(p *parse.PipeNode) int {
	if p == nil {
		return 0
	}
	c := 1
	for _, cmd := range p.Cmds {
		c += 1 + len(cmd.Args)
	}
	return c
}

// yamlAction reports whether a template is one action, with nothing around
// it but whitespace, ending in a function that produces YAML or JSON. Only
// such a template becomes structure: a plain `{{ .Session.Reason }}` must
// stay a string even when the reason reads "INC-1: db down", which YAML
// would take for a map.
func yamlAction(root *parse.ListNode) bool {
	var action *parse.ActionNode
	for _, n := range root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			if len(bytes.TrimSpace(n.Text)) > 0 {
				return false
			}
		case *parse.ActionNode:
			if action != nil {
				return false
			}
			action = n
		default:
			return false
		}
	}
	if action == nil || len(action.Pipe.Decl) > 0 || len(action.Pipe.Cmds) == 0 {
		return false
	}
	last := action.Pipe.Cmds[len(action.Pipe.Cmds)-1]
	id, ok := last.Args[0].(*parse.IdentifierNode)
	return ok && yamlProducers[id.Ident]
}

var errorPrefix = regexp.MustCompile(`^template: ` + leafName + `:(\d+)(?::(\d+))?: (?:executing "` + leafName + `" )?`)

// cleanError rewrites text/template's error prefix, which names an internal
// template, into a line and column, and shortens very long messages.
func cleanError(err error) error {
	msg := err.Error()
	if m := errorPrefix.FindStringSubmatch(msg); m != nil {
		where := "line " + m[1]
		if m[2] != "" {
			where += ", column " + m[2]
		}
		msg = where + ": " + msg[len(m[0]):]
	}
	if len(msg) > maxErrorLength {
		msg = msg[:maxErrorLength] + "…"
	}
	var lim *errBudget
	switch {
	case errors.Is(err, ErrOutputLimit):
		return fmt.Errorf("%w: %s", ErrOutputLimit, strings.TrimPrefix(msg, ErrOutputLimit.Error()+": "))
	case errors.As(err, &lim):
		return &errBudget{msg: msg}
	}
	return errors.New(msg)
}

// cache is a bounded, concurrency-safe LRU of parsed templates keyed by the
// SHA-256 of their text. Parse failures are cached too, so a broken template
// costs one parse, not one per reconcile.
type cache struct {
	mu     sync.Mutex
	max    int
	ll     *list.List
	m      map[[sha256.Size]byte]*list.Element
	hits   uint64
	misses uint64
}

type cacheEntry struct {
	key [sha256.Size]byte
	p   *parsed
}

func newCache(n int) *cache {
	return &cache{max: n, ll: list.New(), m: map[[sha256.Size]byte]*list.Element{}}
}

func (c *cache) get(src string) *parsed {
	key := sha256.Sum256([]byte(src))
	c.mu.Lock()
	if e, ok := c.m[key]; ok {
		c.ll.MoveToFront(e)
		c.hits++
		c.mu.Unlock()
		return e.Value.(*cacheEntry).p
	}
	c.misses++
	c.mu.Unlock()

	// Parse outside the lock; two callers may parse the same text at once,
	// which costs a little and is harmless.
	p := parseTemplate(src)
	if c.max <= 0 {
		return p
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*cacheEntry).p
	}
	c.m[key] = c.ll.PushFront(&cacheEntry{key: key, p: p})
	for c.ll.Len() > c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.m, old.Value.(*cacheEntry).key)
	}
	return p
}

// stats returns the cache's hits, misses and size, for tests.
func (c *cache) stats() (hits, misses uint64, size int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses, c.ll.Len()
}

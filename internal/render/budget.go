package render

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"strings"
	"unicode/utf8"
)

// Limits bound what one Render call may cost. Templates come from platform
// configuration, not from requesters, but a mistake in one must not take the
// function down: every loop, every allocation and every byte of output is
// counted against these limits, and exceeding one is an error, never a hang.
type Limits struct {
	// MaxTemplateBytes is the longest string value that is parsed as a
	// template.
	MaxTemplateBytes int
	// MaxStringBytes is the longest string a template function may produce.
	MaxStringBytes int
	// MaxIterations is the number of range iterations a Render call may run,
	// over all its templates.
	MaxIterations int
	// MaxWork is the number of work units a Render call may use: roughly one
	// per byte a function reads or produces, plus a fixed cost per function
	// call and per template node run in a loop.
	MaxWork int64
	// MaxDepth is how deeply values and templates may nest.
	MaxDepth int
}

// DefaultLimits are generous for any real Kubernetes object and small enough
// that the worst template costs well under a second.
var DefaultLimits = Limits{
	MaxTemplateBytes: 64 << 10,
	MaxStringBytes:   1 << 20,
	MaxIterations:    10000,
	MaxWork:          8 << 20,
	MaxDepth:         64,
}

const (
	// callCost is charged for every function call, so that a long chain of
	// cheap calls in a loop is bounded too.
	callCost = 16
	// nodeCost is charged per template node run in a loop iteration.
	nodeCost = 32
	// elemCost is the size charged for each element of a list or dictionary
	// and for each scalar, on top of the bytes of its strings.
	elemCost = 16
	// serialiseFactor bounds how much larger than its input a YAML or JSON
	// document can be: escapes and indentation.
	serialiseFactor = 16
)

// ErrOutputLimit is returned, wrapped, when a Render call would produce more
// output than its caller allowed.
var ErrOutputLimit = errors.New("rendered output exceeds its limit")

// ErrLimit is returned, wrapped, when a template exceeds one of its Limits:
// too many loop iterations, too much work, too long a string, too deep a
// value.
var ErrLimit = errors.New("the template exceeds a limit")

// errBudget is the error of a template that exceeds a limit.
type errBudget struct{ msg string }

func (e *errBudget) Error() string { return e.msg }

// Is makes errors.Is(err, ErrLimit) true.
func (e *errBudget) Is(target error) bool { return target == ErrLimit }

// budget is the running cost of one Render call.
type budget struct {
	limits     Limits
	work       int64
	iterations int
	output     int64
	maxOutput  int64
	// sizes remembers the size of every list and dictionary seen, by
	// identity, so that a value shared many times is measured once. Holding
	// the value keeps its memory from being reused by another value while
	// the budget lives.
	sizes map[sizeKey]sizeEntry
}

type sizeKey struct {
	typ reflect.Type
	ptr uintptr
	len int
}

type sizeEntry struct {
	keep   any
	size   int64
	height int
}

func newBudget(l Limits, maxOutput int64) *budget {
	return &budget{limits: l, maxOutput: maxOutput, sizes: map[sizeKey]sizeEntry{}}
}

func (b *budget) remaining() int64 { return b.limits.MaxWork - b.work }

// charge spends n work units.
func (b *budget) charge(n int64) error {
	if n < 0 || n > b.remaining() {
		b.work = b.limits.MaxWork
		return &errBudget{msg: fmt.Sprintf("the template does more work than the limit of %d units allows; loops or data are too large", b.limits.MaxWork)}
	}
	b.work += n
	return nil
}

// reserve checks, before a function allocates, that what it is about to
// produce fits the remaining budget. It spends nothing: the result is
// charged when it exists.
func (b *budget) reserve(what string, n int64) error {
	if n < 0 || n > b.remaining() {
		return &errBudget{msg: fmt.Sprintf("%s would cost %s work units, more than the %d left of the template's limit", what, units(n), b.remaining())}
	}
	return nil
}

// units prints a cost, which saturates instead of overflowing.
func units(n int64) string {
	if n < 0 || n == math.MaxInt64 {
		return "more than 9223372036854775806"
	}
	return fmt.Sprint(n)
}

// iterate spends the cost of a range loop of n iterations over a body of
// the given number of nodes.
func (b *budget) iterate(n int64, nodes int) error {
	if n > int64(b.limits.MaxIterations-b.iterations) {
		return &errBudget{msg: fmt.Sprintf("range over %d elements exceeds the limit of %d loop iterations per object", n, b.limits.MaxIterations)}
	}
	b.iterations += int(n)
	return b.charge(mulSat(n, int64(nodes)*nodeCost+1))
}

// write counts output bytes.
func (b *budget) write(n int) error {
	if b.output+int64(n) > b.maxOutput {
		return fmt.Errorf("%w: more than %d bytes", ErrOutputLimit, b.maxOutput)
	}
	b.output += int64(n)
	return nil
}

// sizeOf measures a value: the bytes of its strings plus elemCost per
// element, counting a shared list or dictionary each time it appears, which
// is what printing it costs. It fails for values nested more deeply than
// MaxDepth, which printing or serialising would recurse through.
func (b *budget) sizeOf(v reflect.Value) (int64, error) {
	size, _, err := b.measure(v, 0)
	return size, err
}

func (b *budget) measure(v reflect.Value, depth int) (int64, int, error) {
	if depth > b.limits.MaxDepth {
		return 0, 0, b.tooDeep()
	}
	for v.IsValid() && (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) {
		if v.IsNil() {
			return elemCost, 0, nil
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		return elemCost, 0, nil
	}
	switch v.Kind() {
	case reflect.String:
		return int64(v.Len()) + elemCost, 0, nil
	case reflect.Map, reflect.Slice:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return int64(v.Len()) + elemCost, 0, nil
		}
		key := sizeKey{typ: v.Type(), ptr: v.Pointer(), len: v.Len()}
		e, ok := b.sizes[key]
		if !ok {
			size, height, err := b.measureElems(v, depth)
			if err != nil {
				return 0, 0, err
			}
			e = sizeEntry{size: size, height: height}
			if v.CanInterface() {
				e.keep = v.Interface()
				b.sizes[key] = e
			}
		}
		// A remembered value may sit deeper in this one than where it was
		// first measured.
		if depth+e.height > b.limits.MaxDepth {
			return 0, 0, b.tooDeep()
		}
		return e.size, e.height, nil
	case reflect.Array, reflect.Struct:
		return b.measureElems(v, depth)
	default:
		return elemCost, 0, nil
	}
}

func (b *budget) tooDeep() error {
	return &errBudget{msg: fmt.Sprintf("a value is nested more than %d levels deep", b.limits.MaxDepth)}
}

func (b *budget) measureElems(v reflect.Value, depth int) (int64, int, error) {
	size, height := int64(elemCost), 0
	add := func(e reflect.Value) error {
		s, h, err := b.measure(e, depth+1)
		if err != nil {
			return err
		}
		size = addSat(size, s)
		height = max(height, h+1)
		return nil
	}
	switch v.Kind() {
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if err := add(it.Key()); err != nil {
				return 0, 0, err
			}
			if err := add(it.Value()); err != nil {
				return 0, 0, err
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if err := add(v.Field(i)); err != nil {
				return 0, 0, err
			}
		}
	default:
		for i := range v.Len() {
			if err := add(v.Index(i)); err != nil {
				return 0, 0, err
			}
		}
	}
	return size, height, nil
}

// state is what the functions of one slot see: the budget of the Render
// call that currently holds the slot.
type state struct {
	b *budget
}

var (
	errorType    = reflect.TypeFor[error]()
	nilError     = reflect.Zero(errorType)
	precheckFunc = map[string]func(b *budget, args []reflect.Value) error{
		"repeat":                     checkRepeat,
		"indent":                     checkIndent,
		"nindent":                    checkIndent,
		"replace":                    checkReplace,
		"wrapWith":                   checkWrapWith,
		"join":                       checkJoin,
		"until":                      checkUntil,
		"untilStep":                  checkUntilStep,
		"seq":                        checkSeq,
		"uniq":                       checkQuadratic,
		"mustUniq":                   checkQuadratic,
		"without":                    checkQuadratic,
		"mustWithout":                checkQuadratic,
		"chunk":                      checkChunk,
		"mustChunk":                  checkChunk,
		"regexReplaceAll":            checkRegexReplace(false),
		"mustRegexReplaceAll":        checkRegexReplace(false),
		"regexReplaceAllLiteral":     checkRegexReplace(true),
		"mustRegexReplaceAllLiteral": checkRegexReplace(true),
		"printf":                     checkPrintf,
		"toYaml":                     checkSerialise,
		"toJson":                     checkSerialise,
		"mustToJson":                 checkSerialise,
		"toPrettyJson":               checkSerialise,
		"mustToPrettyJson":           checkSerialise,
		"toRawJson":                  checkSerialise,
		"mustToRawJson":              checkSerialise,
	}
)

// bind returns fn with its cost counted: every call is charged for its
// arguments before it runs and for its result after; functions that can
// allocate far more than they read check the size of what they would make
// first. The result has the signature of fn plus an error result, which is
// how text/template lets a function fail.
func (st *state) bind(name string, fn any) any {
	fv := reflect.ValueOf(fn)
	ft := fv.Type()
	hasErr := ft.NumOut() == 2
	bt := ft
	if !hasErr {
		in := make([]reflect.Type, ft.NumIn())
		for i := range in {
			in[i] = ft.In(i)
		}
		bt = reflect.FuncOf(in, []reflect.Type{ft.Out(0), errorType}, ft.IsVariadic())
	}
	pre := precheckFunc[name]
	zero := reflect.Zero(ft.Out(0))
	return reflect.MakeFunc(bt, func(args []reflect.Value) []reflect.Value {
		b := st.b
		fail := func(err error) []reflect.Value { return []reflect.Value{zero, reflect.ValueOf(&err).Elem()} }
		cost := int64(callCost)
		for _, a := range args {
			s, err := b.sizeOf(a)
			if err != nil {
				return fail(err)
			}
			cost = addSat(cost, s)
		}
		if err := b.charge(cost); err != nil {
			return fail(err)
		}
		if pre != nil {
			if err := pre(b, args); err != nil {
				return fail(err)
			}
		}
		var out []reflect.Value
		if ft.IsVariadic() {
			out = fv.CallSlice(args)
		} else {
			out = fv.Call(args)
		}
		if hasErr && !out[1].IsNil() {
			return out
		}
		if err := b.chargeResult(out[0]); err != nil {
			return fail(err)
		}
		return []reflect.Value{out[0], nilError}
	}).Interface()
}

func (b *budget) chargeResult(v reflect.Value) error {
	if v.Kind() == reflect.String && v.Len() > b.limits.MaxStringBytes {
		return &errBudget{msg: fmt.Sprintf("a function produced a string of %d bytes, more than the %d allowed", v.Len(), b.limits.MaxStringBytes)}
	}
	s, err := b.sizeOf(v)
	if err != nil {
		return err
	}
	return b.charge(s)
}

// makeString checks a string a function is about to build.
func (b *budget) makeString(what string, n int64) error {
	if n < 0 || n > int64(b.limits.MaxStringBytes) {
		return &errBudget{msg: fmt.Sprintf("%s would make a string of %s bytes, more than the %d allowed", what, units(n), b.limits.MaxStringBytes)}
	}
	return b.reserve(what, n)
}

// makeList checks a list a function is about to build.
func (b *budget) makeList(what string, n uint64) error {
	if n > math.MaxInt32 || int(n) > b.limits.MaxIterations {
		return &errBudget{msg: fmt.Sprintf("%s would make a list of %d elements, more than the %d allowed", what, n, b.limits.MaxIterations)}
	}
	return b.reserve(what, int64(n)*elemCost)
}

func checkRepeat(b *budget, args []reflect.Value) error {
	count, s := args[0].Int(), args[1].String()
	if count < 0 {
		return fmt.Errorf("repeat %d: the count must not be negative", count)
	}
	return b.makeString(fmt.Sprintf("repeat %d", count), mulSat(count, int64(len(s))))
}

func checkIndent(b *budget, args []reflect.Value) error {
	spaces, s := args[0].Int(), args[1].String()
	if spaces < 0 {
		return fmt.Errorf("indent %d: the number of spaces must not be negative", spaces)
	}
	lines := int64(strings.Count(s, "\n")) + 1
	return b.makeString(fmt.Sprintf("indent %d", spaces), addSat(int64(len(s))+1, mulSat(spaces, lines)))
}

func checkReplace(b *budget, args []reflect.Value) error {
	old, repl, src := args[0].String(), args[1].String(), args[2].String()
	n := int64(strings.Count(src, old))
	if old == "" {
		n = int64(utf8.RuneCountInString(src)) + 1
	}
	return b.makeString("replace", addSat(int64(len(src)), mulSat(n, int64(len(repl)))))
}

func checkWrapWith(b *budget, args []reflect.Value) error {
	sep, s := args[1].String(), args[2].String()
	return b.makeString("wrapWith", addSat(int64(len(s)), mulSat(int64(len(s))+1, int64(len(sep)))))
}

func checkJoin(b *budget, args []reflect.Value) error {
	sep := args[0].String()
	list := indirect(args[1])
	n := int64(1)
	if list.Kind() == reflect.Slice || list.Kind() == reflect.Array {
		n = int64(list.Len())
	}
	size, err := b.sizeOf(list)
	if err != nil {
		return err
	}
	return b.makeString("join", addSat(size, mulSat(n, int64(len(sep)))))
}

func checkUntil(b *budget, args []reflect.Value) error {
	n := args[0].Int()
	return b.makeList(fmt.Sprintf("until %d", n), absInt(n))
}

func checkUntilStep(b *budget, args []reflect.Value) error {
	start, stop, step := args[0].Int(), args[1].Int(), args[2].Int()
	return b.makeList(fmt.Sprintf("untilStep %d %d %d", start, stop, step), stepCount(start, stop, step))
}

// checkSeq bounds seq, which joins its numbers into a string, so both the
// count and the string length are checked.
func checkSeq(b *budget, args []reflect.Value) error {
	params := args[0]
	var n uint64
	switch params.Len() {
	case 1:
		n = absDiff(1, params.Index(0).Int()) + 1
	case 2:
		n = absDiff(params.Index(0).Int(), params.Index(1).Int()) + 1
	case 3:
		start, step, end := params.Index(0).Int(), params.Index(1).Int(), params.Index(2).Int()
		if step != 0 {
			n = absDiff(start, end)/absInt(step) + 1
		}
	}
	if err := b.makeList("seq", n); err != nil {
		return err
	}
	// Every number is at most 20 characters and a separator.
	return b.makeString("seq", mulSat(int64(n), 21))
}

// checkQuadratic bounds uniq and without, which compare every element with
// every other.
func checkQuadratic(b *budget, args []reflect.Value) error {
	n := int64(1)
	if l := indirect(args[0]); l.Kind() == reflect.Slice || l.Kind() == reflect.Array {
		n = int64(l.Len())
	}
	m := n
	if len(args) > 1 {
		m = int64(args[1].Len())
	}
	return b.reserve("comparing every element of a list", mulSat(n, m))
}

func checkChunk(_ *budget, args []reflect.Value) error {
	if size := args[0].Int(); size < 1 {
		return fmt.Errorf("chunk %d: the size must be at least 1", size)
	}
	return nil
}

// checkRegexReplace bounds a regular expression replacement: there are at
// most len(s)+1 matches, and an expanded replacement repeats at most the
// whole input once per reference.
func checkRegexReplace(literal bool) func(*budget, []reflect.Value) error {
	return func(b *budget, args []reflect.Value) error {
		s, repl := args[1].String(), args[2].String()
		per := int64(len(repl))
		if !literal {
			per = addSat(per, mulSat(int64(strings.Count(repl, "$")), int64(len(s))))
		}
		return b.makeString("regexReplaceAll", addSat(int64(len(s)), mulSat(int64(len(s))+1, per)))
	}
}

// checkPrintf refuses widths and precisions that would pad a value to an
// arbitrary size, and widths taken from arguments, which cannot be checked
// before formatting.
func checkPrintf(_ *budget, args []reflect.Value) error {
	const maxWidth = 1024
	format := args[0].String()
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		for i++; i < len(format) && format[i] != '%'; i++ {
			c := format[i]
			if c == '*' {
				return fmt.Errorf("printf %q: widths and precisions from arguments (*) are not supported", format)
			}
			if c < '0' || c > '9' {
				if strings.IndexByte("+-# .[]", c) < 0 {
					break // The verb.
				}
				continue
			}
			n := 0
			for ; i < len(format) && format[i] >= '0' && format[i] <= '9'; i++ {
				n = n*10 + int(format[i]-'0')
				if n > maxWidth {
					return fmt.Errorf("printf %q: widths and precisions above %d are not supported", format, maxWidth)
				}
			}
			i--
		}
	}
	return nil
}

func checkSerialise(b *budget, args []reflect.Value) error {
	size, err := b.sizeOf(args[0])
	if err != nil {
		return err
	}
	return b.reserve("serialising a value", mulSat(size, serialiseFactor))
}

func indirect(v reflect.Value) reflect.Value {
	for v.IsValid() && (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && !v.IsNil() {
		v = v.Elem()
	}
	return v
}

// stepCount is how many numbers untilStep makes, computed without the loop
// (and without overflow) so that a huge range is refused before it exists.
func stepCount(start, stop, step int64) uint64 {
	switch {
	case step > 0 && start < stop:
		d, s := absDiff(start, stop), uint64(step)
		return d/s + min(d%s, 1)
	case step < 0 && start > stop:
		d, s := absDiff(start, stop), absInt(step)
		return d/s + min(d%s, 1)
	default:
		return 0
	}
}

// absDiff is |a-b|, which may not fit an int64. The conversions keep the
// bits, and the unsigned difference of two's complement values is exact.
func absDiff(a, b int64) uint64 {
	if a > b {
		return uint64(a) - uint64(b) //nolint:gosec // Wrapping is the point; see above.
	}
	return uint64(b) - uint64(a) //nolint:gosec // Wrapping is the point; see above.
}

// absInt is |n|, which for math.MinInt64 does not fit an int64.
func absInt(n int64) uint64 {
	return absDiff(n, 0)
}

func addSat(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func mulSat(a, b int64) int64 {
	if a < 0 || b < 0 {
		return math.MaxInt64
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(lo)
}

// rangeGuard runs before every range loop, with the number of nodes in the
// loop's body, and charges the loop's cost before it starts.
func (st *state) rangeGuard(nodes int, v any) (any, error) {
	rv := indirect(reflect.ValueOf(v))
	var n int64
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n = max(rv.Int(), 0)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n = int64(min(rv.Uint(), math.MaxInt64))
	case reflect.Slice, reflect.Array, reflect.Map:
		n = int64(rv.Len())
	case reflect.Invalid:
		return v, nil
	default:
		return nil, fmt.Errorf("range over a %s is not supported", rv.Type())
	}
	if err := st.b.iterate(n, nodes); err != nil {
		return nil, err
	}
	return v, nil
}

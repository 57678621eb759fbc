package render

import (
	"fmt"
	"io"
	"math"
	"math/bits"
	"reflect"
)

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

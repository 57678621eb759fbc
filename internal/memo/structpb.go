package memo

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"sync"

	"google.golang.org/protobuf/types/known/structpb"
)

// StructKey is the SHA-256 of a Struct's content, prefixed by kind. It walks
// the Struct instead of marshalling it deterministically, which sorts map
// keys by reflection and costs several times more. Every value is written
// with a type tag and every string with its length, so that different
// Structs never write the same bytes.
func StructKey(kind string, s *structpb.Struct) Key {
	w := newKeyWriter()
	defer w.free()
	w.string(kind)
	w.structpb(s)
	return w.sum()
}

// A keyWriter collects what a key hashes in one buffer and hashes it once:
// many small writes to a SHA-256 digest cost more than the copying.
type keyWriter struct {
	buf    []byte
	fields []field
}

// field is a Struct's field, sorted by name with its value so that no
// second lookup is needed.
type field struct {
	name  string
	value *structpb.Value
}

var keyWriters = sync.Pool{New: func() any { return &keyWriter{buf: make([]byte, 0, 16<<10)} }}

func newKeyWriter() *keyWriter { return keyWriters.Get().(*keyWriter) }

// free returns the writer to the pool; a writer grown by a huge request is
// dropped instead, so that the pool never pins it.
func (w *keyWriter) free() {
	if cap(w.buf) > 1<<20 {
		return
	}
	w.buf, w.fields = w.buf[:0], w.fields[:0]
	keyWriters.Put(w)
}

func (w *keyWriter) sum() Key { return sha256.Sum256(w.buf) }

func (w *keyWriter) structpb(s *structpb.Struct) {
	// Fields are sorted in a shared slice, each struct's after its
	// parent's, so that a walk allocates nothing once the slice has grown.
	start := len(w.fields)
	for k, v := range s.GetFields() {
		w.fields = append(w.fields, field{k, v})
	}
	fields := w.fields[start:]
	slices.SortFunc(fields, func(a, b field) int { return strings.Compare(a.name, b.name) })
	w.uint('s', uint64(len(fields)))
	for i := range fields {
		f := w.fields[start+i]
		w.string(f.name)
		w.value(f.value)
	}
	w.fields = w.fields[:start]
}

func (w *keyWriter) value(v *structpb.Value) {
	switch k := v.GetKind().(type) {
	case *structpb.Value_StringValue:
		w.string(k.StringValue)
	case *structpb.Value_NumberValue:
		w.uint('n', math.Float64bits(k.NumberValue))
	case *structpb.Value_BoolValue:
		b := uint64(0)
		if k.BoolValue {
			b = 1
		}
		w.uint('b', b)
	case *structpb.Value_StructValue:
		w.structpb(k.StructValue)
	case *structpb.Value_ListValue:
		vs := k.ListValue.GetValues()
		w.uint('l', uint64(len(vs)))
		for _, e := range vs {
			w.value(e)
		}
	default:
		// Null, and a Value with no kind, which AsMap reads as null too.
		w.uint('0', 0)
	}
}

func (w *keyWriter) uint(tag byte, n uint64) {
	w.buf = append(w.buf, tag)
	w.buf = binary.LittleEndian.AppendUint64(w.buf, n)
}

func (w *keyWriter) string(s string) {
	w.uint('x', uint64(len(s)))
	w.buf = append(w.buf, s...)
}

package memo

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"math"
	"slices"

	"google.golang.org/protobuf/types/known/structpb"
)

// StructKey is the SHA-256 of a Struct's content, prefixed by kind. It walks
// the Struct instead of marshalling it deterministically, which sorts map
// keys by reflection and costs several times more. Every value is written
// with a type tag and every string with its length, so that different
// Structs never write the same bytes.
func StructKey(kind string, s *structpb.Struct) Key {
	h := sha256.New()
	writeString(h, kind)
	writeStruct(h, s)
	var k Key
	h.Sum(k[:0])
	return k
}

func writeStruct(h hash.Hash, s *structpb.Struct) {
	f := s.GetFields()
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	writeUint(h, 's', uint64(len(keys)))
	for _, k := range keys {
		writeString(h, k)
		writeValue(h, f[k])
	}
}

func writeValue(h hash.Hash, v *structpb.Value) {
	switch k := v.GetKind().(type) {
	case *structpb.Value_StringValue:
		writeString(h, k.StringValue)
	case *structpb.Value_NumberValue:
		writeUint(h, 'n', math.Float64bits(k.NumberValue))
	case *structpb.Value_BoolValue:
		b := uint64(0)
		if k.BoolValue {
			b = 1
		}
		writeUint(h, 'b', b)
	case *structpb.Value_StructValue:
		writeStruct(h, k.StructValue)
	case *structpb.Value_ListValue:
		vs := k.ListValue.GetValues()
		writeUint(h, 'l', uint64(len(vs)))
		for _, e := range vs {
			writeValue(h, e)
		}
	default:
		// Null, and a Value with no kind, which AsMap reads as null too.
		writeUint(h, '0', 0)
	}
}

func writeUint(h hash.Hash, tag byte, n uint64) {
	var b [9]byte
	b[0] = tag
	binary.LittleEndian.PutUint64(b[1:], n)
	h.Write(b[:])
}

func writeString(h hash.Hash, s string) {
	writeUint(h, 'x', uint64(len(s)))
	h.Write([]byte(s))
}

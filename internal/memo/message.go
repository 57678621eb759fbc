package memo

import (
	"cmp"
	"encoding/binary"
	"math"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"
)

// MessageKey is the SHA-256 of a message's whole content, prefixed by kind:
// every populated field, known or unknown, so that a field a later SDK adds
// is covered without a change here. Structs take StructKey's walk, which is
// most of a RunFunctionRequest; the rest is walked by reflection, fields in
// declaration order and map entries by key, so that equal messages have
// equal keys whatever order their maps were filled in. It also returns the
// number of bytes it hashed, which measures the message's size for a cache
// bound without another walk.
func MessageKey(kind string, m proto.Message) (Key, int) {
	w := newKeyWriter()
	defer w.free()
	w.string(kind)
	w.message(m.ProtoReflect())
	return w.sum(), len(w.buf)
}

func (w *keyWriter) message(m protoreflect.Message) {
	if !m.IsValid() {
		w.uint('m', 0)
		return
	}
	if s, ok := m.Interface().(*structpb.Struct); ok {
		w.structpb(s)
		return
	}
	fields := m.Descriptor().Fields()
	w.uint('m', 1)
	for i := range fields.Len() {
		fd := fields.Get(i)
		if !m.Has(fd) {
			continue
		}
		w.int('f', int64(fd.Number()))
		v := m.Get(fd)
		switch {
		case fd.IsList():
			l := v.List()
			w.int('l', int64(l.Len()))
			for j := range l.Len() {
				w.singular(fd, l.Get(j))
			}
		case fd.IsMap():
			w.protoMap(fd, v.Map())
		default:
			w.singular(fd, v)
		}
	}
	u := m.GetUnknown()
	w.uint('u', uint64(len(u)))
	w.buf = append(w.buf, u...)
}

func (w *keyWriter) protoMap(fd protoreflect.FieldDescriptor, mp protoreflect.Map) {
	keys := make([]protoreflect.MapKey, 0, mp.Len())
	mp.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
		keys = append(keys, k)
		return true
	})
	slices.SortFunc(keys, compareMapKeys)
	w.uint('p', uint64(len(keys)))
	for _, k := range keys {
		w.singular(fd.MapKey(), k.Value())
		w.singular(fd.MapValue(), mp.Get(k))
	}
}

// compareMapKeys orders map keys of one kind: strings, integers or bools.
func compareMapKeys(a, b protoreflect.MapKey) int {
	switch a.Interface().(type) {
	case string:
		return strings.Compare(a.String(), b.String())
	case bool:
		return boolInt(a.Bool()) - boolInt(b.Bool())
	case int32, int64:
		return cmp.Compare(a.Int(), b.Int())
	default:
		return cmp.Compare(a.Uint(), b.Uint())
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (w *keyWriter) singular(fd protoreflect.FieldDescriptor, v protoreflect.Value) {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		w.message(v.Message())
	case protoreflect.StringKind:
		w.string(v.String())
	case protoreflect.BytesKind:
		w.uint('y', uint64(len(v.Bytes())))
		w.buf = append(w.buf, v.Bytes()...)
	case protoreflect.BoolKind:
		w.int('b', int64(boolInt(v.Bool())))
	case protoreflect.EnumKind:
		w.int('e', int64(v.Enum()))
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		w.uint('n', math.Float64bits(v.Float()))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		w.int('i', v.Int())
	default:
		w.uint('u', v.Uint())
	}
}

// int writes a signed number, tagged; the varint is self-delimiting.
func (w *keyWriter) int(tag byte, n int64) {
	w.buf = append(w.buf, tag)
	w.buf = binary.AppendVarint(w.buf, n)
}

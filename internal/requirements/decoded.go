package requirements

import (
	"reflect"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/k8s-breakglass/function-debug-session/internal/memo"
)

// decoded remembers typed objects by their type and the SHA-256 of the
// deterministic protobuf encoding of the Struct they were decoded from.
// Crossplane sends the same bindings, templates and other sessions on
// every call, twice per call (fetch loads both rounds), and converting a
// Struct to JSON and decoding that into typed values costs several times
// the encoding that finds the key. Only successes are kept: a broken
// object fails on every call, with its message. The cost bound counts
// JSON bytes, about a third of a decoded object's size, so the cache holds
// at most about 30 MiB however many objects come and go.
var decoded = memo.New[any](16384, 8<<20)

// Forget empties the decoded cache, for benchmarks that measure a cold call.
func Forget() { decoded.Purge() }

// decodedKey is the cache key of o as a T, found once per Loader: fetch
// loads the same request twice, and hashing is most of what a remembered
// object costs.
func decodedKey[T any](l *Loader, o *structpb.Struct) memo.Key {
	id := loaded{o: o, t: reflect.TypeFor[T]()}
	if k, ok := l.keys[id]; ok {
		return k
	}
	k := memo.StructKey(id.t.String(), o)
	l.keys[id] = k
	return k
}

// loaded is a Struct of a Loader's request, decoded as type t.
type loaded struct {
	o *structpb.Struct
	t reflect.Type
}

// decodedBefore returns a deep copy of the object decoded before under k,
// so that no caller can change what a later call gets.
func decodedBefore[T any, P object[T]](k memo.Key) (*T, bool) {
	v, ok := decoded.Get(k)
	if !ok {
		return nil, false
	}
	out, ok := P(v.(*T)).DeepCopyObject().(P)
	return (*T)(out), ok
}

// remember keeps a deep copy of o under k.
func remember[T any, P object[T]](k memo.Key, o *T, cost int64) {
	if c, ok := P(o).DeepCopyObject().(P); ok {
		decoded.Add(k, (*T)(c), cost)
	}
}

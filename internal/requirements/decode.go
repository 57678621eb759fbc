package requirements

import (
	"encoding/json"
	"fmt"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// object is satisfied by pointers to the API types.
type object[T any] interface {
	*T
	runtime.Object
}

// decode reads an object through JSON rather than the unstructured
// converter, because JSON errors name the offending field
// ("spec.replicas of type int32"), which is what a platform engineer needs.
// An object decoded before from the same Struct is copied from the decoded
// cache instead (see decoded.go).
func decode[T any, P object[T]](l *Loader, o *structpb.Struct) (*T, error) {
	k := decodedKey[T](l, o)
	if out, ok := decodedBefore[T, P](k); ok {
		return out, nil
	}
	u := &unstructured.Unstructured{Object: o.AsMap()}
	out := new(T)
	raw, err := json.Marshal(u.Object)
	if err == nil {
		err = json.Unmarshal(raw, out)
	}
	if err != nil {
		return nil, outcome.New(v1alpha1.StateFailed, v1alpha1.Describe(u.GetKind(), u.GetNamespace(), u.GetName()), "",
			fmt.Sprintf("cannot read %s %s: %s", u.GetKind(), namespacedName(u), outcome.Decoding(err)))
	}
	remember[T, P](k, out, int64(len(raw)))
	return out, nil
}

func one[T any, P object[T]](l *Loader, items []*structpb.Struct, sel *fnv1.ResourceSelector) (*T, error) {
	for _, o := range items {
		if !matches(o, sel) {
			continue
		}
		return decode[T, P](l, o)
	}
	return nil, nil
}

func all[T any, P object[T]](l *Loader, items []*structpb.Struct, sel *fnv1.ResourceSelector) ([]T, error) {
	out := make([]T, 0, len(items))
	for _, o := range items {
		if !matches(o, sel) {
			continue
		}
		t, err := decode[T, P](l, o)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, nil
}

func namespacedName(u *unstructured.Unstructured) string {
	if u.GetNamespace() == "" {
		return u.GetName()
	}
	return fmt.Sprintf("%s/%s", u.GetNamespace(), u.GetName())
}

type meta interface {
	GetNamespace() string
	GetName() string
}

func less(a, b meta) bool {
	if a.GetNamespace() != b.GetNamespace() {
		return a.GetNamespace() < b.GetNamespace()
	}
	return a.GetName() < b.GetName()
}

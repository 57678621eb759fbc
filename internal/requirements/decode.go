package requirements

import (
	"encoding/json"
	"fmt"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
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
func decode[T any, P object[T]](u *unstructured.Unstructured) (*T, error) {
	out := new(T)
	raw, err := json.Marshal(u.Object)
	if err == nil {
		err = json.Unmarshal(raw, out)
	}
	if err != nil {
		return nil, outcome.New(v1alpha1.StateFailed, v1alpha1.Describe(u.GetKind(), u.GetNamespace(), u.GetName()), "",
			fmt.Sprintf("cannot read %s %s: %s", u.GetKind(), namespacedName(u), outcome.Decoding(err)))
	}
	return out, nil
}

func one[T any, P object[T]](items []resource.Required, sel *fnv1.ResourceSelector) (*T, error) {
	for _, r := range items {
		if !matches(r.Resource, sel) {
			continue
		}
		return decode[T, P](r.Resource)
	}
	return nil, nil
}

func all[T any, P object[T]](items []resource.Required, sel *fnv1.ResourceSelector) ([]T, error) {
	out := make([]T, 0, len(items))
	for _, r := range items {
		if !matches(r.Resource, sel) {
			continue
		}
		o, err := decode[T, P](r.Resource)
		if err != nil {
			return nil, err
		}
		out = append(out, *o)
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

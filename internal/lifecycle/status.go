package lifecycle

import (
	"maps"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// WriteStatus sets the function's status fields on the desired composite
// resource. Fields the function does not own are left alone.
func WriteStatus(xr *resource.Composite, st *v1alpha1.DebugSessionStatus) error {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(st)
	if err != nil {
		return errors.Wrap(err, "cannot convert the session status")
	}
	// Setting each field through its path converts it to JSON and back, a
	// tenth of a session's first call. The converter's values are already
	// what the JSON would hold, except for what JSON cannot hold as it is
	// (strings that are not UTF-8, infinite numbers) and a status that is
	// not an object; those take the path, which cleans or refuses them.
	status, ok := xr.Resource.Object["status"].(map[string]any)
	if xr.Resource.Object == nil || (!ok && xr.Resource.Object["status"] != nil) || !plainJSON(m) {
		return setEach(xr, m)
	}
	if status == nil {
		status = make(map[string]any, len(m))
		xr.Resource.Object["status"] = status
	}
	for k, v := range m {
		status[k] = v
	}
	return nil
}

// setEach sets the fields in order, so that a refusal names the same field
// on every call.
func setEach(xr *resource.Composite, m map[string]any) error {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if err := xr.Resource.SetValue("status."+k, m[k]); err != nil {
			return errors.Wrapf(err, "cannot set status.%s", k)
		}
	}
	return nil
}

// plainJSON reports whether v survives a JSON round trip unchanged but for
// the type of its numbers.
func plainJSON(v any) bool {
	switch v := v.(type) {
	case nil, bool, int64:
		return true
	case string:
		return utf8.ValidString(v)
	case float64:
		return !math.IsInf(v, 0) && !math.IsNaN(v)
	case []any:
		for _, e := range v {
			if !plainJSON(e) {
				return false
			}
		}
		return true
	case map[string]any:
		for k, e := range v {
			if !utf8.ValidString(k) || !plainJSON(e) {
				return false
			}
		}
		return true
	}
	return false
}

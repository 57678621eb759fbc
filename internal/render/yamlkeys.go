package render

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v2"
)

// checkKeys refuses YAML whose mappings hold two keys that are different in
// YAML but the same once converted to JSON, such as the integer 0 and the
// float 0. (both "0"), or true and "true". The conversion keeps one of them
// at random, so the template would render differently from call to call: an
// object that never settles.
func checkKeys(b []byte) error {
	var v any
	if yaml.Unmarshal(b, &v) != nil {
		// The conversion to JSON reports the syntax error.
		return nil
	}
	return walkKeys(v, "")
}

func walkKeys(v any, path string) error {
	switch v := v.(type) {
	case map[any]any:
		byJSON := make(map[string][]any, len(v))
		for k := range v {
			s := jsonKey(k)
			byJSON[s] = append(byJSON[s], k)
		}
		keys := make([]string, 0, len(byJSON))
		for s := range byJSON {
			keys = append(keys, s)
		}
		slices.Sort(keys)
		for _, s := range keys {
			if same := byJSON[s]; len(same) > 1 {
				return fmt.Errorf("the mapping at %s has keys that YAML reads as different values (%s) but JSON as the same key %q: quote them to keep them apart", where(path), describeKeys(same), s)
			}
		}
		for _, s := range keys {
			if err := walkKeys(v[byJSON[s][0]], join(path, s)); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range v {
			if err := walkKeys(e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonKey is the JSON key a YAML key becomes (sigs.k8s.io/yaml's rules:
// floats at 32-bit precision, infinities and NaN in YAML's spelling).
func jsonKey(k any) string {
	switch k := k.(type) {
	case string:
		return k
	case int:
		return strconv.Itoa(k)
	case int64:
		return strconv.FormatInt(k, 10)
	case uint64:
		return strconv.FormatUint(k, 10)
	case float64:
		// Spelt at 32-bit precision first: a float64 beyond float32's range,
		// such as 1e100, becomes +Inf there, and so the key .inf.
		switch s := strconv.FormatFloat(k, 'g', -1, 32); s {
		case "+Inf":
			return ".inf"
		case "-Inf":
			return "-.inf"
		case "NaN":
			return ".nan"
		default:
			return s
		}
	case bool:
		return strconv.FormatBool(k)
	}
	// Other keys (null, lists) fail the conversion itself.
	return fmt.Sprintf("%T %v", k, k)
}

func describeKeys(keys []any) string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		kind := "a string"
		switch k.(type) {
		case int, int64, uint64:
			kind = "an integer"
		case float64:
			kind = "a float"
		case bool:
			kind = "a boolean"
		}
		out = append(out, fmt.Sprintf("%v as %s", k, kind))
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

func where(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

package render

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// toYaml renders a value as YAML without the trailing newline, as Helm does,
// so that `{{ .Labels | toYaml | nindent 4 }}` lines up. It is
// sigs.k8s.io/yaml's Marshal in its two steps, so that a Renderer can
// remember the second by the first's output (see conversions).
func toYaml(v any) (string, error) {
	j, err := jsonOf(v)
	if err != nil {
		return "", err
	}
	return yamlOf(j)
}

func jsonOf(v any) ([]byte, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("error marshaling into JSON: %w", err)
	}
	return j, nil
}

func yamlOf(j []byte) (string, error) {
	y, err := yaml.JSONToYAML(j)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(y), "\n"), nil
}

// fromYaml reads a YAML map. Unlike Helm's it returns an error instead of a
// map with an Error key, so a mistake fails the render where it happened.
func fromYaml(s string) (map[string]any, error) {
	if err := checkKeys([]byte(s)); err != nil {
		return nil, err
	}
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		return nil, err
	}
	return m, nil
}

// fromYamlArray reads a YAML list.
func fromYamlArray(s string) ([]any, error) {
	if err := checkKeys([]byte(s)); err != nil {
		return nil, err
	}
	var l []any
	if err := yaml.Unmarshal([]byte(s), &l); err != nil {
		return nil, err
	}
	return l, nil
}

// required fails the render with msg when v is missing or an empty string.
func required(msg string, v any) (any, error) {
	if v == nil {
		return nil, fmt.Errorf("%s", msg)
	}
	if s, ok := v.(string); ok && s == "" {
		return nil, fmt.Errorf("%s", msg)
	}
	return v, nil
}

// mergeCopy returns sprig's merge (or mergeOverwrite) without its side
// effect: the result is a new dictionary and no argument changes. Nested
// dictionaries merge recursively; sprig merges with mergo, which does too.
func mergeCopy(overwrite bool) func(dst map[string]any, srcs ...map[string]any) map[string]any {
	return func(dst map[string]any, srcs ...map[string]any) map[string]any {
		out := maps.Clone(dst)
		if out == nil {
			out = map[string]any{}
		}
		for _, src := range srcs {
			out = mergeInto(out, src, overwrite)
		}
		return out
	}
}

func mustMergeCopy(overwrite bool) func(dst map[string]any, srcs ...map[string]any) (map[string]any, error) {
	merge := mergeCopy(overwrite)
	return func(dst map[string]any, srcs ...map[string]any) (map[string]any, error) {
		return merge(dst, srcs...), nil
	}
}

// mergeInto merges src into out, which it owns, copying every nested
// dictionary it changes so that values shared with other variables are never
// modified.
func mergeInto(out, src map[string]any, overwrite bool) map[string]any {
	for k, sv := range src {
		dv, ok := out[k]
		dm, dIsMap := dv.(map[string]any)
		sm, sIsMap := sv.(map[string]any)
		switch {
		case !ok:
			out[k] = sv
		case dIsMap && sIsMap:
			out[k] = mergeInto(maps.Clone(dm), sm, overwrite)
		case overwrite:
			out[k] = sv
		case isEmpty(dv):
			// mergo, and so sprig's merge, fills empty destination values.
			out[k] = sv
		}
	}
	return out
}

func isEmpty(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map, reflect.Slice, reflect.Array, reflect.String:
		return rv.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return rv.IsNil()
	default:
		return rv.IsZero()
	}
}

// sortedKeys returns the keys of dictionaries, sorted. sprig returns them in
// map order, which changes from call to call.
func sortedKeys(dicts ...map[string]any) []string {
	n := 0
	for _, d := range dicts {
		n += len(d)
	}
	out := make([]string, 0, n)
	for _, d := range dicts {
		out = append(out, slices.Collect(maps.Keys(d))...)
	}
	slices.Sort(out)
	return out
}

// sortedValues returns the values of a dictionary in the order of its sorted
// keys.
func sortedValues(d map[string]any) []any {
	out := make([]any, 0, len(d))
	for _, k := range slices.Sorted(maps.Keys(d)) {
		out = append(out, d[k])
	}
	return out
}

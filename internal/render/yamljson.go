package render

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"

	"go.yaml.in/yaml/v2"
)

// maxJSONDepth is encoding/json's nesting limit: deeper values take viaJSON,
// which reports it as it always did.
const maxJSONDepth = 10000

// readYAML reads YAML with one parse. It used to be parsed three times: once
// to check its keys, once by the conversion to JSON, and the JSON once more;
// for the YAML that toYaml writes into a template, that was a fifth of a
// session's first render. Its values are those the conversion gives,
// integers as int64: every value readYAML builds itself is spelled as the
// JSON would spell it and read back the same way, and anything else (keys
// JSON cannot spell, strings that are not UTF-8, infinite floats, nesting
// too deep for encoding/json) takes viaJSON, so the result or the error is
// the same byte for byte.
func readYAML(b []byte) (any, error) {
	var y any
	if err := yaml.Unmarshal(b, &y); err != nil {
		return nil, err
	}
	if err := walkKeys(y, ""); err != nil {
		return nil, err
	}
	if v, ok := jsonable(y, 0); ok {
		return v, nil
	}
	return viaJSON(b)
}

// jsonable converts a value of go.yaml.in/yaml/v2 to what decoding its JSON
// conversion gives, or reports that it cannot tell.
func jsonable(y any, depth int) (any, bool) {
	if depth > maxJSONDepth {
		return nil, false
	}
	switch y := y.(type) {
	case nil, bool:
		return y, true
	case string:
		return y, utf8.ValidString(y)
	case int:
		return int64(y), true
	case int64:
		return y, true
	case uint64:
		return numbers(json.Number(strconv.FormatUint(y, 10))), true
	case float64:
		if math.IsInf(y, 0) || math.IsNaN(y) {
			return nil, false
		}
		j, err := json.Marshal(y)
		if err != nil {
			return nil, false
		}
		return numbers(json.Number(j)), true
	case []any:
		out := make([]any, len(y))
		for i, e := range y {
			v, ok := jsonable(e, depth+1)
			if !ok {
				return nil, false
			}
			out[i] = v
		}
		return out, true
	case map[any]any:
		out := make(map[string]any, len(y))
		for k, e := range y {
			s, ok := jsonableKey(k)
			if !ok {
				return nil, false
			}
			v, ok := jsonable(e, depth+1)
			if !ok {
				return nil, false
			}
			out[s] = v
		}
		return out, true
	}
	return nil, false
}

// jsonableKey is the JSON key of a YAML key, for the key types the
// conversion accepts.
func jsonableKey(k any) (string, bool) {
	switch k := k.(type) {
	case string:
		return k, utf8.ValidString(k)
	case int, int64, float64, bool:
		return jsonKey(k), true
	}
	return "", false
}

package render

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/crossplane/function-sdk-go/errors"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// decodeTemplate reads a template as a JSON object, with integers as int64
// like every other unstructured Kubernetes object.
func decodeTemplate(t runtime.RawExtension) (map[string]any, error) {
	b := t.Raw
	if len(b) == 0 && t.Object != nil {
		var err error
		if b, err = json.Marshal(t.Object); err != nil {
			return nil, fmt.Errorf("cannot read the template: %w", err)
		}
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errors.New("the template is empty")
	}
	v, err := decodeYAML(b)
	if err != nil {
		return nil, fmt.Errorf("cannot read the template: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("the template must be an object")
	}
	return m, nil
}

// decodeYAML reads YAML or JSON. JSON, which is how the API server stores a
// template, is read directly: it is valid YAML, but the YAML round trip
// costs more than the whole render.
func decodeYAML(b []byte) (any, error) {
	if t := bytes.TrimSpace(b); len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid(t) {
		return decodeJSON(b)
	}
	return readYAML(b)
}

// viaJSON is how YAML became a value before readYAML: converted to JSON by
// sigs.k8s.io/yaml and decoded. readYAML gives the same values and errors;
// it uses viaJSON for the rare inputs whose conversion it does not repeat.
func viaJSON(b []byte) (any, error) {
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		return nil, err
	}
	return decodeJSON(j)
}

func decodeJSON(j []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(j))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return numbers(v), nil
}

// numbers turns json.Number into int64 or float64.
func numbers(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = numbers(e)
		}
	case []any:
		for i, e := range v {
			v[i] = numbers(e)
		}
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	}
	return v
}

// structure reads the output of a single YAML-producing action. Only a map
// or a list replaces the string; anything else stays a string, because a
// scalar's type would otherwise depend on what a variable happens to hold.
func structure(out string) (any, bool) {
	v, err := decodeYAML([]byte(out))
	if err != nil {
		return nil, false
	}
	switch v.(type) {
	case map[string]any, []any:
		if depthOf(v, 0) > maxObjectDepth {
			return nil, false
		}
		return v, true
	}
	return nil, false
}

func depthOf(v any, d int) int {
	if d > maxObjectDepth {
		return d
	}
	m := d
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			m = max(m, depthOf(e, d+1))
		}
	case []any:
		for _, e := range v {
			m = max(m, depthOf(e, d+1))
		}
	}
	return m
}

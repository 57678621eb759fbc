package render

import (
	"crypto/sha256"

	"github.com/k8s-breakglass/function-debug-session/internal/memo"
)

// Bounds of one Renderer's conversions: a session's labels as YAML take a
// few hundred bytes, so this keeps those of about a thousand sessions.
const (
	conversionEntries = 2048
	conversionBytes   = 1 << 20
	// valueCost is about what a decoded structure takes per byte of the
	// YAML it was read from.
	valueCost = 8
)

// conversions remembers, for one Renderer, the YAML toYaml wrote for a
// value and the structure read back from the output of a YAML action. The
// auxiliary resources of a session usually render the same labels into
// each of them, and these two conversions were most of a first render.
// Each is a function of the text it is keyed by alone, so an entry is never
// stale; a structure is handed out as a copy, since the caller adds to it.
type conversions struct {
	yaml   *memo.LRU[string]
	values *memo.LRU[structured]
}

// structured is what structure returned for an output.
type structured struct {
	v  any
	ok bool
}

func newConversions() *conversions {
	return &conversions{
		yaml:   memo.New[string](conversionEntries, conversionBytes/2),
		values: memo.New[structured](conversionEntries, conversionBytes/2),
	}
}

// toYaml is the package's toYaml with its second step remembered.
func (c *conversions) toYaml(v any) (string, error) {
	if c == nil {
		return toYaml(v)
	}
	j, err := jsonOf(v)
	if err != nil {
		return "", err
	}
	k := memo.Key(sha256.Sum256(j))
	if s, ok := c.yaml.Get(k); ok {
		return s, nil
	}
	s, err := yamlOf(j)
	if err != nil {
		return "", err
	}
	c.yaml.Add(k, s, int64(len(j)+len(s)))
	return s, nil
}

// structure is the package's structure, remembered by the output.
func (c *conversions) structure(out string) (any, bool) {
	if c == nil {
		return structure(out)
	}
	k := memo.Key(sha256.Sum256([]byte(out)))
	if s, ok := c.values.Get(k); ok {
		return copyValue(s.v), s.ok
	}
	v, ok := structure(out)
	c.values.Add(k, structured{v: v, ok: ok}, int64(valueCost*len(out)))
	return copyValue(v), ok
}

// copyValue copies the maps and lists of a decoded value; everything else
// in one is immutable. Unlike runtime.DeepCopyJSONValue it never panics on a
// type it does not know: a render must not take the function down.
func copyValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = copyValue(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = copyValue(e)
		}
		return out
	}
	return v
}

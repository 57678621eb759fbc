package render

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"sigs.k8s.io/yaml"
)

// removed lists every sprig function that templates cannot call, and why.
// Anything that reads the environment, the filesystem, the network, the
// clock or a random source is gone, because a render must give the same bytes
// for the same input on every call and on every replica. A few more are gone
// because they can build values that cost far more to print than to make.
//
// TestEverySprigFunctionIsAudited fails when a sprig upgrade adds a function
// that is neither here nor kept, so every new function gets a decision.
var removed = map[string]string{ //nolint:gosec // Function names and reasons, not credentials.
	// The clock, and the local time zone that the date functions read from
	// the environment and the zoneinfo files.
	"now":              "reads the clock",
	"ago":              "reads the clock",
	"date":             "formats in the local time zone, which comes from the environment",
	"date_in_zone":     "loads time zones from the filesystem",
	"dateInZone":       "loads time zones from the filesystem",
	"htmlDate":         "formats in the local time zone",
	"htmlDateInZone":   "loads time zones from the filesystem",
	"toDate":           "parses in the local time zone",
	"mustToDate":       "parses in the local time zone",
	"date_modify":      "needs a time value, and only the clock or the local zone gives one",
	"dateModify":       "needs a time value, and only the clock or the local zone gives one",
	"must_date_modify": "needs a time value, and only the clock or the local zone gives one",
	"mustDateModify":   "needs a time value, and only the clock or the local zone gives one",
	"unixEpoch":        "needs a time value, and only the clock or the local zone gives one",
	"durationRound":    "reads the clock when given a time value",

	// Randomness.
	"randAlphaNum":             "random",
	"randAlpha":                "random",
	"randAscii":                "random",
	"randNumeric":              "random",
	"randBytes":                "random",
	"randInt":                  "random",
	"shuffle":                  "random",
	"uuidv4":                   "random",
	"genPrivateKey":            "random",
	"genCA":                    "random",
	"genCAWithKey":             "random serial number",
	"genSelfSignedCert":        "random",
	"genSelfSignedCertWithKey": "random serial number",
	"genSignedCert":            "random",
	"genSignedCertWithKey":     "random serial number",
	"encryptAES":               "random initialisation vector",
	"bcrypt":                   "random salt, and slow by design",
	"htpasswd":                 "random salt, and slow by design",

	// Crypto that is deterministic but has no place in a debug session's
	// objects: it either costs tens of megabytes and a noticeable time per
	// call or only makes sense next to the random functions above.
	"derivePassword":  "costs tens of megabytes and much CPU per call",
	"decryptAES":      "keys do not belong in templates",
	"buildCustomCert": "only useful with the certificate generators",

	// The environment, the network and the operating system.
	"env":           "reads the environment",
	"expandenv":     "reads the environment",
	"getHostByName": "queries DNS",
	"osBase":        "depends on the operating system; use base",
	"osClean":       "depends on the operating system; use clean",
	"osDir":         "depends on the operating system; use dir",
	"osExt":         "depends on the operating system; use ext",
	"osIsAbs":       "depends on the operating system; use isAbs",

	// In-place mutation. With it a template can make a dictionary contain
	// itself, or grow a value after it was shared, and printing such a value
	// never ends. merge and mergeOverwrite are replaced by copying versions.
	"set":   "mutates a dictionary in place; build dictionaries with dict and merge",
	"unset": "mutates a dictionary in place; use omit",
}

// replaced are sprig functions with a version of their own here: the same
// behaviour with bounds, a sorted result, or no mutation.
var replaced = []string{
	"merge", "mergeOverwrite", "mustMerge", "mustMergeOverwrite", // copy instead of mutating
	"keys", "values", // sorted, for deterministic output
}

// yamlProducers are the functions whose output, when a string value is a
// single action ending in one of them, is read back as YAML structure.
var yamlProducers = map[string]bool{
	"toYaml": true, "toJson": true, "toPrettyJson": true, "toRawJson": true,
	"mustToJson": true, "mustToPrettyJson": true, "mustToRawJson": true,
	"indent": true, "nindent": true,
}

// builtinOverrides replace text/template's own printing functions, so that
// their output is charged to the budget like every other function's.
var builtinOverrides = map[string]any{
	"print":    fmt.Sprint,
	"println":  fmt.Sprintln,
	"printf":   fmt.Sprintf,
	"html":     template.HTMLEscaper,
	"js":       template.JSEscaper,
	"urlquery": template.URLQueryEscaper,
}

// builtinNames are text/template's built-in functions, which the parser must
// know about because this package parses without a text/template.Template.
var builtinNames = []string{
	"and", "call", "html", "index", "slice", "js", "len", "not", "or", "print",
	"printf", "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
}

// baseFuncs returns the functions templates may call, before budgeting: the
// audited sprig functions, the replacements and this package's additions.
func baseFuncs() map[string]any {
	fns := sprig.GenericFuncMap()
	for name := range removed {
		delete(fns, name)
	}
	maps.Copy(fns, builtinOverrides)
	fns["toYaml"] = toYaml
	fns["fromYaml"] = fromYaml
	fns["fromYamlArray"] = fromYamlArray
	fns["required"] = required
	fns["merge"] = mergeCopy(false)
	fns["mustMerge"] = mustMergeCopy(false)
	fns["mergeOverwrite"] = mergeCopy(true)
	fns["mustMergeOverwrite"] = mustMergeCopy(true)
	fns["keys"] = sortedKeys
	fns["values"] = sortedValues
	return fns
}

// parseFuncs holds a placeholder for every name a template may call. The
// parser only checks that names exist; the functions that run are bound to a
// budget per execution.
var parseFuncs = func() map[string]any {
	m := map[string]any{}
	for name := range baseFuncs() {
		m[name] = true
	}
	for _, name := range builtinNames {
		m[name] = true
	}
	return m
}()

// FunctionNames returns the sorted names of the functions templates may
// call, built-ins included. Documentation and tests use it.
func FunctionNames() []string {
	return slices.Sorted(maps.Keys(parseFuncs))
}

// toYaml renders a value as YAML without the trailing newline, as Helm does,
// so that `{{ .Labels | toYaml | nindent 4 }}` lines up.
func toYaml(v any) (string, error) {
	b, err := yaml.Marshal(v)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(b), "\n"), nil
}

// fromYaml reads a YAML map. Unlike Helm's it returns an error instead of a
// map with an Error key, so a mistake fails the render where it happened.
func fromYaml(s string) (map[string]any, error) {
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		return nil, err
	}
	return m, nil
}

// fromYamlArray reads a YAML list.
func fromYamlArray(s string) ([]any, error) {
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

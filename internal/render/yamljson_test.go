package render

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// threeParses is how YAML was read before readYAML: keys checked, converted
// to JSON, decoded. readYAML must give exactly what it gives.
func threeParses(b []byte) (any, error) {
	if err := checkKeys(b); err != nil {
		return nil, err
	}
	return viaJSON(b)
}

// yamlCorpus covers every kind of value and key go.yaml.in/yaml/v2 makes,
// and each way the conversion to JSON can fail or change a value.
var yamlCorpus = map[string]string{
	"Empty":                 ``,
	"Null":                  `~`,
	"Scalars":               "a: 1\nb: 1.5\nc: true\nd: null\ne: text\nf: '1'\n",
	"IntegralFloat":         "a: 3.0\nb: -0.0\nc: 1e6\nd: 1.0e+20\ne: 1e21\nf: 1e-7\n",
	"LargeIntegralFloat":    "a: 4611686018427387904.0\nb: 9223372036854777856.0\n",
	"BigIntegers":           "a: 9223372036854775807\nb: 9223372036854775808\nc: 18446744073709551615\nd: -9223372036854775808\ne: 18446744073709551616\n",
	"Octal and hex":         "a: 0o17\nb: 0x1F\nc: 017\n",
	"NonStringKeys":         "1: a\n1.5: b\ntrue: c\n0.1: d\n",
	"FloatKeyPrecision":     "0.10000000149011612: a\n",
	"InfinityKeys":          ".inf: a\n-.inf: b\n.nan: c\n",
	"FloatKeyBeyondFloat32": "1e100: a\n-1e100: b\n1e-100: c\n",
	"InfinityValues":        "a: .inf\n",
	"NaNValue":              "a: .nan\n",
	"NullKey":               "~: a\n",
	"ListKey":               "? [a, b]\n: c\n",
	"MapKey":                "? {a: b}\n: c\n",
	"HugeKey":               "18446744073709551615: a\n",
	"CollidingKeys":         "0: a\n0.: b\n",
	"CollidingBoolKeys":     "true: a\n'true': b\n",
	"Binary":                "a: !!binary aGVsbG8=\n",
	"BinaryNotUTF8":         "a: !!binary //79\n",
	"Timestamp":             "a: 2001-12-14t21:59:43.10-05:00\nb: 2002-12-14\n",
	"Anchors":               "a: &x {b: [1, 2]}\nc: *x\n",
	"Merge":                 "base: &b {x: 1}\nd:\n  <<: *b\n  y: 2\n",
	"Escapes":               "a: \"\\u2028 <&> \\t \\x41\"\n",
	"List":                  "- 1\n- [a, {b: c}]\n- {}\n- []\n",
	"Syntax error":          "a: [1,\n",
	"Tab":                   "a:\n\tb: c\n",
	"Duplicate keys":        "a: 1\na: 2\n",
	"JSON as YAML":          `{"a": 1, "b": [true, null]}`,
	"Document markers":      "---\na: 1\n...\n",
	"Two documents":         "a: 1\n---\nb: 2\n",
	"Deep":                  strings.Repeat("[", 200) + strings.Repeat("]", 200),
	"Block scalar":          "a: |\n  line one\n  line two\n",
	"Quoted special":        "a: 'yes'\nb: yes\nc: on\nd: 'null'\n",
	"Scalar document":       "just text",
	"toYaml output":         "metadata:\n  labels:\n    app.kubernetes.io/name: netops\n    x: \"1\"\nspec:\n  replicas: 2\n",
	"NonUTF8Key":            "\"\\xff\": a\n",
	"Float keys that equal": "1.0: a\n",
}

func TestReadYAMLMatchesThreeParses(t *testing.T) {
	for name, src := range yamlCorpus {
		t.Run(name, func(t *testing.T) {
			want, wantErr := threeParses([]byte(src))
			got, gotErr := readYAML([]byte(src))
			if diff := cmp.Diff(fmt.Sprint(wantErr), fmt.Sprint(gotErr)); diff != "" {
				t.Errorf("readYAML(%q): the error must be the one the three parses gave.\n-want, +got:\n%s", src, diff)
			}
			if reflect.DeepEqual(want, got) {
				return
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateNaNs()); diff != "" {
				t.Errorf("readYAML(%q): the value must be the one the three parses gave.\n-want, +got:\n%s", src, diff)
			}
		})
	}
}

// FuzzReadYAML holds readYAML to the three parses it replaced on any input.
func FuzzReadYAML(f *testing.F) {
	for _, src := range yamlCorpus {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4<<10 {
			return
		}
		want, wantErr := threeParses([]byte(src))
		got, gotErr := readYAML([]byte(src))
		if fmt.Sprint(wantErr) != fmt.Sprint(gotErr) {
			t.Fatalf("readYAML(%q): error %v, the three parses gave %v", src, gotErr, wantErr)
		}
		if reflect.DeepEqual(want, got) {
			return
		}
		// cmp.Diff is slow on deep values: it runs only when they differ.
		if diff := cmp.Diff(want, got, cmpopts.EquateNaNs()); diff != "" {
			t.Fatalf("readYAML(%q): -three parses, +readYAML:\n%s", src, diff)
		}
	})
}

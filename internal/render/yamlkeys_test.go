package render

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"
)

// The readers of YAML that must refuse colliding keys.
var (
	asTemplate = func(s string) error {
		_, err := decodeTemplate(runtime.RawExtension{Raw: []byte(s)})
		return err
	}
	asFromYaml      = func(s string) error { _, err := fromYaml(s); return err }
	asFromYamlArray = func(s string) error { _, err := fromYamlArray(s); return err }
)

func TestCollidingYAMLKeys(t *testing.T) {
	cases := map[string]struct {
		reason string
		read   func(string) error
		yaml   string
		want   string
	}{
		"IntegerAndFloat": {
			read:   asTemplate,
			reason: "0 and 0. are different YAML keys but the same JSON key; the conversion would keep either at random.",
			yaml:   "0: 0Z\n0.:",
			want:   `cannot read the template: the mapping at the top level has keys that YAML reads as different values (0 as a float, 0 as an integer) but JSON as the same key "0": quote them to keep them apart`,
		},
		"BooleanAndString": {
			read:   asTemplate,
			reason: "true and \"true\" collide too, in a nested mapping, named by its path.",
			yaml:   "data:\n  true: a\n  \"true\": b\n",
			want:   `cannot read the template: the mapping at data has keys that YAML reads as different values (true as a boolean, true as a string) but JSON as the same key "true": quote them to keep them apart`,
		},
		"InList": {
			read:   asTemplate,
			reason: "Mappings inside lists are checked, and the path says which item.",
			yaml:   "items:\n- 1: a\n  1.0: b\n",
			want:   `cannot read the template: the mapping at items[0] has keys that YAML reads as different values (1 as a float, 1 as an integer) but JSON as the same key "1": quote them to keep them apart`,
		},
		"FloatBeyondFloat32AndInfinity": {
			read:   asTemplate,
			reason: "The conversion spells float keys at 32-bit precision, so 1e100 becomes the key .inf, the same as .inf itself.",
			yaml:   "1e100: a\n.inf: b\n",
			want:   `cannot read the template: the mapping at the top level has keys that YAML reads as different values (+Inf as a float, 1e+100 as a float) but JSON as the same key ".inf": quote them to keep them apart`,
		},
		"DistinctKeys": {
			read:   asTemplate,
			reason: "Keys that stay distinct in JSON are fine, whatever their YAML types.",
			yaml:   "0: a\n1.5: b\ntrue: c\nname: d\n",
		},
		"QuotedKeys": {
			read:   asTemplate,
			reason: "Quoting the keys, as the message advises, keeps them apart.",
			yaml:   "\"0\": a\n\"0.\": b\n",
		},
		"FromYaml": {
			reason: "fromYaml refuses colliding keys rather than keep one at random.",
			read:   asFromYaml,
			yaml:   "0: a\n0.0: b\n",
			want:   `the mapping at the top level has keys that YAML reads as different values (0 as a float, 0 as an integer) but JSON as the same key "0": quote them to keep them apart`,
		},
		"FromYamlArray": {
			reason: "fromYamlArray checks the mappings in its items.",
			read:   asFromYamlArray,
			yaml:   "- false: a\n  \"false\": b\n",
			want:   `the mapping at [0] has keys that YAML reads as different values (false as a boolean, false as a string) but JSON as the same key "false": quote them to keep them apart`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := ""
			if err := tc.read(tc.yaml); err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

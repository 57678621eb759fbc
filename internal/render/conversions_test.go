package render

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// TestConversionsToYamlAsToYaml holds toYaml, plain and remembered, to
// sigs.k8s.io/yaml's Marshal, which it used to call, on the first call and
// when it answers from memory.
func TestConversionsToYamlAsToYaml(t *testing.T) {
	cases := map[string]struct {
		reason string
		v      any
	}{
		"Labels":   {reason: "The usual argument: a map of strings.", v: map[string]string{"app": "netops", "x": "1", "y": "true"}},
		"Numbers":  {reason: "Integers, floats and integral floats keep their YAML spelling.", v: map[string]any{"a": int64(1), "b": 1.5, "c": 3.0, "d": 1e21, "e": uint64(math.MaxUint64)}},
		"Nested":   {reason: "Lists and maps nest.", v: []any{map[string]any{"a": []any{"b", nil, false}}, "c"}},
		"Strings":  {reason: "Strings YAML would read as something else are quoted.", v: []any{"yes", "0x10", "null", "a: b", "\u2028", "<&>"}},
		"Nil":      {reason: "Nothing is null.", v: nil},
		"NaN":      {reason: "A value JSON cannot hold is refused as before.", v: math.NaN()},
		"Function": {reason: "So is a value JSON has no encoding for.", v: map[string]any{"f": func() {}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b, wantErr := yaml.Marshal(tc.v)
			want := strings.TrimSuffix(string(b), "\n")
			if wantErr != nil {
				want = ""
			}
			c := newConversions()
			for _, call := range []string{"plain", "first", "remembered"} {
				toYaml := c.toYaml
				if call == "plain" {
					toYaml = (*conversions)(nil).toYaml
				}
				got, err := toYaml(tc.v)
				if diff := cmp.Diff(fmt.Sprint(wantErr), fmt.Sprint(err)); diff != "" {
					t.Errorf("%s\n%s call: -want error, +got error:\n%s", tc.reason, call, diff)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s\n%s call: -want, +got:\n%s", tc.reason, call, diff)
				}
			}
		})
	}
}

// TestConversionsStructureIsACopy changes what a remembered structure
// returned, as the caller does when it adds its labels, and requires the
// next answer to be unchanged.
func TestConversionsStructureIsACopy(t *testing.T) {
	c := newConversions()
	out := "app: netops\nports:\n- 53\n"
	first, ok := c.structure(out)
	if !ok {
		t.Fatalf("structure(%q): not a structure", out)
	}
	first.(map[string]any)["app"] = "changed"
	first.(map[string]any)["ports"].([]any)[0] = int64(0)
	second, _ := c.structure(out)
	second.(map[string]any)["added"] = true
	third, _ := c.structure(out)
	want := map[string]any{"app": "netops", "ports": []any{int64(53)}}
	if diff := cmp.Diff(want, third); diff != "" {
		t.Errorf("A remembered structure must not change with what callers do to theirs.\n-want, +got:\n%s", diff)
	}
	if s := c.values.Stats(); s.Hits != 2 || s.Misses != 1 {
		t.Errorf("structure: %d hits and %d misses, want 2 and 1: the answers must come from memory", s.Hits, s.Misses)
	}
	if v, ok := c.structure("just: [text"); ok || v != nil {
		t.Errorf("structure of broken YAML: (%v, %v), want (nil, false)", v, ok)
	}
}

// TestConversionsBounded renders the labels of many sessions through one
// Renderer: what it remembers stays within its bounds.
func TestConversionsBounded(t *testing.T) {
	r := New()
	for i := range 3 * conversionEntries {
		v := vars()
		v.Labels = map[string]string{"session": fmt.Sprintf("session-%05d", i)}
		obj, err := r.Render(tmpl(t, `{metadata: {labels: "{{ .Labels | toYaml | nindent 2 }}"}}`), v, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if got := obj["metadata"].(map[string]any)["labels"].(map[string]any)["session"]; got != fmt.Sprintf("session-%05d", i) {
			t.Fatalf("render %d: labels.session = %v", i, got)
		}
	}
	for name, s := range map[string]struct {
		Entries int
		Cost    int64
	}{
		"yaml":   {r.conv.yaml.Stats().Entries, r.conv.yaml.Stats().Cost},
		"values": {r.conv.values.Stats().Entries, r.conv.values.Stats().Cost},
	} {
		if s.Entries > conversionEntries || s.Cost > conversionBytes/2 || s.Entries == 0 {
			t.Errorf("%s: %d entries costing %d, want 1 to %d entries costing at most %d", name, s.Entries, s.Cost, conversionEntries, conversionBytes/2)
		}
	}
}

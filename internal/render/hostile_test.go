package render

import (
	"strings"
	"testing"

	"github.com/crossplane/function-sdk-go/errors"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"
)

// TestHostileTemplates feeds templates that try to escape the sandbox or
// exhaust the process. Each must fail with a clear error; none may panic,
// hang or allocate without bound.
func TestHostileTemplates(t *testing.T) {
	type want struct {
		// contains is a part of the error message.
		contains string
		// limit is true when the error is a resource limit (ErrLimit).
		limit bool
	}
	cases := map[string]struct {
		reason string
		leaf   string
		want   want
	}{
		"Env": {
			reason: "Templates cannot read the environment.",
			leaf:   `{{ env "HOME" }}`,
			want:   want{contains: `function "env" not defined`},
		},
		"ExpandEnv": {
			reason: "Templates cannot expand environment variables.",
			leaf:   `{{ expandenv "$HOME" }}`,
			want:   want{contains: `function "expandenv" not defined`},
		},
		"DNS": {
			reason: "Templates cannot reach the network.",
			leaf:   `{{ getHostByName "example.com" }}`,
			want:   want{contains: `function "getHostByName" not defined`},
		},
		"ReadFile": {
			reason: "Templates cannot read files: there is no such function at all.",
			leaf:   `{{ readFile "/etc/passwd" }}`,
			want:   want{contains: `function "readFile" not defined`},
		},
		"Include": {
			reason: "There is no include or tpl, so a template cannot evaluate text as a template.",
			leaf:   `{{ tpl "{{ env \"HOME\" }}" . }}`,
			want:   want{contains: `function "tpl" not defined`},
		},
		"Clock": {
			reason: "Templates cannot read the clock.",
			leaf:   `{{ now }}`,
			want:   want{contains: `function "now" not defined`},
		},
		"Randomness": {
			reason: "Templates cannot draw random numbers.",
			leaf:   `{{ randAlphaNum 8 }}`,
			want:   want{contains: `function "randAlphaNum" not defined`},
		},
		"Keys": {
			reason: "Templates cannot generate keys, which would be random.",
			leaf:   `{{ genPrivateKey "rsa" }}`,
			want:   want{contains: `function "genPrivateKey" not defined`},
		},
		"Mutation": {
			reason: "set is gone: with it a dictionary could contain itself and never finish printing.",
			leaf:   `{{ $d := dict }}{{ $_ := set $d "self" $d }}{{ $d }}`,
			want:   want{contains: `function "set" not defined`},
		},
		"Until": {
			reason: "until of a hundred million elements is refused before it allocates.",
			leaf:   `{{ until 100000000 }}`,
			want:   want{contains: "until 100000000 would make a list of 100000000 elements, more than the 10000 allowed", limit: true},
		},
		"UntilStep": {
			reason: "untilStep is bounded like until, counting without overflow.",
			leaf:   `{{ untilStep -9223372036854775807 9223372036854775807 1 }}`,
			want:   want{contains: "would make a list of 18446744073709551614 elements", limit: true},
		},
		"Seq": {
			reason: "seq is bounded like until.",
			leaf:   `{{ seq 100000000 }}`,
			want:   want{contains: "seq would make a list of 100000000 elements", limit: true},
		},
		"Repeat": {
			reason: "repeat of a billion is refused before it allocates.",
			leaf:   `{{ repeat 1000000000 "x" }}`,
			want:   want{contains: "repeat 1000000000 would make a string of 1000000000 bytes, more than the 1048576 allowed", limit: true},
		},
		"RepeatNegative": {
			reason: "A negative count is an error, not a panic.",
			leaf:   `{{ repeat -1 "x" }}`,
			want:   want{contains: "repeat -1: the count must not be negative"},
		},
		"Indent": {
			reason: "indent pads every line: a huge pad is refused.",
			leaf:   `{{ indent 100000 (repeat 1000 "\n") }}`,
			want:   want{contains: "indent 100000 would make a string of 100101001 bytes", limit: true},
		},
		"ReplaceEmpty": {
			reason: "Replacing the empty string inserts between every character: the product is refused.",
			leaf:   `{{ replace "" (repeat 10000 "y") (repeat 10000 "x") }}`,
			want:   want{contains: "replace would make a string of 100020000 bytes", limit: true},
		},
		"RegexReplace": {
			reason: "A regular expression that matches everywhere, with a replacement repeating the input, is refused.",
			leaf:   `{{ regexReplaceAll "" (repeat 10000 "x") "$0$0$0" }}`,
			want:   want{contains: "regexReplaceAll would make a string of", limit: true},
		},
		"Join": {
			reason: "join multiplies its separator by the list length.",
			leaf:   `{{ join (repeat 100000 "-") (until 1000) }}`,
			want:   want{contains: "join would make a string of", limit: true},
		},
		"PrintfWidth": {
			reason: "printf cannot pad to a billion characters.",
			leaf:   `{{ printf "%0999999999d" 1 }}`,
			want:   want{contains: "widths and precisions above 1024 are not supported"},
		},
		"PrintfStar": {
			reason: "printf cannot take its width from an argument.",
			leaf:   `{{ printf "%*d" 1000000000 1 }}`,
			want:   want{contains: "widths and precisions from arguments (*) are not supported"},
		},
		"RangeOverInt": {
			reason: "Ranging over a billion is refused before the first iteration.",
			leaf:   `{{ range 1000000000 }}{{ end }}`,
			want:   want{contains: "range over 1000000000 elements exceeds the limit of 10000 loop iterations", limit: true},
		},
		"NestedRanges": {
			reason: "Nested loops count every iteration, so a thousand by a thousand is refused.",
			leaf:   `{{ range $i := until 1000 }}{{ range $j := until 1000 }}{{ end }}{{ end }}`,
			want:   want{contains: "exceeds the limit of 10000 loop iterations", limit: true},
		},
		"LoopBodyCost": {
			reason: "A large loop body costs per iteration, so a loop that runs many nodes many times is refused.",
			leaf:   `{{ range $i := until 9000 }}` + strings.Repeat(`{{ if true }}{{ end }}`, 200) + `{{ end }}`,
			want:   want{contains: "the template does more work than the limit", limit: true},
		},
		"DoublingString": {
			reason: "A string that doubles in a loop hits the string limit after a few rounds.",
			leaf:   `{{ $s := "xx" }}{{ range until 64 }}{{ $s = cat $s $s }}{{ end }}{{ len $s }}`,
			want:   want{contains: "more than the 1048576 allowed", limit: true},
		},
		"DoublingPrintf": {
			reason: "printf is charged like every other function.",
			leaf:   `{{ $s := "xx" }}{{ range until 64 }}{{ $s = printf "%s%s" $s $s }}{{ end }}{{ len $s }}`,
			want:   want{contains: "more than the 1048576 allowed", limit: true},
		},
		"SharedDictionaries": {
			reason: "A dictionary that holds the previous one twice doubles what printing it costs; that is counted, not just its own size.",
			leaf:   `{{ $d := dict }}{{ range until 64 }}{{ $d = dict "a" $d "b" $d }}{{ end }}{{ $d }}`,
			want:   want{contains: "the template does more work than the limit", limit: true},
		},
		"SharedLists": {
			reason: "A list that holds the previous one is counted by what printing it costs.",
			leaf:   `{{ $l := list 1 }}{{ range until 64 }}{{ $l = list $l $l }}{{ end }}{{ toJson $l }}`,
			want:   want{contains: "the template does more work than the limit", limit: true},
		},
		"DeepValue": {
			reason: "A value nested too deeply to print safely is refused.",
			leaf:   `{{ $d := dict }}{{ range until 100 }}{{ $d = dict "a" $d }}{{ end }}{{ $d }}`,
			want:   want{contains: "a value is nested more than 64 levels deep", limit: true},
		},
		"DeepJSON": {
			reason: "Parsed documents are bounded in depth too.",
			leaf:   `{{ fromYaml (printf "%s1%s" (repeat 100 "{a: ") (repeat 100 "}")) }}`,
			want:   want{contains: "a value is nested more than 64 levels deep", limit: true},
		},
		"Quadratic": {
			reason: "uniq compares every pair: a large list is refused.",
			leaf:   `{{ $l := list }}{{ range $i := until 5000 }}{{ $l = append $l $i }}{{ end }}{{ uniq $l }}`,
			want:   want{contains: "the template does more work than the limit", limit: true},
		},
		"Recursion": {
			reason: "{{define}} and {{template}} are refused, so nothing recurses.",
			leaf:   `{{ define "x" }}{{ template "x" . }}{{ end }}{{ template "x" . }}`,
			want:   want{contains: "{{define}} and {{block}} are not supported"},
		},
		"TemplateCall": {
			reason: "{{template}} is refused even without a definition.",
			leaf:   `{{ template "x" . }}`,
			want:   want{contains: `{{template "x"}} is not supported`},
		},
		"Block": {
			reason: "{{block}} is a definition too.",
			leaf:   `{{ block "x" . }}{{ template "x" . }}{{ end }}`,
			want:   want{contains: "not supported"},
		},
		"DeepParentheses": {
			reason: "Deeply nested expressions fail to parse rather than exhaust the stack.",
			leaf:   strings.Repeat("{{ (", 1) + strings.Repeat("(", 20000) + "1" + strings.Repeat(")", 20001) + " }}",
			want:   want{contains: "max expression depth exceeded"},
		},
		"LongTemplate": {
			reason: "A template longer than the limit is refused before parsing.",
			leaf:   "{{ 1 }}" + strings.Repeat("x", 70000),
			want:   want{contains: "more than the 65536 allowed"},
		},
		"DivideByZero": {
			reason: "A panic in a function becomes an error.",
			leaf:   `{{ div 1 0 }}`,
			want:   want{contains: "integer divide by zero"},
		},
		"BadRegex": {
			reason: "A function that panics on bad input becomes an error.",
			leaf:   `{{ regexFind "(" "x" }}`,
			want:   want{contains: "error parsing regexp"},
		},
		"ChunkZero": {
			reason: "chunk of zero would divide by zero.",
			leaf:   `{{ chunk 0 (list 1 2) }}`,
			want:   want{contains: "the size must be at least 1"},
		},
		"RangeOverString": {
			reason: "Ranging over something that is not a list, a map or a number is an error.",
			leaf:   `{{ range .Session.Name }}{{ end }}`,
			want:   want{contains: "range over a string is not supported"},
		},
		"LongOutput": {
			reason: "One string may not be longer than a function result may be, however it is built.",
			leaf:   `{{ range until 2000 }}{{ repeat 1000 "x" }}{{ end }}`,
			want:   want{contains: "the template produces more than the 1048576 bytes allowed for one string", limit: true},
		},
		"HugeFailMessage": {
			reason: "A huge error message is shortened, so it cannot flood the status.",
			leaf:   `{{ fail (repeat 100000 "x") }}`,
			want:   want{contains: "xxx…"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := New()
			raw := runtime.RawExtension{Raw: []byte(`{"data":{"x":` + jsonString(tc.leaf) + `}}`)}
			_, err := r.Render(raw, vars(), 1<<20)
			if err == nil {
				t.Fatalf("%s\nRender(...): want an error containing %q, got none", tc.reason, tc.want.contains)
			}
			if !strings.Contains(err.Error(), tc.want.contains) {
				t.Errorf("%s\nRender(...): want an error containing %q, got %q", tc.reason, tc.want.contains, err)
			}
			if !strings.HasPrefix(err.Error(), "template.data.x: ") {
				t.Errorf("%s\nRender(...): the error must name the field; got %q", tc.reason, err)
			}
			if len(err.Error()) > maxErrorLength+100 {
				t.Errorf("%s\nRender(...): the error is %d bytes long", tc.reason, len(err.Error()))
			}
			if diff := cmp.Diff(tc.want.limit, errors.Is(err, ErrLimit)); diff != "" {
				t.Errorf("%s\nerrors.Is(err, ErrLimit): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

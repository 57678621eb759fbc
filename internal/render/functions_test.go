package render

import (
	"slices"
	"testing"

	"github.com/Masterminds/sprig/v3"
	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"
)

// TestEverySprigFunctionIsAudited makes a sprig upgrade that adds a
// function fail until someone decides, in the functions table, whether
// templates may call it, and keeps every line of that table honest.
func TestEverySprigFunctionIsAudited(t *testing.T) {
	allowed := map[string]bool{}
	for _, n := range FunctionNames() {
		allowed[n] = true
	}
	sprigFuncs := sprig.GenericFuncMap()
	for name := range sprigFuncs {
		r, ok := functions[name]
		if !ok {
			t.Errorf("sprig function %q has no rule: decide whether templates may call it, and write down why", name)
			continue
		}
		isRemoved := r.decision == remove
		if isRemoved == allowed[name] {
			t.Errorf("sprig function %q must be either removed (with a reason) or callable, not %s", name, map[bool]string{true: "both", false: "neither"}[isRemoved])
		}
	}
	builtin := map[string]bool{}
	for _, n := range builtinNames {
		builtin[n] = true
	}
	for name, r := range functions {
		_, inSprig := sprigFuncs[name]
		if r.why == "" {
			t.Errorf("the rule for %q must say why", name)
		}
		switch r.decision {
		case keep, bound, remove:
			if !inSprig {
				t.Errorf("the rule for %q keeps, bounds or removes a sprig function that does not exist", name)
			}
		case replace:
			if !inSprig && !builtin[name] {
				t.Errorf("the rule for %q replaces a function that neither sprig nor text/template has", name)
			}
		case add:
			if inSprig || builtin[name] {
				t.Errorf("the rule for %q adds a function that sprig or text/template already has; it replaces it", name)
			}
		}
		if r.decision == bound && r.guard == nil {
			t.Errorf("bounded function %q must have a guard", name)
		}
		if (r.decision == replace || r.decision == add) && r.impl == nil {
			t.Errorf("replaced or added function %q must have an implementation", name)
		}
		if r.decision != remove && !allowed[name] {
			t.Errorf("function %q must be callable", name)
		}
	}
}

func TestForbiddenFunctionsAreAbsent(t *testing.T) {
	forbidden := []string{
		"env", "expandenv", "getHostByName", "now", "ago", "date", "dateInZone", "date_in_zone",
		"htmlDate", "htmlDateInZone", "dateModify", "toDate", "unixEpoch", "durationRound",
		"randAlphaNum", "randAlpha", "randAscii", "randNumeric", "randBytes", "randInt", "shuffle",
		"uuidv4", "genPrivateKey", "genCA", "genCAWithKey", "genSelfSignedCert", "genSelfSignedCertWithKey",
		"genSignedCert", "genSignedCertWithKey", "encryptAES", "decryptAES", "bcrypt", "htpasswd",
		"derivePassword", "buildCustomCert", "osBase", "osDir", "osClean", "osExt", "osIsAbs",
		"set", "unset", "include", "tpl", "readFile", "lookup",
	}
	names := FunctionNames()
	var present []string
	for _, f := range forbidden {
		if slices.Contains(names, f) {
			present = append(present, f)
		}
	}
	if diff := cmp.Diff([]string(nil), present); diff != "" {
		t.Errorf("Functions that read the environment, the filesystem, the network, the clock or randomness must not exist.\n-want, +got:\n%s", diff)
	}
	for _, f := range []string{"toYaml", "fromYaml", "required", "until", "untilStep", "seq", "repeat", "merge", "keys"} {
		if !slices.Contains(names, f) {
			t.Errorf("function %q must be available", f)
		}
	}
}

// TestBoundedFunctionsKeepSprigBehaviour checks that bounded and replaced
// functions still give sprig's results for ordinary input.
func TestBoundedFunctionsKeepSprigBehaviour(t *testing.T) {
	cases := map[string]struct {
		reason string
		leaf   string
		want   string
	}{
		"Until":            {reason: "until counts from zero.", leaf: `{{ until 3 }}`, want: "[0 1 2]"},
		"UntilNegative":    {reason: "until of a negative number counts down.", leaf: `{{ until -3 }}`, want: "[0 -1 -2]"},
		"UntilStep":        {reason: "untilStep steps.", leaf: `{{ untilStep 1 10 3 }}`, want: "[1 4 7]"},
		"UntilStepDown":    {reason: "untilStep steps down.", leaf: `{{ untilStep 10 1 -4 }}`, want: "[10 6 2]"},
		"Seq":              {reason: "seq is inclusive.", leaf: `{{ seq 3 }}`, want: "1 2 3"},
		"SeqStep":          {reason: "seq with a step.", leaf: `{{ seq 10 -3 1 }}`, want: "10 7 4 1"},
		"Repeat":           {reason: "repeat repeats.", leaf: `{{ repeat 3 "ab" }}`, want: "ababab"},
		"Indent":           {reason: "indent pads every line.", leaf: `{{ indent 2 "a\nb" }}`, want: "  a\n  b"},
		"Nindent":          {reason: "nindent starts with a newline.", leaf: `x{{ nindent 2 "a" }}`, want: "x\n  a"},
		"Replace":          {reason: "replace replaces.", leaf: `{{ replace "-" "_" "a-b-c" }}`, want: "a_b_c"},
		"RegexReplaceAll":  {reason: "regexReplaceAll expands references.", leaf: `{{ regexReplaceAll "(\\w+)-(\\w+)" "a-b" "${2}.${1}" }}`, want: "b.a"},
		"Join":             {reason: "join joins.", leaf: `{{ join "," (list "a" 1 true) }}`, want: "a,1,true"},
		"Printf":           {reason: "printf with a small width.", leaf: `{{ printf "%5.1f|%-3s|%%" 3.14159 "a" }}`, want: "  3.1|a  |%"},
		"Uniq":             {reason: "uniq removes duplicates.", leaf: `{{ uniq (list 1 1 2) }}`, want: "[1 2]"},
		"MergeFillsEmpty":  {reason: "merge keeps the first value and fills empty ones, like sprig.", leaf: `={{ merge (dict "a" 1 "b" "") (dict "a" 2 "b" 3 "c" 4) | toJson }}`, want: `={"a":1,"b":3,"c":4}`},
		"MergeOverwrite":   {reason: "mergeOverwrite lets later values win.", leaf: `={{ mergeOverwrite (dict "a" 1 "n" (dict "x" 1)) (dict "a" 2 "n" (dict "y" 2)) | toJson }}`, want: `={"a":2,"n":{"x":1,"y":2}}`},
		"Values":           {reason: "values come in key order.", leaf: `{{ values (dict "b" 2 "a" 1) }}`, want: "[1 2]"},
		"ToYaml":           {reason: "toYaml has no trailing newline.", leaf: `={{ dict "a" 1 | toYaml }}=`, want: "=a: 1="},
		"FromYamlArray":    {reason: "fromYamlArray reads lists.", leaf: `{{ fromYamlArray "[1, 2]" }}`, want: "[1 2]"},
		"IndexMissingKey":  {reason: "index of a missing key gives nothing, so default works with it.", leaf: `{{ index .Labels "nope" | default "none" }}`, want: "none"},
		"Html":             {reason: "The printing built-ins still work.", leaf: `{{ html "<a>" }} {{ print 1 2 }} {{ urlquery "a b" }}`, want: "&lt;a&gt; 1 2 a+b"},
		"RangeOverMapKeys": {reason: "Ranging over a map is sorted by key.", leaf: `{{ range $k, $v := dict "b" 2 "a" 1 }}{{ $k }}{{ $v }}{{ end }}`, want: "a1b2"},
		"RangeElse":        {reason: "An empty range runs its else branch.", leaf: `{{ range list }}x{{ else }}empty{{ end }}`, want: "empty"},
	}
	r := New()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := r.Render(runtime.RawExtension{Raw: []byte(`{"x":` + jsonString(tc.leaf) + `}`)}, vars(), 1<<20)
			if err != nil {
				t.Fatalf("%s\nRender(...): %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want, got["x"]); diff != "" {
				t.Errorf("%s\nRender(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestFunctionNamesAreSortedAndUnique(t *testing.T) {
	names := FunctionNames()
	if !slices.IsSorted(names) || len(names) != len(slices.Compact(slices.Clone(names))) {
		t.Errorf("FunctionNames must be sorted and unique: %v", names)
	}
}

package render

import (
	"reflect"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"
)

// address matches what fmt prints for a pointer: 0x and a dozen hex digits,
// or the same number in decimal, octal or binary, which %d, %o and %b give.
var address = regexp.MustCompile(`0x[0-9a-f]{6,}|[0-9]{9,}`)

// TestNoTemplatePrintsAnAddress renders templates that put the dot, or any
// other value a pointer could hide in, where fmt prints it. An address
// changes from call to call and from replica to replica, so an object
// holding one never settles, and it leaks the function's memory layout.
// Every case must render the same bytes on two fresh renderers and show no
// address, or fail with an error.
func TestNoTemplatePrintsAnAddress(t *testing.T) {
	type want struct {
		out string
		err string
	}
	cases := map[string]struct {
		reason string
		leaf   string
		want   want
	}{
		"DotInADictionary": {
			reason: "The template the fuzzer found: the dot stored in a dictionary and the dictionary printed.",
			leaf:   `{{ $d := dict }}{{range until 010}}{{ $d = dict "0" $}}{{ end }}{{ $d }}`,
		},
		"DotInAList": {
			reason: "fmt prints a pointer inside a list as an address.",
			leaf:   `{{ list $ }}`,
		},
		"DotInAListAsANumber": {
			reason: "%d prints a pointer inside a list as a decimal address.",
			leaf:   `{{ printf "%d" (list $) }}`,
		},
		"DotJoined": {
			reason: "join prints every element with fmt.",
			leaf:   `{{ list $ | join "," }}`,
		},
		"DotConcatenated": {
			reason: "cat prints every argument with fmt.",
			leaf:   `{{ cat (list $.Session) (dict "a" $) }}`,
		},
		"PointerVerb": {
			reason: "%p prints the address of a dictionary or list itself; it is refused.",
			leaf:   `{{ printf "%p" .Labels }}`,
			want:   want{err: `template.x: line 1, column 3: at <printf "%p" .Labels>: error calling printf: printf "%p": the %p verb prints a memory address and is not supported`},
		},
		"PointerVerbWithFlags": {
			reason: "%#p is %p too.",
			leaf:   `{{ printf "%#p" (list 1) }}`,
			want:   want{err: `template.x: line 1, column 3: at <printf "%#p" (list 1)>: error calling printf: printf "%#p": the %p verb prints a memory address and is not supported`},
		},
		"VersionInAListAsANumber": {
			reason: "A version inside a list, printed with %d, is printed field by field rather than as an address.",
			leaf:   `{{ printf "%d" (list (semver "1.2.3")) }}`,
		},
		"VersionPrinted": {
			reason: "A version still prints as itself.",
			leaf:   `{{ semver "1.2.3-rc.1+b5" }}`,
			want:   want{out: "1.2.3-rc.1+b5"},
		},
		"VersionInAList": {
			reason: "A version inside a list prints as itself too.",
			leaf:   `{{ list (semver "1.2.3") }}`,
			want:   want{out: "[1.2.3]"},
		},
		"VersionMethods": {
			reason: "A version keeps the methods sprig documents.",
			leaf:   `{{ $v := semver "1.2.3-rc.1+b5" }}{{ $v.Major }}.{{ $v.Minor }}.{{ $v.Patch }} {{ $v.Prerelease }} {{ $v.Metadata }} {{ $v.Original }} {{ $v.Compare (semver "1.2.2") }}`,
			want:   want{out: "1.2.3 rc.1 b5 1.2.3-rc.1+b5 1"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			raw := runtime.RawExtension{Raw: []byte(`{"x":` + jsonString(tc.leaf) + `}`)}
			first, err := New().Render(raw, vars(), 1<<20)
			again, _ := New().Render(raw, vars(), 1<<20)
			if diff := cmp.Diff(first, again); diff != "" {
				t.Errorf("%s\nRender(...) twice: -first, +again:\n%s", tc.reason, diff)
			}
			var gotErr string
			if err != nil {
				gotErr = err.Error()
			}
			if diff := cmp.Diff(tc.want.err, gotErr); tc.want.err != "" && diff != "" {
				t.Errorf("%s\nRender(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if tc.want.err == "" && err != nil {
				t.Fatalf("%s\nRender(...): %v", tc.reason, err)
			}
			out, _ := first["x"].(string)
			if address.MatchString(out) {
				t.Errorf("%s\nRender(...) = %q, which holds an address", tc.reason, out)
			}
			if tc.want.out != "" {
				if diff := cmp.Diff(tc.want.out, out); diff != "" {
					t.Errorf("%s\nRender(...): -want, +got:\n%s", tc.reason, diff)
				}
			}
		})
	}
}

// TestNoValueHoldsAPointer is why no template can print an address: the dot
// holds no pointer, and no function a template can call returns a type
// that does. A function returning an interface passes on its arguments or
// decoded JSON and YAML, which hold none either. A function added to the
// table that returns a pointer fails here until it returns a value.
func TestNoValueHoldsAPointer(t *testing.T) {
	if p := pointerIn(reflect.TypeFor[variables](), nil); p != "" {
		t.Errorf("The dot holds a pointer at %s", p)
	}
	for name, fn := range baseFuncs() {
		ft := reflect.TypeOf(fn)
		if p := pointerIn(ft.Out(0), nil); p != "" {
			t.Errorf("Function %q returns %s, which holds a pointer at %s", name, ft.Out(0), p)
		}
	}
}

// pointerIn returns where in t a pointer (or a func, channel or unsafe
// pointer, which fmt also prints as addresses) can be, or "".
func pointerIn(t reflect.Type, seen map[reflect.Type]bool) string {
	if seen == nil {
		seen = map[reflect.Type]bool{}
	}
	if seen[t] {
		return ""
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.UnsafePointer, reflect.Func, reflect.Chan:
		return t.String()
	case reflect.Slice, reflect.Array:
		return pointerIn(t.Elem(), seen)
	case reflect.Map:
		if p := pointerIn(t.Key(), seen); p != "" {
			return p
		}
		return pointerIn(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if p := pointerIn(t.Field(i).Type, seen); p != "" {
				return t.String() + "." + t.Field(i).Name + ": " + p
			}
		}
	}
	return ""
}

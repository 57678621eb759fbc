package glob

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMatch(t *testing.T) {
	type want struct {
		match bool
		err   bool
	}
	cases := map[string]struct {
		reason  string
		pattern string
		name    string
		want    want
	}{
		"ExactMatches": {
			reason:  "A pattern without metacharacters matches only the same name.",
			pattern: "prod-cluster-a", name: "prod-cluster-a",
			want: want{match: true},
		},
		"ExactIsCaseSensitive": {
			reason:  "Cluster names are compared exactly.",
			pattern: "Prod-Cluster-A", name: "prod-cluster-a",
			want: want{match: false},
		},
		"StarMatchesSuffix": {
			reason:  "prod-* matches every production cluster.",
			pattern: "prod-*", name: "prod-cluster-a",
			want: want{match: true},
		},
		"StarMatchesEmpty": {
			reason:  "A star matches an empty run of characters.",
			pattern: "prod-*", name: "prod-",
			want: want{match: true},
		},
		"StarMatchesSlash": {
			reason:  "Names are not paths, so a star matches a slash too.",
			pattern: "oidc:*", name: "oidc:/team/a",
			want: want{match: true},
		},
		"StarIsAnchored": {
			reason:  "A pattern must match the whole name, not a part of it.",
			pattern: "prod-*", name: "preprod-cluster",
			want: want{match: false},
		},
		"QuestionMatchesOne": {
			reason:  "? matches exactly one character.",
			pattern: "node-?", name: "node-12",
			want: want{match: false},
		},
		"ClassRange": {
			reason:  "A class with a range matches any character in it.",
			pattern: "node-[0-3]", name: "node-2",
			want: want{match: true},
		},
		"NegatedClass": {
			reason:  "A class starting with ! matches characters outside it.",
			pattern: "node-[!0-3]", name: "node-2",
			want: want{match: false},
		},
		"DotIsLiteral": {
			reason:  "Regular expression characters are literal in a glob.",
			pattern: "a.b*", name: "axb",
			want: want{match: false},
		},
		"UnterminatedClassIsInvalid": {
			reason:  "An invalid pattern matches nothing and says why.",
			pattern: "node-[0-3", name: "node-[0-3",
			want: want{match: false, err: true},
		},
		"StrayBracketIsInvalid": {
			reason:  "A closing bracket without an opening one is invalid.",
			pattern: "node-]*", name: "node-]",
			want: want{match: false, err: true},
		},
		"BadRangeIsInvalid": {
			reason:  "A reversed range is rejected by the regular expression compiler.",
			pattern: "node-[9-0]*", name: "node-5",
			want: want{match: false, err: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Match(tc.pattern, tc.name)
			if diff := cmp.Diff(tc.want, want{match: got, err: err != nil}, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nMatch(%q, %q): -want, +got:\n%s (err: %v)", tc.reason, tc.pattern, tc.name, diff, err)
			}
		})
	}
}

func TestMatchFold(t *testing.T) {
	cases := map[string]struct {
		reason  string
		pattern string
		name    string
		want    bool
	}{
		"ExactIgnoresCase": {
			reason:  "An identity without metacharacters matches whatever its case.",
			pattern: "Alice@Example.com", name: "alice@example.com",
			want: true,
		},
		"GlobKeepsCase": {
			reason:  "A glob is matched as written.",
			pattern: "*@Example.com", name: "alice@example.com",
			want: false,
		},
		"GlobMatches": {
			reason:  "A glob matches every identity of a domain.",
			pattern: "*@example.com", name: "alice@example.com",
			want: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, _ := MatchFold(tc.pattern, tc.name)
			if got != tc.want {
				t.Errorf("%s\nMatchFold(%q, %q) = %v, want %v", tc.reason, tc.pattern, tc.name, got, tc.want)
			}
		})
	}
}

func TestLiteral(t *testing.T) {
	cases := map[string]struct {
		reason  string
		pattern string
		want    int
	}{
		"Exact":     {reason: "Every character of an exact name is literal.", pattern: "prod-a", want: 6},
		"Star":      {reason: "A lone star has no literal part.", pattern: "*", want: 0},
		"Prefix":    {reason: "Metacharacters do not count.", pattern: "prod-*", want: 5},
		"ClassSkip": {reason: "A character class counts as no literal.", pattern: "node-[0-9]", want: 5},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := Literal(tc.pattern); got != tc.want {
				t.Errorf("%s\nLiteral(%q) = %d, want %d", tc.reason, tc.pattern, got, tc.want)
			}
		})
	}
}

func TestRegexp(t *testing.T) {
	cases := map[string]struct {
		reason  string
		pattern string
		want    string
	}{
		"Anchored": {reason: "The expression must match whole names for CEL matches().", pattern: "worker-*", want: `^worker-.*$`},
		"Quoted":   {reason: "Dots are escaped.", pattern: "a.b?", want: `^a\.b.$`},
		"Class":    {reason: "A negated class becomes an RE2 negated class.", pattern: "n[!ab]", want: `^n[^ab]$`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Regexp(tc.pattern)
			if err != nil {
				t.Fatalf("%s\nRegexp(%q): %v", tc.reason, tc.pattern, err)
			}
			if got != tc.want {
				t.Errorf("%s\nRegexp(%q) = %q, want %q", tc.reason, tc.pattern, got, tc.want)
			}
		})
	}
}

func FuzzMatch(f *testing.F) {
	for _, s := range []string{"prod-*", "[a-", "[!]]x", "?*?", `\`, "]"} {
		f.Add(s, "prod-cluster-a")
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		a, errA := Match(pattern, name)
		b, errB := Match(pattern, name)
		if a != b || (errA == nil) != (errB == nil) {
			t.Fatalf("Match(%q, %q) is not deterministic", pattern, name)
		}
		if errA != nil && a {
			t.Fatalf("Match(%q, %q) matched although the pattern is invalid", pattern, name)
		}
	})
}

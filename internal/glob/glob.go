// Package glob matches names against shell-style patterns: `*` (any run of
// characters, including none), `?` (one character) and `[...]` (a character
// class, negated by a leading `!` or `^`, with ranges like `a-z`).
//
// Unlike path.Match, `*` also matches `/`: cluster, user and group names are
// not paths. A pattern is translated to an anchored RE2 expression, which is
// also the form the admission policy's CEL `matches()` needs.
package glob

import (
	"regexp"
	"strings"
	"sync"

	"github.com/crossplane/function-sdk-go/errors"
)

// HasMeta reports whether pattern contains glob metacharacters. A pattern
// without them is matched exactly.
func HasMeta(pattern string) bool {
	return strings.ContainsAny(pattern, "*?[")
}

// Literal returns the number of non-metacharacter characters in pattern. It
// measures how specific a valid pattern is: "prod-*" is more specific than
// "p*".
func Literal(pattern string) int {
	n := 0
	inClass := false
	for _, r := range pattern {
		switch {
		case inClass:
			if r == ']' {
				inClass = false
			}
		case r == '[':
			inClass = true
		case r == '*' || r == '?':
		default:
			n++
		}
	}
	return n
}

// Regexp translates pattern into an anchored RE2 expression.
func Regexp(pattern string) (string, error) {
	var b strings.Builder
	b.WriteString("^")
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			end := classEnd(rs, i)
			if end < 0 {
				return "", errors.Errorf("invalid glob %q: unterminated character class", pattern)
			}
			class := rs[i+1 : end]
			b.WriteString("[")
			if class[0] == '!' || class[0] == '^' {
				b.WriteString("^")
				class = class[1:]
			}
			for _, c := range class {
				if c == '\\' || c == '[' || c == ']' || c == '^' {
					b.WriteRune('\\')
				}
				b.WriteRune(c)
			}
			b.WriteString("]")
			i = end
		case ']':
			return "", errors.Errorf("invalid glob %q: unexpected ']'", pattern)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	if _, err := regexp.Compile(b.String()); err != nil {
		return "", errors.Wrapf(err, "invalid glob %q", pattern)
	}
	return b.String(), nil
}

// classEnd returns the index of the ']' that closes the class opened at
// start, or -1. A ']' right after the opening (or after its negation) is a
// literal, as in shells; an empty class is invalid.
func classEnd(rs []rune, start int) int {
	i := start + 1
	if i < len(rs) && (rs[i] == '!' || rs[i] == '^') {
		i++
	}
	if i < len(rs) && rs[i] == ']' {
		i++
	}
	for ; i < len(rs); i++ {
		if rs[i] == ']' {
			if i == start+1 {
				return -1
			}
			return i
		}
	}
	return -1
}

var cache sync.Map // pattern → *regexp.Regexp or error

func compile(pattern string) (*regexp.Regexp, error) {
	if v, ok := cache.Load(pattern); ok {
		if err, isErr := v.(error); isErr {
			return nil, err
		}
		return v.(*regexp.Regexp), nil //nolint:forcetypeassert // Only two types are ever stored.
	}
	expr, err := Regexp(pattern)
	if err != nil {
		cache.Store(pattern, err)
		return nil, err
	}
	re := regexp.MustCompile(expr)
	cache.Store(pattern, re)
	return re, nil
}

// Validate returns an error if pattern is not a valid glob.
func Validate(pattern string) error {
	_, err := compile(pattern)
	return err
}

// Match reports whether name matches pattern. An invalid pattern matches
// nothing and returns an error saying why.
func Match(pattern, name string) (bool, error) {
	if !HasMeta(pattern) {
		return pattern == name, nil
	}
	re, err := compile(pattern)
	if err != nil {
		return false, err
	}
	return re.MatchString(name), nil
}

// MatchFold is Match, except that a pattern without metacharacters matches
// case-insensitively. Identities such as e-mail addresses are compared this
// way.
func MatchFold(pattern, name string) (bool, error) {
	if !HasMeta(pattern) {
		return strings.EqualFold(pattern, name), nil
	}
	return Match(pattern, name)
}

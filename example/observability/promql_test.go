package observability

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// checkPromQL checks an expression's structure without a PromQL parser:
// brackets balance and strings close, every label matcher and range is well
// formed, and every metric it names is one the function serves (with the
// suffixes of a histogram) or one of the SDK's gRPC server metrics. The
// Prometheus module, which has the parser, would upgrade gRPC, OpenTelemetry
// and golang.org/x modules of this module's graph; promtool, built apart by
// hack/promtool.sh, parses the alert rules for real.
func checkPromQL(expr string, known map[string]bool) error {
	if strings.TrimSpace(expr) == "" {
		return fmt.Errorf("empty expression")
	}
	code, groups, err := scan(expr)
	if err != nil {
		return err
	}
	for _, g := range groups {
		switch g.open {
		case '{':
			if err := checkMatchers(g.body); err != nil {
				return err
			}
		case '[':
			if !rangeRE.MatchString(g.body) {
				return fmt.Errorf("%q is not a range or subquery such as [5m] or [1h:5m]", "["+g.body+"]")
			}
		}
	}
	for _, name := range metricRE.FindAllString(code, -1) {
		if !servedMetric(name, known) {
			return fmt.Errorf("metric %s is not served by the function", name)
		}
	}
	return nil
}

var (
	metricRE  = regexp.MustCompile(`\b(debug_session|grpc_server)_[a-z_]+\b`)
	rangeRE   = regexp.MustCompile(`^\s*\d+(ms|s|m|h|d|w|y)(\s*:\s*(\d+(ms|s|m|h|d|w|y))?)?\s*$`)
	matcherRE = regexp.MustCompile(`^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=~|!~|!=|=)\s*"[^"]*"\s*$`)
	// grpcMetrics are the SDK's server metrics the examples use.
	grpcMetrics = map[string]bool{"grpc_server_handled_total": true, "grpc_server_handling_seconds_bucket": true}
)

func servedMetric(name string, known map[string]bool) bool {
	if grpcMetrics[name] || known[name] {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && known[base] {
			return true
		}
	}
	return false
}

// A bracketed is the text between a pair of brackets, strings included.
type bracketed struct {
	open byte
	body string
}

// scan returns expr without its string literals, and what every pair of
// brackets encloses, or why the brackets or strings do not match.
func scan(expr string) (string, []bracketed, error) {
	pairs := map[byte]byte{')': '(', ']': '[', '}': '{'}
	var code strings.Builder
	var stack []int
	var groups []bracketed
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch c {
		case '"', '\'', '`':
			end := closing(expr, i)
			if end < 0 {
				return "", nil, fmt.Errorf("string at %d does not close", i)
			}
			i = end
			code.WriteByte(' ')
			continue
		case '(', '[', '{':
			stack = append(stack, i)
		case ')', ']', '}':
			if len(stack) == 0 || expr[stack[len(stack)-1]] != pairs[c] {
				return "", nil, fmt.Errorf("%q at %d matches nothing", c, i)
			}
			start := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			groups = append(groups, bracketed{open: expr[start], body: expr[start+1 : i]})
		}
		code.WriteByte(c)
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("%q at %d does not close", expr[stack[len(stack)-1]], stack[len(stack)-1])
	}
	return code.String(), groups, nil
}

// closing returns the index of the quote that closes the string opening at
// i, or -1. Backquoted strings have no escapes.
func closing(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch {
		case s[j] == '\\' && q != '`':
			j++
		case s[j] == q:
			return j
		}
	}
	return -1
}

func checkMatchers(body string) error {
	var parts []string
	start := 0
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '"':
			i = closing(body, i)
			if i < 0 {
				return fmt.Errorf("string in {%s} does not close", body)
			}
		case ',':
			parts = append(parts, body[start:i])
			start = i + 1
		}
	}
	parts = append(parts, body[start:])
	for _, p := range parts {
		if strings.TrimSpace(p) == "" {
			continue
		}
		if !matcherRE.MatchString(p) {
			return fmt.Errorf("%q is not a label matcher", strings.TrimSpace(p))
		}
	}
	return nil
}

func TestCheckPromQL(t *testing.T) {
	known := map[string]bool{"debug_session_calls_total": true, "debug_session_step_duration_seconds": true}
	cases := map[string]struct {
		reason string
		expr   string
		ok     bool
	}{
		"Valid":             {reason: "A well formed expression passes.", expr: `sum by (result) (rate(debug_session_calls_total{result="fatal",x!~"a,b"}[5m])) > 0`, ok: true},
		"HistogramSuffix":   {reason: "A histogram is queried by its _bucket series.", expr: `histogram_quantile(0.99, sum by (le) (rate(debug_session_step_duration_seconds_bucket[1h:5m])))`, ok: true},
		"UnknownMetric":     {reason: "A metric the function does not serve is a typo.", expr: `rate(debug_session_call_total[5m])`},
		"Unbalanced":        {reason: "A missing parenthesis is caught.", expr: `sum(rate(debug_session_calls_total[5m])`},
		"Mismatched":        {reason: "Brackets must pair with their own kind.", expr: `sum(debug_session_calls_total]`},
		"BadRange":          {reason: "A range must be a duration.", expr: `rate(debug_session_calls_total[5 minutes])`},
		"BadMatcher":        {reason: "A matcher needs an operator and a quoted value.", expr: `debug_session_calls_total{result=fatal}`},
		"UnclosedString":    {reason: "A string must close.", expr: `debug_session_calls_total{result="fatal}`},
		"BracketsInStrings": {reason: "Brackets inside strings do not count.", expr: `debug_session_calls_total{result=~"(a|b]"}`, ok: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := checkPromQL(tc.expr, known)
			if (err == nil) != tc.ok {
				t.Errorf("%s\ncheckPromQL(%q): want ok %v, got error %v", tc.reason, tc.expr, tc.ok, err)
			}
		})
	}
}

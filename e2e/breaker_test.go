//go:build e2e

package e2e

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// crossplaneMetrics is where Crossplane core serves its metrics: its default
// port, on the stack's network namespace, where only loopback exists.
const crossplaneMetrics = "127.0.0.1:8080"

// Crossplane's counts of XR watch circuit breakers that opened, and of the
// watch events they handled.
const (
	breakerOpens  = "circuit_breaker_opens_total"
	breakerEvents = "circuit_breaker_events_total"
)

// breakerStayedClosed fails the run when Crossplane opened the watch circuit
// breaker of any session. An open breaker drops the session's watch events
// for minutes and lets one through every 30 s, so everything the tests time
// would be late for a reason no single test shows. hack/e2e/up.sh starts
// Crossplane with the circuit-breaker settings the README recommends; a
// session that still trips them makes more events than the README says it
// does.
func breakerStayedClosed() error {
	m, err := scrapeAt(crossplaneMetrics)
	if err != nil {
		return fmt.Errorf("cannot read Crossplane's metrics to check its watch circuit breakers: %w", err)
	}
	opens, events := 0.0, 0.0
	for series, v := range m {
		switch {
		case strings.HasPrefix(series, breakerOpens+"{"):
			opens += v
		case strings.HasPrefix(series, breakerEvents+"{"):
			events += v
		}
	}
	// A counter with labels has no series until it first counts, so no
	// opens alone cannot tell a closed breaker from a renamed metric; every
	// session's watch events are counted, opened or not.
	if events == 0 {
		return fmt.Errorf("Crossplane's metrics have no %s: cannot tell whether any session's watch circuit breaker opened", breakerEvents)
	}
	if opens == 0 {
		return nil
	}
	return fmt.Errorf("Crossplane opened the watch circuit breaker %v time(s) during the run (%s); sessions it opened for, and the watched object that sent most events: %s",
		opens, breakerOpens, strings.Join(openBreakers(), "; "))
}

// openBreakerLine picks the XR and the trigger out of Crossplane's log line
// for a reconcile while its breaker is open.
var openBreakerLine = regexp.MustCompile(`Circuit breaker is open.*"request": \{"name":"([^"]*)"(?:,"namespace":"([^"]*)")?\}.*"triggered-by": "([^"]*)"`)

// openBreakers lists, from crossplane.log, each session whose breaker was
// open and what triggered it; the log is the only place that names them.
func openBreakers() []string {
	f, err := os.Open(filepath.Join(os.Getenv("E2E_LOGS"), "crossplane.log"))
	if err != nil {
		return []string{fmt.Sprintf("(cannot read crossplane.log: %v)", err)}
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for sc.Scan() {
		m := openBreakerLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		s := m[1] + " by " + m[3]
		if m[2] != "" {
			s = m[2] + "/" + s
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return []string{"(none named in crossplane.log)"}
	}
	return out
}

// responsive describes the Responsive condition Crossplane keeps on s: False
// with reason WatchCircuitOpen while its watch circuit breaker is open.
func responsive(t *testing.T, s *v1alpha1.DebugSession) string {
	t.Helper()
	u := &unstructured.Unstructured{}
	if !admin.Get(t, &u.Object, sessionArgs(s)...) {
		return "the session does not exist"
	}
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		c, _ := c.(map[string]any)
		if c["type"] == "Responsive" {
			return fmt.Sprintf("Responsive %v (%v: %v)", c["status"], c["reason"], c["message"])
		}
	}
	return "no Responsive condition"
}

//go:build e2e

package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// defaultMetricsAddress is where hack/e2e/up.sh has the function serve its
// metrics (--metrics-address); E2E_FUNCTION_METRICS overrides it.
const defaultMetricsAddress = "127.0.0.1:18080"

// TestMetricsAndAuditRecord drives a session through New → … → Active →
// Terminated and finds its transitions in the function's metrics and its
// audit records in the function's log. Metrics carry no session names, and
// other tests run at the same time, so the test compares counters before and
// after and asks only that they grew by at least its own transitions.
func TestMetricsAndAuditRecord(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "lifecycle.yaml")
	before := scrape(t)

	// The cluster-scoped twin: with Local delivery, Crossplane composes the
	// session's cluster-scoped admission policies only for a cluster-scoped
	// XR.
	s := clusterSession("metrics-alice", "e2e-lifecycle", alice)
	create(t, alice, s)
	waitForState(t, s, v1alpha1.StateActive)
	if err := patchSession(alice, s, `{"terminate":true}`); err != nil {
		t.Fatalf("alice cannot terminate her own session: %v", err)
	}
	waitForState(t, s, v1alpha1.StateTerminated)

	template := configNamespace + "/e2e-lifecycle"
	grew := []string{
		`debug_session_transitions_total{from="Active",reason="Terminated",to="Terminated"}`,
		fmt.Sprintf(`debug_session_template_transitions_total{template=%q,to="Active"}`, template),
		fmt.Sprintf(`debug_session_template_transitions_total{template=%q,to="Terminated"}`, template),
		fmt.Sprintf(`debug_session_cluster_transitions_total{cluster=%q,to="Active"}`, cluster),
		`debug_session_calls_total{result="decided"}`,
		`debug_session_time_to_active_seconds_count`,
	}
	// The counters are updated before the response that carries the state
	// reaches the API server, but allow a scrape or two of slack.
	eventually(t, 30*time.Second, "the session's transitions in the function's metrics", func() (bool, string, error) {
		after := scrape(t)
		for _, series := range grew {
			if after[series] < before[series]+1 {
				return false, fmt.Sprintf("%s went from %v to %v", series, before[series], after[series]), nil
			}
		}
		return true, "", nil
	})

	recs := auditRecords(t, s.Name)
	var path []string
	for _, r := range recs {
		path = append(path, fmt.Sprint(r["to"]))
		if r["requester"] != alice.name || r["cluster"] != cluster || r["template"] != template {
			t.Errorf("audit record without the session's requester, cluster or template: %v", r)
		}
	}
	if len(path) < 2 || path[len(path)-1] != string(v1alpha1.StateTerminated) || !slices.Contains(path, string(v1alpha1.StateActive)) {
		t.Errorf("audit records of %s: want transitions through Active to Terminated, got %v", s.Name, path)
	}
}

// scrape reads the function's metrics as series → value, the series written
// as in the exposition format: name{labels}.
func scrape(t *testing.T) map[string]float64 {
	t.Helper()
	addr := os.Getenv("E2E_FUNCTION_METRICS")
	if addr == "" {
		addr = defaultMetricsAddress
	}
	out, err := scrapeAt(addr)
	if err != nil {
		t.Fatalf("cannot scrape the function's metrics (hack/e2e/up.sh --metrics-address): %v", err)
	}
	return out
}

// scrapeAt reads the Prometheus text at addr into a map from series (name and
// labels, as written) to value.
func scrapeAt(addr string) (map[string]float64, error) {
	c := &http.Client{Timeout: 10 * time.Second}
	rsp, err := c.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil, err
	}
	defer rsp.Body.Close()
	if rsp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d", addr, rsp.StatusCode)
	}
	b, err := io.ReadAll(rsp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", addr, err)
	}
	out := map[string]float64{}
	for _, l := range strings.Split(string(b), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		i := strings.LastIndexByte(l, ' ')
		v, err := strconv.ParseFloat(l[i+1:], 64)
		if i < 0 || err != nil {
			continue
		}
		out[l[:i]] = v
	}
	return out, nil
}

// auditRecords returns the audit records of session (namespace/name, or the
// name of a cluster-scoped one) from the function's log. hack/e2e/up.sh runs the function with --debug, whose console encoder
// writes the message and then the fields as one JSON object; without it the
// whole line is JSON.
func auditRecords(t *testing.T, session string) []map[string]any {
	t.Helper()
	logs, err := env("E2E_LOGS")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(logs, "function.log"))
	if err != nil {
		t.Fatalf("cannot read the function's log: %v", err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if !strings.Contains(l, "DebugSession transition") || !strings.Contains(l, `"`+session+`"`) {
			continue
		}
		i := strings.IndexByte(l, '{')
		rec := map[string]any{}
		if i < 0 {
			t.Errorf("audit line without fields: %s", l)
			continue
		}
		if err := json.Unmarshal([]byte(l[i:]), &rec); err != nil {
			t.Errorf("audit line is not JSON: %v\n%s", err, l)
			continue
		}
		if rec["session"] == session {
			out = append(out, rec)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

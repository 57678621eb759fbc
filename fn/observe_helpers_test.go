package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/k8s-breakglass/function-debug-session/internal/telemetry"
)

// answeredResources are the required resources of a session of template
// netops-debug on a cluster without a ClusterConfig and with no bindings.
func answeredResources() map[string]*fnv1.Resources {
	return map[string]*fnv1.Resources{
		"template":                   items(template()),
		"cluster-config":             items(),
		"bindings-breakglass-system": items(),
		"pod-template":               items(podTemplate()),
	}
}

func clusterConfig() map[string]any {
	return map[string]any{
		"apiVersion": "breakglass.telekom.de/v1alpha1",
		"kind":       "ClusterConfig",
		"metadata":   map[string]any{"name": "prod-cluster-a", "namespace": "breakglass-system"},
		"spec":       map[string]any{"environment": "production"},
	}
}

// gathered lists the nonzero counters and gauges of the function's domain
// metrics as "name{labels} value", without the debug_session_ prefix,
// sorted. Histograms and the render cache are left out: their values
// depend on timing and on what earlier calls parsed.
func gathered(t *testing.T, reg prometheus.Gatherer) []string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, mf := range mfs {
		name := strings.TrimPrefix(mf.GetName(), "debug_session_")
		if name == mf.GetName() || strings.HasPrefix(name, "render_cache_") {
			continue
		}
		for _, m := range mf.GetMetric() {
			var v float64
			switch {
			case m.GetCounter() != nil:
				v = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				v = m.GetGauge().GetValue()
			default:
				continue
			}
			if v == 0 {
				continue
			}
			out = append(out, fmt.Sprintf("%s{%s} %g", name, labels(m.GetLabel()), v))
		}
	}
	sort.Strings(out)
	return out
}

func labels(ls []*dto.LabelPair) string {
	parts := make([]string, 0, len(ls))
	for _, l := range ls {
		parts = append(parts, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
	}
	return strings.Join(parts, ",")
}

// stepsObserved lists the pipeline steps the registry has a sample of.
func stepsObserved(t *testing.T, reg prometheus.Gatherer) []string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, mf := range mfs {
		if mf.GetName() != "debug_session_step_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			out = append(out, m.GetLabel()[0].GetValue())
		}
	}
	return out
}

// audited digests the audit lines among log lines as "from → to (reason)
// refusal", checking that each names the session and its requester and
// carries the schema.
func audited(t *testing.T, lines []string) []string {
	t.Helper()
	var out []string
	for _, l := range lines {
		rec := map[string]any{}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("log line is not JSON: %v\n%s", err, l)
		}
		if rec["msg"] != telemetry.AuditMessage {
			continue
		}
		if rec["audit"] != telemetry.AuditSchema || rec["session"] != "team-a/inc-1234" || rec["requester"] != "alice@example.com" {
			t.Errorf("audit line without its schema, session or requester: %s", l)
		}
		d := fmt.Sprintf("%s → %s (%s)", rec["from"], rec["to"], rec["reason"])
		if r, _ := rec["refusal"].(string); r != "" {
			d += " " + r
		}
		out = append(out, d)
	}
	return out
}

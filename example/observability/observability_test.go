// Package observability holds the example dashboard and alerts; its tests
// check that they parse and refer only to metrics the function serves.
package observability

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/yaml"

	"github.com/k8s-breakglass/function-debug-session/internal/render"
	"github.com/k8s-breakglass/function-debug-session/internal/telemetry"
)

type rule struct {
	Alert       string            `json:"alert"`
	Expr        string            `json:"expr"`
	For         string            `json:"for,omitempty"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

type group struct {
	Name  string `json:"name"`
	Rules []rule `json:"rules"`
}

type prometheusRule struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string            `json:"name"`
		Namespace string            `json:"namespace"`
		Labels    map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		Groups []group `json:"groups"`
	} `json:"spec"`
}

func TestPrometheusRule(t *testing.T) {
	b, err := os.ReadFile("prometheusrule.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var pr prometheusRule
	if err := yaml.UnmarshalStrict(b, &pr); err != nil {
		t.Fatalf("prometheusrule.yaml does not parse: %v", err)
	}
	if pr.APIVersion != "monitoring.coreos.com/v1" || pr.Kind != "PrometheusRule" {
		t.Errorf("want a monitoring.coreos.com/v1 PrometheusRule, got %s %s", pr.APIVersion, pr.Kind)
	}
	docs := headings(t)
	known := metricNames(t)
	var alerts []string
	for _, g := range pr.Spec.Groups {
		for _, r := range g.Rules {
			alerts = append(alerts, r.Alert)
			if err := checkPromQL(r.Expr, known); err != nil {
				t.Errorf("alert %s: expr: %v", r.Alert, err)
			}
			if !slices.Contains([]string{"info", "warning", "critical"}, r.Labels["severity"]) {
				t.Errorf("alert %s: severity %q is not info, warning or critical", r.Alert, r.Labels["severity"])
			}
			if r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("alert %s: needs a summary and a description", r.Alert)
			}
			anchor := strings.ToLower(r.Alert)
			if !strings.HasSuffix(r.Annotations["runbook_url"], "docs/observability.md#"+anchor) || !docs[anchor] {
				t.Errorf("alert %s: runbook_url %q must point to a section ### %s of docs/observability.md", r.Alert, r.Annotations["runbook_url"], r.Alert)
			}
		}
	}
	want := []string{"DebugSessionDeniedSpike", "DebugSessionFailed", "DebugSessionFunctionErrors", "DebugSessionRenderFailures", "DebugSessionStuckPendingApproval"}
	slices.Sort(alerts)
	if diff := cmp.Diff(want, alerts); diff != "" {
		t.Errorf("The alerts the documentation promises: -want, +got:\n%s", diff)
	}
	promtoolCheck(t, pr.Spec.Groups)
}

// promtoolCheck runs promtool check rules on the groups when PROMTOOL names
// a promtool binary (hack/promtool.sh builds one); the Prometheus module is
// not in this module's graph, so the PromQL parser is only here through it.
func promtoolCheck(t *testing.T, groups []group) {
	t.Helper()
	promtool := os.Getenv("PROMTOOL")
	if promtool == "" {
		t.Log("PROMTOOL is not set: the rules were checked structurally only")
		return
	}
	b, err := yaml.Marshal(map[string]any{"groups": groups})
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool, "check", "rules", f).CombinedOutput(); err != nil {
		t.Errorf("promtool check rules: %v\n%s", err, out)
	}
}

type dashboard struct {
	UID    string `json:"uid"`
	Title  string `json:"title"`
	Panels []struct {
		ID      int    `json:"id"`
		Title   string `json:"title"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

func TestDashboard(t *testing.T) {
	b, err := os.ReadFile("dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("dashboard.json does not parse: %v", err)
	}
	if d.UID == "" || d.Title == "" || len(d.Panels) == 0 {
		t.Fatalf("the dashboard needs a uid, a title and panels")
	}
	known := metricNames(t)
	// Grafana replaces its variables before Prometheus sees the query.
	vars := strings.NewReplacer("$__rate_interval", "5m", "$template", ".*", "$cluster", ".*")
	ids := map[int]bool{}
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel %q: id %d is used twice", p.Title, p.ID)
		}
		ids[p.ID] = true
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			if err := checkPromQL(vars.Replace(tg.Expr), known); err != nil {
				t.Errorf("panel %q: %v", p.Title, err)
			}
		}
	}
}

func TestDocsListEveryMetric(t *testing.T) {
	b, err := os.ReadFile("../../docs/observability.md")
	if err != nil {
		t.Fatal(err)
	}
	for name := range metricNames(t) {
		if !strings.Contains(string(b), "`"+name+"`") {
			t.Errorf("docs/observability.md does not list %s", name)
		}
	}
}

// headings are the anchors of docs/observability.md's ### headings.
func headings(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile("../../docs/observability.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		if h, ok := strings.CutPrefix(l, "### "); ok {
			out[strings.ToLower(strings.TrimSpace(h))] = true
		}
	}
	return out
}

// collecting is a Registerer that keeps what is registered with it.
type collecting struct {
	prometheus.Registerer
	cs []prometheus.Collector
}

func (c *collecting) MustRegister(cs ...prometheus.Collector) { c.cs = append(c.cs, cs...) }

var fqName = regexp.MustCompile(`fqName: "([^"]+)"`)

// metricNames are the names of every metric the function serves besides the
// SDK's gRPC metrics, read from the collectors' descriptions.
func metricNames(t *testing.T) map[string]bool {
	t.Helper()
	reg := &collecting{}
	telemetry.NewMetrics(reg, telemetry.WithRenderCache(func() render.CacheStats { return render.CacheStats{} }))
	out := map[string]bool{}
	for _, c := range reg.cs {
		ch := make(chan *prometheus.Desc, 16)
		c.Describe(ch)
		close(ch)
		for d := range ch {
			m := fqName.FindStringSubmatch(d.String())
			if m == nil {
				t.Fatalf("cannot read the name of %s", d)
			}
			out[m[1]] = true
		}
	}
	return out
}

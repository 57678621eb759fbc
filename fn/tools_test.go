package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/k8s-breakglass/function-debug-session/internal/explain"
)

var update = flag.Bool("update", false, "rewrite the golden files of the tools tests")

// exampleFiles is the files of one example, as `crossplane render` takes them.
func exampleFiles(name string) (xr string, files []string) {
	dir := filepath.Join("..", "example", name)
	files = []string{filepath.Join(dir, "required.yaml"), filepath.Join("..", "example", "install", "composition.yaml")}
	if _, err := os.Stat(filepath.Join(dir, "composition.yaml")); err == nil {
		files[1] = filepath.Join(dir, "composition.yaml")
	}
	return filepath.Join(dir, "xr.yaml"), files
}

func TestExplainTrace(t *testing.T) {
	type want struct {
		state    string
		bindings []explain.Binding
		pick     string
	}
	cases := map[string]struct {
		reason string
		want   want
	}{
		"netops-active": {
			reason: "With no binding for the template, the template applies alone.",
			want: want{state: "Pending",
				pick: "no binding applies to cluster prod-cluster-a: the template applies alone (its spec.allowed.clusters admits the cluster)"},
		},
		"binding-tenant-isolation": {
			reason: "Tenant A's binding matches its cluster by selector and is picked; tenant B's does not match.",
			want: want{state: "Pending",
				bindings: []explain.Binding{
					{Name: "breakglass-system/tenant-a-debug", Applies: true, Why: "matched by clusterSelector", Admitted: true, Role: "picked"},
					{Name: "breakglass-system/tenant-b-debug", Why: "spec.clusterSelector does not match cluster tenant-a-prod"},
				},
				pick: "breakglass-system/tenant-a-debug: the first candidate in pick order (priority, then specificity, then namespace/name) that admits the requester"},
		},
		"binding-production-defaults": {
			reason: "The higher-priority production binding wins over the more specific one.",
			want: want{state: "Pending",
				bindings: []explain.Binding{
					{Name: "breakglass-system/production-defaults", Priority: 100, Applies: true, Why: "matched by clusterSelector", Admitted: true, Role: "picked"},
					{Name: "breakglass-system/prod-cluster-a-specific", Priority: 50, Applies: true, Why: `matched by clusters[0] "prod-cluster-a" (exact cluster name)`, Admitted: true},
				},
				pick: "breakglass-system/production-defaults: the first candidate in pick order (priority, then specificity, then namespace/name) that admits the requester"},
		},
		"binding-template-selector": {
			reason: "A binding that selects the template by label is a candidate like one that names it; a selector of other labels is not a binding of the template.",
			want: want{state: "Pending",
				bindings: []explain.Binding{
					{Name: "breakglass-system/network-production", Priority: 100, Applies: true, Why: "matched by clusterSelector", Admitted: true, Role: "picked"},
				},
				pick: "breakglass-system/network-production: the first candidate in pick order (priority, then specificity, then namespace/name) that admits the requester"},
		},
		"binding-hidden-and-expired": {
			reason: "A binding that matches the cluster but has expired says so, rather than that it does not match.",
			want: want{state: "PendingApproval",
				bindings: []explain.Binding{
					{Name: "breakglass-system/dev-incident-commander", Priority: 100, Applies: true, Why: `matched by clusters[0] "dev-*" (glob with 4 literal characters)`, Admitted: true, Role: "picked"},
					{Name: "breakglass-system/dev-migration-q3", Priority: 200, Why: "outside its spec.effectiveFrom–spec.expiresAt window"},
				},
				pick: "breakglass-system/dev-incident-commander: spec.bindingRef names it"},
		},
		"cluster-not-allowed": {
			reason: "A denied session says why.",
			want: want{state: "Denied",
				pick: "none: DebugSessionTemplate breakglass-system/netops-debug spec.allowed.clusters: template netops-debug does not allow cluster dev-cluster-1 and no binding applies to it"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr, files := exampleFiles(name)
			o, err := (&ExplainCmd{Session: xr, Files: files, Now: now}).outcome(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			tr := explain.Build(o)
			got := want{state: tr.State, bindings: tr.Bindings, pick: tr.Pick}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nexplain: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestExplainSessionCaps checks that explain shows each binding's session
// caps with their source, and the state the caps lead to.
func TestExplainSessionCaps(t *testing.T) {
	xr, files := exampleFiles("binding-session-caps")
	o, err := (&ExplainCmd{Session: xr, Files: files, Now: now}).outcome(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tr := explain.Build(o)
	var caps []explain.Setting
	for _, s := range tr.Settings {
		if strings.HasPrefix(s.Field, "maxActiveSessions") {
			caps = append(caps, s)
		}
	}
	want := []explain.Setting{
		{Field: "maxActiveSessionsPerUser", Value: "2", Source: "DebugSessionClusterBinding breakglass-system/netops-prod"},
		{Field: "maxActiveSessionsTotal", Value: "5", Source: "DebugSessionClusterBinding breakglass-system/netops-prod"},
	}
	if diff := cmp.Diff(want, caps); diff != "" {
		t.Errorf("The picked binding's caps are settings with their source.\nexplain: -want, +got:\n%s", diff)
	}
	if tr.State != "Queued" {
		t.Errorf("Alice has two sessions running through the binding, so her third waits: want state Queued, got %s", tr.State)
	}
}

// TestAvailableExamples pins, for every example, what its requester may
// use: the same answer the api command gives them.
func TestAvailableExamples(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("..", "example", "*", "xr.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, xrFile := range dirs {
		name := filepath.Base(filepath.Dir(xrFile))
		t.Run(name, func(t *testing.T) {
			xr, files := exampleFiles(name)
			u, err := onlyObject(xr)
			if err != nil {
				t.Fatal(err)
			}
			spec := u.Object["spec"].(map[string]any)
			c := &AvailableCmd{User: spec["requestedBy"].(string), Files: files, Now: now}
			for _, g := range spec["requesterGroups"].([]any) {
				c.Groups = append(c.Groups, g.(string))
			}
			a, err := c.find(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(a, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "available", name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./fn -run TestAvailableExamples -update)", err)
			}
			if diff := cmp.Diff(string(want), string(got)+"\n"); diff != "" {
				t.Errorf("available for %s: -want, +got:\n%s", name, diff)
			}
		})
	}
}

package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/go-logr/logr/funcr"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/prometheus/client_golang/prometheus"
)

// TestObservability runs one call per transition kind and reads what it
// recorded: the domain metrics from the registry and the audit lines from a
// JSON logger like the SDK's production one.
func TestObservability(t *testing.T) {
	withApprovers := withTemplate(answeredResources(), items(func() map[string]any {
		t := template()
		t["spec"].(map[string]any)["approvers"] = map[string]any{"groups": []any{"security-team"}}
		return t
	}()))
	withClusterConfig := answeredResources()
	withClusterConfig["cluster-config"] = items(clusterConfig())
	cases := map[string]struct {
		reason string
		args   args
		// metrics are the nonzero domain counters and gauges, one
		// "name{labels} value" each.
		metrics []string
		// audit are the audit lines' from, to, reason and refusal.
		audit []string
	}{
		"WaitingRecordsNothing": {
			reason:  "A call that only asks for required resources decides nothing and records only the call.",
			args:    args{xr: xr("prod-cluster-a")},
			metrics: []string{`calls_total{result="waiting"} 1`},
		},
		"NewSessionActive": {
			reason: "A session that starts at once records New → Active, its template, its cluster by its ClusterConfig, and counts as Active.",
			args: args{xr: xr("prod-cluster-a"), required: withClusterConfig, input: map[string]any{
				"apiVersion": "debugsession.fn.breakglass.telekom.de/v1beta1", "kind": "Input", "podAccess": "Off",
			}},
			metrics: []string{
				`calls_total{result="decided"} 1`,
				`cluster_transitions_total{cluster="prod-cluster-a",to="Active"} 1`,
				`sessions{state="Active"} 1`,
				`template_transitions_total{template="breakglass-system/netops-debug",to="Active"} 1`,
				`transitions_total{from="New",reason="Active",to="Active"} 1`,
			},
			audit: []string{"New → Active (Active)"},
		},
		"ActiveAgainIsQuiet": {
			reason:  "A session that stays Active is counted in the gauge but is no transition and writes no audit line.",
			args:    args{xr: active(xr("prod-cluster-a"), now.Add(-10*time.Minute)), observed: map[string]*fnv1.Resource{"workload": {Resource: st(map[string]any{"apiVersion": "kubernetes.m.crossplane.io/v1alpha1", "kind": "Object"})}}, required: answeredResources()},
			metrics: []string{`calls_total{result="decided"} 1`, `sessions{state="Active"} 1`},
		},
		"PendingApproval": {
			reason: "A session that waits for approval records New → PendingApproval; a cluster without a ClusterConfig is unresolved.",
			args:   args{xr: xr("prod-cluster-a"), required: withApprovers},
			metrics: []string{
				`calls_total{result="decided"} 1`,
				`cluster_transitions_total{cluster="_unresolved",to="PendingApproval"} 1`,
				`sessions{state="PendingApproval"} 1`,
				`template_transitions_total{template="breakglass-system/netops-debug",to="PendingApproval"} 1`,
				`transitions_total{from="New",reason="AwaitingApproval",to="PendingApproval"} 1`,
			},
			audit: []string{"New → PendingApproval (AwaitingApproval)"},
		},
		"NodeSelectorDenied": {
			reason: "A nodeSelector the binding does not allow is a NodeSelector refusal.",
			args: args{xr: func() map[string]any {
				o := xr("prod-cluster-a")
				o["spec"].(map[string]any)["nodeSelector"] = map[string]any{"pool": "any"}
				return o
			}(), required: answeredResources()},
			metrics: refused("Denied", "Denied", "NodeSelector", "breakglass-system/netops-debug"),
			audit:   []string{"New → Denied (Denied) NodeSelector"},
		},
		"ClusterNotAllowed": {
			reason:  "A cluster the template does not allow is a NotAllowed refusal.",
			args:    args{xr: xr("dev-cluster-1"), required: answeredResources()},
			metrics: refused("Denied", "Denied", "NotAllowed", "breakglass-system/netops-debug"),
			audit:   []string{"New → Denied (Denied) NotAllowed"},
		},
		"DurationTooLong": {
			reason: "A duration beyond maxDuration is a Duration refusal.",
			args: args{xr: func() map[string]any {
				o := xr("prod-cluster-a")
				o["spec"].(map[string]any)["duration"] = "4h"
				return o
			}(), required: withTemplate(answeredResources(), items(func() map[string]any {
				t := template()
				t["spec"].(map[string]any)["constraints"] = map[string]any{"maxDuration": "1h"}
				return t
			}()))},
			metrics: refused("Denied", "Denied", "Duration", "breakglass-system/netops-debug"),
			audit:   []string{"New → Denied (Denied) Duration"},
		},
		"MissingTemplate": {
			reason: "A template that does not exist is a MissingInput refusal, and the name the user typed is no label.",
			args: args{xr: xr("prod-cluster-a"), required: map[string]*fnv1.Resources{
				"template": items(), "cluster-config": items(), "bindings-breakglass-system": items(),
			}},
			metrics: refused("Failed", "Failed", "MissingInput", "_unresolved"),
			audit:   []string{"New → Failed (Failed) MissingInput"},
		},
		"RenderFailure": {
			reason: "An auxiliary resource that does not render fails the session as a RenderFailure, counted by template.",
			args: args{xr: xr("prod-cluster-a"), required: withTemplate(answeredResources(), items(func() map[string]any {
				t := template()
				t["spec"].(map[string]any)["auxiliaryResources"] = []any{map[string]any{
					"name": "cm", "template": map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "{{ .Session.Nope }}"}},
				}}
				return t
			}()))},
			metrics: append([]string{`auxiliary_failures_total{failure_policy="fail",reason="RenderFailure",template="breakglass-system/netops-debug"} 1`},
				refused("Failed", "Failed", "RenderFailure", "breakglass-system/netops-debug")...),
			audit: []string{"New → Failed (Failed) RenderFailure"},
		},
		"Expired": {
			reason: "A session past its expiry records Active → Expired, no refusal, and leaves the gauge.",
			args:   args{xr: active(xr("prod-cluster-a"), now.Add(-2*time.Hour)), required: answeredResources()},
			metrics: []string{
				`calls_total{result="decided"} 1`,
				`cluster_transitions_total{cluster="_unresolved",to="Expired"} 1`,
				`template_transitions_total{template="breakglass-system/netops-debug",to="Expired"} 1`,
				`transitions_total{from="Active",reason="Expired",to="Expired"} 1`,
			},
			audit: []string{"Active → Expired (Expired)"},
		},
		"FatalKeepsTheSessionCounted": {
			reason: "A running session whose template vanished keeps its resources through a Fatal result and still counts as Active.",
			args: args{xr: active(xr("prod-cluster-a"), now.Add(-10*time.Minute)), observed: map[string]*fnv1.Resource{"workload": {Resource: st(map[string]any{"apiVersion": "v1", "kind": "ConfigMap"})}}, required: map[string]*fnv1.Resources{
				"template": items(), "cluster-config": items(), "bindings-breakglass-system": items(),
			}},
			metrics: []string{`calls_total{result="fatal"} 1`, `sessions{state="Active"} 1`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			reg := prometheus.NewPedanticRegistry()
			var lines []string
			log := logging.NewLogrLogger(funcr.NewJSON(func(obj string) { lines = append(lines, obj) }, funcr.Options{}))
			f := NewFunction(log, WithClock(func() time.Time { return now }), WithMetrics(reg))
			if _, err := f.RunFunction(context.Background(), newRequest(tc.args)); err != nil {
				t.Fatalf("%s\nRunFunction(...): unexpected Go error: %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.metrics, gathered(t, reg), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nmetrics: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.audit, audited(t, lines), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\naudit lines: -want, +got:\n%s", tc.reason, diff)
			}
			if got := stepsObserved(t, reg); len(got) == 0 {
				t.Errorf("%s\nno pipeline step was timed", tc.reason)
			}
		})
	}
}

// refused is what a new session refused with reason on its first decided
// call records, for template label template.
func refused(state, reason, refusal, template string) []string {
	return []string{
		`calls_total{result="decided"} 1`,
		fmt.Sprintf(`cluster_transitions_total{cluster="_unresolved",to=%q} 1`, state),
		fmt.Sprintf(`refusals_total{reason=%q,state=%q} 1`, refusal, state),
		fmt.Sprintf(`template_transitions_total{template=%q,to=%q} 1`, template, state),
		fmt.Sprintf(`transitions_total{from="New",reason=%q,to=%q} 1`, reason, state),
	}
}

package scheduling

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
)

func TestDeniedNodeAdmission(t *testing.T) {
	type args struct {
		c      *sc
		mode   v1beta1.DeniedNodeGlobs
		target AdmissionTarget
	}
	type want struct {
		policy bool
		err    error
	}
	target := AdmissionTarget{Session: "team-a/inc-1234", Workload: "debug-inc-1234-0f3c2a1b", Namespace: "debug-sessions-prod"}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"NoConstraints": {
			reason: "Without constraints there is nothing to enforce.",
			args:   args{target: target},
		},
		"ExactNamesOnly": {
			reason: "Exact names are enforced by node affinity, so no policy is needed.",
			args:   args{c: &sc{DeniedNodes: []string{"node-a"}}, target: target},
		},
		"GlobDefaultMode": {
			reason: "The default mode enforces a glob with an admission policy.",
			args:   args{c: &sc{DeniedNodes: []string{"node-a", "cp-*"}}, target: target},
			want:   want{policy: true},
		},
		"GlobAdmissionPolicy": {
			reason: "AdmissionPolicy mode enforces a glob with an admission policy.",
			args:   args{c: &sc{DeniedNodes: []string{"cp-*"}}, mode: v1beta1.DeniedNodeGlobsAdmissionPolicy, target: target},
			want:   want{policy: true},
		},
		"GlobReject": {
			reason: "Reject mode fails the session rather than drop the glob silently.",
			args:   args{c: &sc{DeniedNodes: []string{"old-*", "cp-*", "node-a"}}, mode: v1beta1.DeniedNodeGlobsReject, target: target},
			want: want{err: failed("", "spec.schedulingConstraints.deniedNodes", `spec.schedulingConstraints.deniedNodes: the patterns "cp-*", "old-*" cannot be enforced by node affinity and the function input sets deniedNodeGlobs: Reject; `+
				"list exact node names, or set deniedNodeGlobs: AdmissionPolicy")},
		},
		"UnknownMode": {
			reason: "An unknown mode is a configuration error, not a silent default.",
			args:   args{c: &sc{DeniedNodes: []string{"cp-*"}}, mode: "Ignore", target: target},
			want:   want{err: failed("Input", "deniedNodeGlobs", `the function input's deniedNodeGlobs "Ignore" is not supported; use AdmissionPolicy or Reject`)},
		},
		"NoWorkload": {
			reason: "Without the workload name the session's pods cannot be recognised.",
			args:   args{c: &sc{DeniedNodes: []string{"cp-*"}}, target: AdmissionTarget{Session: "team-a/inc-1234"}},
			want:   want{err: failed("DebugSession team-a/inc-1234", "", "cannot build the denied nodes admission policy of DebugSession team-a/inc-1234 without the workload name and namespace")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := DeniedNodeAdmission(tc.args.c, tc.args.mode, tc.args.target)
			if diff := cmp.Diff(tc.want.policy, got != nil); diff != "" {
				t.Errorf("%s\nDeniedNodeAdmission(...): -want policy, +got policy:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.err, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("%s\nDeniedNodeAdmission(...): -want error, +got error:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDeniedNodeAdmissionObjects(t *testing.T) {
	labels := map[string]string{"breakglass.telekom.de/session": "inc-1234"}
	got, err := DeniedNodeAdmission(&sc{DeniedNodes: []string{"cp-*"}}, "", AdmissionTarget{
		Session: "team-a/inc-1234", Workload: "debug-inc-1234-0f3c2a1b", Namespace: "debug-sessions-prod", Labels: labels,
	})
	if err != nil {
		t.Fatal(err)
	}
	field := func(u *unstructured.Unstructured, path ...string) any {
		v, _, _ := unstructured.NestedFieldNoCopy(u.Object, path...)
		return v
	}
	rules, _, _ := unstructured.NestedSlice(got.Policy.Object, "spec", "matchConstraints", "resourceRules")
	if len(rules) != 1 {
		t.Fatalf("want one resource rule, got %d", len(rules))
	}
	rule, _ := rules[0].(map[string]any)
	checks := []struct {
		what string
		got  any
		want any
	}{
		{"policy apiVersion", got.Policy.GetAPIVersion(), "admissionregistration.k8s.io/v1"},
		{"policy kind", got.Policy.GetKind(), "ValidatingAdmissionPolicy"},
		{"policy name, stable and derived from the workload", got.Policy.GetName(), "debug-inc-1234-0f3c2a1b-denied-nodes"},
		{"policy labels", got.Policy.GetLabels(), labels},
		{"policy cluster-scoped", got.Policy.GetNamespace(), ""},
		{"no creationTimestamp noise", field(got.Policy, "metadata", "creationTimestamp"), nil},
		{"no status noise", field(got.Policy, "status"), nil},
		{"failurePolicy", field(got.Policy, "spec", "failurePolicy"), "Fail"},
		{"resources: pods, the scheduler's pods/binding and the legacy bindings endpoint", rule["resources"], []any{"pods", "pods/binding", "bindings"}},
		{"operations", rule["operations"], []any{"CREATE"}},
		{"binding kind", got.Binding.GetKind(), "ValidatingAdmissionPolicyBinding"},
		{"binding name", got.Binding.GetName(), "debug-inc-1234-0f3c2a1b-denied-nodes"},
		{"binding policyName", field(got.Binding, "spec", "policyName"), "debug-inc-1234-0f3c2a1b-denied-nodes"},
		{"binding validationActions", field(got.Binding, "spec", "validationActions"), []any{"Deny"}},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s: -want, +got:\n%s", c.what, diff)
		}
	}
	vals, _, _ := unstructured.NestedSlice(got.Policy.Object, "spec", "validations")
	for i, v := range vals {
		if r := v.(map[string]any)["reason"]; r != "Forbidden" { //nolint:forcetypeassert // The converter only makes maps here.
			t.Errorf("validations[%d].reason: want Forbidden, got %v", i, r)
		}
	}
}

package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/google/go-cmp/cmp"
)

// hostileCase is a case of TestHostileInputs: one hostile input and what
// the session must become. Whatever it becomes, checkPolicy holds.
type hostileCase struct {
	reason string
	args   args
	want   hostileWant
}

// hostileWant is the state and message of the session, or the Fatal
// result of a call that keeps a running session's objects unchanged.
type hostileWant struct {
	state   string
	message string
	fatal   string
}

// hostileBudget is the time a single call may take, even on a busy machine
// under -race; no case comes near it.
const hostileBudget = 5 * time.Second

// TestHostileInputs calls RunFunction, as Crossplane does, with inputs that
// a careless or hostile author of a session, template, binding or status
// could write. Each case asserts the exact state and message, which names
// the object and field at fault, and that nothing outside the policy is
// composed.
func TestHostileInputs(t *testing.T) {
	cases := map[string]hostileCase{}
	for _, group := range []map[string]hostileCase{renderCases(), timeCases(), identityCases(), kindCases(), shapeCases()} {
		for name, tc := range group {
			if _, dup := cases[name]; dup {
				t.Fatalf("case %s is defined twice", name)
			}
			cases[name] = tc
		}
	}
	if len(cases) < 40 {
		t.Fatalf("the catalogue has %d cases; it promises at least 40", len(cases))
	}
	fn := NewFunction(logging.NewNopLogger(), WithClock(func() time.Time { return now }))
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := newRequest(tc.args)
			start := time.Now()
			rsp, err := fn.RunFunction(context.Background(), req)
			if err != nil {
				t.Fatalf("%s\nRunFunction(...): %v", tc.reason, err)
			}
			if took := time.Since(start); took > hostileBudget {
				t.Errorf("%s\nRunFunction(...) took %s, more than %s", tc.reason, took, hostileBudget)
			}
			if diff := cmp.Diff(tc.want, outcomeOf(rsp), cmp.AllowUnexported(hostileWant{})); diff != "" {
				t.Errorf("%s\nRunFunction(...): -want, +got:\n%s", tc.reason, diff)
			}
			for _, v := range checkPolicy(rsp, tc.args.xr) {
				t.Errorf("%s\nRunFunction(...) composed outside the policy: %s", tc.reason, v)
			}
		})
	}
}

func outcomeOf(rsp *fnv1.RunFunctionResponse) hostileWant {
	d := digest(rsp)
	w := hostileWant{state: d.state, message: d.message}
	for _, r := range rsp.GetResults() {
		if r.GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
			w.fatal = r.GetMessage()
		}
	}
	return w
}

// The kinds a session may compose: its workload, the admission policies
// and grants the function writes itself, and the default auxiliary kinds.
var (
	namespacedKinds = map[string]bool{
		"DaemonSet": true, "Deployment": true, "ServiceAccount": true, "ConfigMap": true, "Secret": true,
		"NetworkPolicy": true, "PodDisruptionBudget": true, "Role": true, "RoleBinding": true, "ResourceQuota": true,
	}
	clusterKinds = map[string]bool{"ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true}
)

// checkPolicy returns every way the response composes something the
// policy forbids: a kind outside the allowed ones, a namespaced object
// outside the target namespace, a RoleBinding to cluster-admin or to a
// subject other than a ServiceAccount of the target namespace or a member
// of the session.
func checkPolicy(rsp *fnv1.RunFunctionResponse, session map[string]any) []string {
	target := "debug-sessions-prod"
	if st := rsp.GetDesired().GetComposite().GetResource().GetFields()["status"].GetStructValue(); st != nil {
		if ns := st.GetFields()["targetNamespace"].GetStringValue(); ns != "" {
			target = ns
		}
	}
	spec, _ := session["spec"].(map[string]any)
	members := map[string]bool{fmt.Sprint(spec["requestedBy"]): true}
	var out []string
	res := rsp.GetDesired().GetResources()
	for _, name := range slices.Sorted(maps.Keys(res)) {
		o := res[name].GetResource().AsMap()
		if o["kind"] == "Object" {
			fp, _ := o["spec"].(map[string]any)["forProvider"].(map[string]any)
			o, _ = fp["manifest"].(map[string]any)
		}
		kind := fmt.Sprint(o["kind"])
		meta, _ := o["metadata"].(map[string]any)
		switch {
		case clusterKinds[kind]:
		case !namespacedKinds[kind]:
			out = append(out, fmt.Sprintf("%s: kind %s", name, kind))
		case meta["namespace"] != target:
			out = append(out, fmt.Sprintf("%s: %s in namespace %v, not %s", name, kind, meta["namespace"], target))
		}
		if kind == "RoleBinding" {
			out = append(out, checkRoleBinding(name, o, target, members)...)
		}
	}
	return out
}

func checkRoleBinding(name string, o map[string]any, target string, members map[string]bool) []string {
	var out []string
	if ref, _ := o["roleRef"].(map[string]any); ref["name"] == "cluster-admin" {
		out = append(out, name+": RoleBinding to cluster-admin")
	}
	subjects, _ := o["subjects"].([]any)
	for _, s := range subjects {
		s, _ := s.(map[string]any)
		switch {
		case s["kind"] == "ServiceAccount" && s["namespace"] == target:
		case s["kind"] == "User" && members[fmt.Sprint(s["name"])]:
		default:
			out = append(out, fmt.Sprintf("%s: RoleBinding subject %v", name, s))
		}
	}
	return out
}

// TestCheckPolicy makes sure the catalogue's policy check is not vacuous:
// a response that composes what the policy forbids is caught.
func TestCheckPolicy(t *testing.T) {
	wrap := func(o map[string]any) *fnv1.Resource {
		return &fnv1.Resource{Resource: st(map[string]any{
			"apiVersion": "kubernetes.m.crossplane.io/v1alpha1", "kind": "Object",
			"spec": map[string]any{"forProvider": map[string]any{"manifest": o}},
		})}
	}
	crb := map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": map[string]any{"name": "x"}}
	elsewhere := configMap("x")
	elsewhere["metadata"].(map[string]any)["namespace"] = "kube-system"
	rb := roleBinding(map[string]any{"kind": "ClusterRole", "name": "cluster-admin"}, map[string]any{"kind": "User", "name": "mallory"})
	rb["metadata"].(map[string]any)["namespace"] = "debug-sessions-prod"
	rsp := &fnv1.RunFunctionResponse{Desired: &fnv1.State{Resources: map[string]*fnv1.Resource{
		"crb": wrap(crb), "elsewhere": wrap(elsewhere), "rb": {Resource: st(rb)},
	}}}
	want := []string{
		"crb: kind ClusterRoleBinding",
		"elsewhere: ConfigMap in namespace kube-system, not debug-sessions-prod",
		"rb: RoleBinding to cluster-admin",
		"rb: RoleBinding subject map[kind:User name:mallory]",
	}
	if diff := cmp.Diff(want, checkPolicy(rsp, xr("prod-cluster-a"))); diff != "" {
		t.Errorf("checkPolicy(...) must report every object outside the policy: -want, +got:\n%s", diff)
	}
}

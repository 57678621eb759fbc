package auxiliary

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"sigs.k8s.io/yaml"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/render"
)

const target = "debug-sessions-prod"

var labels = map[string]string{
	v1alpha1.LabelSession:          "inc-1234",
	v1alpha1.LabelSessionNamespace: "team-a",
	v1alpha1.LabelSessionType:      "debug",
	v1alpha1.LabelCluster:          "prod-cluster-a",
	v1alpha1.LabelTemplate:         "network-debug-session",
	v1alpha1.LabelManagedBy:        v1alpha1.ManagedBy,
}

func sessionContext() Context {
	return Context{
		Session: &v1alpha1.DebugSession{
			ObjectMeta: metav1.ObjectMeta{Name: "inc-1234", Namespace: "team-a"},
			Spec: v1alpha1.DebugSessionSpec{
				Cluster:     "prod-cluster-a",
				RequestedBy: "alice@example.com",
				Reason:      "INC-1234 packet loss",
			},
		},
		Template: sessionTemplate(nil),
		ClusterConfig: &v1alpha1.ClusterConfig{
			ObjectMeta: metav1.ObjectMeta{Name: "prod-cluster-a", Namespace: "breakglass-system", Labels: map[string]string{"environment": "production"}},
			Spec:       v1alpha1.ClusterConfigSpec{Environment: "production", Location: "eu-west-1"},
		},
		TargetNamespace: target,
		Labels:          labels,
		Annotations:     map[string]string{"breakglass.telekom.de/requested-by": "alice@example.com"},
		ExpiresAt:       "2026-01-01T10:00:00Z",
	}
}

func TestContextVariables(t *testing.T) {
	c := sessionContext()
	c.Binding = binding("prod-binding", nil)
	want := &render.Variables{
		Session: render.SessionVariables{
			Name: "inc-1234", Namespace: "team-a", Cluster: "prod-cluster-a",
			RequestedBy: "alice@example.com", Reason: "INC-1234 packet loss", ExpiresAt: "2026-01-01T10:00:00Z",
		},
		TargetNamespace: target,
		Labels:          labels,
		Annotations:     map[string]string{"breakglass.telekom.de/requested-by": "alice@example.com"},
		Template:        render.TemplateVariables{Name: "network-debug-session", Namespace: "breakglass-system", DisplayName: "Network Debug Session"},
		Binding:         render.BindingVariables{Name: "prod-binding", Namespace: "breakglass-system"},
		Cluster:         render.ClusterVariables{Name: "prod-cluster-a", Labels: map[string]string{"environment": "production"}, Environment: "production", Location: "eu-west-1"},
	}
	if diff := cmp.Diff(want, c.Variables()); diff != "" {
		t.Errorf("Every variable of the design comes from the session, its template, binding and cluster.\n-want, +got:\n%s", diff)
	}
	c.DisplayName = "Production - Network Debug Session"
	if diff := cmp.Diff("Production - Network Debug Session", c.Variables().Template.DisplayName); diff != "" {
		t.Errorf("A binding's displayNamePrefix shows in .Template.DisplayName.\n-want, +got:\n%s", diff)
	}
	if diff := cmp.Diff(&render.Variables{}, Context{}.Variables(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("An empty context must give empty variables, not panic.\n-want, +got:\n%s", diff)
	}
}

// The proposal's network-debug-pod auxiliary resources.
var (
	proposalNetworkPolicy = aux("egress-network-policy", "network-isolation", `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: "debug-egress-{{ .Session.Name }}"
  namespace: "{{ .TargetNamespace }}"
spec:
  podSelector:
    matchLabels:
      breakglass.telekom.de/session: "{{ .Session.Name }}"
  policyTypes:
    - Egress
  egress:
    - to:
        - ipBlock:
            cidr: 10.0.0.0/8
`)
	proposalServiceAccount = aux("debug-service-account", "rbac", `
apiVersion: v1
kind: ServiceAccount
metadata:
  name: "debug-sa-{{ .Session.Name }}"
  namespace: "{{ .TargetNamespace }}"
  labels: "{{ .Labels | toYaml | nindent 12 }}"
`)
	proposalRoleBinding = aux("cluster-reader-role", "rbac", `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: "debug-reader-{{ .Session.Name }}"
  namespace: "{{ .TargetNamespace }}"
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
  - kind: ServiceAccount
    name: "debug-sa-{{ .Session.Name }}"
    namespace: "{{ .TargetNamespace }}"
`, needsApproval)
)

// standard is the labels every rendered object gets, as YAML.
const standard = `
    app.kubernetes.io/managed-by: function-debug-session
    breakglass.telekom.de/cluster: prod-cluster-a
    breakglass.telekom.de/session: inc-1234
    breakglass.telekom.de/session-namespace: team-a
    breakglass.telekom.de/session-type: debug
    breakglass.telekom.de/template: network-debug-session`

func TestRenderProposalExamples(t *testing.T) {
	src := sources{
		PodTemplate: podTemplate(proposalNetworkPolicy, proposalServiceAccount, proposalRoleBinding),
		Template:    sessionTemplate(map[string]bool{"network-isolation": true, "rbac": false}),
		Bindings:    []*v1alpha1.DebugSessionClusterBinding{binding("prod", map[string]bool{"rbac": true})},
	}
	en, err := enable(src)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Render(render.New(), en, sessionContext(), PolicyFor(nil, src.layers()))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: debug-egress-inc-1234
  namespace: debug-sessions-prod
  annotations:
    breakglass.telekom.de/requested-by: alice@example.com
  labels:` + standard + `
    breakglass.telekom.de/auxiliary-resource: egress-network-policy
spec:
  podSelector:
    matchLabels:
      breakglass.telekom.de/session: inc-1234
  policyTypes: [Egress]
  egress:
    - to:
        - ipBlock:
            cidr: 10.0.0.0/8
`, `
apiVersion: v1
kind: ServiceAccount
metadata:
  name: debug-sa-inc-1234
  namespace: debug-sessions-prod
  annotations:
    breakglass.telekom.de/requested-by: alice@example.com
  labels:` + standard + `
    breakglass.telekom.de/auxiliary-resource: debug-service-account
`, `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: debug-reader-inc-1234
  namespace: debug-sessions-prod
  annotations:
    breakglass.telekom.de/requested-by: alice@example.com
  labels:` + standard + `
    breakglass.telekom.de/auxiliary-resource: cluster-reader-role
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
  - kind: ServiceAccount
    name: debug-sa-inc-1234
    namespace: debug-sessions-prod
`}
	if len(res.Resources) != len(want) {
		t.Fatalf("Render(...): want %d resources, got %d", len(want), len(res.Resources))
	}
	for i, w := range want {
		if diff := cmp.Diff(object(t, w), res.Resources[i].Object.Object); diff != "" {
			t.Errorf("The proposal's %s renders with the session's values, labels and annotations.\n-want, +got:\n%s", res.Resources[i].Spec.Name, diff)
		}
	}
	if !en.RequiresApproval {
		t.Errorf("The proposal's RoleBinding has requiresApproval, which must force approval.")
	}
}

func object(t *testing.T, y string) map[string]any {
	t.Helper()
	u := map[string]any{}
	if err := yaml.Unmarshal([]byte(y), &u); err != nil {
		t.Fatalf("bad expected object: %v", err)
	}
	return u
}

func TestFailurePolicy(t *testing.T) {
	broken := `{apiVersion: v1, kind: ConfigMap, metadata: {name: '{{ .Session.Nme }}'}}`
	type want struct {
		names    []string
		skipped  []string
		warnings []string
		err      error
	}
	cases := map[string]struct {
		reason string
		rs     []v1alpha1.AuxiliaryResource
		want   want
	}{
		"FailIsTheDefault": {
			reason: "A resource that fails to render fails the session by default, naming the resource and field.",
			rs:     []v1alpha1.AuxiliaryResource{aux("ok", "", configMap), aux("broken", "", broken)},
			want: want{err: failed("DebugSessionTemplate breakglass-system/network-debug-session", "spec.auxiliaryResources[1]",
				"DebugSessionTemplate breakglass-system/network-debug-session auxiliaryResources[broken] template.metadata.name: line 1, column 11: at <.Session.Nme>: can't evaluate field Nme in type render.SessionVariables")},
		},
		"IgnoreSkips": {
			reason: "failurePolicy ignore skips a resource that fails to render, with a warning, and renders the rest.",
			rs:     []v1alpha1.AuxiliaryResource{aux("broken", "", broken, ignore), aux("ok", "", configMap)},
			want: want{
				names:    []string{"aux-template-ok"},
				skipped:  []string{"broken: ConfigMap: template.metadata.name: line 1, column 11: at <.Session.Nme>: can't evaluate field Nme in type render.SessionVariables"},
				warnings: []string{"DebugSessionTemplate breakglass-system/network-debug-session auxiliaryResources[broken] was skipped (failurePolicy: ignore): template.metadata.name: line 1, column 11: at <.Session.Nme>: can't evaluate field Nme in type render.SessionVariables"},
			},
		},
		"IgnoreDoesNotCoverPolicy": {
			reason: "A policy violation fails the session even with failurePolicy ignore.",
			rs:     []v1alpha1.AuxiliaryResource{aux("crb", "", `{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding, metadata: {name: x}}`, ignore)},
			want: want{err: failed("DebugSessionTemplate breakglass-system/network-debug-session", "spec.auxiliaryResources[0]",
				"DebugSessionTemplate breakglass-system/network-debug-session auxiliaryResources[crb]: kind ClusterRoleBinding.rbac.authorization.k8s.io is cluster-scoped; auxiliary resources must be namespaced objects in the target namespace")},
		},
		"IgnoreDoesNotCoverTheSizeLimit": {
			reason: "Exceeding maxRenderedBytes while rendering is a policy violation, not a render failure.",
			rs:     []v1alpha1.AuxiliaryResource{aux("big", "", `{apiVersion: v1, kind: ConfigMap, metadata: {name: x}, data: {a: '{{ repeat 300000 "x" }}'}}`, ignore)},
			want: want{err: failed("DebugSessionTemplate breakglass-system/network-debug-session", "spec.auxiliaryResources[0]",
				"DebugSessionTemplate breakglass-system/network-debug-session auxiliaryResources[big]: the auxiliary resources render to more than the 262144 bytes per session that the function input allows (auxiliaryResources.maxRenderedBytes)")},
		},
		"HostileTemplateIgnored": {
			reason: "A template that exceeds a render limit is a render failure, which ignore skips.",
			rs:     []v1alpha1.AuxiliaryResource{aux("loop", "", `{apiVersion: v1, kind: ConfigMap, metadata: {name: '{{ until 100000000 }}'}}`, ignore)},
			want: want{
				skipped:  []string{"loop: ConfigMap: template.metadata.name: line 1, column 3: at <until 100000000>: error calling until: until 100000000 would make a list of 100000000 elements, more than the 10000 allowed"},
				warnings: []string{"DebugSessionTemplate breakglass-system/network-debug-session auxiliaryResources[loop] was skipped (failurePolicy: ignore): template.metadata.name: line 1, column 3: at <until 100000000>: error calling until: until 100000000 would make a list of 100000000 elements, more than the 10000 allowed"},
			},
		},
		"DuplicateObjects": {
			reason: "Two resources that render the same object would fight over it.",
			rs:     []v1alpha1.AuxiliaryResource{aux("a", "", configMap), aux("b", "", configMap)},
			want: want{err: failed("DebugSessionTemplate breakglass-system/network-debug-session", "spec.auxiliaryResources[1]",
				"DebugSessionTemplate breakglass-system/network-debug-session auxiliaryResources[b] renders ConfigMap debug-sessions-prod/cm-inc-1234, which DebugSessionTemplate breakglass-system/network-debug-session auxiliaryResources[a] renders too")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			en, err := enable(sources{Template: sessionTemplate(nil, tc.rs...)})
			if err != nil {
				t.Fatal(err)
			}
			res, err := Render(render.New(), en, sessionContext(), PolicyFor(nil, nil))
			got := want{err: err}
			if res != nil {
				got.warnings = res.Warnings
				for _, r := range res.Resources {
					if r.Object == nil {
						got.skipped = append(got.skipped, r.Spec.Name+": "+r.Kind+": "+r.Skipped)
						continue
					}
					got.names = append(got.names, string(r.Name))
				}
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{}), cmpopts.EquateEmpty(), cmpopts.EquateErrors()); diff != "" {
				t.Errorf("%s\nRender(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

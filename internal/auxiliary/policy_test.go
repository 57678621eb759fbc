package auxiliary

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/render"
)

// TestPolicy checks every policy rule. A violation fails the session even
// with failurePolicy ignore, so every resource here ignores render failures.
func TestPolicy(t *testing.T) {
	type args struct {
		tmpl   string
		policy func(*Policy)
	}
	type want struct {
		// obj is the rendered object without its labels, when it passes.
		obj string
		err error
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"NamespaceIsSetWhenEmpty": {
			reason: "A template without a namespace gets the target namespace.",
			args:   args{tmpl: `{apiVersion: v1, kind: ConfigMap, metadata: {name: x}}`},
			want:   want{obj: `{apiVersion: v1, kind: ConfigMap, metadata: {name: x, namespace: debug-sessions-prod}}`},
		},
		"EmptyNamespaceIsSet": {
			reason: "An empty namespace is the target namespace too.",
			args:   args{tmpl: `{apiVersion: v1, kind: ConfigMap, metadata: {name: x, namespace: ""}}`},
			want:   want{obj: `{apiVersion: v1, kind: ConfigMap, metadata: {name: x, namespace: debug-sessions-prod}}`},
		},
		"KubeSystemIsRefused": {
			reason: "An object in kube-system fails the session with a clear message.",
			args:   args{tmpl: `{apiVersion: v1, kind: ConfigMap, metadata: {name: x, namespace: kube-system}}`},
			want:   want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: metadata.namespace is kube-system, but auxiliary resources may only be created in the target namespace debug-sessions-prod")},
		},
		"TemplatedNamespaceIsChecked": {
			reason: "The namespace is checked after rendering, so a template cannot compute its way out.",
			args:   args{tmpl: `{apiVersion: v1, kind: ConfigMap, metadata: {name: x, namespace: '{{ "kube-" }}system'}}`},
			want:   want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: metadata.namespace is kube-system, but auxiliary resources may only be created in the target namespace debug-sessions-prod")},
		},
		"ClusterRoleBindingIsRefused": {
			reason: "A cluster-scoped kind fails the session even if an allowlist names it.",
			args: args{
				tmpl: `{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding, metadata: {name: x}, roleRef: {kind: ClusterRole, name: view}}`,
				policy: func(p *Policy) {
					p.AllowedKinds = []v1alpha1.GroupKind{{Group: "rbac.authorization.k8s.io", Kind: "*"}}
				},
			},
			want: want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: kind ClusterRoleBinding.rbac.authorization.k8s.io is cluster-scoped; auxiliary resources must be namespaced objects in the target namespace")},
		},
		"TemplatedKindIsChecked": {
			reason: "The kind is checked after rendering, so a template cannot assemble a forbidden kind.",
			args:   args{tmpl: `{apiVersion: rbac.authorization.k8s.io/v1, kind: '{{ "ClusterRole" }}Binding', metadata: {name: x}}`},
			want:   want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: kind ClusterRoleBinding.rbac.authorization.k8s.io is cluster-scoped; auxiliary resources must be namespaced objects in the target namespace")},
		},
		"NamespaceIsRefused": {
			reason: "A Namespace is cluster-scoped.",
			args:   args{tmpl: `{apiVersion: v1, kind: Namespace, metadata: {name: x}}`},
			want:   want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: kind Namespace is cluster-scoped; auxiliary resources must be namespaced objects in the target namespace")},
		},
		"KindNotAllowed": {
			reason: "A kind outside the default allowlist is refused, with the list.",
			args:   args{tmpl: `{apiVersion: apps/v1, kind: Deployment, metadata: {name: x}}`},
			want:   want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: kind Deployment.apps is not allowed; allowed kinds: ConfigMap, NetworkPolicy.networking.k8s.io, PodDisruptionBudget.policy, Role.rbac.authorization.k8s.io, RoleBinding.rbac.authorization.k8s.io, Secret, ServiceAccount")},
		},
		"EveryDefaultKindIsAllowed": {
			reason: "PodDisruptionBudget is in the default list.",
			args:   args{tmpl: `{apiVersion: policy/v1, kind: PodDisruptionBudget, metadata: {name: x}}`},
			want:   want{obj: `{apiVersion: policy/v1, kind: PodDisruptionBudget, metadata: {name: x, namespace: debug-sessions-prod}}`},
		},
		"InputReplacesTheAllowlist": {
			reason: "The input's allowlist replaces the default: a Secret is no longer allowed.",
			args: args{
				tmpl:   `{apiVersion: v1, kind: Secret, metadata: {name: x}}`,
				policy: func(p *Policy) { p.AllowedKinds = []v1alpha1.GroupKind{{Kind: "ConfigMap"}} },
			},
			want: want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: kind Secret is not allowed; allowed kinds: ConfigMap")},
		},
		"InputCanWiden": {
			reason: "The input's allowlist may add kinds, a whole group with *.",
			args: args{
				tmpl:   `{apiVersion: apps/v1, kind: Deployment, metadata: {name: x}}`,
				policy: func(p *Policy) { p.AllowedKinds = []v1alpha1.GroupKind{{Group: "apps", Kind: "*"}} },
			},
			want: want{obj: `{apiVersion: apps/v1, kind: Deployment, metadata: {name: x, namespace: debug-sessions-prod}}`},
		},
		"BindingAllowedKindsNarrow": {
			reason: "A binding's allowedKinds is intersected with the allowlist.",
			args: args{
				tmpl:   `{apiVersion: v1, kind: ConfigMap, metadata: {name: x}}`,
				policy: bindingPolicy(v1alpha1.AuxiliaryResourcePolicy{AllowedKinds: []v1alpha1.GroupKind{{Group: "networking.k8s.io", Kind: "NetworkPolicy"}}}),
			},
			want: want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: kind ConfigMap is not among the allowedKinds of DebugSessionClusterBinding breakglass-system/prod spec.auxiliaryResourcePolicy: NetworkPolicy.networking.k8s.io")},
		},
		"BindingAllowedKindsCannotWiden": {
			reason: "A binding cannot allow what the function's allowlist does not.",
			args: args{
				tmpl:   `{apiVersion: apps/v1, kind: Deployment, metadata: {name: x}}`,
				policy: bindingPolicy(v1alpha1.AuxiliaryResourcePolicy{AllowedKinds: []v1alpha1.GroupKind{{Group: "apps", Kind: "Deployment"}}}),
			},
			want: want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: kind Deployment.apps is not allowed; allowed kinds: ConfigMap, NetworkPolicy.networking.k8s.io, PodDisruptionBudget.policy, Role.rbac.authorization.k8s.io, RoleBinding.rbac.authorization.k8s.io, Secret, ServiceAccount")},
		},
		"BindingAllowsItsKinds": {
			reason: "A kind in both lists passes.",
			args: args{
				tmpl:   `{apiVersion: v1, kind: ConfigMap, metadata: {name: x}}`,
				policy: bindingPolicy(v1alpha1.AuxiliaryResourcePolicy{AllowedKinds: []v1alpha1.GroupKind{{Kind: "ConfigMap"}}}),
			},
			want: want{obj: `{apiVersion: v1, kind: ConfigMap, metadata: {name: x, namespace: debug-sessions-prod}}`},
		},
		"BindingDeniesAGroup": {
			reason: "deniedKinds with kind * denies a whole group.",
			args: args{
				tmpl:   `{apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: x}}`,
				policy: bindingPolicy(v1alpha1.AuxiliaryResourcePolicy{DeniedKinds: []v1alpha1.GroupKind{{Group: "rbac.authorization.k8s.io", Kind: "*"}}}),
			},
			want: want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: kind Role.rbac.authorization.k8s.io is denied by DebugSessionClusterBinding breakglass-system/prod spec.auxiliaryResourcePolicy.deniedKinds")},
		},
		"BindingDeniesAKind": {
			reason: "deniedKinds denies one kind and leaves the rest of its group.",
			args: args{
				tmpl:   `{apiVersion: v1, kind: ConfigMap, metadata: {name: x}}`,
				policy: bindingPolicy(v1alpha1.AuxiliaryResourcePolicy{DeniedKinds: []v1alpha1.GroupKind{{Kind: "Secret"}}}),
			},
			want: want{obj: `{apiVersion: v1, kind: ConfigMap, metadata: {name: x, namespace: debug-sessions-prod}}`},
		},
		"RoleBindingToUser": {
			reason: "A RoleBinding may not grant access to a person.",
			args:   args{tmpl: `{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: x}, roleRef: {kind: ClusterRole, name: view}, subjects: [{kind: User, name: alice}]}`},
			want:   want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: subjects[0] is a User; a RoleBinding may only bind ServiceAccounts of the target namespace debug-sessions-prod")},
		},
		"RoleBindingToGroup": {
			reason: "A RoleBinding may not grant access to a group.",
			args:   args{tmpl: `{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: x}, roleRef: {kind: ClusterRole, name: view}, subjects: [{kind: ServiceAccount, name: a}, {kind: Group, name: "system:authenticated"}]}`},
			want:   want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: subjects[1] is a Group; a RoleBinding may only bind ServiceAccounts of the target namespace debug-sessions-prod")},
		},
		"RoleBindingToForeignServiceAccount": {
			reason: "A RoleBinding may not grant access to a ServiceAccount of another namespace.",
			args:   args{tmpl: `{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: x}, roleRef: {kind: ClusterRole, name: view}, subjects: [{kind: ServiceAccount, name: default, namespace: kube-system}]}`},
			want:   want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: subjects[0] is ServiceAccount kube-system/default; a RoleBinding may only bind ServiceAccounts of the target namespace debug-sessions-prod")},
		},
		"RoleBindingSubjectNamespaceIsSet": {
			reason: "A ServiceAccount subject without a namespace means the binding's, which is the target namespace; it is written out.",
			args:   args{tmpl: `{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: x}, roleRef: {kind: Role, name: r}, subjects: [{kind: ServiceAccount, name: sa}]}`},
			want:   want{obj: `{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: x, namespace: debug-sessions-prod}, roleRef: {kind: Role, name: r}, subjects: [{kind: ServiceAccount, name: sa, namespace: debug-sessions-prod}]}`},
		},
		"RoleBindingToClusterAdmin": {
			reason: "A RoleBinding may never grant cluster-admin, not even in the target namespace.",
			args:   args{tmpl: `{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: x}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}, subjects: [{kind: ServiceAccount, name: sa}]}`},
			want:   want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: roleRef: a RoleBinding may not grant the ClusterRole cluster-admin")},
		},
		"RoleBindingWithoutRoleRef": {
			reason: "A RoleBinding without a roleRef cannot be judged and is refused.",
			args:   args{tmpl: `{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: x}}`},
			want:   want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: roleRef must be set")},
		},
		"MissingKind": {
			reason: "An object needs an apiVersion and a kind.",
			args:   args{tmpl: `{metadata: {name: x}}`},
			want:   want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: apiVersion and kind must be set")},
		},
		"BadAPIVersion": {
			reason: "An apiVersion that does not parse is refused.",
			args:   args{tmpl: `{apiVersion: a/b/c, kind: ConfigMap, metadata: {name: x}}`},
			want:   want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", `DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: apiVersion "a/b/c" is invalid: unexpected GroupVersion string: a/b/c`)},
		},
		"MissingName": {
			reason: "An object needs a name: generateName would create a new object on every apply.",
			args:   args{tmpl: `{apiVersion: v1, kind: ConfigMap, metadata: {generateName: x-}}`},
			want:   want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: metadata.name must be set")},
		},
		"LabelsMustBeStrings": {
			reason: "Labels that are not strings are refused before the API server does it.",
			args:   args{tmpl: `{apiVersion: v1, kind: ConfigMap, metadata: {name: x, labels: {a: 1}}}`},
			want:   want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: metadata.labels [a] must be a string")},
		},
		"FirstLabelInOrder": {
			reason: "With several labels that are not strings, the refusal names the first in order, the same on every reconcile.",
			args:   args{tmpl: `{apiVersion: v1, kind: ConfigMap, metadata: {name: x, labels: {h: 1, g: 2, f: 3, e: 4, d: 5, c: 6, b: true, a: [1]}}}`},
			want:   want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: metadata.labels [a] must be a string")},
		},
		"MaxRenderedBytes": {
			reason: "Rendered objects larger than maxRenderedBytes fail the session.",
			args: args{
				tmpl:   `{apiVersion: v1, kind: ConfigMap, metadata: {name: x}, data: {a: '{{ repeat 2000 "x" }}'}}`,
				policy: func(p *Policy) { p.MaxRenderedBytes = 1000 },
			},
			want: want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: the auxiliary resources render to more than the 1000 bytes per session that the function input allows (auxiliaryResources.maxRenderedBytes)")},
		},
		"MaxRenderedBytesAfterRendering": {
			reason: "The limit counts the whole object, labels included, not just template output.",
			args: args{
				tmpl:   `{apiVersion: v1, kind: ConfigMap, metadata: {name: x}, data: {a: '` + strings.Repeat("x", 500) + `'}}`,
				policy: func(p *Policy) { p.MaxRenderedBytes = 600 },
			},
			want: want{err: failed("DebugSessionTemplate breakglass-system/t", "spec.auxiliaryResources[0]", "DebugSessionTemplate breakglass-system/t auxiliaryResources[x]: the auxiliary resources render to more than the 600 bytes per session that the function input allows (auxiliaryResources.maxRenderedBytes)")},
		},
		"MaxPerSession": {
			reason: "More enabled resources than maxPerSession fail the session before anything is rendered.",
			args: args{
				tmpl:   `{apiVersion: v1, kind: ConfigMap, metadata: {name: x}}`,
				policy: func(p *Policy) { p.MaxPerSession = 0 },
			},
			want: want{err: failed("Input", "auxiliaryResources.maxPerSession", "1 auxiliary resources are enabled, more than the 0 per session that the function input allows (auxiliaryResources.maxPerSession)")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := PolicyFor(nil, nil)
			if tc.args.policy != nil {
				tc.args.policy(&p)
			}
			en := &Enabled{Resources: []Resource{{Name: "aux-template-x", Source: SourceTemplate, Owner: "DebugSessionTemplate breakglass-system/t", Spec: aux("x", "", tc.args.tmpl, ignore)}}}
			res, err := Render(render.New(), en, sessionContext(), p)
			if diff := cmp.Diff(tc.want.err, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("%s\nRender(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if err != nil {
				return
			}
			// The standard labels and annotations are the subject of
			// TestRenderProposalExamples; here only the policy's changes count.
			obj := res.Resources[0].Object.DeepCopy()
			obj.SetLabels(nil)
			obj.SetAnnotations(nil)
			if diff := cmp.Diff(object(t, tc.want.obj), obj.Object); diff != "" {
				t.Errorf("%s\nRender(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func bindingPolicy(bp v1alpha1.AuxiliaryResourcePolicy) func(*Policy) {
	return func(p *Policy) {
		b := binding("prod", nil)
		b.Spec.AuxiliaryResourcePolicy = &bp
		p.Bindings = PolicyFor(nil, sources{Bindings: []*v1alpha1.DebugSessionClusterBinding{b}}.layers()).Bindings
	}
}

func TestPolicyFor(t *testing.T) {
	narrow := binding("narrow", nil)
	narrow.Spec.AuxiliaryResourcePolicy = &v1alpha1.AuxiliaryResourcePolicy{DeniedKinds: []v1alpha1.GroupKind{{Kind: "Secret"}}}
	in := &v1beta1.Input{AuxiliaryResources: &v1beta1.AuxiliaryResources{
		AllowedKinds:     []v1beta1.GroupKind{{Kind: "ConfigMap"}},
		MaxPerSession:    ptr(int32(3)),
		MaxRenderedBytes: ptr(int64(1000)),
	}}
	cases := map[string]struct {
		reason   string
		in       *v1beta1.Input
		bindings []*v1alpha1.DebugSessionClusterBinding
		want     Policy
	}{
		"Defaults": {
			reason: "Without input the default allowlist and limits apply.",
			want:   Policy{AllowedKinds: DefaultAllowedKinds, MaxPerSession: v1beta1.DefaultMaxPerSession, MaxRenderedBytes: v1beta1.DefaultMaxRenderedBytes},
		},
		"Input": {
			reason: "The input replaces the allowlist and sets the limits; every binding with a policy narrows it.",
			in:     in,
			bindings: []*v1alpha1.DebugSessionClusterBinding{
				binding("plain", nil), narrow,
			},
			want: Policy{
				AllowedKinds:     []v1alpha1.GroupKind{{Kind: "ConfigMap"}},
				Bindings:         []BindingPolicy{{Binding: "DebugSessionClusterBinding breakglass-system/narrow", Policy: *narrow.Spec.AuxiliaryResourcePolicy}},
				MaxPerSession:    3,
				MaxRenderedBytes: 1000,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, PolicyFor(tc.in, sources{Bindings: tc.bindings}.layers())); diff != "" {
				t.Errorf("%s\nPolicyFor(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

package resolution

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

const (
	srcTemplate    = "DebugSessionTemplate breakglass-system/netops-debug"
	srcGlobal      = "DebugSessionClusterBinding breakglass-system/platform-admin-global"
	srcProduction  = "DebugSessionClusterBinding breakglass-system/production-defaults"
	srcClusterA    = "DebugSessionClusterBinding breakglass-system/prod-cluster-a-specific"
	srcInputTarget = SourceInputDefault
)

func TestResolveLayering(t *testing.T) {
	type args struct {
		session  *v1alpha1.DebugSession
		template *v1alpha1.DebugSessionTemplate
		bindings []v1alpha1.DebugSessionClusterBinding
		input    *v1beta1.Input
	}
	prodA := clusterConfig("prod-cluster-a", "environment", "production")
	alice := session("prod-cluster-a", "alice@example.com", []string{"sre-oncall"})
	root := session("prod-cluster-a", "root@example.com", []string{"platform-admins"})

	templateScheduling := &v1alpha1.SchedulingConstraints{NodeSelector: map[string]string{"pool": "debug"}}
	productionScheduling := &v1alpha1.SchedulingConstraints{DeniedNodeLabels: map[string]string{"node-role.kubernetes.io/control-plane": "*"}}
	globalScheduling := &v1alpha1.SchedulingConstraints{Tolerations: []corev1.Toleration{{Key: "dedicated", Value: "debug", Effect: corev1.TaintEffectNoSchedule}}}
	netpol := v1alpha1.AuxiliaryResource{Name: "netpol", Template: runtime.RawExtension{Raw: []byte(`{"kind":"NetworkPolicy"}`)}}

	cases := map[string]struct {
		reason string
		args   args
		want   *Result
	}{
		"TemplateAlone": {
			reason: "Without a binding every setting comes from the template; the template never allows a user nodeSelector.",
			args: args{
				session: session("dev-cluster-1", "alice@example.com", []string{"sre-oncall"}),
				template: netopsTemplate(func(t *v1alpha1.DebugSessionTemplate) {
					t.Spec.Approvers = &v1alpha1.Approvers{Groups: []string{"security-team"}}
					t.Spec.TargetNamespace = "debug-sessions"
					t.Spec.SchedulingConstraints = templateScheduling
				}),
			},
			want: &Result{
				Approvers:       &v1alpha1.Approvers{Groups: []string{"security-team"}},
				Constraints:     v1alpha1.Constraints{MaxDuration: "4h", DefaultDuration: "1h"},
				TargetNamespace: "debug-sessions",
				Sources: map[string]string{
					"approvers":                   srcTemplate,
					"constraints.maxDuration":     srcTemplate,
					"constraints.defaultDuration": srcTemplate,
					"targetNamespace":             srcTemplate,
				},
			},
		},
		"InputDefaultTargetNamespace": {
			reason: "When neither binding nor template names a target namespace, the input's default applies.",
			args: args{
				session:  alice,
				template: netopsTemplate(),
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific()},
				input:    &v1beta1.Input{DefaultTargetNamespace: "debug-default"},
			},
			want: &Result{
				Constraints:     v1alpha1.Constraints{MaxDuration: "1h", DefaultDuration: "1h"},
				TargetNamespace: "debug-default",
				Sources: map[string]string{
					"constraints.maxDuration":     srcClusterA,
					"constraints.defaultDuration": srcTemplate,
					"targetNamespace":             srcInputTarget,
				},
			},
		},
		"BindingConstraintsOverrideFieldByField": {
			reason: "A binding's constraint overrides the template's only where the binding sets it; the others stay the template's.",
			args: args{
				session: alice,
				template: netopsTemplate(func(t *v1alpha1.DebugSessionTemplate) {
					t.Spec.Constraints = &v1alpha1.Constraints{MaxDuration: "4h", DefaultDuration: "1h", MaxRenewals: ptrTo[int32](4), AllowRenewal: ptrTo(true)}
					t.Spec.TargetNamespace = "debug-template"
				}),
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(func(b *v1alpha1.DebugSessionClusterBinding) {
					b.Spec.Constraints = &v1alpha1.Constraints{MaxDuration: "2h", MaxConcurrentSessions: ptrTo[int32](1), AllowRenewal: ptrTo(false), ApprovalTimeout: "2h"}
					b.Spec.TargetNamespace = "debug-sessions-prod"
				})},
			},
			want: &Result{
				Constraints: v1alpha1.Constraints{
					MaxDuration: "2h", DefaultDuration: "1h", MaxConcurrentSessions: ptrTo[int32](1),
					MaxRenewals: ptrTo[int32](4), AllowRenewal: ptrTo(false), ApprovalTimeout: "2h",
				},
				TargetNamespace: "debug-sessions-prod",
				Sources: map[string]string{
					"constraints.maxDuration":           srcClusterA,
					"constraints.defaultDuration":       srcTemplate,
					"constraints.maxConcurrentSessions": srcClusterA,
					"constraints.maxRenewals":           srcTemplate,
					"constraints.allowRenewal":          srcClusterA,
					"constraints.approvalTimeout":       srcClusterA,
					"targetNamespace":                   srcClusterA,
				},
			},
		},
		"EmptyBindingApproversReplaceTemplates": {
			reason: "A binding that sets approvers, even to nobody, replaces the template's: that is how a binding turns approval off.",
			args: args{
				session: alice,
				template: netopsTemplate(func(t *v1alpha1.DebugSessionTemplate) {
					t.Spec.Approvers = &v1alpha1.Approvers{Groups: []string{"security-team"}}
				}),
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific(func(b *v1alpha1.DebugSessionClusterBinding) {
					b.Spec.Approvers = &v1alpha1.Approvers{}
				})},
			},
			want: &Result{
				Approvers:       &v1alpha1.Approvers{},
				Constraints:     v1alpha1.Constraints{MaxDuration: "1h", DefaultDuration: "1h"},
				TargetNamespace: v1beta1.DefaultTargetNamespace,
				Sources: map[string]string{
					"approvers":                   srcClusterA,
					"constraints.maxDuration":     srcClusterA,
					"constraints.defaultDuration": srcTemplate,
					"targetNamespace":             srcInputTarget,
				},
			},
		},
		"UnsetBindingApproversInheritTemplates": {
			reason: "A binding without an approvers block keeps the template's approvers.",
			args: args{
				session: alice,
				template: netopsTemplate(func(t *v1alpha1.DebugSessionTemplate) {
					t.Spec.Approvers = &v1alpha1.Approvers{Groups: []string{"security-team"}}
				}),
				bindings: []v1alpha1.DebugSessionClusterBinding{prodClusterASpecific()},
			},
			want: &Result{
				Approvers:       &v1alpha1.Approvers{Groups: []string{"security-team"}},
				Constraints:     v1alpha1.Constraints{MaxDuration: "1h", DefaultDuration: "1h"},
				TargetNamespace: v1beta1.DefaultTargetNamespace,
				Sources: map[string]string{
					"approvers":                   srcTemplate,
					"constraints.maxDuration":     srcClusterA,
					"constraints.defaultDuration": srcTemplate,
					"targetNamespace":             srcInputTarget,
				},
			},
		},
		"PlatformAdminGlobalSettings": {
			reason: "The proposal's platform-admin-global binding: its approvers (auto-approve only), its scheduling after the template's, and a user nodeSelector allowed.",
			args: args{
				session: root,
				template: netopsTemplate(func(t *v1alpha1.DebugSessionTemplate) {
					t.Spec.SchedulingConstraints = templateScheduling
				}),
				bindings: []v1alpha1.DebugSessionClusterBinding{platformAdminGlobal(func(b *v1alpha1.DebugSessionClusterBinding) {
					b.Spec.SchedulingConstraints = globalScheduling
				})},
			},
			want: &Result{
				Approvers:             &v1alpha1.Approvers{AutoApproveFor: &v1alpha1.AutoApproveFor{Groups: []string{"platform-admins"}}},
				Constraints:           v1alpha1.Constraints{MaxDuration: "4h", DefaultDuration: "1h"},
				TargetNamespace:       v1beta1.DefaultTargetNamespace,
				AllowUserNodeSelector: true,
				Sources: map[string]string{
					"approvers":                   srcGlobal,
					"allowUserNodeSelector":       srcGlobal,
					"constraints.maxDuration":     srcTemplate,
					"constraints.defaultDuration": srcTemplate,
					"targetNamespace":             srcInputTarget,
				},
			},
		},
		"AdditiveChainTakesEachFieldFromHighestThatSetsIt": {
			reason: "In an additive chain the scheduling of every binding merges (lowest first, after the template) and each other field comes from the highest binding that sets it.",
			args: args{
				session: root,
				template: netopsTemplate(func(t *v1alpha1.DebugSessionTemplate) {
					t.Spec.SchedulingConstraints = templateScheduling
					t.Spec.TargetNamespace = "debug-template"
				}),
				bindings: []v1alpha1.DebugSessionClusterBinding{
					platformAdminGlobal(additive, func(b *v1alpha1.DebugSessionClusterBinding) {
						b.Spec.Approvers = nil
						b.Spec.AllowUserNodeSelector = false
						b.Spec.SchedulingConstraints = globalScheduling
						b.Spec.TargetNamespace = "debug-admin"
						b.Spec.AuxiliaryResourceOverrides = map[string]bool{"rbac": false}
					}),
					productionDefaults(additive, func(b *v1alpha1.DebugSessionClusterBinding) {
						b.Spec.SchedulingConstraints = productionScheduling
						b.Spec.Approvers = &v1alpha1.Approvers{Groups: []string{"security-team"}}
						b.Spec.Constraints = &v1alpha1.Constraints{MaxDuration: "2h"}
						b.Spec.AuxiliaryResourceOverrides = map[string]bool{"rbac": true, "network-isolation": true}
						b.Spec.AuxiliaryResourcePolicy = &v1alpha1.AuxiliaryResourcePolicy{DeniedKinds: []v1alpha1.GroupKind{{Group: "rbac.authorization.k8s.io", Kind: "*"}}}
						b.Spec.AuxiliaryResources = []v1alpha1.AuxiliaryResource{netpol}
						b.Spec.AllowUserNodeSelector = true
					}),
					prodClusterASpecific(func(b *v1alpha1.DebugSessionClusterBinding) {
						b.Spec.TargetNamespace = "debug-cluster-a"
					}),
				},
			},
			want: &Result{
				Approvers:             &v1alpha1.Approvers{Groups: []string{"security-team"}},
				Constraints:           v1alpha1.Constraints{MaxDuration: "2h", DefaultDuration: "1h"},
				TargetNamespace:       "debug-admin",
				AllowUserNodeSelector: true,
				Sources: map[string]string{
					"approvers":                   srcProduction,
					"allowUserNodeSelector":       srcProduction,
					"constraints.maxDuration":     srcProduction,
					"constraints.defaultDuration": srcTemplate,
					"targetNamespace":             srcGlobal,
				},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Resolve(Request{Session: tc.args.session, Template: tc.args.template, ClusterConfig: prodA, Bindings: tc.args.bindings, Input: tc.args.input})
			if err != nil {
				t.Fatalf("%s\nResolve(...): %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(Result{}, "Layers", "Candidates")); diff != "" {
				t.Errorf("%s\nResolve(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestResolveDoesNotAlias guards the inputs: callers merge and default the
// effective settings, and that must never write through to a template or
// binding that the next session resolves against.
func TestResolveDoesNotAlias(t *testing.T) {
	tmpl := netopsTemplate(func(t *v1alpha1.DebugSessionTemplate) {
		t.Spec.Approvers = &v1alpha1.Approvers{Groups: []string{"security-team"}}
		t.Spec.Constraints.MaxRenewals = ptrTo[int32](2)
		t.Spec.SchedulingConstraints = &v1alpha1.SchedulingConstraints{NodeSelector: map[string]string{"pool": "debug"}}
	})
	b := prodClusterASpecific(func(b *v1alpha1.DebugSessionClusterBinding) {
		b.Spec.AuxiliaryResourceOverrides = map[string]bool{"rbac": true}
		b.Spec.AuxiliaryResourcePolicy = &v1alpha1.AuxiliaryResourcePolicy{}
	})
	wantT, wantB := tmpl.DeepCopy(), b.DeepCopy()

	got, err := Resolve(Request{Session: session("prod-cluster-a", "alice@example.com", []string{"sre-oncall"}), Template: tmpl, Bindings: []v1alpha1.DebugSessionClusterBinding{b}})
	if err != nil {
		t.Fatal(err)
	}
	got.Approvers.Groups[0] = "changed"
	*got.Constraints.MaxRenewals = 99

	if diff := cmp.Diff(wantT, tmpl); diff != "" {
		t.Errorf("Changing the result changed the template: -want, +got:\n%s", diff)
	}
	if diff := cmp.Diff(wantB, &b); diff != "" {
		t.Errorf("Changing the result changed the binding: -want, +got:\n%s", diff)
	}
}

// TestConstraintFieldsCoverConstraints fails when a field is added to
// v1alpha1.Constraints without teaching the layering about it; it would
// otherwise silently never come from a binding.
func TestConstraintFieldsCoverConstraints(t *testing.T) {
	typ := reflect.TypeFor[v1alpha1.Constraints]()
	want := make([]string, 0, typ.NumField())
	for i := range typ.NumField() {
		want = append(want, typ.Field(i).Tag.Get("json"))
	}
	got := make([]string, 0, len(constraintFields))
	for _, f := range constraintFields {
		got = append(got, f.name+",omitempty")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("constraintFields do not cover v1alpha1.Constraints: -want, +got:\n%s", diff)
	}
}

// TestResolveLayers checks the one list every later step layers settings
// from: the template first, then the picked binding and its additive chain
// in pick order, each named as messages name it.
func TestResolveLayers(t *testing.T) {
	prodA := clusterConfig("prod-cluster-a", "environment", "production")
	root := session("prod-cluster-a", "root@example.com", []string{"platform-admins"})
	cases := map[string]struct {
		reason   string
		session  *v1alpha1.DebugSession
		bindings []v1alpha1.DebugSessionClusterBinding
		want     []string
	}{
		"TemplateAlone": {
			reason:  "Without a binding the template is the only layer.",
			session: session("dev-cluster-1", "alice@example.com", []string{"sre-oncall"}),
			want:    []string{srcTemplate},
		},
		"PickedBinding": {
			reason:   "An override binding is the only layer over the template.",
			session:  root,
			bindings: []v1alpha1.DebugSessionClusterBinding{platformAdminGlobal(), productionDefaults()},
			want:     []string{srcTemplate, srcGlobal},
		},
		"AdditiveChain": {
			reason:   "An additive binding brings the next candidates, in pick order, until one that overrides.",
			session:  root,
			bindings: []v1alpha1.DebugSessionClusterBinding{platformAdminGlobal(additive), productionDefaults(additive), prodClusterASpecific()},
			want:     []string{srcTemplate, srcGlobal, srcProduction, srcClusterA},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := Resolve(Request{Session: tc.session, Template: netopsTemplate(), ClusterConfig: prodA, Bindings: tc.bindings})
			if err != nil {
				t.Fatalf("%s\nResolve(...): %v", tc.reason, err)
			}
			got := make([]string, 0, len(res.Layers))
			for i, l := range res.Layers {
				got = append(got, l.Source)
				if (i == 0) != (l.Template != nil) || (i > 0) != (l.Binding != nil) {
					t.Errorf("%s\nlayer %d (%s): want the template first and bindings after it, got template %v, binding %v", tc.reason, i, l.Source, l.Template != nil, l.Binding != nil)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nResolve(...).Layers: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

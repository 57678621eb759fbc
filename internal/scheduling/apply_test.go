package scheduling

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestApply(t *testing.T) {
	type args struct {
		spec *corev1.PodSpec
		c    *sc
		user UserNodeSelector
	}
	type want struct {
		spec *corev1.PodSpec
		err  error
	}
	const session = "team-a/inc-1234"
	existingTol := corev1.Toleration{Key: "existing", Operator: corev1.TolerationOpExists}
	newTol := corev1.Toleration{Key: "dedicated", Value: "debug", Effect: corev1.TaintEffectNoSchedule}
	spreadHost := corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: "kubernetes.io/hostname", WhenUnsatisfiable: corev1.DoNotSchedule}
	spreadZone := corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: "topology.kubernetes.io/zone", WhenUnsatisfiable: corev1.ScheduleAnyway}
	spreadZone5 := spreadZone
	spreadZone5.MaxSkew = 5
	anti := corev1.PodAffinityTerm{LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"breakglass.telekom.de/session-type": "debug"}}, TopologyKey: "kubernetes.io/hostname"}
	pref := corev1.PreferredSchedulingTerm{Weight: 100, Preference: term(in("debug-workloads", "allowed"))}

	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"NothingToApply": {
			reason: "Without constraints or a user selector the pod spec is unchanged: no empty affinity appears.",
			args:   args{spec: &corev1.PodSpec{NodeSelector: map[string]string{"a": "b"}}},
			want:   want{spec: &corev1.PodSpec{NodeSelector: map[string]string{"a": "b"}}},
		},
		"NodeSelectorOnEmptySpec": {
			reason: "The mandatory nodeSelector is set on a pod without one.",
			args:   args{spec: &corev1.PodSpec{}, c: &sc{NodeSelector: map[string]string{"node-pool": "debug", "zone": "us-east-1a"}}},
			want:   want{spec: &corev1.PodSpec{NodeSelector: map[string]string{"node-pool": "debug", "zone": "us-east-1a"}}},
		},
		"NodeSelectorUnionMandatoryWins": {
			reason: "The pod template's keys stay, and a mandatory value wins over the pod template's.",
			args:   args{spec: &corev1.PodSpec{NodeSelector: map[string]string{"existing": "value", "key": "old"}}, c: &sc{NodeSelector: map[string]string{"key": "new"}}},
			want:   want{spec: &corev1.PodSpec{NodeSelector: map[string]string{"existing": "value", "key": "new"}}},
		},
		"TolerationsAppended": {
			reason: "Tolerations are appended after the pod template's, once.",
			args:   args{spec: &corev1.PodSpec{Tolerations: []corev1.Toleration{existingTol, newTol}}, c: &sc{Tolerations: []corev1.Toleration{newTol}}},
			want:   want{spec: &corev1.PodSpec{Tolerations: []corev1.Toleration{existingTol, newTol}}},
		},
		"RequiredAffinityOnEmptySpec": {
			reason: "The mandatory required affinity is set on a pod without affinity.",
			args:   args{spec: &corev1.PodSpec{}, c: required(term(absent("node-role.kubernetes.io/control-plane")))},
			want:   want{spec: podWithRequired(term(absent("node-role.kubernetes.io/control-plane")))},
		},
		"RequiredAffinityAndedWithPod": {
			reason: "The pod's term and the mandatory term become one term with both expressions (AND, not OR).",
			args:   args{spec: podWithRequired(term(in("existing", "value"))), c: required(term(in("new", "value")))},
			want:   want{spec: podWithRequired(term(in("existing", "value"), in("new", "value")))},
		},
		"RequiredAffinityCrossProductWithPod": {
			reason: "Two pod terms (OR) AND-ed with two mandatory terms (OR) are four terms.",
			args: args{
				spec: podWithRequired(term(in("pool", "a")), term(in("pool", "b"))),
				c:    required(term(in("zone", "1")), term(in("zone", "2"))),
			},
			want: want{spec: podWithRequired(
				term(in("pool", "a"), in("zone", "1")), term(in("pool", "a"), in("zone", "2")),
				term(in("pool", "b"), in("zone", "1")), term(in("pool", "b"), in("zone", "2")),
			)},
		},
		"DeniedLabelsAndNodes": {
			reason: "Denied labels become DoesNotExist/NotIn sorted by key; exact denied nodes one matchFields NotIn each, sorted; all in one term.",
			args: args{spec: &corev1.PodSpec{}, c: &sc{
				DeniedNodes:      []string{"bad-node-2", "bad-node-1"},
				DeniedNodeLabels: map[string]string{"tainted": "true", "node-role.kubernetes.io/control-plane": "*"},
			}},
			want: want{spec: podWithRequired(fieldTerm(
				[]corev1.NodeSelectorRequirement{absent("node-role.kubernetes.io/control-plane"), notIn("tainted", "true")},
				notNode("bad-node-1"), notNode("bad-node-2"),
			))},
		},
		"DeniedTermAndedIntoEveryTerm": {
			reason: "The denial is AND-ed into every term, so no OR branch escapes it.",
			args: args{
				spec: podWithRequired(term(in("pool", "a")), term(in("pool", "b"))),
				c:    &sc{DeniedNodeLabels: map[string]string{"cp": "*"}, DeniedNodes: []string{"node-x"}},
			},
			want: want{spec: podWithRequired(
				fieldTerm([]corev1.NodeSelectorRequirement{in("pool", "a"), absent("cp")}, notNode("node-x")),
				fieldTerm([]corev1.NodeSelectorRequirement{in("pool", "b"), absent("cp")}, notNode("node-x")),
			)},
		},
		"GlobOnlyRendersNothing": {
			reason: "Glob patterns cannot be expressed in affinity; they are enforced by the admission policy instead.",
			args:   args{spec: &corev1.PodSpec{}, c: &sc{DeniedNodes: []string{"control-plane-*"}}},
			want:   want{spec: &corev1.PodSpec{}},
		},
		"TooManyTerms": {
			reason: "A pod template's terms AND-ed with the mandatory ones beyond 128 fail the session with a clear message.",
			args:   args{spec: podWithRequired(terms("pool", 20)...), c: required(terms("zone", 7)...)},
			want:   want{spec: podWithRequired(terms("pool", 20)...), err: failed("", "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms", "the pod template's required node affinity (20 terms) AND-ed with the mandatory one (7 terms) gives 140 terms, more than the 128 allowed")},
		},
		"PodEmptyTermsDropped": {
			reason: "An empty pod term matches no node; dropping it keeps the OR unchanged instead of widening it.",
			args:   args{spec: podWithRequired(corev1.NodeSelectorTerm{}, term(in("pool", "a"))), c: required(term(in("zone", "1")))},
			want:   want{spec: podWithRequired(term(in("pool", "a"), in("zone", "1")))},
		},
		"PodOnlyEmptyTerms": {
			reason: "A pod template whose required affinity selects no node is a configuration error.",
			args:   args{spec: podWithRequired(corev1.NodeSelectorTerm{}), c: required(term(in("zone", "1")))},
			want: want{
				spec: podWithRequired(corev1.NodeSelectorTerm{}),
				err:  failed("", "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms", "the pod template's spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: no term selects any node (a required affinity needs at least one non-empty term)"),
			},
		},
		"PreferencesAndAntiAffinityAppended": {
			reason: "Preferred node affinity and pod anti-affinity are appended.",
			args: args{spec: &corev1.PodSpec{}, c: &sc{
				PreferredNodeAffinity:    []corev1.PreferredSchedulingTerm{pref},
				RequiredPodAntiAffinity:  []corev1.PodAffinityTerm{anti},
				PreferredPodAntiAffinity: []corev1.WeightedPodAffinityTerm{{Weight: 10, PodAffinityTerm: anti}},
			}},
			want: want{spec: &corev1.PodSpec{Affinity: &corev1.Affinity{
				NodeAffinity: &corev1.NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.PreferredSchedulingTerm{pref}},
				PodAntiAffinity: &corev1.PodAntiAffinity{
					RequiredDuringSchedulingIgnoredDuringExecution:  []corev1.PodAffinityTerm{anti},
					PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{Weight: 10, PodAffinityTerm: anti}},
				},
			}}},
		},
		"TopologySpreadAppendedAndReplaced": {
			reason: "Spread constraints are appended, and a mandatory one replaces the pod's for the same key and action (the API server refuses both).",
			args: args{
				spec: &corev1.PodSpec{TopologySpreadConstraints: []corev1.TopologySpreadConstraint{spreadZone5, spreadHost}},
				c:    &sc{TopologySpreadConstraints: []corev1.TopologySpreadConstraint{spreadZone}},
			},
			want: want{spec: &corev1.PodSpec{TopologySpreadConstraints: []corev1.TopologySpreadConstraint{spreadZone, spreadHost}}},
		},
		"UserSelectorAllowed": {
			reason: "An allowed user nodeSelector is added and wins over the pod template's value.",
			args: args{
				spec: &corev1.PodSpec{NodeSelector: map[string]string{"zone": "a"}},
				c:    &sc{NodeSelector: map[string]string{"pool": "debug"}},
				user: UserNodeSelector{Session: session, Allowed: true, NodeSelector: map[string]string{"zone": "b", "kubernetes.io/hostname": "worker-3"}},
			},
			want: want{spec: &corev1.PodSpec{NodeSelector: map[string]string{"zone": "b", "pool": "debug", "kubernetes.io/hostname": "worker-3"}}},
		},
		"UserSelectorNotAllowed": {
			reason: "A user nodeSelector without allowUserNodeSelector denies the session and leaves the spec alone.",
			args:   args{spec: &corev1.PodSpec{}, user: UserNodeSelector{Session: session, NodeSelector: map[string]string{"zone": "b"}}},
			want:   want{spec: &corev1.PodSpec{}, err: denied("DebugSession team-a/inc-1234", "spec.nodeSelector", "DebugSession team-a/inc-1234 spec.nodeSelector: the binding does not allow a user nodeSelector (allowUserNodeSelector is not true); remove it to request this session")},
		},
		"UserSelectorEmptyNotAllowed": {
			reason: "An empty user nodeSelector asks for nothing, so it is fine without permission.",
			args:   args{spec: &corev1.PodSpec{}, user: UserNodeSelector{Session: session, NodeSelector: map[string]string{}}},
			want:   want{spec: &corev1.PodSpec{}},
		},
		"UserSelectorConflictsWithMandatory": {
			reason: "A user cannot override a mandatory nodeSelector key.",
			args: args{
				spec: &corev1.PodSpec{},
				c:    &sc{NodeSelector: map[string]string{"node-pool": "general-purpose"}},
				user: UserNodeSelector{Session: session, Allowed: true, NodeSelector: map[string]string{"node-pool": "gpu"}},
			},
			want: want{spec: &corev1.PodSpec{}, err: denied("DebugSession team-a/inc-1234", "spec.nodeSelector[node-pool]", `DebugSession team-a/inc-1234 spec.nodeSelector[node-pool]: asks for "gpu" but the mandatory scheduling constraints require node-pool=general-purpose`)},
		},
		"UserSelectorAsksForDeniedLabel": {
			reason: "A user cannot ask for nodes whose label is denied.",
			args: args{
				spec: &corev1.PodSpec{},
				c:    &sc{DeniedNodeLabels: map[string]string{"node-role.kubernetes.io/control-plane": "*"}},
				user: UserNodeSelector{Session: session, Allowed: true, NodeSelector: map[string]string{"node-role.kubernetes.io/control-plane": ""}},
			},
			want: want{spec: &corev1.PodSpec{}, err: denied("DebugSession team-a/inc-1234", "spec.nodeSelector[node-role.kubernetes.io/control-plane]", "DebugSession team-a/inc-1234 spec.nodeSelector[node-role.kubernetes.io/control-plane]: asks for nodes labelled node-role.kubernetes.io/control-plane=, which the mandatory scheduling constraints deny")},
		},
		"UserSelectorContradictsRequiredAffinity": {
			reason: "A user cannot ask for nodes no mandatory required term allows.",
			args: args{
				spec: &corev1.PodSpec{},
				c:    required(term(in("tenant", "tenant-a"))),
				user: UserNodeSelector{Session: session, Allowed: true, NodeSelector: map[string]string{"tenant": "tenant-b"}},
			},
			want: want{spec: &corev1.PodSpec{}, err: denied("DebugSession team-a/inc-1234", "spec.nodeSelector[tenant]", "DebugSession team-a/inc-1234 spec.nodeSelector[tenant]: asks for nodes labelled tenant=tenant-b, which the mandatory required node affinity excludes")},
		},
		"UserSelectorFitsOneRequiredTerm": {
			reason: "A user selector that one OR-ed term allows is fine.",
			args: args{
				spec: &corev1.PodSpec{},
				c:    required(term(in("tenant", "tenant-a")), term(in("tenant", "tenant-b"))),
				user: UserNodeSelector{Session: session, Allowed: true, NodeSelector: map[string]string{"tenant": "tenant-b"}},
			},
			want: want{spec: &corev1.PodSpec{
				NodeSelector: map[string]string{"tenant": "tenant-b"},
				Affinity:     podWithRequired(term(in("tenant", "tenant-a")), term(in("tenant", "tenant-b"))).Affinity,
			}},
		},
		"UserSelectorInvalid": {
			reason: "An invalid label in the user's selector is the user's fault.",
			args:   args{spec: &corev1.PodSpec{}, user: UserNodeSelector{Session: session, Allowed: true, NodeSelector: map[string]string{"zone": "a b"}}},
			want: want{spec: &corev1.PodSpec{}, err: denied("DebugSession team-a/inc-1234", "spec.nodeSelector[zone]", "DebugSession team-a/inc-1234: %v", field.ErrorList{field.Invalid(field.NewPath("spec", "nodeSelector").Key("zone"), "a b",
				"invalid label value: "+validation.IsValidLabelValue("a b")[0])}.ToAggregate())},
		},
		"InvalidConstraints": {
			reason: "Constraints that were never validated fail the session and leave the spec alone.",
			args:   args{spec: &corev1.PodSpec{}, c: &sc{DeniedNodes: []string{"UPPER"}}},
			want: want{spec: &corev1.PodSpec{}, err: failed("", "spec.schedulingConstraints", "the effective scheduling constraints: %v", field.ErrorList{field.Invalid(constraintsPath.Child("deniedNodes").Index(0), "UPPER",
				"invalid node name: "+validation.IsDNS1123Subdomain("UPPER")[0])}.ToAggregate())},
		},
		"NilSpec": {
			reason: "A missing pod spec is an error, not a panic.",
			args:   args{c: &sc{NodeSelector: map[string]string{"a": "b"}}},
			want:   want{err: failed("", "", "there is no pod spec to apply the scheduling constraints to")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := Apply(tc.args.spec, tc.args.c, tc.args.user)
			if diff := cmp.Diff(tc.want.spec, tc.args.spec); diff != "" {
				t.Errorf("%s\nApply(...): -want spec, +got spec:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.err, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("%s\nApply(...): -want error, +got error:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestConstrainDoesNotAlias(t *testing.T) {
	c := &sc{Tolerations: []corev1.Toleration{{Key: "dedicated", Value: "debug"}}, RequiredNodeAffinity: selector(term(in("zone", "a")))}
	spec := &corev1.PodSpec{}
	if err := Constrain(c, UserNodeSelector{})(spec); err != nil {
		t.Fatal(err)
	}
	spec.Tolerations[0].Key = "changed"
	spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions[0].Values[0] = "changed"
	want := &sc{Tolerations: []corev1.Toleration{{Key: "dedicated", Value: "debug"}}, RequiredNodeAffinity: selector(term(in("zone", "a")))}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("Changing the pod spec must not change the constraints: -want, +got:\n%s", diff)
	}
}

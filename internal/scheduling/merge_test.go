package scheduling

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

type sc = v1alpha1.SchedulingConstraints

func TestMergeSchedulingConstraints(t *testing.T) {
	type args struct {
		a, b *sc
	}
	type want struct {
		c   *sc
		err error
	}
	cpDoesNotExist := term(absent("node-role.kubernetes.io/control-plane"))
	spreadZone := corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: "topology.kubernetes.io/zone", WhenUnsatisfiable: corev1.ScheduleAnyway}
	spreadZone2 := spreadZone
	spreadZone2.MaxSkew = 2
	spreadHost := corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: "kubernetes.io/hostname", WhenUnsatisfiable: corev1.DoNotSchedule}
	debugTol := corev1.Toleration{Key: "dedicated", Value: "debug-workloads", Effect: corev1.TaintEffectNoSchedule}
	debugTolEqual := debugTol
	debugTolEqual.Operator = corev1.TolerationOpEqual
	gpuTol := corev1.Toleration{Key: "gpu", Operator: corev1.TolerationOpExists}
	prefDebug := corev1.PreferredSchedulingTerm{Weight: 100, Preference: term(in("debug-workloads", "allowed"))}
	prefZone := corev1.PreferredSchedulingTerm{Weight: 10, Preference: term(in("zone", "a"))}
	antiDebug := corev1.PodAffinityTerm{LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"breakglass.telekom.de/session-type": "debug"}}, TopologyKey: "kubernetes.io/hostname"}
	antiOther := corev1.PodAffinityTerm{LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}}, TopologyKey: "kubernetes.io/hostname"}
	softAnti := corev1.WeightedPodAffinityTerm{Weight: 50, PodAffinityTerm: antiDebug}

	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"NilAndNil": {
			reason: "Nothing merged with nothing is nothing.",
			want:   want{},
		},
		"EmptyAndEmpty": {
			reason: "Empty constraints restrict nothing, so the result is nil.",
			args:   args{a: &sc{}, b: &sc{NodeSelector: map[string]string{}}},
			want:   want{},
		},
		"NilAndSome": {
			reason: "Merging with nothing keeps the other side unchanged.",
			args:   args{b: &sc{NodeSelector: map[string]string{"pool": "debug"}, DeniedNodes: []string{"node-b", "node-a"}}},
			want:   want{c: &sc{NodeSelector: map[string]string{"pool": "debug"}, DeniedNodes: []string{"node-a", "node-b"}}},
		},
		"SomeAndNil": {
			reason: "Merging with nothing keeps the first side unchanged.",
			args:   args{a: required(cpDoesNotExist)},
			want:   want{c: required(cpDoesNotExist)},
		},
		"RequiredAffinityIsCrossProduct": {
			reason: "Kubernetes ORs terms, so AND of [pool=debug, pool=ops] and [zone=a, zone=b] is four terms of two expressions each.",
			args: args{
				a: required(term(in("pool", "debug")), term(in("pool", "ops"))),
				b: required(term(in("zone", "a")), term(in("zone", "b"))),
			},
			want: want{c: required(
				term(in("pool", "debug"), in("zone", "a")),
				term(in("pool", "debug"), in("zone", "b")),
				term(in("pool", "ops"), in("zone", "a")),
				term(in("pool", "ops"), in("zone", "b")),
			)},
		},
		"RequiredAffinityKeepsFields": {
			reason: "A merged term holds both sides' matchExpressions and matchFields.",
			args: args{
				a: required(fieldTerm([]corev1.NodeSelectorRequirement{in("pool", "debug")}, notNode("node-a"))),
				b: required(fieldTerm(nil, notNode("node-b"))),
			},
			want: want{c: required(fieldTerm([]corev1.NodeSelectorRequirement{in("pool", "debug")}, notNode("node-a"), notNode("node-b")))},
		},
		"RequiredAffinitySharedExpressionOnce": {
			reason: "An expression both sides require appears once in the merged term.",
			args: args{
				a: required(term(absent("node-role.kubernetes.io/control-plane"), in("tenant", "a"))),
				b: required(cpDoesNotExist),
			},
			want: want{c: required(term(absent("node-role.kubernetes.io/control-plane"), in("tenant", "a")))},
		},
		"RequiredAffinityOneTermAnd128": {
			reason: "One term AND-ed with 128 terms stays at the cap of 128.",
			args:   args{a: required(cpDoesNotExist), b: required(terms("pool", 128)...)},
			want: want{c: func() *sc {
				ts := terms("pool", 128)
				for i := range ts {
					ts[i].MatchExpressions = append([]corev1.NodeSelectorRequirement{absent("node-role.kubernetes.io/control-plane")}, ts[i].MatchExpressions...)
				}
				return required(ts...)
			}()},
		},
		"RequiredAffinityBeyondCap": {
			reason: "13 terms AND 10 terms would be 130 terms, more than 128: a clear error, not a huge pod spec.",
			args:   args{a: required(terms("pool", 13)...), b: required(terms("zone", 10)...)},
			want:   want{err: failed("the second constraints", "spec.schedulingConstraints.requiredNodeAffinity.nodeSelectorTerms", "the second constraints: spec.schedulingConstraints.requiredNodeAffinity.nodeSelectorTerms: AND-ing its 10 terms with the 13 terms already in force gives 130 terms, more than the 128 allowed")},
		},
		"RequiredAffinityNoTerms": {
			reason: "A required affinity without terms is invalid in Kubernetes; treating it as 'no requirement' would be a silent weakening.",
			args:   args{b: &sc{RequiredNodeAffinity: &corev1.NodeSelector{}}},
			want:   want{err: failed("the second constraints", "spec.schedulingConstraints", "the second constraints: %v", field.ErrorList{field.Required(constraintsPath.Child("requiredNodeAffinity", "nodeSelectorTerms"), "at least one term is required")}.ToAggregate())},
		},
		"RequiredAffinityEmptyTerm": {
			reason: "An empty term matches no node; AND-ing it would turn it into 'any node the other side allows'.",
			args:   args{a: required(term(in("pool", "a")), corev1.NodeSelectorTerm{})},
			want:   want{err: failed("the first constraints", "spec.schedulingConstraints", "the first constraints: %v", field.ErrorList{field.Invalid(constraintsPath.Child("requiredNodeAffinity", "nodeSelectorTerms").Index(1), "{}", "an empty term matches no node")}.ToAggregate())},
		},
		"RequiredAffinityMultiValueField": {
			reason: "The API server allows exactly one value per node field requirement.",
			args:   args{a: required(fieldTerm(nil, expr(metav1.ObjectNameField, corev1.NodeSelectorOpNotIn, "a", "b")))},
			want:   want{err: failed("the first constraints", "spec.schedulingConstraints", "the first constraints: %v", field.ErrorList{field.Required(constraintsPath.Child("requiredNodeAffinity", "nodeSelectorTerms").Index(0).Child("matchFields").Index(0).Child("values"), "exactly one node name is required")}.ToAggregate())},
		},
		"DeniedLabelWildcardDominates": {
			reason: "Denying every value of a key covers denying one value of it.",
			args:   args{a: &sc{DeniedNodeLabels: map[string]string{"cp": "*"}}, b: &sc{DeniedNodeLabels: map[string]string{"cp": "false"}}},
			want:   want{c: &sc{DeniedNodeLabels: map[string]string{"cp": "*"}}},
		},
		"DeniedLabelWildcardDominatesLater": {
			reason: "The wildcard wins whichever side it comes from.",
			args:   args{a: &sc{DeniedNodeLabels: map[string]string{"cp": "false"}}, b: &sc{DeniedNodeLabels: map[string]string{"cp": "*", "gpu": "true"}}},
			want:   want{c: &sc{DeniedNodeLabels: map[string]string{"cp": "*", "gpu": "true"}}},
		},
		"DeniedLabelSameValue": {
			reason: "Both sides denying the same value agree.",
			args:   args{a: &sc{DeniedNodeLabels: map[string]string{"tier": "gold"}}, b: &sc{DeniedNodeLabels: map[string]string{"tier": "gold"}}},
			want:   want{c: &sc{DeniedNodeLabels: map[string]string{"tier": "gold"}}},
		},
		"DeniedLabelConflict": {
			reason: "One key can deny only one value (or any), so two different values are an error.",
			args:   args{a: &sc{DeniedNodeLabels: map[string]string{"tier": "gold"}}, b: &sc{DeniedNodeLabels: map[string]string{"tier": "silver"}}},
			want:   want{err: failed("the second constraints", "spec.schedulingConstraints.deniedNodeLabels[tier]", `spec.schedulingConstraints.deniedNodeLabels[tier]: the first constraints denies "gold" and the second constraints denies "silver"; a key denies one value, or "*" for any value`)},
		},
		"DeniedLabelInvalidKey": {
			reason: "Denied label keys must be valid label keys.",
			args:   args{b: &sc{DeniedNodeLabels: map[string]string{"invalid/key/too/many": "*"}}},
			want: want{err: failed("the second constraints", "spec.schedulingConstraints", "the second constraints: %v", field.ErrorList{field.Invalid(constraintsPath.Child("deniedNodeLabels").Key("invalid/key/too/many"), "invalid/key/too/many",
				"invalid label key: "+validation.IsQualifiedName("invalid/key/too/many")[0])}.ToAggregate())},
		},
		"DeniedLabelInvalidValue": {
			reason: "Denied label values must be valid label values or '*'.",
			args:   args{a: &sc{DeniedNodeLabels: map[string]string{"cp": "bad/value"}}},
			want: want{err: failed("the first constraints", "spec.schedulingConstraints", "the first constraints: %v", field.ErrorList{field.Invalid(constraintsPath.Child("deniedNodeLabels").Key("cp"), "bad/value",
				`invalid label value (use "*" for any value): `+validation.IsValidLabelValue("bad/value")[0])}.ToAggregate())},
		},
		"DeniedNodesUnion": {
			reason: "Denied nodes are a sorted set: both sides, once each.",
			args:   args{a: &sc{DeniedNodes: []string{"node-b", "cp-*", "node-a"}}, b: &sc{DeniedNodes: []string{"node-c", "node-a"}}},
			want:   want{c: &sc{DeniedNodes: []string{"cp-*", "node-a", "node-b", "node-c"}}},
		},
		"DeniedNodeInvalidName": {
			reason: "An exact denied node must be a valid node name, or the pod spec would be rejected.",
			args:   args{a: &sc{DeniedNodes: []string{"Node_A"}}},
			want: want{err: failed("the first constraints", "spec.schedulingConstraints", "the first constraints: %v", field.ErrorList{field.Invalid(constraintsPath.Child("deniedNodes").Index(0), "Node_A",
				"invalid node name: "+validation.IsDNS1123Subdomain("Node_A")[0])}.ToAggregate())},
		},
		"DeniedNodeInvalidGlob": {
			reason: "A malformed glob is an error, never silently dropped.",
			args:   args{b: &sc{DeniedNodes: []string{"cp-[0-9"}}},
			want: want{err: failed("the second constraints", "spec.schedulingConstraints", "the second constraints: %v", field.ErrorList{field.Invalid(constraintsPath.Child("deniedNodes").Index(0), "cp-[0-9",
				`invalid glob "cp-[0-9": unterminated character class`)}.ToAggregate())},
		},
		"DeniedNodeGlobNeverMatches": {
			reason: "A glob with characters no node name has would deny nothing.",
			args:   args{b: &sc{DeniedNodes: []string{"CP-*"}}},
			want: want{err: failed("the second constraints", "spec.schedulingConstraints", "the second constraints: %v", field.ErrorList{field.Invalid(constraintsPath.Child("deniedNodes").Index(0), "CP-*",
				"the pattern can never match a node name: node names hold only lower-case letters, digits, '-' and '.'")}.ToAggregate())},
		},
		"NodeSelectorUnion": {
			reason: "Different keys and equal values merge.",
			args: args{
				a: &sc{NodeSelector: map[string]string{"shared": "v", "a-only": "a"}},
				b: &sc{NodeSelector: map[string]string{"shared": "v", "b-only": "b"}},
			},
			want: want{c: &sc{NodeSelector: map[string]string{"shared": "v", "a-only": "a", "b-only": "b"}}},
		},
		"NodeSelectorConflict": {
			reason: "Two constraints of equal rank (two bindings) disagreeing on a key is an error.",
			args:   args{a: &sc{NodeSelector: map[string]string{"node-pool": "restricted"}}, b: &sc{NodeSelector: map[string]string{"node-pool": "general"}}},
			want:   want{err: failed("the second constraints", "spec.schedulingConstraints.nodeSelector[node-pool]", `spec.schedulingConstraints.nodeSelector[node-pool]: the first constraints requires "restricted" and the second constraints requires "general"; constraints merged with each other must agree`)},
		},
		"NodeSelectorInvalid": {
			reason: "nodeSelector keys and values must be valid labels.",
			args:   args{a: &sc{NodeSelector: map[string]string{"pool": "a b"}}},
			want: want{err: failed("the first constraints", "spec.schedulingConstraints", "the first constraints: %v", field.ErrorList{field.Invalid(constraintsPath.Child("nodeSelector").Key("pool"), "a b",
				"invalid label value: "+validation.IsValidLabelValue("a b")[0])}.ToAggregate())},
		},
		"NodeSelectorDeniedByOtherSide": {
			reason: "Requiring a label the other side denies leaves no node for debug pods: an error, not pods Pending forever.",
			args:   args{a: &sc{NodeSelector: map[string]string{"pool": "gpu"}}, b: &sc{DeniedNodeLabels: map[string]string{"pool": "*"}}},
			want: want{err: failed("", "spec.schedulingConstraints", "the merged scheduling constraints: %v", field.ErrorList{field.Invalid(constraintsPath.Child("nodeSelector").Key("pool"), "gpu",
				`nodes must be labelled pool=gpu but deniedNodeLabels[pool] is "*": no node can run debug pods`)}.ToAggregate())},
		},
		"TolerationsAppendedOnce": {
			reason: "Tolerations are appended in order; an empty operator equals Equal, so that one is not repeated.",
			args:   args{a: &sc{Tolerations: []corev1.Toleration{debugTol}}, b: &sc{Tolerations: []corev1.Toleration{debugTolEqual, gpuTol}}},
			want:   want{c: &sc{Tolerations: []corev1.Toleration{debugTol, gpuTol}}},
		},
		"PreferredNodeAffinityAppendedOnce": {
			reason: "Preferences are appended without duplicates.",
			args:   args{a: &sc{PreferredNodeAffinity: []corev1.PreferredSchedulingTerm{prefDebug}}, b: &sc{PreferredNodeAffinity: []corev1.PreferredSchedulingTerm{prefZone, prefDebug}}},
			want:   want{c: &sc{PreferredNodeAffinity: []corev1.PreferredSchedulingTerm{prefDebug, prefZone}}},
		},
		"PodAntiAffinityAppendedOnce": {
			reason: "Required and preferred pod anti-affinity terms are appended without duplicates.",
			args: args{
				a: &sc{RequiredPodAntiAffinity: []corev1.PodAffinityTerm{antiDebug}, PreferredPodAntiAffinity: []corev1.WeightedPodAffinityTerm{softAnti}},
				b: &sc{RequiredPodAntiAffinity: []corev1.PodAffinityTerm{antiDebug, antiOther}, PreferredPodAntiAffinity: []corev1.WeightedPodAffinityTerm{softAnti}},
			},
			want: want{c: &sc{RequiredPodAntiAffinity: []corev1.PodAffinityTerm{antiDebug, antiOther}, PreferredPodAntiAffinity: []corev1.WeightedPodAffinityTerm{softAnti}}},
		},
		"TopologySpreadAppendedOnce": {
			reason: "Topology spread constraints are appended in order, equal ones once.",
			args:   args{a: &sc{TopologySpreadConstraints: []corev1.TopologySpreadConstraint{spreadZone}}, b: &sc{TopologySpreadConstraints: []corev1.TopologySpreadConstraint{spreadHost, spreadZone}}},
			want:   want{c: &sc{TopologySpreadConstraints: []corev1.TopologySpreadConstraint{spreadZone, spreadHost}}},
		},
		"TopologySpreadConflict": {
			reason: "The API server refuses two constraints for the same key and action, so two different ones conflict.",
			args:   args{a: &sc{TopologySpreadConstraints: []corev1.TopologySpreadConstraint{spreadZone}}, b: &sc{TopologySpreadConstraints: []corev1.TopologySpreadConstraint{spreadZone2}}},
			want:   want{err: failed("the second constraints", "spec.schedulingConstraints.topologySpreadConstraints[0]", `spec.schedulingConstraints.topologySpreadConstraints[0]: the first constraints and the second constraints set different constraints for topologyKey "topology.kubernetes.io/zone" with whenUnsatisfiable "ScheduleAnyway"`)},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := MergeSchedulingConstraints(tc.args.a, tc.args.b)
			if diff := cmp.Diff(tc.want.c, got); diff != "" {
				t.Errorf("%s\nMergeSchedulingConstraints(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.err, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("%s\nMergeSchedulingConstraints(...): -want error, +got error:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestMergeSchedulingConstraintsDoesNotAlias(t *testing.T) {
	a := &sc{NodeSelector: map[string]string{"pool": "debug"}, RequiredNodeAffinity: selector(term(in("zone", "a")))}
	got, err := MergeSchedulingConstraints(nil, a)
	if err != nil {
		t.Fatal(err)
	}
	got.NodeSelector["pool"] = "changed"
	got.RequiredNodeAffinity.NodeSelectorTerms[0].MatchExpressions[0].Values[0] = "changed"
	want := &sc{NodeSelector: map[string]string{"pool": "debug"}, RequiredNodeAffinity: selector(term(in("zone", "a")))}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("Changing the merged constraints must not change an input: -want, +got:\n%s", diff)
	}
}

package scheduling

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

func TestStatus(t *testing.T) {
	type args struct {
		c    *sc
		user UserNodeSelector
		kind v1alpha1.WorkloadType
	}
	const cp = "node-role.kubernetes.io/control-plane"
	cases := map[string]struct {
		reason string
		args   args
		want   *v1alpha1.SchedulingStatus
	}{
		"Nothing": {
			reason: "Without constraints there is nothing to report, as a dev cluster without constraints shows (null).",
			args:   args{kind: v1alpha1.WorkloadTypeDaemonSet},
		},
		"ProposalControlPlaneAffinity": {
			reason: "The proposal's production-defaults binding: a control-plane DoesNotExist term.",
			args:   args{c: required(term(absent(cp)))},
			want:   &v1alpha1.SchedulingStatus{Summary: "Control-plane nodes excluded, worker nodes only"},
		},
		"ProposalAvailableEndpoint": {
			reason: "The proposal's available-sessions example: control-plane denied for any value, node-pool required.",
			args:   args{c: &sc{DeniedNodeLabels: map[string]string{cp: "*"}, NodeSelector: map[string]string{"node-pool": "general-purpose"}}},
			want: &v1alpha1.SchedulingStatus{
				Summary:            "Control-plane nodes excluded, worker nodes only; only nodes labelled node-pool=general-purpose",
				RequiredNodeLabels: map[string]string{"node-pool": "general-purpose"},
				DeniedNodeLabels:   map[string]string{cp: "*"},
			},
		},
		"TenantPool": {
			reason: "The proposal's tenant binding: tenant-a nodes that are not control-plane nodes.",
			args:   args{c: required(term(in("tenant", "tenant-a"), absent(cp)))},
			want:   &v1alpha1.SchedulingStatus{Summary: "Control-plane nodes excluded, worker nodes only; only nodes where tenant is tenant-a"},
		},
		"OredTerms": {
			reason: "Several terms read as alternatives.",
			args:   args{c: required(term(in("pool", "a", "b"), in("zone", "1")), term(expr("gpu", corev1.NodeSelectorOpExists)))},
			want:   &v1alpha1.SchedulingStatus{Summary: "Only nodes where (pool is one of a, b and zone is 1) or gpu is set"},
		},
		"ControlPlaneOnlyInSomeTerms": {
			reason: "Control-plane nodes are only excluded when every term excludes them.",
			args:   args{c: required(term(absent(cp), in("pool", "a")), term(in("pool", "b")))},
			want:   &v1alpha1.SchedulingStatus{Summary: "Only nodes where (node-role.kubernetes.io/control-plane is not set and pool is a) or pool is b"},
		},
		"DeniedNodesDaemonSet": {
			reason: "Exact names are excluded by affinity, patterns refused by the admission policy; the DaemonSet still counts refused nodes, which the summary explains.",
			args:   args{c: &sc{DeniedNodes: []string{"node-b", "cp-*", "node-a"}, DeniedNodeLabels: map[string]string{"tainted": "true"}}, kind: v1alpha1.WorkloadTypeDaemonSet},
			want: &v1alpha1.SchedulingStatus{
				Summary: "Nodes labelled tainted=true excluded; nodes node-a, node-b excluded; nodes matching cp-* refused by an admission policy. " +
					"The DaemonSet counts nodes matching cp-* as desired but gets no pod on them, so it reports fewer pods than desired; label or taint such nodes to leave them out.",
				DeniedNodeLabels: map[string]string{"tainted": "true"},
				DeniedNodes:      []string{"cp-*", "node-a", "node-b"},
			},
		},
		"DeniedNodesDeployment": {
			reason: "The scheduler is not steered by the admission policy, so a Deployment gets the Pending caveat and the advice to use labels or taints.",
			args:   args{c: &sc{DeniedNodes: []string{"cp-*"}}, kind: v1alpha1.WorkloadTypeDeployment},
			want: &v1alpha1.SchedulingStatus{
				Summary: "Nodes matching cp-* refused by an admission policy. The scheduler is not steered by the admission policy: if the Deployment's node affinity allows a node matching cp-*, " +
					"it may keep choosing it and leave replicas Pending; label or taint such nodes to keep debug pods off them.",
				DeniedNodes: []string{"cp-*"},
			},
		},
		"DeniedNodesJob": {
			reason: "A Job's pods are placed by the scheduler like a Deployment's: the same caveat, in terms of the Job.",
			args:   args{c: &sc{DeniedNodes: []string{"cp-*"}}, kind: v1alpha1.WorkloadTypeJob},
			want: &v1alpha1.SchedulingStatus{
				Summary: "Nodes matching cp-* refused by an admission policy. The scheduler is not steered by the admission policy: if the Job's node affinity allows a node matching cp-*, " +
					"it may keep choosing it and leave the Job's pods Pending; label or taint such nodes to keep debug pods off them.",
				DeniedNodes: []string{"cp-*"},
			},
		},
		"ExactDeniedDeploymentNoCaveat": {
			reason: "Exact names are in the affinity, which the scheduler honours: no caveat.",
			args:   args{c: &sc{DeniedNodes: []string{"node-a"}}, kind: v1alpha1.WorkloadTypeDeployment},
			want:   &v1alpha1.SchedulingStatus{Summary: "Nodes node-a excluded", DeniedNodes: []string{"node-a"}},
		},
		"UserSelectorAndTolerations": {
			reason: "The user's allowed selector is part of the required labels; tolerations are reported.",
			args: args{
				c:    &sc{NodeSelector: map[string]string{"pool": "debug"}, Tolerations: []corev1.Toleration{{Key: "dedicated", Value: "debug", Effect: corev1.TaintEffectNoSchedule}, {Operator: corev1.TolerationOpExists}}},
				user: UserNodeSelector{Allowed: true, NodeSelector: map[string]string{"zone": "a"}},
			},
			want: &v1alpha1.SchedulingStatus{
				Summary:            "Only nodes labelled pool=debug, zone=a; tolerates dedicated=debug:NoSchedule, every taint",
				RequiredNodeLabels: map[string]string{"pool": "debug", "zone": "a"},
			},
		},
		"PreferencesOnly": {
			reason: "Preferences restrict no node, which the summary says.",
			args:   args{c: &sc{PreferredNodeAffinity: []corev1.PreferredSchedulingTerm{{Weight: 100, Preference: term(absent(cp))}}}},
			want:   &v1alpha1.SchedulingStatus{Summary: "No node is excluded; the constraints only add preferences"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := Status(tc.args.c, tc.args.user, tc.args.kind)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nStatus(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

package resolution

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// The fixtures below build the objects of the upstream design's examples,
// written out here. Each builder takes modifiers so that a case states only what it changes.

const configNS = v1beta1.DefaultConfigNamespace

func session(cluster, user string, groups []string, mods ...func(*v1alpha1.DebugSession)) *v1alpha1.DebugSession {
	s := &v1alpha1.DebugSession{
		ObjectMeta: metav1.ObjectMeta{Name: "inc-1234", Namespace: "team-a"},
		Spec: v1alpha1.DebugSessionSpec{
			TemplateRef:     v1alpha1.ObjectReference{Name: "netops-debug"},
			Cluster:         cluster,
			RequestedBy:     user,
			RequesterGroups: groups,
		},
	}
	for _, m := range mods {
		m(s)
	}
	return s
}

func withBindingRef(namespace, name string) func(*v1alpha1.DebugSession) {
	return func(s *v1alpha1.DebugSession) {
		s.Spec.BindingRef = &v1alpha1.ObjectReference{Namespace: namespace, Name: name}
	}
}

func template(name string, mods ...func(*v1alpha1.DebugSessionTemplate)) *v1alpha1.DebugSessionTemplate {
	t := &v1alpha1.DebugSessionTemplate{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: configNS},
		Spec: v1alpha1.DebugSessionTemplateSpec{
			PodTemplateRef: &v1alpha1.LocalObjectReference{Name: name + "-pod"},
		},
	}
	for _, m := range mods {
		m(t)
	}
	return t
}

func templateAllowed(clusters, groups, users []string) func(*v1alpha1.DebugSessionTemplate) {
	return func(t *v1alpha1.DebugSessionTemplate) {
		t.Spec.Allowed = &v1alpha1.Allowed{Clusters: clusters, Groups: groups, Users: users}
	}
}

// netopsTemplate is the netops-debug example template: production
// clusters, netops and on-call SREs.
func netopsTemplate(mods ...func(*v1alpha1.DebugSessionTemplate)) *v1alpha1.DebugSessionTemplate {
	return template("netops-debug", append([]func(*v1alpha1.DebugSessionTemplate){
		templateAllowed([]string{"prod-*", "dev-*"}, []string{"netops-team", "sre-oncall"}, nil),
		func(t *v1alpha1.DebugSessionTemplate) {
			t.Spec.Constraints = &v1alpha1.Constraints{MaxDuration: "4h", DefaultDuration: "1h"}
		},
	}, mods...)...)
}

func binding(name, templateName string, mods ...func(*v1alpha1.DebugSessionClusterBinding)) v1alpha1.DebugSessionClusterBinding {
	b := v1alpha1.DebugSessionClusterBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: configNS},
		Spec: v1alpha1.DebugSessionClusterBindingSpec{
			TemplateRef: &v1alpha1.ObjectReference{Name: templateName},
		},
	}
	for _, m := range mods {
		m(&b)
	}
	return b
}

func inNamespace(ns string) func(*v1alpha1.DebugSessionClusterBinding) {
	return func(b *v1alpha1.DebugSessionClusterBinding) { b.Namespace = ns }
}

// templateInConfigNS makes a binding in another namespace refer to the
// template in the config namespace.
func templateInConfigNS(b *v1alpha1.DebugSessionClusterBinding) {
	b.Spec.TemplateRef.Namespace = configNS
}

func clusters(c ...string) func(*v1alpha1.DebugSessionClusterBinding) {
	return func(b *v1alpha1.DebugSessionClusterBinding) { b.Spec.Clusters = c }
}

func selector(s *metav1.LabelSelector) func(*v1alpha1.DebugSessionClusterBinding) {
	return func(b *v1alpha1.DebugSessionClusterBinding) { b.Spec.ClusterSelector = s }
}

func matchLabels(kv ...string) *metav1.LabelSelector {
	s := &metav1.LabelSelector{MatchLabels: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		s.MatchLabels[kv[i]] = kv[i+1]
	}
	return s
}

func priority(p int32) func(*v1alpha1.DebugSessionClusterBinding) {
	return func(b *v1alpha1.DebugSessionClusterBinding) { b.Spec.Priority = p }
}

func allowedGroups(g ...string) func(*v1alpha1.DebugSessionClusterBinding) {
	return func(b *v1alpha1.DebugSessionClusterBinding) {
		if b.Spec.Allowed == nil {
			b.Spec.Allowed = &v1alpha1.Allowed{}
		}
		b.Spec.Allowed.Groups = g
	}
}

func allowedUsers(u ...string) func(*v1alpha1.DebugSessionClusterBinding) {
	return func(b *v1alpha1.DebugSessionClusterBinding) {
		if b.Spec.Allowed == nil {
			b.Spec.Allowed = &v1alpha1.Allowed{}
		}
		b.Spec.Allowed.Users = u
	}
}

func additive(b *v1alpha1.DebugSessionClusterBinding) { b.Spec.MergeMode = v1alpha1.MergeModeAdditive }

func disabled(b *v1alpha1.DebugSessionClusterBinding) { b.Spec.Disabled = true }

func clusterConfig(name string, labels ...string) *v1alpha1.ClusterConfig {
	cc := &v1alpha1.ClusterConfig{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: configNS}}
	if len(labels) > 0 {
		cc.Labels = map[string]string{}
		for i := 0; i+1 < len(labels); i += 2 {
			cc.Labels[labels[i]] = labels[i+1]
		}
	}
	return cc
}

func ptrTo[T any](v T) *T { return &v }

// Bindings of the platform-admin example.

func platformAdminGlobal(mods ...func(*v1alpha1.DebugSessionClusterBinding)) v1alpha1.DebugSessionClusterBinding {
	return binding("platform-admin-global", "netops-debug", append([]func(*v1alpha1.DebugSessionClusterBinding){
		clusters("*"),
		allowedGroups("platform-admins", "sre-oncall"),
		priority(1000),
		func(b *v1alpha1.DebugSessionClusterBinding) {
			b.Spec.Approvers = &v1alpha1.Approvers{AutoApproveFor: &v1alpha1.AutoApproveFor{Groups: []string{"platform-admins"}}}
			b.Spec.AllowUserNodeSelector = true
		},
	}, mods...)...)
}

func productionDefaults(mods ...func(*v1alpha1.DebugSessionClusterBinding)) v1alpha1.DebugSessionClusterBinding {
	return binding("production-defaults", "netops-debug", append([]func(*v1alpha1.DebugSessionClusterBinding){
		selector(matchLabels("environment", "production")),
		priority(100),
		func(b *v1alpha1.DebugSessionClusterBinding) {
			b.Spec.SchedulingConstraints = &v1alpha1.SchedulingConstraints{DeniedNodeLabels: map[string]string{"node-role.kubernetes.io/control-plane": "*"}}
		},
	}, mods...)...)
}

func prodClusterASpecific(mods ...func(*v1alpha1.DebugSessionClusterBinding)) v1alpha1.DebugSessionClusterBinding {
	return binding("prod-cluster-a-specific", "netops-debug", append([]func(*v1alpha1.DebugSessionClusterBinding){
		clusters("prod-cluster-a"),
		priority(50),
		func(b *v1alpha1.DebugSessionClusterBinding) {
			b.Spec.Constraints = &v1alpha1.Constraints{MaxDuration: "1h"}
		},
	}, mods...)...)
}

// Bindings of the tenant-isolation example.

func tenantBinding(tenant string) v1alpha1.DebugSessionClusterBinding {
	return binding(tenant+"-debug", "tenant-debug",
		selector(matchLabels("tenant", tenant)),
		allowedGroups(tenant+"-admins"),
		func(b *v1alpha1.DebugSessionClusterBinding) {
			b.Spec.SchedulingConstraints = &v1alpha1.SchedulingConstraints{}
		},
	)
}

func tenantSession(cluster, user, group string) *v1alpha1.DebugSession {
	return session(cluster, user, []string{group}, func(s *v1alpha1.DebugSession) {
		s.Spec.TemplateRef.Name = "tenant-debug"
	})
}

package delivery

import (
	"testing"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/names"
)

func TestTargetFor(t *testing.T) {
	type args struct {
		in      *v1beta1.Input
		cluster string
		cc      *v1alpha1.ClusterConfig
		o       []TargetOption
	}
	clusterConfig := func(ref *v1alpha1.ProviderConfigReference) *v1alpha1.ClusterConfig {
		return &v1alpha1.ClusterConfig{Spec: v1alpha1.ClusterConfigSpec{ProviderConfigRef: ref}}
	}
	cases := map[string]struct {
		reason string
		args   args
		want   Target
	}{
		"Defaults": {
			reason: "Without input and ClusterConfig, a legacy cluster-scoped session gets the cluster-scoped Object, deletion on delete, and a ProviderConfig named after the cluster.",
			args:   args{cluster: "prod-a"},
			want: Target{
				Mode: v1beta1.DeliveryProviderKubernetes, ObjectAPIVersion: v1beta1.DefaultObjectAPIVersion, DeletionPolicy: v1beta1.DefaultDeletionPolicy,
				Cluster: "prod-a", ProviderConfigName: "prod-a", ProviderConfigKind: ClusterProviderConfigKind,
			},
		},
		"ClusterConfigNamesProviderConfig": {
			reason: "The ClusterConfig's providerConfigRef should replace the default name and kind.",
			args:   args{cluster: "prod-a", cc: clusterConfig(&v1alpha1.ProviderConfigReference{Name: "prod-a-kubeconfig", Kind: ProviderConfigKind})},
			want: Target{
				Mode: v1beta1.DeliveryProviderKubernetes, ObjectAPIVersion: v1beta1.DefaultObjectAPIVersion, DeletionPolicy: v1beta1.DefaultDeletionPolicy,
				Cluster: "prod-a", ProviderConfigName: "prod-a-kubeconfig", ProviderConfigKind: ProviderConfigKind,
			},
		},
		"ClusterConfigWithEmptyRef": {
			reason: "An empty providerConfigRef should keep the defaults, not an empty name.",
			args:   args{cluster: "prod-a", cc: clusterConfig(&v1alpha1.ProviderConfigReference{})},
			want: Target{
				Mode: v1beta1.DeliveryProviderKubernetes, ObjectAPIVersion: v1beta1.DefaultObjectAPIVersion, DeletionPolicy: v1beta1.DefaultDeletionPolicy,
				Cluster: "prod-a", ProviderConfigName: "prod-a", ProviderConfigKind: ClusterProviderConfigKind,
			},
		},
		"NamespacedSessionGetsNamespacedObject": {
			reason: "A namespaced session with no objectAPIVersion in the input should get the namespaced Object, the only one Crossplane composes for it.",
			args:   args{in: &v1beta1.Input{}, cluster: "prod-a", o: []TargetOption{ForCompositeNamespace("team-a")}},
			want: Target{
				Mode: v1beta1.DeliveryProviderKubernetes, ObjectAPIVersion: v1beta1.NamespacedObjectAPIVersion, DeletionPolicy: v1beta1.DefaultDeletionPolicy,
				Cluster: "prod-a", ProviderConfigName: "prod-a", ProviderConfigKind: ClusterProviderConfigKind, CompositeNamespace: "team-a",
			},
		},
		"ExplicitObjectAPIVersionKept": {
			reason: "An objectAPIVersion set in the input should be kept as written; Desired says whether it can work.",
			args: args{
				in:      &v1beta1.Input{Delivery: &v1beta1.Delivery{ObjectAPIVersion: v1beta1.DefaultObjectAPIVersion, DeletionPolicy: v1beta1.OrphanDeletionPolicy}},
				cluster: "prod-a", o: []TargetOption{ForCompositeNamespace("team-a")},
			},
			want: Target{
				Mode: v1beta1.DeliveryProviderKubernetes, ObjectAPIVersion: v1beta1.DefaultObjectAPIVersion, DeletionPolicy: v1beta1.OrphanDeletionPolicy,
				Cluster: "prod-a", ProviderConfigName: "prod-a", ProviderConfigKind: ClusterProviderConfigKind, CompositeNamespace: "team-a",
			},
		},
		"Local": {
			reason: "Local delivery should be passed through from the input.",
			args:   args{in: &v1beta1.Input{Delivery: &v1beta1.Delivery{Mode: v1beta1.DeliveryLocal}}, cluster: "mgmt"},
			want: Target{
				Mode: v1beta1.DeliveryLocal, ObjectAPIVersion: v1beta1.DefaultObjectAPIVersion, DeletionPolicy: v1beta1.DefaultDeletionPolicy,
				Cluster: "mgmt", ProviderConfigName: "mgmt", ProviderConfigKind: ClusterProviderConfigKind,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := TargetFor(tc.args.in, tc.args.cluster, tc.args.cc, tc.args.o...)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nTargetFor(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func daemonSet() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1",
		"kind":       "DaemonSet",
		"metadata":   map[string]any{"name": "debug-inc-1234-433036c4", "namespace": "debug"},
		"spec":       map[string]any{"template": map[string]any{}},
	}}
}

func serviceAccount(namespace string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "ServiceAccount",
		"metadata":   map[string]any{"name": "debug-sa", "namespace": namespace},
	}}
}

func admissionPolicy() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "admissionregistration.k8s.io/v1",
		"kind":       "ValidatingAdmissionPolicy",
		"metadata":   map[string]any{"name": "debug-inc-1234-denied-nodes"},
	}}
}

func desired(o map[string]any, ready resource.Ready) *resource.DesiredComposed {
	return &resource.DesiredComposed{Resource: &composed.Unstructured{Unstructured: unstructured.Unstructured{Object: o}}, Ready: ready}
}

func readyObject() resource.ObservedComposed {
	o := composed.New()
	o.SetAPIVersion(v1beta1.DefaultObjectAPIVersion)
	o.SetKind("Object")
	o.Object["status"] = map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": "True", "reason": "Available"}}}
	return resource.ObservedComposed{Resource: o}
}

func TestDesired(t *testing.T) {
	type args struct {
		target   Target
		objs     []Object
		observed map[resource.Name]resource.ObservedComposed
	}
	type want struct {
		desired map[resource.Name]*resource.DesiredComposed
		err     string
	}
	cluster := Target{
		Mode: v1beta1.DeliveryProviderKubernetes, ObjectAPIVersion: v1beta1.DefaultObjectAPIVersion, DeletionPolicy: v1beta1.DefaultDeletionPolicy,
		Cluster: "prod-a", ProviderConfigName: "prod-a-kubeconfig", ProviderConfigKind: ClusterProviderConfigKind,
	}
	namespaced := cluster
	namespaced.ObjectAPIVersion = v1beta1.NamespacedObjectAPIVersion
	namespaced.CompositeNamespace = "team-a"
	watched := namespaced
	watched.Watch = true
	orphanAll := cluster
	orphanAll.DeletionPolicy = v1beta1.OrphanDeletionPolicy
	local := Target{Mode: v1beta1.DeliveryLocal, Cluster: "mgmt"}
	localNamespaced := local
	localNamespaced.CompositeNamespace = "team-a"

	daemonSetReadiness := map[string]any{"policy": "DeriveFromCelQuery", "celQuery": celDaemonSetReady}

	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"ClusterScopedObjects": {
			reason: "Each object should be wrapped in a cluster-scoped Object for the cluster's ProviderConfig; the workload's readiness comes from its pods, the others' from being applied.",
			args: args{target: cluster, objs: []Object{
				{Name: names.WorkloadResource, Object: daemonSet()},
				{Name: "aux-debug-sa", Object: serviceAccount("debug")},
			}},
			want: want{desired: map[resource.Name]*resource.DesiredComposed{
				names.WorkloadResource: desired(map[string]any{
					"apiVersion": "kubernetes.crossplane.io/v1alpha2", "kind": "Object",
					"spec": map[string]any{
						"deletionPolicy":    "Delete",
						"forProvider":       map[string]any{"manifest": daemonSet().Object},
						"providerConfigRef": map[string]any{"name": "prod-a-kubeconfig"},
						"readiness":         daemonSetReadiness,
					},
				}, resource.ReadyFalse),
				"aux-debug-sa": desired(map[string]any{
					"apiVersion": "kubernetes.crossplane.io/v1alpha2", "kind": "Object",
					"spec": map[string]any{
						"deletionPolicy":    "Delete",
						"forProvider":       map[string]any{"manifest": serviceAccount("debug").Object},
						"providerConfigRef": map[string]any{"name": "prod-a-kubeconfig"},
					},
				}, resource.ReadyFalse),
			}},
		},
		"WatchedWorkload": {
			reason: "With delivery.watch the workload's Object asks provider-kubernetes to watch it on the target, so readiness arrives in seconds; other objects are ready once applied and are not watched.",
			args: args{target: watched, objs: []Object{
				{Name: names.WorkloadResource, Object: daemonSet()},
				{Name: "aux-debug-sa", Object: serviceAccount("debug")},
			}},
			want: want{desired: map[resource.Name]*resource.DesiredComposed{
				names.WorkloadResource: desired(map[string]any{
					"apiVersion": "kubernetes.m.crossplane.io/v1alpha1", "kind": "Object",
					"spec": map[string]any{
						"forProvider":       map[string]any{"manifest": daemonSet().Object},
						"providerConfigRef": map[string]any{"name": "prod-a-kubeconfig", "kind": "ClusterProviderConfig"},
						"readiness":         daemonSetReadiness,
						"watch":             true,
					},
				}, resource.ReadyFalse),
				"aux-debug-sa": desired(map[string]any{
					"apiVersion": "kubernetes.m.crossplane.io/v1alpha1", "kind": "Object",
					"spec": map[string]any{
						"forProvider":       map[string]any{"manifest": serviceAccount("debug").Object},
						"providerConfigRef": map[string]any{"name": "prod-a-kubeconfig", "kind": "ClusterProviderConfig"},
					},
				}, resource.ReadyFalse),
			}},
		},
		"ClusterScopedOrphan": {
			reason: "An object kept after the session (deleteAfter: false) should be orphaned through the Object's deletionPolicy.",
			args:   args{target: cluster, objs: []Object{{Name: "aux-debug-sa", Object: serviceAccount("debug"), Orphan: true}}},
			want: want{desired: map[resource.Name]*resource.DesiredComposed{
				"aux-debug-sa": desired(map[string]any{
					"apiVersion": "kubernetes.crossplane.io/v1alpha2", "kind": "Object",
					"spec": map[string]any{
						"deletionPolicy":    "Orphan",
						"forProvider":       map[string]any{"manifest": serviceAccount("debug").Object},
						"providerConfigRef": map[string]any{"name": "prod-a-kubeconfig"},
					},
				}, resource.ReadyFalse),
			}},
		},
		"InputOrphansEverything": {
			reason: "delivery.deletionPolicy Orphan in the input should orphan every object.",
			args:   args{target: orphanAll, objs: []Object{{Name: "aux-debug-sa", Object: serviceAccount("debug")}}},
			want: want{desired: map[resource.Name]*resource.DesiredComposed{
				"aux-debug-sa": desired(map[string]any{
					"apiVersion": "kubernetes.crossplane.io/v1alpha2", "kind": "Object",
					"spec": map[string]any{
						"deletionPolicy":    "Orphan",
						"forProvider":       map[string]any{"manifest": serviceAccount("debug").Object},
						"providerConfigRef": map[string]any{"name": "prod-a-kubeconfig"},
					},
				}, resource.ReadyFalse),
			}},
		},
		"NamespacedObjects": {
			reason: "Namespaced Objects should name the kind of their ProviderConfig, orphan through management policies without Delete, and be ready when observed Ready.",
			args: args{
				target: namespaced,
				objs: []Object{
					{Name: names.WorkloadResource, Object: daemonSet()},
					{Name: "aux-debug-sa", Object: serviceAccount("debug"), Orphan: true},
				},
				observed: map[resource.Name]resource.ObservedComposed{names.WorkloadResource: readyObject()},
			},
			want: want{desired: map[resource.Name]*resource.DesiredComposed{
				names.WorkloadResource: desired(map[string]any{
					"apiVersion": "kubernetes.m.crossplane.io/v1alpha1", "kind": "Object",
					"spec": map[string]any{
						"forProvider":       map[string]any{"manifest": daemonSet().Object},
						"providerConfigRef": map[string]any{"name": "prod-a-kubeconfig", "kind": "ClusterProviderConfig"},
						"readiness":         daemonSetReadiness,
					},
				}, resource.ReadyTrue),
				"aux-debug-sa": desired(map[string]any{
					"apiVersion": "kubernetes.m.crossplane.io/v1alpha1", "kind": "Object",
					"spec": map[string]any{
						"forProvider":        map[string]any{"manifest": serviceAccount("debug").Object},
						"providerConfigRef":  map[string]any{"name": "prod-a-kubeconfig", "kind": "ClusterProviderConfig"},
						"managementPolicies": []any{"Observe", "Create", "Update", "LateInitialize"},
					},
				}, resource.ReadyFalse),
			}},
		},
		"LocalComposesDirectly": {
			reason: "Local delivery should compose the objects as they are, ready once observed (and, for the workload, available).",
			args: args{
				target: local,
				objs: []Object{
					{Name: names.WorkloadResource, Object: daemonSet()},
					{Name: "aux-debug-sa", Object: serviceAccount("debug"), Orphan: true},
					{Name: names.DeniedNodesPolicyResource, Object: admissionPolicy()},
				},
				observed: map[resource.Name]resource.ObservedComposed{"aux-debug-sa": {Resource: &composed.Unstructured{Unstructured: *serviceAccount("debug")}}},
			},
			want: want{desired: map[resource.Name]*resource.DesiredComposed{
				names.WorkloadResource:          desired(daemonSet().Object, resource.ReadyFalse),
				"aux-debug-sa":                  desired(serviceAccount("debug").Object, resource.ReadyTrue),
				names.DeniedNodesPolicyResource: desired(admissionPolicy().Object, resource.ReadyFalse),
			}},
		},
		"LocalInTheSessionNamespace": {
			reason: "Local delivery for a namespaced session works when the objects live in the session's own namespace.",
			args:   args{target: localNamespaced, objs: []Object{{Name: "aux-debug-sa", Object: serviceAccount("team-a")}}},
			want: want{desired: map[resource.Name]*resource.DesiredComposed{
				"aux-debug-sa": desired(serviceAccount("team-a").Object, resource.ReadyFalse),
			}},
		},
		"LocalIntoAnotherNamespace": {
			reason: "Crossplane would silently move the object into the session's namespace; refuse instead, and say what to do.",
			args:   args{target: localNamespaced, objs: []Object{{Name: names.WorkloadResource, Object: daemonSet()}}},
			want:   want{err: "Local delivery cannot create DaemonSet debug-inc-1234-433036c4 (workload) in namespace debug: Crossplane composes resources of a namespaced DebugSession only in its own namespace, team-a; make that the target namespace or use ProviderKubernetes delivery"},
		},
		"LocalClusterScoped": {
			reason: "Crossplane refuses cluster-scoped resources for a namespaced session; refuse first, and say what to do.",
			args:   args{target: localNamespaced, objs: []Object{{Name: names.DeniedNodesPolicyResource, Object: admissionPolicy()}}},
			want:   want{err: "Local delivery cannot create the cluster-scoped ValidatingAdmissionPolicy debug-inc-1234-denied-nodes (policy-denied-nodes): Crossplane composes only namespaced resources for a namespaced DebugSession; use ProviderKubernetes delivery"},
		},
		"ClusterScopedObjectForNamespacedSession": {
			reason: "An explicit cluster-scoped Object cannot be composed for a namespaced session.",
			args: args{target: func() Target {
				t := cluster
				t.CompositeNamespace = "team-a"
				return t
			}(), objs: []Object{{Name: names.WorkloadResource, Object: daemonSet()}}},
			want: want{err: "delivery.objectAPIVersion kubernetes.crossplane.io/v1alpha2 is a cluster-scoped Object, which Crossplane cannot compose for a namespaced DebugSession (namespace team-a); use kubernetes.m.crossplane.io/v1alpha1"},
		},
		"UnknownProviderConfigKind": {
			reason: "A namespaced Object can only reference a ProviderConfig or a ClusterProviderConfig.",
			args: args{target: func() Target {
				t := namespaced
				t.ProviderConfigKind = "Secret"
				return t
			}(), objs: []Object{{Name: names.WorkloadResource, Object: daemonSet()}}},
			want: want{err: `ClusterConfig prod-a spec.providerConfigRef.kind: "Secret" is neither ProviderConfig nor ClusterProviderConfig`},
		},
		"DuplicateNames": {
			reason: "Two objects under one composition resource name would make Crossplane see one; refuse.",
			args: args{target: cluster, objs: []Object{
				{Name: "aux-debug-sa", Object: serviceAccount("a")},
				{Name: "aux-debug-sa", Object: serviceAccount("b")},
			}},
			want: want{err: `two objects have the composition resource name "aux-debug-sa"`},
		},
		"MissingObject": {
			reason: "An object without content is a bug in the caller, reported rather than composed.",
			args:   args{target: cluster, objs: []Object{{Name: "aux-debug-sa"}}},
			want:   want{err: "object 0 has no composition resource name or no content"},
		},
		"UnknownMode": {
			reason: "An unknown delivery mode is refused, not guessed.",
			args:   args{target: Target{Mode: "Carrier pigeon"}, objs: []Object{{Name: names.WorkloadResource, Object: daemonSet()}}},
			want:   want{err: `unknown delivery mode "Carrier pigeon"`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Desired(tc.args.target, tc.args.objs, tc.args.observed)
			if diff := cmp.Diff(tc.want.desired, got); diff != "" {
				t.Errorf("%s\nDesired(...): -want, +got:\n%s", tc.reason, diff)
			}
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if diff := cmp.Diff(tc.want.err, gotErr); diff != "" {
				t.Errorf("%s\nDesired(...): -want error, +got error:\n%s", tc.reason, diff)
			}
		})
	}
}

package auxiliary

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/crossplane/function-sdk-go/errors"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
)

// DefaultAllowedKinds are the kinds auxiliary resources may have unless the
// function input replaces the list: kinds that cannot reach beyond the
// target namespace.
var DefaultAllowedKinds = []v1alpha1.GroupKind{
	{Group: "", Kind: "ServiceAccount"},
	{Group: "", Kind: "ConfigMap"},
	{Group: "", Kind: "Secret"},
	{Group: "networking.k8s.io", Kind: "NetworkPolicy"},
	{Group: "policy", Kind: "PodDisruptionBudget"},
	{Group: "rbac.authorization.k8s.io", Kind: "Role"},
	{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"},
}

// clusterScoped are the built-in cluster-scoped kinds. They are refused
// whatever the allowlists say: an auxiliary resource lives in the target
// namespace and dies with the session. Kinds of custom resources cannot be
// known without discovery; for them the allowlist is the guard.
var clusterScoped = map[schema.GroupKind]bool{
	{Group: "", Kind: "Namespace"}:                                                    true,
	{Group: "", Kind: "Node"}:                                                         true,
	{Group: "", Kind: "PersistentVolume"}:                                             true,
	{Group: "", Kind: "ComponentStatus"}:                                              true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:                         true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}:                  true,
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}:                 true,
	{Group: "apiregistration.k8s.io", Kind: "APIService"}:                             true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"}:   true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"}:     true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicy"}:        true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicyBinding"}: true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicy"}:          true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicyBinding"}:   true,
	{Group: "storage.k8s.io", Kind: "StorageClass"}:                                   true,
	{Group: "storage.k8s.io", Kind: "CSIDriver"}:                                      true,
	{Group: "storage.k8s.io", Kind: "CSINode"}:                                        true,
	{Group: "storage.k8s.io", Kind: "VolumeAttachment"}:                               true,
	{Group: "storage.k8s.io", Kind: "VolumeAttributesClass"}:                          true,
	{Group: "scheduling.k8s.io", Kind: "PriorityClass"}:                               true,
	{Group: "node.k8s.io", Kind: "RuntimeClass"}:                                      true,
	{Group: "networking.k8s.io", Kind: "IngressClass"}:                                true,
	{Group: "networking.k8s.io", Kind: "IPAddress"}:                                   true,
	{Group: "networking.k8s.io", Kind: "ServiceCIDR"}:                                 true,
	{Group: "certificates.k8s.io", Kind: "CertificateSigningRequest"}:                 true,
	{Group: "certificates.k8s.io", Kind: "ClusterTrustBundle"}:                        true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "FlowSchema"}:                       true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "PriorityLevelConfiguration"}:       true,
	{Group: "authentication.k8s.io", Kind: "TokenReview"}:                             true,
	{Group: "authentication.k8s.io", Kind: "SelfSubjectReview"}:                       true,
	{Group: "authorization.k8s.io", Kind: "SubjectAccessReview"}:                      true,
	{Group: "authorization.k8s.io", Kind: "SelfSubjectAccessReview"}:                  true,
	{Group: "authorization.k8s.io", Kind: "SelfSubjectRulesReview"}:                   true,
	{Group: "resource.k8s.io", Kind: "DeviceClass"}:                                   true,
	{Group: "resource.k8s.io", Kind: "ResourceSlice"}:                                 true,
	{Group: "internal.apiserver.k8s.io", Kind: "StorageVersion"}:                      true,
	{Group: "storagemigration.k8s.io", Kind: "StorageVersionMigration"}:               true,
}

// Policy limits what auxiliary resources may be. It is applied after
// rendering, and a violation fails the session whatever the resource's
// failurePolicy says.
type Policy struct {
	// AllowedKinds is the base allowlist: the input's, else
	// DefaultAllowedKinds. Kind "*" allows a whole group.
	AllowedKinds []v1alpha1.GroupKind
	// Bindings narrow the allowlist, each on its own.
	Bindings []BindingPolicy
	// MaxPerSession limits the number of enabled resources.
	MaxPerSession int
	// MaxRenderedBytes limits the total size of the rendered resources, as
	// JSON.
	MaxRenderedBytes int64
}

// BindingPolicy is a binding's auxiliaryResourcePolicy.
type BindingPolicy struct {
	// Binding names the binding, for messages.
	Binding string
	Policy  v1alpha1.AuxiliaryResourcePolicy
}

// PolicyFor returns the policy of a session with the layers resolution
// picked. Every binding's auxiliaryResourcePolicy applies: each one can only
// narrow, so with additive bindings the strictest combination wins.
func PolicyFor(in *v1beta1.Input, layers []resolution.Layer) Policy {
	p := Policy{AllowedKinds: DefaultAllowedKinds, MaxPerSession: in.GetMaxPerSession(), MaxRenderedBytes: in.GetMaxRenderedBytes()}
	if ks := in.GetAllowedKinds(); ks != nil {
		p.AllowedKinds = make([]v1alpha1.GroupKind, 0, len(ks))
		for _, k := range ks {
			p.AllowedKinds = append(p.AllowedKinds, v1alpha1.GroupKind{Group: k.Group, Kind: k.Kind})
		}
	}
	for _, l := range layers {
		if l.Binding == nil || l.Binding.Spec.AuxiliaryResourcePolicy == nil {
			continue
		}
		p.Bindings = append(p.Bindings, BindingPolicy{
			Binding: l.Source,
			Policy:  *l.Binding.Spec.AuxiliaryResourcePolicy.DeepCopy(),
		})
	}
	return p
}

// checkKind says why a kind is not allowed, or nil.
func (p Policy) checkKind(gk schema.GroupKind) error {
	if clusterScoped[gk] {
		return fmt.Errorf("kind %s is cluster-scoped; auxiliary resources must be namespaced objects in the target namespace", gk)
	}
	if !matchKind(p.AllowedKinds, gk) {
		return fmt.Errorf("kind %s is not allowed; allowed kinds: %s", gk, kindList(p.AllowedKinds))
	}
	for _, b := range p.Bindings {
		if len(b.Policy.AllowedKinds) > 0 && !matchKind(b.Policy.AllowedKinds, gk) {
			return fmt.Errorf("kind %s is not among the allowedKinds of %s spec.auxiliaryResourcePolicy: %s", gk, b.Binding, kindList(b.Policy.AllowedKinds))
		}
		if matchKind(b.Policy.DeniedKinds, gk) {
			return fmt.Errorf("kind %s is denied by %s spec.auxiliaryResourcePolicy.deniedKinds", gk, b.Binding)
		}
	}
	return nil
}

func matchKind(list []v1alpha1.GroupKind, gk schema.GroupKind) bool {
	return slices.ContainsFunc(list, func(k v1alpha1.GroupKind) bool {
		return k.Group == gk.Group && (k.Kind == "*" || k.Kind == gk.Kind)
	})
}

func kindList(list []v1alpha1.GroupKind) string {
	s := make([]string, 0, len(list))
	for _, k := range list {
		s = append(s, schema.GroupKind{Group: k.Group, Kind: k.Kind}.String())
	}
	slices.Sort(s)
	return strings.Join(s, ", ")
}

// police checks a rendered object and completes it: it sets the target
// namespace where the template left it empty, on the object and on RoleBinding
// subjects.
func (p Policy) police(obj map[string]any, target string) error {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if apiVersion == "" || kind == "" {
		return errors.New("apiVersion and kind must be set")
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return fmt.Errorf("apiVersion %q is invalid: %w", apiVersion, err)
	}
	gk := gv.WithKind(kind).GroupKind()
	if err := p.checkKind(gk); err != nil {
		return err
	}

	meta, ok := obj["metadata"].(map[string]any)
	if !ok {
		return errors.New("metadata must be an object")
	}
	if name, _ := meta["name"].(string); name == "" {
		return errors.New("metadata.name must be set")
	}
	switch ns := meta["namespace"].(type) {
	case nil:
		meta["namespace"] = target
	case string:
		if ns == "" {
			meta["namespace"] = target
			break
		}
		if ns != target {
			return fmt.Errorf("metadata.namespace is %s, but auxiliary resources may only be created in the target namespace %s", ns, target)
		}
	default:
		return errors.New("metadata.namespace must be a string")
	}
	for _, f := range []string{"labels", "annotations"} {
		if err := stringMap(meta[f]); err != nil {
			return fmt.Errorf("metadata.%s %w", f, err)
		}
	}

	if gk == (schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"}) {
		return policeRoleBinding(obj, target)
	}
	return nil
}

func stringMap(v any) error {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return errors.New("must be a map of strings")
	}
	// In order: the refusal becomes the session's status message, which
	// must read the same on every reconcile.
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if _, ok := m[k].(string); !ok {
			return fmt.Errorf("[%s] must be a string", k)
		}
	}
	return nil
}

// policeRoleBinding lets a RoleBinding grant a role only to ServiceAccounts
// of the target namespace, and never cluster-admin: the debug session must
// not become a way to hand out access to people or to other namespaces.
func policeRoleBinding(obj map[string]any, target string) error {
	ref, ok := obj["roleRef"].(map[string]any)
	if !ok {
		return errors.New("roleRef must be set")
	}
	if ref["kind"] == "ClusterRole" && ref["name"] == "cluster-admin" {
		return errors.New("roleRef: a RoleBinding may not grant the ClusterRole cluster-admin")
	}
	subjects, ok := obj["subjects"].([]any)
	if !ok && obj["subjects"] != nil {
		return errors.New("subjects must be a list")
	}
	for i, s := range subjects {
		sub, ok := s.(map[string]any)
		if !ok {
			return fmt.Errorf("subjects[%d] must be an object", i)
		}
		if kind, _ := sub["kind"].(string); kind != "ServiceAccount" {
			return fmt.Errorf("subjects[%d] is a %v; a RoleBinding may only bind ServiceAccounts of the target namespace %s", i, sub["kind"], target)
		}
		switch ns := sub["namespace"].(type) {
		case nil:
			sub["namespace"] = target
		case string:
			if ns == "" {
				sub["namespace"] = target
				break
			}
			if ns != target {
				return fmt.Errorf("subjects[%d] is ServiceAccount %s/%v; a RoleBinding may only bind ServiceAccounts of the target namespace %s", i, ns, sub["name"], target)
			}
		default:
			return fmt.Errorf("subjects[%d].namespace must be a string", i)
		}
	}
	return nil
}

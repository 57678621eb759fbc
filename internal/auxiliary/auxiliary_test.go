package auxiliary

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
)

func ptr[T any](v T) *T { return &v }

// aux returns an auxiliary resource whose template is given as YAML.
func aux(name, category, tmpl string, o ...func(*v1alpha1.AuxiliaryResource)) v1alpha1.AuxiliaryResource {
	j, err := yaml.YAMLToJSON([]byte(tmpl))
	if err != nil {
		panic(err)
	}
	r := v1alpha1.AuxiliaryResource{Name: name, Category: category, Template: runtime.RawExtension{Raw: j}}
	for _, fn := range o {
		fn(&r)
	}
	return r
}

func createAfter(r *v1alpha1.AuxiliaryResource)   { r.CreateBefore = ptr(false) }
func keep(r *v1alpha1.AuxiliaryResource)          { r.DeleteAfter = ptr(false) }
func ignore(r *v1alpha1.AuxiliaryResource)        { r.FailurePolicy = v1alpha1.FailurePolicyIgnore }
func needsApproval(r *v1alpha1.AuxiliaryResource) { r.RequiresApproval = true }
func failurePolicy(p string) func(*v1alpha1.AuxiliaryResource) {
	return func(r *v1alpha1.AuxiliaryResource) { r.FailurePolicy = v1alpha1.FailurePolicy(p) }
}

const configMap = `{apiVersion: v1, kind: ConfigMap, metadata: {name: "cm-{{ .Session.Name }}"}}`

func podTemplate(rs ...v1alpha1.AuxiliaryResource) *v1alpha1.DebugPodTemplate {
	return &v1alpha1.DebugPodTemplate{
		ObjectMeta: metav1.ObjectMeta{Name: "network-debug-pod", Namespace: "breakglass-system"},
		Spec:       v1alpha1.DebugPodTemplateSpec{AuxiliaryResources: rs},
	}
}

func sessionTemplate(defaults map[string]bool, rs ...v1alpha1.AuxiliaryResource) *v1alpha1.DebugSessionTemplate {
	return &v1alpha1.DebugSessionTemplate{
		ObjectMeta: metav1.ObjectMeta{Name: "network-debug-session", Namespace: "breakglass-system"},
		Spec: v1alpha1.DebugSessionTemplateSpec{
			DisplayName:               "Network Debug Session",
			AuxiliaryResourceDefaults: defaults,
			AuxiliaryResources:        rs,
		},
	}
}

func binding(name string, overrides map[string]bool, rs ...v1alpha1.AuxiliaryResource) *v1alpha1.DebugSessionClusterBinding {
	return &v1alpha1.DebugSessionClusterBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "breakglass-system"},
		Spec: v1alpha1.DebugSessionClusterBindingSpec{
			AuxiliaryResourceOverrides: overrides,
			AuxiliaryResources:         rs,
		},
	}
}

// enabled summarises an Enabled for comparison.
type enabled struct {
	Names            []string
	RequiresApproval bool
	ApprovedBy       []string
	Warnings         []string
}

func summarise(en *Enabled) enabled {
	if en == nil {
		return enabled{}
	}
	s := enabled{RequiresApproval: en.RequiresApproval, ApprovedBy: en.ApprovalRequiredBy, Warnings: en.Warnings}
	for _, r := range en.Resources {
		s.Names = append(s.Names, string(r.Name))
	}
	return s
}

// sources are the objects auxiliary resources come from, in the shape the
// tests write them; layers turns them into what resolution returns.
type sources struct {
	PodTemplate *v1alpha1.DebugPodTemplate
	Template    *v1alpha1.DebugSessionTemplate
	Bindings    []*v1alpha1.DebugSessionClusterBinding
}

func (s sources) layers() []resolution.Layer {
	var out []resolution.Layer
	if s.Template != nil {
		out = append(out, resolution.Layer{Source: s.Template.Describe(), Template: s.Template})
	}
	for _, b := range s.Bindings {
		out = append(out, resolution.Layer{Source: b.Describe(), Binding: b})
	}
	return out
}

// failed is the error of an auxiliary resource that fails the session: the
// whole *outcome.Error, compared with cmpopts.EquateErrors.
func failed(object, field, message string) error {
	return outcome.New(v1alpha1.StateFailed, object, field, message)
}

func enable(s sources) (*Enabled, error) { return Enable(s.PodTemplate, s.layers()) }

func TestEnable(t *testing.T) {
	type want struct {
		enabled enabled
		err     error
	}
	netpol := aux("egress-network-policy", "network-isolation", configMap)
	sa := aux("debug-service-account", "rbac", configMap)
	rb := aux("cluster-reader-role", "rbac", configMap, needsApproval)

	cases := map[string]struct {
		reason string
		src    sources
		want   want
	}{
		"Nothing": {
			reason: "A session without auxiliary resources enables nothing.",
			src:    sources{PodTemplate: podTemplate(), Template: sessionTemplate(nil)},
			want:   want{},
		},
		"ProposalDefaults": {
			reason: "The proposal's defaults enable network-isolation and not rbac.",
			src: sources{
				PodTemplate: podTemplate(netpol, sa, rb),
				Template:    sessionTemplate(map[string]bool{"network-isolation": true, "rbac": false}),
			},
			want: want{enabled: enabled{Names: []string{"aux-podtemplate-egress-network-policy"}}},
		},
		"UnlistedCategoryIsOff": {
			reason: "A category that neither the binding nor the template names is off.",
			src:    sources{PodTemplate: podTemplate(netpol, sa), Template: sessionTemplate(map[string]bool{"monitoring": true})},
			want:   want{},
		},
		"BindingOverrideTurnsOn": {
			reason: "A binding's override turns on a category the template leaves off, and requiresApproval then forces approval.",
			src: sources{
				PodTemplate: podTemplate(netpol, sa, rb),
				Template:    sessionTemplate(map[string]bool{"network-isolation": true, "rbac": false}),
				Bindings:    []*v1alpha1.DebugSessionClusterBinding{binding("prod", map[string]bool{"rbac": true})},
			},
			want: want{enabled: enabled{
				Names:            []string{"aux-podtemplate-egress-network-policy", "aux-podtemplate-debug-service-account", "aux-podtemplate-cluster-reader-role"},
				RequiresApproval: true,
				ApprovedBy:       []string{"cluster-reader-role"},
			}},
		},
		"BindingOverrideTurnsOff": {
			reason: "A binding's override turns off a category the template turns on.",
			src: sources{
				PodTemplate: podTemplate(netpol),
				Template:    sessionTemplate(map[string]bool{"network-isolation": true}),
				Bindings:    []*v1alpha1.DebugSessionClusterBinding{binding("prod", map[string]bool{"network-isolation": false})},
			},
			want: want{},
		},
		"HighestBindingDecides": {
			reason: "With additive bindings, the highest binding that names a category decides it.",
			src: sources{
				PodTemplate: podTemplate(netpol, sa),
				Template:    sessionTemplate(nil),
				Bindings: []*v1alpha1.DebugSessionClusterBinding{
					binding("high", map[string]bool{"rbac": true}),
					binding("low", map[string]bool{"rbac": false, "network-isolation": true}),
				},
			},
			want: want{enabled: enabled{Names: []string{"aux-podtemplate-egress-network-policy", "aux-podtemplate-debug-service-account"}}},
		},
		"UncategorisedPodTemplateResource": {
			reason: "A pod template resource without a category can never be enabled, which is worth a warning.",
			src:    sources{PodTemplate: podTemplate(aux("loose", "", configMap)), Template: sessionTemplate(map[string]bool{"": true})},
			want: want{enabled: enabled{Warnings: []string{
				"DebugPodTemplate breakglass-system/network-debug-pod spec.auxiliaryResources[0] (loose) has no category and is never deployed: pod template resources are enabled by category",
			}}},
		},
		"TemplateResources": {
			reason: "Session template resources without a category are always on; with one they follow it.",
			src: sources{Template: sessionTemplate(map[string]bool{"monitoring": false},
				aux("always", "", configMap), aux("metrics", "monitoring", configMap))},
			want: want{enabled: enabled{Names: []string{"aux-template-always"}}},
		},
		"BindingResourcesAreAlwaysOn": {
			reason: "Binding resources are deployed whatever the categories say, named by a hash of the binding.",
			src: sources{
				Template: sessionTemplate(map[string]bool{"network-isolation": false}),
				Bindings: []*v1alpha1.DebugSessionClusterBinding{
					binding("prod", map[string]bool{"network-isolation": false}, aux("debug-network-policy", "network-isolation", configMap)),
				},
			},
			want: want{enabled: enabled{Names: []string{"aux-binding-87bb3bca-debug-network-policy"}}},
		},
		"SameNameInEverySource": {
			reason: "The same name in every source gives distinct, ordered composition resource names.",
			src: sources{
				PodTemplate: podTemplate(aux("x", "on", configMap)),
				Template:    sessionTemplate(map[string]bool{"on": true}, aux("x", "", configMap)),
				Bindings: []*v1alpha1.DebugSessionClusterBinding{
					binding("a", nil, aux("x", "", configMap)),
					binding("b", nil, aux("x", "", configMap)),
				},
			},
			want: want{enabled: enabled{Names: []string{"aux-podtemplate-x", "aux-template-x", "aux-binding-08a68111-x", "aux-binding-551f9336-x"}}},
		},
		"LongNameStaysALabel": {
			reason: "A name that would make the composition resource name longer than a DNS label is shortened with a hash.",
			src:    sources{Template: sessionTemplate(nil, aux("a-resource-name-that-is-exactly-sixty-three-characters-long-xyz", "", configMap))},
			want:   want{enabled: enabled{Names: []string{"aux-template-a-resource-name-that-is-exactly-sixty-thr-f3661ad0"}}},
		},
		"InvalidName": {
			reason: "A name that is not a DNS label fails with the object and field.",
			src:    sources{Template: sessionTemplate(nil, aux("Bad_Name", "", configMap))},
			want: want{err: failed("DebugSessionTemplate breakglass-system/network-debug-session", "spec.auxiliaryResources[0].name",
				`DebugSessionTemplate breakglass-system/network-debug-session spec.auxiliaryResources[0].name: Invalid value: "Bad_Name": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`)},
		},
		"DuplicateName": {
			reason: "Two enabled resources of one source may not share a name: their composition resource names would collide.",
			src:    sources{PodTemplate: podTemplate(netpol, aux("egress-network-policy", "network-isolation", configMap)), Template: sessionTemplate(map[string]bool{"network-isolation": true})},
			want: want{err: failed("DebugPodTemplate breakglass-system/network-debug-pod", "spec.auxiliaryResources[1].name",
				`DebugPodTemplate breakglass-system/network-debug-pod spec.auxiliaryResources[1].name: Duplicate value: "egress-network-policy"`)},
		},
		"UnknownFailurePolicy": {
			reason: "failurePolicy is fail or ignore; upstream's warn is refused rather than guessed.",
			src: sources{Bindings: []*v1alpha1.DebugSessionClusterBinding{
				binding("prod", nil, aux("x", "", configMap, failurePolicy("warn"))),
			}},
			want: want{err: failed("DebugSessionClusterBinding breakglass-system/prod", "spec.auxiliaryResources[0].failurePolicy",
				`DebugSessionClusterBinding breakglass-system/prod spec.auxiliaryResources[0].failurePolicy: Unsupported value: "warn": supported values: "fail", "ignore"`)},
		},
		"DisabledResourcesAreNotValidated": {
			reason: "A resource that is off is not checked: it cannot affect the session.",
			src:    sources{PodTemplate: podTemplate(aux("Bad_Name", "off", configMap)), Template: sessionTemplate(nil)},
			want:   want{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := enable(tc.src)
			if diff := cmp.Diff(tc.want.err, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("%s\nEnable(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.enabled, summarise(got), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nEnable(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestResourceDefaults(t *testing.T) {
	cases := map[string]struct {
		reason string
		r      v1alpha1.AuxiliaryResource
		want   [3]bool // CreateBefore, DeleteAfter, IgnoreRenderFailure
	}{
		"Defaults": {
			reason: "createBefore and deleteAfter default to true, failurePolicy to fail.",
			r:      aux("x", "", configMap),
			want:   [3]bool{true, true, false},
		},
		"Explicit": {
			reason: "Explicit values win.",
			r:      aux("x", "", configMap, createAfter, keep, ignore),
			want:   [3]bool{false, false, true},
		},
		"ExplicitTrue": {
			reason: "An explicit true is true, and an explicit fail is fail.",
			r: aux("x", "", configMap, func(r *v1alpha1.AuxiliaryResource) {
				r.CreateBefore, r.DeleteAfter, r.FailurePolicy = ptr(true), ptr(true), v1alpha1.FailurePolicyFail
			}),
			want: [3]bool{true, true, false},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := Resource{Spec: tc.r}
			got := [3]bool{r.CreateBefore(), r.DeleteAfter(), r.IgnoreRenderFailure()}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

package v1beta1

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestValidate(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     *Input
		want   []string
	}{
		"NilIsValid": {
			reason: "A Composition without input uses every default.",
			in:     nil,
		},
		"DefaultsAreValid": {
			reason: "An empty input uses every default.",
			in:     &Input{},
		},
		"BadNamespaces": {
			reason: "Namespaces must be DNS labels, and the error names the field.",
			in:     &Input{ConfigNamespace: "Breakglass_System", BindingNamespaces: []string{"ok", "not ok"}},
			want:   []string{"configNamespace", "bindingNamespaces[1]"},
		},
		"StarMustStandAlone": {
			reason: `"*" trusts every namespace; combining it with names is a mistake.`,
			in:     &Input{BindingNamespaces: []string{"team-a", "*"}},
			want:   []string{"bindingNamespaces[1]"},
		},
		"UnknownEnums": {
			reason: "Unknown delivery modes, object API versions, deletion policies and glob modes are rejected.",
			in: &Input{
				Delivery:        &Delivery{Mode: "Helm", ObjectAPIVersion: "v1", DeletionPolicy: "Keep"},
				DeniedNodeGlobs: "Ignore",
				PodAccess:       "Audit",
			},
			want: []string{"delivery.mode", "delivery.objectAPIVersion", "delivery.deletionPolicy", "deniedNodeGlobs", "podAccess"},
		},
		"Limits": {
			reason: "Limits must be within range and allowed kinds must name a kind.",
			in: &Input{AuxiliaryResources: &AuxiliaryResources{
				AllowedKinds:     []GroupKind{{Group: "apps"}},
				MaxPerSession:    ptr(int32(-1)),
				MaxRenderedBytes: ptr(int64(1 << 40)),
			}},
			want: []string{"auxiliaryResources.allowedKinds[0].kind", "auxiliaryResources.maxPerSession", "auxiliaryResources.maxRenderedBytes"},
		},
		"TTLTooShort": {
			reason: "A TTL under a second would make Crossplane call the function constantly.",
			in:     &Input{TTL: &metav1.Duration{Duration: time.Millisecond}},
			want:   []string{"ttl"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, e := range tc.in.Validate() {
				got = append(got, e.Field)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nValidate(): -want fields, +got fields:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestGetters(t *testing.T) {
	type want struct {
		ConfigNamespace   string
		BindingNamespaces []string
		Mode              DeliveryMode
		ObjectAPIVersion  string
		DeletionPolicy    string
		Watch             bool
		TargetNamespace   string
		MaxPerSession     int
		MaxRenderedBytes  int64
		DeniedNodeGlobs   DeniedNodeGlobs
		TTL               time.Duration
		PodAccess         PodAccess
	}
	cases := map[string]struct {
		reason string
		in     *Input
		want   want
	}{
		"NilUsesDefaults": {
			reason: "Kubebuilder defaults never reach a function input, so the getters supply them.",
			in:     nil,
			want: want{
				ConfigNamespace: "breakglass-system", BindingNamespaces: []string{"breakglass-system"},
				Mode: DeliveryProviderKubernetes, ObjectAPIVersion: DefaultObjectAPIVersion, DeletionPolicy: "Delete",
				TargetNamespace: "breakglass-debug", MaxPerSession: 20, MaxRenderedBytes: 256 * 1024,
				DeniedNodeGlobs: DeniedNodeGlobsAdmissionPolicy, TTL: 60 * time.Second, PodAccess: PodAccessEnforce,
			},
		},
		"BindingNamespacesDefaultToConfigNamespace": {
			reason: "Bindings are trusted in the config namespace unless the input says otherwise.",
			in:     &Input{ConfigNamespace: "platform"},
			want: want{
				ConfigNamespace: "platform", BindingNamespaces: []string{"platform"},
				Mode: DeliveryProviderKubernetes, ObjectAPIVersion: DefaultObjectAPIVersion, DeletionPolicy: "Delete",
				TargetNamespace: "breakglass-debug", MaxPerSession: 20, MaxRenderedBytes: 256 * 1024,
				DeniedNodeGlobs: DeniedNodeGlobsAdmissionPolicy, TTL: 60 * time.Second, PodAccess: PodAccessEnforce,
			},
		},
		"ExplicitValues": {
			reason: "Set values are returned, binding namespaces sorted and deduplicated.",
			in: &Input{
				ConfigNamespace:        "platform",
				BindingNamespaces:      []string{"team-b", "team-a", "team-b"},
				Delivery:               &Delivery{Mode: DeliveryLocal, ObjectAPIVersion: NamespacedObjectAPIVersion, DeletionPolicy: "Orphan", Watch: ptr(true)},
				DefaultTargetNamespace: "debug",
				AuxiliaryResources:     &AuxiliaryResources{MaxPerSession: ptr(int32(3)), MaxRenderedBytes: ptr(int64(1000))},
				DeniedNodeGlobs:        DeniedNodeGlobsReject,
				TTL:                    &metav1.Duration{Duration: 5 * time.Second},
				PodAccess:              PodAccessOff,
			},
			want: want{
				ConfigNamespace: "platform", BindingNamespaces: []string{"team-a", "team-b"},
				Mode: DeliveryLocal, ObjectAPIVersion: NamespacedObjectAPIVersion, DeletionPolicy: "Orphan", Watch: true,
				TargetNamespace: "debug", MaxPerSession: 3, MaxRenderedBytes: 1000,
				DeniedNodeGlobs: DeniedNodeGlobsReject, TTL: 5 * time.Second, PodAccess: PodAccessOff,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := want{
				ConfigNamespace:   tc.in.GetConfigNamespace(),
				BindingNamespaces: tc.in.GetBindingNamespaces(),
				Mode:              tc.in.GetDeliveryMode(),
				ObjectAPIVersion:  tc.in.GetObjectAPIVersion(),
				DeletionPolicy:    tc.in.GetDeletionPolicy(),
				Watch:             tc.in.GetWatch(),
				TargetNamespace:   tc.in.GetDefaultTargetNamespace(),
				MaxPerSession:     tc.in.GetMaxPerSession(),
				MaxRenderedBytes:  tc.in.GetMaxRenderedBytes(),
				DeniedNodeGlobs:   tc.in.GetDeniedNodeGlobs(),
				TTL:               tc.in.GetTTL(),
				PodAccess:         tc.in.GetPodAccess(),
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\ngetters: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestTrustsBindingNamespace(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     *Input
		ns     string
		want   bool
	}{
		"ConfigNamespaceByDefault": {reason: "The config namespace is trusted by default.", in: nil, ns: "breakglass-system", want: true},
		"OtherNotByDefault":        {reason: "Other namespaces are not trusted by default.", in: nil, ns: "team-a", want: false},
		"Listed":                   {reason: "A listed namespace is trusted.", in: &Input{BindingNamespaces: []string{"team-a"}}, ns: "team-a", want: true},
		"Star":                     {reason: `"*" trusts every namespace.`, in: &Input{BindingNamespaces: []string{"*"}}, ns: "anything", want: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := tc.in.TrustsBindingNamespace(tc.ns); got != tc.want {
				t.Errorf("%s\nTrustsBindingNamespace(%q) = %v, want %v", tc.reason, tc.ns, got, tc.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

package names

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation"
)

func TestAuxiliaryLabel(t *testing.T) {
	// The expected names are literal: a composition resource name must never
	// change between releases, or Crossplane replaces the resource.
	cases := map[string]struct {
		reason string
		name   string
		want   string
	}{
		"ValidNameKept": {
			reason: "A name that is already a DNS label should only get the prefix, so that it reads as written in the template.",
			name:   "netpol-allow-debug",
			want:   "aux-netpol-allow-debug",
		},
		"UppercaseCleanedAndHashed": {
			reason: "A name with uppercase letters should be lowercased and get a hash of the original, so that it stays apart from the lowercase spelling.",
			name:   "DebugSA",
			want:   "aux-debugsa-37fe762e",
		},
		"OtherCharactersBecomeOneDash": {
			reason: "Runs of characters a DNS label cannot hold should become a single dash, without dashes at either end.",
			name:   "_my..config__map_",
			want:   "aux-my-config-map-7bef5161",
		},
		"NothingUsableLeft": {
			reason: "A name with nothing usable in it should be named by its hash alone.",
			name:   "..._",
			want:   "aux-00956016",
		},
		"Empty": {
			reason: "An empty name should still give a valid, stable composition resource name.",
			name:   "",
			want:   "aux-e3b0c442",
		},
		"LongNameShortened": {
			reason: "A name too long for a DNS label should be shortened, without a trailing dash, and keep a hash of the full name.",
			name:   strings.Repeat("a", 50) + "-" + strings.Repeat("b", 20),
			want:   "aux-" + strings.Repeat("a", 50) + "-cc26ab1b",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := auxiliaryLabel(tc.name)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nAuxiliaryResourceName(%q): -want, +got:\n%s", tc.reason, tc.name, diff)
			}
			if msgs := validation.IsDNS1123Label(got); len(msgs) > 0 {
				t.Errorf("%s\nAuxiliaryResourceName(%q) = %q is not a DNS label: %v", tc.reason, tc.name, got, msgs)
			}
		})
	}
}

func TestAuxiliaryResourceNamesStayApart(t *testing.T) {
	// Names that clean up to the same text must not share a composition
	// resource name: Crossplane would see one resource where there are two.
	names := []string{"debug-sa", "Debug-SA", "debug_sa", "debug.sa", "debug--sa", "DEBUG SA"}
	seen := map[string]string{}
	for _, n := range names {
		got := auxiliaryLabel(n)
		if other, dup := seen[got]; dup {
			t.Errorf("AuxiliaryResourceName(%q) and AuxiliaryResourceName(%q) are both %q", n, other, got)
		}
		seen[got] = n
	}
}

func FuzzAuxiliaryLabel(f *testing.F) {
	for _, s := range []string{"", "a", "netpol", "UPPER", "a_b.c", strings.Repeat("x-", 80), "ünïcödé", "-lead", "trail-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := auxiliaryLabel(name)
		if msgs := validation.IsDNS1123Label(got); len(msgs) > 0 {
			t.Fatalf("AuxiliaryResourceName(%q) = %q is not a DNS label: %v", name, got, msgs)
		}
		if again := auxiliaryLabel(name); again != got {
			t.Fatalf("AuxiliaryResourceName(%q) is not stable: %q, then %q", name, got, again)
		}
		if !strings.HasPrefix(got, "aux-") {
			t.Fatalf("AuxiliaryResourceName(%q) = %q lacks the %q prefix", name, got, "aux-")
		}
	})
}

func TestFixedResourceNamesAreLabels(t *testing.T) {
	for _, n := range []resource.Name{WorkloadResource, DeniedNodesPolicyResource, DeniedNodesPolicyBindingResource, PodAccessPolicyResource, PodAccessPolicyBindingResource, PodAccessRoleResource, PodAccessRoleBindingResource, ResourceQuotaResource, DisruptionBudgetResource} {
		if msgs := validation.IsDNS1123Label(string(n)); len(msgs) > 0 {
			t.Errorf("%q is not a DNS label: %v", n, msgs)
		}
	}
}

func TestWorkload(t *testing.T) {
	long := strings.Repeat("incident-", 20)
	cases := map[string]struct {
		reason    string
		namespace string
		name      string
		want      string
	}{
		"Short": {
			reason:    "A short session name is kept whole, with a hash suffix.",
			namespace: "team-a", name: "inc-1234",
			want: "debug-inc-1234-433036c4",
		},
		"OtherNamespace": {
			reason:    "The same session name in another namespace gets another name.",
			namespace: "team-b", name: "inc-1234",
			want: "debug-inc-1234-2ca1a5d1",
		},
		"DotsBecomeDashes": {
			reason:    "Session names may contain dots; workload names stay DNS labels.",
			namespace: "team-a", name: "inc.1234",
			want: "debug-inc-1234-" + hashOf("team-a/inc.1234"),
		},
		"Long": {
			reason:    "A long session name is truncated so that generated pod names keep the whole workload name.",
			namespace: "team-a", name: long,
			want: "debug-incident-incident-incident-incident-incide-c11736a1",
		},
		"LongestKeptWhole": {
			reason:    "A 42-character session name is the longest kept whole: debug- + 42 + -hash is 57 characters.",
			namespace: "team-a", name: strings.Repeat("a", 42),
			want: "debug-" + strings.Repeat("a", 42) + "-" + hashOf("team-a/"+strings.Repeat("a", 42)),
		},
		"FirstTruncated": {
			reason:    "A 43-character session name, the shortest that made pods escape the name-prefix policies, loses one character.",
			namespace: "team-a", name: strings.Repeat("a", 43),
			want: "debug-" + strings.Repeat("a", 42) + "-" + hashOf("team-a/"+strings.Repeat("a", 43)),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := Workload(tc.namespace, tc.name)
			if got != tc.want {
				t.Errorf("%s\nWorkload(%q, %q) = %q, want %q", tc.reason, tc.namespace, tc.name, got, tc.want)
			}
			if len(got) > 57 {
				t.Errorf("%s\nWorkload(%q, %q) = %q is longer than 57 characters", tc.reason, tc.namespace, tc.name, got)
			}
			if msgs := validation.IsDNS1123Label(got); len(msgs) > 0 {
				t.Errorf("%s\nWorkload(%q, %q) = %q is not a DNS label: %v", tc.reason, tc.namespace, tc.name, got, msgs)
			}
			if again := Workload(tc.namespace, tc.name); again != got {
				t.Errorf("%s\nWorkload is not stable: %q then %q", tc.reason, got, again)
			}
		})
	}
}

// TestNamePrefixSurvivesGeneratedNames checks, for session names of every
// length, that the pods the DaemonSet and Deployment controllers create keep
// "<workload>-" whole at the start of their names, which is all that the
// per-session admission policies see of a pod being bound.
func TestWorkloadPrefixSurvivesGeneratedNames(t *testing.T) {
	for n := 1; n <= 253; n++ {
		w := Workload("team-a", strings.Repeat("s", n))
		prefix := w + "-"
		// What the controllers ask for; a pod-template hash has at most 10
		// characters.
		bases := map[string]string{
			"DaemonSet":  w + "-",
			"Deployment": w + "-" + strings.Repeat("h", 10) + "-",
		}
		for kind, base := range bases {
			if got := generatedName(base); !strings.HasPrefix(got, prefix) {
				t.Errorf("session name of %d characters: %s pod %q does not start with %q", n, kind, got, prefix)
			}
		}
	}
}

// generatedName is what the API server makes of a generateName: at most 58
// characters of it, then 5 random ones.
func generatedName(base string) string {
	if len(base) > 58 {
		base = base[:58]
	}
	return base + "xxxxx"
}

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:8]
}

func TestAuxiliaryResource(t *testing.T) {
	// Literal: these are the names running sessions have.
	cases := map[string]struct {
		reason              string
		source, owner, name string
		want                resource.Name
	}{
		"PodTemplate": {
			reason: "A pod template resource is named by its source and name.",
			source: SourcePodTemplate, name: "egress-network-policy",
			want: "aux-podtemplate-egress-network-policy",
		},
		"Template": {
			reason: "A session template resource is named by its source and name; the owner is not part of it.",
			source: SourceTemplate, owner: "ignored/owner", name: "debug-sa",
			want: "aux-template-debug-sa",
		},
		"Binding": {
			reason: "A binding resource carries the hash of the binding, so two bindings' resources of one name stay apart.",
			source: SourceBinding, owner: "breakglass-system/prod", name: "debug-sa",
			want: resource.Name("aux-binding-" + hashOf("breakglass-system/prod") + "-debug-sa"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := AuxiliaryResource(tc.source, tc.owner, tc.name); got != tc.want {
				t.Errorf("%s\nAuxiliaryResource(%q, %q, %q): want %q, got %q", tc.reason, tc.source, tc.owner, tc.name, tc.want, got)
			}
		})
	}
}

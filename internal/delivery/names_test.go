package delivery

import (
	"strings"
	"testing"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation"
)

func TestAuxiliaryResourceName(t *testing.T) {
	// The expected names are literal: a composition resource name must never
	// change between releases, or Crossplane replaces the resource.
	cases := map[string]struct {
		reason string
		name   string
		want   resource.Name
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
			want:   "aux-" + resource.Name(strings.Repeat("a", 50)) + "-cc26ab1b",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := AuxiliaryResourceName(tc.name)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nAuxiliaryResourceName(%q): -want, +got:\n%s", tc.reason, tc.name, diff)
			}
			if msgs := validation.IsDNS1123Label(string(got)); len(msgs) > 0 {
				t.Errorf("%s\nAuxiliaryResourceName(%q) = %q is not a DNS label: %v", tc.reason, tc.name, got, msgs)
			}
		})
	}
}

func TestAuxiliaryResourceNamesStayApart(t *testing.T) {
	// Names that clean up to the same text must not share a composition
	// resource name: Crossplane would see one resource where there are two.
	names := []string{"debug-sa", "Debug-SA", "debug_sa", "debug.sa", "debug--sa", "DEBUG SA"}
	seen := map[resource.Name]string{}
	for _, n := range names {
		got := AuxiliaryResourceName(n)
		if other, dup := seen[got]; dup {
			t.Errorf("AuxiliaryResourceName(%q) and AuxiliaryResourceName(%q) are both %q", n, other, got)
		}
		seen[got] = n
	}
}

func FuzzAuxiliaryResourceName(f *testing.F) {
	for _, s := range []string{"", "a", "netpol", "UPPER", "a_b.c", strings.Repeat("x-", 80), "ünïcödé", "-lead", "trail-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := AuxiliaryResourceName(name)
		if msgs := validation.IsDNS1123Label(string(got)); len(msgs) > 0 {
			t.Fatalf("AuxiliaryResourceName(%q) = %q is not a DNS label: %v", name, got, msgs)
		}
		if again := AuxiliaryResourceName(name); again != got {
			t.Fatalf("AuxiliaryResourceName(%q) is not stable: %q, then %q", name, got, again)
		}
		if !strings.HasPrefix(string(got), auxiliaryPrefix) {
			t.Fatalf("AuxiliaryResourceName(%q) = %q lacks the %q prefix", name, got, auxiliaryPrefix)
		}
	})
}

func TestFixedResourceNamesAreLabels(t *testing.T) {
	for _, n := range []resource.Name{WorkloadResourceName, DeniedNodesPolicyResourceName, DeniedNodesPolicyBindingResourceName} {
		if msgs := validation.IsDNS1123Label(string(n)); len(msgs) > 0 {
			t.Errorf("%q is not a DNS label: %v", n, msgs)
		}
	}
}

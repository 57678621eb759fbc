package install_test

import (
	"math/rand/v2"
	"testing"

	"github.com/k8s-breakglass/function-debug-session/internal/admissiontest"
	"github.com/k8s-breakglass/function-debug-session/internal/glob"
)

// TestGlobRulesMatchGlobPackage holds the API server's glob rules (the CRD's
// grammar rule and the admission policy's range rule, which CEL evaluates
// without the Go matcher) to internal/glob: a pattern is admitted exactly
// when glob.Validate accepts it. Patterns are every string of up to four
// characters over an alphabet of the characters the grammar cares about,
// and seeded random longer ones.
func TestGlobRulesMatchGlobPackage(t *testing.T) {
	crd := admissiontest.LoadCRD(t, "crd-debugsessionclusterbindings.yaml")
	policy := loadConfigPolicy(t)
	alphabet := []rune{'[', ']', '!', '^', '-', 'a', 'z', '*', '\\'}

	var patterns []string
	var walk func(prefix []rune)
	walk = func(prefix []rune) {
		patterns = append(patterns, string(prefix))
		if len(prefix) == 4 {
			return
		}
		for _, r := range alphabet {
			walk(append(prefix, r))
		}
	}
	walk(nil)
	rng := rand.New(rand.NewPCG(18, 18)) // A fixed seed keeps the test deterministic.
	wide := append([]rune{'é', '?', '0', '9'}, alphabet...)
	for range 1500 {
		p := make([]rune, 5+rng.IntN(8))
		for i := range p {
			p[i] = wide[rng.IntN(len(wide))]
		}
		patterns = append(patterns, string(p))
	}

	reached := map[bool]int{}
	for _, p := range patterns {
		obj := binding(put([]any{p}, "clusters"))
		admitted := len(crd.Validate(obj)) == 0 && len(admitConfig(t, policy, obj)) == 0
		valid := glob.Validate(p) == nil
		reached[valid]++
		if admitted != valid {
			t.Errorf("pattern %q: glob.Validate accepts it: %t, the API server admits it: %t", p, valid, admitted)
		}
	}
	// The generator must reach both outcomes, or the test proves nothing.
	if reached[true] == 0 || reached[false] == 0 {
		t.Errorf("patterns reached only one outcome: %v", reached)
	}
}

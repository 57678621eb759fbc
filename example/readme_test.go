// Package example holds the render scenarios. Its test keeps the README's
// list of scenarios complete, so that every scenario a user can run with
// `make run` is also one they can find and read about.
package example

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryScenarioIsListed checks that every scenario folder (one with an
// xr.yaml, as hack/render.sh finds them) has a README.md and a row in the
// repository README's table of examples, and that the table names no folder
// that is not a scenario.
func TestEveryScenarioIsListed(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	scenarios := map[string]bool{}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(d.Name(), "xr.yaml")); err != nil {
			continue
		}
		scenarios[d.Name()] = true
		if _, err := os.Stat(filepath.Join(d.Name(), "README.md")); err != nil {
			t.Errorf("scenario %s has no README.md saying what it shows", d.Name())
		}
		if !strings.Contains(string(readme), "](example/"+d.Name()+")") {
			t.Errorf("scenario %s is not in the README's table of examples", d.Name())
		}
	}
	for _, line := range strings.Split(string(readme), "\n") {
		if !strings.HasPrefix(line, "| [`") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimPrefix(line, "| [`"), "`")
		if !scenarios[name] {
			t.Errorf("the README's table of examples lists %s, which is not a scenario folder", name)
		}
	}
}

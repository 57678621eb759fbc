package main

import (
	"fmt"
	"io"
	"os"

	"github.com/crossplane/function-sdk-go/errors"

	"github.com/k8s-breakglass/function-debug-session/example/install"
	"github.com/k8s-breakglass/function-debug-session/internal/catalog"
	"github.com/k8s-breakglass/function-debug-session/internal/lint"
)

// ValidateCmd lints platform configuration offline.
type ValidateCmd struct {
	Paths  []string `arg:""          help:"Files or directories (searched recursively for *.yaml and *.yml)."`
	Output string   `default:"text" enum:"text,json"                                                           help:"Output format: text (errors on stdout, warnings on stderr) or json." short:"o"`
}

// errProblems makes validate exit 1 once it has printed the errors.
var errProblems = errors.New("validation failed")

// Run lints the paths.
func (c *ValidateCmd) Run() error {
	return c.run(os.Stdout, os.Stderr)
}

func (c *ValidateCmd) run(stdout, stderr io.Writer) error {
	objs, err := catalog.Load(c.Paths...)
	if err != nil {
		return err
	}
	schemas, err := lint.LoadSchemas(install.CRDs)
	if err != nil {
		return errors.Wrap(err, "cannot load the CRD schemas")
	}
	problems := lint.Lint(objs, schemas)
	failed := false
	for _, p := range problems {
		failed = failed || p.Severity == lint.SeverityError
	}
	if c.Output == "json" {
		if problems == nil {
			problems = []lint.Problem{}
		}
		if err := writeJSON(stdout, problems); err != nil {
			return err
		}
	} else {
		for _, p := range problems {
			w := stdout
			if p.Severity == lint.SeverityWarning {
				w = stderr
				_, _ = fmt.Fprintln(w, p.String()+" (warning)")
				continue
			}
			_, _ = fmt.Fprintln(w, p.String())
		}
	}
	if failed {
		return errProblems
	}
	return nil
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/logging"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/internal/available"
	"github.com/k8s-breakglass/function-debug-session/internal/catalog"
	"github.com/k8s-breakglass/function-debug-session/internal/explain"
	"github.com/k8s-breakglass/function-debug-session/internal/preview"
)

// compositionResourceName is the annotation Crossplane puts on composed
// resources; observed files name their resources with it.
const compositionResourceName = "crossplane.io/composition-resource-name"

// ExplainCmd explains what the function does with one session.
type ExplainCmd struct {
	Session     string    `help:"The DebugSession XR, as a YAML file."                                                                                                required:"" type:"existingfile"`
	Files       []string  `help:"Files or directories with the templates, pod templates, bindings and cluster configs (and optionally the Composition)." name:"file" required:"" short:"f"`
	Composition string    `help:"The Composition whose debug-session step input to use; default: the first one found in --file, else an Input with every default." type:"existingfile"`
	Observed    string    `help:"Composed resources that already exist (as 'crossplane render --observed-resources' takes them)."                                     type:"existingfile"`
	Now         time.Time `help:"Evaluate at this RFC 3339 time instead of now."`
	Output      string    `default:"text"                                                                                                                               enum:"text,json" help:"Output format: text or json." short:"o"`
}

// Run explains the session.
func (c *ExplainCmd) Run() error {
	o, err := c.outcome(context.Background())
	if err != nil {
		return err
	}
	t := explain.Build(o)
	if c.Output == "json" {
		return writeJSON(os.Stdout, t)
	}
	return t.WriteText(os.Stdout)
}

func (c *ExplainCmd) outcome(ctx context.Context) (*preview.Outcome, error) {
	objs, err := catalog.Load(c.Files...)
	if err != nil {
		return nil, err
	}
	xr, err := onlyObject(c.Session)
	if err != nil {
		return nil, err
	}
	in, err := functionInput(objs, c.Composition)
	if err != nil {
		return nil, err
	}
	observed, err := observedResources(c.Observed)
	if err != nil {
		return nil, err
	}
	return preview.Run(ctx, toolFunction(c.Now), preview.Request{Session: xr, Input: in, Observed: observed, Source: objs, Now: c.Now})
}

// toolFunction is the function the tools run, with its clock pinned when
// now is set, and silent: the tools report what it decided themselves.
func toolFunction(now time.Time) *Function {
	opts := []Option{}
	if !now.IsZero() {
		fixed := now.UTC()
		opts = append(opts, WithClock(func() time.Time { return fixed }))
	}
	return NewFunction(logging.NewNopLogger(), opts...)
}

// functionInput reads the input from the named Composition file, else from
// the first Composition among objs; nil means every default.
func functionInput(objs *catalog.Catalog, file string) (*unstructured.Unstructured, error) {
	if file != "" {
		c, err := catalog.Load(file)
		if err != nil {
			return nil, err
		}
		in := preview.InputFromCompositions(objects(c))
		if in == nil {
			return nil, errors.Errorf("%s has no Composition with a function-debug-session Input", file)
		}
		return in, nil
	}
	return preview.InputFromCompositions(objects(objs)), nil
}

func objects(c *catalog.Catalog) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, 0, len(c.Documents))
	for _, d := range c.Documents {
		out = append(out, d.Object)
	}
	return out
}

// onlyObject reads a file that holds exactly one object.
func onlyObject(file string) (*unstructured.Unstructured, error) {
	c, err := catalog.Load(file)
	if err != nil {
		return nil, err
	}
	if len(c.Broken) > 0 {
		return nil, c.Broken[0]
	}
	if len(c.Documents) != 1 {
		return nil, errors.Errorf("%s: want exactly one object, found %d", file, len(c.Documents))
	}
	return c.Documents[0].Object, nil
}

func observedResources(file string) (map[string]*unstructured.Unstructured, error) {
	if file == "" {
		return nil, nil
	}
	c, err := catalog.Load(file)
	if err != nil {
		return nil, err
	}
	out := map[string]*unstructured.Unstructured{}
	for _, d := range c.Documents {
		name := d.Object.GetAnnotations()[compositionResourceName]
		if name == "" {
			return nil, errors.Errorf("%s:%d: %s has no %s annotation", d.File, d.Line, d.ID(), compositionResourceName)
		}
		out[name] = d.Object
	}
	return out, nil
}

func writeJSON(w io.Writer, v any) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	if err := e.Encode(v); err != nil {
		return fmt.Errorf("cannot write JSON: %w", err)
	}
	return nil
}

// AvailableCmd prints what the api command would answer a user.
type AvailableCmd struct {
	User        string    `help:"The user's name, as the API server authenticates it."                   required:""`
	Groups      []string  `help:"The user's groups; repeat the flag for each."                           name:"group"`
	Cluster     string    `help:"Only this cluster."`
	Files       []string  `help:"Files or directories with templates, bindings and cluster configs." name:"file" required:"" short:"f"`
	Composition string    `help:"The Composition whose debug-session step input to use."                 type:"existingfile"`
	Now         time.Time `help:"Evaluate at this RFC 3339 time instead of now."`
}

// Available is what AvailableCmd prints: the template list and each
// template's clusters, as the api command's two endpoints answer them.
type Available struct {
	available.TemplateList
	Clusters map[string]*available.ClusterList `json:"clusters"`
}

// Run prints the JSON.
func (c *AvailableCmd) Run() error {
	a, err := c.find(context.Background())
	if err != nil {
		return err
	}
	return writeJSON(os.Stdout, a)
}

func (c *AvailableCmd) find(ctx context.Context) (*Available, error) {
	objs, err := catalog.Load(c.Files...)
	if err != nil {
		return nil, err
	}
	in, err := functionInput(objs, c.Composition)
	if err != nil {
		return nil, err
	}
	f := &available.Finder{Function: toolFunction(c.Now), Source: objs, Input: in, Now: c.Now}
	a, err := f.Find(ctx, available.Query{User: c.User, Groups: c.Groups, Cluster: c.Cluster})
	if err != nil {
		return nil, err
	}
	return &Available{TemplateList: a.List, Clusters: a.Clusters}, nil
}

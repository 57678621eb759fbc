package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/crossplane/function-sdk-go/errors"

	"gopkg.in/yaml.v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	sigsyaml "sigs.k8s.io/yaml"
)

// A Document is one object of a YAML stream.
type Document struct {
	// File the document was read from, as given or found under a directory.
	File string
	// Line of the document's first line in File, counting from 1.
	Line int
	// Object as the API server would see it (JSON types).
	Object *unstructured.Unstructured

	root *yaml.Node
}

// ID names the document's object in messages: "Kind namespace/name".
func (d *Document) ID() string {
	name := d.Object.GetName()
	if ns := d.Object.GetNamespace(); ns != "" {
		name = ns + "/" + name
	}
	return d.Object.GetKind() + " " + name
}

// Dir is the directory the document's file is in.
func (d *Document) Dir() string { return filepath.Dir(d.File) }

// A LoadError is a document that could not be read.
type LoadError struct {
	File string
	Line int
	Err  error
}

func (e *LoadError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }

func (e *LoadError) Unwrap() error { return e.Err }

// A Catalog is every object read from some paths, in the order read: files
// sorted by path, documents in file order.
type Catalog struct {
	Documents []*Document
	// Broken documents: YAML that does not parse or is not an object with
	// an apiVersion and a kind. Loading goes on past them.
	Broken []*LoadError
}

// Load reads every .yaml and .yml file in paths; directories are walked
// recursively. Only an unreadable path is an error; broken documents are
// collected in Broken.
func Load(paths ...string) (*Catalog, error) {
	files, err := yamlFiles(paths)
	if err != nil {
		return nil, err
	}
	c := &Catalog{}
	for _, f := range files {
		b, err := os.ReadFile(f) //nolint:gosec // Reading the files the user named is the point.
		if err != nil {
			return nil, err
		}
		c.add(f, b)
	}
	return c, nil
}

// Parse reads one YAML stream as if it came from file.
func Parse(file string, data []byte) *Catalog {
	c := &Catalog{}
	c.add(file, data)
	return c
}

func yamlFiles(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(files)
	// A file named twice, or under two given directories, is read once.
	out := files[:0]
	for i, f := range files {
		if i == 0 || f != files[i-1] {
			out = append(out, f)
		}
	}
	return out, nil
}

func (c *Catalog) add(file string, data []byte) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		n := &yaml.Node{}
		err := dec.Decode(n)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			// yaml.v3 cannot resume after a syntax error.
			c.Broken = append(c.Broken, &LoadError{File: file, Line: errorLine(err), Err: err})
			return
		}
		if len(n.Content) == 0 {
			continue // an empty or comment-only document
		}
		root := n.Content[0]
		obj, err := toObject(n)
		if err != nil {
			c.Broken = append(c.Broken, &LoadError{File: file, Line: root.Line, Err: err})
			continue
		}
		if obj == nil {
			continue
		}
		c.Documents = append(c.Documents, &Document{File: file, Line: root.Line, Object: obj, root: root})
	}
}

// toObject converts a document to JSON types through sigs.k8s.io/yaml, as
// kubectl does, so that "1h" stays a string and 2 an integer. It returns nil
// for a document that is not an object with an apiVersion and a kind: such
// documents (kustomize patches, values files) are not Kubernetes objects.
func toObject(n *yaml.Node) (*unstructured.Unstructured, error) {
	if n.Content[0].Kind != yaml.MappingNode {
		return nil, nil
	}
	b, err := yaml.Marshal(n)
	if err != nil {
		return nil, err
	}
	j, err := sigsyaml.YAMLToJSON(b)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(j, &m); err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{Object: m}
	if u.GetAPIVersion() == "" || u.GetKind() == "" {
		return nil, nil
	}
	return u, nil
}

// errorLine finds the line yaml.v3 names in a syntax error ("yaml: line 3:
// ..."); 1 when it names none.
func errorLine(err error) int {
	var line int
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		if _, scanErr := fmt.Sscanf(msg[i:], "line %d", &line); scanErr == nil {
			return line
		}
	}
	return 1
}

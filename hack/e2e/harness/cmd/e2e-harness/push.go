package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// runPush pushes the Function package to a registry and prints the pushed
// reference with its digest. The package is either the real .xpkg that `make
// xpkg` builds, or, while that is not available, a minimal package built here
// from the package/ directory: one layer holding package.yaml, which is all
// Crossplane reads from a Function package when the function itself runs
// outside the cluster (the External package runtime).
func runPush(args []string) error {
	fset := flag.NewFlagSet("push", flag.ContinueOnError)
	ref := fset.String("ref", "", "image reference to push to, e.g. 127.0.0.1:5000/fn:v0")
	xpkg := fset.String("xpkg", "", "an .xpkg tarball built by `crossplane xpkg build`")
	pkgDir := fset.String("package-dir", "", "a package directory (crossplane.yaml and CRDs) to build a minimal package from")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if *ref == "" || (*xpkg == "") == (*pkgDir == "") {
		return errors.New("-ref and exactly one of -xpkg and -package-dir are required")
	}
	tag, err := name.NewTag(*ref)
	if err != nil {
		return err
	}

	var img v1.Image
	switch {
	case *xpkg != "":
		img, err = tarball.ImageFromPath(*xpkg, nil)
	default:
		img, err = minimalPackage(*pkgDir)
	}
	if err != nil {
		return err
	}
	if err := remote.Write(tag, img); err != nil {
		return err
	}
	digest, err := img.Digest()
	if err != nil {
		return err
	}
	fmt.Println(tag.Context().Digest(digest.String()).String())
	return nil
}

// minimalPackage builds an image whose only file is package.yaml: the
// package metadata followed by every other YAML document of the directory, in
// name order so that the same directory always gives the same digest.
func minimalPackage(dir string) (v1.Image, error) {
	meta, err := os.ReadFile(filepath.Join(dir, "crossplane.yaml"))
	if err != nil {
		return nil, err
	}
	var others []string
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || filepath.Base(path) == "crossplane.yaml" || !strings.HasSuffix(path, ".yaml") {
			return nil
		}
		others = append(others, path)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(others)

	var stream bytes.Buffer
	stream.Write(meta)
	for _, path := range others {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		stream.WriteString("\n---\n")
		stream.Write(b)
	}

	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	if err := tw.WriteHeader(&tar.Header{Name: "package.yaml", Mode: 0o644, Size: int64(stream.Len())}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(stream.Bytes()); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layer.Bytes())), nil
	})
	if err != nil {
		return nil, err
	}
	return mutate.AppendLayers(empty.Image, l)
}

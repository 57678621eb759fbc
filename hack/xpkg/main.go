// Command xpkg-image builds the function's OCI runtime image, without Docker,
// and writes it as an image tarball for `crossplane xpkg build
// --embed-runtime-image-tarball`.
//
// The image is the static function binary alone on an empty base, run as the
// distroless "nonroot" user (65532), the same user the Dockerfile's
// distroless base uses. It is reproducible: the same binary gives the same
// image digest, because every timestamp is pinned to the Unix epoch.
//
//	xpkg-image -binary function -arch amd64 -tag function-debug-session:v0.1.0 -o runtime.tar
package main

import (
	"archive/tar"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Where the binary lives in the image and who runs it.
const (
	entrypoint  = "/function"
	nonrootUser = "65532:65532"
)

func main() {
	binary := flag.String("binary", "", "Path to the statically linked function binary (CGO_ENABLED=0, GOOS=linux).")
	arch := flag.String("arch", "amd64", "GOARCH the binary was built for.")
	tag := flag.String("tag", "function-debug-session:dev", "Name and tag recorded in the tarball.")
	source := flag.String("source", "", "Value of the org.opencontainers.image.source label; none when empty.")
	out := flag.String("o", "", "Path of the image tarball to write.")
	flag.Parse()

	if *binary == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "xpkg-image: -binary and -o are required")
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*binary, *arch, *tag, *source, *out); err != nil {
		fmt.Fprintf(os.Stderr, "xpkg-image: %v\n", err)
		os.Exit(1)
	}
}

func run(binary, arch, tag, source, out string) error {
	ref, err := name.NewTag(tag)
	if err != nil {
		return fmt.Errorf("cannot parse tag %q: %w", tag, err)
	}
	bin, err := os.ReadFile(binary) //nolint:gosec // The path is the build's own output, given on the command line.
	if err != nil {
		return fmt.Errorf("cannot read the function binary: %w", err)
	}
	img, err := Image(bin, arch, source)
	if err != nil {
		return err
	}
	if err := tarball.WriteToFile(out, ref, img); err != nil {
		return fmt.Errorf("cannot write the image tarball %s: %w", out, err)
	}
	d, err := img.Digest()
	if err != nil {
		return fmt.Errorf("cannot compute the image digest: %w", err)
	}
	fmt.Printf("xpkg-image: wrote %s (%s, linux/%s, %s)\n", out, ref, arch, d)
	return nil
}

// Image returns an OCI image that runs bin as its entrypoint.
func Image(bin []byte, arch, source string) (v1.Image, error) {
	layerTar, err := binaryLayer(bin)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("cannot make the image layer: %w", err)
	}

	// empty.Image has Docker media types; Crossplane accepts both, but an
	// OCI image is what the packaging docs describe.
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err := mutate.AppendLayers(base, layer)
	if err != nil {
		return nil, fmt.Errorf("cannot add the binary layer: %w", err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("cannot read the image config: %w", err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS = "linux"
	cfg.Architecture = arch
	cfg.Config.Entrypoint = []string{entrypoint}
	cfg.Config.Cmd = nil
	cfg.Config.User = nonrootUser
	cfg.Config.WorkingDir = "/"
	// The SDK reads TLS_SERVER_CERTS_DIR for mTLS; Crossplane's function
	// runtime sets it, so the image sets nothing else.
	cfg.Config.Env = nil
	if source != "" {
		cfg.Config.Labels = map[string]string{"org.opencontainers.image.source": source}
	}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, fmt.Errorf("cannot set the image config: %w", err)
	}
	// Pin every timestamp so that the digest depends only on the binary.
	img, err = mutate.CreatedAt(img, v1.Time{Time: time.Unix(0, 0).UTC()})
	if err != nil {
		return nil, fmt.Errorf("cannot pin the image creation time: %w", err)
	}
	return img, nil
}

// binaryLayer returns an uncompressed layer tarball holding bin at the
// entrypoint path, executable by anyone so that the nonroot user can run it.
func binaryLayer(bin []byte) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdr := &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     entrypoint[1:],
		Mode:     0o755,
		Size:     int64(len(bin)),
		ModTime:  time.Unix(0, 0),
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, fmt.Errorf("cannot write the layer: %w", err)
	}
	if _, err := tw.Write(bin); err != nil {
		return nil, fmt.Errorf("cannot write the layer: %w", err)
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("cannot write the layer: %w", err)
	}
	return buf.Bytes(), nil
}

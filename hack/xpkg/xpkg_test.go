package main

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
)

func TestImage(t *testing.T) {
	bin := []byte("#!/bin/true\n")
	img, err := Image(bin, "arm64", "github.com/k8s-breakglass/function-debug-session")
	if err != nil {
		t.Fatalf("Image(...): %v", err)
	}

	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatalf("ConfigFile(): %v", err)
	}
	want := v1.Config{
		Entrypoint: []string{"/function"},
		User:       "65532:65532",
		WorkingDir: "/",
		Labels:     map[string]string{"org.opencontainers.image.source": "github.com/k8s-breakglass/function-debug-session"},
	}
	if diff := cmp.Diff(want, cfg.Config); diff != "" {
		t.Errorf("The image should run the binary as the nonroot user.\nConfig: -want, +got:\n%s", diff)
	}
	if cfg.OS != "linux" || cfg.Architecture != "arm64" {
		t.Errorf("The image platform should be linux/arm64, got %s/%s", cfg.OS, cfg.Architecture)
	}

	mt, err := img.MediaType()
	if err != nil {
		t.Fatalf("MediaType(): %v", err)
	}
	if mt != types.OCIManifestSchema1 {
		t.Errorf("The image should be an OCI image, got media type %s", mt)
	}

	files := extract(t, img)
	f, ok := files["function"]
	if !ok {
		t.Fatalf("The image should hold the binary at /function; it holds %v", keys(files))
	}
	if f.mode != 0o755 {
		t.Errorf("/function should be executable by anyone (0755), got %o", f.mode)
	}
	if !bytes.Equal(f.content, bin) {
		t.Errorf("/function should be the binary unchanged")
	}

	// The same binary must give the same image, so that a rebuild does not
	// look like a new release.
	again, err := Image(bin, "arm64", "github.com/k8s-breakglass/function-debug-session")
	if err != nil {
		t.Fatalf("Image(...): %v", err)
	}
	d1, _ := img.Digest()
	d2, _ := again.Digest()
	if d1 != d2 {
		t.Errorf("Two builds of the same binary should have the same digest, got %s and %s", d1, d2)
	}
}

// TestPackageStartsFunction proves that the built Function package runs: it
// takes the entrypoint out of the package's image, starts it as Crossplane's
// function runtime would (but insecure, on loopback), and calls RunFunction.
// `make xpkg-test` builds the package and sets XPKG.
func TestPackageStartsFunction(t *testing.T) {
	path := os.Getenv("XPKG")
	if path == "" {
		t.Skip("XPKG is not set; run `make xpkg-test` to build the package and test it")
	}
	img, err := tarball.ImageFromPath(path, nil)
	if err != nil {
		t.Fatalf("cannot read the package %s: %v", path, err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatalf("cannot read the package's image config: %v", err)
	}
	if len(cfg.Config.Entrypoint) != 1 {
		t.Fatalf("the package's image should have one entrypoint, got %q", cfg.Config.Entrypoint)
	}
	if cfg.Config.User != nonrootUser {
		t.Errorf("the package's image should run as %s, got %q", nonrootUser, cfg.Config.User)
	}

	files := extract(t, img)
	meta, ok := files["package.yaml"]
	if !ok {
		t.Fatalf("the package should hold package.yaml; it holds %v", keys(files))
	}
	for _, s := range []string{"kind: Function", "name: function-debug-session", "name: inputs.debugsession.fn.breakglass.telekom.de"} {
		if !strings.Contains(string(meta.content), s) {
			t.Errorf("the package's package.yaml should contain %q", s)
		}
	}
	ep := strings.TrimPrefix(cfg.Config.Entrypoint[0], "/")
	f, ok := files[ep]
	if !ok {
		t.Fatalf("the package's image should hold its entrypoint %s; it holds %v", ep, keys(files))
	}
	bin := filepath.Join(t.TempDir(), "function")
	if err := os.WriteFile(bin, f.content, 0o755); err != nil {
		t.Fatalf("cannot write the entrypoint: %v", err)
	}
	assertStatic(t, bin)

	addr := freeLoopbackAddress(t)
	var logs bytes.Buffer
	cmd := exec.Command(bin, "--insecure", "--address", addr, "--metrics-address", "")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("cannot start the entrypoint: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		// Stop only the process this test started.
		_ = cmd.Process.Kill()
		if err := <-exited; err != nil {
			t.Logf("the function stopped: %v", err)
		}
	})

	rsp, err := runFunction(t, addr, exited)
	if err != nil {
		t.Fatalf("the function did not answer RunFunction: %v\nits log:\n%s", err, logs.String())
	}
	// Every answer of a function built on the SDK carries its response
	// metadata (field 1, meta: the request's tag and the TTL), whatever it
	// makes of an empty request.
	if !hasField(rsp, 1) {
		t.Errorf("the function's answer should carry response metadata; got %d bytes without it", len(rsp))
	}
	select {
	case err := <-exited:
		t.Fatalf("the function exited after answering: %v\nits log:\n%s", err, logs.String())
	default:
	}
}

// runFunction calls RunFunction with an empty request until the function
// answers, it exits, or ten seconds pass.
func runFunction(t *testing.T, addr string, exited <-chan error) ([]byte, error) {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	defer conn.Close()

	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		req, rsp := []byte{}, []byte{}
		err := conn.Invoke(ctx, "/apiextensions.fn.proto.v1.FunctionRunnerService/RunFunction", &req, &rsp, grpc.ForceCodecV2(rawCodec{}))
		cancel()
		if err == nil {
			return rsp, nil
		}
		select {
		case exitErr := <-exited:
			return nil, errors.Join(errors.New("the function exited"), exitErr)
		default:
		}
		if time.Now().After(deadline) {
			return nil, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// rawCodec passes protobuf bytes through unchanged, so that this test needs
// no generated code: an empty message is a valid, empty RunFunctionRequest.
type rawCodec struct{}

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, errors.New("rawCodec marshals only *[]byte")
	}
	return mem.BufferSlice{mem.SliceBuffer(*b)}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return errors.New("rawCodec unmarshals only into *[]byte")
	}
	*b = data.Materialize()
	return nil
}

// Name is "proto" so that the server sees the content type it expects.
func (rawCodec) Name() string { return "proto" }

// hasField reports whether the top level of a protobuf message has field n.
func hasField(msg []byte, n protowire.Number) bool {
	for len(msg) > 0 {
		num, typ, l := protowire.ConsumeTag(msg)
		if l < 0 {
			return false
		}
		if num == n {
			return true
		}
		msg = msg[l:]
		l = protowire.ConsumeFieldValue(num, typ, msg)
		if l < 0 {
			return false
		}
		msg = msg[l:]
	}
	return false
}

type file struct {
	mode    int64
	content []byte
}

// extract returns the regular files of img's flattened filesystem.
func extract(t *testing.T, img v1.Image) map[string]file {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	files := map[string]file{}
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		}
		if err != nil {
			t.Fatalf("cannot read the image's filesystem: %v", err)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("cannot read %s from the image: %v", hdr.Name, err)
		}
		files[strings.TrimPrefix(hdr.Name, "/")] = file{mode: hdr.Mode, content: b}
	}
}

func keys(files map[string]file) []string {
	out := make([]string, 0, len(files))
	for k := range files {
		out = append(out, k)
	}
	return out
}

// assertStatic fails unless bin is an ELF binary without a dynamic loader:
// the image has no libc to load.
func assertStatic(t *testing.T, bin string) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("the entrypoint is not an ELF binary: %v", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatalf("the entrypoint is dynamically linked; build it with CGO_ENABLED=0")
		}
	}
}

// freeLoopbackAddress returns a 127.0.0.1 address with a port that was free
// a moment ago.
func freeLoopbackAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("cannot find a free port: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("cannot free port: %v", err)
	}
	return addr
}

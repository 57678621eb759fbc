package main

import (
	"errors"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

// runRegistry serves an in-memory OCI registry. Crossplane pulls the Function
// package from it like from any registry; go-containerregistry, which both
// Crossplane and this tool use, speaks plain HTTP to loopback registries, so
// no certificate is needed.
func runRegistry(args []string) error {
	fs := flag.NewFlagSet("registry", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:5000", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	logger := log.New(os.Stderr, "registry: ", log.LstdFlags)
	logger.Printf("serving on %s", l.Addr())
	srv := &http.Server{
		Handler:           registry.New(registry.Logger(logger)),
		ReadHeaderTimeout: 10 * time.Second,
	}
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

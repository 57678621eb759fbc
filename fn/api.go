package main

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/crossplane/function-sdk-go"
	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/logging"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/k8s-breakglass/function-debug-session/internal/api"
	"github.com/k8s-breakglass/function-debug-session/internal/catalog"
)

// APICmd serves the templates and clusters a caller may use.
type APICmd struct {
	Address     string        `default:":8443"                  help:"Address to serve HTTPS on."`
	TLSCertsDir string        `env:"TLS_SERVER_CERTS_DIR"       help:"Directory with the server's tls.crt and tls.key."          name:"tls-certs-dir" required:""`
	Kubeconfig  string        `env:"KUBECONFIG"                 help:"Kubeconfig of the control plane; default: in-cluster."`
	Composition string        `help:"The Composition whose debug-session step input to use; default: an Input with every default." type:"existingfile"`
	Audiences   []string      `help:"Audiences a caller's token must be valid for; default: the API server's."`
	Resync      time.Duration `default:"10m"                    help:"How often the informers re-list, as a safety net."`
	Debug       bool          `help:"Emit debug logs."          short:"d"`
}

// Run serves until SIGINT or SIGTERM.
func (c *APICmd) Run() error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log, err := function.NewLogger(c.Debug)
	if err != nil {
		return err
	}
	srv, err := c.server(ctx, log)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", c.Address)
	if err != nil {
		return err
	}
	return serveTLS(ctx, log, l, srv.Handler(), c.TLSCertsDir)
}

func (c *APICmd) server(ctx context.Context, log logging.Logger) (*api.Server, error) {
	cfg, err := restConfig(c.Kubeconfig)
	if err != nil {
		return nil, err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	src, err := api.NewClusterSource(ctx, dyn, c.Resync)
	if err != nil {
		return nil, err
	}
	in, err := functionInput(&catalog.Catalog{}, c.Composition)
	if err != nil {
		return nil, err
	}
	return &api.Server{
		Auth:     api.TokenReviewer{Client: cs.AuthenticationV1().TokenReviews(), Audiences: c.Audiences},
		Function: NewFunction(log), Source: src, Input: in, Log: log,
	}, nil
}

func restConfig(kubeconfig string) (*rest.Config, error) {
	if kubeconfig == "" {
		return rest.InClusterConfig()
	}
	return clientcmd.BuildConfigFromFlags("", kubeconfig)
}

// serveTLS serves h on l with the certificate in dir until ctx ends, then
// lets requests in flight finish.
func serveTLS(ctx context.Context, log logging.Logger, l net.Listener, h http.Handler, dir string) error {
	s := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12},
	}
	go func() {
		<-ctx.Done()
		// ctx is over; the requests in flight get a fresh deadline.
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = s.Shutdown(shutdown) // the process ends either way
	}()
	log.Info("Serving the debug session API", "address", l.Addr().String())
	err := s.ServeTLS(l, filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"))
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

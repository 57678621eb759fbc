// Package main is function-debug-session: a Crossplane composition function
// that turns a DebugSession into a break-glass debug workload on a target
// cluster.
package main

import (
	"context"
	"os/signal"
	"syscall"
	"time"

	"github.com/alecthomas/kong"
	grpcprometheus "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/crossplane/function-sdk-go"
)

// requestDurationBuckets resolve sub-millisecond latencies: a typical call
// takes about 0.7ms (BenchmarkRunFunction), so the default Prometheus buckets
// (starting at 5ms) would put every call in the first bucket.
var requestDurationBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1}

// CLI is the command line of the function binary.
type CLI struct {
	Serve ServeCmd `cmd:"" default:"withargs" help:"Serve the composition function over gRPC (the default)."`

	Validate  ValidateCmd  `cmd:"" help:"Lint templates, pod templates, bindings and cluster configs offline."`
	Explain   ExplainCmd   `cmd:"" help:"Explain what the function does with a session, and why."`
	Available AvailableCmd `cmd:"" help:"List, as JSON, the templates and clusters a user may use."`
	API       APICmd       `cmd:"" help:"Serve the templates and clusters a caller may use over HTTPS." name:"api"`
	Status    StatusCmd    `cmd:"" help:"Run the DebugSessionClusterBinding status controller."`
	Summarize SummarizeCmd `cmd:"" help:"Summarise 'crossplane render' output, one line per file." hidden:""`
}

// ServeCmd serves the function.
type ServeCmd struct {
	Debug              bool   `help:"Emit debug logs in addition to info logs." short:"d"`
	Network            string `default:"tcp"                                                                                             help:"Network on which to listen for gRPC connections."`
	Address            string `default:":9443"                                                                                           help:"Address at which to listen for gRPC connections."`
	TLSCertsDir        string `env:"TLS_SERVER_CERTS_DIR"                                                                                help:"Directory containing server certs (tls.key, tls.crt) and the CA used to verify client certificates (ca.crt)." name:"tls-certs-dir"`
	Insecure           bool   `help:"Run without mTLS credentials. If you supply this flag --tls-certs-dir will be ignored."`
	MaxRecvMessageSize int    `default:"4"                                                                                               env:"MAX_RECV_MESSAGE_SIZE" help:"Maximum size of a RunFunctionRequest in MiB. A larger request fails with gRPC code ResourceExhausted (received message larger than max)."`
	MetricsAddress     string `default:":8080"                                                                                           help:"Address at which to serve Prometheus metrics; empty disables them."`

	// ShutdownGrace bounds a graceful stop. Keep it below the pod's
	// terminationGracePeriodSeconds (30s by default), after which the
	// kubelet kills the process anyway.
	ShutdownGrace time.Duration `default:"20s" help:"On SIGTERM or SIGINT, how long the calls in flight may take to finish before they are cut."`

	// FixedNow pins the function's clock. It exists so that example renders
	// and their golden files do not change with the wall clock; production
	// never sets it.
	FixedNow time.Time `help:"Pin the clock to this RFC 3339 time. For tests and examples only." hidden:""`
}

// Run the function server until it fails or is told to stop.
func (c *ServeCmd) Run() error {
	log, err := function.NewLogger(c.Debug)
	if err != nil {
		return err
	}
	clock := time.Now
	if !c.FixedNow.IsZero() {
		fixed := c.FixedNow.UTC()
		clock = func() time.Time { return fixed }
		log.Info("Clock pinned for tests and examples", "now", fixed.Format(time.RFC3339))
	}
	// One registry serves the SDK's gRPC metrics, the function's domain
	// metrics and the usual process and Go runtime metrics.
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	srv, err := newServer(log, NewFunction(log, WithClock(clock), WithMetrics(reg)),
		function.Listen(c.Network, c.Address),
		function.MTLSCertificates(c.TLSCertsDir),
		function.Insecure(c.Insecure),
		function.MaxRecvMessageSize(c.MaxRecvMessageSize*1024*1024),
		function.WithMetricsServer(c.MetricsAddress),
		function.WithMetricsRegistry(reg),
		function.WithMetricsServerOpts(grpcprometheus.WithServerHandlingTimeHistogram(
			grpcprometheus.WithHistogramBuckets(requestDurationBuckets),
		)),
	)
	if err != nil {
		return err
	}
	// Kubernetes sends SIGTERM and waits terminationGracePeriodSeconds
	// before killing the pod: the calls in flight finish within that time.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return srv.serve(ctx, c.ShutdownGrace)
}

func main() {
	ctx := kong.Parse(&CLI{},
		kong.Name("function-debug-session"),
		kong.Description("A Crossplane composition function for safe break-glass debug sessions."),
		kong.UsageOnError(),
	)
	ctx.FatalIfErrorf(ctx.Run())
}

// Package main is function-debug-session: a Crossplane composition function
// that turns a DebugSession into a break-glass debug workload on a target
// cluster.
package main

import (
	"time"

	"github.com/alecthomas/kong"
	grpcprometheus "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"

	"github.com/crossplane/function-sdk-go"
)

// requestDurationBuckets resolve sub-millisecond latencies: a typical call
// takes about 0.7ms (BenchmarkRunFunction), so the default Prometheus buckets
// (starting at 5ms) would put every call in the first bucket.
var requestDurationBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1}

// CLI is the command line of the function binary.
type CLI struct {
	Serve  ServeCmd  `cmd:"" default:"withargs" help:"Serve the composition function over gRPC (the default)."`
	Status StatusCmd `cmd:""                    help:"Run the DebugSessionClusterBinding status controller."`
}

// ServeCmd serves the function.
type ServeCmd struct {
	Debug              bool   `help:"Emit debug logs in addition to info logs." short:"d"`
	Network            string `default:"tcp"                                                                                             help:"Network on which to listen for gRPC connections."`
	Address            string `default:":9443"                                                                                           help:"Address at which to listen for gRPC connections."`
	TLSCertsDir        string `env:"TLS_SERVER_CERTS_DIR"                                                                                help:"Directory containing server certs (tls.key, tls.crt) and the CA used to verify client certificates (ca.crt)." name:"tls-certs-dir"`
	Insecure           bool   `help:"Run without mTLS credentials. If you supply this flag --tls-certs-dir will be ignored."`
	MaxRecvMessageSize int    `default:"4"                                                                                               help:"Maximum size of received messages in MB."`
	MetricsAddress     string `default:":8080"                                                                                           help:"Address at which to serve Prometheus metrics; empty disables them."`

	// FixedNow pins the function's clock. It exists so that example renders
	// and their golden files do not change with the wall clock; production
	// never sets it.
	FixedNow time.Time `help:"Pin the clock to this RFC 3339 time. For tests and examples only." hidden:""`
}

// Run the function server until it fails.
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
	return function.Serve(NewFunction(log, WithClock(clock)),
		function.Listen(c.Network, c.Address),
		function.MTLSCertificates(c.TLSCertsDir),
		function.Insecure(c.Insecure),
		function.MaxRecvMessageSize(c.MaxRecvMessageSize*1024*1024),
		function.WithMetricsServer(c.MetricsAddress),
		function.WithMetricsServerOpts(grpcprometheus.WithServerHandlingTimeHistogram(
			grpcprometheus.WithHistogramBuckets(requestDurationBuckets),
		)),
	)
}

func main() {
	ctx := kong.Parse(&CLI{},
		kong.Name("function-debug-session"),
		kong.Description("A Crossplane composition function for safe break-glass debug sessions."),
		kong.UsageOnError(),
	)
	ctx.FatalIfErrorf(ctx.Run())
}

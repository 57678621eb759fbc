package main

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/crossplane/function-sdk-go"
	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/proto/v1beta1"
	grpcprometheus "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/reflection"
)

// A server is the function's gRPC server. function.Serve builds the same
// one but only returns when serving fails: it cannot be stopped, so a
// SIGTERM would cut the calls in flight. This one takes the SDK's options
// (certificates, message size, metrics) and stops gracefully.
type server struct {
	grpc    *grpc.Server
	lis     net.Listener
	metrics *http.Server
	log     logging.Logger
}

// newServer listens as the options say and registers fn, as
// function.Serve does, for both the v1 and the v1beta1 protocol.
func newServer(log logging.Logger, fn fnv1.FunctionRunnerServiceServer, o ...function.ServeOption) (*server, error) {
	so := &function.ServeOptions{
		Network:        function.DefaultNetwork,
		Address:        function.DefaultAddress,
		MaxRecvMsgSize: function.DefaultMaxRecvMsgSize,
		MetricsAddress: function.DefaultMetricsAddress,
	}
	for _, fn := range o {
		if err := fn(so); err != nil {
			return nil, errors.Wrap(err, "cannot apply a serve option")
		}
	}
	if so.Credentials == nil {
		return nil, errors.New("no credentials: give --insecure or --tls-certs-dir")
	}
	if so.MaxRecvMsgSize <= 0 {
		return nil, errors.Errorf("the maximum received message size must be positive, not %d bytes", so.MaxRecvMsgSize)
	}
	opts := []grpc.ServerOption{grpc.MaxRecvMsgSize(so.MaxRecvMsgSize), grpc.Creds(so.Credentials)}
	var metrics *grpcprometheus.ServerMetrics
	if so.MetricsAddress != "" {
		metrics = grpcprometheus.NewServerMetrics(so.MetricsServerOpts...)
		opts = append(opts, grpc.ChainUnaryInterceptor(append([]grpc.UnaryServerInterceptor{metrics.UnaryServerInterceptor()}, so.UnaryInterceptors...)...))
	}
	lis, err := (&net.ListenConfig{}).Listen(context.Background(), so.Network, so.Address)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot listen for %s connections at address %q", so.Network, so.Address)
	}
	s := &server{grpc: grpc.NewServer(opts...), lis: lis, log: log}
	reflection.Register(s.grpc)
	fnv1.RegisterFunctionRunnerServiceServer(s.grpc, fn)
	v1beta1.RegisterFunctionRunnerServiceServer(s.grpc, function.ServeBeta(fn))
	if metrics != nil {
		// The default registry, as function.Serve uses, also holds the Go
		// runtime and process metrics.
		reg := so.MetricsRegistry
		if reg == nil {
			reg = prometheus.DefaultRegisterer.(*prometheus.Registry) //nolint:forcetypeassert // It is one, by construction in client_golang.
		}
		if err := reg.Register(metrics); err != nil {
			_ = lis.Close()
			return nil, errors.Wrap(err, "cannot register the gRPC metrics")
		}
		metrics.InitializeMetrics(s.grpc)
		s.metrics = &http.Server{Addr: so.MetricsAddress, Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), ReadHeaderTimeout: 30 * time.Second}
	}
	return s, nil
}

// Addr is where the server listens.
func (s *server) Addr() net.Addr { return s.lis.Addr() }

// serve serves until ctx is done, then stops taking calls and waits up to
// grace for the calls in flight to finish. Crossplane retries a call that
// was cut, but a call cut half way through is logged as an error and
// delays the session by a reconcile; the pod's termination grace period
// should be longer than grace.
func (s *server) serve(ctx context.Context, grace time.Duration) error {
	if s.metrics != nil {
		go func() {
			if err := s.metrics.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.Info("Metrics server stopped", "error", err.Error())
			}
		}()
	}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-ctx.Done()
		s.log.Info("Stopping: finishing the calls in flight", "grace", grace.String())
		done := make(chan struct{})
		go func() { s.grpc.GracefulStop(); close(done) }()
		select {
		case <-done:
		case <-time.After(grace):
			s.log.Info("Calls still in flight after the grace period; cutting them")
			s.grpc.Stop()
		}
		if s.metrics != nil {
			_ = s.metrics.Close()
		}
	}()
	err := s.grpc.Serve(s.lis)
	if ctx.Err() != nil {
		// Serve returns as soon as the stop begins; the stop is done when
		// the calls in flight are.
		<-stopped
		return nil
	}
	return errors.Wrap(err, "cannot serve gRPC connections")
}

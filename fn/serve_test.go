package main

import (
	"context"
	"testing"
	"time"

	"github.com/crossplane/function-sdk-go/errors"

	"github.com/crossplane/function-sdk-go"
	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// startServer serves fn on a free loopback port, without metrics, until the
// returned stop is called; stop returns what serve returned.
func startServer(t *testing.T, fn fnv1.FunctionRunnerServiceServer, o ...function.ServeOption) (fnv1.FunctionRunnerServiceClient, *grpc.ClientConn, func() error) {
	t.Helper()
	opts := append([]function.ServeOption{function.Listen("tcp", "127.0.0.1:0"), function.Insecure(true), function.WithMetricsServer("")}, o...)
	srv, err := newServer(logging.NewNopLogger(), fn, opts...)
	if err != nil {
		t.Fatalf("newServer(...): %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.serve(ctx, 5*time.Second) }()
	conn, err := grpc.NewClient(srv.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("grpc.NewClient(...): %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	stop := func() error {
		cancel()
		select {
		case err := <-served:
			return err
		case <-time.After(10 * time.Second):
			return errors.New("the server did not stop within 10s")
		}
	}
	t.Cleanup(func() { cancel() })
	return fnv1.NewFunctionRunnerServiceClient(conn), conn, stop
}

// slowFunction answers once it is released, and says when a call arrived.
type slowFunction struct {
	fnv1.UnimplementedFunctionRunnerServiceServer
	arrived chan struct{}
	release chan struct{}
}

func (f *slowFunction) RunFunction(_ context.Context, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	close(f.arrived)
	<-f.release
	return &fnv1.RunFunctionResponse{Meta: &fnv1.ResponseMeta{Tag: req.GetMeta().GetTag()}}, nil
}

func TestServerFinishesCallsInFlightWhenStopped(t *testing.T) {
	fn := &slowFunction{arrived: make(chan struct{}), release: make(chan struct{})}
	client, _, stop := startServer(t, fn)
	type result struct {
		tag string
		err error
	}
	answered := make(chan result, 1)
	go func() {
		rsp, err := client.RunFunction(context.Background(), &fnv1.RunFunctionRequest{Meta: &fnv1.RequestMeta{Tag: "in-flight"}})
		answered <- result{tag: rsp.GetMeta().GetTag(), err: err}
	}()
	<-fn.arrived
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	// The stop has begun, but waits for the call.
	select {
	case err := <-stopped:
		t.Fatalf("The server stopped (%v) while a call was in flight", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(fn.release)
	got := <-answered
	if diff := cmp.Diff(result{tag: "in-flight"}, got, cmp.AllowUnexported(result{}), cmp.Comparer(func(a, b error) bool { return a == nil && b == nil })); diff != "" {
		t.Errorf("A call in flight when the stop begins must finish normally.\n-want, +got:\n%s", diff)
	}
	if err := <-stopped; err != nil {
		t.Errorf("serve(...) after a graceful stop: %v, want nil", err)
	}
}

// rawCodec sends bytes as they are, so that a test can send what no proto
// client would.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return v.([]byte), nil } //nolint:forcetypeassert // The tests only send bytes.
func (rawCodec) Unmarshal(data []byte, v any) error {
	return proto.Unmarshal(data, v.(proto.Message)) //nolint:forcetypeassert // The tests only receive responses.
}
func (rawCodec) Name() string { return "proto" }

func TestServerRefusesBadPayloads(t *testing.T) {
	fn := NewFunction(logging.NewNopLogger(), WithClock(func() time.Time { return now }))
	const maxBytes = 64 << 10
	client, conn, stop := startServer(t, fn, function.MaxRecvMessageSize(maxBytes))
	valid, err := proto.Marshal(newRequest(args{xr: xr("prod-cluster-a")}))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		reason     string
		payload    []byte
		want       codes.Code
		wantResult string
	}{
		"Garbage": {
			reason:  "Bytes that are no RunFunctionRequest are refused by the server, before the function sees them.",
			payload: []byte{0xff, 0xff, 0xff, 0xff, 0x0f},
			want:    codes.Internal,
		},
		"Empty": {
			reason:     "An empty request decodes to a request without a session: the function answers that it is invalid, and does not crash.",
			payload:    []byte{},
			want:       codes.OK,
			wantResult: "SEVERITY_NORMAL: DebugSession is Failed: invalid DebugSession : [spec.templateRef.name: Required value: the session must name a DebugSessionTemplate, spec.cluster: Required value: the session must name a cluster, spec.requestedBy: Required value: the session must name its requester]",
		},
		"OverTheLimit": {
			reason:  "A request larger than --max-recv-message-size is refused with ResourceExhausted (received message larger than max).",
			payload: append(append([]byte{}, valid...), make([]byte, maxBytes)...),
			want:    codes.ResourceExhausted,
		},
		"Valid": {
			reason:  "The same bytes, whole, are a request the function answers.",
			payload: valid,
			want:    codes.OK,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp := &fnv1.RunFunctionResponse{}
			err := conn.Invoke(context.Background(), fnv1.FunctionRunnerService_RunFunction_FullMethodName, tc.payload, rsp, grpc.ForceCodec(rawCodec{}))
			if diff := cmp.Diff(tc.want, status.Code(err)); diff != "" {
				t.Errorf("%s\nInvoke(...): -want code, +got code:\n%s\n(error: %v)", tc.reason, diff, err)
			}
			var got string
			if r := rsp.GetResults(); len(r) > 0 {
				got = r[0].GetSeverity().String() + ": " + r[0].GetMessage()
			}
			if diff := cmp.Diff(tc.wantResult, got); tc.want == codes.OK && tc.wantResult != "" && diff != "" {
				t.Errorf("%s\nInvoke(...): -want result, +got result:\n%s", tc.reason, diff)
			}
		})
	}
	// After all that the server still answers.
	if _, err := client.RunFunction(context.Background(), newRequest(args{xr: xr("prod-cluster-a")})); err != nil {
		t.Errorf("RunFunction(...) after bad payloads: %v", err)
	}
	if err := stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

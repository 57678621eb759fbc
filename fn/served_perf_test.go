//go:build perf

package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crossplane/function-sdk-go"
	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"
)

// The served load test compares the function with a no-op function on the
// same SDK and server, each in its own process so that each has its own
// resident memory, over loopback gRPC on 127.0.0.1. Run it with
//
//	go test -tags perf -run 'TestServed' -timeout 0 -v ./fn
//
// PERF_CALLS (default 2000) is the number of calls per round and
// concurrency; PERF_MEMORY_CALLS (default 100000) the calls of the memory
// test, over 1,000 distinct sessions.

// noopFunction answers every call with the response the function gave to
// the benchmarked request, without computing anything: what serving that
// response costs on this SDK and server.
type noopFunction struct {
	fnv1.UnimplementedFunctionRunnerServiceServer

	rsp *fnv1.RunFunctionResponse
}

func (n *noopFunction) RunFunction(context.Context, *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	return n.rsp, nil
}

// TestServeHelper is the server process the load tests start: it serves
// the function named by PERF_SERVE and prints its address.
func TestServeHelper(t *testing.T) {
	kind := os.Getenv("PERF_SERVE")
	if kind == "" {
		t.Skip("only run as the load tests' server process")
	}
	fn := perfFunction()
	var srv fnv1.FunctionRunnerServiceServer = fn
	if kind == "noop" {
		rsp, _ := fn.RunFunction(context.Background(), steady.request())
		srv = &noopFunction{rsp: rsp}
	}
	s, err := newServer(logging.NewNopLogger(), srv, function.Listen("tcp", "127.0.0.1:0"), function.Insecure(true), function.WithMetricsServer(""))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("ADDR %s\n", s.Addr())
	_ = s.serve(context.Background(), time.Second)
}

// process is a server process and a client of it.
type process struct {
	cmd    *exec.Cmd
	client fnv1.FunctionRunnerServiceClient
}

func start(t *testing.T, kind string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeHelper$")
	cmd.Env = append(os.Environ(), "PERF_SERVE="+kind)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), "ADDR "); ok {
			conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = conn.Close() })
			return &process{cmd: cmd, client: fnv1.NewFunctionRunnerServiceClient(conn)}
		}
	}
	t.Fatalf("the %s server printed no address", kind)
	return nil
}

// status reads a field of the process's /proc status, in MiB.
func (p *process) status(t *testing.T, field string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field+":" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb >> 10
		}
	}
	t.Fatalf("no %s in /proc status", field)
	return 0
}

// round makes calls calls from clients concurrent clients, each request
// chosen by reqs, and returns the latencies and the wall time.
func (p *process) round(t *testing.T, clients, calls int, reqs func(i int) *fnv1.RunFunctionRequest) ([]time.Duration, time.Duration) {
	t.Helper()
	lat := make([]time.Duration, calls)
	var wg sync.WaitGroup
	began := time.Now()
	for c := range clients {
		wg.Go(func() {
			for i := c; i < calls; i += clients {
				at := time.Now()
				rsp, err := p.client.RunFunction(context.Background(), reqs(i))
				lat[i] = time.Since(at)
				if err != nil || len(rsp.GetResults()) > 0 && rsp.GetResults()[0].GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
					t.Errorf("RunFunction: %v %v", err, rsp.GetResults())
				}
			}
		})
	}
	wg.Wait()
	return lat, time.Since(began)
}

func percentile(lat []time.Duration, p float64) time.Duration {
	s := slices.Clone(lat)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*p)]
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

// TestServedLatency serves the function and the no-op function the same
// request bytes, in alternating rounds so that both see the same machine,
// and prints p50, p99 and throughput per concurrency, then each server's
// peak resident memory.
func TestServedLatency(t *testing.T) {
	calls := envInt(t, "PERF_CALLS", 2000)
	req := &fnv1.RunFunctionRequest{}
	if err := proto.Unmarshal(steady.bytes(), req); err != nil {
		t.Fatal(err)
	}
	same := func(int) *fnv1.RunFunctionRequest { return req }
	servers := map[string]*process{"function": start(t, "function"), "noop": start(t, "noop")}
	for _, p := range servers {
		p.round(t, 4, 200, same) // warm up connections and caches
	}
	p99 := map[string]time.Duration{}
	for _, clients := range []int{1, 20, 200} {
		for _, kind := range []string{"noop", "function", "noop", "function"} {
			lat, wall := servers[kind].round(t, clients, calls, same)
			t.Logf("%-8s clients=%3d p50=%8s p99=%8s throughput=%6.0f/s", kind, clients,
				percentile(lat, 0.5).Round(10*time.Microsecond), percentile(lat, 0.99).Round(10*time.Microsecond), float64(calls)/wall.Seconds())
			if clients == 200 {
				p99[kind] = max(p99[kind], percentile(lat, 0.99))
			}
		}
	}
	for kind, p := range servers {
		t.Logf("%-8s peak RSS %d MiB", kind, p.status(t, "VmHWM"))
	}
	t.Logf("p99 at 200 clients: function/noop = %.2f", float64(p99["function"])/float64(p99["noop"]))
}

// TestServedMemory calls the function for 1,000 distinct sessions,
// PERF_MEMORY_CALLS times in all, and prints its resident memory: the
// caches are bounded, so it stays flat.
func TestServedMemory(t *testing.T) {
	calls := envInt(t, "PERF_MEMORY_CALLS", 100000)
	const sessions = 1000
	reqs := make([]*fnv1.RunFunctionRequest, sessions)
	for i := range reqs {
		sc := steady
		sc.name = fmt.Sprintf("load-%d", i)
		reqs[i] = sc.request()
	}
	p := start(t, "function")
	began := time.Now()
	lat, _ := p.round(t, 20, calls, func(i int) *fnv1.RunFunctionRequest { return reqs[i%sessions] })
	t.Logf("%d calls over %d sessions in %s: p50=%s p99=%s, RSS %d MiB, peak RSS %d MiB", calls, sessions, time.Since(began).Round(time.Second),
		percentile(lat, 0.5).Round(10*time.Microsecond), percentile(lat, 0.99).Round(10*time.Microsecond), p.status(t, "VmRSS"), p.status(t, "VmHWM"))
	if rss := p.status(t, "VmRSS"); rss >= 128 {
		t.Errorf("resident memory is %d MiB after %d calls, want under 128 MiB", rss, calls)
	}
}

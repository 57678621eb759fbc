//go:build soak

package main

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crossplane/function-sdk-go/logging"
)

// TestSoak serves the function over loopback gRPC and calls it from many
// clients at once with hundreds of distinct sessions' requests, whose
// templates outnumber the renderer's parse cache, for SOAK_DURATION
// (default 10m). Every call must succeed, and the process's resident memory
// and goroutines must stay flat. Run it with
//
//	go test -tags soak -run TestSoak -timeout 0 -v ./fn
//
// It samples every SOAK_SAMPLE (default 10s) and logs each sample.
func TestSoak(t *testing.T) {
	duration := envDuration(t, "SOAK_DURATION", 10*time.Minute)
	every := envDuration(t, "SOAK_SAMPLE", 10*time.Second)
	const (
		sessions = 500
		variants = 3000 // more than the renderer's cache of 1024 parsed templates
		clients  = 32
	)
	fn := NewFunction(logging.NewNopLogger(), WithClock(func() time.Time { return now }))
	client, _, stop := startServer(t, fn)

	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	var calls, failures atomic.Int64
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := c; ctx.Err() == nil; i += clients {
				req := loadRequest(i%sessions, i%variants)
				if _, err := client.RunFunction(context.Background(), req); err != nil {
					if failures.Add(1) <= 10 {
						t.Errorf("RunFunction: %v", err)
					}
				}
				calls.Add(1)
			}
		})
	}

	type sample struct {
		at         time.Duration
		rss        int64
		goroutines int
		calls      int64
	}
	var samples []sample
	start := time.Now()
	tick := time.NewTicker(every)
	defer tick.Stop()
	record := func() {
		s := sample{at: time.Since(start).Round(time.Second), rss: rss(t), goroutines: runtime.NumGoroutine(), calls: calls.Load()}
		samples = append(samples, s)
		t.Logf("soak t=%s rss=%dMiB goroutines=%d calls=%d", s.at, s.rss>>20, s.goroutines, s.calls)
	}
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-tick.C:
			record()
		}
	}
	// The last sample is taken once the clients are done: what is left
	// then is what a quiet server holds.
	wg.Wait()
	record()
	if err := stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
	if len(samples) < 4 {
		t.Fatalf("only %d samples; run longer than 4×SOAK_SAMPLE", len(samples))
	}
	// The first quarter warms caches and pools; after it, memory and
	// goroutines must not grow.
	base := samples[len(samples)/4]
	var peakRSS int64
	peakG := 0
	for _, s := range samples[len(samples)/4:] {
		peakRSS, peakG = max(peakRSS, s.rss), max(peakG, s.goroutines)
	}
	last := samples[len(samples)-1]
	t.Logf("soak summary: %s, %d calls (%.0f/s), %d failures; after warm-up rss %dMiB → %dMiB (peak %dMiB), goroutines %d → %d (peak %d)",
		last.at, last.calls, float64(last.calls)/last.at.Seconds(), failures.Load(), base.rss>>20, last.rss>>20, peakRSS>>20, base.goroutines, last.goroutines, peakG)
	if last.rss > base.rss*3/2+16<<20 {
		t.Errorf("resident memory grew from %dMiB to %dMiB after warm-up", base.rss>>20, last.rss>>20)
	}
	if last.goroutines > base.goroutines+clients {
		t.Errorf("goroutines grew from %d to %d after warm-up", base.goroutines, last.goroutines)
	}
}

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return d
}

// rss is the process's resident set size, from /proc (Linux only).
func rss(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatalf("cannot read the resident set size: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				t.Fatalf("VmRSS %q: %v", f[1], err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}

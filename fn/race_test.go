package main

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"google.golang.org/protobuf/proto"

	"github.com/k8s-breakglass/function-debug-session/internal/render"
)

// TestConcurrentCallsShareTheRenderer runs many sessions' calls at once
// through one Function, whose renderer (its parse cache and idle slots) they
// all share, as the served function does. Under `go test -race` (make unit)
// this finds data races; in any run it checks that each concurrent answer is
// the one the same call gives alone, with a cache small enough to evict.
func TestConcurrentCallsShareTheRenderer(t *testing.T) {
	const (
		sessions = 64
		variants = 24
		rounds   = 3
	)
	clock := WithClock(func() time.Time { return now })
	shared := NewFunction(logging.NewNopLogger(), clock)
	shared.renderer = render.New(render.WithCacheSize(variants / 2))

	want := make([]*fnv1.RunFunctionResponse, sessions)
	for i := range want {
		rsp, err := NewFunction(logging.NewNopLogger(), clock).RunFunction(context.Background(), loadRequest(i, i%variants))
		if err != nil {
			t.Fatalf("RunFunction(%d) alone: %v", i, err)
		}
		if len(rsp.GetDesired().GetResources()) == 0 {
			t.Fatalf("RunFunction(%d) alone composed nothing; the test would not render", i)
		}
		want[i] = rsp
	}

	var wg sync.WaitGroup
	for r := range rounds {
		for i := range sessions {
			wg.Go(func() {
				got, err := shared.RunFunction(context.Background(), loadRequest(i, i%variants))
				if err != nil {
					t.Errorf("round %d, RunFunction(%d): %v", r, i, err)
					return
				}
				if !proto.Equal(want[i], got) {
					t.Errorf("round %d, RunFunction(%d) concurrently differs from the same call alone", r, i)
				}
			})
		}
	}
	wg.Wait()
}

package main

import (
	"context"
	"testing"
	"time"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"google.golang.org/protobuf/proto"

	"github.com/k8s-breakglass/function-debug-session/internal/requirements"
)

// The benchmarks below measure calls as the server serves them: the request
// bytes are unmarshalled, run and the response marshalled, so that each is
// comparable with BenchmarkSerializationFloor, the cost of the protocol
// alone. Run them together, so that the ratios come from one machine state:
//
//	go test -run '^$' -bench 'Floor|Steady|First|Fleet' -benchmem ./fn

func perfFunction() *Function {
	return NewFunction(logging.NewNopLogger(), WithClock(func() time.Time { return now }))
}

// served is one served call: unmarshal, run, marshal.
func served(b *testing.B, fn *Function, in []byte) {
	req := &fnv1.RunFunctionRequest{}
	if err := proto.Unmarshal(in, req); err != nil {
		b.Fatal(err)
	}
	rsp, err := fn.RunFunction(context.Background(), req)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := proto.Marshal(rsp); err != nil {
		b.Fatal(err)
	}
}

// checked returns the perfScenario's request bytes once a call has shown that
// the session is the Active one it should be, with all its objects.
func checked(b *testing.B, sc perfScenario) []byte {
	b.Helper()
	in := sc.bytes()
	req := &fnv1.RunFunctionRequest{}
	if err := proto.Unmarshal(in, req); err != nil {
		b.Fatal(err)
	}
	rsp, _ := perfFunction().RunFunction(context.Background(), req)
	if got := digest(rsp); got.state != "Active" || len(got.composed) != 7+sc.auxiliary {
		b.Fatalf("the benchmarked session is not the Active one it should be: %+v", got)
	}
	return in
}

// BenchmarkSerializationFloor is what any function pays for the steady
// request: unmarshalling it and marshalling this function's response.
func BenchmarkSerializationFloor(b *testing.B) { benchmarkFloor(b, steady) }

// BenchmarkSerializationFloorFleet is the same for the fleet request, about
// twenty times larger: what the fleet call costs any function.
func BenchmarkSerializationFloorFleet(b *testing.B) { benchmarkFloor(b, fleet) }

func benchmarkFloor(b *testing.B, sc perfScenario) {
	in := checked(b, sc)
	req := &fnv1.RunFunctionRequest{}
	_ = proto.Unmarshal(in, req)
	rsp, _ := perfFunction().RunFunction(context.Background(), req)
	b.ReportAllocs()
	for b.Loop() {
		r := &fnv1.RunFunctionRequest{}
		if err := proto.Unmarshal(in, r); err != nil {
			b.Fatal(err)
		}
		if _, err := proto.Marshal(rsp); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkSteady(b *testing.B, sc perfScenario) {
	in := checked(b, sc)
	fn := perfFunction()
	served(b, fn, in)
	b.ReportAllocs()
	for b.Loop() {
		served(b, fn, in)
	}
}

// benchmarkFirst measures a Function's first call: every cache is cold,
// the decoded objects shared by all Functions included.
func benchmarkFirst(b *testing.B, sc perfScenario) {
	in := checked(b, sc)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		fn := perfFunction()
		requirements.Forget()
		b.StartTimer()
		served(b, fn, in)
	}
}

// BenchmarkRunFunctionSteady is the Active session called again
// with nothing changed: the call Crossplane makes most.
func BenchmarkRunFunctionSteady(b *testing.B) { benchmarkSteady(b, steady) }

// BenchmarkRunFunctionFirst is the same session's first call.
func BenchmarkRunFunctionFirst(b *testing.B) { benchmarkFirst(b, steady) }

// BenchmarkRunFunctionFleet is the session on a busy management cluster.
func BenchmarkRunFunctionFleet(b *testing.B) { benchmarkSteady(b, fleet) }

// The ×10 variants each multiply one input of the fleet tenfold; each
// should cost at most twelve times the fleet call.
func BenchmarkRunFunctionFleetBindingsX10(b *testing.B) {
	sc := fleet
	sc.bindings *= 10
	benchmarkSteady(b, sc)
}

func BenchmarkRunFunctionFleetSessionsX10(b *testing.B) {
	sc := fleet
	sc.sessions *= 10
	benchmarkSteady(b, sc)
}

func BenchmarkRunFunctionFleetAuxiliaryX10(b *testing.B) {
	sc := fleet
	sc.auxiliary *= 10
	benchmarkSteady(b, sc)
}

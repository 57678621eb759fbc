package telemetry

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestTimerNests(t *testing.T) {
	// The stopwatch advances 100µs every time it is read, so every step
	// boundary is 100µs after the one before.
	tick := t0
	reg := prometheus.NewPedanticRegistry()
	m := NewMetrics(reg, WithStopwatch(func() time.Time {
		tick = tick.Add(100 * time.Microsecond)
		return tick
	}))
	tm := m.Timer()
	leaveRequirements := tm.Enter(StepRequirements) // requirements from 100µs
	leaveResolution := tm.Enter(StepResolution)     // requirements paused at 200µs
	leaveResolution()                               // resolution 200–300µs
	leaveRequirements()                             // requirements 300–400µs: 200µs in all
	tm.Enter(StepDelivery)()                        // delivery 500–600µs
	tm.Observe()

	want := map[string]float64{"requirements": 0.0002, "resolution": 0.0001, "delivery": 0.0001}
	for step, sum := range want {
		got := sampleSum(t, reg, step)
		if diff := got - sum; diff > 1e-9 || diff < -1e-9 {
			t.Errorf("Each step counts only its own time: step %s want %v s, got %v s", step, sum, got)
		}
	}
	if n := testutil.CollectAndCount(m.steps); n != len(want) {
		t.Errorf("Only the steps entered are observed: want %d series, got %d", len(want), n)
	}
}

func sampleSum(t *testing.T, reg *prometheus.Registry, step string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "debug_session_step_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.GetLabel()[0].GetValue() == step {
				return m.GetHistogram().GetSampleSum()
			}
		}
	}
	t.Fatalf("no sample for step %s", step)
	return 0
}

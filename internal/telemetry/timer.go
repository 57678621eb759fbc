package telemetry

import "time"

// A Step is a stage of a call, the step label of step_duration_seconds.
type Step string

// The pipeline steps.
const (
	StepRequirements Step = "requirements"
	StepResolution   Step = "resolution"
	StepPlan         Step = "plan"
	StepLifecycle    Step = "lifecycle"
	StepRender       Step = "render"
	StepDelivery     Step = "delivery"
)

// A Timer measures the time one call spends in each step. Steps nest:
// entering one pauses the step it was entered from, so each step's time is
// its own. Resolution runs in the middle of fetching requirements, and
// rendering in the middle of the rollout; neither is counted twice. A Timer
// is used by one call, from one goroutine.
type Timer struct {
	m       *Metrics
	current Step
	since   time.Time
	spent   map[Step]time.Duration
}

// Timer returns a Timer for one call.
func (m *Metrics) Timer() *Timer {
	return &Timer{m: m, spent: map[Step]time.Duration{}}
}

// Enter starts timing s and returns the function that stops it, resuming the
// step that was running before.
func (t *Timer) Enter(s Step) (leave func()) {
	outer := t.switchTo(s)
	return func() { t.switchTo(outer) }
}

func (t *Timer) switchTo(s Step) Step {
	now := t.m.tick()
	prev := t.current
	if prev != "" {
		t.spent[prev] += now.Sub(t.since)
	}
	if _, ok := t.spent[s]; !ok && s != "" {
		t.spent[s] = 0
	}
	t.current, t.since = s, now
	return prev
}

// Observe records every step the call entered, once.
func (t *Timer) Observe() {
	for s, d := range t.spent {
		t.m.steps.WithLabelValues(string(s)).Observe(d.Seconds())
	}
}

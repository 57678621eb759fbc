package telemetry

import (
	"time"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
	"github.com/k8s-breakglass/function-debug-session/internal/render"
)

// namespace prefixes every metric of the function.
const namespace = "debug_session"

// Unresolved is the template or cluster label of a session whose template
// or ClusterConfig does not exist. It cannot collide with a Kubernetes name,
// which has no underscore.
const Unresolved = "_unresolved"

// New is the from label of a session the function sees for the first time.
const New = "New"

// Results of a call, the result label of calls_total.
const (
	// ResultDecided: the session's state was decided and written.
	ResultDecided = "decided"
	// ResultWaiting: the function asked Crossplane for required resources
	// and decided nothing yet.
	ResultWaiting = "waiting"
	// ResultFatal: a Fatal result; Crossplane changes nothing.
	ResultFatal = "fatal"
)

// Buckets of the histograms. Steps take microseconds to a few milliseconds
// (a whole call takes about 0.7ms, BenchmarkRunFunction), so the default
// Prometheus buckets, starting at 5ms, would put every step in the first.
// Time to Active ranges from seconds (auto-approved) to a day (the default
// approval timeout).
var (
	stepBuckets         = []float64{0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25}
	timeToActiveBuckets = []float64{1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400}
)

// Metrics are the function's domain metrics. A Metrics is safe for
// concurrent use by calls.
type Metrics struct {
	transitions  *prometheus.CounterVec
	byTemplate   *prometheus.CounterVec
	byCluster    *prometheus.CounterVec
	refusals     *prometheus.CounterVec
	auxiliary    *prometheus.CounterVec
	timeToActive prometheus.Histogram
	steps        *prometheus.HistogramVec
	calls        *prometheus.CounterVec
	sessions     *sessions

	tick func() time.Time
}

// An Option configures Metrics.
type Option func(*options)

type options struct {
	clock  func() time.Time
	tick   func() time.Time
	window time.Duration
	cache  func() render.CacheStats
}

// WithClock is the clock that ages the sessions gauge. Tests pin it.
func WithClock(c func() time.Time) Option { return func(o *options) { o.clock = c } }

// WithStopwatch is the clock that times pipeline steps. Tests pin it.
func WithStopwatch(c func() time.Time) Option { return func(o *options) { o.tick = c } }

// WithSessionWindow is how long a session counts in the sessions gauge after
// the last call about it. See sessions.
func WithSessionWindow(d time.Duration) Option { return func(o *options) { o.window = d } }

// WithRenderCache exports the renderer's parse cache counters.
func WithRenderCache(stats func() render.CacheStats) Option {
	return func(o *options) { o.cache = stats }
}

// NewMetrics registers the function's metrics with reg.
func NewMetrics(reg prometheus.Registerer, o ...Option) *Metrics {
	opts := options{clock: time.Now, tick: time.Now, window: DefaultSessionWindow}
	for _, fn := range o {
		fn(&opts)
	}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, labels)
	}
	m := &Metrics{
		transitions: counter("transitions_total", "Session state transitions the function decided, by previous state, new state and condition reason.", "from", "to", "reason"),
		byTemplate:  counter("template_transitions_total", "Session state transitions by DebugSessionTemplate (namespace/name) and new state.", "template", "to"),
		byCluster:   counter("cluster_transitions_total", "Session state transitions by target cluster (one with a ClusterConfig) and new state.", "cluster", "to"),
		refusals:    counter("refusals_total", "Sessions Denied or Failed, by state and refusal reason.", "state", "reason"),
		auxiliary:   counter("auxiliary_failures_total", "Auxiliary resource render and policy failures, by DebugSessionTemplate, reason and the resource's failurePolicy; counted on every call that meets one.", "template", "reason", "failure_policy"),
		timeToActive: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Name: "time_to_active_seconds", Buckets: timeToActiveBuckets,
			Help: "Time from a session's creation to the call that made it Active.",
		}),
		steps: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "step_duration_seconds", Buckets: stepBuckets,
			Help: "Time spent in each pipeline step of a call.",
		}, []string{"step"}),
		calls:    counter("calls_total", "RunFunction calls by result: decided, waiting (for required resources) or fatal.", "result"),
		sessions: newSessions(opts.clock, opts.window),
		tick:     opts.tick,
	}
	reg.MustRegister(m.transitions, m.byTemplate, m.byCluster, m.refusals, m.auxiliary, m.timeToActive, m.steps, m.calls, m.sessions)
	if opts.cache != nil {
		reg.MustRegister(cacheCollectors(opts.cache)...)
	}
	return m
}

// A Transition is a session changing state on a call.
type Transition struct {
	From, To v1alpha1.State
	// Reason is the decision's condition reason.
	Reason string
	// Refusal classifies a Denied or Failed session.
	Refusal outcome.Reason
	// Template is the DebugSessionTemplate's namespace/name and Cluster the
	// target cluster's name, or empty when the template or the cluster's
	// ClusterConfig does not exist: only names of existing objects may
	// become label values.
	Template, Cluster string
	// CreatedAt is the session's creationTimestamp, zero when unknown, and
	// Now the time of the decision.
	CreatedAt, Now time.Time
}

// Transition counts a transition.
func (m *Metrics) Transition(t Transition) {
	from := string(t.From)
	if from == "" {
		from = New
	}
	m.transitions.WithLabelValues(from, string(t.To), t.Reason).Inc()
	m.byTemplate.WithLabelValues(orUnresolved(t.Template), string(t.To)).Inc()
	m.byCluster.WithLabelValues(orUnresolved(t.Cluster), string(t.To)).Inc()
	if t.Refusal != "" && (t.To == v1alpha1.StateDenied || t.To == v1alpha1.StateFailed) {
		m.refusals.WithLabelValues(string(t.To), string(t.Refusal)).Inc()
	}
	if t.To == v1alpha1.StateActive && t.From != v1alpha1.StateActive && !t.CreatedAt.IsZero() {
		m.timeToActive.Observe(max(t.Now.Sub(t.CreatedAt), 0).Seconds())
	}
}

// Seen records the state a session is in after a call, for the sessions
// gauge. key identifies the session and never becomes a label.
func (m *Metrics) Seen(key string, s v1alpha1.State) { m.sessions.seen(key, s) }

// AuxiliaryFailure counts an auxiliary resource that failed to render or
// broke the policy. template is as in Transition; failurePolicy is "fail"
// or "ignore".
func (m *Metrics) AuxiliaryFailure(template string, r outcome.Reason, failurePolicy string) {
	m.auxiliary.WithLabelValues(orUnresolved(template), string(r), failurePolicy).Inc()
}

// Call counts a finished call by what its response says.
func (m *Metrics) Call(rsp *fnv1.RunFunctionResponse) {
	m.calls.WithLabelValues(resultOf(rsp)).Inc()
}

func resultOf(rsp *fnv1.RunFunctionResponse) string {
	for _, r := range rsp.GetResults() {
		if r.GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
			return ResultFatal
		}
	}
	if rsp.GetDesired().GetComposite().GetResource().GetFields()["status"] != nil {
		return ResultDecided
	}
	return ResultWaiting
}

func orUnresolved(name string) string {
	if name == "" {
		return Unresolved
	}
	return name
}

func cacheCollectors(stats func() render.CacheStats) []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Namespace: namespace, Name: "render_cache_hits_total",
			Help: "Template strings found parsed in the renderer's cache.",
		}, func() float64 { return float64(stats().Hits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Namespace: namespace, Name: "render_cache_misses_total",
			Help: "Template strings the renderer had to parse.",
		}, func() float64 { return float64(stats().Misses) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: namespace, Name: "render_cache_entries",
			Help: "Parsed templates kept in the renderer's cache.",
		}, func() float64 { return float64(stats().Size) }),
	}
}

package telemetry

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// DefaultSessionWindow is how long a session counts in the sessions gauge
// after the last call about it. Crossplane calls the function for every
// live session at least once per poll interval (1m by default) and at the
// response TTL (at most the input's ttl, 60s by default), so a live session
// is seen several times per window; a deleted one drops out within it.
const DefaultSessionWindow = 5 * time.Minute

// liveStates are the states the gauge reports, always all of them, so that
// a state with no sessions reads 0 rather than absent.
var liveStates = []v1alpha1.State{v1alpha1.StatePending, v1alpha1.StatePendingApproval, v1alpha1.StateQueued, v1alpha1.StateActive}

// sessions is the sessions gauge: the number of sessions in each live state
// as this replica last saw them, within the window.
//
// A function keeps no state between calls and is told nothing when a session
// is deleted, so a gauge incremented on entry and decremented on exit would
// drift: a deleted session never exits, and a restart forgets them all. This
// gauge is instead recomputed at every scrape from the last state each
// session had on this replica, forgetting sessions not seen within the
// window. It is per replica: Crossplane holds one gRPC connection to the
// function's Service, so one replica sees every session at a time and the
// others' entries age out after a failover. Aggregate across replicas with
// max, never sum, which would count a session twice during the window after
// a failover.
type sessions struct {
	mu     sync.Mutex
	clock  func() time.Time
	window time.Duration
	last   map[string]sighting
	pruned time.Time
	desc   *prometheus.Desc
}

type sighting struct {
	state v1alpha1.State
	at    time.Time
}

func newSessions(clock func() time.Time, window time.Duration) *sessions {
	return &sessions{
		clock: clock, window: window, last: map[string]sighting{},
		desc: prometheus.NewDesc(namespace+"_sessions",
			"Sessions in each live state as last seen by this replica within the session window; aggregate replicas with max.",
			[]string{"state"}, nil),
	}
}

// seen records a session's state. An ended session, or one without a state,
// is forgotten at once: it holds nothing any more.
func (s *sessions) seen(key string, st v1alpha1.State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st == "" || st.Ended() {
		delete(s.last, key)
		return
	}
	now := s.clock()
	s.last[key] = sighting{state: st, at: now}
	// Without scrapes nothing else forgets sessions; once a window is
	// enough to keep memory bounded by the sessions seen within two.
	if now.Sub(s.pruned) > s.window {
		s.forget()
	}
}

// Describe implements prometheus.Collector.
func (s *sessions) Describe(ch chan<- *prometheus.Desc) { ch <- s.desc }

// Collect implements prometheus.Collector.
func (s *sessions) Collect(ch chan<- prometheus.Metric) {
	s.mu.Lock()
	s.forget()
	n := map[v1alpha1.State]int{}
	for _, v := range s.last {
		n[v.state]++
	}
	s.mu.Unlock()
	for _, st := range liveStates {
		ch <- prometheus.MustNewConstMetric(s.desc, prometheus.GaugeValue, float64(n[st]), string(st))
	}
}

// forget drops the sessions not seen within the window. The caller holds mu.
func (s *sessions) forget() {
	now := s.clock()
	cutoff := now.Add(-s.window)
	for k, v := range s.last {
		if v.at.Before(cutoff) {
			delete(s.last, k)
		}
	}
	s.pruned = now
}

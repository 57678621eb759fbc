//go:build e2e

package e2e

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// crossplaneMetrics is where Crossplane core serves its metrics: its default
// port, on the stack's network namespace, where only loopback exists.
const crossplaneMetrics = "127.0.0.1:8080"

// Crossplane's counts of XR watch circuit breakers that opened, and of the
// watch events they handled.
const (
	breakerOpens  = "circuit_breaker_opens_total"
	breakerEvents = "circuit_breaker_events_total"
)

// breakerStayedClosed fails the run when Crossplane opened the watch circuit
// breaker of any session but those tests open on purpose. An open breaker drops the session's watch events
// for minutes and lets one through every 30 s, so everything the tests time
// would be late for a reason no single test shows. hack/e2e/up.sh starts
// Crossplane with the circuit-breaker settings the README recommends; a
// session that still trips them makes more events than the README says it
// does.
func breakerStayedClosed() error {
	m, err := scrapeAt(crossplaneMetrics)
	if err != nil {
		return fmt.Errorf("cannot read Crossplane's metrics to check its watch circuit breakers: %w", err)
	}
	opens, events := 0.0, 0.0
	for series, v := range m {
		switch {
		case strings.HasPrefix(series, breakerOpens+"{"):
			opens += v
		case strings.HasPrefix(series, breakerEvents+"{"):
			events += v
		}
	}
	// A counter with labels has no series until it first counts, so no
	// opens alone cannot tell a closed breaker from a renamed metric; every
	// session's watch events are counted, opened or not.
	if events == 0 {
		return fmt.Errorf("Crossplane's metrics have no %s: cannot tell whether any session's watch circuit breaker opened", breakerEvents)
	}
	if opens == 0 {
		return nil
	}
	named, unexpected := openBreakers(), []string{}
	for _, b := range named {
		if _, ok := tripped.Load(b.session); !ok {
			unexpected = append(unexpected, b.String())
		}
	}
	if len(named) > 0 && len(unexpected) == 0 {
		return nil
	}
	return fmt.Errorf("Crossplane opened the watch circuit breaker %v time(s) during the run (%s), not only for the sessions tests trip on purpose; sessions it opened for, and the watched object that sent most events: %s",
		opens, breakerOpens, strings.Join(unexpected, "; "))
}

// openBreakerLine picks the XR and the trigger out of Crossplane's log line
// for a reconcile while its breaker is open.
var openBreakerLine = regexp.MustCompile(`Circuit breaker is open.*"request": \{"name":"([^"]*)"(?:,"namespace":"([^"]*)")?\}.*"triggered-by": "([^"]*)"`)

// openBreaker is a session whose breaker was open, and the watched object
// that had sent it most events.
type openBreaker struct {
	session, trigger string
}

func (b openBreaker) String() string { return b.session + " by " + b.trigger }

// openBreakers lists, from crossplane.log, each session whose breaker was
// open and what triggered it; the log is the only place that names them.
func openBreakers() []openBreaker {
	var out []openBreaker
	f, err := os.Open(filepath.Join(os.Getenv("E2E_LOGS"), "crossplane.log"))
	if err != nil {
		return []openBreaker{{session: "?", trigger: fmt.Sprintf("(cannot read crossplane.log: %v)", err)}}
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for sc.Scan() {
		m := openBreakerLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		b := openBreaker{session: m[1], trigger: m[3]}
		if m[2] != "" {
			b.session = m[2] + "/" + m[1]
		}
		if !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out
}

// responsive describes the Responsive condition Crossplane keeps on s: False
// with reason WatchCircuitOpen while its watch circuit breaker is open.
func responsive(t *testing.T, s *v1alpha1.DebugSession) string {
	t.Helper()
	u := &unstructured.Unstructured{}
	if !admin.Get(t, &u.Object, sessionArgs(s)...) {
		return "the session does not exist"
	}
	c := condition(u, "Responsive")
	if c == nil {
		return "no Responsive condition"
	}
	return fmt.Sprintf("Responsive %v (%v: %v)", c["status"], c["reason"], c["message"])
}

// condition is u's status condition of type typ, or nil.
func condition(u *unstructured.Unstructured, typ string) map[string]any {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		if c, _ := c.(map[string]any); c["type"] == typ {
			return c
		}
	}
	return nil
}

// throttledLatency bounds how long a session whose watch circuit breaker is
// open takes to act on its requester's termination: the function asks
// Crossplane to call back within lifecycle.ThrottledTTL while the breaker is
// open. Without that, nothing brings Crossplane back before the input's TTL
// (60 s) or the first event the breaker lets through, 30 s after it opened.
const throttledLatency = 15 * time.Second

// tripped are the sessions whose breakers tests open on purpose, by
// namespace/name; breakerStayedClosed does not count them.
var tripped sync.Map

// TestThrottledSessionEndsOnTime opens Crossplane's watch circuit breaker for
// a running session, as a storm of its own updates would, and has its
// requester terminate it: the update that says so is one of the events the
// open breaker drops.
func TestThrottledSessionEndsOnTime(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "lifecycle.yaml")

	s := session("throttled-alice", "e2e-lifecycle", alice)
	tripped.Store(s.Namespace+"/"+s.Name, true)
	create(t, alice, s)
	waitForState(t, s, v1alpha1.StateActive)
	tripBreaker(t, s)

	start := time.Now()
	if err := patchSession(alice, s, `{"terminate":true}`); err != nil {
		t.Fatalf("alice cannot terminate her own session: %v", err)
	}
	waitForState(t, s, v1alpha1.StateTerminated)
	took := time.Since(start)
	t.Logf("termination with the watch circuit breaker open took %s", took.Round(time.Second))
	if took > throttledLatency {
		t.Errorf("with its watch circuit breaker open the session was Terminated %s after alice asked; want at most %s (%s)", took.Round(time.Second), throttledLatency, responsive(t, s))
	}
}

// tripBreaker updates the annotations of s's workload as fast as the API
// server takes them until Crossplane says the session's watch circuit breaker
// is open: every update of a composed resource is a watch event of its XR,
// and of no other. (Updates of the session itself would be events of every
// session whose limits count it too, and open their breakers as well.)
func tripBreaker(t *testing.T, s *v1alpha1.DebugSession) {
	t.Helper()
	w := getSession(t, s).Status.Workload
	if w == nil || w.Kind != "Deployment" {
		t.Fatalf("%s has no Deployment to update: status.workload %+v", s.Name, w)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", admin.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	// client-go's default of 5 requests a second would take minutes.
	cfg.QPS, cfg.Burst = 1000, 1000
	c, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	deployments := c.Resource(schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}).Namespace(w.Namespace)
	const batch, most = 100, 5000
	for sent := 0; sent < most; sent += batch {
		for i := range batch {
			patch := fmt.Sprintf(`{"metadata":{"annotations":{"e2e.breakglass.telekom.de/noise":"%d"}}}`, sent+i)
			if _, err := deployments.Patch(t.Context(), w.Name, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
				t.Fatalf("cannot update Deployment %s/%s's annotations: %v", w.Namespace, w.Name, err)
			}
		}
		if strings.HasPrefix(responsive(t, s), "Responsive False (WatchCircuitOpen") {
			t.Logf("%s's watch circuit breaker opened after %d updates of its Deployment", s.Name, sent+batch)
			return
		}
	}
	t.Fatalf("%s's watch circuit breaker did not open after %d updates of its Deployment: %s", s.Name, most, responsive(t, s))
}

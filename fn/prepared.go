package main

import (
	"maps"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/response"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/auxiliary"
	"github.com/k8s-breakglass/function-debug-session/internal/delivery"
	"github.com/k8s-breakglass/function-debug-session/internal/memo"
	"github.com/k8s-breakglass/function-debug-session/internal/names"
	"github.com/k8s-breakglass/function-debug-session/internal/requirements"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
	"github.com/k8s-breakglass/function-debug-session/internal/telemetry"
)

// Bounds of the prepared calls a Function remembers. An entry's cost is an
// estimate from the bytes its request's key hashed: the decoded objects and
// the plan take about twice that, and the remembered answers (Structs,
// which take about ten times their encoding) about answerCost. Measured:
// the steady benchmark's session (11 KiB hashed, estimated 214 KiB) took
// 212 KiB, the fleet's (277 KiB hashed, estimated 746 KiB) about 1 MiB.
// The bound is small because the served memory test (1,000 sessions in
// turn, so that every call misses) allows 128 MiB, and a byte kept here
// cost about three of resident memory there: a bound of 12 MiB (at six
// times the hashed bytes) took the server from 82 to about 130 MiB. 6 MiB
// keeps about 28 steady sessions, or a fleet session with ten times its
// bindings or other sessions. The least recently seen are prepared again.
const (
	preparedEntries = 1024
	preparedBytes   = 6 << 20
	preparedCost    = 2
	answerCost      = 192 << 10
	// perPrepared bounds the renders and answers one prepared call keeps:
	// a session meets a new one only when its expiry or its progress
	// changes, and the newest are what the next calls need.
	perPrepared = 4
)

// prepared is everything a call computes before its decision: the input,
// the session, what it refers to, how it resolved, and its plan. It is a
// function of the request alone, except that resolution reads the clock to
// tell which bindings exist; so it is remembered by a hash of the whole
// request, and used again only while no binding's effectiveFrom or expiresAt
// lies between the time it was resolved and now. What depends on the time
// (the lifecycle decision, the rollout and the TTL) is decided anew on every
// call. Everything in it is only read once it is remembered.
type prepared struct {
	in           *v1beta1.Input
	xr           *resource.Composite
	s            *v1alpha1.DebugSession
	observed     map[resource.Name]resource.ObservedComposed
	got          *requirements.Fetched
	res          *resolution.Result
	plan         *plan
	requirements *fnv1.Requirements
	log          logging.Logger

	// resolvedAt is the time resolution saw; windows are the times at
	// which a binding begins or stops to exist.
	resolvedAt time.Time
	windows    []time.Time

	mu sync.Mutex
	// renders are the auxiliary resources rendered for this call, by the
	// expiry they were rendered with and the resources rendered.
	renders map[string]*auxiliary.Result
	// answers are the desired state the call returned, by what decided it
	// (see answerKey).
	answers map[string][]answer

	waiting     sync.Once
	podsWaiting string
	finished    string
	// readiness and readySince are what was observed of each composed
	// resource, read once.
	readiness  map[resource.Name]delivery.Readiness
	readySince map[resource.Name]time.Time
}

// answer is the desired state returned for a status: Crossplane's desired
// composite (the status and its readiness) and composed resources.
type answer struct {
	status  *v1alpha1.DebugSessionStatus
	running bool
	desired *fnv1.State
}

// preparedCache remembers prepared calls by a hash of their request.
type preparedCache struct {
	lru *memo.LRU[*prepared]
}

func newPreparedCache() *preparedCache {
	return &preparedCache{lru: memo.New[*prepared](preparedEntries, preparedBytes)}
}

// get returns the call prepared for the request with key k, when resolution
// at now would find what it found then.
func (pc *preparedCache) get(k memo.Key, now time.Time) (*prepared, bool) {
	if pc == nil {
		return nil, false
	}
	pr, ok := pc.lru.Get(k)
	if !ok || !pr.resolvesAt(now) {
		return nil, false
	}
	return pr, true
}

// add remembers pr under k; size is about its request's encoded size.
func (pc *preparedCache) add(k memo.Key, pr *prepared, size int) {
	if pc == nil {
		return
	}
	pc.lru.Add(k, pr, preparedCost*int64(size)+answerCost)
}

// newPrepared keeps what call c computed before its decision.
func newPrepared(c *call, p *plan, resolvedAt time.Time) *prepared {
	pr := &prepared{
		in: c.in, xr: c.xr, s: c.s, observed: c.observed, got: c.got, res: c.res, plan: p,
		requirements: c.rsp.GetRequirements(), log: c.log, resolvedAt: resolvedAt,
		renders: map[string]*auxiliary.Result{}, answers: map[string][]answer{},
		readiness: map[resource.Name]delivery.Readiness{}, readySince: map[resource.Name]time.Time{},
	}
	for _, b := range c.got.Bindings {
		if f := b.Spec.EffectiveFrom; f != nil {
			pr.windows = append(pr.windows, f.Time)
		}
		if e := b.Spec.ExpiresAt; e != nil {
			pr.windows = append(pr.windows, e.Time)
		}
	}
	return pr
}

// resolvesAt reports whether every binding that existed when the call was
// resolved exists at now, and no other: resolution tells whether a binding
// exists by whether the time is before its effectiveFrom and expiresAt.
func (pr *prepared) resolvesAt(now time.Time) bool {
	for _, w := range pr.windows {
		if pr.resolvedAt.Before(w) != now.Before(w) {
			return false
		}
	}
	return true
}

// call is a new call of the prepared request req.
func (pr *prepared) call(f *Function, req *fnv1.RunFunctionRequest, t *telemetry.Timer) *call {
	rsp := response.To(req, pr.in.GetTTL())
	rsp.Requirements = pr.requirements
	c := &call{
		f: f, req: req, rsp: rsp, in: pr.in, xr: pr.xr, s: pr.s, observed: pr.observed,
		log: pr.log, timer: t, got: pr.got, res: pr.res,
	}
	c.warn(pr.res.Warnings...)
	return c
}

// render renders en with c, once per expiry and set of resources: the
// context differs between calls only in the expiry, and which resources
// are rendered follows from the plan and what was observed. The result is
// shared by later calls, which only read it.
func (pr *prepared) render(en *auxiliary.Enabled, c auxiliary.Context, do func() (*auxiliary.Result, error)) (*auxiliary.Result, string, error) {
	var b strings.Builder
	b.WriteString(c.ExpiresAt)
	for _, r := range en.Resources {
		b.WriteByte(0)
		b.WriteString(string(r.Name))
	}
	k := b.String()
	pr.mu.Lock()
	res, ok := pr.renders[k]
	pr.mu.Unlock()
	if ok {
		return res, k, nil
	}
	res, err := do()
	if err != nil {
		return nil, k, err
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if len(pr.renders) >= perPrepared {
		clear(pr.renders)
	}
	pr.renders[k] = res
	return res, k, nil
}

// workloadState is what the observed workload's pods wait for, and how a
// workload that runs to an end (a Job) ended, read once.
func (pr *prepared) workloadState() (waiting, finished string) {
	pr.waiting.Do(func() {
		pr.podsWaiting = pr.plan.target.PodsWaiting(names.WorkloadResource, pr.observed)
		pr.finished = pr.plan.target.WorkloadFinished(names.WorkloadResource, pr.observed)
	})
	return pr.podsWaiting, pr.finished
}

// Readiness is what delivery.Observer says of the composed resource name,
// read once: it is a function of the observed state, part of the request.
func (pr *prepared) Readiness(name resource.Name) delivery.Readiness {
	return readOnce(pr, pr.readiness, name, pr.plan.target.Readiness)
}

// ReadySince is what delivery.Observer says of the composed resource name,
// read once.
func (pr *prepared) ReadySince(name resource.Name) time.Time {
	return readOnce(pr, pr.readySince, name, pr.plan.target.ReadySince)
}

func readOnce[V any](pr *prepared, m map[resource.Name]V, name resource.Name, read func(resource.Name, map[resource.Name]resource.ObservedComposed) V) V {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	v, ok := m[name]
	if !ok {
		v = read(name, pr.observed)
		m[name] = v
	}
	return v
}

// answerKey names what a call's desired composed resources are made of:
// the render it took them from, and which objects it returned, in order,
// orphaned or not. Every object comes from the plan or from that render,
// so two calls with one key return the same objects.
func answerKey(rendered string, objs []delivery.Object) string {
	var b strings.Builder
	b.WriteString(rendered)
	for _, o := range objs {
		b.WriteByte(0)
		b.WriteString(string(o.Name))
		b.WriteString(strconv.FormatBool(o.Orphan))
	}
	return b.String()
}

// answered returns the desired state remembered for k and an equal status.
// The state is new, its resources shared: nothing writes to a response's
// resources once it is returned.
func (pr *prepared) answered(k string, st *v1alpha1.DebugSessionStatus, running bool) (*fnv1.State, bool) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	for _, a := range pr.answers[k] {
		if a.running == running && reflect.DeepEqual(a.status, st) {
			return &fnv1.State{Composite: a.desired.GetComposite(), Resources: maps.Clone(a.desired.GetResources())}, true
		}
	}
	return nil, false
}

func (pr *prepared) answer(k string, st *v1alpha1.DebugSessionStatus, running bool, desired *fnv1.State) {
	a := answer{status: st, running: running, desired: &fnv1.State{Composite: desired.GetComposite(), Resources: maps.Clone(desired.GetResources())}}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	n := 0
	for _, as := range pr.answers {
		n += len(as)
	}
	if n >= perPrepared {
		clear(pr.answers)
	}
	pr.answers[k] = append(pr.answers[k], a)
}

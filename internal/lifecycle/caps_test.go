package lifecycle

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

var (
	netopsProd = v1alpha1.ObjectReference{Namespace: "team-a", Name: "netops-prod"}
	netopsBase = v1alpha1.ObjectReference{Namespace: "team-a", Name: "netops-base"}
)

// capped is a binding with the given caps; nil leaves a cap unset.
func capped(ref v1alpha1.ObjectReference, perUser, total *int32) *v1alpha1.DebugSessionClusterBinding {
	return &v1alpha1.DebugSessionClusterBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: ref.Namespace, Name: ref.Name},
		Spec:       v1alpha1.DebugSessionClusterBindingSpec{MaxActiveSessionsPerUser: perUser, MaxActiveSessionsTotal: total},
	}
}

func requestedBy(user string) func(*v1alpha1.DebugSession) {
	return func(s *v1alpha1.DebugSession) { s.Spec.RequestedBy = user }
}

func onCluster(c string) func(*v1alpha1.DebugSession) {
	return func(s *v1alpha1.DebugSession) { s.Spec.Cluster = c }
}

func recordedBinding(ref v1alpha1.ObjectReference) func(*v1alpha1.DebugSession) {
	return func(s *v1alpha1.DebugSession) {
		s.Status.Binding = &v1alpha1.BindingStatus{Namespace: ref.Namespace, Name: ref.Name}
	}
}

// through answers BindingsOf from a table by namespace/name; sessions it
// does not list apply through no binding.
func through(uses map[string][]v1alpha1.ObjectReference) func(o *v1alpha1.DebugSession) []v1alpha1.ObjectReference {
	return func(o *v1alpha1.DebugSession) []v1alpha1.ObjectReference { return uses[o.Namespace+"/"+o.Name] }
}

func TestDecideCaps(t *testing.T) {
	earlier, later := created.Add(-time.Minute), created.Add(time.Minute)
	prod := []v1alpha1.ObjectReference{netopsProd}
	type args struct {
		self       *v1alpha1.DebugSession
		bindings   []*v1alpha1.DebugSessionClusterBinding
		concurrent *int32
		others     []*v1alpha1.DebugSession
		uses       map[string][]v1alpha1.ObjectReference // nil: no BindingsOf
	}
	type want struct {
		state v1alpha1.State
		queue *Queue
		msg   string
		err   error
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"PerUserCapQueues": {
			reason: "Two sessions of the same requester, spelled differently, are running through the binding: a third waits, naming the binding and field.",
			args: args{
				self:     session(),
				bindings: []*v1alpha1.DebugSessionClusterBinding{capped(netopsProd, ptr.To[int32](2), nil)},
				others: []*v1alpha1.DebugSession{
					other("team-a", "inc-1", later, v1alpha1.StateActive, requestedBy("Alice@Example.com ")),
					other("team-b", "inc-2", later, v1alpha1.StateActive, requestedBy("alice@example.com"), onCluster("prod-cluster-b")),
				},
				uses: map[string][]v1alpha1.ObjectReference{"team-a/inc-1": prod, "team-b/inc-2": prod},
			},
			want: want{
				state: v1alpha1.StateQueued,
				queue: &Queue{Position: 1, Length: 1, Active: 2, Limit: 2, Binding: &netopsProd, Field: FieldMaxActiveSessionsPerUser},
				msg:   "Queued at position 1 of 1: binding team-a/netops-prod allows 2 active sessions per user (spec.maxActiveSessionsPerUser), and alice@example.com has 2 active.",
			},
		},
		"OtherUsersDoNotCountPerUser": {
			reason: "Sessions of other requesters do not count against the per-user cap.",
			args: args{
				self:     session(),
				bindings: []*v1alpha1.DebugSessionClusterBinding{capped(netopsProd, ptr.To[int32](1), nil)},
				others: []*v1alpha1.DebugSession{
					other("team-b", "inc-1", earlier, v1alpha1.StateActive),
					other("team-b", "inc-2", earlier, v1alpha1.StateActive, requestedBy("\u0430lice@example.com")),
				},
				uses: map[string][]v1alpha1.ObjectReference{"team-b/inc-1": prod, "team-b/inc-2": prod},
			},
			want: want{state: v1alpha1.StateActive},
		},
		"TotalCapCountsEveryCluster": {
			reason: "The total cap counts the binding's sessions on every cluster and of every requester.",
			args: args{
				self:     session(),
				bindings: []*v1alpha1.DebugSessionClusterBinding{capped(netopsProd, nil, ptr.To[int32](1))},
				others:   []*v1alpha1.DebugSession{other("team-b", "inc-1", later, v1alpha1.StateActive, onCluster("prod-cluster-b"))},
				uses:     map[string][]v1alpha1.ObjectReference{"team-b/inc-1": prod},
			},
			want: want{
				state: v1alpha1.StateQueued,
				queue: &Queue{Position: 1, Length: 1, Active: 1, Limit: 1, Binding: &netopsProd, Field: FieldMaxActiveSessionsTotal},
				msg:   "Queued at position 1 of 1: binding team-a/netops-prod allows 1 active session in total (spec.maxActiveSessionsTotal), and 1 is active.",
			},
		},
		"OtherBindingsDoNotCount": {
			reason: "Sessions that apply through another binding, or none, do not count against this binding's caps.",
			args: args{
				self:     session(),
				bindings: []*v1alpha1.DebugSessionClusterBinding{capped(netopsProd, ptr.To[int32](1), ptr.To[int32](1))},
				others: []*v1alpha1.DebugSession{
					other("team-b", "inc-1", earlier, v1alpha1.StateActive, requestedBy("alice@example.com")),
					other("team-b", "inc-2", earlier, v1alpha1.StateActive, requestedBy("alice@example.com")),
				},
				uses: map[string][]v1alpha1.ObjectReference{"team-b/inc-1": {netopsBase}},
			},
			want: want{state: v1alpha1.StateActive},
		},
		"UnreconciledEarlierSessionIsAhead": {
			reason: "An earlier session never reconciled, resolved to the same binding, may start at its first reconcile: it is ahead in line.",
			args: args{
				self:     session(),
				bindings: []*v1alpha1.DebugSessionClusterBinding{capped(netopsProd, nil, ptr.To[int32](1))},
				others:   []*v1alpha1.DebugSession{other("team-b", "inc-1", earlier, "", onCluster("prod-cluster-b"))},
				uses:     map[string][]v1alpha1.ObjectReference{"team-b/inc-1": prod},
			},
			want: want{
				state: v1alpha1.StateQueued,
				queue: &Queue{Position: 1, Length: 1, Active: 0, Limit: 1, Binding: &netopsProd, Field: FieldMaxActiveSessionsTotal},
				msg:   "Queued at position 1 of 1: binding team-a/netops-prod allows 1 active session in total (spec.maxActiveSessionsTotal), and 0 are active.",
			},
		},
		"RecordedBindingWithoutResolver": {
			reason: "Without BindingsOf, another session is known by the binding its status records.",
			args: args{
				self:     session(),
				bindings: []*v1alpha1.DebugSessionClusterBinding{capped(netopsProd, nil, ptr.To[int32](1))},
				others:   []*v1alpha1.DebugSession{other("team-b", "inc-1", later, v1alpha1.StateActive, recordedBinding(netopsProd))},
			},
			want: want{
				state: v1alpha1.StateQueued,
				queue: &Queue{Position: 1, Length: 1, Active: 1, Limit: 1, Binding: &netopsProd, Field: FieldMaxActiveSessionsTotal},
				msg:   "Queued at position 1 of 1: binding team-a/netops-prod allows 1 active session in total (spec.maxActiveSessionsTotal), and 1 is active.",
			},
		},
		"EndedAndDeletedSessionsDoNotCount": {
			reason: "Only running and waiting sessions count; an ended, terminated or deleted one does not.",
			args: args{
				self:     session(),
				bindings: []*v1alpha1.DebugSessionClusterBinding{capped(netopsProd, nil, ptr.To[int32](1))},
				others: []*v1alpha1.DebugSession{
					other("team-b", "expired", earlier, v1alpha1.StateExpired),
					other("team-b", "terminating", earlier, v1alpha1.StateQueued, func(s *v1alpha1.DebugSession) { s.Spec.Terminate = true }),
					other("team-b", "deleting", earlier, v1alpha1.StateActive, func(s *v1alpha1.DebugSession) { s.DeletionTimestamp = ptr.To(metav1.NewTime(now)) }),
				},
				uses: map[string][]v1alpha1.ObjectReference{"team-b/expired": prod, "team-b/terminating": prod, "team-b/deleting": prod},
			},
			want: want{state: v1alpha1.StateActive},
		},
		"RunningSessionKeepsRunning": {
			reason: "A cap lowered below the running sessions never stops one: caps only gate starting.",
			args: args{
				self:     session(active("2026-01-01T08:59:00Z")),
				bindings: []*v1alpha1.DebugSessionClusterBinding{capped(netopsProd, ptr.To[int32](1), ptr.To[int32](1))},
				others: []*v1alpha1.DebugSession{
					other("team-b", "inc-1", earlier, v1alpha1.StateActive, requestedBy("alice@example.com")),
					other("team-b", "inc-2", earlier, v1alpha1.StateActive, requestedBy("alice@example.com")),
				},
				uses: map[string][]v1alpha1.ObjectReference{"team-b/inc-1": prod, "team-b/inc-2": prod},
			},
			want: want{state: v1alpha1.StateActive},
		},
		"TemplateLimitBlocksCapAdmits": {
			reason: "Both the template's limit and the caps must admit: the template's queue blocks, and its message is the template's.",
			args: args{
				self:       session(),
				bindings:   []*v1alpha1.DebugSessionClusterBinding{capped(netopsProd, nil, ptr.To[int32](5))},
				concurrent: ptr.To[int32](1),
				others:     []*v1alpha1.DebugSession{other("team-b", "inc-1", later, v1alpha1.StateActive)},
				uses:       map[string][]v1alpha1.ObjectReference{"team-b/inc-1": prod},
			},
			want: want{
				state: v1alpha1.StateQueued,
				queue: &Queue{Position: 1, Length: 1, Active: 1, Limit: 1},
				msg:   "Queued at position 1 of 1: 1 of 1 allowed sessions of template breakglass-system/netops-debug are active on cluster prod-cluster-a.",
			},
		},
		"FurthestQueueIsReported": {
			reason: "When the template's limit and a cap both block, the session waits where it is furthest back: the cap's, where a session of another cluster is ahead.",
			args: args{
				self:       session(),
				bindings:   []*v1alpha1.DebugSessionClusterBinding{capped(netopsProd, nil, ptr.To[int32](1))},
				concurrent: ptr.To[int32](1),
				others: []*v1alpha1.DebugSession{
					other("team-b", "inc-1", later, v1alpha1.StateActive),
					other("team-b", "inc-2", earlier, v1alpha1.StateQueued, onCluster("prod-cluster-b")),
				},
				uses: map[string][]v1alpha1.ObjectReference{"team-b/inc-1": prod, "team-b/inc-2": prod},
			},
			want: want{
				state: v1alpha1.StateQueued,
				queue: &Queue{Position: 2, Length: 2, Active: 1, Limit: 1, Binding: &netopsProd, Field: FieldMaxActiveSessionsTotal},
				msg:   "Queued at position 2 of 2: binding team-a/netops-prod allows 1 active session in total (spec.maxActiveSessionsTotal), and 1 is active.",
			},
		},
		"EveryBindingOfTheChainCaps": {
			reason: "In an additive chain each binding's cap holds over its own sessions: the lower binding's smaller cap blocks, counting a session that applies through it alone.",
			args: args{
				self: session(),
				bindings: []*v1alpha1.DebugSessionClusterBinding{
					capped(netopsProd, nil, ptr.To[int32](5)),
					capped(netopsBase, nil, ptr.To[int32](1)),
				},
				others: []*v1alpha1.DebugSession{other("team-b", "inc-1", later, v1alpha1.StateActive, onCluster("dev-cluster"))},
				uses:   map[string][]v1alpha1.ObjectReference{"team-b/inc-1": {netopsBase}},
			},
			want: want{
				state: v1alpha1.StateQueued,
				queue: &Queue{Position: 1, Length: 1, Active: 1, Limit: 1, Binding: &netopsBase, Field: FieldMaxActiveSessionsTotal},
				msg:   "Queued at position 1 of 1: binding team-a/netops-base allows 1 active session in total (spec.maxActiveSessionsTotal), and 1 is active.",
			},
		},
		"BrokenCap": {
			reason: "A cap below 1 (admitted before the CRD rule, or rendered offline) is a configuration error naming the binding and field.",
			args: args{
				self:     session(),
				bindings: []*v1alpha1.DebugSessionClusterBinding{capped(netopsProd, ptr.To[int32](0), nil)},
			},
			want: want{err: outcome.Failed("DebugSessionClusterBinding team-a/netops-prod", "spec.maxActiveSessionsPerUser", "0 must be at least 1")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := input(tc.args.self)
			in.Constraints = v1alpha1.Constraints{MaxConcurrentSessions: tc.args.concurrent}
			in.Bindings = tc.args.bindings
			for _, o := range tc.args.others {
				in.Others = append(in.Others, *o)
			}
			if tc.args.uses != nil {
				in.BindingsOf = through(tc.args.uses)
			}
			d, err := Decide(in)
			got := want{state: d.State, queue: d.Queue, err: err}
			if d.State == v1alpha1.StateQueued {
				got.msg = d.Message
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{}), cmpopts.EquateErrors()); diff != "" {
				t.Errorf("%s\nDecide(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestCapsRace reconciles two sessions of one requester, on two clusters,
// created in the same second and each seeing the other as never
// reconciled, as happens when both are created together. Both resolve each
// other to the same binding; exactly one may start, under either cap.
func TestCapsRace(t *testing.T) {
	a := other("team-a", "inc-1", created, "", requestedBy("alice@example.com"))
	b := other("team-b", "inc-0", created, "", requestedBy("ALICE@example.com"), onCluster("prod-cluster-b"))
	uses := through(map[string][]v1alpha1.ObjectReference{"team-a/inc-1": {netopsProd}, "team-b/inc-0": {netopsProd}})
	caps := map[string]*v1alpha1.DebugSessionClusterBinding{
		"PerUser": capped(netopsProd, ptr.To[int32](1), nil),
		"Total":   capped(netopsProd, nil, ptr.To[int32](1)),
	}
	for name, binding := range caps {
		t.Run(name, func(t *testing.T) {
			a, b := a.DeepCopy(), b.DeepCopy()
			decide := func(self, o *v1alpha1.DebugSession) Decision {
				in := input(self)
				in.Bindings = []*v1alpha1.DebugSessionClusterBinding{binding}
				in.Others = []v1alpha1.DebugSession{*o}
				in.BindingsOf = uses
				d, err := Decide(in)
				if err != nil {
					t.Fatalf("Decide(...): %v", err)
				}
				return d
			}
			raceTwice(t, a, b, decide, "Both sessions resolve each other to the binding and decide from the same facts; namespace/name orders the tie, so exactly the first starts.")
		})
	}
}

func TestSameRequester(t *testing.T) {
	cases := map[string]struct {
		reason string
		a, b   string
		want   bool
	}{
		"Same":      {reason: "A name is its own user.", a: "alice@example.com", b: "alice@example.com", want: true},
		"Case":      {reason: "Case does not make another user.", a: "Alice@Example.com", b: "alice@example.com", want: true},
		"Space":     {reason: "Surrounding space does not make another user.", a: " alice@example.com ", b: "alice@example.com", want: true},
		"LookAlike": {reason: "A Cyrillic а is another name, as for approval.", a: "\u0430lice@example.com", b: "alice@example.com", want: false},
		"Other":     {reason: "Another name is another user.", a: "bob@example.com", b: "alice@example.com", want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := sameRequester(tc.a, tc.b); got != tc.want {
				t.Errorf("%s\nsameRequester(%q, %q): want %v, got %v", tc.reason, tc.a, tc.b, tc.want, got)
			}
		})
	}
}

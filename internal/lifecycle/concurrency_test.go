package lifecycle

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// other is another session on prod-cluster-a using the same template.
func other(namespace, name string, at time.Time, state v1alpha1.State, mods ...func(*v1alpha1.DebugSession)) *v1alpha1.DebugSession {
	s := session(func(s *v1alpha1.DebugSession) {
		s.Namespace, s.Name = namespace, name
		s.CreationTimestamp = metav1.NewTime(at)
		s.Spec.RequestedBy = "dave@example.com"
		s.Status.State = state
		if state == v1alpha1.StateActive {
			s.Status.ActivatedAt = at.Format(time.RFC3339)
		}
	})
	for _, m := range mods {
		m(s)
	}
	return s
}

func TestDecideConcurrency(t *testing.T) {
	earlier, later := created.Add(-time.Minute), created.Add(time.Minute)
	type want struct {
		state v1alpha1.State
		queue *Queue
		msg   string
	}
	cases := map[string]struct {
		reason string
		self   *v1alpha1.DebugSession
		others []*v1alpha1.DebugSession
		limit  int32
		want   want
	}{
		"FreeSlotStarts": {
			reason: "With fewer Active sessions than the limit, the session starts.",
			self:   session(),
			others: []*v1alpha1.DebugSession{other("team-b", "inc-1", earlier, v1alpha1.StateActive)},
			limit:  2,
			want:   want{state: v1alpha1.StateActive},
		},
		"FullQueues": {
			reason: "With the limit reached, the session is Queued and first in line.",
			self:   session(),
			others: []*v1alpha1.DebugSession{other("team-b", "inc-1", later, v1alpha1.StateActive)},
			limit:  1,
			want: want{state: v1alpha1.StateQueued, queue: &Queue{Position: 1, Length: 1, Active: 1, Limit: 1},
				msg: "Queued at position 1 of 1: 1 of 1 allowed sessions of template breakglass-system/netops-debug are active on cluster prod-cluster-a."},
		},
		"PositionCountsEarlierWaiters": {
			reason: "Earlier waiting sessions queue ahead, later ones behind: position 2 of 3.",
			self:   session(),
			others: []*v1alpha1.DebugSession{
				other("team-b", "inc-1", earlier, v1alpha1.StateActive),
				other("team-b", "inc-2", earlier, v1alpha1.StateQueued),
				other("team-c", "inc-3", later, v1alpha1.StateQueued),
			},
			limit: 1,
			want: want{state: v1alpha1.StateQueued, queue: &Queue{Position: 2, Length: 3, Active: 1, Limit: 1},
				msg: "Queued at position 2 of 3: 1 of 1 allowed sessions of template breakglass-system/netops-debug are active on cluster prod-cluster-a."},
		},
		"EarlierWaiterTakesTheFreeSlot": {
			reason: "A free slot goes to the earliest waiting session, not to whoever reconciles first.",
			self:   session(),
			others: []*v1alpha1.DebugSession{
				other("team-b", "inc-1", earlier, v1alpha1.StateActive),
				other("team-b", "inc-2", earlier, v1alpha1.StateQueued),
			},
			limit: 2,
			want:  want{state: v1alpha1.StateQueued, queue: &Queue{Position: 1, Length: 1, Active: 1, Limit: 2}, msg: "Queued at position 1 of 1: 1 of 2 allowed sessions of template breakglass-system/netops-debug are active on cluster prod-cluster-a."},
		},
		"UnreconciledEarlierSessionWaits": {
			reason: "An earlier session that has no state yet counts as waiting: it may start at its first reconcile.",
			self:   session(),
			others: []*v1alpha1.DebugSession{other("team-b", "inc-1", earlier, "")},
			limit:  1,
			want:   want{state: v1alpha1.StateQueued, queue: &Queue{Position: 1, Length: 1, Active: 0, Limit: 1}, msg: "Queued at position 1 of 1: 0 of 1 allowed sessions of template breakglass-system/netops-debug are active on cluster prod-cluster-a."},
		},
		"PendingApprovalDoesNotBlock": {
			reason: "An earlier session still waiting for approval does not hold up sessions that could run.",
			self:   session(),
			others: []*v1alpha1.DebugSession{other("team-b", "inc-1", earlier, v1alpha1.StatePendingApproval)},
			limit:  1,
			want:   want{state: v1alpha1.StateActive},
		},
		"ApprovedButNotYetStartedBlocks": {
			reason: "An earlier session that was just approved may start at its next reconcile, so it is ahead in line.",
			self:   session(),
			others: []*v1alpha1.DebugSession{other("team-b", "inc-1", earlier, v1alpha1.StatePendingApproval, approvedBy("bob@example.com"))},
			limit:  1,
			want:   want{state: v1alpha1.StateQueued, queue: &Queue{Position: 1, Length: 1, Active: 0, Limit: 1}, msg: "Queued at position 1 of 1: 0 of 1 allowed sessions of template breakglass-system/netops-debug are active on cluster prod-cluster-a."},
		},
		"PreparingSessionHoldsASlot": {
			reason: "A Pending session with an activation time has started and holds its slot.",
			self:   session(),
			others: []*v1alpha1.DebugSession{other("team-b", "inc-1", later, v1alpha1.StatePending, func(s *v1alpha1.DebugSession) { s.Status.ActivatedAt = "2026-01-01T08:58:00Z" })},
			limit:  1,
			want:   want{state: v1alpha1.StateQueued, queue: &Queue{Position: 1, Length: 1, Active: 1, Limit: 1}, msg: "Queued at position 1 of 1: 1 of 1 allowed sessions of template breakglass-system/netops-debug are active on cluster prod-cluster-a."},
		},
		"IgnoresOtherTemplatesClustersAndEndedSessions": {
			reason: "Only Active and waiting sessions of the same template on the same cluster count, and only earlier waiting ones are ahead.",
			self:   session(),
			others: []*v1alpha1.DebugSession{
				other("team-b", "other-template", earlier, v1alpha1.StateActive, func(s *v1alpha1.DebugSession) { s.Spec.TemplateRef.Name = "db-debug" }),
				other("team-b", "other-namespace", earlier, v1alpha1.StateActive, func(s *v1alpha1.DebugSession) { s.Spec.TemplateRef.Namespace = "team-b" }),
				other("team-b", "other-cluster", earlier, v1alpha1.StateActive, func(s *v1alpha1.DebugSession) { s.Spec.Cluster = "prod-cluster-b" }),
				other("team-b", "expired", earlier, v1alpha1.StateExpired),
				other("team-b", "deleting", earlier, v1alpha1.StateActive, func(s *v1alpha1.DebugSession) { s.DeletionTimestamp = ptr.To(metav1.NewTime(now)) }),
				other("team-b", "terminating", earlier, v1alpha1.StateQueued, func(s *v1alpha1.DebugSession) { s.Spec.Terminate = true }),
				other("team-b", "explicit-namespace", later, v1alpha1.StateQueued, func(s *v1alpha1.DebugSession) { s.Spec.TemplateRef.Namespace = "breakglass-system" }),
			},
			limit: 1,
			want:  want{state: v1alpha1.StateActive},
		},
		"ActiveSessionIsNeverDisplaced": {
			reason: "A session that has started keeps running even when more sessions are Active than the limit allows.",
			self:   session(active("2026-01-01T08:59:00Z")),
			others: []*v1alpha1.DebugSession{
				other("team-b", "inc-1", earlier, v1alpha1.StateActive),
				other("team-b", "inc-2", earlier, v1alpha1.StateActive),
			},
			limit: 1,
			want:  want{state: v1alpha1.StateActive},
		},
		"OverfullPositionsStartAtOne": {
			reason: "With more Active sessions than the limit, the first waiting session is still position 1.",
			self:   session(),
			others: []*v1alpha1.DebugSession{
				other("team-b", "inc-1", earlier, v1alpha1.StateActive),
				other("team-b", "inc-2", earlier, v1alpha1.StateActive),
			},
			limit: 1,
			want:  want{state: v1alpha1.StateQueued, queue: &Queue{Position: 1, Length: 1, Active: 2, Limit: 1}, msg: "Queued at position 1 of 1: 2 of 1 allowed sessions of template breakglass-system/netops-debug are active on cluster prod-cluster-a."},
		},
		"SelfInOthersIsSkipped": {
			reason: "The session itself is never counted against itself.",
			self:   session(),
			others: []*v1alpha1.DebugSession{other("team-a", "inc-1234", earlier, v1alpha1.StateQueued)},
			limit:  1,
			want:   want{state: v1alpha1.StateActive},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := input(tc.self)
			in.Constraints = v1alpha1.Constraints{MaxConcurrentSessions: &tc.limit}
			for _, o := range tc.others {
				in.Others = append(in.Others, *o)
			}
			d, err := Decide(in)
			if err != nil {
				t.Fatalf("Decide(...): %v", err)
			}
			got := want{state: d.State, queue: d.Queue}
			if d.State == v1alpha1.StateQueued {
				got.msg = d.Message
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nDecide(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestSameSecondRace reconciles two sessions created in the same second at
// the same time, each seeing the other as not yet reconciled, as happens when
// both are created together. Exactly one may start.
func TestSameSecondRace(t *testing.T) {
	at := created
	a := other("team-a", "inc-1", at, "")
	b := other("team-b", "inc-0", at, "")
	decide := func(self, o *v1alpha1.DebugSession) Decision {
		in := input(self)
		in.Constraints = v1alpha1.Constraints{MaxConcurrentSessions: ptr.To[int32](1)}
		in.Others = []v1alpha1.DebugSession{*o}
		d, err := Decide(in)
		if err != nil {
			t.Fatalf("Decide(...): %v", err)
		}
		return d
	}
	raceTwice(t, a, b, decide, "Two sessions created in the same second tie on creationTimestamp; namespace/name orders them, so exactly the first starts.")
}

// raceTwice decides sessions a (team-a/inc-1) and b (team-b/inc-0) as if
// reconciled at once, each seeing the other as it was: exactly a, first by
// namespace/name, starts. Then it decides them again, after each saw the
// other's first decision: nothing changes, the started one keeps its slot
// and the other waits. why says why a starts.
func raceTwice(t *testing.T, a, b *v1alpha1.DebugSession, decide func(self, o *v1alpha1.DebugSession) Decision, why string) {
	t.Helper()
	want := map[string]v1alpha1.State{"team-a/inc-1": v1alpha1.StateActive, "team-b/inc-0": v1alpha1.StateQueued}
	da, db := decide(a, b), decide(b, a)
	got := map[string]v1alpha1.State{"team-a/inc-1": da.State, "team-b/inc-0": db.State}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s\n-want, +got:\n%s", why, diff)
	}
	da.Apply(&a.Status)
	db.Apply(&b.Status)
	da, db = decide(a, b), decide(b, a)
	got = map[string]v1alpha1.State{"team-a/inc-1": da.State, "team-b/inc-0": db.State}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("The order is stable across reconciles.\n-want, +got:\n%s", diff)
	}
}

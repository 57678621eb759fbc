package access

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

func TestSessionMembers(t *testing.T) {
	type args struct {
		requester    string
		participants *v1alpha1.Participants
	}
	type want struct {
		members Members
		err     error
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"RequesterOnly": {
			reason: "Without participants the requester is the only member.",
			args:   args{requester: "alice@example.com"},
			want:   want{members: Members{Users: []string{"alice@example.com"}}},
		},
		"SortedWithoutDuplicates": {
			reason: "Users and groups are sorted and deduplicated, the requester among the users, so the objects are stable.",
			args: args{requester: "carol@example.com", participants: &v1alpha1.Participants{
				Users:  []string{"bob@example.com", "carol@example.com", "alice@example.com", "bob@example.com"},
				Groups: []string{"sre", "net", "sre"},
			}},
			want: want{members: Members{Users: []string{"alice@example.com", "bob@example.com", "carol@example.com"}, Groups: []string{"net", "sre"}}},
		},
		"NoRequester": {
			reason: "A session without a requester has nobody to grant anything to.",
			want:   want{err: errorf("DebugSession team-a/inc spec.requestedBy: required")},
		},
		"EmptyUser": {
			reason: "An empty participant is a mistake, named by its index.",
			args:   args{requester: "alice", participants: &v1alpha1.Participants{Users: []string{"bob", " "}}},
			want:   want{err: errorf("DebugSession team-a/inc spec.participants.users[1]: must not be empty")},
		},
		"EveryoneGroup": {
			reason: "A group that holds every user would give the pods to all of them.",
			args:   args{requester: "alice", participants: &v1alpha1.Participants{Groups: []string{"sre", "system:authenticated"}}},
			want:   want{err: errorf("DebugSession team-a/inc spec.participants.groups[1]: system:authenticated holds every user of its kind; name the users or a narrower group")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := SessionMembers("team-a/inc", tc.args.requester, tc.args.participants)
			if diff := cmp.Diff(tc.want.members, got); diff != "" {
				t.Errorf("%s\nSessionMembers(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.err, err, equateErrorMessages()); diff != "" {
				t.Errorf("%s\nSessionMembers(...): -want error, +got error:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestParticipantsStatus(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     *v1alpha1.Participants
		want   *v1alpha1.Participants
	}{
		"Nil":   {reason: "No participants show as none.", want: nil},
		"Empty": {reason: "Empty lists show as none.", in: &v1alpha1.Participants{}, want: nil},
		"Sorted": {
			reason: "Participants show sorted and without duplicates.",
			in:     &v1alpha1.Participants{Users: []string{"b", "a", "b"}, Groups: []string{"g"}},
			want:   &v1alpha1.Participants{Users: []string{"a", "b"}, Groups: []string{"g"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, ParticipantsStatus(tc.in)); diff != "" {
				t.Errorf("%s\nParticipantsStatus(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// equateErrorMessages compares errors by message: this package returns
// plain errors whose message is the whole contract (object and field).
func equateErrorMessages() cmp.Option {
	return cmp.Comparer(func(a, b error) bool {
		if a == nil || b == nil {
			return a == nil && b == nil
		}
		return a.Error() == b.Error()
	})
}

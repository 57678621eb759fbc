package access

import (
	"slices"
	"strings"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// everyone are groups that hold every user, every unauthenticated caller or
// every service account of the cluster. Naming one as participant group
// would hand a session's pods to all of them; the approver sees the
// participants, but a slip here is too costly to rely on that.
var everyone = []string{"system:authenticated", "system:serviceaccounts", "system:unauthenticated"}

// Members are the identities that may use a session's pods: the requester
// and the participants, as the RoleBinding's subjects and the policy's
// CEL see them.
type Members struct {
	// Users, sorted and without duplicates; the requester is one of them.
	Users []string
	// Groups, sorted and without duplicates.
	Groups []string
}

// SessionMembers returns the requester and participants of a session. It
// refuses empty names and groups that hold everyone, naming the field.
func SessionMembers(session, requester string, p *v1alpha1.Participants) (Members, error) {
	if requester == "" {
		return Members{}, errorf("DebugSession %s spec.requestedBy: required", session)
	}
	m := Members{Users: []string{requester}}
	if p == nil {
		return m, nil
	}
	for i, u := range p.Users {
		if strings.TrimSpace(u) == "" {
			return Members{}, errorf("DebugSession %s spec.participants.users[%d]: must not be empty", session, i)
		}
		m.Users = append(m.Users, u)
	}
	for i, g := range p.Groups {
		switch {
		case strings.TrimSpace(g) == "":
			return Members{}, errorf("DebugSession %s spec.participants.groups[%d]: must not be empty", session, i)
		case slices.Contains(everyone, g):
			return Members{}, errorf("DebugSession %s spec.participants.groups[%d]: %s holds every user of its kind; name the users or a narrower group", session, i, g)
		}
		m.Groups = append(m.Groups, g)
	}
	slices.Sort(m.Users)
	slices.Sort(m.Groups)
	m.Users = slices.Compact(m.Users)
	m.Groups = slices.Compact(m.Groups)
	return m, nil
}

// ParticipantsStatus returns the participants as the session status shows them: sorted,
// without duplicates, nil when there are none.
func ParticipantsStatus(p *v1alpha1.Participants) *v1alpha1.Participants {
	if p == nil || len(p.Users)+len(p.Groups) == 0 {
		return nil
	}
	out := &v1alpha1.Participants{Users: slices.Clone(p.Users), Groups: slices.Clone(p.Groups)}
	slices.Sort(out.Users)
	slices.Sort(out.Groups)
	out.Users = slices.Compact(out.Users)
	out.Groups = slices.Compact(out.Groups)
	return out
}

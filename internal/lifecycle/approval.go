package lifecycle

import (
	"fmt"
	"sort"
	"strings"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/glob"
)

// approval is what the approval rules say about a session.
type approval struct {
	// required is true when the session may not start without an approval.
	required bool
	// because says why approval is required, as a sentence fragment.
	because string
	// nobody is true when approval is required but no one other than the
	// requester could give it.
	nobody bool
	// approvedBy is set when an approval that counts was given.
	approvedBy string
	// rejectedBy is set when a rejection that counts was given.
	rejectedBy, rejectReason string
	// ignored says why the session's approval did not count, when it did not.
	ignored  string
	groups   []string
	users    []string
	warnings []string
}

// decideApproval applies the approval rules. forcedBy names the enabled
// auxiliary resources that require approval.
func decideApproval(s *v1alpha1.DebugSession, a *v1alpha1.Approvers, forcedBy []string) approval {
	if a == nil {
		a = &v1alpha1.Approvers{}
	}
	out := approval{groups: sortedSet(a.Groups), users: sortedSet(a.Users)}
	requester := strings.TrimSpace(s.Spec.RequestedBy)

	switch {
	case len(forcedBy) > 0:
		// Auto-approval never applies here: the resource's owner asked for a
		// human to look at every session that uses it.
		out.required = true
		names := sortedSet(forcedBy)
		out.because = fmt.Sprintf("auxiliary %s %s %s approval", plural0(len(names), "resource", "resources"), strings.Join(names, ", "), plural0(len(names), "requires", "require"))
	case len(out.groups)+len(out.users) > 0:
		auto, w := autoApproved(s, a.AutoApproveFor)
		out.warnings = append(out.warnings, w...)
		if !auto {
			out.required = true
			out.because = "approvers are configured and the requester is not approved automatically"
		}
	}
	out.nobody = out.required && !anyoneBut(requester, out.groups, out.users)

	ap := s.Spec.Approval
	if ap == nil {
		return out
	}
	by := strings.TrimSpace(ap.ApprovedBy)
	// An approval that would change nothing is not worth a warning: an
	// Approved stamp on a session that needs no approval is harmless.
	matters := out.required || ap.Decision == v1alpha1.ApprovalRejected
	why, w := approverProblem(requester, ap, out.groups, out.users)
	out.warnings = append(out.warnings, w...)
	switch {
	case why != "" && matters:
		out.ignored = fmt.Sprintf("The %s by %q was ignored: %s.", decisionNoun(ap.Decision), by, why)
	case why != "":
	case ap.Decision == v1alpha1.ApprovalRejected:
		out.rejectedBy, out.rejectReason = by, strings.TrimSpace(ap.Reason)
	case ap.Decision == v1alpha1.ApprovalApproved:
		out.approvedBy = by
	case matters:
		out.ignored = fmt.Sprintf("The approval by %q was ignored: decision %q is neither Approved nor Rejected.", by, ap.Decision)
	}
	if out.ignored != "" {
		out.warnings = append(out.warnings, out.ignored)
	}
	return out
}

// approverProblem says why an approval does not count, or "" when it does.
// It never counts when given by the requester, whatever groups they claim:
// four eyes means two people.
func approverProblem(requester string, ap *v1alpha1.Approval, groups, users []string) (string, []string) {
	by := strings.TrimSpace(ap.ApprovedBy)
	switch {
	case by == "":
		return "it names no approver", nil
	case sameRequester(by, requester):
		return "the requester cannot approve their own session", nil
	}
	var warnings []string
	for _, u := range users {
		ok, err := glob.MatchFold(u, by)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("Approver user pattern %q is invalid and matches nobody: %v.", u, err))
			continue
		}
		if ok {
			return "", warnings
		}
	}
	for _, g := range ap.ApproverGroups {
		for _, p := range groups {
			ok, err := glob.Match(p, g)
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("Approver group pattern %q is invalid and matches nothing: %v.", p, err))
				continue
			}
			if ok {
				return "", warnings
			}
		}
	}
	return "neither the user nor any of their groups is an approver of this session", sortedSet(warnings)
}

// autoApproved reports whether the requester needs no approval: a requester
// group listed exactly, or a cluster matching a pattern.
func autoApproved(s *v1alpha1.DebugSession, auto *v1alpha1.AutoApproveFor) (bool, []string) {
	if auto == nil {
		return false, nil
	}
	for _, g := range auto.Groups {
		for _, rg := range s.Spec.RequesterGroups {
			if g == rg {
				return true, nil
			}
		}
	}
	var warnings []string
	for _, p := range auto.Clusters {
		ok, err := glob.Match(p, s.Spec.Cluster)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("Auto-approve cluster pattern %q is invalid and matches nothing: %v.", p, err))
			continue
		}
		if ok {
			return true, warnings
		}
	}
	return false, warnings
}

// anyoneBut reports whether someone other than the requester could approve.
// A group or a user pattern might always contain someone else; only a list of
// plain users that all name the requester cannot.
func anyoneBut(requester string, groups, users []string) bool {
	if len(groups) > 0 {
		return true
	}
	for _, u := range users {
		if glob.HasMeta(u) || !sameRequester(u, requester) {
			return true
		}
	}
	return false
}

// status is the approval block of the session status.
func (a approval) status() *v1alpha1.ApprovalStatus {
	return &v1alpha1.ApprovalStatus{Required: a.required, ApproverGroups: a.groups, ApproverUsers: a.users, ApprovedBy: a.approvedBy}
}

// who names the approvers in plain words: "group a or user b".
func (a approval) who() string {
	var parts []string
	if len(a.groups) > 0 {
		parts = append(parts, plural0(len(a.groups), "group", "groups")+" "+strings.Join(a.groups, ", "))
	}
	if len(a.users) > 0 {
		parts = append(parts, plural0(len(a.users), "user", "users")+" "+strings.Join(a.users, ", "))
	}
	return strings.Join(parts, " or ")
}

func decisionNoun(d v1alpha1.ApprovalDecision) string {
	if d == v1alpha1.ApprovalRejected {
		return "rejection"
	}
	return "approval"
}

// sortedSet returns the non-empty entries of s, sorted and without
// duplicates, so that messages and status do not depend on input order.
func sortedSet(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		v = strings.TrimSpace(v)
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

func plural0(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

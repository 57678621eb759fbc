package main

import "time"

// timeCases are hostile durations, renewals and tampered status fields.
func timeCases() map[string]hostileCase {
	constrained := templateSpec("constraints", map[string]any{"maxDuration": "4h", "maxRenewals": 2})
	return map[string]hostileCase{
		"HugeDuration": {
			reason: "A duration of 99999999h exceeds any maximum and is refused.",
			args:   hostile(sessionSpec("duration", "99999999h")),
			want:   hostileWant{state: "Failed", message: "invalid DebugSession team-a/inc-1234: spec.duration: Invalid value: \"99999999h\": must be a duration such as 1h or 30m"},
		},
		"DurationPastInt64": {
			reason: "A duration too large for Go's time.Duration is refused, not wrapped around.",
			args:   hostile(sessionSpec("duration", "9999999999999h")),
			want:   hostileWant{state: "Failed", message: "invalid DebugSession team-a/inc-1234: spec.duration: Invalid value: \"9999999999999h\": must be a duration such as 1h or 30m"},
		},
		"NegativeDuration": {
			reason: "A negative duration is refused.",
			args:   hostile(sessionSpec("duration", "-1h")),
			want:   hostileWant{state: "Failed", message: "invalid DebugSession team-a/inc-1234: spec.duration: Invalid value: \"-1h\": must be positive"},
		},
		"ZeroDuration": {
			reason: "A zero duration is refused rather than giving a session that expires as it starts.",
			args:   hostile(sessionSpec("duration", "0s")),
			want:   hostileWant{state: "Failed", message: "invalid DebugSession team-a/inc-1234: spec.duration: Invalid value: \"0s\": must be positive"},
		},
		"NegativeMaxDuration": {
			reason: "A template whose maximum duration is negative is broken; the session fails, naming the field.",
			args:   hostile(templateSpec("constraints", map[string]any{"maxDuration": "-1h"})),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug spec.constraints.maxDuration: \"-1h\" must be positive"},
		},
		"RenewalsPastTheLimit": {
			reason: "Renewals beyond maxRenewals are refused with a message; the session runs with the renewals it may have.",
			args: hostile(constrained, sessionSpec("renewals", 99), sessionSpec("duration", "1h"),
				sessionStatus(map[string]any{"state": "Active", "activatedAt": now.Add(-10 * time.Minute).Format(time.RFC3339)})),
			want: hostileWant{state: "Active", message: "Active on cluster prod-cluster-a for 3h; 2 of 2 renewals used. Renewal refused: at most 2 renewals are allowed (99 requested, 2 granted)."},
		},
		"RenewalsAfterBindingExpired": {
			reason: "A session Active through a binding that has expired keeps it and its granted renewals, but gets no new renewal from it.",
			args: hostile(binding("contractor", map[string]any{
				"clusters": []any{"prod-*"}, "allowed": map[string]any{"groups": []any{"sre-oncall"}},
				"expiresAt": now.Add(-5 * time.Minute).Format(time.RFC3339),
			}), sessionSpec("renewals", 3), sessionStatus(map[string]any{
				"state": "Active", "activatedAt": now.Add(-10 * time.Minute).Format(time.RFC3339), "renewalsUsed": 1,
				"binding": map[string]any{"namespace": "breakglass-system", "name": "contractor"},
			})),
			want: hostileWant{state: "Active", message: "Active on cluster prod-cluster-a for 2h; 1 of 3 renewals used. Renewal refused: DebugSessionClusterBinding breakglass-system/contractor spec.expiresAt passed at 2026-01-01T08:55:00Z; the session keeps the time it has."},
		},
		"NegativeRenewals": {
			reason: "A negative renewal count is refused by the session's own validation.",
			args:   hostile(sessionSpec("renewals", -1)),
			want:   hostileWant{state: "Failed", message: "invalid DebugSession team-a/inc-1234: spec.renewals: Invalid value: -1: must not be negative"},
		},
		"ActivatedInTheFuture": {
			reason: "An activatedAt an hour ahead is not believed: the session's time counts from now.",
			args:   hostile(sessionStatus(map[string]any{"state": "Active", "activatedAt": now.Add(time.Hour).Format(time.RFC3339)})),
			want:   hostileWant{state: "Active", message: "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."},
		},
		"ExpiresYearsAway": {
			reason: "An expiresAt years away is recomputed from the activation and the duration, never read.",
			args: hostile(sessionStatus(map[string]any{
				"state": "Active", "activatedAt": now.Add(-30 * time.Minute).Format(time.RFC3339), "expiresAt": "2036-01-01T00:00:00Z",
			})),
			want: hostileWant{state: "Active", message: "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."},
		},
		"RenewalsUsedNegative": {
			reason: "A negative renewalsUsed in the status gives no extra time.",
			args: hostile(constrained, sessionStatus(map[string]any{
				"state": "Active", "activatedAt": now.Add(-30 * time.Minute).Format(time.RFC3339), "renewalsUsed": -5,
			})),
			want: hostileWant{state: "Active", message: "Active on cluster prod-cluster-a for 1h; 0 of 2 renewals used."},
		},
		"ActivatedAfterTheLatestEnd": {
			reason: "A session created two days ago and recorded as activated five minutes ago ended at the latest end allowed since its creation: never a negative duration or an expiry before the activation.",
			args: hostile(func(s *scenario) {
				s.session["metadata"].(map[string]any)["creationTimestamp"] = now.Add(-48 * time.Hour).Format(time.RFC3339)
			}, sessionStatus(map[string]any{"state": "Active", "activatedAt": now.Add(-5 * time.Minute).Format(time.RFC3339)})),
			want: hostileWant{state: "Expired", message: "The session expired after 0s; its debug resources are removed."},
		},
		"ExpiredNeverRunsAgain": {
			reason: "An Expired session stays Expired whatever else the status or spec says.",
			args:   hostile(sessionSpec("renewals", 3), sessionStatus(map[string]any{"state": "Expired", "message": "The session expired after 1h; its debug resources are removed."})),
			want:   hostileWant{state: "Expired", message: "The session expired after 1h; its debug resources are removed."},
		},
	}
}

package main

// identityCases are look-alike identities, self-approval under another
// spelling, broken globs and selectors, and nodeSelectors that fight the
// mandatory ones.
func identityCases() map[string]hostileCase {
	userOnly := templateSpec("allowed", map[string]any{"clusters": []any{"prod-*"}, "users": []any{"alice@example.com"}})
	return map[string]hostileCase{
		"RequesterInCapitals": {
			reason: "A user entry without metacharacters matches case-insensitively, as e-mail addresses do.",
			args:   hostile(userOnly, sessionSpec("requestedBy", "ALICE@Example.com"), sessionSpec("requesterGroups", []any{})),
			want:   hostileWant{state: "Active", message: "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."},
		},
		"RequesterWithTrailingSpace": {
			reason: "A requester with a trailing space is another name; it is not admitted.",
			args:   hostile(userOnly, sessionSpec("requestedBy", "alice@example.com "), sessionSpec("requesterGroups", []any{})),
			want:   hostileWant{state: "Denied", message: "DebugSessionTemplate breakglass-system/netops-debug spec.allowed: template netops-debug does not admit alice@example.com  on cluster prod-cluster-a"},
		},
		"RequesterWithCyrillicA": {
			reason: "A requester spelled with a Cyrillic а is another name; it is not admitted.",
			args:   hostile(userOnly, sessionSpec("requestedBy", "\u0430lice@example.com"), sessionSpec("requesterGroups", []any{})),
			want:   hostileWant{state: "Denied", message: "DebugSessionTemplate breakglass-system/netops-debug spec.allowed: template netops-debug does not admit аlice@example.com on cluster prod-cluster-a"},
		},
		"GroupInCapitals": {
			reason: "Groups match exactly: SRE-ONCALL is not sre-oncall.",
			args:   hostile(sessionSpec("requesterGroups", []any{"SRE-ONCALL"})),
			want:   hostileWant{state: "Denied", message: "DebugSessionTemplate breakglass-system/netops-debug spec.allowed: template netops-debug does not admit alice@example.com on cluster prod-cluster-a"},
		},
		"SelfApprovalInCapitals": {
			reason: "An approval by the requester's own name in capitals is the requester's and does not count.",
			args:   hostile(approvers, approval("ALICE@EXAMPLE.COM")),
			want:   hostileWant{state: "PendingApproval", message: "Waiting for approval by group security-team or user bob@example.com, because approvers are configured and the requester is not approved automatically. Without approval within 24h the session fails. The approval by \"ALICE@EXAMPLE.COM\" was ignored: the requester cannot approve their own session."},
		},
		"SelfApprovalWithSpace": {
			reason: "An approval by the requester's name with a trailing space is ignored, not counted.",
			args:   hostile(approvers, approval("alice@example.com ")),
			want:   hostileWant{state: "PendingApproval", message: "Waiting for approval by group security-team or user bob@example.com, because approvers are configured and the requester is not approved automatically. Without approval within 24h the session fails. The approval by \"alice@example.com\" was ignored: the requester cannot approve their own session."},
		},
		"SelfApprovalWithFullwidthAt": {
			reason: "An approval by a unicode look-alike of an approver is not an approver's.",
			args:   hostile(approvers, approval("bob\uff20example.com")),
			want:   hostileWant{state: "PendingApproval", message: "Waiting for approval by group security-team or user bob@example.com, because approvers are configured and the requester is not approved automatically. Without approval within 24h the session fails. The approval by \"bob＠example.com\" was ignored: neither the user nor any of their groups is an approver of this session."},
		},
		"ApprovalByApprover": {
			reason: "The control case: an approval by an approver activates the session.",
			args:   hostile(approvers, approval("bob@example.com")),
			want:   hostileWant{state: "Active", message: "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."},
		},
		"MalformedTemplateClusterGlob": {
			reason: "A malformed cluster glob in the template matches nothing; with no binding the session is denied.",
			args:   hostile(templateSpec("allowed", map[string]any{"clusters": []any{"prod-["}, "groups": []any{"sre-oncall"}})),
			want:   hostileWant{state: "Denied", message: "DebugSessionTemplate breakglass-system/netops-debug spec.allowed.clusters: template netops-debug does not allow cluster prod-cluster-a and no binding applies to it"},
		},
		"MalformedBindingGlob": {
			reason: "A binding whose only cluster glob is malformed matches nothing, and the template applies alone.",
			args:   hostile(binding("broken", map[string]any{"clusters": []any{"[prod"}, "allowed": map[string]any{"users": []any{"*"}}})),
			want:   hostileWant{state: "Active", message: "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."},
		},
		"MalformedClusterSelector": {
			reason: "A binding with a malformed selector matches nothing, whatever it would allow.",
			args: hostile(binding("broken", map[string]any{
				"clusterSelector": map[string]any{"matchExpressions": []any{map[string]any{"key": "env", "operator": "Bogus"}}},
				"allowed":         map[string]any{"users": []any{"*"}},
			})),
			want: hostileWant{state: "Active", message: "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."},
		},
		"MalformedTemplateSelector": {
			reason: "A binding whose templateSelector does not parse binds no template, never every template: its allowlist, which would deny Alice, plays no part.",
			args: hostile(binding("broken", map[string]any{
				"templateRef":      nil,
				"templateSelector": map[string]any{"matchExpressions": []any{map[string]any{"key": "tier", "operator": "Bogus"}}},
				"clusters":         []any{"*"}, "allowed": map[string]any{"users": []any{"mallory@example.com"}},
			})),
			want: hostileWant{state: "Active", message: "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."},
		},
		"EmptyTemplateSelector": {
			reason: "An empty templateSelector, admitted before the CRD rule, binds no template.",
			args: hostile(binding("everything", map[string]any{
				"templateRef": nil, "templateSelector": map[string]any{},
				"clusters": []any{"*"}, "allowed": map[string]any{"users": []any{"mallory@example.com"}},
			})),
			want: hostileWant{state: "Active", message: "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."},
		},
		"TemplateRefAndSelector": {
			reason: "A binding with both templateRef and templateSelector binds no template, not even the one it names.",
			args: hostile(binding("both", map[string]any{
				"templateSelector": map[string]any{"matchLabels": map[string]any{"tier": "network"}},
				"clusters":         []any{"*"}, "allowed": map[string]any{"users": []any{"mallory@example.com"}},
			})),
			want: hostileWant{state: "Active", message: "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."},
		},
		"BindingForMissingTemplate": {
			reason: "A binding that refers to a template that does not exist is not a candidate for this one.",
			args:   hostile(binding("orphan", map[string]any{"templateRef": map[string]any{"name": "gone"}, "clusters": []any{"*"}, "allowed": map[string]any{"users": []any{"*"}}})),
			want:   hostileWant{state: "Active", message: "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."},
		},
		"UserNodeSelectorNotAllowed": {
			reason: "A user nodeSelector without allowUserNodeSelector is denied, naming the field.",
			args:   hostile(sessionSpec("nodeSelector", map[string]any{"zone": "b"})),
			want:   hostileWant{state: "Denied", message: "DebugSession team-a/inc-1234 spec.nodeSelector: the binding does not allow a user nodeSelector (allowUserNodeSelector is not true); remove it to request this session"},
		},
		"UserNodeSelectorFightsMandatory": {
			reason: "A user nodeSelector that sets a mandatory key to another value is denied.",
			args: hostile(binding("zoned", map[string]any{
				"clusters": []any{"prod-*"}, "allowed": map[string]any{"groups": []any{"sre-oncall"}}, "allowUserNodeSelector": true,
				"schedulingConstraints": map[string]any{"nodeSelector": map[string]any{"zone": "a"}},
			}), sessionSpec("nodeSelector", map[string]any{"zone": "b"})),
			want: hostileWant{state: "Denied", message: "DebugSession team-a/inc-1234 spec.nodeSelector[zone]: asks for \"b\" but the mandatory scheduling constraints require zone=a"},
		},
	}
}

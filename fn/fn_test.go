package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/k8s-breakglass/function-debug-session/internal/lifecycle"
)

func TestRunFunction(t *testing.T) {
	firstRound := []string{"bindings-breakglass-system", "cluster-config", "template"}
	secondRound := []string{"bindings-breakglass-system", "cluster-config", "pod-template", "template"}
	cappedRound := []string{"bindings-breakglass-system", "cluster-config", "cluster-configs", "pod-template", "sessions", "template"}
	answered := map[string]*fnv1.Resources{
		"template":                   items(template()),
		"cluster-config":             items(),
		"bindings-breakglass-system": items(),
		"pod-template":               items(podTemplate()),
	}
	workload := map[string]*fnv1.Resource{"workload": {Resource: st(map[string]any{"apiVersion": "kubernetes.m.crossplane.io/v1alpha1", "kind": "Object"})}}
	const (
		activeMessage      = "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."
		invalidSession     = "invalid DebugSession team-a/inc-1234: spec.cluster: Required value: the session must name a cluster"
		nodeSelectorDenied = "DebugSession team-a/inc-1234 spec.nodeSelector: the binding does not allow a user nodeSelector (allowUserNodeSelector is not true); remove it to request this session"
		settlingMessage    = "Waiting for the session's admission policies before the debug pods start. " + activeMessage
		defaultAccess      = `{"allowedPodOperations":{"attach":true,"exec":true,"logs":false,"portForward":true}}`
		grantsMessage      = "Waiting for pod-access-role, pod-access-rolebinding before the debug pods start. " + activeMessage
		brokenConstraint   = `DebugSessionTemplate breakglass-system/netops-debug spec.constraints.maxDuration: "2 hours" is not a duration such as 1h or 30m`
		cappedMessage      = "Queued at position 1 of 1: binding breakglass-system/netops-prod allows 1 active session per user (spec.maxActiveSessionsPerUser), and alice@example.com has 0 active."
		pendingMessage     = "Waiting for approval by group security-team, because approvers are configured and the requester is not approved automatically. Without approval within 24h the session fails."
	)
	// An Active session called again: the answer holds no event, and its
	// TTL is the input's unless Crossplane throttles the session.
	activeAgain := want{
		access:       defaultAccess,
		requirements: secondRound,
		state:        "Active",
		message:      activeMessage,
		composed:     slices.Concat(podAccessGrants, podAccessPolicies, []string{"workload"}),
		ttl:          time.Minute,
	}
	throttled := activeAgain
	throttled.ttl = lifecycle.ThrottledTTL

	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"FirstCallAsksForTheFirstRound": {
			reason: "Without required resources the function only asks for them and decides nothing.",
			args:   args{xr: xr("prod-cluster-a")},
			want:   want{requirements: firstRound},
		},
		"SecondRoundOnceTheTemplateIsKnown": {
			reason: "Once the template arrives, its pod template is asked for too.",
			args: args{xr: xr("prod-cluster-a"), required: map[string]*fnv1.Resources{
				"template": items(template()), "cluster-config": items(), "bindings-breakglass-system": items(),
			}},
			want: want{requirements: secondRound},
		},
		"BindingCapAsksForEverySession": {
			reason: "A binding that caps its sessions counts them on every cluster: every session and every cluster config are asked for before anything is decided.",
			args:   args{xr: xr("prod-cluster-a"), required: capAnswers(answered, nil)},
			want:   want{requirements: cappedRound},
		},
		"BindingCapQueues": {
			reason: "Alice's earlier session on another cluster, never reconciled, resolves to the same binding: it is ahead, and her per-user cap of 1 queues this one.",
			args: args{xr: xr("prod-cluster-a"), required: capAnswers(answered, items(func() map[string]any {
				o := xr("prod-cluster-b")
				o["metadata"].(map[string]any)["name"] = "inc-1000"
				o["metadata"].(map[string]any)["creationTimestamp"] = now.Add(-time.Minute).Format(time.RFC3339)
				return o
			}()))},
			want: want{
				access:       defaultAccess,
				results:      []string{"SEVERITY_NORMAL: DebugSession is Queued: " + cappedMessage},
				requirements: cappedRound,
				state:        "Queued",
				message:      cappedMessage,
				ttl:          time.Minute,
			},
		},
		"AccessPoliciesFirst": {
			reason: "A requester the template admits, on a cluster it allows, first gets the policies that confine access to the debug pods, and waits for them.",
			args:   args{xr: xr("prod-cluster-a"), required: answered},
			want: want{
				access:       defaultAccess,
				results:      []string{"SEVERITY_NORMAL: DebugSession is Pending: " + settlingMessage},
				requirements: secondRound,
				state:        "Pending",
				message:      settlingMessage,
				composed:     podAccessPolicies,
				ttl:          time.Minute,
			},
		},
		"GrantsOnceThePoliciesHold": {
			reason: "Once the access policies have been in force for a few seconds, the Role and RoleBinding follow; the workload waits for them.",
			args:   args{xr: xr("prod-cluster-a"), observed: readySince(now.Add(-10*time.Second), podAccessPolicies), required: answered},
			want: want{
				access:       defaultAccess,
				results:      []string{"SEVERITY_NORMAL: DebugSession is Pending: " + grantsMessage},
				requirements: secondRound,
				state:        "Pending",
				message:      grantsMessage,
				composed:     slices.Concat(podAccessGrants, podAccessPolicies),
				ttl:          time.Minute,
			},
		},
		"PodAccessOff": {
			reason: "With podAccess Off nothing confines or grants access to the debug pods, and the workload comes at once.",
			args: args{xr: xr("prod-cluster-a"), required: answered, input: map[string]any{
				"apiVersion": "debugsession.fn.breakglass.telekom.de/v1beta1", "kind": "Input", "podAccess": "Off",
			}},
			want: want{
				results:      []string{"SEVERITY_NORMAL: DebugSession is Active: " + activeMessage},
				requirements: secondRound,
				state:        "Active",
				message:      activeMessage,
				composed:     []string{"workload"},
				ttl:          time.Minute,
			},
		},
		"ParticipantsAndNarrowedOperations": {
			reason: "Participants are shown in the status, and a template that turns exec off gives no exec, whatever a binding would widen.",
			args: args{xr: func() map[string]any {
				o := xr("prod-cluster-a")
				o["spec"].(map[string]any)["participants"] = map[string]any{"users": []any{"carol@example.com", "carol@example.com"}, "groups": []any{"net-oncall"}}
				return o
			}(), required: withTemplate(answered, items(func() map[string]any {
				t := template()
				t["spec"].(map[string]any)["allowedPodOperations"] = map[string]any{"exec": false}
				return t
			}()))},
			want: want{
				results:      []string{"SEVERITY_NORMAL: DebugSession is Pending: " + settlingMessage},
				requirements: secondRound,
				state:        "Pending",
				message:      settlingMessage,
				composed:     podAccessPolicies,
				ttl:          time.Minute,
				access:       `{"allowedPodOperations":{"attach":true,"exec":false,"logs":false,"portForward":true},"participants":{"groups":["net-oncall"],"users":["carol@example.com"]}}`,
			},
		},
		"Active": {
			reason: "With the access policies and grants ready, the workload follows: an Active session, and an event for the transition.",
			args:   args{xr: xr("prod-cluster-a"), observed: readySince(now.Add(-10*time.Second), podAccessPolicies, podAccessGrants), required: answered},
			want: want{
				access:       defaultAccess,
				results:      []string{"SEVERITY_NORMAL: DebugSession is Active: " + activeMessage},
				requirements: secondRound,
				state:        "Active",
				message:      activeMessage,
				composed:     slices.Concat(podAccessGrants, podAccessPolicies, []string{"workload"}),
				ttl:          time.Minute,
			},
		},
		"ActiveAgainIsQuiet": {
			reason: "A session that stays Active raises no event: results are emitted on transitions only.",
			args:   args{xr: active(xr("prod-cluster-a"), now.Add(-10*time.Minute)), observed: workload, required: answered},
			want:   activeAgain,
		},
		"ThrottledByCrossplane": {
			reason: "While Crossplane's watch circuit breaker for the session is open it drops the watch events that would bring it back, so the response asks for a call within ThrottledTTL.",
			args:   args{xr: circuitOpen(active(xr("prod-cluster-a"), now.Add(-10*time.Minute))), observed: workload, required: answered},
			want:   throttled,
		},
		"TTLUntilExpiry": {
			reason: "Thirty seconds before expiry the response may be cached for thirty seconds only, so that Crossplane calls back when the session expires.",
			args:   args{xr: active(xr("prod-cluster-a"), now.Add(-time.Hour+30*time.Second)), observed: workload, required: answered},
			want: want{
				access:       defaultAccess,
				requirements: secondRound,
				state:        "Active",
				message:      activeMessage,
				composed:     slices.Concat(podAccessGrants, podAccessPolicies, []string{"workload"}),
				ttl:          30 * time.Second,
			},
		},
		"DeniedNodesPolicySettling": {
			reason: "The workload waits until the denied-nodes admission policy has been ready for a few seconds, and Crossplane is asked to call back then.",
			args:   args{xr: xr("prod-cluster-a"), observed: readySince(now.Add(-2*time.Second), deniedNodesPolicies, podAccessPolicies), required: withTemplate(answered, items(deniedGlobTemplate()))},
			want: want{
				access:       defaultAccess,
				results:      []string{"SEVERITY_NORMAL: DebugSession is Pending: " + settlingMessage},
				requirements: secondRound,
				state:        "Pending",
				message:      settlingMessage,
				composed:     slices.Concat(deniedNodesPolicies, podAccessPolicies),
				ttl:          3 * time.Second,
			},
		},
		"DeniedNodesPolicyInForce": {
			reason: "Once the admission policy has been ready long enough, the workload follows.",
			args:   args{xr: xr("prod-cluster-a"), observed: readySince(now.Add(-10*time.Second), deniedNodesPolicies, podAccessPolicies, podAccessGrants), required: withTemplate(answered, items(deniedGlobTemplate()))},
			want: want{
				access:       defaultAccess,
				results:      []string{"SEVERITY_NORMAL: DebugSession is Active: " + activeMessage},
				requirements: secondRound,
				state:        "Active",
				message:      activeMessage,
				composed:     slices.Concat(podAccessGrants, deniedNodesPolicies, podAccessPolicies, []string{"workload"}),
			},
		},
		"PendingApproval": {
			reason: "A template with approvers holds the session until someone approves; nothing is composed meanwhile.",
			args: args{xr: xr("prod-cluster-a"), required: withTemplate(answered, items(func() map[string]any {
				t := template()
				t["spec"].(map[string]any)["approvers"] = map[string]any{"groups": []any{"security-team"}}
				return t
			}()))},
			want: want{
				access:       defaultAccess,
				results:      []string{"SEVERITY_NORMAL: DebugSession is PendingApproval: " + pendingMessage},
				requirements: secondRound,
				state:        "PendingApproval",
				message:      pendingMessage,
				ttl:          time.Minute,
			},
		},
		"UserNodeSelectorDenied": {
			reason: "A nodeSelector the binding does not allow is Denied before anything runs.",
			args: args{xr: func() map[string]any {
				o := xr("prod-cluster-a")
				o["spec"].(map[string]any)["nodeSelector"] = map[string]any{"pool": "any"}
				return o
			}(), required: answered},
			want: want{
				results:      []string{"SEVERITY_NORMAL: DebugSession is Denied: " + nodeSelectorDenied},
				requirements: secondRound,
				state:        "Denied",
				message:      nodeSelectorDenied,
			},
		},
		"DeniedCluster": {
			reason: "A cluster the template does not allow, with no binding, is Denied and nothing is composed.",
			args:   args{xr: xr("dev-cluster-1"), required: answered},
			want: want{
				results:      []string{"SEVERITY_NORMAL: DebugSession is Denied: DebugSessionTemplate breakglass-system/netops-debug spec.allowed.clusters: template netops-debug does not allow cluster dev-cluster-1 and no binding applies to it"},
				requirements: secondRound,
				state:        "Denied",
				message:      "DebugSessionTemplate breakglass-system/netops-debug spec.allowed.clusters: template netops-debug does not allow cluster dev-cluster-1 and no binding applies to it",
			},
		},
		"BrokenConstraint": {
			reason: "A constraint that does not parse fails the session with the object and field to fix.",
			args: args{xr: xr("prod-cluster-a"), required: withTemplate(answered, items(func() map[string]any {
				t := template()
				t["spec"].(map[string]any)["constraints"] = map[string]any{"maxDuration": "2 hours"}
				return t
			}()))},
			want: want{
				results:      []string{"SEVERITY_NORMAL: DebugSession is Failed: " + brokenConstraint},
				requirements: secondRound,
				state:        "Failed",
				message:      brokenConstraint,
			},
		},
		"MissingTemplateNewSession": {
			reason: "A session that never had resources fails with a message naming the missing template.",
			args: args{xr: xr("prod-cluster-a"), required: map[string]*fnv1.Resources{
				"template": items(), "cluster-config": items(), "bindings-breakglass-system": items(),
			}},
			want: want{
				results:      []string{"SEVERITY_NORMAL: DebugSession is Failed: DebugSessionTemplate breakglass-system/netops-debug not found"},
				requirements: firstRound,
				state:        "Failed",
				message:      "DebugSessionTemplate breakglass-system/netops-debug not found",
			},
		},
		"VanishedTemplateDuringActiveSession": {
			reason: "A running session whose template vanished keeps its resources: a Fatal result makes Crossplane change nothing.",
			args: args{xr: active(xr("prod-cluster-a"), now.Add(-10*time.Minute)), observed: workload, required: map[string]*fnv1.Resources{
				"template": items(), "cluster-config": items(), "bindings-breakglass-system": items(),
			}},
			want: want{
				requirements: firstRound,
				results:      []string{"SEVERITY_FATAL: DebugSessionTemplate breakglass-system/netops-debug not found; keeping the session's 1 existing resources unchanged"},
			},
		},
		"ExpiredSessionWithVanishedTemplate": {
			reason: "A session past its recorded expiry ends even when its template is gone, so a deleted template cannot keep debug pods running.",
			args: args{xr: active(xr("prod-cluster-a"), now.Add(-2*time.Hour)), observed: workload, required: map[string]*fnv1.Resources{
				"template": items(), "cluster-config": items(), "bindings-breakglass-system": items(),
			}},
			want: want{
				requirements: firstRound,
				results: []string{
					"SEVERITY_WARNING: DebugSessionTemplate breakglass-system/netops-debug not found",
					"SEVERITY_NORMAL: DebugSession is Expired: The session expired after 1h; its debug resources are removed.",
				},
				state:   "Expired",
				message: "The session expired after 1h; its debug resources are removed.",
				ttl:     time.Minute,
			},
		},
		"ExpiredSessionWithBrokenConfiguration": {
			reason: "A session past its recorded expiry ends even when its configuration now fails, instead of keeping its debug pods through a Fatal result.",
			args: args{xr: func() map[string]any {
				o := active(xr("prod-cluster-a"), now.Add(-2*time.Hour))
				o["spec"].(map[string]any)["nodeSelector"] = map[string]any{"pool": "any"}
				return o
			}(), observed: workload, required: answered},
			want: want{
				requirements: secondRound,
				results: []string{
					"SEVERITY_WARNING: " + nodeSelectorDenied,
					"SEVERITY_NORMAL: DebugSession is Expired: The session expired after 1h; its debug resources are removed.",
				},
				state:   "Expired",
				message: "The session expired after 1h; its debug resources are removed.",
			},
		},
		"InvalidInput": {
			reason: "An invalid input is Fatal with the field path.",
			args:   args{xr: xr("prod-cluster-a"), input: map[string]any{"apiVersion": "debugsession.fn.breakglass.telekom.de/v1beta1", "kind": "Input", "deniedNodeGlobs": "Ignore"}},
			want: want{
				results: []string{`SEVERITY_FATAL: invalid function input: deniedNodeGlobs: Unsupported value: "Ignore": supported values: "AdmissionPolicy", "Reject"`},
				ttl:     time.Minute,
			},
		},
		"InvalidSession": {
			reason: "A session without a cluster fails with the field path and composes nothing.",
			args: args{xr: func() map[string]any {
				o := xr("prod-cluster-a")
				delete(o["spec"].(map[string]any), "cluster")
				return o
			}()},
			want: want{
				results: []string{"SEVERITY_NORMAL: DebugSession is Failed: " + invalidSession},
				state:   "Failed",
				message: invalidSession,
				ttl:     time.Minute,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := NewFunction(logging.NewNopLogger(), WithClock(func() time.Time { return now }))
			// Every response carries the input's TTL unless a case says
			// otherwise.
			if tc.want.ttl == 0 {
				tc.want.ttl = time.Minute
			}
			rsp, err := f.RunFunction(context.Background(), newRequest(tc.args))
			if err != nil {
				t.Fatalf("%s\nRunFunction(...): unexpected Go error: %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want, digest(rsp), cmp.AllowUnexported(want{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nRunFunction(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

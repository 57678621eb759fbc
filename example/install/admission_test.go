// Package install_test checks the install manifests next to it: the
// ValidatingAdmissionPolicies in admission-debugsessions.yaml are type-checked
// against the DebugSession schema of xrd.yaml and evaluated, with the API
// server's own admission code, on the requests they must admit or refuse.
package install_test

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/policy/generic"
	"k8s.io/apiserver/pkg/admission/plugin/policy/matching"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/authentication/user"

	"github.com/k8s-breakglass/function-debug-session/internal/admissiontest"
)

const (
	policyFile  = "admission-debugsessions.yaml"
	xrdFile     = "xrd.yaml"
	createName  = "debugsession-create.breakglass.telekom.de"
	updateName  = "debugsession-update.breakglass.telekom.de"
	crossplane  = "system:serviceaccount:crossplane-system:crossplane"
	clusterKey  = "breakglass.telekom.de/cluster"
	sessionsRes = "debugsessions"
)

var sessionGVK = schema.GroupVersionKind{Group: "breakglass.telekom.de", Version: "v1alpha1", Kind: "DebugSession"}

func TestAdmissionPolicies(t *testing.T) {
	policies, bindings := loadPolicies(t)
	compiled := map[string]*admissiontest.Policy{}
	for name, p := range policies {
		compiled[name] = admissiontest.Compile(t, p, bindings[name])
	}
	approved := withApproval("Approved", "bob@example.com", "security-team")

	cases := map[string]struct {
		reason string
		op     admission.Operation
		who    caller
		old    *unstructured.Unstructured
		obj    *unstructured.Unstructured
		want   verdict
	}{
		"CreateOwnSession": {
			reason: "A requester creating a session in their own name, with their own groups and a matching cluster label, is admitted.",
			op:     admission.Create, who: alice, obj: xr(),
		},
		"CreateWithoutGroups": {
			reason: "A caller without any groups (no groups field in the request) may create a session that claims none.",
			op:     admission.Create, who: noGroups,
			obj: xr(set("robot@example.com", "spec", "requestedBy"), unset("spec", "requesterGroups")),
		},
		"CreateSpoofedRequester": {
			reason: "spec.requestedBy must be the caller's own username.",
			op:     admission.Create, who: mallory, obj: xr(set([]any{}, "spec", "requesterGroups")),
			want: verdict{denied: true, says: "spec.requestedBy must be your own username, mallory@example.com"},
		},
		"CreateClaimsGroupCallerLacks": {
			reason: "Every requester group must be one of the caller's groups.",
			op:     admission.Create, who: alice, obj: xr(set([]any{"sre-oncall", "security-team"}, "spec", "requesterGroups")),
			want: verdict{denied: true, says: "you do not belong to: security-team"},
		},
		"CreateWithoutGroupsClaimsGroup": {
			reason: "A caller without groups cannot claim one.",
			op:     admission.Create, who: noGroups,
			obj:  xr(set("robot@example.com", "spec", "requestedBy")),
			want: verdict{denied: true, says: "you do not belong to: sre-oncall"},
		},
		"CreateLabelMismatch": {
			reason: "The cluster label, by which sessions are counted, must equal spec.cluster.",
			op:     admission.Create, who: alice, obj: xr(set("dev-cluster", "metadata", "labels", clusterKey)),
			want: verdict{denied: true, says: "must equal spec.cluster"},
		},
		"CreateLabelMissing": {
			reason: "A session without the cluster label would escape the concurrency count.",
			op:     admission.Create, who: alice, obj: xr(unset("metadata", "labels")),
			want: verdict{denied: true, says: "must equal spec.cluster"},
		},
		"CreateSelfApproved": {
			reason: "A session cannot be created already approved.",
			op:     admission.Create, who: alice, obj: xr(withApproval("Approved", "alice@example.com")),
			want: verdict{denied: true, says: "spec.approval must be empty"},
		},
		"CrossplaneUpdatesMetadataAndCrossplaneFields": {
			reason: "Crossplane's own updates (finalizers, its labels, spec.crossplane) never touch the constrained fields and are admitted.",
			op:     admission.Update, who: crossplaneS, old: xr(approved),
			obj: xr(approved,
				set([]any{"composite.apiextensions.crossplane.io"}, "metadata", "finalizers"),
				set("inc-1234", "metadata", "labels", "crossplane.io/composite"),
				set(map[string]any{"compositionRef": map[string]any{"name": "debug-session"}}, "spec", "crossplane")),
		},
		"CrossplaneUpdatesASessionFromBeforeThePolicies": {
			reason: "A session created before the policies, with a wrong label, must not be stuck: updates that leave the label alone are admitted.",
			op:     admission.Update, who: crossplaneS,
			old: xr(set("elsewhere", "metadata", "labels", clusterKey), set([]any{"composite.apiextensions.crossplane.io"}, "metadata", "finalizers")),
			obj: xr(set("elsewhere", "metadata", "labels", clusterKey)),
		},
		"RequesterRenews": {
			reason: "Raising spec.renewals is how a session is renewed.",
			op:     admission.Update, who: alice, old: xr(approved), obj: xr(approved, set(int64(1), "spec", "renewals")),
		},
		"RenewalsDecrease": {
			reason: "spec.renewals only grows.",
			op:     admission.Update, who: alice, old: xr(set(int64(2), "spec", "renewals")), obj: xr(set(int64(1), "spec", "renewals")),
			want: verdict{denied: true, says: "spec.renewals can only grow"},
		},
		"RenewalsRemoved": {
			reason: "Removing spec.renewals is a decrease to zero.",
			op:     admission.Update, who: alice, old: xr(set(int64(1), "spec", "renewals")), obj: xr(),
			want: verdict{denied: true, says: "spec.renewals can only grow"},
		},
		"Terminate": {
			reason: "Setting spec.terminate ends a session early.",
			op:     admission.Update, who: alice, old: xr(), obj: xr(set(true, "spec", "terminate")),
		},
		"Unterminate": {
			reason: "spec.terminate only goes from false to true.",
			op:     admission.Update, who: alice, old: xr(set(true, "spec", "terminate")), obj: xr(set(false, "spec", "terminate")),
			want: verdict{denied: true, says: "spec.terminate cannot be unset"},
		},
		"RequesterChanged": {
			reason: "The requester's identity is immutable.",
			op:     admission.Update, who: alice, old: xr(), obj: xr(set("bob@example.com", "spec", "requestedBy")),
			want: verdict{denied: true, says: "spec.requestedBy and spec.requesterGroups cannot change"},
		},
		"RequesterGroupsChanged": {
			reason: "The requester's groups are immutable.",
			op:     admission.Update, who: alice, old: xr(), obj: xr(set([]any{"sre-oncall", "system:authenticated"}, "spec", "requesterGroups")),
			want: verdict{denied: true, says: "spec.requestedBy and spec.requesterGroups cannot change"},
		},
		"ClusterChanged": {
			reason: "The cluster is immutable, even when the label moves with it.",
			op:     admission.Update, who: alice, old: xr(),
			obj:  xr(set("prod-cluster-b", "spec", "cluster"), set("prod-cluster-b", "metadata", "labels", clusterKey)),
			want: verdict{denied: true, says: "spec.cluster and the label breakglass.telekom.de/cluster cannot change"},
		},
		"ClusterLabelRemoved": {
			reason: "The cluster label is immutable.",
			op:     admission.Update, who: alice, old: xr(), obj: xr(unset("metadata", "labels", clusterKey)),
			want: verdict{denied: true, says: "spec.cluster and the label breakglass.telekom.de/cluster cannot change"},
		},
		"TemplateChanged": {
			reason: "The template is immutable.",
			op:     admission.Update, who: alice, old: xr(), obj: xr(set("breakglass-system", "spec", "templateRef", "namespace")),
			want: verdict{denied: true, says: "spec.templateRef cannot change"},
		},
		"DurationChanged": {
			reason: "A longer duration would bypass maxRenewals: the request is immutable.",
			op:     admission.Update, who: alice, old: xr(approved), obj: xr(approved, set("2h", "spec", "duration")),
			want: verdict{denied: true, says: "spec.duration, spec.bindingRef, spec.nodeSelector, spec.schedulingOption, spec.targetNamespace and spec.reason cannot change"},
		},
		"NodeSelectorAdded": {
			reason: "Other nodes than the approver saw need a new session.",
			op:     admission.Update, who: alice, old: xr(approved), obj: xr(approved, set(map[string]any{"pool": "gpu"}, "spec", "nodeSelector")),
			want: verdict{denied: true, says: "spec.duration, spec.bindingRef, spec.nodeSelector, spec.schedulingOption, spec.targetNamespace and spec.reason cannot change"},
		},
		"SchedulingOptionChanged": {
			reason: "The approver approved the placement: a different scheduling option needs a new session.",
			op:     admission.Update, who: alice, old: xr(approved, set("standard", "spec", "schedulingOption")), obj: xr(approved, set("gpu", "spec", "schedulingOption")),
			want: verdict{denied: true, says: "spec.duration, spec.bindingRef, spec.nodeSelector, spec.schedulingOption, spec.targetNamespace and spec.reason cannot change"},
		},
		"SchedulingOptionAdded": {
			reason: "Adding an option after creation would place pods where the approver did not look.",
			op:     admission.Update, who: alice, old: xr(approved), obj: xr(approved, set("gpu", "spec", "schedulingOption")),
			want: verdict{denied: true, says: "spec.duration, spec.bindingRef, spec.nodeSelector, spec.schedulingOption, spec.targetNamespace and spec.reason cannot change"},
		},
		"TargetNamespaceChanged": {
			reason: "The approver approved the namespace: moving the pods needs a new session.",
			op:     admission.Update, who: alice, old: xr(approved, set("debug-a", "spec", "targetNamespace")), obj: xr(approved, set("debug-b", "spec", "targetNamespace")),
			want: verdict{denied: true, says: "spec.duration, spec.bindingRef, spec.nodeSelector, spec.schedulingOption, spec.targetNamespace and spec.reason cannot change"},
		},
		"CreateWithParticipants": {
			reason: "A requester may name participants when creating a session; the approver sees them.",
			op:     admission.Create, who: alice,
			obj: xr(set(map[string]any{"users": []any{"carol@example.com"}, "groups": []any{"net-oncall"}}, "spec", "participants")),
		},
		"ParticipantAdded": {
			reason: "Participants get access to the debug pods: adding one after creation would bypass the approval.",
			op:     admission.Update, who: alice, old: xr(approved),
			obj:  xr(approved, set(map[string]any{"users": []any{"mallory@example.com"}}, "spec", "participants")),
			want: verdict{denied: true, says: "spec.participants cannot change"},
		},
		"ParticipantGroupChanged": {
			reason: "Changing a participant group is as much a change as adding a user.",
			op:     admission.Update, who: alice,
			old:  xr(set(map[string]any{"groups": []any{"net-oncall"}}, "spec", "participants")),
			obj:  xr(set(map[string]any{"groups": []any{"developers"}}, "spec", "participants")),
			want: verdict{denied: true, says: "spec.participants cannot change"},
		},
		"ParticipantsRemoved": {
			reason: "Removing participants changes what was approved too; a new session is the way to change them.",
			op:     admission.Update, who: alice,
			old:  xr(set(map[string]any{"users": []any{"carol@example.com"}}, "spec", "participants")),
			obj:  xr(),
			want: verdict{denied: true, says: "spec.participants cannot change"},
		},
		"CrossplaneUpdatesSessionWithParticipants": {
			reason: "Crossplane's own updates leave participants alone and are admitted.",
			op:     admission.Update, who: crossplaneS,
			old: xr(approved, set(map[string]any{"users": []any{"carol@example.com"}}, "spec", "participants")),
			obj: xr(approved, set(map[string]any{"users": []any{"carol@example.com"}}, "spec", "participants"),
				set([]any{"composite.apiextensions.crossplane.io"}, "metadata", "finalizers")),
		},
		"ApproverApproves": {
			reason: "An approver stamping the approval with their own name and groups is admitted.",
			op:     admission.Update, who: bob, old: xr(), obj: xr(approved),
		},
		"ApproverChangesTheirDecision": {
			reason: "An approver may replace an approval with their own rejection.",
			op:     admission.Update, who: bob, old: xr(approved), obj: xr(withApproval("Rejected", "bob@example.com")),
		},
		"ApprovalInSomeoneElsesName": {
			reason: "An approval must carry the updater's own username.",
			op:     admission.Update, who: mallory, old: xr(), obj: xr(approved),
			want: verdict{denied: true, says: "spec.approval must carry your own identity: approvedBy mallory@example.com"},
		},
		"ApprovalWithGroupApproverLacks": {
			reason: "An approval may only claim the approver's own groups.",
			op:     admission.Update, who: bob, old: xr(), obj: xr(withApproval("Approved", "bob@example.com", "platform-admins")),
			want: verdict{denied: true, says: "spec.approval must carry your own identity"},
		},
		"RequesterApprovesOwnSession": {
			reason: "The requester cannot approve their own session, even stamped correctly.",
			op:     admission.Update, who: alice, old: xr(), obj: xr(withApproval("Approved", "alice@example.com", "sre-oncall")),
			want: verdict{denied: true, says: "the requester cannot approve or reject their own session"},
		},
		"ApprovalRemoved": {
			reason: "An approval cannot be removed, only replaced by another approver's decision.",
			op:     admission.Update, who: alice, old: xr(approved), obj: xr(),
			want: verdict{denied: true, says: "spec.approval must carry your own identity"},
		},
		"ApprovalEditedByRequester": {
			reason: "Editing someone else's approval (here its decision) is a change in their name.",
			op:     admission.Update, who: alice, old: xr(withApproval("Rejected", "bob@example.com")), obj: xr(withApproval("Approved", "bob@example.com")),
			want: verdict{denied: true, says: "spec.approval must carry your own identity"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			matched, denials := review(t, compiled, tc.op, tc.obj, tc.old, tc.who)
			if !matched {
				t.Fatalf("%s\nno policy matched the request", tc.reason)
			}
			got := verdict{denied: len(denials) > 0}
			if got.denied && tc.want.says != "" {
				for _, d := range denials {
					if strings.Contains(d, tc.want.says) {
						got.says = tc.want.says
					}
				}
				if got.says == "" {
					got.says = strings.Join(denials, " | ")
				}
			}
			if got != tc.want {
				t.Errorf("%s\nwant %+v, got %+v (denials: %q)", tc.reason, tc.want, got, denials)
			}
		})
	}
}

func TestAdmissionPoliciesIgnoreStatusAndDelete(t *testing.T) {
	policies, _ := loadPolicies(t)
	// Crossplane writes status through the status subresource, and users
	// delete their sessions: neither is for these policies to judge.
	gvr := sessionGVK.GroupVersion().WithResource(sessionsRes)
	m := generic.NewPolicyMatcher(matching.NewMatcher(nil, nil))
	ifaces := admission.NewObjectInterfacesFromScheme(runtime.NewScheme())
	for what, attr := range map[string]admission.Attributes{
		"status update": admission.NewAttributesRecord(xr(), xr(), sessionGVK, "team-a", "inc-1234", gvr, "status", admission.Update, &metav1.UpdateOptions{}, false, &user.DefaultInfo{Name: crossplane}),
		"delete":        admission.NewAttributesRecord(nil, xr(), sessionGVK, "team-a", "inc-1234", gvr, "", admission.Delete, &metav1.DeleteOptions{}, false, &user.DefaultInfo{Name: "alice@example.com"}),
	} {
		for name := range policies {
			ok, _, _, err := m.DefinitionMatches(attr, ifaces, validating.NewValidatingAdmissionPolicyAccessor(policies[name]))
			if err != nil || ok {
				t.Errorf("policy %s matches a %s (err %v); it must not", name, what, err)
			}
		}
	}
}

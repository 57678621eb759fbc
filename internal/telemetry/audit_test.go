package telemetry

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/crossplane/function-sdk-go/logging"
	"github.com/go-logr/logr/funcr"
	"github.com/google/go-cmp/cmp"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// jsonLogger returns a logger that writes JSON lines into lines, as the
// SDK's production logger does.
func jsonLogger(lines *[]string) logging.Logger {
	return logging.NewLogrLogger(funcr.NewJSON(func(obj string) { *lines = append(*lines, obj) }, funcr.Options{}))
}

func TestAudit(t *testing.T) {
	base := Record{
		Session: "team-a/inc-1", UID: "u-1", Requester: "alice@example.com", Groups: []string{"sre"}, Justification: "INC-1",
		Cluster: "prod-a", Template: "breakglass-system/netops", Binding: "breakglass-system/prod",
	}
	cases := map[string]struct {
		reason string
		r      func(Record) Record
		want   map[string]any
	}{
		"Activated": {
			reason: "An activation names who, where, through which binding, who approved and until when.",
			r: func(r Record) Record {
				r.From, r.To, r.Reason, r.Approver = v1alpha1.StatePendingApproval, v1alpha1.StateActive, "Active", "bob@example.com"
				r.ActivatedAt, r.ExpiresAt, r.Message = "2026-01-01T09:00:00Z", "2026-01-01T10:00:00Z", "Active."
				return r
			},
			want: map[string]any{
				"from": "PendingApproval", "to": "Active", "reason": "Active", "refusal": "", "approver": "bob@example.com",
				"activatedAt": "2026-01-01T09:00:00Z", "expiresAt": "2026-01-01T10:00:00Z", "message": "Active.",
			},
		},
		"NewSessionWithoutGroups": {
			reason: "A new session reads from New, and groups is always a list.",
			r: func(r Record) Record {
				r.Groups, r.To, r.Reason, r.Message = nil, v1alpha1.StateDenied, "Denied", "not allowed"
				r.Refusal = outcome.ReasonNotAllowed
				return r
			},
			want: map[string]any{"from": "New", "to": "Denied", "reason": "Denied", "refusal": "NotAllowed", "groups": []any{}, "message": "not allowed"},
		},
		"RenderFailureKeepsNoMessage": {
			reason: "A render failure's message quotes rendered content, which may be a Secret: the record keeps only the reason.",
			r: func(r Record) Record {
				r.From, r.To, r.Reason, r.Refusal, r.Message = v1alpha1.StatePending, v1alpha1.StateFailed, "Failed", outcome.ReasonRenderFailure, "data.token: s3cr3t"
				return r
			},
			want: map[string]any{"from": "Pending", "to": "Failed", "reason": "Failed", "refusal": "RenderFailure", "message": ""},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var lines []string
			Audit(jsonLogger(&lines), tc.r(base))
			if len(lines) != 1 {
				t.Fatalf("%s\nwant one line, got %d: %v", tc.reason, len(lines), lines)
			}
			got := map[string]any{}
			if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
				t.Fatalf("%s\nthe audit line is not JSON: %v\n%s", tc.reason, err, lines[0])
			}
			want := map[string]any{
				"logger": "", "level": float64(0), "msg": AuditMessage, "audit": AuditSchema,
				"session": "team-a/inc-1", "uid": "u-1", "requester": "alice@example.com", "groups": []any{"sre"}, "justification": "INC-1",
				"cluster": "prod-a", "template": "breakglass-system/netops", "binding": "breakglass-system/prod",
				"approver": "", "activatedAt": "", "expiresAt": "",
			}
			for k, v := range tc.want {
				want[k] = v
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s\nAudit(...): -want, +got:\n%s", tc.reason, diff)
			}
			if strings.Contains(lines[0], "s3cr3t") {
				t.Errorf("%s\nthe audit line leaks rendered content: %s", tc.reason, lines[0])
			}
		})
	}
}

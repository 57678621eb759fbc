package outcome

import (
	"testing"

	"github.com/crossplane/function-sdk-go/errors"
)

func TestReasonOf(t *testing.T) {
	cases := map[string]struct {
		reason string
		err    error
		want   Reason
	}{
		"Nil": {
			reason: "No error, no refusal.",
		},
		"SetReasonWins": {
			reason: "A reason set at the site wins over what the field would say.",
			err:    Failed("DebugPodTemplate ns/p", "spec.auxiliaryResources[0]", "x").WithReason(ReasonRenderFailure),
			want:   ReasonRenderFailure,
		},
		"SetReasonSurvivesWrapping": {
			reason: "The reason of a wrapped outcome error is still found.",
			err:    errors.Wrap(Failed("", "", "x").WithReason(ReasonMissingInput), "context"),
			want:   ReasonMissingInput,
		},
		"UserNodeSelector": {
			reason: "A denied spec.nodeSelector key is a node selector refusal.",
			err:    Denied("DebugSession a/b", "spec.nodeSelector[pool]", "no"),
			want:   ReasonNodeSelector,
		},
		"Duration": {
			reason: "A denied spec.duration is a duration refusal.",
			err:    Denied("DebugSession a/b", "spec.duration", "too long"),
			want:   ReasonDuration,
		},
		"AllowList": {
			reason: "Any other denial is about who may have the session.",
			err:    Denied("DebugSessionTemplate ns/t", "spec.allowed.clusters", "no"),
			want:   ReasonNotAllowed,
		},
		"BindingRef": {
			reason: "A spec.bindingRef that names no applicable binding is not allowed.",
			err:    Denied("DebugSession a/b", "spec.bindingRef", "no"),
			want:   ReasonNotAllowed,
		},
		"BrokenSession": {
			reason: "A DebugSession that cannot be read is an invalid session, not the platform's configuration.",
			err:    Failed("DebugSession a/b", "spec.cluster", "required"),
			want:   ReasonInvalidSession,
		},
		"BrokenTemplate": {
			reason: "A failure about a template is invalid configuration.",
			err:    Failed("DebugSessionTemplate ns/t", "spec.constraints.maxDuration", "not a duration"),
			want:   ReasonInvalidConfiguration,
		},
		"PlainError": {
			reason: "An error nobody classified is invalid configuration, like StateOf calls it Failed.",
			err:    errors.New("boom"),
			want:   ReasonInvalidConfiguration,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := ReasonOf(tc.err); got != tc.want {
				t.Errorf("%s\nReasonOf(...): want %q, got %q", tc.reason, tc.want, got)
			}
		})
	}
}

func TestIsIgnoresReason(t *testing.T) {
	a := Failed("A a/b", "spec.x", "no").WithReason(ReasonRenderFailure)
	if !errors.Is(a, Failed("A a/b", "spec.x", "no")) {
		t.Errorf("The reason classifies the other fields; errors.Is must not tell two errors apart by it alone")
	}
}

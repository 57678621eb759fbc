package outcome

import (
	"testing"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

func TestError(t *testing.T) {
	cause := errors.New("boom")
	cases := map[string]struct {
		reason    string
		err       error
		wantMsg   string
		wantState v1alpha1.State
		wantIs    error
	}{
		"DeniedNamesObjectAndField": {
			reason:    "A denial names the object and the field before what is wrong.",
			err:       Denied("DebugSession team-a/inc-1", "spec.nodeSelector", "the binding does not allow %s", "it"),
			wantMsg:   "DebugSession team-a/inc-1 spec.nodeSelector: the binding does not allow it",
			wantState: v1alpha1.StateDenied,
			wantIs:    New(v1alpha1.StateDenied, "DebugSession team-a/inc-1", "spec.nodeSelector", "DebugSession team-a/inc-1 spec.nodeSelector: the binding does not allow it"),
		},
		"FailedWithoutObject": {
			reason:    "A merged setting has no single object; the field alone leads the message.",
			err:       Failed("", "spec.schedulingConstraints.deniedNodes", "cannot be enforced"),
			wantMsg:   "spec.schedulingConstraints.deniedNodes: cannot be enforced",
			wantState: v1alpha1.StateFailed,
		},
		"FailedWithoutWhere": {
			reason:    "A message with neither object nor field is the message alone.",
			err:       Failed("", "", "nothing to go on"),
			wantMsg:   "nothing to go on",
			wantState: v1alpha1.StateFailed,
		},
		"NewKeepsTheSentence": {
			reason:    "New keeps a sentence that names things in its own words.",
			err:       New(v1alpha1.StateDenied, "DebugSessionTemplate ns/t", "spec.allowed.clusters", "template t does not allow cluster c"),
			wantMsg:   "template t does not allow cluster c",
			wantState: v1alpha1.StateDenied,
		},
		"WrapNamesTheObject": {
			reason:    "Wrap turns a plain error into a Failed one about an object and keeps the cause.",
			err:       Wrap(cause, "DebugPodTemplate ns/p", "spec.template"),
			wantMsg:   "DebugPodTemplate ns/p spec.template: boom",
			wantState: v1alpha1.StateFailed,
			wantIs:    cause,
		},
		"WrapKeepsAnOutcome": {
			reason:    "Wrap returns an outcome error as it is: it already names what is at fault.",
			err:       Wrap(errors.Wrap(Denied("A a/b", "spec.x", "no"), "while planning"), "B c/d", "spec.y"),
			wantMsg:   "A a/b spec.x: no",
			wantState: v1alpha1.StateDenied,
		},
		"PlainErrorIsFailed": {
			reason:    "An error nobody classified fails the session.",
			err:       errors.New("unexpected"),
			wantMsg:   "unexpected",
			wantState: v1alpha1.StateFailed,
		},
		"WrappedOutcomeKeepsItsState": {
			reason:    "The state of an outcome error survives wrapping.",
			err:       errors.Wrap(Denied("", "", "no"), "context"),
			wantMsg:   "context: no",
			wantState: v1alpha1.StateDenied,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.wantMsg {
				t.Errorf("%s\nError(): want %q, got %q", tc.reason, tc.wantMsg, got)
			}
			if got := StateOf(tc.err); got != tc.wantState {
				t.Errorf("%s\nStateOf(): want %q, got %q", tc.reason, tc.wantState, got)
			}
			if tc.wantIs != nil {
				if diff := cmp.Diff(tc.wantIs, tc.err, cmpopts.EquateErrors()); diff != "" {
					t.Errorf("%s\nerrors.Is: -want, +got:\n%s", tc.reason, diff)
				}
			}
		})
	}
}

func TestStateOfNil(t *testing.T) {
	if got := StateOf(nil); got != "" {
		t.Errorf("StateOf(nil): want \"\", got %q", got)
	}
}

func TestIsComparesEveryField(t *testing.T) {
	a := Failed("A a/b", "spec.x", "no")
	for name, b := range map[string]*Error{
		"State":   Denied("A a/b", "spec.x", "no"),
		"Object":  Failed("A a/c", "spec.x", "no"),
		"Field":   New(v1alpha1.StateFailed, "A a/b", "spec.y", "A a/b spec.x: no"),
		"Message": Failed("A a/b", "spec.x", "yes"),
	} {
		if errors.Is(a, b) {
			t.Errorf("%s differs, but errors.Is(%+v, %+v) is true", name, a, b)
		}
	}
	if !errors.Is(a, Failed("A a/b", "spec.x", "no")) {
		t.Errorf("errors.Is of two equal errors is false")
	}
}

func TestDecoding(t *testing.T) {
	for _, msg := range []string{"json: cannot unmarshal array into Go value of type string", "json: unable to unmarshal array into Go value of type string"} {
		if got, want := Decoding(errors.New(msg)), "json: cannot unmarshal array into Go value of type string"; got != want {
			t.Errorf("Decoding(%q): want %q, got %q", msg, want, got)
		}
	}
}

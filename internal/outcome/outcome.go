package outcome

import (
	"fmt"
	"strings"

	"github.com/crossplane/function-sdk-go/errors"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// An Error is why a session cannot go on.
type Error struct {
	// State the session takes: StateDenied or StateFailed.
	State v1alpha1.State

	// Object at fault, as "Kind namespace/name" (v1alpha1's Describe
	// methods), or empty when no single object is: the merge of several, or
	// the function's own input.
	Object string

	// Field at fault in Object, as a field path such as
	// "spec.constraints.maxDuration", or empty.
	Field string

	// Message is the whole sentence users read. It names Object and Field
	// itself, in whatever order reads best.
	Message string

	// Reason classifies the error for metrics and audit records. Empty
	// means ReasonOf derives it from State, Object and Field; sites set it
	// only where those do not tell it.
	Reason Reason

	cause error
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Is reports whether target is an *Error with the same state, object, field
// and message. It lets tests compare errors with cmpopts.EquateErrors. The
// reason is left out: it classifies what the other fields say, and tests
// check it with ReasonOf.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && e.State == t.State && e.Object == t.Object && e.Field == t.Field && e.Message == t.Message
}

// Unwrap returns the error this one was made from, if any.
func (e *Error) Unwrap() error { return e.cause }

// Denied returns the error of a request the configuration forbids. The
// message is "<object> <field>: <what is wrong>", leaving out what is empty.
func Denied(object, field, format string, a ...any) *Error {
	return newf(v1alpha1.StateDenied, object, field, format, a...)
}

// Failed returns the error of a configuration that cannot work. The message
// is "<object> <field>: <what is wrong>", leaving out what is empty.
func Failed(object, field, format string, a ...any) *Error {
	return newf(v1alpha1.StateFailed, object, field, format, a...)
}

// New returns an error whose message is written out in full, for sentences
// that name the object and field in their own words.
func New(state v1alpha1.State, object, field, message string) *Error {
	return &Error{State: state, Object: object, Field: field, Message: message}
}

// Wrap returns a Failed error about field of object caused by err, with the
// message "<object> <field>: <err>". A nil err gives nil; an err that is
// already an *Error is returned as it is, because it knows better.
func Wrap(err error, object, field string) error {
	if err == nil {
		return nil
	}
	if e, ok := As(err); ok {
		return e
	}
	out := Failed(object, field, "%s", err.Error())
	out.cause = err
	return out
}

// As returns the *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// StateOf returns the state a session takes because of err: the State of
// the *Error in its chain, else Failed, because an error nobody classified
// is the function's or the configuration's. A nil error gives "".
func StateOf(err error) v1alpha1.State {
	if err == nil {
		return ""
	}
	if e, ok := As(err); ok && e.State != "" {
		return e.State
	}
	return v1alpha1.StateFailed
}

func newf(state v1alpha1.State, object, field, format string, a ...any) *Error {
	where := strings.TrimSpace(object + " " + field)
	msg := fmt.Sprintf(format, a...)
	if where != "" {
		msg = where + ": " + msg
	}
	return &Error{State: state, Object: object, Field: field, Message: msg}
}

// Decoding returns the text of a decoding error in one spelling. Go's
// encoding/json/v2 picks "cannot" or "unable to" at random once per process,
// so that nobody depends on its messages; a session status that quotes one
// must not change when the function restarts.
func Decoding(err error) string {
	return strings.ReplaceAll(err.Error(), "json: unable to ", "json: cannot ")
}

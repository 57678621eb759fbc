package scheduling

import (
	"fmt"

	"github.com/crossplane/function-sdk-go/errors"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// An Error says whose fault a scheduling problem is. A user who asks for
// something the constraints forbid is Denied; constraints that contradict
// themselves or cannot be enforced make the session Failed, because only the
// platform team can fix them.
type Error struct {
	// State the session takes: StateDenied or StateFailed.
	State v1alpha1.State
	err   error
}

// Error returns the message, which names the object and field at fault.
func (e *Error) Error() string { return e.err.Error() }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.err }

// StateOf returns the state a session takes because of err: the State of
// an Error anywhere in its chain, else Failed. A nil error changes nothing
// and gives "".
func StateOf(err error) v1alpha1.State {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.State != "" {
		return e.State
	}
	return v1alpha1.StateFailed
}

func denied(format string, a ...any) error {
	return &Error{State: v1alpha1.StateDenied, err: fmt.Errorf(format, a...)}
}

func failed(format string, a ...any) error {
	return &Error{State: v1alpha1.StateFailed, err: fmt.Errorf(format, a...)}
}

func failedErr(err error) error {
	if err == nil {
		return nil
	}
	return &Error{State: v1alpha1.StateFailed, err: err}
}

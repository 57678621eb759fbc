package render

import "github.com/crossplane/function-sdk-go/errors"

// Limits bound what one Render call may cost. Templates come from platform
// configuration, not from requesters, but a mistake in one must not take the
// function down: every loop, every allocation and every byte of output is
// counted against these limits, and exceeding one is an error, never a hang.
type Limits struct {
	// MaxTemplateBytes is the longest string value that is parsed as a
	// template.
	MaxTemplateBytes int
	// MaxStringBytes is the longest string a template function may produce.
	MaxStringBytes int
	// MaxIterations is the number of range iterations a Render call may run,
	// over all its templates.
	MaxIterations int
	// MaxWork is the number of work units a Render call may use: roughly one
	// per byte a function reads or produces, plus a fixed cost per function
	// call and per template node run in a loop.
	MaxWork int64
	// MaxDepth is how deeply values and templates may nest.
	MaxDepth int
}

// DefaultLimits are generous for any real Kubernetes object and small enough
// that the worst template costs well under a second.
var DefaultLimits = Limits{
	MaxTemplateBytes: 64 << 10,
	MaxStringBytes:   1 << 20,
	MaxIterations:    10000,
	MaxWork:          8 << 20,
	MaxDepth:         64,
}

const (
	// callCost is charged for every function call, so that a long chain of
	// cheap calls in a loop is bounded too.
	callCost = 16
	// nodeCost is charged per template node run in a loop iteration.
	nodeCost = 32
	// elemCost is the size charged for each element of a list or dictionary
	// and for each scalar, on top of the bytes of its strings.
	elemCost = 16
	// serialiseFactor bounds how much larger than its input a YAML or JSON
	// document can be: escapes and indentation.
	serialiseFactor = 16
)

// ErrOutputLimit is returned, wrapped, when a Render call would produce more
// output than its caller allowed.
var ErrOutputLimit = errors.New("rendered output exceeds its limit")

// ErrLimit is returned, wrapped, when a template exceeds one of its Limits:
// too many loop iterations, too much work, too long a string, too deep a
// value.
var ErrLimit = errors.New("the template exceeds a limit")

// errBudget is the error of a template that exceeds a limit.
type errBudget struct{ msg string }

func (e *errBudget) Error() string { return e.msg }

// Is makes errors.Is(err, ErrLimit) true.
func (e *errBudget) Is(target error) bool { return target == ErrLimit }

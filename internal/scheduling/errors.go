package scheduling

import (
	"fmt"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// A user who asks for something the constraints forbid is Denied;
// constraints that contradict themselves or cannot be enforced make the
// session Failed, because only the platform team can fix them. Both name the
// object and field at fault, and write their message out in full because
// merge conflicts name two objects.

func denied(object, field, format string, a ...any) error {
	return outcome.New(v1alpha1.StateDenied, object, field, fmt.Sprintf(format, a...))
}

func failed(object, field, format string, a ...any) error {
	return outcome.New(v1alpha1.StateFailed, object, field, fmt.Sprintf(format, a...))
}

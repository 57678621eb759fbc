package lifecycle

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// Defaults of the constraints that the layering leaves unset.
const (
	// DefaultDuration of a session that asks for none when the constraints
	// set no defaultDuration either.
	DefaultDuration = time.Hour
	// DefaultApprovalTimeout is how long a session may wait for approval.
	DefaultApprovalTimeout = 24 * time.Hour
	// DefaultMaxRenewals applies when the constraints allow renewals without
	// limiting their number. Without it a session with no maxDuration could
	// be renewed forever, which no break-glass policy intends.
	DefaultMaxRenewals int32 = 3
)

// limits are a session's constraints, parsed and defaulted.
type limits struct {
	// duration is the length of the session and of each renewal.
	duration time.Duration
	// requested is spec.duration, zero when the session asks for none.
	requested time.Duration
	// max is constraints.maxDuration, zero when unset.
	max time.Duration
	// total caps the session's time including renewals: maxDuration when
	// set, else the duration times one plus the renewals allowed.
	total           time.Duration
	renewals        bool
	maxRenewals     int32
	approvalTimeout time.Duration
	// concurrent is maxConcurrentSessions, zero when unlimited.
	concurrent int32
	// renewalsClosed, when set, says why no further renewal may be granted
	// at all.
	renewalsClosed string
	warnings       []string
}

// parseLimits parses the effective constraints. A constraint that is not a
// positive duration is a configuration error, returned as an error that
// names the object that set it (sources, by field) so that the caller can
// keep a running session's resources instead of failing it. A spec.duration
// that cannot be parsed is the requester's mistake and is reported in
// badRequest.
func parseLimits(c v1alpha1.Constraints, sources map[string]string, spec string) (l limits, badRequest string, err error) {
	broken := func(f, format string, a ...any) error {
		// Only a set constraint can be broken, and resolution names the
		// object that set each; a field without a source reads as before.
		field := "constraints." + f
		if src := sources[field]; src != "" {
			return outcome.Failed(src, "spec."+field, format, a...)
		}
		return outcome.Failed("", field, format, a...)
	}
	if l.max, err = positive(broken, "maxDuration", c.MaxDuration); err != nil {
		return l, "", err
	}
	def, err := positive(broken, "defaultDuration", c.DefaultDuration)
	if err != nil {
		return l, "", err
	}
	if l.approvalTimeout, err = positive(broken, "approvalTimeout", c.ApprovalTimeout); err != nil {
		return l, "", err
	}
	if l.approvalTimeout == 0 {
		l.approvalTimeout = DefaultApprovalTimeout
	}
	if n := c.MaxConcurrentSessions; n != nil {
		if *n < 1 {
			return l, "", broken("maxConcurrentSessions", "%d must be at least 1", *n)
		}
		l.concurrent = *n
	}
	l.renewals = c.AllowRenewal == nil || *c.AllowRenewal
	l.maxRenewals = DefaultMaxRenewals
	if n := c.MaxRenewals; n != nil {
		if *n < 0 {
			return l, "", broken("maxRenewals", "%d must not be negative", *n)
		}
		l.maxRenewals = *n
	}
	if !l.renewals {
		l.maxRenewals = 0
	}

	l.duration = DefaultDuration
	if def > 0 {
		l.duration = def
	}
	if spec != "" {
		// A session that has started keeps running on the default when its
		// spec.duration became unreadable; one that has not is denied.
		d, perr := time.ParseDuration(spec)
		if perr != nil || d <= 0 {
			badRequest = fmt.Sprintf("The requested duration %q is not a positive duration such as 1h or 30m.", spec)
		} else {
			l.requested, l.duration = d, d
		}
	}
	// A default longer than the maximum is a configuration slip across
	// layers (a binding lowers maxDuration, the template keeps its default);
	// the requester did not ask for it, so the session gets the maximum.
	if l.requested == 0 && l.max > 0 && l.duration > l.max {
		l.warnings = append(l.warnings, fmt.Sprintf("The default duration %s exceeds the maximum duration %s; the session lasts %s.", human(l.duration), human(l.max), human(l.max)))
		l.duration = l.max
	}

	l.total = l.max
	if l.total == 0 {
		l.total = mul(l.duration, int64(l.maxRenewals)+1)
	}
	return l, badRequest, nil
}

// positive parses an optional duration constraint.
func positive(broken func(field, format string, a ...any) error, field, v string) (time.Duration, error) {
	if strings.TrimSpace(v) == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, broken(field, "%q is not a duration such as 1h or 30m", v)
	}
	if d <= 0 {
		return 0, broken(field, "%q must be positive", v)
	}
	return d, nil
}

// usefulRenewals is the number of renewals after which another renewal can
// no longer extend the session, because the total cap is reached.
func (l limits) usefulRenewals() int32 {
	if l.duration <= 0 || l.duration >= l.total {
		return 0
	}
	n := (int64(l.total)+int64(l.duration)-1)/int64(l.duration) - 1
	if n > math.MaxInt32 {
		return math.MaxInt32
	}
	return int32(n) //nolint:gosec // Bounded by the check above.
}

// renew returns the renewals a session has used, given how many its spec
// asks for and how many were granted before, and why a request was refused.
// A refused renewal never ends the session: it keeps the time it has.
func renew(requested, granted int32, l limits) (int32, string) {
	used := max(min(granted, requested), 0)
	if requested <= used {
		return used, ""
	}
	if !l.renewals {
		return used, "Renewal refused: renewals are not allowed for this session."
	}
	if l.renewalsClosed != "" {
		return used, fmt.Sprintf("Renewal refused: %s; the session keeps the time it has.", l.renewalsClosed)
	}
	target, why := requested, ""
	if target > l.maxRenewals {
		target, why = l.maxRenewals, fmt.Sprintf("at most %s allowed", plural(int64(l.maxRenewals), "renewal is", "renewals are"))
	}
	if u := l.usefulRenewals(); target > u {
		target, why = u, fmt.Sprintf("the session may not run longer than %s in total", human(l.total))
	}
	used = max(used, target)
	if requested > used {
		return used, fmt.Sprintf("Renewal refused: %s (%d requested, %d granted).", why, requested, used)
	}
	return used, ""
}

// mul multiplies a duration, saturating instead of overflowing: durations
// come from user input.
func mul(d time.Duration, n int64) time.Duration {
	if d <= 0 || n <= 0 {
		return 0
	}
	if int64(d) > math.MaxInt64/n {
		return math.MaxInt64
	}
	return d * time.Duration(n)
}

// add adds two non-negative durations, saturating instead of overflowing.
func add(a, b time.Duration) time.Duration {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// human formats a duration without zero units: 1h, 90m becomes 1h30m.
func human(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

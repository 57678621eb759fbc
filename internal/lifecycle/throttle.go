package lifecycle

import (
	"time"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
)

// Crossplane keeps a watch circuit breaker per XR. When the XR's watch
// events come faster than it allows, it opens for minutes, drops them but one
// every 30 seconds, and says so in the XR's Responsive condition. A session
// is an eventful XR while it starts, so that happens to sessions on a
// Crossplane with the default settings. While it is open nothing but the TTL
// brings Crossplane back promptly: not the workload becoming ready, not the
// requester terminating the session, not an approval.
const (
	conditionResponsive    xpv2.ConditionType   = "Responsive"
	reasonWatchCircuitOpen xpv2.ConditionReason = "WatchCircuitOpen"

	// ThrottledTTL is the longest TTL while the breaker is open: Crossplane
	// calls back at this pace instead of every 30 seconds, one session at a
	// time and only until the breaker closes.
	ThrottledTTL = 5 * time.Second
)

// Conditioned is the observed session's conditions, as Crossplane set them
// before it called the function.
type Conditioned interface {
	GetCondition(ct xpv2.ConditionType) xpv2.Condition
}

// Throttled reports whether Crossplane's watch circuit breaker is open for
// the session.
func Throttled(xr Conditioned) bool {
	c := xr.GetCondition(conditionResponsive)
	return c.Status == corev1.ConditionFalse && c.Reason == reasonWatchCircuitOpen
}

// ThrottleTTL is ttl, or ThrottledTTL when that is shorter and the session's
// watch circuit breaker is open.
func ThrottleTTL(ttl time.Duration, xr Conditioned) time.Duration {
	if Throttled(xr) {
		return min(ttl, ThrottledTTL)
	}
	return ttl
}

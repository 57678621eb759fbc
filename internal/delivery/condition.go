package delivery

import (
	"math"
	"strings"
	"time"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/crossplane/function-sdk-go/resource/composed"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// readyCondition is o.GetCondition(Ready), read from the object's map.
// GetCondition encodes the whole status to JSON and decodes it again on
// every call, for every observed object, which made readiness a tenth of a
// steady call. Only a status exactly as Crossplane writes it takes this
// path; anything else (a field of another type or spelled another way, a
// time that is not RFC 3339, a number JSON cannot hold) goes through
// GetCondition, so that both read every object the same way.
func readyCondition(o *composed.Unstructured) xpv2.Condition {
	status, _ := o.Object["status"].(map[string]any)
	list, ok := status["conditions"].([]any)
	if !ok || !plainStatus(status) {
		return o.GetCondition(xpv2.TypeReady)
	}
	var found *xpv2.Condition
	for _, e := range list {
		c, ok := plainCondition(e)
		if !ok {
			return o.GetCondition(xpv2.TypeReady)
		}
		if found == nil && c.Type == xpv2.TypeReady {
			found = &c
		}
	}
	if found == nil {
		return xpv2.Condition{Type: xpv2.TypeReady, Status: corev1.ConditionUnknown}
	}
	return *found
}

// plainStatus reports whether JSON encodes status as it is and decodes its
// conditions from the "conditions" key alone (encoding/json matches keys
// case-insensitively).
func plainStatus(status map[string]any) bool {
	for k, v := range status {
		if k != "conditions" && strings.EqualFold(k, "conditions") {
			return false
		}
		if !finite(v) {
			return false
		}
	}
	return true
}

// finite reports whether v holds no number JSON cannot encode.
func finite(v any) bool {
	switch v := v.(type) {
	case float64:
		return !math.IsNaN(v) && !math.IsInf(v, 0)
	case map[string]any:
		for _, e := range v {
			if !finite(e) {
				return false
			}
		}
	case []any:
		for _, e := range v {
			if !finite(e) {
				return false
			}
		}
	}
	return true
}

// plainCondition reads a condition whose fields are all strings, but for
// an integral observedGeneration, and whose time is RFC 3339, as
// metav1.Time decodes it.
func plainCondition(e any) (xpv2.Condition, bool) {
	m, ok := e.(map[string]any)
	if !ok {
		return xpv2.Condition{}, false
	}
	var c xpv2.Condition
	for k, v := range m {
		if k == "observedGeneration" {
			n, ok := v.(float64)
			if !ok || n != math.Trunc(n) || math.Abs(n) > 1<<53 {
				return c, false
			}
			c.ObservedGeneration = int64(n)
			continue
		}
		s, ok := v.(string)
		if !ok {
			return c, false
		}
		switch k {
		case "type":
			c.Type = xpv2.ConditionType(s)
		case "status":
			c.Status = corev1.ConditionStatus(s)
		case "reason":
			c.Reason = xpv2.ConditionReason(s)
		case "message":
			c.Message = s
		case "lastTransitionTime":
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return c, false
			}
			c.LastTransitionTime = metav1.NewTime(t.Local())
		default:
			return c, false
		}
	}
	return c, true
}

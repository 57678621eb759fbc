package delivery

import (
	"fmt"
	"strings"

	"github.com/crossplane/function-sdk-go/resource"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
)

// WorkloadFinished says how the workload called name ended when it is a Job
// that has completed or failed ("Job completed on prod-cluster-a", "Job
// failed on prod-cluster-a (BackoffLimitExceeded: ...)"), or returns ""
// while it runs, for every other kind, and when nothing has been observed.
func (t Target) WorkloadFinished(name resource.Name, observed map[resource.Name]resource.ObservedComposed) string {
	oc, ok := observed[name]
	if !ok || oc.Resource == nil {
		return ""
	}
	w, cluster := oc.Resource, ""
	if t.Mode != v1beta1.DeliveryLocal {
		if w = observedWorkload(oc.Resource); w == nil {
			return ""
		}
		cluster = t.Cluster
	}
	r := localReadiness(w)
	if !r.Finished {
		return ""
	}
	return onCluster(r.Message, cluster)
}

// jobReadiness wants every pod of a Job ready or succeeded, and calls a
// completed Job ready: it did what it was asked, and its finished pods (and
// their logs) stay until the session ends. A failed Job is not ready, and
// finished: its pods are not coming back, and the message says why it
// failed (its backoff limit, or the deadline set from the session's expiry).
//
// A Job's status has no observedGeneration, so unlike the other workloads
// its status cannot be told stale; the counts below are the Job
// controller's latest.
func jobReadiness(j *batchv1.Job) Readiness {
	for _, c := range j.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			return Readiness{Observed: true, Ready: true, Finished: true, Message: "Job completed"}
		case batchv1.JobFailed:
			why := c.Reason
			if c.Message != "" {
				why = strings.TrimPrefix(why+": "+c.Message, ": ")
			}
			msg := "Job failed"
			if why != "" {
				msg += " (" + why + ")"
			}
			return Readiness{Observed: true, Finished: true, Message: msg}
		}
	}
	want := int32(1) // The API server's default.
	if j.Spec.Completions != nil {
		want = *j.Spec.Completions
	}
	ready := int32(0)
	if j.Status.Ready != nil {
		ready = *j.Status.Ready
	}
	if ready+j.Status.Succeeded >= want {
		return Readiness{Observed: true, Ready: true}
	}
	msg := fmt.Sprintf("Job has %d of %d pods ready", ready, want)
	if j.Status.Succeeded > 0 {
		msg += fmt.Sprintf(", %d finished", j.Status.Succeeded)
	}
	return Readiness{Observed: true, Message: msg}
}

// celJobReady says on the target cluster what jobReadiness says here. The
// counts are converted to double because the provider's JSON numbers are
// doubles and CEL adds no int to a double.
const celJobReady = "has(object.status) &&\n" +
	"(has(object.status.conditions) && object.status.conditions.exists(c, c.type == 'Complete' && c.status == 'True') ||\n" +
	"  !(has(object.status.conditions) && object.status.conditions.exists(c, c.type == 'Failed' && c.status == 'True')) &&\n" +
	"  double(has(object.status.ready) ? object.status.ready : 0) + double(has(object.status.succeeded) ? object.status.succeeded : 0) >=\n" +
	"    double(has(object.spec.completions) ? object.spec.completions : 1))"

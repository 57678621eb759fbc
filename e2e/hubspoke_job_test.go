//go:build e2e

package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

func TestSpokeJob(t *testing.T) {
	t.Parallel()
	admin.ApplyFile(t, "hubspoke.yaml")
	admin.ApplyFile(t, "job.yaml")

	// A name long enough that the workload name is cut to 57 characters:
	// the Job's pods are generated from "<job>-", which the API server must
	// keep whole for the name-prefix policies to recognise them.
	s := spokeSession("spoke-job-with-a-long-name-for-the-prefixes-check", "e2e-spoke-job", clusterA, alice)
	s.Spec.Duration = "20m"
	create(t, alice, s)
	got := waitForState(t, s, v1alpha1.StateActive)
	if got.Status.Workload == nil || got.Status.Workload.Kind != "Job" {
		t.Fatalf("status.workload: want a Job, got %+v", got.Status.Workload)
	}
	if n := len(got.Status.Workload.Name); n != 57 {
		t.Errorf("workload name %q has %d characters; want the longest, 57", got.Status.Workload.Name, n)
	}
	u := requireSpokeWorkload(t, got, clusterA)
	prefix := got.Status.Workload.Name + "-"

	t.Run("BoundedByTheSession", func(t *testing.T) {
		job := &batchv1.Job{}
		if !targetA.Get(t, job, "-n", targetNamespace, "job", u.GetName()) {
			t.Fatalf("Job %s is not on %s", u.GetName(), clusterA)
		}
		activated, err := time.Parse(time.RFC3339, got.Status.ActivatedAt)
		if err != nil {
			t.Fatalf("status.activatedAt: %v", err)
		}
		expires, err := time.Parse(time.RFC3339, got.Status.ExpiresAt)
		if err != nil {
			t.Fatalf("status.expiresAt: %v", err)
		}
		want := int64(expires.Sub(activated) / time.Second)
		if want != 20*60 {
			t.Errorf("a 20m session runs %ds from %s to %s", want, got.Status.ActivatedAt, got.Status.ExpiresAt)
		}
		if d := job.Spec.ActiveDeadlineSeconds; d == nil || *d != want {
			t.Errorf("Job %s activeDeadlineSeconds: want %d (activatedAt to expiresAt), got %v", job.Name, want, d)
		}
		if b := job.Spec.BackoffLimit; b == nil || *b != 1 {
			t.Errorf("Job %s backoffLimit: want the template's 1, got %v", job.Name, b)
		}
		if p := job.Spec.Template.Spec.RestartPolicy; p != corev1.RestartPolicyNever {
			t.Errorf("Job %s restartPolicy: want Never for a pod template that leaves it unset, got %q", job.Name, p)
		}
	})

	t.Run("MandatoryConstraintsHold", func(t *testing.T) {
		allowed := []string{nodeAWorker1, nodeAWorker2}
		check := func() string {
			for _, p := range sessionPodsOn(t, targetA, s.Name) {
				if !strings.HasPrefix(p.Name, prefix) {
					return fmt.Sprintf("pod %s does not start with %q, so no name-prefix policy recognises it", p.Name, prefix)
				}
				if n := podNode(p); n != "" && !slices.Contains(allowed, n) {
					return fmt.Sprintf("pod %s is on node %s (allowed: %v)", p.Name, n, allowed)
				}
			}
			return ""
		}
		eventually(t, 60*time.Second, "target A's scheduler binds both pods of the Job to allowed nodes", func() (bool, string, error) {
			if msg := check(); msg != "" {
				return false, msg, errStop{msg: msg}
			}
			bound := boundNodes(sessionPodsOn(t, targetA, s.Name))
			return len(bound) == 2, fmt.Sprintf("pods bound to %v", bound), nil
		})
		consistently(t, settle, "no debug pod of the Job on a node the template denies", func() (bool, string) {
			msg := check()
			return msg == "", msg
		})
	})

	t.Run("PolicyRecognisesTheJobsPods", func(t *testing.T) {
		policies := &admissionregistrationv1.ValidatingAdmissionPolicyList{}
		targetA.List(t, policies, "validatingadmissionpolicies", "-l", v1alpha1.LabelSession+"="+s.Name)
		var denied string
		for _, p := range policies.Items {
			if strings.HasSuffix(p.Name, "-denied-nodes") {
				denied = p.Name
			}
		}
		if denied == "" {
			t.Fatalf("the denied-nodes ValidatingAdmissionPolicy of %s is not on %s", s.Name, clusterA)
		}
		// A pod named as the Job controller names them, bound by hand to
		// the node the glob denies: the denied-nodes policy refuses it.
		probe := probeName(prefix)
		createProbePod(t, targetA, s.Name, probe)
		if err := bindToNode(targetA, probe, nodeARestricted); err == nil || !strings.Contains(err.Error(), denied) {
			t.Errorf("binding pod %s to %s on %s: want ValidatingAdmissionPolicy %s to reject it, got error %v", probe, nodeARestricted, clusterA, denied, err)
		}
	})

	t.Run("ActiveWhenItsPodsRun", func(t *testing.T) {
		podsReadyAt(t, targetA, s.Name, 2)
		readySince(t, s)
		if msg := getSession(t, s).Status.Message; strings.Contains(msg, "Waiting for the debug pods") {
			t.Errorf("a Ready Job session still says it waits: %q", msg)
		}
	})

	t.Run("RemovedWhenTheSessionEnds", func(t *testing.T) {
		if err := patchSession(alice, s, `{"terminate":true}`); err != nil {
			t.Fatalf("alice cannot terminate her own session: %v", err)
		}
		waitForState(t, s, v1alpha1.StateTerminated)
		eventually(t, sessionTimeout, "the Job and its pods gone from "+clusterA, func() (bool, string, error) {
			job := &batchv1.Job{}
			if targetA.Get(t, job, "-n", targetNamespace, "job", u.GetName()) {
				return false, "the Job is still there", nil
			}
			var left []string
			for _, p := range sessionPodsOn(t, targetA, s.Name) {
				if p.Name != probeName(prefix) {
					left = append(left, p.Name)
				}
			}
			return len(left) == 0, fmt.Sprintf("pods left: %v", left), nil
		})
	})
}

// probeName is the name of the hand-made pod of PolicyRecognisesTheJobsPods,
// which belongs to no Job and so is not removed with it.
func probeName(prefix string) string { return prefix + "probe" }

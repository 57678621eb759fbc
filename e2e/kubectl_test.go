//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/crossplane/function-sdk-go/errors"
)

// kubectl runs the control plane's own kubectl, as the admin or, through
// impersonation, as a user. The tests drive the cluster the way people do,
// with kubectl, so that what they prove is what a platform team and its users
// get: admission policies and RBAC see exactly the identity a real user would
// have, because impersonation replaces the admin's identity entirely.
type kubectl struct {
	bin        string
	kubeconfig string
	user       string
	groups     []string
}

// As returns a kubectl that acts as user with groups.
func (k kubectl) As(user string, groups ...string) kubectl {
	k.user = user
	k.groups = groups
	return k
}

// Run runs kubectl with stdin and returns its standard output. The error
// carries kubectl's standard error, which is where the API server's reason
// for a refusal (an admission policy's message, say) ends up.
func (k kubectl) Run(stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	full := []string{"--kubeconfig", k.kubeconfig}
	if k.user != "" {
		full = append(full, "--as", k.user)
		for _, g := range k.groups {
			full = append(full, "--as-group", g)
		}
	}
	full = append(full, args...)
	cmd := exec.CommandContext(ctx, k.bin, full...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// MustRun is Run that fails the test on error.
func (k kubectl) MustRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, err := k.Run(stdin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ApplyFile applies a file from testdata. Server-side apply keeps re-applying
// idempotent when a previous run left the objects behind.
func (k kubectl) ApplyFile(t *testing.T, name string) {
	t.Helper()
	k.MustRun(t, "", "apply", "--server-side", "--force-conflicts", "-f", "testdata/"+name)
}

// Create creates obj, given as a Go value, and returns kubectl's error.
func (k kubectl) Create(obj any) error {
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	_, err = k.Run(string(b), "create", "-f", "-")
	return err
}

// Get reads one object into into. It reports whether the object exists.
func (k kubectl) Get(t *testing.T, into any, args ...string) bool {
	t.Helper()
	out, err := k.Run("", append([]string{"get", "-o", "json", "--ignore-not-found"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(out) == "" {
		return false
	}
	if err := json.Unmarshal([]byte(out), into); err != nil {
		t.Fatalf("cannot decode kubectl get %s: %v", strings.Join(args, " "), err)
	}
	return true
}

// List reads a list of objects into into (a struct with an Items field).
func (k kubectl) List(t *testing.T, into any, args ...string) {
	t.Helper()
	out := k.MustRun(t, "", append([]string{"get", "-o", "json"}, args...)...)
	if err := json.Unmarshal([]byte(out), into); err != nil {
		t.Fatalf("cannot decode kubectl get %s: %v", strings.Join(args, " "), err)
	}
}

// errStop, returned by a condition, ends eventually at once: waiting longer
// cannot help (a session that was Denied will not become Active).
type errStop struct{ msg string }

func (e errStop) Error() string { return e.msg }

// eventually polls cond until it returns true, or fails the test after
// timeout with the last thing cond reported. cond returns a description of
// what it saw, so a timeout says what the cluster looked like, not only that
// something did not happen.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, string, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		ok, seen, err := cond()
		if seen != "" {
			last = seen
		}
		var stop errStop
		switch {
		case ok:
			return
		case errors.As(err, &stop):
			t.Fatalf("%s: %s", what, stop.msg)
		case err != nil:
			last = err.Error()
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true after %s; last seen: %s", what, timeout, last)
		}
		time.Sleep(time.Second)
	}
}

// consistently checks cond for d and fails the test the first time it is
// false: for things that must never happen, such as a pod on a denied node.
func consistently(t *testing.T, d time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		if ok, seen := cond(); !ok {
			t.Fatalf("%s: %s", what, seen)
		}
		if time.Now().After(deadline) {
			return
		}
		time.Sleep(time.Second)
	}
}

// env returns an environment variable that the harness must set.
func env(name string) (string, error) {
	v := os.Getenv(name)
	if v == "" {
		return "", fmt.Errorf("%s is not set: run the e2e tests with 'make e2e', or start the stack with hack/e2e/up.sh and run them through hack/e2e/exec.sh", name)
	}
	return v, nil
}

//go:build e2e

// Package e2e proves what a platform team gets from function-debug-session on
// a real control plane: etcd, kube-apiserver, kube-controller-manager and
// kube-scheduler from Kubernetes, Crossplane core pulling the Function package
// from a loopback registry, the function running with mTLS, and fake nodes
// the real scheduler places pods on. hack/e2e/up.sh starts all of it; the
// tests act as users through impersonation. See README.md in this directory.
package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
)

// The users the tests act as. Their groups are what the fixtures' allowlists,
// approvers and RBAC refer to.
var (
	alice = user{name: "alice@example.com", groups: []string{"tenant-a-admins"}}
	bob   = user{name: "bob@example.com", groups: []string{"tenant-b-admins"}}
	carol = user{name: "carol@example.com", groups: []string{"security-team"}}
)

type user struct {
	name   string
	groups []string
}

const (
	cluster         = "e2e-cluster"
	configNamespace = "breakglass-system"

	// targetNamespace is where the templates put debug workloads, and so
	// where the sessions live: with Local delivery Crossplane composes the
	// resources of a namespaced DebugSession only in its own namespace.
	// Tests keep apart by session names, which start with the test's name.
	targetNamespace = "breakglass-debug"

	// sessionTimeout bounds how long a session may take to reach a state:
	// Crossplane reconciles an XR within seconds of a change, and the
	// harness polls every 10s when nothing changes.
	sessionTimeout = 90 * time.Second
)

// admin is the control plane's kubectl with the admin identity; targetA and
// targetB are the target clusters' kubectl with their admin identities.
// TestMain sets them up from the environment that hack/e2e/exec.sh provides.
var admin, targetA, targetB kubectl

func TestMain(m *testing.M) {
	var bin string
	err := firstError(
		func() (err error) { bin, err = env("E2E_KUBECTL"); return err },
		func() (err error) { admin.kubeconfig, err = env("KUBECONFIG"); return err },
		func() (err error) { targetA.kubeconfig, err = env("E2E_TARGET_A_KUBECONFIG"); return err },
		func() (err error) { targetB.kubeconfig, err = env("E2E_TARGET_B_KUBECONFIG"); return err },
	)
	admin.bin, targetA.bin, targetB.bin = bin, bin, bin
	if err == nil {
		err = setup()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e setup:", err)
		if logs := os.Getenv("E2E_LOGS"); logs != "" {
			fmt.Fprintf(os.Stderr, "e2e setup: component logs are in %s (crossplane.log, function.log, kube-apiserver.log)\n", logs)
		}
		os.Exit(1)
	}
	code := m.Run()
	if code == 0 {
		if err := breakerStayedClosed(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// firstError runs fns in order until one fails, and returns its error.
func firstError(fns ...func() error) error {
	for _, fn := range fns {
		if err := fn(); err != nil {
			return err
		}
	}
	return nil
}

// setup applies what every test shares and checks that the stack is what the
// tests expect: the DebugSession API served and the fake nodes schedulable.
func setup() error {
	if _, err := admin.Run("", "wait", "--for=condition=Established", "--timeout=60s", "crd/debugsessions.breakglass.telekom.de"); err != nil {
		return fmt.Errorf("the DebugSession XRD is not established (read crossplane.log): %w", err)
	}
	if _, err := admin.Run("", "apply", "--server-side", "--force-conflicts", "-f", "testdata/common.yaml"); err != nil {
		return err
	}
	// The target namespace needs its default ServiceAccount before any pod
	// can be created there; the serviceaccount controller adds it.
	deadline := time.Now().Add(time.Minute)
	for {
		_, err := admin.Run("", "-n", targetNamespace, "get", "serviceaccount", "default")
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no default ServiceAccount in %s (read kube-controller-manager.log): %w", targetNamespace, err)
		}
		time.Sleep(time.Second)
	}
}

// session is a DebugSession as user u would write it for template.
func session(name, template string, u user) *v1alpha1.DebugSession {
	return &v1alpha1.DebugSession{
		TypeMeta: metav1.TypeMeta{APIVersion: v1alpha1.APIVersion, Kind: "DebugSession"},
		ObjectMeta: metav1.ObjectMeta{
			Namespace: targetNamespace,
			Name:      name,
			Labels:    map[string]string{v1alpha1.LabelCluster: cluster},
		},
		Spec: v1alpha1.DebugSessionSpec{
			TemplateRef:     v1alpha1.ObjectReference{Name: template},
			Cluster:         cluster,
			RequestedBy:     u.name,
			RequesterGroups: u.groups,
			Reason:          "e2e: " + name,
		},
	}
}

// clusterSession is a session of the cluster-scoped twin of the DebugSession
// XRD that hack/e2e/up.sh installs: Crossplane composes cluster-scoped
// resources, and resources in other namespaces, only for cluster-scoped XRs.
func clusterSession(name, template string, u user) *v1alpha1.DebugSession {
	s := session(name, template, u)
	s.APIVersion = "e2e.breakglass.telekom.de/v1alpha1"
	s.Kind = "ClusterDebugSession"
	s.Namespace = ""
	return s
}

// create creates s as user u and registers its deletion, and the forced
// deletion of its pods: nothing acknowledges the deletion of a pod bound to a
// node without a kubelet.
func create(t *testing.T, u user, s *v1alpha1.DebugSession) {
	t.Helper()
	createWith(t, u, s, compositionFor(s))
}

// Compositions that hack/e2e/up.sh installs besides the shipped one, which
// is the default of the DebugSession XRD.
const (
	// localComposition is the shipped Composition switched to Local
	// delivery, for sessions on e2e-cluster, the control plane itself.
	localComposition = "e2e-local-debug-session"
	// watchComposition is the shipped Composition with delivery.watch.
	watchComposition = "e2e-watch-debug-session"
	// remoteClusterComposition delivers ClusterDebugSessions through
	// cluster-scoped Objects to the target clusters.
	remoteClusterComposition = "e2e-cluster-debug-session-remote"
)

// compositionFor names the Composition a test session uses: the Local copy
// for a namespaced session on the control plane, and otherwise the XRD's
// default (the shipped Composition; the Local copy for the cluster-scoped
// twin).
func compositionFor(s *v1alpha1.DebugSession) string {
	if s.Kind == "DebugSession" && s.Spec.Cluster == cluster {
		return localComposition
	}
	return ""
}

// createWith creates s as user u with the Composition named composition,
// or the XRD's default when it is empty.
func createWith(t *testing.T, u user, s *v1alpha1.DebugSession, composition string) {
	t.Helper()
	var obj any = s
	if composition != "" {
		// The Go type has no spec.crossplane, which Crossplane adds to
		// every XR's schema.
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		m["spec"].(map[string]any)["crossplane"] = map[string]any{"compositionRef": map[string]any{"name": composition}}
		obj = m
	}
	if err := admin.As(u.name, u.groups...).Create(obj); err != nil {
		t.Fatalf("%s cannot create %s %s: %v", u.name, s.Kind, s.Name, err)
	}
	t.Cleanup(func() { deleteSession(t, s) })
}

func deleteSession(t *testing.T, s *v1alpha1.DebugSession) {
	if _, err := admin.Run("", append(append([]string{"delete"}, sessionArgs(s)...), "--ignore-not-found", "--timeout=60s")...); err != nil {
		t.Logf("cannot delete %s %s: %v", s.Kind, s.Name, err)
	}
	if _, err := admin.Run("", "-n", targetNamespace, "delete", "pods", "-l", v1alpha1.LabelSession+"="+s.Name,
		"--grace-period=0", "--force", "--ignore-not-found"); err != nil {
		t.Logf("cannot delete the pods of %s %s: %v", s.Kind, s.Name, err)
	}
}

// sessionArgs are the kubectl arguments that name s: its namespace, if any,
// then its fully qualified resource type and name, so that a DebugSession
// and its cluster-scoped twin are never confused.
func sessionArgs(s *v1alpha1.DebugSession) []string {
	group := strings.SplitN(s.APIVersion, "/", 2)[0]
	args := []string{strings.ToLower(s.Kind) + "." + group, s.Name}
	if s.Namespace != "" {
		args = append([]string{"-n", s.Namespace}, args...)
	}
	return args
}

// getSession reads a session as the admin.
func getSession(t *testing.T, s *v1alpha1.DebugSession) *v1alpha1.DebugSession {
	t.Helper()
	got := &v1alpha1.DebugSession{}
	if !admin.Get(t, got, sessionArgs(s)...) {
		t.Fatalf("%s %s does not exist", s.Kind, s.Name)
	}
	return got
}

// waitForState waits until the session is in one of want. A session that
// reaches another terminal state fails the test at once with its message.
func waitForState(t *testing.T, s *v1alpha1.DebugSession, want ...v1alpha1.State) *v1alpha1.DebugSession {
	t.Helper()
	var got *v1alpha1.DebugSession
	eventually(t, sessionTimeout, fmt.Sprintf("%s %s in state %v", s.Kind, s.Name, want), func() (bool, string, error) {
		got = getSession(t, s)
		seen := fmt.Sprintf("state %q, message %q", got.Status.State, got.Status.Message)
		for _, w := range want {
			if got.Status.State == w {
				return true, seen, nil
			}
		}
		if got.Status.State.Ended() {
			return false, seen, errStop{msg: seen}
		}
		return false, seen, nil
	})
	return got
}

// sessionPods lists the pods of a session in the target namespace.
func sessionPods(t *testing.T, name string) []corev1.Pod {
	t.Helper()
	l := &corev1.PodList{}
	admin.List(t, l, "-n", targetNamespace, "pods", "-l", v1alpha1.LabelSession+"="+name)
	return l.Items
}

// waitForSettled waits until the function has decided something about the
// session, and returns it in whatever state that is. Tests use it where the
// outcome tells whether a feature exists yet.
func waitForSettled(t *testing.T, s *v1alpha1.DebugSession) *v1alpha1.DebugSession {
	t.Helper()
	var got *v1alpha1.DebugSession
	eventually(t, sessionTimeout, fmt.Sprintf("%s %s to leave Pending", s.Kind, s.Name), func() (bool, string, error) {
		got = getSession(t, s)
		return got.Status.State != "" && got.Status.State != v1alpha1.StatePending,
			fmt.Sprintf("state %q, message %q", got.Status.State, got.Status.Message), nil
	})
	return got
}

// patchSession merge-patches the session's spec as user u.
func patchSession(u user, s *v1alpha1.DebugSession, spec string) error {
	_, err := admin.As(u.name, u.groups...).Run("", append(append([]string{"patch"}, sessionArgs(s)...), "--type=merge", "-p", `{"spec":`+spec+`}`)...)
	return err
}

// exists tells whether an object exists.
func exists(t *testing.T, args ...string) bool {
	t.Helper()
	var obj map[string]any
	return admin.Get(t, &obj, args...)
}

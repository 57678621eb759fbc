package resolution

import (
	"slices"
	"testing"

	"github.com/crossplane/function-sdk-go/errors"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// FuzzResolve feeds arbitrary names, globs and selectors through resolution
// and checks what must hold for every input: no panic, the same answer
// twice, sorted unique warnings, a picked binding that admits the requester,
// and every applying binding's scheduling constraints handed on.
func FuzzResolve(f *testing.F) {
	f.Add("prod-cluster-a", "alice@example.com", "sre-oncall", "prod-*", "*@example.com", "sre-*", "environment", "In", "production", int32(100), true, "")
	f.Add("", "", "", "[", "]", "[!", "bad key!", "Foo", "", int32(-1), false, "x")
	f.Add("tenant-a", "ANN@x", "tenant-a-admins", "*", "ann@x", "tenant-?-admins", "tenant", "Exists", "v", int32(0), true, "b")
	f.Fuzz(func(t *testing.T, cluster, user, group, clusterGlob, userGlob, groupGlob, selKey, selOp, selVal string, prio int32, add bool, ref string) {
		mode := v1alpha1.MergeModeOverride
		if add {
			mode = v1alpha1.MergeModeAdditive
		}
		sc := func(key string) *v1alpha1.SchedulingConstraints {
			return &v1alpha1.SchedulingConstraints{NodeSelector: map[string]string{key: selVal}}
		}
		bindings := []v1alpha1.DebugSessionClusterBinding{
			binding("a", "netops-debug", clusters(clusterGlob), allowedUsers(userGlob), priority(prio), func(b *v1alpha1.DebugSessionClusterBinding) {
				b.Spec.MergeMode = mode
				b.Spec.SchedulingConstraints = sc("a")
			}),
			binding("b", "netops-debug", allowedGroups(groupGlob), func(b *v1alpha1.DebugSessionClusterBinding) {
				b.Spec.ClusterSelector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: selKey, Operator: metav1.LabelSelectorOperator(selOp), Values: []string{selVal}}}}
				b.Spec.MergeMode = mode
				b.Spec.SchedulingConstraints = sc("b")
			}),
			binding("c", "netops-debug", clusters(cluster, "*"), priority(-prio), func(b *v1alpha1.DebugSessionClusterBinding) {
				b.Spec.Allowed = &v1alpha1.Allowed{}
				b.Spec.SchedulingConstraints = sc("c")
			}),
		}
		s := session(cluster, user, []string{group, ""}, func(s *v1alpha1.DebugSession) {
			if ref != "" {
				s.Spec.BindingRef = &v1alpha1.ObjectReference{Name: ref}
			}
		})
		req := Request{
			Session:       s,
			Template:      netopsTemplate(templateAllowed([]string{clusterGlob}, []string{groupGlob}, []string{userGlob})),
			ClusterConfig: clusterConfig(cluster, selKey, selVal),
			Bindings:      bindings,
		}

		got, err := Resolve(req)
		again, againErr := Resolve(req)
		if diff := cmp.Diff(got, again); diff != "" || !errors.Is(err, againErr) {
			t.Fatalf("Resolve is not deterministic: -first, +second:\n%s", diff)
		}
		if !slices.IsSorted(got.Warnings) || len(slices.Compact(slices.Clone(got.Warnings))) != len(got.Warnings) {
			t.Errorf("Warnings are not sorted and unique: %q", got.Warnings)
		}
		if err != nil {
			if outcome.StateOf(err) != v1alpha1.StateDenied || len(got.Layers) > 0 {
				t.Errorf("a refused session must be Denied and have no layers, got %s with %d layers: %v", outcome.StateOf(err), len(got.Layers), err)
			}
			return
		}
		if got.TargetNamespace == "" {
			t.Error("an admitted session has no target namespace")
		}
		if len(got.Layers) == 0 || got.Layers[0].Template != req.Template {
			t.Fatalf("the first layer must be the session's template, got %+v", got.Layers)
		}
		if b := got.Binding(); b != nil {
			picked := slices.IndexFunc(got.Candidates, func(c Candidate) bool { return c.Binding == b })
			if picked < 0 || !got.Candidates[picked].Admitted {
				t.Errorf("binding %s was picked but is not an admitting candidate", b.Name)
			}
		}
		// The chain is the picked binding and then the next candidates in
		// pick order, each additive but the last: what scheduling merges.
		if b := got.Binding(); b != nil {
			picked := slices.IndexFunc(got.Candidates, func(c Candidate) bool { return c.Binding == b })
			for i, l := range got.Layers[1:] {
				if picked+i >= len(got.Candidates) || got.Candidates[picked+i].Binding != l.Binding {
					t.Fatalf("layer %d (%s) is not candidate %d in pick order", i+1, l.Source, picked+i)
				}
				last := i == len(got.Layers)-2
				if additive := l.Binding.Spec.MergeMode == v1alpha1.MergeModeAdditive; !last && !additive {
					t.Errorf("layer %d (%s) is followed by another but does not merge additively", i+1, l.Source)
				}
			}
		}
	})
}

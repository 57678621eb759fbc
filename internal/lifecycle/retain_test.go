package lifecycle

import (
	"testing"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/google/go-cmp/cmp"
)

func TestRetained(t *testing.T) {
	// Distinct pointers are enough: Retained passes them through.
	pvc, audit := &resource.DesiredComposed{}, &resource.DesiredComposed{}
	cases := map[string]struct {
		reason   string
		keep     map[resource.Name]*resource.DesiredComposed
		observed map[resource.Name]resource.ObservedComposed
		want     map[resource.Name]*resource.DesiredComposed
	}{
		"KeepsExistingDeleteAfterFalse": {
			reason:   "A deleteAfter false resource that exists stays desired; the workload and everything else go.",
			keep:     map[resource.Name]*resource.DesiredComposed{"pcap-pvc": pvc},
			observed: map[resource.Name]resource.ObservedComposed{"pcap-pvc": {}, "workload": {}},
			want:     map[resource.Name]*resource.DesiredComposed{"pcap-pvc": pvc},
		},
		"NeverCreatesAfterTheEnd": {
			reason:   "A deleteAfter false resource that was never created is not created once the session has ended.",
			keep:     map[resource.Name]*resource.DesiredComposed{"pcap-pvc": pvc, "audit-log": audit},
			observed: map[resource.Name]resource.ObservedComposed{"audit-log": {}},
			want:     map[resource.Name]*resource.DesiredComposed{"audit-log": audit},
		},
		"NothingToKeep": {
			reason:   "Without deleteAfter false resources nothing stays.",
			observed: map[resource.Name]resource.ObservedComposed{"workload": {}},
			want:     map[resource.Name]*resource.DesiredComposed{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := Retained(tc.keep, tc.observed)
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b *resource.DesiredComposed) bool { return a == b })); diff != "" {
				t.Errorf("%s\nRetained(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

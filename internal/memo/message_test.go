package memo

import (
	"testing"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

func TestMessageKey(t *testing.T) {
	base := func() *fnv1.RunFunctionRequest {
		return &fnv1.RunFunctionRequest{
			Meta: &fnv1.RequestMeta{Tag: "t"},
			Observed: &fnv1.State{
				Composite: &fnv1.Resource{Resource: mustStruct(map[string]any{"a": "x"}), ConnectionDetails: map[string][]byte{"k": []byte("v")}},
				Resources: map[string]*fnv1.Resource{
					"one": {Resource: mustStruct(map[string]any{"b": 1.0}), Ready: fnv1.Ready_READY_TRUE},
					"two": {Resource: mustStruct(map[string]any{"c": true})},
				},
			},
			RequiredResources: map[string]*fnv1.Resources{"r": {Items: []*fnv1.Resource{{Resource: mustStruct(map[string]any{"d": "e"})}}}},
		}
	}
	cases := map[string]struct {
		reason string
		change func(r *fnv1.RunFunctionRequest)
		same   bool
	}{
		"SameContent": {
			reason: "Equal requests have equal keys, whatever order their maps were filled in.",
			change: func(r *fnv1.RunFunctionRequest) {
				r.Observed.Resources = map[string]*fnv1.Resource{
					"two": {Resource: mustStruct(map[string]any{"c": true})},
					"one": {Resource: mustStruct(map[string]any{"b": 1.0}), Ready: fnv1.Ready_READY_TRUE},
				}
			},
			same: true,
		},
		"Tag": {
			reason: "A scalar field outside any Struct is hashed.",
			change: func(r *fnv1.RunFunctionRequest) { r.Meta.Tag = "u" },
		},
		"Ready": {
			reason: "An enum is hashed.",
			change: func(r *fnv1.RunFunctionRequest) { r.Observed.Resources["one"].Ready = fnv1.Ready_READY_FALSE },
		},
		"ConnectionDetails": {
			reason: "Bytes in a map are hashed.",
			change: func(r *fnv1.RunFunctionRequest) { r.Observed.Composite.ConnectionDetails["k"] = []byte("w") },
		},
		"ResourceName": {
			reason: "A map key is hashed.",
			change: func(r *fnv1.RunFunctionRequest) {
				r.Observed.Resources["three"] = r.Observed.Resources["two"]
				delete(r.Observed.Resources, "two")
			},
		},
		"RequiredItem": {
			reason: "A Struct in a list in a map is hashed.",
			change: func(r *fnv1.RunFunctionRequest) {
				r.RequiredResources["r"].Items[0].Resource = mustStruct(map[string]any{"d": "f"})
			},
		},
		"EmptyNotAbsent": {
			reason: "An empty message is not an absent one.",
			change: func(r *fnv1.RunFunctionRequest) { r.Desired = &fnv1.State{} },
		},
		"NestedMessage": {
			reason: "A message that is neither a Struct nor a map value is hashed.",
			change: func(r *fnv1.RunFunctionRequest) { r.Meta.Capabilities = []fnv1.Capability{fnv1.Capability(1)} },
		},
		"Unknown": {
			reason: "Fields this SDK does not know are hashed too.",
			change: func(r *fnv1.RunFunctionRequest) { r.Meta.ProtoReflect().SetUnknown([]byte{0x98, 0x06, 0x01}) },
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			other := base()
			tc.change(other)
			a, _ := MessageKey("R", base())
			b, _ := MessageKey("R", other)
			got := a == b
			if got != tc.same {
				t.Errorf("%s\nMessageKey(...) == MessageKey(...): want %t, got %t", tc.reason, tc.same, got)
			}
		})
	}
	r, n := MessageKey("R", base())
	if s, _ := MessageKey("S", base()); r == s {
		t.Errorf("The kind is part of the key.")
	}
	if n < 64 {
		t.Errorf("MessageKey(...) hashed %d bytes, fewer than the request's strings take", n)
	}
}

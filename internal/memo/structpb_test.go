package memo

import (
	"testing"

	"google.golang.org/protobuf/types/known/structpb"
)

func mustStruct(m map[string]any) *structpb.Struct {
	s, err := structpb.NewStruct(m)
	if err != nil {
		panic(err)
	}
	return s
}

func TestStructKey(t *testing.T) {
	base := map[string]any{"a": "x", "b": []any{1.0, true, nil}, "c": map[string]any{"d": "e"}}
	cases := map[string]struct {
		reason string
		kind   string
		other  map[string]any
		same   bool
	}{
		"SameContent": {
			reason: "Equal Structs have equal keys, whatever the map order.",
			kind:   "T", other: map[string]any{"c": map[string]any{"d": "e"}, "b": []any{1.0, true, nil}, "a": "x"}, same: true,
		},
		"OtherKind": {
			reason: "The same Struct decoded as another type has another key.",
			kind:   "U", other: base,
		},
		"StringBoundaries": {
			reason: "Moving characters between a key and its value changes the key.",
			kind:   "T", other: map[string]any{"ax": "", "b": []any{1.0, true, nil}, "c": map[string]any{"d": "e"}},
		},
		"NumberNotString": {
			reason: "A number is not the string that spells it.",
			kind:   "T", other: map[string]any{"a": "x", "b": []any{"1", true, nil}, "c": map[string]any{"d": "e"}},
		},
		"NullNotFalse": {
			reason: "Null is not false.",
			kind:   "T", other: map[string]any{"a": "x", "b": []any{1.0, true, false}, "c": map[string]any{"d": "e"}},
		},
		"NestedValue": {
			reason: "A change deep inside changes the key.",
			kind:   "T", other: map[string]any{"a": "x", "b": []any{1.0, true, nil}, "c": map[string]any{"d": "f"}},
		},
		"ListNotStruct": {
			reason: "An empty list is not an empty object.",
			kind:   "T", other: map[string]any{"a": "x", "b": map[string]any{}, "c": map[string]any{"d": "e"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := StructKey("T", mustStruct(base)) == StructKey(tc.kind, mustStruct(tc.other))
			if got != tc.same {
				t.Errorf("%s\nStructKey(...) == StructKey(...): want %t, got %t", tc.reason, tc.same, got)
			}
		})
	}
}

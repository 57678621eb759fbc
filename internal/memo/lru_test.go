package memo

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func key(s string) Key {
	k, err := KeyOf(s)
	if err != nil {
		panic(err)
	}
	return k
}

func TestLRU(t *testing.T) {
	type want struct {
		present []string
		stats   Stats
	}
	cases := map[string]struct {
		reason     string
		maxEntries int
		maxCost    int64
		add        map[string]int64 // added in key order
		order      []string
		want       want
	}{
		"EntriesBound": {
			reason:     "Beyond maxEntries the least recently added value is evicted.",
			maxEntries: 2, maxCost: 100,
			add:   map[string]int64{"a": 1, "b": 1, "c": 1},
			order: []string{"a", "b", "c"},
			want:  want{present: []string{"b", "c"}, stats: Stats{Hits: 2, Misses: 1, Entries: 2, Cost: 2}},
		},
		"CostBound": {
			reason:     "Beyond maxCost values are evicted until the costs fit again.",
			maxEntries: 10, maxCost: 10,
			add:   map[string]int64{"a": 6, "b": 6},
			order: []string{"a", "b"},
			want:  want{present: []string{"b"}, stats: Stats{Hits: 1, Misses: 1, Entries: 1, Cost: 6}},
		},
		"TooCostly": {
			reason:     "A value costlier than the whole bound is never stored.",
			maxEntries: 10, maxCost: 10,
			add:   map[string]int64{"a": 11},
			order: []string{"a"},
			want:  want{stats: Stats{Misses: 1}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := New[string](tc.maxEntries, tc.maxCost)
			for _, k := range tc.order {
				c.Add(key(k), k, tc.add[k])
			}
			var present []string
			for _, k := range tc.order {
				if v, ok := c.Get(key(k)); ok {
					present = append(present, v)
				}
			}
			if diff := cmp.Diff(tc.want.present, present); diff != "" {
				t.Errorf("%s\nGet(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.stats, c.Stats()); diff != "" {
				t.Errorf("%s\nStats(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestKeyOfDiffers(t *testing.T) {
	a, _ := KeyOf("a", "b")
	b, _ := KeyOf("ab")
	if a == b {
		t.Errorf("KeyOf(\"a\", \"b\") == KeyOf(\"ab\"): the values' boundaries must be part of the key")
	}
}

package render

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRenderCachesParsedTemplates(t *testing.T) {
	r := New()
	src := tmpl(t, `{a: "{{ .Session.Name }}", b: "{{ .Session.Name }}", c: "{{ .TargetNamespace }}"}`)
	for range 3 {
		if _, err := r.Render(src, vars(), 1<<20); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(CacheStats{Hits: 7, Misses: 2, Size: 2}, r.CacheStats()); diff != "" {
		t.Errorf("Two distinct templates are parsed once each; every other use hits the cache.\n-want [hits misses size], +got:\n%s", diff)
	}
}

func TestRenderCacheIsBounded(t *testing.T) {
	r := New(WithCacheSize(2))
	for _, s := range []string{"a", "b", "c", "a"} {
		if _, err := r.Render(tmpl(t, `{x: '{{ "`+s+`" }}'}`), vars(), 1<<20); err != nil {
			t.Fatal(err)
		}
	}
	hits, misses, size := r.cache.stats()
	if diff := cmp.Diff([3]uint64{0, 4, 2}, [3]uint64{hits, misses, uint64(size)}); diff != "" {
		t.Errorf("The cache keeps at most its size, evicting the least recently used.\n-want [hits misses size], +got:\n%s", diff)
	}
}

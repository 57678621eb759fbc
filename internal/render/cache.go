package render

import (
	"container/list"
	"crypto/sha256"
	"sync"
)

// defaultCacheSize is the number of parsed templates kept. A parsed
// template is a few kilobytes; templates are re-rendered on every
// reconcile of every session, so most renders hit the cache.
const defaultCacheSize = 1024

// cache is a bounded, concurrency-safe LRU of parsed templates keyed by the
// SHA-256 of their text. Parse failures are cached too, so a broken template
// costs one parse, not one per reconcile.
type cache struct {
	mu     sync.Mutex
	max    int
	ll     *list.List
	m      map[[sha256.Size]byte]*list.Element
	hits   uint64
	misses uint64
}

type cacheEntry struct {
	key [sha256.Size]byte
	p   *parsed
}

func newCache(n int) *cache {
	return &cache{max: n, ll: list.New(), m: map[[sha256.Size]byte]*list.Element{}}
}

func (c *cache) get(src string) *parsed {
	key := sha256.Sum256([]byte(src))
	c.mu.Lock()
	if e, ok := c.m[key]; ok {
		c.ll.MoveToFront(e)
		c.hits++
		c.mu.Unlock()
		return e.Value.(*cacheEntry).p
	}
	c.misses++
	c.mu.Unlock()

	// Parse outside the lock; two callers may parse the same text at once,
	// which costs a little and is harmless.
	p := parseTemplate(src)
	if c.max <= 0 {
		return p
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*cacheEntry).p
	}
	c.m[key] = c.ll.PushFront(&cacheEntry{key: key, p: p})
	for c.ll.Len() > c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.m, old.Value.(*cacheEntry).key)
	}
	return p
}

// CacheStats are the parse cache's counters since the Renderer was made.
type CacheStats struct {
	// Hits and Misses count template strings looked up; a miss parses.
	Hits, Misses uint64
	// Size is the number of parsed templates kept.
	Size int
}

// CacheStats returns the parse cache's counters, for metrics: the hit ratio
// tells whether the cache is large enough for the templates in use.
func (r *Renderer) CacheStats() CacheStats {
	h, m, n := r.cache.stats()
	return CacheStats{Hits: h, Misses: m, Size: n}
}

// stats returns the cache's hits, misses and size.
func (c *cache) stats() (hits, misses uint64, size int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses, c.ll.Len()
}

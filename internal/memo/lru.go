package memo

import (
	"container/list"
	"crypto/sha256"
	"encoding/json"
	"sync"
)

// A Key is the SHA-256 of a computation's inputs. SHA-256, not a faster
// 64-bit hash: a collision would serve one session another's objects.
type Key [sha256.Size]byte

// KeyOf hashes the JSON encoding of vs, in order. Every value must encode
// deterministically (structs and maps do: encoding/json sorts map keys).
func KeyOf(vs ...any) (Key, error) {
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, v := range vs {
		if err := enc.Encode(v); err != nil {
			return Key{}, err
		}
	}
	var k Key
	h.Sum(k[:0])
	return k, nil
}

// An LRU is a concurrency-safe cache of at most MaxEntries values whose
// costs add up to at most MaxCost. The zero value caches nothing.
type LRU[V any] struct {
	mu         sync.Mutex
	maxEntries int
	maxCost    int64
	cost       int64
	ll         *list.List
	m          map[Key]*list.Element
	hits       uint64
	misses     uint64
}

type entry[V any] struct {
	key  Key
	v    V
	cost int64
}

// New returns an LRU bounded by entries and by cost, in whatever unit the
// caller gives Add (bytes, usually).
func New[V any](maxEntries int, maxCost int64) *LRU[V] {
	return &LRU[V]{maxEntries: maxEntries, maxCost: maxCost, ll: list.New(), m: map[Key]*list.Element{}}
}

// Get returns the value stored under k.
func (c *LRU[V]) Get(k Key) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m != nil {
		if e, ok := c.m[k]; ok {
			c.ll.MoveToFront(e)
			c.hits++
			return e.Value.(*entry[V]).v, true
		}
	}
	c.misses++
	var zero V
	return zero, false
}

// Add stores v under k, evicting the least recently used values until both
// bounds hold. A value costlier than the whole bound is not stored.
func (c *LRU[V]) Add(k Key, v V, cost int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || c.maxEntries <= 0 || cost > c.maxCost {
		return
	}
	if e, ok := c.m[k]; ok {
		c.remove(e)
	}
	c.m[k] = c.ll.PushFront(&entry[V]{key: k, v: v, cost: cost})
	c.cost += cost
	for c.ll.Len() > c.maxEntries || c.cost > c.maxCost {
		c.remove(c.ll.Back())
	}
}

func (c *LRU[V]) remove(e *list.Element) {
	en := c.ll.Remove(e).(*entry[V])
	delete(c.m, en.key)
	c.cost -= en.cost
}

// Stats are an LRU's counters since it was made.
type Stats struct {
	Hits, Misses uint64
	Entries      int
	Cost         int64
}

// Stats returns the LRU's counters.
func (c *LRU[V]) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	if c.ll != nil {
		n = c.ll.Len()
	}
	return Stats{Hits: c.hits, Misses: c.misses, Entries: n, Cost: c.cost}
}

// Purge drops every value; the counters stay.
func (c *LRU[V]) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		return
	}
	c.ll.Init()
	clear(c.m)
	c.cost = 0
}

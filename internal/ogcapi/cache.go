package ogcapi

import (
	"bytes"
	"compress/gzip"
	"sync"
	"sync/atomic"

	"github.com/planmap/planmap/internal/lru"
)

// Cache keeps recent feature responses in memory, keyed by their ETag,
// which holds the collection's data version: an entry of an old version
// is never served, and a write anywhere makes the collection's entries
// unreachable at once. It is per instance and safe to lose.
type Cache struct {
	maxEntry int
	entries  *lru.Cache[*cachedResponse]
	hits     atomic.Uint64
	misses   atomic.Uint64
	// scratch holds tee buffers between requests (see Store.scratch in
	// package httpcache).
	scratch sync.Pool
}

// cachedResponse is one stored answer.
type cachedResponse struct {
	key         string
	collection  string
	contentType string
	body        []byte

	gzOnce  sync.Once
	gzipped []byte // nil until a client takes gzip, or when it would not be smaller
}

// NewCache returns a cache of at most maxBytes, storing no answer larger
// than maxEntry bytes.
func NewCache(maxBytes, maxEntry int) *Cache {
	return &Cache{maxEntry: maxEntry, entries: lru.New[*cachedResponse](maxBytes)}
}

func (c *Cache) get(key string) *cachedResponse {
	if c == nil {
		return nil
	}
	r, ok := c.entries.Get(key)
	if !ok {
		c.misses.Add(1)
		return nil
	}
	c.hits.Add(1)
	return r
}

// has reports whether key is stored, without counting a hit or a miss.
func (c *Cache) has(key string) bool {
	if c == nil {
		return false
	}
	_, ok := c.entries.Get(key)
	return ok
}

// put stores body. An exact copy: buffers grow by doubling, and what is
// kept must cost what the budget counts. The gzipped copy is made when a
// client first takes it (gzipOf), so that a miss pays only for the copy.
func (c *Cache) put(key, collection, contentType string, body []byte) {
	if c == nil || len(body) > c.maxEntry {
		return
	}
	r := &cachedResponse{key: key, collection: collection, contentType: contentType, body: bytes.Clone(body)}
	c.entries.Put(key, r, len(r.body)+len(r.key)+64)
}

// gzipOf returns r's body gzipped, or nil when gzip would not make it
// smaller; the first call compresses, and the copy is charged to the
// budget while r is in the cache.
func (c *Cache) gzipOf(r *cachedResponse) []byte {
	r.gzOnce.Do(func() {
		if len(r.body) == 0 {
			return
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
		zw.Write(r.body)
		zw.Close()
		if gz.Len() >= len(r.body) {
			return
		}
		r.gzipped = bytes.Clone(gz.Bytes())
		c.entries.Charge(r.key, len(r.gzipped), func(held *cachedResponse) bool { return held == r })
	})
	return r.gzipped
}

// Invalidate drops a collection's entries, or all with collection "".
// Versions already keep stale entries from being served; this frees memory.
func (c *Cache) Invalidate(collection string) {
	if c == nil {
		return
	}
	c.entries.RemoveIf(func(_ string, r *cachedResponse) bool {
		return collection == "" || r.collection == collection || (collection == ProjectsCollection && r.collection == "programmes")
	})
}

// Stats returns hits, misses, entries and bytes.
func (c *Cache) Stats() (hits, misses uint64, entries, bytes int) {
	if c == nil {
		return 0, 0, 0, 0
	}
	return c.hits.Load(), c.misses.Load(), c.entries.Len(), c.entries.Cost()
}

// teeBuffer copies what the client is sent, up to a limit.
type teeBuffer struct {
	buf      []byte
	limit    int
	overflow bool
}

// newTee returns a tee for c's entries with a buffer used before.
func (c *Cache) newTee() *teeBuffer {
	t := &teeBuffer{limit: c.maxEntry}
	if b, ok := c.scratch.Get().(*[]byte); ok {
		t.buf = (*b)[:0]
	}
	return t
}

// release gives the tee's buffer back; put keeps a copy of it.
func (c *Cache) release(t *teeBuffer) {
	if t != nil && t.buf != nil {
		b := t.buf[:0]
		t.buf = nil
		c.scratch.Put(&b)
	}
}

func (t *teeBuffer) Write(p []byte) (int, error) {
	if !t.overflow {
		if len(t.buf)+len(p) > t.limit {
			t.overflow = true
			t.buf = nil
		} else {
			t.buf = append(t.buf, p...)
		}
	}
	return len(p), nil
}

package ogcapi

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"sync"
)

// Cache keeps recent feature responses in memory, keyed by their ETag,
// which holds the collection's data version: an entry of an old version
// is never served, and a write anywhere makes the collection's entries
// unreachable at once. It is per instance and safe to lose.
type Cache struct {
	mu       sync.Mutex
	maxBytes int
	maxEntry int
	size     int
	lru      *list.List
	entries  map[string]*list.Element
	hits     uint64
	misses   uint64
}

// cachedResponse is one stored answer.
type cachedResponse struct {
	key         string
	collection  string
	contentType string
	body        []byte
	charged     int // what the entry counts against the budget now

	gzOnce  sync.Once
	gzipped []byte // nil until a client takes gzip, or when it would not be smaller
}

// NewCache returns a cache of at most maxBytes, storing no answer larger
// than maxEntry bytes.
func NewCache(maxBytes, maxEntry int) *Cache {
	return &Cache{maxBytes: maxBytes, maxEntry: maxEntry, lru: list.New(), entries: map[string]*list.Element{}}
}

func (c *Cache) get(key string) *cachedResponse {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		c.misses++
		return nil
	}
	c.hits++
	c.lru.MoveToFront(el)
	return el.Value.(*cachedResponse)
}

// put stores body. An exact copy: buffers grow by doubling, and what is
// kept must cost what the budget counts. The gzipped copy is made when a
// client first takes it (gzipOf), so that a miss pays only for the copy.
func (c *Cache) put(key, collection, contentType string, body []byte) {
	if c == nil || len(body) > c.maxEntry {
		return
	}
	r := &cachedResponse{key: key, collection: collection, contentType: contentType, body: bytes.Clone(body)}
	r.charged = len(r.body) + len(r.key) + 64
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.remove(el)
	}
	c.entries[key] = c.lru.PushFront(r)
	c.size += r.charged
	c.evict()
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
		c.mu.Lock()
		defer c.mu.Unlock()
		if el, ok := c.entries[r.key]; ok && el.Value.(*cachedResponse) == r {
			r.charged += len(r.gzipped)
			c.size += len(r.gzipped)
			c.evict()
		}
	})
	return r.gzipped
}

// evict drops the least recently used entries until the cache fits; c.mu
// is held.
func (c *Cache) evict() {
	for c.size > c.maxBytes && c.lru.Len() > 0 {
		c.remove(c.lru.Back())
	}
}

func (c *Cache) remove(el *list.Element) {
	r := el.Value.(*cachedResponse)
	delete(c.entries, r.key)
	c.lru.Remove(el)
	c.size -= r.charged
}

// Invalidate drops a collection's entries, or all with collection "".
// Versions already keep stale entries from being served; this frees memory.
func (c *Cache) Invalidate(collection string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for el := c.lru.Front(); el != nil; {
		next := el.Next()
		r := el.Value.(*cachedResponse)
		if collection == "" || r.collection == collection || (collection == ProjectsCollection && r.collection == "programmes") {
			c.remove(el)
		}
		el = next
	}
}

// Stats returns hits, misses, entries and bytes.
func (c *Cache) Stats() (hits, misses uint64, entries, bytes int) {
	if c == nil {
		return 0, 0, 0, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses, c.lru.Len(), c.size
}

// teeBuffer copies what the client is sent, up to a limit.
type teeBuffer struct {
	buf      bytes.Buffer
	limit    int
	overflow bool
}

func (t *teeBuffer) Write(p []byte) (int, error) {
	if !t.overflow {
		if t.buf.Len()+len(p) > t.limit {
			t.overflow = true
			t.buf = bytes.Buffer{}
		} else {
			t.buf.Write(p)
		}
	}
	return len(p), nil
}

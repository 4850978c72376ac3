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
	gzipped     []byte
}

func (r *cachedResponse) cost() int { return len(r.body) + len(r.gzipped) + len(r.key) + 64 }

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

// put stores body, with a gzipped copy for clients that accept it.
func (c *Cache) put(key, collection, contentType string, body []byte) {
	if c == nil || len(body) > c.maxEntry {
		return
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	zw.Write(body)
	zw.Close()
	// Exact copies: buffers grow by doubling, and what is kept must cost
	// what the budget counts.
	r := &cachedResponse{key: key, collection: collection, contentType: contentType, body: bytes.Clone(body)}
	if len(body) > 0 && gz.Len() < len(body) {
		r.gzipped = bytes.Clone(gz.Bytes())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.remove(el)
	}
	c.entries[key] = c.lru.PushFront(r)
	c.size += r.cost()
	for c.size > c.maxBytes && c.lru.Len() > 0 {
		c.remove(c.lru.Back())
	}
}

func (c *Cache) remove(el *list.Element) {
	r := el.Value.(*cachedResponse)
	delete(c.entries, r.key)
	c.lru.Remove(el)
	c.size -= r.cost()
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

// Package httpcache keeps whole HTTP answers in memory, as they were sent,
// and serves a repeated request from memory before any routing, middleware
// or database work: the server's front door.
//
// A handler opts in per answer with Offer, naming the collection and the
// data version the answer was built from. An entry is served only while
// its collection's current version (known in memory, from notifications)
// is still that version, so a write anywhere makes every answer of the
// collection unreachable at once; Invalidate then frees the memory.
//
// Requests are keyed by their method, target and every request header an
// answer may depend on, by exact value; anything else the answer depends on
// must keep the handler from offering it.
package httpcache

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/planmap/planmap/internal/lru"
)

// VaryHeaders are the request headers that take part in the key: content
// negotiation, compression, CORS and the base URL of links.
var VaryHeaders = [...]string{
	"Accept", "Accept-Encoding", "Accept-Language", "Origin",
	"Forwarded", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix",
}

// skipHeaders are response headers never stored: they are made anew for
// every answer, or forbid sharing it.
var skipHeaders = map[string]bool{
	"Date": true, "Content-Length": true, "X-Request-Id": true, "X-Cache": true,
	"Set-Cookie": true, "Transfer-Encoding": true, "Connection": true,
}

// Versions tells a collection's current data version; ok is false while
// the server cannot know it without asking the database, and then nothing
// is served from the store.
type Versions func(collection string) (version int64, ok bool)

// Hit describes one answer served from the store, for logs and metrics.
type Hit struct {
	Route     string
	Status    int
	Bytes     int
	Elapsed   time.Duration
	RequestID string
	// Request is the request answered through net/http; nil for one
	// answered on the wire (Listener), which gives Path instead.
	Request *http.Request
	Path    string
}

// Store is a byte-bounded LRU of answers. The zero value is not usable;
// use New. A nil *Store stores nothing and serves nothing.
type Store struct {
	versions Versions
	maxEntry int
	entries  *lru.Cache[*entry]

	hits, misses, stores atomic.Uint64
	ids                  atomic.Uint64
	idPrefix             string

	observers []func(Hit)

	// scratch holds capture buffers between requests: a large answer
	// would otherwise grow a new one by doubling, every time.
	scratch sync.Pool
}

type entry struct {
	key        string
	collection string
	version    int64
	route      string
	status     int
	header     http.Header
	etag       string
	body       []byte
	length     string
	// The status line and headers as they go on the wire, for the answer
	// and for a 304 (Listener).
	wireHead, wireHead304 []byte
}

func (e *entry) cost() int {
	n := len(e.key) + len(e.body) + len(e.wireHead) + len(e.wireHead304) + 256
	for k, vs := range e.header {
		n += len(k)
		for _, v := range vs {
			n += len(v)
		}
	}
	return n
}

// New returns a store of at most maxBytes, keeping no answer larger than
// maxEntry bytes; versions tells which entries are current.
func New(maxBytes, maxEntry int, versions Versions) *Store {
	return &Store{
		versions: versions, maxEntry: maxEntry, entries: lru.New[*entry](maxBytes),
		idPrefix: strconv.FormatInt(time.Now().UnixNano()%(1<<40), 36) + "-",
	}
}

// Key returns the store's key for r, or "" when r may not be served from
// the store: anything but GET, or a request for part of an answer.
func Key(r *http.Request) string {
	if r.Method != http.MethodGet || r.Header.Get("Range") != "" {
		return ""
	}
	var b strings.Builder
	b.Grow(256)
	b.WriteString(r.Host)
	b.WriteByte(0)
	b.WriteString(r.RequestURI)
	for _, h := range VaryHeaders {
		b.WriteByte(0)
		for i, v := range r.Header[h] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(v)
		}
	}
	return b.String()
}

// Serve answers r from the store when it holds a current answer for it,
// and reports whether it did.
func (s *Store) Serve(w http.ResponseWriter, r *http.Request, key string) (Hit, bool) {
	if s == nil || key == "" {
		return Hit{}, false
	}
	start := time.Now()
	e := s.lookup(key)
	if e == nil {
		return Hit{}, false
	}
	s.hits.Add(1)
	h := w.Header()
	for k, vs := range e.header {
		h[k] = vs
	}
	id := s.nextID()
	h["X-Request-Id"] = []string{id}
	h["X-Cache"] = []string{"hit"}
	status, n := e.status, 0
	if e.etag != "" && etagMatch(r.Header.Get("If-None-Match"), e.etag) {
		delete(h, "Content-Type")
		delete(h, "Content-Encoding")
		status = http.StatusNotModified
		w.WriteHeader(status)
	} else {
		if status != http.StatusNoContent {
			h["Content-Length"] = []string{e.length}
		}
		w.WriteHeader(status)
		n, _ = w.Write(e.body)
	}
	return Hit{Route: e.route, Status: status, Bytes: n, Elapsed: time.Since(start), RequestID: id, Request: r, Path: r.URL.Path}, true
}

// lookup returns the current entry for key, or nil, and counts the hit or
// miss.
func (s *Store) lookup(key string) *entry {
	e, ok := s.entries.Get(key)
	if !ok {
		s.misses.Add(1)
		return nil
	}
	if v, known := s.versions(e.collection); !known || v != e.version {
		s.misses.Add(1)
		return nil
	}
	s.hits.Add(1)
	return e
}

func (s *Store) nextID() string { return s.idPrefix + strconv.FormatUint(s.ids.Add(1), 36) }

// Observe registers fn to be told of every answer the Listener serves, for
// metrics and logs; call it before serving.
func (s *Store) Observe(fn func(Hit)) {
	if s != nil {
		s.observers = append(s.observers, fn)
	}
}

func (s *Store) observe(h Hit) {
	for _, fn := range s.observers {
		fn(h)
	}
}

// Invalidate drops a collection's entries, or every entry with "". Stale
// entries are never served anyway; this frees their memory.
func (s *Store) Invalidate(collection string) {
	if s == nil {
		return
	}
	s.entries.RemoveIf(func(_ string, e *entry) bool { return collection == "" || e.collection == collection })
}

// Stats returns hits, misses, stored answers, entries and bytes.
func (s *Store) Stats() (hits, misses, stores uint64, entries, bytes int) {
	if s == nil {
		return 0, 0, 0, 0, 0
	}
	return s.hits.Load(), s.misses.Load(), s.stores.Load(), s.entries.Len(), s.entries.Cost()
}

func (s *Store) put(e *entry) {
	e.length = strconv.Itoa(len(e.body))
	e.wireHead, e.wireHead304 = wireHeads(e.status, e.header)
	s.entries.Put(e.key, e, e.cost())
	s.stores.Add(1)
}

// Capture records the answer to one request as it is written, so that the
// store can keep it if the handler offers it.
type Capture struct {
	http.ResponseWriter
	store    *Store
	key      string
	status   int
	header   http.Header
	body     []byte
	overflow bool

	offered    bool
	collection string
	version    int64
	route      string
}

type captureKey struct{}

// Begin wraps w to capture the answer to r; it returns the writer and the
// request to pass on. Finish decides whether the answer is kept.
func (s *Store) Begin(w http.ResponseWriter, r *http.Request, key string) (*Capture, *http.Request) {
	c := &Capture{ResponseWriter: w, store: s, key: key}
	if b, ok := s.scratch.Get().(*[]byte); ok {
		c.body = (*b)[:0]
	}
	return c, r.WithContext(context.WithValue(r.Context(), captureKey{}, c))
}

// Offer tells the front door that the answer being written to the request
// of ctx may be kept, as long as collection stays at version. A handler
// calls it only once its answer is complete and depends on nothing but the
// request's key; without a capture in ctx it does nothing.
func Offer(ctx context.Context, collection string, version int64, route string) {
	if c, ok := ctx.Value(captureKey{}).(*Capture); ok {
		c.offered, c.collection, c.version, c.route = true, collection, version, route
	}
}

// Withdraw takes back an offer, for an answer that went wrong after it.
func Withdraw(ctx context.Context) {
	if c, ok := ctx.Value(captureKey{}).(*Capture); ok {
		c.offered = false
	}
}

func (c *Capture) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
		c.header = c.ResponseWriter.Header().Clone()
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *Capture) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.WriteHeader(http.StatusOK)
	}
	if !c.overflow {
		if len(c.body)+len(p) > c.store.maxEntry {
			c.overflow, c.body = true, nil
		} else {
			c.body = append(c.body, p...)
		}
	}
	return c.ResponseWriter.Write(p)
}

// Flush passes on to the client's writer when it can flush.
func (c *Capture) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the client's writer.
func (c *Capture) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// Finish keeps the answer when it was offered, complete and shareable.
// ctx is the request's context: an answer to a client that went away may
// be cut off and is not kept.
func (c *Capture) Finish(ctx context.Context) {
	defer c.release()
	if !c.offered || c.overflow || ctx.Err() != nil {
		return
	}
	if c.status != http.StatusOK && c.status != http.StatusNoContent {
		return
	}
	if v, known := c.store.versions(c.collection); !known || v != c.version {
		return
	}
	h := make(http.Header, len(c.header))
	for k, vs := range c.header {
		if skipHeaders[k] {
			continue
		}
		if k == "Cache-Control" && hasToken(vs, "private", "no-store") {
			return
		}
		h[k] = vs
	}
	if c.header.Get("Set-Cookie") != "" {
		return
	}
	// An exact copy: the capture's buffer grew by doubling, and what is
	// kept must cost what the budget counts.
	body := make([]byte, len(c.body))
	copy(body, c.body)
	c.store.put(&entry{
		key: c.key, collection: c.collection, version: c.version, route: c.route,
		status: c.status, header: h, etag: c.header.Get("ETag"), body: body,
	})
}

// release gives the capture's buffer back for another request; what the
// store keeps is a copy.
func (c *Capture) release() {
	if c.body != nil {
		b := c.body[:0]
		c.body = nil
		c.store.scratch.Put(&b)
	}
}

func hasToken(values []string, tokens ...string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			for _, t := range tokens {
				if strings.EqualFold(strings.TrimSpace(part), t) {
					return true
				}
			}
		}
	}
	return false
}

// etagMatch implements If-None-Match's weak comparison.
func etagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

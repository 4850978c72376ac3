package httpcache_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/planmap/planmap/internal/httpcache"
)

// frontDoor wires a store in front of handler as a server does.
func frontDoor(s *httpcache.Store, handler http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := httpcache.Key(r)
		if key == "" {
			handler(w, r)
			return
		}
		if _, ok := s.Serve(w, r, key); ok {
			return
		}
		c, r := s.Begin(w, r, key)
		handler(c, r)
		c.Finish(r.Context())
	})
}

type versions struct{ v atomic.Int64 }

func (v *versions) current(string) (int64, bool) { return v.v.Load(), true }

func do(t *testing.T, h http.Handler, method, target string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestStore(t *testing.T) {
	var vs versions
	vs.v.Store(1)
	var calls atomic.Int64
	handler := func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/geo+json")
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("X-Request-Id", "inner")
		switch r.URL.Query().Get("case") {
		case "error":
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"code":"not_found"}`)
			httpcache.Offer(r.Context(), "c", vs.v.Load(), "/r")
			return
		case "cookie":
			http.SetCookie(w, &http.Cookie{Name: "s", Value: "x"})
		case "private":
			w.Header().Set("Cache-Control", "private")
		case "withdrawn":
			io.WriteString(w, "cut")
			httpcache.Offer(r.Context(), "c", vs.v.Load(), "/r")
			httpcache.Withdraw(r.Context())
			return
		case "silent":
			io.WriteString(w, "not offered")
			return
		case "big":
			io.WriteString(w, strings.Repeat("x", 2000))
			httpcache.Offer(r.Context(), "c", vs.v.Load(), "/r")
			return
		}
		io.WriteString(w, "body of "+r.URL.RawQuery+" "+r.Header.Get("Accept"))
		httpcache.Offer(r.Context(), "c", vs.v.Load(), "/r")
	}
	s := httpcache.New(1<<20, 1000, vs.current)
	h := frontDoor(s, handler)

	tests := []struct {
		name     string
		method   string
		target   string
		headers  []string
		wantHit  bool
		wantBody string
	}{
		{"first", "GET", "/x?a=1", nil, false, "body of a=1 "},
		{"repeat", "GET", "/x?a=1", nil, true, "body of a=1 "},
		{"other query", "GET", "/x?a=2", nil, false, "body of a=2 "},
		{"other Accept", "GET", "/x?a=1", []string{"Accept", "text/html"}, false, "body of a=1 text/html"},
		{"other Accept repeated", "GET", "/x?a=1", []string{"Accept", "text/html"}, true, "body of a=1 text/html"},
		{"other Origin", "GET", "/x?a=1", []string{"Origin", "http://a.example"}, false, "body of a=1 "},
		{"other host", "GET", "http://other.example/x?a=1", nil, false, "body of a=1 "},
		{"HEAD passes", "HEAD", "/x?a=1", nil, false, "body of a=1 "},
		{"Range passes", "GET", "/x?a=1", []string{"Range", "bytes=0-3"}, false, "body of a=1 "},
	}
	for _, tt := range tests {
		w := do(t, h, tt.method, tt.target, tt.headers...)
		if hit := w.Header().Get("X-Cache") == "hit"; hit != tt.wantHit {
			t.Errorf("%s: hit %v, want %v", tt.name, hit, tt.wantHit)
		}
		if w.Body.String() != tt.wantBody {
			t.Errorf("%s: body %q, want %q", tt.name, w.Body.String(), tt.wantBody)
		}
		if tt.wantHit && (w.Header().Get("Content-Length") != "12" && tt.name == "repeat" || w.Header().Get("X-Request-Id") == "inner") {
			t.Errorf("%s: headers %v", tt.name, w.Header())
		}
	}

	for _, c := range []string{"error", "cookie", "private", "withdrawn", "silent", "big"} {
		do(t, h, "GET", "/x?case="+c)
		if w := do(t, h, "GET", "/x?case="+c); w.Header().Get("X-Cache") == "hit" {
			t.Errorf("case %s was kept", c)
		}
	}

	// If-None-Match with the stored ETag: 304 without a body.
	if w := do(t, h, "GET", "/x?a=1", "If-None-Match", `W/"v1"`); w.Code != http.StatusNotModified || w.Body.Len() != 0 || w.Header().Get("Content-Type") != "" {
		t.Errorf("If-None-Match: %d %v %q", w.Code, w.Header(), w.Body.String())
	}

	// A new version hides every entry; the next answer is stored anew.
	before := calls.Load()
	vs.v.Store(2)
	if w := do(t, h, "GET", "/x?a=1"); w.Header().Get("X-Cache") == "hit" || calls.Load() != before+1 {
		t.Errorf("served after a version change")
	}
	if w := do(t, h, "GET", "/x?a=1"); w.Header().Get("X-Cache") != "hit" {
		t.Errorf("not stored again at the new version")
	}
	s.Invalidate("c")
	if _, _, _, entries, bytes := s.Stats(); entries != 0 || bytes != 0 {
		t.Errorf("after Invalidate: %d entries, %d bytes", entries, bytes)
	}
}

// An answer offered at a version that is already old when it completes is
// not kept: the data may have changed while it was being written.
func TestStoreRefusesAnswerOlderThanVersion(t *testing.T) {
	var vs versions
	vs.v.Store(5)
	s := httpcache.New(1<<20, 1<<20, vs.current)
	h := frontDoor(s, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "old")
		httpcache.Offer(r.Context(), "c", 4, "/r")
	})
	do(t, h, "GET", "/x")
	if w := do(t, h, "GET", "/x"); w.Header().Get("X-Cache") == "hit" {
		t.Fatal("an answer of version 4 was kept at version 5")
	}
}

// Nothing is served while versions are unknown (the watcher is not
// listening), and a client that went away leaves nothing behind.
func TestStoreUnknownVersionsAndCancelledRequests(t *testing.T) {
	known := atomic.Bool{}
	s := httpcache.New(1<<20, 1<<20, func(string) (int64, bool) { return 1, known.Load() })
	h := frontDoor(s, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "x")
		httpcache.Offer(r.Context(), "c", 1, "/r")
	})
	do(t, h, "GET", "/x")
	known.Store(true)
	do(t, h, "GET", "/x")
	if w := do(t, h, "GET", "/x"); w.Header().Get("X-Cache") != "hit" {
		t.Fatal("not kept once versions are known")
	}
	known.Store(false)
	if w := do(t, h, "GET", "/x"); w.Header().Get("X-Cache") == "hit" {
		t.Fatal("served while versions are unknown")
	}
	known.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest("GET", "/cancelled", nil).WithContext(ctx)
	h.ServeHTTP(httptest.NewRecorder(), r)
	if w := do(t, h, "GET", "/cancelled"); w.Header().Get("X-Cache") == "hit" {
		t.Fatal("the answer to a cancelled request was kept")
	}
}

// The store stays within its byte budget, dropping the least recently used.
func TestStoreBudget(t *testing.T) {
	s := httpcache.New(4000, 2000, func(string) (int64, bool) { return 1, true })
	h := frontDoor(s, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("y", 1000))
		httpcache.Offer(r.Context(), "c", 1, "/r")
	})
	for i := 0; i < 10; i++ {
		do(t, h, "GET", "/x?i="+string(rune('a'+i)))
	}
	if _, _, stores, entries, bytes := s.Stats(); stores != 10 || entries > 3 || bytes > 4000 {
		t.Fatalf("stores %d, entries %d, bytes %d", stores, entries, bytes)
	}
	if w := do(t, h, "GET", "/x?i=j"); w.Header().Get("X-Cache") != "hit" {
		t.Fatal("the newest entry was dropped")
	}
}

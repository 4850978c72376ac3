package httpcache

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// wireServer runs an http.Server behind a Listener over a real TCP socket,
// with the store as front door in the handler too, as planmap does.
type wireServer struct {
	addr    string
	store   *Store
	version atomic.Int64
	calls   atomic.Int64 // requests that reached the handler
	mu      sync.Mutex
	hits    []Hit
	srv     *http.Server
	ln      *Listener
}

func newWireServer(t *testing.T) *wireServer {
	t.Helper()
	ws := &wireServer{}
	ws.version.Store(1)
	ws.store = New(1<<20, 1<<20, func(string) (int64, bool) { return ws.version.Load(), true })
	ws.store.Observe(func(h Hit) {
		ws.mu.Lock()
		ws.hits = append(ws.hits, h)
		ws.mu.Unlock()
	})
	handler := func(w http.ResponseWriter, r *http.Request) {
		ws.calls.Add(1)
		if r.Method == http.MethodPost {
			b, _ := io.ReadAll(r.Body)
			io.WriteString(w, "posted "+string(b))
			return
		}
		w.Header().Set("Content-Type", "application/geo+json")
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Vary", "Accept")
		if r.URL.Path == "/empty" {
			w.WriteHeader(http.StatusNoContent)
		} else {
			io.WriteString(w, "answer to "+r.RequestURI+" accept="+r.Header.Get("Accept"))
		}
		Offer(r.Context(), "c", ws.version.Load(), "/route")
	}
	front := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := Key(r)
		if key == "" {
			handler(w, r)
			return
		}
		if _, ok := ws.store.Serve(w, r, key); ok {
			return
		}
		c, r := ws.store.Begin(w, r, key)
		handler(c, r)
		c.Finish(r.Context())
	})
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ws.ln = NewListener(tcp, ws.store, WireOptions{IdleTimeout: 5 * time.Second})
	ws.srv = &http.Server{Handler: front, ReadHeaderTimeout: 5 * time.Second}
	go ws.srv.Serve(ws.ln)
	ws.addr = tcp.Addr().String()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ws.srv.Shutdown(ctx)
	})
	return ws
}

func (ws *wireServer) wireHits() int {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return len(ws.hits)
}

// roundTrip writes raw bytes on a new connection and reads every answer
// until the server closes it or goes quiet.
func (ws *wireServer) roundTrip(t *testing.T, raw string, answers int) []*http.Response {
	t.Helper()
	c, err := net.Dial("tcp", ws.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	var out []*http.Response
	for i := 0; i < answers; i++ {
		// Only the method matters to how the answer is read (HEAD has no body).
		resp, err := http.ReadResponse(br, &http.Request{Method: strings.Fields(raw)[0]})
		if err != nil {
			t.Fatalf("answer %d: %v", i+1, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body = io.NopCloser(bytes.NewReader(body))
		out = append(out, resp)
	}
	return out
}

func body(r *http.Response) string { b, _ := io.ReadAll(r.Body); return string(b) }

func TestListenerAnswersHitsOnTheWire(t *testing.T) {
	ws := newWireServer(t)
	client := &http.Client{}
	get := func(accept string) *http.Response {
		req, _ := http.NewRequest("GET", "http://"+ws.addr+"/items?bbox=1,2,3,4", nil)
		req.Header.Set("Accept", accept)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(b))
		return resp
	}
	first := get("application/geo+json")
	if first.Header.Get("X-Cache") != "" || ws.calls.Load() != 1 {
		t.Fatalf("first answer: X-Cache %q, %d handler calls", first.Header.Get("X-Cache"), ws.calls.Load())
	}
	// The client keeps its connection, which net/http now owns: the store
	// answers there. A new connection is answered on the wire.
	viaHTTP := get("application/geo+json")
	client.CloseIdleConnections()
	onWire := get("application/geo+json")
	if ws.calls.Load() != 1 || ws.wireHits() != 1 {
		t.Fatalf("%d handler calls, %d wire hits", ws.calls.Load(), ws.wireHits())
	}
	for _, r := range []*http.Response{viaHTTP, onWire} {
		if r.StatusCode != 200 || r.Header.Get("X-Cache") != "hit" || r.ContentLength != int64(len("answer to /items?bbox=1,2,3,4 accept=application/geo+json")) {
			t.Fatalf("hit: %d %v length %d", r.StatusCode, r.Header, r.ContentLength)
		}
	}
	if b1, b2 := body(viaHTTP), body(onWire); b1 != b2 || b1 != "answer to /items?bbox=1,2,3,4 accept=application/geo+json" {
		t.Fatalf("bodies %q and %q", b1, b2)
	}
	// The same headers both ways, but for the ones made per answer.
	for _, h := range []http.Header{viaHTTP.Header, onWire.Header} {
		for _, k := range []string{"Date", "X-Request-Id"} {
			if h.Get(k) == "" {
				t.Fatalf("no %s in %v", k, h)
			}
			h.Del(k)
		}
	}
	if a, b := headerText(viaHTTP.Header), headerText(onWire.Header); a != b {
		t.Fatalf("headers differ:\nnet/http %s\nwire %s", a, b)
	}
	ws.mu.Lock()
	hit := ws.hits[0]
	ws.mu.Unlock()
	if hit.Route != "/route" || hit.Path != "/items" || hit.Status != 200 || hit.Request != nil || hit.Bytes == 0 {
		t.Fatalf("observed %+v", hit)
	}
	// Another Accept is another answer.
	get("text/html")
	if ws.calls.Load() != 2 {
		t.Fatalf("%d handler calls after another Accept", ws.calls.Load())
	}
	// A new version: net/http and the handler answer again.
	ws.version.Store(2)
	client.CloseIdleConnections()
	if r := get("application/geo+json"); r.Header.Get("X-Cache") != "" || ws.calls.Load() != 3 {
		t.Fatalf("after a write: X-Cache %q, %d calls", r.Header.Get("X-Cache"), ws.calls.Load())
	}
}

func headerText(h http.Header) string {
	var b strings.Builder
	h.Write(&b)
	return b.String()
}

// Requests in one write: the wire answers the hits, and hands the first
// miss, with everything after it, to net/http, in order.
func TestListenerPipelinesAndHandsOver(t *testing.T) {
	ws := newWireServer(t)
	ws.roundTrip(t, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /empty HTTP/1.1\r\nHost: x\r\n\r\n", 2)
	calls := ws.calls.Load()
	raw := "GET /a HTTP/1.1\r\nHost: x\r\n\r\n" +
		"GET /empty HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"v1\"\r\n\r\n" +
		"GET /a HTTP/1.1\r\nHost: x\r\nIf-None-Match: W/\"v1\", \"v0\"\r\n\r\n" +
		"GET /b HTTP/1.1\r\nHost: x\r\n\r\n" +
		"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" +
		"GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	rs := ws.roundTrip(t, raw, 6)
	want := []struct {
		status int
		body   string
		hit    bool
	}{
		{200, "answer to /a accept=", true},
		{304, "", true},
		{304, "", true},
		{200, "answer to /b accept=", false},
		{200, "posted hello", false},
		{200, "answer to /a accept=", true},
	}
	for i, w := range want {
		r := rs[i]
		if r.StatusCode != w.status || body(r) != w.body || (r.Header.Get("X-Cache") == "hit") != w.hit {
			t.Fatalf("answer %d: %d %q X-Cache %q, want %d %q hit %v", i+1, r.StatusCode, body(r), r.Header.Get("X-Cache"), w.status, w.body, w.hit)
		}
	}
	if got := ws.calls.Load() - calls; got != 2 {
		t.Fatalf("%d handler calls, want 2 (/b and the POST)", got)
	}
	if ws.wireHits() != 3 {
		t.Fatalf("%d answers on the wire, want 3 (those before the first miss)", ws.wireHits())
	}
	// The 304 has no body and no Content-Type.
	if rs[1].Header.Get("Content-Type") != "" || rs[1].Header.Get("ETag") != `"v1"` {
		t.Fatalf("304 headers %v", rs[1].Header)
	}
}

// What the wire does not answer, net/http answers as it would have.
func TestListenerLeavesTheRestToNetHTTP(t *testing.T) {
	ws := newWireServer(t)
	ws.roundTrip(t, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", 1)
	for name, c := range map[string]struct {
		raw    string
		status int
	}{
		"HEAD":           {"HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n", 200},
		"HTTP/1.0":       {"GET /a HTTP/1.0\r\nHost: x\r\n\r\n", 200},
		"range":          {"GET /a HTTP/1.1\r\nHost: x\r\nRange: bytes=0-3\r\n\r\n", 200},
		"two hosts":      {"GET /a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400},
		"no host":        {"GET /a HTTP/1.1\r\n\r\n", 400},
		"absolute form":  {"GET http://x/a HTTP/1.1\r\nHost: x\r\n\r\n", 200},
		"folded header":  {"GET /a HTTP/1.1\r\nHost: x\r\nAccept: a\r\n b\r\n\r\n", 200},
		"bad header":     {"GET /a HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n", 400},
		"upgrade":        {"GET /a HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n", 200},
		"chunked body":   {"GET /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 200},
		"huge head":      {"GET /a HTTP/1.1\r\nHost: x\r\nX-Pad: " + strings.Repeat("p", 6000) + "\r\n\r\n", 200},
		"garbage method": {"BREW /a HTTP/1.1\r\nHost: x\r\n\r\n", 200},
	} {
		before := ws.wireHits()
		rs := ws.roundTrip(t, c.raw, 1)
		if rs[0].StatusCode != c.status || ws.wireHits() != before {
			t.Errorf("%s: status %d (want %d), %d wire answers", name, rs[0].StatusCode, c.status, ws.wireHits()-before)
		}
	}
}

// Closing the listener closes connections waiting for a request, and the
// server shuts down.
func TestListenerClose(t *testing.T) {
	ws := newWireServer(t)
	ws.roundTrip(t, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", 1)
	c, err := net.Dial("tcp", ws.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	if r, err := http.ReadResponse(br, nil); err != nil || r.Header.Get("X-Cache") != "hit" {
		t.Fatalf("%v %v", r, err)
	}
	io.Copy(io.Discard, io.LimitReader(br, int64(br.Buffered())))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ws.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("idle wire connection after shutdown: %v", err)
	}
	if _, err := ws.ln.Accept(); err == nil {
		t.Fatal("Accept after Close")
	}
}

// The wire keys a request exactly as Key keys what net/http parses from the
// same bytes, or leaves it to net/http.
func FuzzWireKey(f *testing.F) {
	for _, s := range []string{
		"GET /a?b=c HTTP/1.1\r\nHost: h:8080\r\nAccept: a/b\r\nAccept: c\r\naccept-encoding:  gzip \r\nX-Forwarded-Host: p\r\n\r\n",
		"GET / HTTP/1.1\r\nhost: x\r\nOrigin: http://o\r\nForwarded: for=1;proto=https\r\nConnection: keep-alive\r\n\r\n",
		"GET /%41 HTTP/1.1\r\nHost: x\r\nAccept-Language: zh-CN,zh;q=0.9\r\nIf-None-Match: \"x\"\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: x\r\nAccept:\t\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		if !bytes.HasSuffix(head, []byte("\r\n\r\n")) || bytes.Count(head, []byte("\r\n\r\n")) != 1 {
			return
		}
		var req wireRequest
		if !req.parse(head) {
			return
		}
		r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(head)))
		if err != nil {
			t.Fatalf("the wire took a request net/http refuses (%v): %q", err, head)
		}
		if got, want := string(req.key(nil)), Key(r); got != want {
			t.Fatalf("key %q, net/http's %q, for %q", got, want, head)
		}
		if inm := r.Header.Get("If-None-Match"); inm != string(req.ifNoneMatch) {
			t.Fatalf("If-None-Match %q, net/http's %q", req.ifNoneMatch, inm)
		}
	})
}

package httpcache

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The front door on the wire. Listener answers the requests the store
// holds straight from the connection, with the stored answer's head and
// body in one writev, before net/http reads them: for small answers net/http's
// own work per request (the Request, its header map, the response writer)
// costs more than the answer. Any request it does not answer, and anything
// it does not fully understand, goes with its connection to net/http, which
// then keeps the connection for good.
//
// It answers only what the store's Key would key the same way: GET,
// HTTP/1.1, an origin-form target, no body, no Range, no Expect or Upgrade,
// one Host, and header lines without folding or control characters.
// Everything else is net/http's to parse, answer or reject.

// WireOptions tune a Listener.
type WireOptions struct {
	// IdleTimeout closes a connection that sends no request for this long;
	// zero means two minutes (planmap's http.Server setting).
	IdleTimeout time.Duration
	// ReadHeaderTimeout bounds the reading of one request's head; zero
	// means ten seconds.
	ReadHeaderTimeout time.Duration
}

// Listener wraps a listener: Accept returns only the connections handed
// over to net/http, with what was read of them.
type Listener struct {
	ln    net.Listener
	store *Store
	opt   WireOptions

	handoff chan net.Conn
	done    chan struct{}
	once    sync.Once
	err     atomic.Pointer[error]

	mu    sync.Mutex
	conns map[net.Conn]struct{} // connections being served here

	date atomic.Pointer[dateLine]
}

type dateLine struct {
	unix int64
	line []byte // "Date: ...\r\n"
}

// NewListener starts accepting on ln and answering from store; serve the
// returned Listener with an http.Server for the rest.
func NewListener(ln net.Listener, store *Store, opt WireOptions) *Listener {
	if opt.IdleTimeout <= 0 {
		opt.IdleTimeout = 2 * time.Minute
	}
	if opt.ReadHeaderTimeout <= 0 {
		opt.ReadHeaderTimeout = 10 * time.Second
	}
	l := &Listener{ln: ln, store: store, opt: opt, handoff: make(chan net.Conn), done: make(chan struct{}),
		conns: map[net.Conn]struct{}{}}
	go l.acceptLoop()
	return l
}

// Accept returns the next connection for net/http.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.handoff:
		return c, nil
	case <-l.done:
		if err := l.err.Load(); err != nil {
			return nil, *err
		}
		return nil, net.ErrClosed
	}
}

// Close stops accepting and closes the connections waiting here for their
// next request; an answer being written is finished first.
func (l *Listener) Close() error {
	var err error
	l.once.Do(func() {
		close(l.done)
		err = l.ln.Close()
		l.mu.Lock()
		for c := range l.conns {
			c.SetReadDeadline(time.Now()) // wakes a connection waiting to read
		}
		l.mu.Unlock()
	})
	return err
}

// Addr is the address listened on.
func (l *Listener) Addr() net.Addr { return l.ln.Addr() }

func (l *Listener) acceptLoop() {
	var delay time.Duration
	for {
		c, err := l.ln.Accept()
		if err != nil {
			select {
			case <-l.done:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// As net/http does for a full descriptor table and the like.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				select {
				case <-l.done:
					return
				case <-time.After(delay):
				}
				continue
			}
			l.err.Store(&err)
			l.once.Do(func() { close(l.done) })
			return
		}
		delay = 0
		go l.serve(c)
	}
}

// track adds or removes a connection served here; false when closing.
func (l *Listener) track(c net.Conn, add bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !add {
		delete(l.conns, c)
		return true
	}
	select {
	case <-l.done:
		return false
	default:
	}
	l.conns[c] = struct{}{}
	return true
}

var readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}

func (l *Listener) serve(c net.Conn) {
	if !l.track(c, true) {
		c.Close()
		return
	}
	br := readerPool.Get().(*bufio.Reader)
	br.Reset(c)
	handed := false
	defer func() {
		l.track(c, false)
		if !handed {
			c.Close()
			br.Reset(nil)
			readerPool.Put(br)
		}
	}()
	var (
		out     net.Buffers
		ansHead []byte // the answer's head, reused from answer to answer
	)
	for {
		if br.Buffered() == 0 {
			c.SetReadDeadline(time.Now().Add(l.opt.IdleTimeout))
			if _, err := br.Peek(1); err != nil {
				return
			}
		}
		// A head that came whole in one read (the usual case) needs no
		// deadline of its own; reading the clock costs more than the rest.
		buffered, _ := br.Peek(br.Buffered())
		if !bytes.Contains(buffered, []byte("\r\n\r\n")) {
			c.SetReadDeadline(time.Now().Add(l.opt.ReadHeaderTimeout))
		}
		head, err := readHead(br)
		if err != nil {
			return
		}
		var (
			req wireRequest
			hit Hit
			ok  bool
		)
		if head != nil && req.parse(head) {
			start := time.Now()
			out, ansHead, hit, ok = l.answer(out[:0], ansHead[:0], &req, start)
		}
		if !ok {
			// net/http reads the request again from the start.
			c.SetReadDeadline(time.Time{})
			handed = true
			select {
			case l.handoff <- &handedConn{Conn: c, r: br}:
			case <-l.done:
				c.Close()
			}
			return
		}
		br.Discard(len(head))
		// Counted before it is written: once the client has the answer, the
		// count must already show it.
		l.store.observe(hit)
		if _, err := out.WriteTo(c); err != nil {
			return
		}
		if req.close {
			// Half-close first, so the client reads the answer before the end.
			if cw, ok := c.(interface{ CloseWrite() error }); ok {
				cw.CloseWrite()
			}
			return
		}
	}
}

// readHead returns the request head at the front of br, through its blank
// line, without consuming it; nil when it does not fit in br's buffer.
func readHead(br *bufio.Reader) ([]byte, error) {
	for {
		buf, _ := br.Peek(br.Buffered())
		if i := bytes.Index(buf, []byte("\r\n\r\n")); i >= 0 {
			return buf[:i+4], nil
		}
		if br.Buffered() == br.Size() {
			return nil, nil
		}
		if _, err := br.Peek(br.Buffered() + 1); err != nil {
			return nil, err
		}
	}
}

// wireRequest is what the store needs of a request head.
type wireRequest struct {
	target      []byte
	host        []byte
	hosts       int
	vary        [len(VaryHeaders)][][]byte // values of each of VaryHeaders, in order
	ifNoneMatch []byte
	close       bool
}

// parse reads a request head; false for anything the Listener leaves to
// net/http.
func (r *wireRequest) parse(head []byte) bool {
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	method, line, ok1 := bytes.Cut(line, []byte(" "))
	target, proto, ok2 := bytes.Cut(line, []byte(" "))
	if !ok1 || !ok2 || string(method) != http.MethodGet || string(proto) != "HTTP/1.1" ||
		len(target) == 0 || target[0] != '/' || !printable(target) {
		return false
	}
	// net/http refuses a path with a malformed escape; without a '%' in
	// the path there is none (the fuzz test holds the two to agree).
	if path, _, _ := bytes.Cut(target, []byte("?")); bytes.IndexByte(path, '%') >= 0 {
		if _, err := url.ParseRequestURI(string(target)); err != nil {
			return false
		}
	}
	r.target = target
	for len(rest) > 2 {
		var field []byte
		field, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		name, value, ok := bytes.Cut(field, []byte(":"))
		if !ok || len(name) == 0 || !token(name) {
			return false // also a folded line, which starts with a space
		}
		value = bytes.Trim(value, " \t")
		if !fieldValue(value) {
			return false
		}
		switch {
		case equalFold(name, "Host"):
			r.host = value
			r.hosts++
		case equalFold(name, "If-None-Match"):
			if r.ifNoneMatch != nil {
				return false // several lines: net/http's to join
			}
			r.ifNoneMatch = value
		case equalFold(name, "Connection"):
			for _, t := range bytes.Split(value, []byte(",")) {
				t = bytes.TrimSpace(t)
				if equalFold(t, "close") {
					r.close = true
				} else if !equalFold(t, "keep-alive") {
					return false // upgrades and hop-by-hop lists are net/http's
				}
			}
		case equalFold(name, "Content-Length"), equalFold(name, "Transfer-Encoding"),
			equalFold(name, "Range"), equalFold(name, "Expect"), equalFold(name, "Upgrade"),
			equalFold(name, "Trailer"), equalFold(name, "TE"):
			return false
		default:
			for i, h := range VaryHeaders {
				if equalFold(name, h) {
					r.vary[i] = append(r.vary[i], value)
					break
				}
			}
		}
	}
	return r.hosts == 1
}

// key is Key for the request: the same bytes for the same request.
func (r *wireRequest) key(buf []byte) []byte {
	buf = append(buf, r.host...)
	buf = append(buf, 0)
	buf = append(buf, r.target...)
	for i := range VaryHeaders {
		buf = append(buf, 0)
		for j, v := range r.vary[i] {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, v...)
		}
	}
	return buf
}

// answer writes into out the stored answer for req, when the store holds
// a current one.
func (l *Listener) answer(out net.Buffers, head []byte, req *wireRequest, start time.Time) (net.Buffers, []byte, Hit, bool) {
	var kb [512]byte
	key := req.key(kb[:0])
	e := l.store.lookup(string(key))
	if e == nil {
		return out, head, Hit{}, false
	}
	status, n := e.status, 0
	notModified := e.etag != "" && etagMatch(string(req.ifNoneMatch), e.etag)
	if notModified {
		status = http.StatusNotModified
		head = append(head, "HTTP/1.1 304 Not Modified\r\n"...)
		head = append(head, e.wireHead304...)
	} else {
		head = append(head, e.wireHead...)
	}
	head = append(head, l.dateLine(start)...)
	id := l.store.nextID()
	head = append(head, "X-Request-Id: "...)
	head = append(head, id...)
	head = append(head, "\r\nX-Cache: hit\r\n"...)
	if req.close {
		head = append(head, "Connection: close\r\n"...)
	}
	if !notModified && status != http.StatusNoContent {
		head = append(head, "Content-Length: "...)
		head = append(head, e.length...)
		head = append(head, "\r\n"...)
	}
	head = append(head, "\r\n"...)
	out = append(out, head)
	if !notModified && status != http.StatusNoContent {
		out = append(out, e.body)
		n = len(e.body)
	}
	return out, head, Hit{Route: e.route, Status: status, Bytes: n, Elapsed: time.Since(start), RequestID: id, Path: pathOf(req.target)}, true
}

func pathOf(target []byte) string {
	if i := bytes.IndexByte(target, '?'); i >= 0 {
		target = target[:i]
	}
	return string(target)
}

// dateLine is the Date header for now, formatted once a second.
func (l *Listener) dateLine(now time.Time) []byte {
	if d := l.date.Load(); d != nil && d.unix == now.Unix() {
		return d.line
	}
	line := append([]byte("Date: "), now.UTC().AppendFormat(nil, http.TimeFormat)...)
	line = append(line, "\r\n"...)
	l.date.Store(&dateLine{unix: now.Unix(), line: line})
	return line
}

// wireHeads writes an entry's status line and stored headers as they go
// on the wire, for an answer and for a 304.
func wireHeads(status int, h http.Header) (full, notModified []byte) {
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\n")
	h.Write(&b)
	full = bytes.Clone(b.Bytes())
	b.Reset()
	h304 := h.Clone()
	delete(h304, "Content-Type")
	delete(h304, "Content-Encoding")
	h304.Write(&b)
	return full, bytes.Clone(b.Bytes())
}

// handedConn is a connection handed to net/http, with the bytes already
// read from it in front.
type handedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *handedConn) Read(p []byte) (int, error) {
	if c.r != nil {
		if c.r.Buffered() > 0 {
			return c.r.Read(p)
		}
		c.r.Reset(nil)
		readerPool.Put(c.r)
		c.r = nil
	}
	return c.Conn.Read(p)
}

// CloseWrite lets net/http half-close the connection, as it does a TCP one.
func (c *handedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// token reports whether b is an HTTP token (a header name).
func token(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c >= 0x7f || bytes.IndexByte([]byte(`"(),/:;<=>?@[\]{}`), c) >= 0 {
			return false
		}
	}
	return true
}

// fieldValue reports whether b holds no control character but tab.
func fieldValue(b []byte) bool {
	for _, c := range b {
		if (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// printable reports whether b is visible ASCII, as a request target is.
func printable(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// equalFold compares ASCII case-insensitively.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

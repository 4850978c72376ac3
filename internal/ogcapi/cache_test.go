package ogcapi

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"sync"
	"testing"
)

// The gzipped copy is made once, on the first client that takes it, and
// counted against the budget from then on; an entry leaves with all of it.
func TestCacheGzipsLazilyAndCountsIt(t *testing.T) {
	c := NewCache(1<<20, 1<<19)
	body := []byte(strings.Repeat(`{"type":"Feature","properties":{"name":"地块"}},`, 2000))
	c.put("k", "layer", MediaGeoJSON, body)
	_, _, entries, before := c.Stats()
	if entries != 1 || before < len(body) || before > len(body)+200 {
		t.Fatalf("after put: %d entries, %d bytes for a %d-byte body", entries, before, len(body))
	}
	r := c.get("k")
	var wg sync.WaitGroup
	got := make([][]byte, 8)
	for i := range got {
		wg.Add(1)
		go func() { defer wg.Done(); got[i] = c.gzipOf(r) }()
	}
	wg.Wait()
	for _, g := range got[1:] {
		if &g[0] != &got[0][0] {
			t.Fatal("compressed more than once")
		}
	}
	zr, err := gzip.NewReader(bytes.NewReader(got[0]))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, body) {
		t.Fatal("the gzipped copy is not the body")
	}
	if _, _, _, after := c.Stats(); after != before+len(got[0]) {
		t.Fatalf("bytes %d after gzip, want %d", after, before+len(got[0]))
	}
	c.Invalidate("layer")
	if _, _, entries, size := c.Stats(); entries != 0 || size != 0 {
		t.Fatalf("after Invalidate: %d entries, %d bytes", entries, size)
	}
	// An answer that gzip would not shrink is served plain.
	c.put("tiny", "layer", MediaGeoJSON, []byte("{}"))
	if gz := c.gzipOf(c.get("tiny")); gz != nil {
		t.Fatalf("gzipped a 2-byte body: %d bytes", len(gz))
	}
}

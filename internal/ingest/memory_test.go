package ingest_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/planmap/planmap/internal/ingest"
)

// writeCollection writes a FeatureCollection of about size bytes: polygons
// of 40 vertices in Liaoning with Chinese attributes.
func writeCollection(w io.Writer, size int64) (int64, int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	var n int64
	put := func(b []byte) error {
		n += int64(len(b))
		_, err := bw.Write(b)
		return err
	}
	if err := put([]byte(`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}},"features":[`)); err != nil {
		return n, 0, err
	}
	var buf []byte
	i := 0
	for ; n < size; i++ {
		buf = buf[:0]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = fmt.Appendf(buf, `{"type":"Feature","id":%d,"properties":{"名称":"辽宁项目%d","类型":"交通","投资":%d.5,"备注":"沈阳至大连段第%d标段"},"geometry":{"type":"Polygon","coordinates":[[`, i, i, i%1000, i%97)
		x, y := 119.0+float64(i%6000)/1000, 39.0+float64(i%4000)/1000
		for j := 0; j < 40; j++ {
			if j > 0 {
				buf = append(buf, ',')
			}
			dx, dy := float64(j%10)*0.0001, float64(j/10)*0.0001
			if j == 39 {
				dx, dy = 0, 0
			}
			buf = fmt.Appendf(buf, "[%.6f,%.6f]", x+dx, y+dy)
		}
		buf = append(buf, "]]}}"...)
		if err := put(buf); err != nil {
			return n, i, err
		}
	}
	if err := put([]byte("]}")); err != nil {
		return n, i, err
	}
	return n, i, bw.Flush()
}

// A ~100 MB GeoJSON stream generated on the fly (never stored) parses in
// memory that does not grow with it.
func TestGeoJSONMemory(t *testing.T) {
	size := int64(100 << 20)
	if testing.Short() {
		size = 20 << 20
	}
	pr, pw := io.Pipe()
	var written atomic.Int64
	var features atomic.Int64
	go func() {
		n, k, err := writeCollection(pw, size)
		written.Store(n)
		features.Store(int64(k))
		pw.CloseWithError(err)
	}()

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // sample the heap while parsing
		defer close(done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()

	start := time.Now()
	r, err := ingest.OpenStream("big.geojson", pr, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	close(stop)
	<-done
	res := r.Result()
	elapsed := time.Since(start)
	if int64(n) != features.Load() || res.Err() != nil || res.CRS.EPSG != 4490 {
		t.Fatalf("%d features of %d, %v, %+v", n, features.Load(), res.Err(), res.CRS)
	}
	p := peak.Load()
	t.Logf("parsed %.1f MB, %d features in %v (%.1f MB/s); peak heap %.1f MB (%.1f MB at start)",
		float64(written.Load())/1e6, n, elapsed.Round(time.Millisecond), float64(written.Load())/1e6/elapsed.Seconds(), float64(p)/1e6, float64(base.HeapAlloc)/1e6)
	if p > 200<<20 {
		t.Fatalf("peak heap %d bytes; want well under 200 MB", p)
	}
	if p > 64<<20 {
		t.Errorf("peak heap %.1f MB: memory grows with the file", float64(p)/1e6)
	}
}

func BenchmarkGeoJSON(b *testing.B) {
	var buf bytes.Buffer
	if _, _, err := writeCollection(&buf, 8<<20); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := ingest.Open("b.geojson", bytes.NewReader(data), int64(len(data)), ingest.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

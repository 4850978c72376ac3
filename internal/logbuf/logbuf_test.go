package logbuf_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/planmap/planmap/internal/logbuf"
)

// sink records each write it is given, and tells wrote (if set) of it.
type sink struct {
	mu     sync.Mutex
	writes []string
	err    error
	wrote  chan struct{}
}

func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return 0, s.err
	}
	s.writes = append(s.writes, string(p))
	if s.wrote != nil {
		s.wrote <- struct{}{}
	}
	return len(p), nil
}

func (s *sink) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.writes, "")
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.writes)
}

func TestLinesAreBatchedAndKeepTheirOrder(t *testing.T) {
	var out sink
	w := logbuf.New(&out, time.Hour, 1<<20)
	var want bytes.Buffer
	for i := range 100 {
		line := fmt.Sprintf("line %d\n", i)
		want.WriteString(line)
		if _, err := w.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	if out.count() != 0 {
		t.Fatalf("%d writes before a flush; want none", out.count())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if out.count() != 1 || out.text() != want.String() {
		t.Fatalf("after Close: %d writes, %q; want one write of all 100 lines in order", out.count(), out.text())
	}
}

func TestPendingLinesGoOutWithinTheInterval(t *testing.T) {
	out := sink{wrote: make(chan struct{}, 1)}
	w := logbuf.New(&out, 10*time.Millisecond, 1<<20)
	defer w.Close()
	w.Write([]byte("soon\n"))
	select {
	case <-out.wrote:
	case <-time.After(5 * time.Second):
		t.Fatal("the line was not written out by the timer")
	}
	if out.text() != "soon\n" {
		t.Fatalf("written out: %q", out.text())
	}
}

func TestAFullBufferIsWrittenAtOnce(t *testing.T) {
	var out sink
	w := logbuf.New(&out, time.Hour, 64)
	defer w.Close()
	line := strings.Repeat("x", 40) + "\n"
	w.Write([]byte(line))
	if out.count() != 0 {
		t.Fatal("written before the buffer was full")
	}
	w.Write([]byte(line))
	if out.text() != line+line {
		t.Fatalf("a full buffer was not written at once: %q", out.text())
	}
}

func TestConcurrentWritersLoseNoLineAndSplitNone(t *testing.T) {
	var out sink
	w := logbuf.New(&out, time.Millisecond, 4096)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				fmt.Fprintf(w, "writer %d line %d %s\n", g, i, strings.Repeat("y", i%50))
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.text(), "\n"), "\n")
	if len(lines) != 8*500 {
		t.Fatalf("%d lines; want %d", len(lines), 8*500)
	}
	next := map[int]int{}
	for _, l := range lines {
		var g, i int
		if _, err := fmt.Sscanf(l, "writer %d line %d ", &g, &i); err != nil || l != fmt.Sprintf("writer %d line %d %s", g, i, strings.Repeat("y", i%50)) {
			t.Fatalf("a split or mixed line: %q", l)
		}
		if i != next[g] {
			t.Fatalf("writer %d: line %d after line %d", g, i, next[g]-1)
		}
		next[g]++
	}
}

func TestAWriteErrorIsReported(t *testing.T) {
	out := sink{err: os.ErrClosed}
	w := logbuf.New(&out, time.Hour, 1<<20)
	w.Write([]byte("lost\n"))
	if err := w.Flush(); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Flush: %v; want the writer's error", err)
	}
	if _, err := w.Write([]byte("later\n")); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Write after a failed flush: %v; want the writer's error", err)
	}
	if err := w.Close(); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Close: %v; want the writer's error", err)
	}
}

func ExampleWriter() {
	w := logbuf.New(os.Stdout, 100*time.Millisecond, 64<<10)
	fmt.Fprintln(w, "level=INFO msg=request path=/collections")
	fmt.Fprintln(w, "level=INFO msg=request path=/collections/projects/items")
	w.Close() // writes out both lines, in one write
	// Output:
	// level=INFO msg=request path=/collections
	// level=INFO msg=request path=/collections/projects/items
}

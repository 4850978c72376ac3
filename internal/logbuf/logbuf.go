// Package logbuf batches a log's writes: lines go into memory and out to
// the underlying writer every interval, or at once when enough have
// gathered. planmap logs every request at info, and a cached answer is
// written with a single system call; writing its log line with another
// cost as much as a third of the answer's time.
//
// Lines reach the writer in the order they were written, each whole, at
// most an interval late; Flush and Close write out what is pending.
package logbuf

import (
	"io"
	"sync"
	"time"
)

// Writer buffers writes to an io.Writer. It is safe for concurrent use.
type Writer struct {
	out      io.Writer
	maxBytes int

	mu  sync.Mutex // guards buf and err
	buf []byte
	err error

	flushMu sync.Mutex // one flush at a time, so that lines keep their order
	spare   []byte     // the other buffer, written out under flushMu

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// New returns a Writer that writes to out every interval, and at once when
// maxBytes or more are pending. Close it to stop its timer.
func New(out io.Writer, interval time.Duration, maxBytes int) *Writer {
	w := &Writer{out: out, maxBytes: maxBytes, stop: make(chan struct{}), done: make(chan struct{})}
	go w.loop(interval)
	return w
}

func (w *Writer) loop(interval time.Duration) {
	defer close(w.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			w.Flush()
		case <-w.stop:
			return
		}
	}
}

// Write keeps a copy of p to write out later. It reports the error of an
// earlier write out, if any, and then keeps nothing.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.err != nil {
		err := w.err
		w.mu.Unlock()
		return 0, err
	}
	w.buf = append(w.buf, p...)
	full := len(w.buf) >= w.maxBytes
	w.mu.Unlock()
	if full {
		// The writer, not memory, takes the rest of a burst.
		if err := w.Flush(); err != nil {
			return len(p), err
		}
	}
	return len(p), nil
}

// Flush writes out what is pending.
func (w *Writer) Flush() error {
	w.flushMu.Lock()
	defer w.flushMu.Unlock()
	w.mu.Lock()
	data := w.buf
	w.buf = w.spare[:0]
	err := w.err
	w.mu.Unlock()
	if len(data) > 0 && err == nil {
		if _, err = w.out.Write(data); err != nil {
			w.mu.Lock()
			w.err = err
			w.mu.Unlock()
		}
	}
	w.spare = data[:0]
	return err
}

// Close stops the timer and writes out what is pending; writes after it
// are written out only by another Flush.
func (w *Writer) Close() error {
	w.once.Do(func() {
		close(w.stop)
		<-w.done
	})
	return w.Flush()
}

package ogcapi

import (
	"bytes"
	"testing"
)

// A buffer given back with bytes not yet written (an answer cut off by an
// error) must not leak them into the next answer.
func TestWriterPoolDropsUnwrittenBytes(t *testing.T) {
	var p writerPool
	var first, second bytes.Buffer
	bw := p.get(&first)
	bw.WriteString("half an answer")
	p.put(bw)
	bw = p.get(&second)
	bw.WriteString("next")
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if first.Len() != 0 || second.String() != "next" {
		t.Fatalf("first got %q, second %q", first.String(), second.String())
	}
	if bw.Size() != featureBufferSize {
		t.Fatalf("buffer of %d bytes, want %d", bw.Size(), featureBufferSize)
	}
}

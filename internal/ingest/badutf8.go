package ingest

import (
	"io"
	"unicode/utf8"
)

// badUTF8 passes bytes through and remembers where invalid UTF-8 occurs,
// which json.Decoder would otherwise silently replace with U+FFFD.
type badUTF8 struct {
	r       io.Reader
	off     int64
	pending []byte
	at      []int64 // offsets not yet claimed, ascending
}

const maxBadOffsets = 1 << 16

func (b *badUTF8) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if n > 0 {
		b.scan(p[:n])
	}
	return n, err
}

func (b *badUTF8) scan(p []byte) {
	base := b.off - int64(len(b.pending))
	buf := p
	if len(b.pending) > 0 {
		buf = append(b.pending, p...)
		b.pending = nil
	}
	b.off += int64(len(p))
	for i := 0; i < len(buf); {
		c := buf[i]
		if c < 0x80 {
			i++
			continue
		}
		if !utf8.FullRune(buf[i:]) {
			b.pending = append([]byte(nil), buf[i:]...)
			return
		}
		r, size := utf8.DecodeRune(buf[i:])
		if r == utf8.RuneError && size == 1 {
			if len(b.at) < maxBadOffsets {
				b.at = append(b.at, base+int64(i))
			}
			i++
			continue
		}
		i += size
	}
}

// in reports (and forgets) invalid bytes before end; true if any lay at or
// after start.
func (b *badUTF8) in(start, end int64) bool {
	found := false
	i := 0
	for i < len(b.at) && b.at[i] < end {
		if b.at[i] >= start {
			found = true
		}
		i++
	}
	b.at = b.at[i:]
	return found
}

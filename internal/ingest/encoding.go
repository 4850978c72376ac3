package ingest

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/planmap/planmap/internal/domain"
)

// Canonical encoding names reported in Result.Encoding.
const (
	encUTF8    = "UTF-8"
	encGBK     = "GBK"
	encGB18030 = "GB18030"
)

// charset decodes attribute bytes. A nil enc means UTF-8 (passed through and
// validated later).
type charset struct {
	name string
	enc  encoding.Encoding
}

var utf8Charset = charset{name: encUTF8}

var replacement = []byte(string(utf8.RuneError))

// codePages maps Windows code page numbers (.cpg, DBF LDID tables) to names.
var codePages = map[string]string{
	"936": "gbk", "cp936": "gbk", "ansi 936": "gbk", "ms936": "gbk", "windows-936": "gbk",
	"54936": "gb18030", "65001": "utf-8", "utf8": "utf-8",
	"950": "big5", "cp950": "big5", "932": "shift_jis", "949": "euc-kr",
	"1252": "windows-1252", "ansi 1252": "windows-1252", "88591": "iso-8859-1", "8859_1": "iso-8859-1",
	"437": "ibm437",
}

// lookupCharset resolves an encoding name as found in .cpg files, options
// and HTML labels.
func lookupCharset(name string) (charset, error) {
	n := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")))
	if m, ok := codePages[n]; ok {
		n = m
	}
	switch n {
	case "utf-8":
		return utf8Charset, nil
	case "gbk", "gb2312", "cp936", "euc-cn", "x-gbk":
		// GB18030 decodes a superset of GBK and GB2312.
		return charset{name: encGBK, enc: simplifiedchinese.GB18030}, nil
	case "gb18030":
		return charset{name: encGB18030, enc: simplifiedchinese.GB18030}, nil
	}
	if n == "ibm437" {
		return charset{}, fail(ErrEncoding, domain.EUNSUPPORTED, "unsupported character encoding %q", name)
	}
	e, err := htmlindex.Get(n)
	if err != nil {
		return charset{}, fail(ErrEncoding, domain.EUNSUPPORTED, "unknown character encoding %q", name)
	}
	canon, _ := htmlindex.Name(e)
	if canon == "utf-8" {
		return utf8Charset, nil
	}
	return charset{name: strings.ToUpper(canon), enc: e}, nil
}

// decode converts b to a string. ok is false when b could not be decoded
// (invalid UTF-8, or a replacement character appeared while decoding).
func (c charset) decode(b []byte) (string, bool) {
	if c.enc == nil || isASCII(b) {
		return string(b), utf8.Valid(b)
	}
	out, err := c.enc.NewDecoder().Bytes(b)
	if err != nil {
		return string(b), false
	}
	// ContainsRune would also match b's invalid bytes: look for the literal
	if bytes.Contains(out, replacement) && !bytes.Contains(b, replacement) {
		return string(out), false
	}
	return string(out), true
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// utf8Scan checks whether a stream is valid UTF-8 and whether it holds any
// multi-byte sequence, in constant memory.
type utf8Scan struct {
	pending  []byte
	invalid  bool
	nonASCII bool
}

func (s *utf8Scan) Write(p []byte) (int, error) {
	n := len(p)
	if s.invalid {
		return n, nil
	}
	if len(s.pending) > 0 {
		p = append(s.pending, p...)
		s.pending = nil
	}
	for i := 0; i < len(p); {
		c := p[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		s.nonASCII = true
		if !utf8.FullRune(p[i:]) {
			s.pending = append([]byte(nil), p[i:]...)
			break
		}
		r, size := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && size == 1 {
			s.invalid = true
			return n, nil
		}
		i += size
	}
	return n, nil
}

// valid reports the verdict after the whole stream was written.
func (s *utf8Scan) valid() bool { return !s.invalid && len(s.pending) == 0 }

// scanUTF8 reads r to the end.
func scanUTF8(r io.Reader) (valid, nonASCII bool, err error) {
	var s utf8Scan
	if _, err := io.Copy(&s, r); err != nil {
		return false, false, err
	}
	return s.valid(), s.nonASCII, nil
}

package postgis

import (
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

var errJSONObject = errors.New("not a JSON object")

// scalarMembers calls fn with each member of a JSON object whose value is
// a string, a number (int64 when whole and in range, else float64) or a
// boolean, in the object's order; nested objects, arrays and nulls are
// skipped. It reads without building a map: tiles call it once per
// feature. A repeated key is passed on each time (jsonb has none).
func scalarMembers(b []byte, fn func(key string, value any)) error {
	s := jsonScanner{b: b}
	s.space()
	if !s.eat('{') {
		return errJSONObject
	}
	s.space()
	if s.eat('}') {
		return s.end()
	}
	for {
		s.space()
		key, ok := s.str()
		if !ok {
			return errJSONObject
		}
		s.space()
		if !s.eat(':') {
			return errJSONObject
		}
		s.space()
		if s.i >= len(s.b) {
			return errJSONObject
		}
		switch c := s.b[s.i]; {
		case c == '"':
			v, ok := s.str()
			if !ok {
				return errJSONObject
			}
			fn(key, v)
		case c == 't' || c == 'f' || c == 'n':
			word := "null"
			if c == 't' {
				word = "true"
			} else if c == 'f' {
				word = "false"
			}
			if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
				return errJSONObject
			}
			s.i += len(word)
			if c != 'n' {
				fn(key, c == 't')
			}
		case c == '-' || (c >= '0' && c <= '9'):
			start := s.i
			for s.i < len(s.b) && isNumberByte(s.b[s.i]) {
				s.i++
			}
			text := string(s.b[start:s.i])
			if i, err := strconv.ParseInt(text, 10, 64); err == nil {
				fn(key, i)
			} else if f, err := strconv.ParseFloat(text, 64); err == nil {
				fn(key, f)
			} else if !errors.Is(err, strconv.ErrRange) {
				return errJSONObject
			}
		case c == '{' || c == '[':
			if !s.skipNested() {
				return errJSONObject
			}
		default:
			return errJSONObject
		}
		s.space()
		if s.eat('}') {
			return s.end()
		}
		if !s.eat(',') {
			return errJSONObject
		}
	}
}

type jsonScanner struct {
	b []byte
	i int
}

func (s *jsonScanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *jsonScanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *jsonScanner) end() error {
	s.space()
	if s.i != len(s.b) {
		return errJSONObject
	}
	return nil
}

func isNumberByte(c byte) bool {
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// str reads a JSON string, decoding escapes.
func (s *jsonScanner) str() (string, bool) {
	if !s.eat('"') {
		return "", false
	}
	start := s.i
	for s.i < len(s.b) && s.b[s.i] != '"' && s.b[s.i] != '\\' && s.b[s.i] >= 0x20 {
		s.i++
	}
	if s.i < len(s.b) && s.b[s.i] == '"' {
		s.i++
		return string(s.b[start : s.i-1]), true
	}
	out := append([]byte(nil), s.b[start:s.i]...)
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return string(out), true
		case c == '\\':
			if s.i+1 >= len(s.b) {
				return "", false
			}
			e := s.b[s.i+1]
			s.i += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := s.hex4()
				if !ok {
					return "", false
				}
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
						s.i += 2
						if r2, ok = s.hex4(); !ok {
							return "", false
						}
					}
					r = utf16.DecodeRune(r, r2)
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", false
			}
		case c < 0x20:
			return "", false
		default:
			out = append(out, c)
			s.i++
		}
	}
	return "", false
}

func (s *jsonScanner) hex4() (rune, bool) {
	if len(s.b)-s.i < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(s.b[s.i:s.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	s.i += 4
	return rune(v), true
}

// skipNested passes over an object or array, minding strings.
func (s *jsonScanner) skipNested() bool {
	depth := 0
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '{', '[':
			depth++
			s.i++
		case '}', ']':
			depth--
			s.i++
			if depth == 0 {
				return true
			}
		case '"':
			if _, ok := s.str(); !ok {
				return false
			}
		default:
			s.i++
		}
	}
	return false
}

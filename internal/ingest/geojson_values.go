package ingest

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// properties reads a properties object whose '{' was consumed, in order.
func (s *geojsonSource) properties(obj *gjObject, depth int) error {
	if err := s.deep(depth); err != nil {
		return err
	}
	for {
		start := s.dec.InputOffset()
		t, err := s.tok()
		if err != nil {
			return err
		}
		if t == json.Delim('}') {
			return nil
		}
		key, ok := t.(string)
		if !ok {
			return syntaxf("%s: expected a property name, found %v", s.name, t)
		}
		if s.bad.in(start, s.dec.InputOffset()) {
			obj.issues = append(obj.issues, Issue{Field: key, Code: "invalid-utf8", Severity: SeverityError, Message: "property name is not valid UTF-8 (GeoJSON must be UTF-8; declare the encoding, e.g. GBK)"})
		}
		start = s.dec.InputOffset()
		t, err = s.tok()
		if err != nil {
			return err
		}
		var v any
		switch tv := t.(type) {
		case json.Delim:
			raw, err := s.capture(t, depth+1)
			if err != nil {
				return err
			}
			v = raw
		case string:
			v = tv
		case json.Number:
			v = numberValue(tv)
		default:
			v = tv // bool or nil
		}
		if s.bad.in(start, s.dec.InputOffset()) {
			obj.issues = append(obj.issues, Issue{Field: key, Code: "invalid-utf8", Severity: SeverityError, Message: "value is not valid UTF-8 (GeoJSON must be UTF-8; declare the encoding, e.g. GBK)"})
		}
		obj.props = append(obj.props, Property{Name: key, Value: v})
	}
}

// numberValue is an int64 for integers that fit, a float64 otherwise, and
// the literal text when it overflows a float64 (1e400).
func numberValue(n json.Number) any {
	if !strings.ContainsAny(string(n), ".eE") {
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i
		}
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) {
		return string(n)
	}
	return f
}

// skip consumes the rest of a value whose first token is t.
func (s *geojsonSource) skip(t json.Token, depth int) error {
	d, ok := t.(json.Delim)
	if !ok || d == '}' || d == ']' {
		return nil
	}
	level := 1
	if err := s.deep(depth); err != nil {
		return err
	}
	for level > 0 {
		t, err := s.tok()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			level++
			if err := s.deep(depth + level - 1); err != nil {
				return err
			}
		case json.Delim('}'), json.Delim(']'):
			level--
		}
	}
	return nil
}

// capture re-encodes a value whose first token is t as JSON text.
func (s *geojsonSource) capture(t json.Token, depth int) (json.RawMessage, error) {
	var b bytes.Buffer
	if err := s.captureInto(&b, t, depth); err != nil {
		return nil, err
	}
	return json.RawMessage(b.Bytes()), nil
}

func (s *geojsonSource) captureInto(b *bytes.Buffer, t json.Token, depth int) error {
	switch v := t.(type) {
	case json.Delim:
		if err := s.deep(depth); err != nil {
			return err
		}
		b.WriteByte(byte(v))
		for n := 0; ; n++ {
			t, err := s.tok()
			if err != nil {
				return err
			}
			if t == json.Delim('}') || t == json.Delim(']') {
				b.WriteByte(byte(t.(json.Delim)))
				return nil
			}
			if n > 0 {
				b.WriteByte(',')
			}
			if v == '{' {
				writeJSONString(b, t.(string))
				b.WriteByte(':')
				if t, err = s.tok(); err != nil {
					return err
				}
			}
			if err := s.captureInto(b, t, depth+1); err != nil {
				return err
			}
		}
	case string:
		writeJSONString(b, v)
	case json.Number:
		b.WriteString(string(v))
	case bool:
		b.WriteString(strconv.FormatBool(v))
	default:
		b.WriteString("null")
	}
	return nil
}

func writeJSONString(b *bytes.Buffer, s string) {
	out, _ := json.Marshal(s)
	b.Write(out)
}

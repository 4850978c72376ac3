package postgis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"testing"
)

// reference reads the scalar members with encoding/json.
func reference(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data")
	}
	out := map[string]any{}
	for k, v := range m {
		switch v := v.(type) {
		case string, bool:
			out[k] = v
		case json.Number:
			if i, err := v.Int64(); err == nil {
				out[k] = i
			} else if f, err := v.Float64(); err == nil && !math.IsInf(f, 0) {
				out[k] = f
			}
		}
	}
	return out, nil
}

func scan(b []byte) (map[string]any, error) {
	out := map[string]any{}
	err := scalarMembers(b, func(k string, v any) { out[k] = v })
	return out, err
}

func TestScalarMembers(t *testing.T) {
	tests := []string{
		`{}`,
		` { "a" : 1 , "b":-2.5e3, "c": "x", "d": true, "e": false, "f": null } `,
		`{"name": "地块 0000001", "kind": "farmland", "area_m2": 1234, "code": "2100001"}`,
		`{"esc": "a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00", "n": 12345678901234567890}`,
		`{"nested": {"a": [1, {"b": "}"}]}, "arr": [1, "]", 2], "after": 1}`,
		`{"big": 1e400, "neg": -0, "frac": 0.1}`,
	}
	for _, in := range tests {
		want, err := reference([]byte(in))
		if err != nil {
			t.Fatalf("%s: reference: %v", in, err)
		}
		got, err := scan([]byte(in))
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s:\n got %v %v\nwant %v", in, got, err, want)
		}
	}
	for _, bad := range []string{``, `[]`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":tru}`, `{"a":"x`, `{"a":1} x`, `{"a":{"b":1}`, "{\"a\":\"\x01\"}", `{"a":"\x"}`} {
		if _, err := scan([]byte(bad)); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

// FuzzScalarMembers: what encoding/json reads as an object, the scanner
// reads the same.
func FuzzScalarMembers(f *testing.F) {
	f.Add([]byte(`{"a": 1, "b": "x\u00e9", "c": [1, {"d": 2}], "e": true}`))
	f.Add([]byte(`{"name": "地块", "v": -1.5e-3, "n": null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		want, err := reference(b)
		got, gerr := scan(b)
		if err != nil || !json.Valid(b) || duplicateKeys(b) {
			// Malformed input: the scanner may say so or not, but must not
			// panic. jsonb never repeats a key.
			return
		}
		if gerr != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%q:\n got %v %v\nwant %v", b, got, gerr, want)
		}
	})
}

// duplicateKeys reports whether the top-level object repeats a key.
func duplicateKeys(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	seen := map[string]bool{}
	depth := 0
	expectKey := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			expectKey = depth == 1 && tok == json.Delim('{')
			continue
		case json.Delim('}'), json.Delim(']'):
			depth--
			expectKey = depth == 1
			continue
		}
		if depth == 1 && expectKey {
			k := tok.(string)
			if seen[k] {
				return true
			}
			seen[k] = true
			expectKey = false
			continue
		}
		if depth == 1 {
			expectKey = true
		}
	}
}

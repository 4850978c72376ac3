package cql2_test

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/planmap/planmap/internal/cql2"
	"github.com/planmap/planmap/internal/domain"
)

// Seed corpora live in testdata/fuzz/FuzzParseText and FuzzParseJSON; run
// with: go test -run '^$' -fuzz FuzzParseText ./internal/cql2/

// permissive builds a registry accepting every property e uses. Types come
// from a few well-known names, otherwise from the first byte of the name,
// so every type is exercised. Column SQL is synthetic: no byte of a
// property name can reach the SQL.
func permissive(e cql2.Expr) cql2.Queryables {
	known := map[string]cql2.Type{
		"geom": cql2.Geometry, "geometry": cql2.Geometry, "footprint": cql2.Geometry, "road": cql2.Geometry, "location": cql2.Geometry, "g": cql2.Geometry,
		"date": cql2.Date, "built": cql2.Date, "d": cql2.Date, "d_end": cql2.Date,
		"updated": cql2.Timestamp, "event_date": cql2.Timestamp, "touchdown": cql2.Timestamp, "liftOff": cql2.Timestamp, "ts": cql2.Timestamp,
		"flag": cql2.Boolean, "swimming_pool": cql2.Boolean,
		"section": cql2.Integer, "n": cql2.Integer, "floors": cql2.Integer, "category": cql2.Integer, "landsat:wrs_row": cql2.Integer, "landsat:wrs_path": cql2.Integer,
		"depth": cql2.Number, "x": cql2.Number, "eo:cloud_cover": cql2.Number, "value": cql2.Number,
		"name": cql2.String, "city": cql2.String, "status": cql2.String, "cityName": cql2.String, "road_class": cql2.String, "beamMode": cql2.String,
	}
	q := cql2.Queryables{}
	for i, name := range cql2.Properties(e) {
		t, ok := known[name]
		if !ok {
			t = cql2.Type(1 + int(name[0])%7)
		}
		q[name] = cql2.Queryable{SQL: "t.c" + strconv.Itoa(i), Type: t}
	}
	return q
}

// registries returns permissive(e) and, for each type, a registry giving
// every property that type, so most filters translate under one of them.
func registries(e cql2.Expr) []cql2.Queryables {
	out := []cql2.Queryables{permissive(e)}
	for t := cql2.String; t <= cql2.Geometry; t++ {
		q := cql2.Queryables{}
		for i, name := range cql2.Properties(e) {
			q[name] = cql2.Queryable{SQL: "t.c" + strconv.Itoa(i), Type: t}
		}
		out = append(out, q)
	}
	return out
}

var (
	sqlAlphabet = regexp.MustCompile(`^[A-Za-z0-9_ .,()$:=<>\[\]]*$`)
	placeholder = regexp.MustCompile(`\$([0-9]+)`)
)

// checkSQL holds for every translated filter: only the translator's own
// alphabet, no literals, and placeholders $1..$len(args), each used.
func checkSQL(t *testing.T, input, sql string, args []any) {
	t.Helper()
	if !sqlAlphabet.MatchString(sql) {
		t.Fatalf("%q: SQL has bytes outside the translator's alphabet: %s", input, sql)
	}
	safeSQL(t, sql)
	used := map[int]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(sql, -1) {
		n, _ := strconv.Atoi(m[1])
		if n < 1 || n > len(args) {
			t.Fatalf("%q: placeholder $%d with %d args: %s", input, n, len(args), sql)
		}
		used[n] = true
	}
	if len(used) != len(args) {
		t.Fatalf("%q: %d args but %d placeholders used: %s", input, len(args), len(used), sql)
	}
}

// checkClient asserts err is a client error, never an internal one.
func checkClient(t *testing.T, input string, err error) {
	t.Helper()
	var ce *cql2.Error
	if !errors.As(err, &ce) || domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("%q: %v (%T) is not a client error", input, err, err)
	}
	if !strings.HasPrefix(domain.ErrorMessage(err), "filter: ") {
		t.Fatalf("%q: message %q", input, domain.ErrorMessage(err))
	}
}

func FuzzParseText(f *testing.F) {
	for _, tc := range goldenCases {
		f.Add(tc.text)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := cql2.ParseText(s, cql2.DefaultLimits())
		if err != nil {
			checkClient(t, s, err)
			return
		}
		// The canonical text must parse back to the same translation, except
		// where CQL2 cannot spell a string (a backslash before a quote or
		// at the end).
		text := e.String()
		var again cql2.Expr
		if !strings.Contains(text, `\`) {
			again, err = cql2.ParseText(text, cql2.Limits{MaxLength: 1 << 20, MaxDepth: 1000, MaxNodes: 100000})
			if err != nil {
				t.Fatalf("%q: String() %q does not parse: %v", s, text, err)
			}
		}
		for _, q := range registries(e) {
			sql, args, err := cql2.ToSQL(e, q, 1)
			if err != nil {
				checkClient(t, s, err)
				continue
			}
			checkSQL(t, s, sql, args)
			if again == nil {
				continue
			}
			sql2, args2, err := cql2.ToSQL(again, q, 1)
			if err != nil || sql2 != sql || !sameArgs(args, args2) {
				t.Fatalf("%q: String() %q translates to %s %v (%v), want %s %v", s, text, sql2, args2, err, sql, args)
			}
		}
	})
}

func FuzzParseJSON(f *testing.F) {
	for _, tc := range goldenCases {
		f.Add([]byte(tc.json))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := cql2.ParseJSON(b, cql2.DefaultLimits())
		if err != nil {
			checkClient(t, string(b), err)
			return
		}
		for _, q := range registries(e) {
			sql, args, err := cql2.ToSQL(e, q, 1)
			if err != nil {
				checkClient(t, string(b), err)
				continue
			}
			checkSQL(t, string(b), sql, args)
		}
	})
}

package cql2_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/planmap/planmap/internal/cql2"
)

// injectionPayloads are classic SQL injection strings. Each must either be
// refused or travel only as a parameter value.
var injectionPayloads = []string{
	"1; DROP TABLE project",
	"'; DROP TABLE project; --",
	"x' OR '1'='1",
	"x'' OR ''1''=''1",
	"1 UNION SELECT password FROM pg_shadow",
	"1) OR (1=1",
	"p.section) OR (1=1",
	"1 OR pg_sleep(10) IS NULL",
	"'||pg_sleep(10)||'",
	"'; SELECT pg_sleep(10); --",
	`\'; SELECT pg_sleep(10); --`,
	"’ OR ‘1’=‘1",
	"＇ OR 1=1 --",
	"$1",
	"$$; DROP TABLE x; $$",
	"E'\\x27 OR 1=1'",
	"/* comment */ OR 1=1",
	"name_en; DROP TABLE x",
	`" OR 1=1 --`,
	"1e400",
	"NaN",
	"\u202e' OR 1=1 --",
}

// unsafeFragments must never appear in generated SQL.
var unsafeFragments = []string{"DROP", "pg_sleep", "UNION", "pg_shadow", "OR 1=1", "OR (1=1", "password"}

func assertClean(t *testing.T, sql string) {
	t.Helper()
	safeSQL(t, sql)
	for _, f := range unsafeFragments {
		if strings.Contains(sql, f) {
			t.Fatalf("SQL %q contains %q", sql, f)
		}
	}
}

func TestInjectionAsStringLiteral(t *testing.T) {
	for _, payload := range injectionPayloads {
		text := "name_en = " + quoteCQL(payload)
		jsonFilter, _ := json.Marshal(map[string]any{"op": "=", "args": []any{map[string]any{"property": "name_en"}, payload}})
		for _, enc := range []struct{ lang, filter string }{{cql2.LangText, text}, {cql2.LangJSON, string(jsonFilter)}} {
			sql, args, err := translate(t, enc.lang, enc.filter, 1)
			if err != nil {
				t.Fatalf("%s %s: %v", enc.lang, enc.filter, err)
			}
			if sql != "(p.name_en = $1::text)" {
				t.Errorf("%s %s: SQL %s", enc.lang, enc.filter, sql)
			}
			if len(args) != 1 || args[0] != payload {
				t.Errorf("%s %s: args %#v, want the payload %q", enc.lang, enc.filter, args, payload)
			}
			assertClean(t, sql)
		}
	}
}

// quoteCQL writes a cql2-text string literal the way a careful client
// would: quotes doubled. CQL2 also reads a backslash-quote as a quote, so
// a quote right after a backslash is written that way instead.
func quoteCQL(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'' && i > 0 && s[i-1] == '\\':
			b.WriteString(`\'`)
		case s[i] == '\'':
			b.WriteString("''")
		default:
			b.WriteByte(s[i])
		}
	}
	b.WriteByte('\'')
	return b.String()
}

func TestInjectionAsLikePattern(t *testing.T) {
	for _, payload := range injectionPayloads {
		if strings.HasSuffix(payload, `\`) {
			continue
		}
		sql, args, err := translate(t, cql2.LangText, "name_en LIKE "+quoteCQL(payload), 1)
		if err != nil {
			// Only an escape at the very end may be refused.
			if !errors.Is(err, cql2.ErrSyntax) {
				t.Fatalf("%q: %v", payload, err)
			}
			continue
		}
		if sql != "(p.name_en LIKE $1::text)" || len(args) != 1 || args[0] != payload {
			t.Errorf("%q: %s %#v", payload, sql, args)
		}
		assertClean(t, sql)
	}
}

func TestInjectionAsPropertyName(t *testing.T) {
	for _, payload := range injectionPayloads {
		jsonFilter, _ := json.Marshal(map[string]any{"op": "=", "args": []any{map[string]any{"property": payload}, 1}})
		filters := []struct{ lang, filter string }{{cql2.LangJSON, string(jsonFilter)}}
		if !strings.Contains(payload, `"`) {
			filters = append(filters, struct{ lang, filter string }{cql2.LangText, `"` + payload + `" = 1`})
		}
		for _, enc := range filters {
			sql, args, err := translate(t, enc.lang, enc.filter, 1)
			if err == nil {
				t.Fatalf("%s %s: accepted as %s %v", enc.lang, enc.filter, sql, args)
			}
			if !errors.Is(err, cql2.ErrUnknownProperty) && !errors.Is(err, cql2.ErrSyntax) {
				t.Errorf("%s %s: %v", enc.lang, enc.filter, err)
			}
		}
	}
}

// TestInjectionRaw appends payloads to a filter without quoting them, as
// an attacker would; whatever parses must not carry the payload into SQL.
func TestInjectionRaw(t *testing.T) {
	prefixes := []string{"section = ", "name_en = 'a' AND ", "section = 1 ", "S_INTERSECTS(geom, POINT(0 0)) OR "}
	for _, prefix := range prefixes {
		for _, payload := range injectionPayloads {
			filter := prefix + payload
			sql, args, err := translate(t, cql2.LangText, filter, 1)
			if err != nil {
				var ce *cql2.Error
				if !errors.As(err, &ce) {
					t.Fatalf("%q: %v is not a client error", filter, err)
				}
				continue
			}
			assertClean(t, sql)
			for _, a := range args {
				if s, ok := a.(string); ok && strings.Contains(sql, s) && s != "" {
					t.Errorf("%q: argument %q appears in SQL %s", filter, s, sql)
				}
			}
		}
	}
}

func TestInjectionExamples(t *testing.T) {
	cases := []struct {
		filter  string
		wantSQL string
		wantArg any
		wantErr error
	}{
		{`section = '1; DROP TABLE project'`, "", nil, cql2.ErrType},
		{`name_en = '1; DROP TABLE project'`, "(p.name_en = $1::text)", "1; DROP TABLE project", nil},
		{`name_en = 'x'' OR ''1''=''1'`, "(p.name_en = $1::text)", "x' OR '1'='1", nil},
		{`"name_en; DROP TABLE x" = 1`, "", nil, cql2.ErrUnknownProperty},
		{`name_en = ’x’ OR ’1’=’1’`, "", nil, cql2.ErrSyntax},
		{`name_en = ‘x‘`, "", nil, cql2.ErrSyntax},
		{`name_en = ＇x＇`, "", nil, cql2.ErrSyntax},
		{`section = 1 UNION SELECT password FROM pg_shadow`, "", nil, cql2.ErrSyntax},
		{`section = 1 OR pg_sleep(10) IS NULL`, "", nil, cql2.ErrUnsupported},
		{`name_en = 'a' AND pg_sleep(10)`, "", nil, cql2.ErrUnsupported},
		{`name_en = 'a''); SELECT pg_sleep(10); --'`, "(p.name_en = $1::text)", "a'); SELECT pg_sleep(10); --", nil},
		{`name_en LIKE '%'' OR pg_sleep(10) --'`, "(p.name_en LIKE $1::text)", "%' OR pg_sleep(10) --", nil},
		{`S_INTERSECTS(geom, POINT(0 0)); SELECT pg_sleep(10)`, "", nil, cql2.ErrSyntax},
		{`S_INTERSECTS(geom, 'POINT(0 0)'')); SELECT pg_sleep(10); --')`, "", nil, cql2.ErrType},
	}
	for _, tc := range cases {
		sql, args, err := translate(t, cql2.LangText, tc.filter, 1)
		if tc.wantErr != nil {
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("%s: err %v, want %v", tc.filter, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.filter, err)
			continue
		}
		if sql != tc.wantSQL || len(args) != 1 || args[0] != tc.wantArg {
			t.Errorf("%s: %s %#v", tc.filter, sql, args)
		}
		assertClean(t, sql)
	}
}

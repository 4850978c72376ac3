package cql2_test

import (
	"strings"
	"testing"

	"github.com/planmap/planmap/internal/cql2"
)

var errorCases = []struct {
	name   string
	lang   string
	filter string
	kind   error
	want   string
}{
	// Syntax, with positions.
	{"empty", "text", "   ", cql2.ErrSyntax, "filter: empty filter"},
	{"missing paren", "text", "(section = 1 OR", cql2.ErrSyntax, "unexpected end of filter at position 16"},
	{"expected paren", "text", "(section = 1 AND item = 2", cql2.ErrSyntax, "expected ')' at position 26"},
	{"unbalanced", "text", "section = 1)", cql2.ErrSyntax, "unbalanced ')' at position 12"},
	{"dangling and", "text", "section = 1 AND", cql2.ErrSyntax, "unexpected end of filter at position 16"},
	{"unterminated string", "text", "name_en = 'abc", cql2.ErrSyntax, "unterminated string at position 11"},
	{"unterminated quoted name", "text", `"name_en = 'x'`, cql2.ErrSyntax, "unterminated quoted property name at position 1"},
	{"missing operator", "text", "section 7", cql2.ErrSyntax, "expected a comparison operator, LIKE, IN, BETWEEN or IS after property \"section\" at position 1"},
	{"bang equals", "text", "section != 7", cql2.ErrSyntax, "CQL2 writes not-equal as <>"},
	{"trailing garbage", "text", "section = 1 UNION SELECT password FROM users", cql2.ErrSyntax, `unexpected "UNION" at position 13`},
	{"semicolon", "text", "section = 1; DROP TABLE project", cql2.ErrSyntax, "unexpected character ';' at position 12"},
	{"unicode quote", "text", "name_en = ’x’", cql2.ErrSyntax, "unexpected character '’' at position 11"},
	{"fullwidth quote", "text", "name_en = ＇x＇", cql2.ErrSyntax, "unexpected character '＇' at position 11"},
	{"null literal", "text", "uncert = NULL", cql2.ErrSyntax, "test for null with IS NULL"},
	{"is without null", "text", "uncert IS 5", cql2.ErrSyntax, "expected NULL at position 11"},
	{"between without and", "text", "section BETWEEN 1 OR 2", cql2.ErrSyntax, "expected AND at position 19"},
	{"empty in", "text", "section IN ()", cql2.ErrSyntax, "IN list is empty at position 13"},
	{"in without paren", "text", "section IN 1", cql2.ErrSyntax, "expected '(' after IN at position 12"},
	{"comment", "text", "section = 1 -- x", cql2.ErrSyntax, "unexpected '-' at position 13; expected AND, OR or the end of the filter"},
	{"block comment", "text", "section = 1 /* x */", cql2.ErrSyntax, "unexpected '/' at position 13"},
	{"arithmetic", "text", "section + 1 = 2", cql2.ErrUnsupported, "arithmetic expressions are not supported at position 9"},
	{"invalid utf8", "text", "name_en = '\xff'", cql2.ErrSyntax, "not valid UTF-8"},
	{"nul in string", "text", "name_en = 'a\x00b'", cql2.ErrSyntax, "NUL character"},
	{"paren in scalar", "text", "section = (1)", cql2.ErrSyntax, "unexpected '(' at position 11"},
	{"keyword as value", "text", "section = AND", cql2.ErrSyntax, "unexpected keyword AND at position 11"},

	// Numbers.
	{"overflow", "text", "uncert = 1e400", cql2.ErrSyntax, "number 1e400 at position 10 is out of range"},
	{"negative overflow", "text", "uncert = -1e400", cql2.ErrSyntax, "number -1e400 at position 10 is out of range"},
	{"nan", "text", "uncert = NaN", cql2.ErrUnknownProperty, "NaN and Infinity are not CQL2 numbers"},
	{"infinity", "text", "uncert < Infinity", cql2.ErrUnknownProperty, "NaN and Infinity are not CQL2 numbers"},
	{"json overflow", "json", `{"op":"=","args":[{"property":"uncert"},1e400]}`, cql2.ErrSyntax, "number 1e400 at /args/1 is out of range"},

	// Properties.
	{"unknown property", "text", "sectoin = 1", cql2.ErrUnknownProperty,
		`filter: unknown property "sectoin" at position 1; queryable: cross, date, end, geom, item, len, name_en, name_zh, plan:label, section, start, status, ts_end, ts_start, uncert, updated`},
	{"case sensitive property", "text", "Section = 1", cql2.ErrUnknownProperty, `unknown property "Section" at position 1`},
	{"quoted injection property", "text", `"name_en; DROP TABLE x" = 1`, cql2.ErrUnknownProperty, `unknown property "name_en; DROP TABLE x" at position 1`},
	{"json unknown property", "json", `{"op":"=","args":[{"property":"sectoin"},1]}`, cql2.ErrUnknownProperty, `unknown property "sectoin" at /args/0; queryable: cross`},
	{"property not a condition", "text", "name_en", cql2.ErrType, `String property "name_en" is not a condition at position 1`},

	// Types.
	{"number vs string", "text", "section = '7'", cql2.ErrType, `cannot compare Integer property "section" with string '7' at position 9`},
	{"string vs number", "text", "status = 7", cql2.ErrType, `cannot compare String property "status" with number 7 at position 8`},
	{"date vs string", "text", "date = '2012-01-01'", cql2.ErrType, `cannot compare Date property "date" with string '2012-01-01' at position 6; write dates as DATE('YYYY-MM-DD')`},
	{"bool vs number", "text", "cross = 1", cql2.ErrType, `cannot compare Boolean property "cross" with number 1`},
	{"date vs number", "text", "date > 2012", cql2.ErrType, `cannot compare Date property "date" with number 2012`},
	{"geometry compare", "text", "geom = POINT(0 0)", cql2.ErrType, "geometries cannot be compared with = at position 6; use S_EQUALS"},
	{"like on number", "text", "section LIKE '1%'", cql2.ErrType, `LIKE needs a string, found Integer property "section" at position 9`},
	{"like pattern property", "text", "name_en LIKE name_zh", cql2.ErrType, `LIKE pattern must be a string literal, found property "name_zh" at position 14`},
	{"like trailing escape", "json", `{"op":"like","args":[{"property":"name_en"},"abc\\"]}`, cql2.ErrSyntax, "LIKE pattern ends with an escape character"},
	{"casei on number", "text", "CASEI(section) = '1'", cql2.ErrType, `CASEI needs a string, found Integer property "section"`},
	{"between strings", "text", "status BETWEEN 'a' AND 'b'", cql2.ErrType, `BETWEEN needs numbers, dates or timestamps, found String property "status"`},
	{"in type", "text", "section IN (1, 'two')", cql2.ErrType, `cannot compare Integer property "section" with string 'two' at position 16`},
	{"spatial on integer", "text", "S_INTERSECTS(section, POINT(0 0))", cql2.ErrType, `S_INTERSECTS needs a geometry, found Integer property "section" at position 14`},
	{"spatial with string", "text", "S_INTERSECTS(geom, 'POINT(0 0)')", cql2.ErrType, "S_INTERSECTS expects a geometry (a Geometry property or a geometry literal), found string 'POINT(0 0)' at position 20"},
	{"temporal on string", "text", "T_BEFORE(name_en, DATE('2012-01-01'))", cql2.ErrType, `T_BEFORE needs a Date or Timestamp property, found String property "name_en" at position 10`},
	{"temporal with number", "text", "T_AFTER(date, 2012)", cql2.ErrType, "T_AFTER expects a date, timestamp, interval or temporal property, found number 2012 at position 15"},
	{"interval in comparison", "text", "date = INTERVAL('2012-01-01', '..')", cql2.ErrType, "INTERVAL can only be used in temporal functions"},
	{"date and timestamp properties", "text", "T_BEFORE(date, updated)", cql2.ErrType, `cannot compare Date property "date" with Timestamp property "updated"`},
	{"literal not a condition", "text", "'abc'", cql2.ErrType, "expected a condition"},
	{"json literal not a condition", "json", `{"op":"and","args":[true,"abc"]}`, cql2.ErrType, "expected a condition (comparison, LIKE, IN, BETWEEN, IS NULL, spatial or temporal function, TRUE/FALSE) but found string 'abc' at /args/1"},

	// Temporal literals.
	{"bad date", "text", "date = DATE('2012-02-30')", cql2.ErrSyntax, `invalid date "2012-02-30" at position 8`},
	{"bad date format", "text", "date = DATE('12/31/2012')", cql2.ErrSyntax, `invalid date "12/31/2012"`},
	{"timestamp without zone", "text", "updated = TIMESTAMP('2012-01-01T00:00:00')", cql2.ErrSyntax, `invalid timestamp "2012-01-01T00:00:00" at position 11; use TIMESTAMP('YYYY-MM-DDThh:mm:ssZ') in UTC`},
	{"interval backwards", "text", "T_DURING(date, INTERVAL('2013-01-01', '2012-01-01'))", cql2.ErrType, "INTERVAL starts after it ends at position 16"},
	{"interval number", "text", "T_DURING(date, INTERVAL(1, 2))", cql2.ErrSyntax, "expected a date, timestamp, '..' or property in INTERVAL at position 25"},
	{"json bad timestamp", "json", `{"op":"t_after","args":[{"property":"updated"},{"timestamp":"yesterday"}]}`, cql2.ErrSyntax, `invalid timestamp "yesterday" at /args/1`},

	// Geometry literals.
	{"ring not closed", "text", "S_INTERSECTS(geom, POLYGON((0 0, 1 0, 1 1, 0 1)))", cql2.ErrSyntax, "polygon ring is not closed"},
	{"ring too short", "text", "S_INTERSECTS(geom, POLYGON((0 0, 1 0, 0 0)))", cql2.ErrSyntax, "polygon ring needs at least 4 positions, has 3 at position 28"},
	{"linestring one point", "text", "S_INTERSECTS(geom, LINESTRING(0 0))", cql2.ErrSyntax, "linestring needs at least 2 positions, has 1"},
	{"longitude range", "text", "S_INTERSECTS(geom, POINT(200 0))", cql2.ErrSyntax, "longitude 200 out of range [-180, 180] at position 26"},
	{"latitude range", "json", `{"op":"s_intersects","args":[{"property":"geom"},{"type":"Point","coordinates":[0,91]}]}`, cql2.ErrSyntax, "latitude 91 out of range [-90, 90] at /args/1/coordinates"},
	{"wkt missing paren", "text", "S_INTERSECTS(geom, POLYGON((0 0, 1 0, 1 1, 0 0))", cql2.ErrSyntax, "expected ',' or ')' at position 49"},
	{"wkt missing number", "text", "S_INTERSECTS(geom, POINT(1))", cql2.ErrSyntax, "expected a number at position 27"},
	{"wkt empty", "text", "S_INTERSECTS(geom, POINT EMPTY)", cql2.ErrUnsupported, "EMPTY geometries are not supported"},
	{"wkt zm", "text", "S_INTERSECTS(geom, POINT ZM (1 2 3 4))", cql2.ErrUnsupported, "POINT ZM is not supported"},
	{"nested collection", "text", "S_INTERSECTS(geom, GEOMETRYCOLLECTION(GEOMETRYCOLLECTION(POINT(0 0))))", cql2.ErrUnsupported, "nested GEOMETRYCOLLECTION is not supported"},
	{"bbox antimeridian", "text", "S_INTERSECTS(geom, BBOX(170, -10, -170, 10))", cql2.ErrUnsupported, "bbox crossing the antimeridian"},
	{"bbox count", "text", "S_INTERSECTS(geom, BBOX(1, 2, 3))", cql2.ErrSyntax, "bbox needs 4 or 6 numbers, has 3"},
	{"geojson type", "json", `{"op":"s_intersects","args":[{"property":"geom"},{"type":"Circle","coordinates":[0,0]}]}`, cql2.ErrSyntax, `unknown geometry type "Circle" at /args/1/type`},
	{"geojson ring", "json", `{"op":"s_intersects","args":[{"property":"geom"},{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1]]]}]}`, cql2.ErrSyntax, "polygon ring needs at least 4 positions, has 3 at /args/1/coordinates/0"},
	{"geojson position", "json", `{"op":"s_intersects","args":[{"property":"geom"},{"type":"Point","coordinates":[0]}]}`, cql2.ErrSyntax, "a position must be an array of 2 or 3 numbers at /args/1/coordinates"},
	{"dwithin unit", "text", "S_DWITHIN(geom, POINT(0 0), 10, furlongs)", cql2.ErrUnsupported, `unknown distance unit "furlongs" at position 33; use meters, metres or kilometers`},
	{"dwithin negative", "text", "S_DWITHIN(geom, POINT(0 0), -1, meters)", cql2.ErrType, "S_DWITHIN distance must not be negative at position 29"},
	{"dwithin antipodal", "text", "S_DWITHIN(geom, BBOX(-180, -90, 180, 90), 10, meters)", cql2.ErrUnsupported, "S_DWITHIN geometry has an edge spanning 180 degrees or more at position 17"},
	{"dwithin long edge", "json", `{"op":"s_dwithin","args":[{"property":"geom"},{"type":"LineString","coordinates":[[-170,0],[170,0]]},10,"meters"]}`, cql2.ErrUnsupported, "S_DWITHIN geometry has an edge spanning 180 degrees or more at /args/1"},
	{"dwithin arity", "text", "S_DWITHIN(geom, POINT(0 0))", cql2.ErrSyntax, "S_DWITHIN takes 3 or 4 arguments"},
	{"spatial arity", "text", "S_INTERSECTS(geom)", cql2.ErrSyntax, "S_INTERSECTS takes 2 arguments, found 1"},

	// Not supported.
	{"accenti", "text", "ACCENTI(name_en) = ACCENTI('cafe')", cql2.ErrUnsupported, "ACCENTI is not supported at position 1"},
	{"json accenti", "json", `{"op":"=","args":[{"op":"accenti","args":[{"property":"name_en"}]},"cafe"]}`, cql2.ErrUnsupported, "ACCENTI is not supported at /args/0"},
	{"array function", "text", "A_CONTAINS(tags, 'a')", cql2.ErrUnsupported, "array function A_CONTAINS is not supported"},
	{"unknown function", "text", "pg_sleep(10) IS NULL", cql2.ErrUnsupported, "unknown function pg_sleep at position 1"},
	{"json unknown function", "json", `{"op":"pg_sleep","args":[10]}`, cql2.ErrUnsupported, "unknown function pg_sleep at /"},
	{"json arithmetic", "json", `{"op":"=","args":[{"op":"+","args":[{"property":"section"},1]},2]}`, cql2.ErrUnsupported, "arithmetic expressions are not supported at /args/0"},

	// JSON structure.
	{"json invalid", "json", `{"op":"=",`, cql2.ErrSyntax, "invalid JSON"},
	{"json trailing", "json", `{"op":"=","args":[{"property":"section"},1]} {"op":"="}`, cql2.ErrSyntax, "data after the filter object"},
	{"json arity", "json", `{"op":"=","args":[{"property":"section"}]}`, cql2.ErrSyntax, `"=" takes 2 argument(s), found 1 at /`},
	{"json and arity", "json", `{"op":"and","args":[true]}`, cql2.ErrSyntax, `"and" takes at least 2 arguments, found 1`},
	{"json null", "json", `{"op":"=","args":[{"property":"section"},null]}`, cql2.ErrSyntax, "null is not a CQL2 value at /args/1"},
	{"json extra member", "json", `{"op":"=","args":[{"property":"section"},1],"x":1}`, cql2.ErrSyntax, `unexpected member "x" at /x`},
	{"json args not array", "json", `{"op":"=","args":{"a":1}}`, cql2.ErrSyntax, "args must be an array at /args"},
	{"json unknown object", "json", `{"foo":1}`, cql2.ErrSyntax, "unrecognised object at / with members foo"},
	{"json in not array", "json", `{"op":"in","args":[{"property":"section"},1]}`, cql2.ErrSyntax, `the second argument of "in" must be an array at /args/1`},
	{"json empty in", "json", `{"op":"in","args":[{"property":"section"},[]]}`, cql2.ErrSyntax, "IN list is empty at /args/1"},
	{"json stray array", "json", `{"op":"=","args":[{"property":"section"},[1]]}`, cql2.ErrSyntax, "unexpected array at /args/1"},
	{"json empty property", "json", `{"op":"=","args":[{"property":""},1]}`, cql2.ErrSyntax, "property name must be a non-empty string at /args/0/property"},
	{"json nul", "json", `{"op":"=","args":[{"property":"name_en"},"a\u0000b"]}`, cql2.ErrSyntax, "NUL character at /args/1"},
}

func TestErrors(t *testing.T) {
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			lang := cql2.LangText
			if tc.lang == "json" {
				lang = cql2.LangJSON
			}
			sql, args, err := translate(t, lang, tc.filter, 1)
			checkClientError(t, err, tc.kind, tc.want)
			if sql != "" || args != nil {
				t.Errorf("error with SQL %q args %v", sql, args)
			}
		})
	}
}

func TestErrorType(t *testing.T) {
	_, err := cql2.ParseText("(section = 1", cql2.Limits{})
	ce, ok := err.(*cql2.Error)
	if !ok {
		t.Fatalf("%T, want *cql2.Error", err)
	}
	if ce.Pos != 13 || ce.Kind != cql2.ErrSyntax || ce.Path != "" {
		t.Errorf("got %+v", ce)
	}
	if !strings.HasPrefix(ce.Error(), "cql2: expected ')' at position 13") {
		t.Errorf("Error() = %q", ce.Error())
	}
	_, err = cql2.ParseJSON([]byte(`{"op":"=","args":[{"property":"section"},null]}`), cql2.Limits{})
	ce, ok = err.(*cql2.Error)
	if !ok || ce.Path != "/args/1" || ce.Pos != 0 {
		t.Errorf("got %#v", err)
	}
}

func TestLimits(t *testing.T) {
	lim := cql2.DefaultLimits()
	if lim.MaxLength != 8192 || lim.MaxDepth != 32 || lim.MaxNodes != 512 {
		t.Fatalf("DefaultLimits() = %+v", lim)
	}
	deep := func(n int) string { return strings.Repeat("(", n) + "section = 1" + strings.Repeat(")", n) }
	nots := func(n int) string { return strings.Repeat("NOT ", n) + "section = 1" }
	caseis := func(n int) string { return strings.Repeat("CASEI(", n) + "name_en" + strings.Repeat(")", n) + " = 'x'" }
	jsonDeep := func(n int) string {
		return strings.Repeat(`{"op":"not","args":[`, n) + `{"op":"=","args":[{"property":"section"},1]}` + strings.Repeat("]}", n)
	}
	list := func(n int) string {
		items := make([]string, n)
		for i := range items {
			items[i] = "1"
		}
		return "section IN (" + strings.Join(items, ",") + ")"
	}
	ors := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = "section = 1"
		}
		return strings.Join(parts, " OR ")
	}
	cases := []struct {
		name, lang, filter string
		lim                cql2.Limits
		kind               error
		want               string
	}{
		{"too long", "text", "section = 1 OR " + strings.Repeat(" ", 9000) + "section = 2", cql2.Limits{}, cql2.ErrLimit, "filter: longer than 8192 bytes"},
		{"10 MB", "text", strings.Repeat("(", 10<<20), cql2.Limits{}, cql2.ErrLimit, "filter: longer than 8192 bytes"},
		{"json too long", "json", `{"op":"and","args":[` + strings.Repeat(" ", 9000) + `]}`, cql2.Limits{}, cql2.ErrLimit, "filter: longer than 8192 bytes"},
		{"deep parens", "text", deep(33), cql2.Limits{}, cql2.ErrLimit, "filter: nesting deeper than 32 at position 33"},
		{"4000 parens", "text", deep(4000), cql2.Limits{}, cql2.ErrLimit, "filter: nesting deeper than 32"},
		{"100000 parens", "text", deep(100000), cql2.Limits{MaxLength: 1 << 20}, cql2.ErrLimit, "filter: nesting deeper than 32"},
		{"deep not", "text", nots(40), cql2.Limits{}, cql2.ErrLimit, "filter: nesting deeper than 32"},
		{"deep casei", "text", caseis(40), cql2.Limits{}, cql2.ErrLimit, "filter: nesting deeper than 32"},
		{"deep json", "json", jsonDeep(40), cql2.Limits{}, cql2.ErrLimit, "filter: nesting deeper than 32"},
		{"very deep json", "json", strings.Repeat("[", 4000), cql2.Limits{}, cql2.ErrLimit, "filter: nesting deeper than 32"},
		{"big in list", "text", list(600), cql2.Limits{}, cql2.ErrLimit, "filter: more than 512 nodes"},
		{"many ors", "text", ors(200), cql2.Limits{}, cql2.ErrLimit, "filter: more than 512 nodes"},
		{"custom limits", "text", list(20), cql2.Limits{MaxNodes: 10}, cql2.ErrLimit, "filter: more than 10 nodes"},
		{"custom depth", "text", deep(3), cql2.Limits{MaxDepth: 2}, cql2.ErrLimit, "filter: nesting deeper than 2"},
		{"coordinates", "text", "S_INTERSECTS(geom, LINESTRING(" + strings.TrimSuffix(strings.Repeat("1 2,", 10001), ",") + "))", cql2.Limits{MaxLength: 1 << 20}, cql2.ErrLimit, "more than 10000 coordinates"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lang := cql2.LangText
			if tc.lang == "json" {
				lang = cql2.LangJSON
			}
			_, err := cql2.Parse(lang, tc.filter, tc.lim)
			checkClientError(t, err, tc.kind, tc.want)
		})
	}
	// At the limit is fine.
	for _, f := range []string{deep(31), nots(31), list(500)} {
		if _, err := cql2.ParseText(f, cql2.Limits{}); err != nil {
			t.Errorf("%.40s...: %v", f, err)
		}
	}
	if _, err := cql2.ParseJSON([]byte(jsonDeep(30)), cql2.Limits{}); err != nil {
		t.Errorf("json depth 30: %v", err)
	}
}

package cql2_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/planmap/planmap/internal/cql2"
)

const cqlTable = `
CREATE TABLE cql_t (
    id    int PRIMARY KEY,
    name  text,
    n     int,
    x     double precision,
    flag  boolean,
    d     date,
    d_end date,
    ts    timestamptz,
    g     geometry(Geometry, 4326)
);
INSERT INTO cql_t VALUES
 (1, 'Alpha',       1,    0.5,  true,  '2012-01-01', '2012-03-01', '2012-01-01T00:00:00Z', 'SRID=4326;POINT(0 0)'),
 (2, 'beta',        5,    2.5,  false, '2012-06-15', '2012-07-01', '2012-06-15T12:00:00Z', 'SRID=4326;POINT(10 10)'),
 (3, '100% sure',   10,   NULL, NULL,  '2013-01-01', NULL,         '2013-01-01T00:00:00Z', 'SRID=4326;LINESTRING(-1 -1, 1 1)'),
 (4, 'under_score', NULL, 10,   true,  NULL,         NULL,         NULL,                   NULL),
 (5, 'it''s',       -3,   -1,   false, '2011-12-31', '2012-01-01', '2011-12-31T23:59:59Z', 'SRID=4326;POLYGON((20 20, 30 20, 30 30, 20 30, 20 20))'),
 (6, 'ALPHA',       5,    5,    true,  '2012-12-31', '2013-02-01', '2012-12-31T23:00:00Z', 'SRID=4326;POINT(0 0.001)'),
 (7, 'back\slash',  7,    NULL, NULL,  '2012-01-01', '2012-01-02', '2012-01-01T06:00:00Z', 'SRID=4326;POINT(179 0)'),
 (8, 'Ölçü',        8,    NULL, NULL,  '2012-03-01', NULL,         '2012-03-01T00:00:00Z', 'SRID=4326;POINT(100 30)');
`

var cqlQueryables = cql2.Queryables{
	"id":    {SQL: "t.id", Type: cql2.Integer},
	"name":  {SQL: "t.name", Type: cql2.String},
	"n":     {SQL: "t.n", Type: cql2.Integer},
	"x":     {SQL: "t.x", Type: cql2.Number},
	"flag":  {SQL: "t.flag", Type: cql2.Boolean},
	"d":     {SQL: "t.d", Type: cql2.Date},
	"d_end": {SQL: "t.d_end", Type: cql2.Date},
	"ts":    {SQL: "t.ts", Type: cql2.Timestamp},
	"g":     {SQL: "t.g", Type: cql2.Geometry},
}

var dbCases = []struct {
	filter string
	want   []int
}{
	// Comparison and NULL handling.
	{`n = 5`, []int{2, 6}},
	{`5 = n`, []int{2, 6}},
	{`n <> 5`, []int{1, 3, 5, 7, 8}},
	{`NOT n = 5`, []int{1, 3, 5, 7, 8}},
	{`n > 1 AND n <= 7`, []int{2, 6, 7}},
	{`n = 5.0`, []int{2, 6}},
	{`n = 5.5`, nil},
	{`n < 5.5 AND n > -3.5`, []int{1, 2, 5, 6}},
	{`x < 1.5`, []int{1, 5}},
	{`x >= 10`, []int{4}},
	{`n = 9007199254740993`, nil},
	{`n < x`, []int{5}},
	{`n IS NULL`, []int{4}},
	{`x IS NOT NULL AND n IS NOT NULL`, []int{1, 2, 5, 6}},
	{`TRUE`, []int{1, 2, 3, 4, 5, 6, 7, 8}},
	{`FALSE`, nil},
	{`flag`, []int{1, 4, 6}},
	{`NOT flag`, []int{2, 5}},
	{`flag = FALSE`, []int{2, 5}},
	{`flag IS NULL`, []int{3, 7, 8}},
	{`(n = 5 OR name LIKE 'b%') AND flag = FALSE`, []int{2}},
	{`n = 5 OR n = 1 AND flag`, []int{1, 2, 6}},
	// IN and BETWEEN (inclusive).
	{`n IN (1, 5)`, []int{1, 2, 6}},
	{`n NOT IN (1, 5)`, []int{3, 5, 7, 8}},
	{`n IN (1, 5.5)`, []int{1}},
	{`name IN ('beta', 'it''s')`, []int{2, 5}},
	{`flag IN (FALSE)`, []int{2, 5}},
	{`n IN (id, 5)`, []int{1, 2, 6, 7, 8}},
	{`n BETWEEN 1 AND 5`, []int{1, 2, 6}},
	{`n NOT BETWEEN 1 AND 5`, []int{3, 5, 7, 8}},
	{`x BETWEEN -1 AND 0.5`, []int{1, 5}},
	{`d BETWEEN DATE('2012-01-01') AND DATE('2012-06-15')`, []int{1, 2, 7, 8}},
	// LIKE: CQL2 wildcards and escapes.
	{`name LIKE 'A%'`, []int{1, 6}},
	{`name LIKE '_eta'`, []int{2}},
	{`name LIKE '%\%%'`, []int{3}},
	{`name LIKE '%\_%'`, []int{4}},
	{`name LIKE '%_%'`, []int{1, 2, 3, 4, 5, 6, 7, 8}},
	{`name LIKE 'back\\slash'`, []int{7}},
	{`name NOT LIKE '%a%'`, []int{3, 4, 5, 6, 8}},
	{`name = 'it''s'`, []int{5}},
	{`name = 'it\'s'`, []int{5}},
	{`name = 'Ölçü'`, []int{8}},
	{`CASEI(name) = CASEI('alpha')`, []int{1, 6}},
	{`CASEI(name) LIKE CASEI('%LPH%')`, []int{1, 6}},
	{`CASEI(name) = CASEI('ÖLÇÜ')`, []int{8}},
	// Spatial.
	{`S_INTERSECTS(g, POLYGON((-1 -1, 1 -1, 1 1, -1 1, -1 -1)))`, []int{1, 3, 6}},
	{`S_INTERSECTS(g, BBOX(5, 5, 35, 35))`, []int{2, 5}},
	{`S_WITHIN(g, BBOX(-2, -2, 2, 2))`, []int{1, 3, 6}},
	{`S_CONTAINS(g, POINT(25 25))`, []int{5}},
	{`S_DISJOINT(g, BBOX(-2, -2, 2, 2))`, []int{2, 5, 7, 8}},
	{`S_EQUALS(g, POINT(10 10))`, []int{2}},
	{`S_TOUCHES(g, POLYGON((30 20, 40 20, 40 30, 30 30, 30 20)))`, []int{5}},
	{`S_CROSSES(g, LINESTRING(-1 1, 1 -1))`, []int{3}},
	{`S_OVERLAPS(g, POLYGON((25 25, 35 25, 35 35, 25 35, 25 25)))`, []int{5}},
	{`S_INTERSECTS(g, MULTIPOINT((10 10), (100 30)))`, []int{2, 8}},
	{`S_INTERSECTS(g, GEOMETRYCOLLECTION(POINT(10 10), LINESTRING(19 25, 21 25)))`, []int{2, 5}},
	{`S_INTERSECTS(g, MULTIPOLYGON(((9 9, 11 9, 11 11, 9 9)), ((99 29, 101 29, 101 31, 99 29))))`, []int{2, 8}},
	{`S_INTERSECTS(g, POINT Z (10 10 5))`, []int{2}},
	// S_DWITHIN in metres on the spheroid: row 6 is ~110.6 m from (0 0).
	{`S_DWITHIN(g, POINT(0 0), 100, meters)`, []int{1, 3}},
	{`S_DWITHIN(g, POINT(0 0), 120, metres)`, []int{1, 3, 6}},
	{`S_DWITHIN(g, POINT(0 0), 0.12, kilometers)`, []int{1, 3, 6}},
	// Across the antimeridian: 1.001 degrees of longitude, ~111 km.
	{`S_DWITHIN(g, POINT(-179.999 0), 112, kilometers)`, []int{7}},
	{`S_DWITHIN(g, POINT(-179.999 0), 110, kilometers)`, nil},
	// Temporal, dates.
	{`d = DATE('2012-01-01')`, []int{1, 7}},
	{`T_EQUALS(d, DATE('2012-06-15'))`, []int{2}},
	{`T_BEFORE(d, DATE('2012-01-01'))`, []int{5}},
	{`T_AFTER(d, DATE('2012-12-31'))`, []int{3}},
	{`T_DURING(d, INTERVAL('2012-01-01', '2012-12-31'))`, []int{2, 8}},
	{`T_INTERSECTS(d, INTERVAL('2012-01-01', '2012-12-31'))`, []int{1, 2, 6, 7, 8}},
	{`T_DISJOINT(d, INTERVAL('2012-01-01', '2012-12-31'))`, []int{3, 5}},
	{`T_INTERSECTS(d, INTERVAL('..', '2011-12-31'))`, []int{5}},
	{`T_INTERSECTS(d, INTERVAL('2012-12-31', '..'))`, []int{3, 6}},
	{`T_INTERSECTS(d, INTERVAL('..', '..'))`, []int{1, 2, 3, 5, 6, 7, 8}},
	{`T_AFTER(d, INTERVAL('..', '2012-06-15'))`, []int{3, 6}},
	{`T_BEFORE(d, TIMESTAMP('2012-01-01T12:00:00Z'))`, []int{1, 5, 7}},
	{`T_INTERSECTS(INTERVAL(d, d_end), INTERVAL('2012-02-01', '2012-02-15'))`, []int{1}},
	{`T_CONTAINS(INTERVAL(d, d_end), INTERVAL('2012-02-01', '2012-02-15'))`, []int{1}},
	{`T_MEETS(INTERVAL(d, d_end), INTERVAL('2012-01-01', '2012-05-01'))`, []int{5}},
	{`T_METBY(INTERVAL(d, d_end), INTERVAL('2011-01-01', '2012-06-15'))`, []int{2}},
	{`T_OVERLAPS(INTERVAL(d, d_end), INTERVAL('2012-02-01', '2012-05-01'))`, []int{1}},
	{`T_OVERLAPPEDBY(INTERVAL(d, d_end), INTERVAL('2012-06-01', '2012-06-20'))`, []int{2}},
	{`T_STARTS(INTERVAL(d, d_end), INTERVAL('2012-01-01', '2012-12-31'))`, []int{1, 7}},
	{`T_STARTEDBY(INTERVAL(d, d_end), INTERVAL('2012-12-31', '2013-01-01'))`, []int{6}},
	{`T_FINISHES(INTERVAL(d, d_end), INTERVAL('2012-01-01', '2012-07-01'))`, []int{2}},
	{`T_FINISHEDBY(INTERVAL(d, d_end), INTERVAL('2012-02-01', '2012-03-01'))`, []int{1}},
	{`T_EQUALS(INTERVAL(d, d_end), INTERVAL('2012-06-15', '2012-07-01'))`, []int{2}},
	{`T_DURING(INTERVAL(d, d_end), INTERVAL('2011-06-01', '..'))`, []int{1, 2, 5, 6, 7}},
	// Temporal, timestamps; the session time zone must not matter.
	{`T_AFTER(ts, TIMESTAMP('2012-12-31T22:00:00Z'))`, []int{3, 6}},
	{`T_BEFORE(ts, DATE('2012-01-01'))`, []int{5}},
	{`ts >= DATE('2012-06-15')`, []int{2, 3, 6}},
	{`T_DURING(ts, INTERVAL('2012-01-01T00:00:00Z', '2012-01-01T12:00:00Z'))`, []int{7}},
	{`T_INTERSECTS(ts, INTERVAL('2012-01-01', '2012-01-01T06:00:00Z'))`, []int{1, 7}},
	// Hostile values stay values.
	{`name = '1; DROP TABLE cql_t'`, nil},
	{`name = 'x'' OR ''1''=''1'`, nil},
	{`name LIKE '%'' OR pg_sleep(10) IS NULL --'`, nil},
}

func TestPostGIS(t *testing.T) {
	db := pgServer(t).NewDB(t)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, cqlTable); err != nil {
		t.Fatal(err)
	}
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	// Far from UTC, so a time-zone-dependent translation would fail.
	if _, err := conn.Exec(ctx, "SET TIME ZONE 'Pacific/Kiritimati'"); err != nil {
		t.Fatal(err)
	}
	ids := func(t *testing.T, lang, filter string) []int {
		t.Helper()
		e, err := cql2.Parse(lang, filter, cql2.DefaultLimits())
		if err != nil {
			t.Fatalf("parse %s: %v", filter, err)
		}
		where, args, err := cql2.ToSQL(e, cqlQueryables, 2)
		if err != nil {
			t.Fatalf("translate %s: %v", filter, err)
		}
		safeSQL(t, where)
		q := "SELECT t.id FROM cql_t t WHERE t.id > $1 AND " + where + " ORDER BY t.id"
		rows, err := conn.Query(ctx, q, append([]any{0}, args...)...)
		if err != nil {
			t.Fatalf("%s\n%s %v: %v", filter, q, args, err)
		}
		defer rows.Close()
		var got []int
		for rows.Next() {
			var id int
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			got = append(got, id)
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s\n%s %v: %v", filter, q, args, err)
		}
		return got
	}
	for _, tc := range dbCases {
		t.Run(tc.filter, func(t *testing.T) {
			got := ids(t, cql2.LangText, tc.filter)
			if !slices.Equal(got, tc.want) {
				e, _ := cql2.ParseText(tc.filter, cql2.Limits{})
				where, args, _ := cql2.ToSQL(e, cqlQueryables, 2)
				t.Errorf("got ids %v, want %v\nSQL %s %v", got, tc.want, where, args)
			}
		})
	}
	// The same filters in cql2-json.
	for _, tc := range goldenJSONForDB {
		t.Run("json "+tc.json, func(t *testing.T) {
			if got := ids(t, cql2.LangJSON, tc.json); !slices.Equal(got, tc.want) {
				t.Errorf("got ids %v, want %v", got, tc.want)
			}
		})
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM cql_t").Scan(&n); err != nil || n != 8 {
		t.Fatalf("cql_t has %d rows (%v) after the hostile filters", n, err)
	}
}

var goldenJSONForDB = []struct {
	json string
	want []int
}{
	{`{"op":"and","args":[{"op":"=","args":[{"property":"n"},5]},{"op":"=","args":[{"property":"flag"},true]}]}`, []int{6}},
	{`{"op":"like","args":[{"property":"name"},"%\\%%"]}`, []int{3}},
	{`{"op":"s_intersects","args":[{"property":"g"},{"type":"Polygon","coordinates":[[[-1,-1],[1,-1],[1,1],[-1,1],[-1,-1]]]}]}`, []int{1, 3, 6}},
	{`{"op":"s_intersects","args":[{"property":"g"},{"bbox":[5,5,35,35]}]}`, []int{2, 5}},
	{`{"op":"s_dwithin","args":[{"property":"g"},{"type":"Point","coordinates":[0,0]},120,"meters"]}`, []int{1, 3, 6}},
	{`{"op":"t_during","args":[{"property":"d"},{"interval":["2012-01-01","2012-12-31"]}]}`, []int{2, 8}},
	{`{"op":"not","args":[{"op":"in","args":[{"property":"n"},[1,5]]}]}`, []int{3, 5, 7, 8}},
	{`{"op":"isNull","args":[{"property":"n"}]}`, []int{4}},
	{`{"op":"=","args":[{"op":"casei","args":[{"property":"name"}]},{"op":"casei","args":["alpha"]}]}`, []int{1, 6}},
}

// TestPostGISProjectTables runs filters over planmap's own tables, with
// the column types the items handler will use: the SQL must be accepted.
func TestPostGISProjectTables(t *testing.T) {
	db := pgServer(t).NewDB(t)
	q := cql2.Queryables{
		"id":          {SQL: "p.id", Type: cql2.String},
		"section":     {SQL: "p.section", Type: cql2.Integer},
		"item":        {SQL: "p.item", Type: cql2.Integer},
		"status":      {SQL: "p.status", Type: cql2.String},
		"name_en":     {SQL: "p.name_en", Type: cql2.String},
		"uncertainty": {SQL: "p.uncertainty_km", Type: cql2.Number},
		"crossBorder": {SQL: "p.cross_border", Type: cql2.Boolean},
		"geometry":    {SQL: "p.geom", Type: cql2.Geometry},
		"updated":     {SQL: "p.updated_at", Type: cql2.Timestamp},
	}
	filters := []string{
		`section = 7 AND status IN ('planned', 'done')`,
		`section BETWEEN 1 AND 13 AND item > 2.5`,
		`CASEI(name_en) LIKE CASEI('%port%') OR crossBorder`,
		`uncertainty <= 50 AND uncertainty IS NOT NULL`,
		`S_INTERSECTS(geometry, BBOX(113.7, 22.4, 114.6, 22.9))`,
		`S_DWITHIN(geometry, POINT(114.05 22.54), 5, kilometers)`,
		`T_AFTER(updated, DATE('2024-01-01')) AND T_DURING(updated, INTERVAL('2024-01-01T00:00:00Z', '..'))`,
		`section IN (item, 3) AND NOT status = 'cancelled'`,
	}
	for _, f := range filters {
		e, err := cql2.ParseText(f, cql2.Limits{})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		where, args, err := cql2.ToSQL(e, q, 1)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := countRows(db.Pool, "SELECT count(*) FROM project p WHERE "+where, args); err != nil {
			t.Errorf("%s\n%s %v: %v", f, where, args, err)
		}
	}
	// Dates: project_status_history.date.
	h := cql2.Queryables{"date": {SQL: "h.date", Type: cql2.Date}, "status": {SQL: "h.status", Type: cql2.String}}
	for _, f := range []string{
		`T_INTERSECTS(date, INTERVAL('2021-01-01', '2025-12-31')) AND status = 'done'`,
		`T_BEFORE(date, TIMESTAMP('2021-01-01T08:00:00Z'))`,
		`date >= DATE('2021-01-01')`,
	} {
		e, err := cql2.ParseText(f, cql2.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		where, args, err := cql2.ToSQL(e, h, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := countRows(db.Pool, "SELECT count(*) FROM project_status_history h WHERE "+where, args); err != nil {
			t.Errorf("%s\n%s %v: %v", f, where, args, err)
		}
	}
}

func countRows(pool *pgxpool.Pool, q string, args []any) error {
	var n int
	if err := pool.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		return err
	}
	if n != 0 {
		return fmt.Errorf("%d rows in an empty table", n)
	}
	return nil
}

// TestPostGISOddGeometries runs literals that parse but are degenerate or
// invalid (self-intersecting, zero-area, exponent notation, poles and the
// antimeridian) through every spatial function: PostGIS must not fail.
func TestPostGISOddGeometries(t *testing.T) {
	db := pgServer(t).NewDB(t)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, cqlTable); err != nil {
		t.Fatal(err)
	}
	literals := []string{
		"POLYGON((0 0, 10 10, 10 0, 0 10, 0 0))",
		"POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (20 20, 21 20, 21 21, 20 20))",
		"POLYGON((0 0, 0 0, 0 0, 0 0))",
		"LINESTRING(1 1, 1 1)",
		"POINT(1e-7 2)",
		"POINT(180 90)",
		"POINT(-180 -90)",
		"MULTIPOINT((0 0), (0 0))",
		"GEOMETRYCOLLECTION(POINT(0 0), POLYGON((0 0, 10 10, 10 0, 0 10, 0 0)))",
		"BBOX(-180, -90, 180, 90)",
		"BBOX(1, 1, 1, 1)",
		"BBOX(-10, -90, 10, 90)",
		"LINESTRING(-170 0, 170 0)",
		"LINESTRING(0 -90, 0 90)",
		"POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (1 1, 20 1, 1 20, 1 1))",
		"MULTIPOLYGON(((0 0, 2 0, 2 2, 0 2, 0 0)), ((1 1, 3 1, 3 3, 1 3, 1 1)))",
		"GEOMETRYCOLLECTION(POLYGON((0 0, 2 0, 2 2, 0 2, 0 0)), POLYGON((1 1, 3 1, 3 3, 1 3, 1 1)), LINESTRING(0 0, 5 5))",
	}
	ops := []string{"S_INTERSECTS", "S_EQUALS", "S_DISJOINT", "S_TOUCHES", "S_WITHIN", "S_OVERLAPS", "S_CROSSES", "S_CONTAINS"}
	for _, lit := range literals {
		filters := []string{"S_DWITHIN(g, " + lit + ", 1000, meters)"}
		for _, op := range ops {
			filters = append(filters, op+"(g, "+lit+")", op+"("+lit+", "+lit+")")
		}
		for _, f := range filters {
			e, err := cql2.ParseText(f, cql2.Limits{})
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			where, args, err := cql2.ToSQL(e, cqlQueryables, 1)
			if errors.Is(err, cql2.ErrUnsupported) {
				continue // refused before reaching PostGIS: fine
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			var n int
			if err := db.Pool.QueryRow(ctx, "SELECT count(*) FROM cql_t t WHERE "+where, args...).Scan(&n); err != nil {
				t.Errorf("%s\n%s %v: %v", f, where, args, err)
			}
		}
	}
}

// TestPostGISCorpus runs every filter of the fuzz seed corpora and of the
// golden table that translates (properties mapped to typed columns) in
// PostGIS: none may make the database fail.
func TestPostGISCorpus(t *testing.T) {
	db := pgServer(t).NewDB(t)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `CREATE TABLE cql_any (
		c_string text, c_number double precision, c_integer int, c_boolean boolean,
		c_date date, c_timestamp timestamptz, c_geometry geometry(Geometry, 4326));
		INSERT INTO cql_any VALUES ('a', 1.5, 2, true, '2012-01-01', '2012-01-01T00:00:00Z', 'SRID=4326;POINT(1 2)'),
		                           (NULL, NULL, NULL, NULL, NULL, NULL, NULL)`); err != nil {
		t.Fatal(err)
	}
	var filters []struct{ lang, filter string }
	for _, dir := range []string{"FuzzParseText", "FuzzParseJSON"} {
		lang := cql2.LangText
		if dir == "FuzzParseJSON" {
			lang = cql2.LangJSON
		}
		for _, s := range readCorpus(t, dir) {
			filters = append(filters, struct{ lang, filter string }{lang, s})
		}
	}
	for _, tc := range goldenCases {
		filters = append(filters, struct{ lang, filter string }{cql2.LangText, tc.text}, struct{ lang, filter string }{cql2.LangJSON, tc.json})
	}
	ran := 0
	for _, f := range filters {
		e, err := cql2.Parse(f.lang, f.filter, cql2.DefaultLimits())
		if err != nil {
			continue
		}
		for _, reg := range registries(e) {
			q := cql2.Queryables{}
			for name, qb := range reg {
				q[name] = cql2.Queryable{SQL: "t.c_" + strings.ToLower(qb.Type.String()), Type: qb.Type}
			}
			where, args, err := cql2.ToSQL(e, q, 1)
			if err != nil {
				continue
			}
			var n int
			if err := db.Pool.QueryRow(ctx, "SELECT count(*) FROM cql_any t WHERE "+where, args...).Scan(&n); err != nil {
				t.Errorf("%s\n%s %v: %v", f.filter, where, args, err)
			}
			ran++
		}
	}
	if ran < 80 {
		t.Errorf("only %d filters ran", ran)
	}
}

// readCorpus reads the string values of a Go fuzz seed corpus.
func readCorpus(t *testing.T, name string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", name, "*"))
	if err != nil || len(files) < 15 {
		t.Fatalf("corpus %s: %d files (%v)", name, len(files), err)
	}
	var out []string
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 2 || lines[0] != "go test fuzz v1" {
			t.Fatalf("%s: not a fuzz corpus file", file)
		}
		v := lines[1]
		v = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(v, "[]byte("), "string("), ")")
		s, err := strconv.Unquote(v)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		out = append(out, s)
	}
	return out
}

package cql2_test

import (
	"testing"
	"time"

	"github.com/planmap/planmap/internal/cql2"
)

// golden cases: the text and JSON encodings of one filter must both give
// exactly sql and args (parameters numbered from 1).
var goldenCases = []struct {
	name string
	text string
	json string
	sql  string
	args []any
}{
	// Basic CQL2.
	{"eq int", `section = 7`, `{"op":"=","args":[{"property":"section"},7]}`,
		`(p.section = $1::bigint)`, []any{int64(7)}},
	{"literal left", `7 = section`, `{"op":"=","args":[7,{"property":"section"}]}`,
		`($1::bigint = p.section)`, []any{int64(7)}},
	{"neq string", `status <> 'done'`, `{"op":"<>","args":[{"property":"status"},"done"]}`,
		`(p.status <> $1::text)`, []any{"done"}},
	{"lt float", `uncert < 1.5`, `{"op":"<","args":[{"property":"uncert"},1.5]}`,
		`(p.uncertainty_km < $1::float8)`, []any{1.5}},
	{"le negative", `uncert <= -2`, `{"op":"<=","args":[{"property":"uncert"},-2]}`,
		`(p.uncertainty_km <= $1::bigint)`, []any{int64(-2)}},
	{"gt exponent", `uncert > 1e3`, `{"op":">","args":[{"property":"uncert"},1e3]}`,
		`(p.uncertainty_km > $1::bigint)`, []any{int64(1000)}},
	{"ge leading dot", `uncert >= .5`, `{"op":">=","args":[{"property":"uncert"},0.5]}`,
		`(p.uncertainty_km >= $1::float8)`, []any{0.5}},
	{"int float literal", `section = 7.0`, `{"op":"=","args":[{"property":"section"},7.0]}`,
		`(p.section = $1::bigint)`, []any{int64(7)}},
	{"big int", `section = 9007199254740993`, `{"op":"=","args":[{"property":"section"},9007199254740993]}`,
		`(p.section = $1::bigint)`, []any{int64(9007199254740993)}},
	{"property property", `section = item`, `{"op":"=","args":[{"property":"section"},{"property":"item"}]}`,
		`(p.section = p.item)`, nil},
	{"int vs number property", `section < uncert`, `{"op":"<","args":[{"property":"section"},{"property":"uncert"}]}`,
		`(p.section < p.uncertainty_km)`, nil},
	{"and", `section = 7 AND status = 'planned'`,
		`{"op":"and","args":[{"op":"=","args":[{"property":"section"},7]},{"op":"=","args":[{"property":"status"},"planned"]}]}`,
		`(p.section = $1::bigint AND p.status = $2::text)`, []any{int64(7), "planned"}},
	{"three way and", `section = 1 and item = 2 AND status = 'x'`,
		`{"op":"and","args":[{"op":"=","args":[{"property":"section"},1]},{"op":"=","args":[{"property":"item"},2]},{"op":"=","args":[{"property":"status"},"x"]}]}`,
		`(p.section = $1::bigint AND p.item = $2::bigint AND p.status = $3::text)`, []any{int64(1), int64(2), "x"}},
	{"precedence", `section = 1 OR section = 2 AND item = 3`,
		`{"op":"or","args":[{"op":"=","args":[{"property":"section"},1]},{"op":"and","args":[{"op":"=","args":[{"property":"section"},2]},{"op":"=","args":[{"property":"item"},3]}]}]}`,
		`(p.section = $1::bigint OR (p.section = $2::bigint AND p.item = $3::bigint))`, []any{int64(1), int64(2), int64(3)}},
	{"parentheses", `(section = 1 Or section = 2) aNd item = 3`,
		`{"op":"and","args":[{"op":"or","args":[{"op":"=","args":[{"property":"section"},1]},{"op":"=","args":[{"property":"section"},2]}]},{"op":"=","args":[{"property":"item"},3]}]}`,
		`((p.section = $1::bigint OR p.section = $2::bigint) AND p.item = $3::bigint)`, []any{int64(1), int64(2), int64(3)}},
	{"not", `NOT section = 1`, `{"op":"not","args":[{"op":"=","args":[{"property":"section"},1]}]}`,
		`(NOT (p.section = $1::bigint))`, []any{int64(1)}},
	{"not group", `not (section = 1 or item = 2)`,
		`{"op":"not","args":[{"op":"or","args":[{"op":"=","args":[{"property":"section"},1]},{"op":"=","args":[{"property":"item"},2]}]}]}`,
		`(NOT (p.section = $1::bigint OR p.item = $2::bigint))`, []any{int64(1), int64(2)}},
	{"is null", `uncert IS NULL`, `{"op":"isNull","args":[{"property":"uncert"}]}`,
		`(p.uncertainty_km IS NULL)`, nil},
	{"is not null", `geom IS NOT NULL`, `{"op":"not","args":[{"op":"isNull","args":[{"property":"geom"}]}]}`,
		`(p.geom IS NOT NULL)`, nil},
	{"boolean property", `cross`, `{"property":"cross"}`, `(p.cross_border)`, nil},
	{"boolean compare", `cross = TRUE`, `{"op":"=","args":[{"property":"cross"},true]}`,
		`(p.cross_border = $1::boolean)`, []any{true}},
	{"true", `TRUE`, `true`, `(TRUE)`, nil},
	{"false and", `false AND cross`, `{"op":"and","args":[false,{"property":"cross"}]}`, `(FALSE AND p.cross_border)`, nil},
	{"doubled quote", `name_en = 'it''s'`, `{"op":"=","args":[{"property":"name_en"},"it's"]}`,
		`(p.name_en = $1::text)`, []any{"it's"}},
	{"backslash quote", `name_en = 'it\'s'`, `{"op":"=","args":[{"property":"name_en"},"it's"]}`,
		`(p.name_en = $1::text)`, []any{"it's"}},
	{"unicode", `name_zh = '深圳湾'`, `{"op":"=","args":[{"property":"name_zh"},"深圳湾"]}`,
		`(p.name_zh = $1::text)`, []any{"深圳湾"}},
	{"quoted identifier", `"name_en" = 'x'`, `{"op":"=","args":[{"property":"name_en"},"x"]}`,
		`(p.name_en = $1::text)`, []any{"x"}},
	{"colon identifier", `plan:label = 'x'`, `{"op":"=","args":[{"property":"plan:label"},"x"]}`,
		`(p.label = $1::text)`, []any{"x"}},
	{"expression queryable", `len > 10`, `{"op":">","args":[{"property":"len"},10]}`,
		`((length(p.name_en)) > $1::bigint)`, []any{int64(10)}},

	// Advanced comparison.
	{"like", `name_en LIKE 'Shen%'`, `{"op":"like","args":[{"property":"name_en"},"Shen%"]}`,
		`(p.name_en LIKE $1::text)`, []any{"Shen%"}},
	{"like escape", `name_en like '100\%_x'`, `{"op":"like","args":[{"property":"name_en"},"100\\%_x"]}`,
		`(p.name_en LIKE $1::text)`, []any{`100\%_x`}},
	{"not like", `name_en NOT LIKE '%port%'`, `{"op":"not","args":[{"op":"like","args":[{"property":"name_en"},"%port%"]}]}`,
		`(p.name_en NOT LIKE $1::text)`, []any{"%port%"}},
	{"casei like", `CASEI(name_en) LIKE casei('shen%')`,
		`{"op":"like","args":[{"op":"casei","args":[{"property":"name_en"}]},{"op":"casei","args":["shen%"]}]}`,
		`(lower(p.name_en) LIKE lower($1::text))`, []any{"shen%"}},
	{"casei eq", `CASEI(status) = CASEI('Planned')`,
		`{"op":"=","args":[{"op":"casei","args":[{"property":"status"}]},{"op":"casei","args":["Planned"]}]}`,
		`(lower(p.status) = lower($1::text))`, []any{"Planned"}},
	{"in strings", `status IN ('planned', 'done')`, `{"op":"in","args":[{"property":"status"},["planned","done"]]}`,
		`(p.status = ANY($1::text[]))`, []any{[]string{"planned", "done"}}},
	{"in ints", `section IN (1, 2, 3)`, `{"op":"in","args":[{"property":"section"},[1,2,3]]}`,
		`(p.section = ANY($1::bigint[]))`, []any{[]int64{1, 2, 3}}},
	{"in mixed numbers", `uncert IN (1, 2.5)`, `{"op":"in","args":[{"property":"uncert"},[1,2.5]]}`,
		`(p.uncertainty_km = ANY($1::float8[]))`, []any{[]float64{1, 2.5}}},
	{"in booleans", `cross IN (TRUE)`, `{"op":"in","args":[{"property":"cross"},[true]]}`,
		`(p.cross_border = ANY($1::boolean[]))`, []any{[]bool{true}}},
	{"not in", `status NOT IN ('x')`, `{"op":"not","args":[{"op":"in","args":[{"property":"status"},["x"]]}]}`,
		`(NOT (p.status = ANY($1::text[])))`, []any{[]string{"x"}}},
	{"in with property", `section IN (item, 3)`, `{"op":"in","args":[{"property":"section"},[{"property":"item"},3]]}`,
		`(p.section = p.item OR p.section = $1::bigint)`, []any{int64(3)}},
	{"not in with property", `section NOT IN (item, 3)`,
		`{"op":"not","args":[{"op":"in","args":[{"property":"section"},[{"property":"item"},3]]}]}`,
		`(NOT (p.section = p.item OR p.section = $1::bigint))`, []any{int64(3)}},
	{"in dates", `date IN (DATE('2012-01-01'))`, `{"op":"in","args":[{"property":"date"},[{"date":"2012-01-01"}]]}`,
		`(h.date = $1::date)`, []any{day(2012, 1, 1)}},
	{"between", `section BETWEEN 1 AND 5`, `{"op":"between","args":[{"property":"section"},1,5]}`,
		`(p.section BETWEEN $1::bigint AND $2::bigint)`, []any{int64(1), int64(5)}},
	{"not between", `uncert NOT BETWEEN -1.5 AND 2e1`,
		`{"op":"not","args":[{"op":"between","args":[{"property":"uncert"},-1.5,20]}]}`,
		`(p.uncertainty_km NOT BETWEEN $1::float8 AND $2::bigint)`, []any{-1.5, int64(20)}},
	{"between and", `section BETWEEN 1 AND 5 AND item = 2`,
		`{"op":"and","args":[{"op":"between","args":[{"property":"section"},1,5]},{"op":"=","args":[{"property":"item"},2]}]}`,
		`(p.section BETWEEN $1::bigint AND $2::bigint AND p.item = $3::bigint)`, []any{int64(1), int64(5), int64(2)}},
	{"between dates", `date BETWEEN DATE('2012-01-01') AND DATE('2012-12-31')`,
		`{"op":"between","args":[{"property":"date"},{"date":"2012-01-01"},{"date":"2012-12-31"}]}`,
		`(h.date BETWEEN $1::date AND $2::date)`, []any{day(2012, 1, 1), day(2012, 12, 31)}},

	// Spatial.
	{"s_intersects point", `S_INTERSECTS(geom, POINT(114.05 22.54))`,
		`{"op":"s_intersects","args":[{"property":"geom"},{"type":"Point","coordinates":[114.05,22.54]}]}`,
		`(ST_Intersects(p.geom, ST_GeomFromText($1::text, 4326)))`, []any{"POINT(114.05 22.54)"}},
	{"s_within polygon", `s_within(geom, POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (1 1, 2 1, 2 2, 1 1)))`,
		`{"op":"s_within","args":[{"property":"geom"},{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[1,1],[2,1],[2,2],[1,1]]]}]}`,
		`(ST_Within(p.geom, ST_MakeValid(ST_GeomFromText($1::text, 4326))))`, []any{"POLYGON((0 0,10 0,10 10,0 10,0 0),(1 1,2 1,2 2,1 1))"}},
	{"s_contains literal first", `S_CONTAINS(POLYGON((0 0, 1 0, 1 1, 0 0)), geom)`,
		`{"op":"s_contains","args":[{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},{"property":"geom"}]}`,
		`(ST_Contains(ST_MakeValid(ST_GeomFromText($1::text, 4326)), p.geom))`, []any{"POLYGON((0 0,1 0,1 1,0 0))"}},
	{"s_disjoint linestring", `S_DISJOINT(geom, LINESTRING(0 0, 1 1, 2 0))`,
		`{"op":"s_disjoint","args":[{"property":"geom"},{"type":"LineString","coordinates":[[0,0],[1,1],[2,0]]}]}`,
		`(ST_Disjoint(p.geom, ST_GeomFromText($1::text, 4326)))`, []any{"LINESTRING(0 0,1 1,2 0)"}},
	{"s_equals multipoint", `S_EQUALS(geom, MULTIPOINT((1 2), (3 4)))`,
		`{"op":"s_equals","args":[{"property":"geom"},{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}]}`,
		`(ST_Equals(p.geom, ST_GeomFromText($1::text, 4326)))`, []any{"MULTIPOINT((1 2),(3 4))"}},
	{"multipoint bare", `S_EQUALS(geom, MULTIPOINT(1 2, 3 4))`,
		`{"op":"s_equals","args":[{"property":"geom"},{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}]}`,
		`(ST_Equals(p.geom, ST_GeomFromText($1::text, 4326)))`, []any{"MULTIPOINT((1 2),(3 4))"}},
	{"s_touches multilinestring", `S_TOUCHES(geom, MULTILINESTRING((0 0, 1 1), (2 2, 3 3)))`,
		`{"op":"s_touches","args":[{"property":"geom"},{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[[2,2],[3,3]]]}]}`,
		`(ST_Touches(p.geom, ST_GeomFromText($1::text, 4326)))`, []any{"MULTILINESTRING((0 0,1 1),(2 2,3 3))"}},
	{"s_overlaps multipolygon", `S_OVERLAPS(geom, MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5))))`,
		`{"op":"s_overlaps","args":[{"property":"geom"},{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]}]}`,
		`(ST_Overlaps(p.geom, ST_MakeValid(ST_GeomFromText($1::text, 4326))))`, []any{"MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5)))"}},
	{"s_crosses collection", `S_CROSSES(geom, GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(0 0, 1 1)))`,
		`{"op":"s_crosses","args":[{"property":"geom"},{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"LineString","coordinates":[[0,0],[1,1]]}]}]}`,
		`(ST_Crosses(p.geom, ST_UnaryUnion(ST_MakeValid(ST_GeomFromText($1::text, 4326)))))`, []any{"GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1 1))"}},
	{"z dropped", `S_INTERSECTS(geom, POINT Z (1 2 3))`,
		`{"op":"s_intersects","args":[{"property":"geom"},{"type":"Point","coordinates":[1,2,3]}]}`,
		`(ST_Intersects(p.geom, ST_GeomFromText($1::text, 4326)))`, []any{"POINT(1 2)"}},
	{"bbox", `S_INTERSECTS(geom, BBOX(113.7, 22.4, 114.6, 22.9))`,
		`{"op":"s_intersects","args":[{"property":"geom"},{"bbox":[113.7,22.4,114.6,22.9]}]}`,
		`(ST_Intersects(p.geom, ST_MakeEnvelope($1::float8, $2::float8, $3::float8, $4::float8, 4326)))`,
		[]any{113.7, 22.4, 114.6, 22.9}},
	{"bbox 6", `S_INTERSECTS(geom, BBOX(-10, -5, 0, 10, 5, 100))`,
		`{"op":"s_intersects","args":[{"property":"geom"},{"bbox":[-10,-5,0,10,5,100]}]}`,
		`(ST_Intersects(p.geom, ST_MakeEnvelope($1::float8, $2::float8, $3::float8, $4::float8, 4326)))`,
		[]any{-10.0, -5.0, 10.0, 5.0}},
	{"dwithin km", `S_DWITHIN(geom, POINT(114 22.5), 5, kilometers)`,
		`{"op":"s_dwithin","args":[{"property":"geom"},{"type":"Point","coordinates":[114,22.5]},5,"kilometers"]}`,
		`(ST_DWithin(p.geom::geography, ST_GeomFromText($1::text, 4326)::geography, $2::float8))`,
		[]any{"POINT(114 22.5)", 5000.0}},
	{"dwithin metres string unit", `S_DWITHIN(geom, POINT(114 22.5), 250.5, 'metres')`,
		`{"op":"s_dwithin","args":[{"property":"geom"},{"type":"Point","coordinates":[114,22.5]},250.5,"metres"]}`,
		`(ST_DWithin(p.geom::geography, ST_GeomFromText($1::text, 4326)::geography, $2::float8))`,
		[]any{"POINT(114 22.5)", 250.5}},
	{"spatial and comparison", `S_INTERSECTS(geom, BBOX(0, 0, 1, 1)) AND section = 7`,
		`{"op":"and","args":[{"op":"s_intersects","args":[{"property":"geom"},{"bbox":[0,0,1,1]}]},{"op":"=","args":[{"property":"section"},7]}]}`,
		`(ST_Intersects(p.geom, ST_MakeEnvelope($1::float8, $2::float8, $3::float8, $4::float8, 4326)) AND p.section = $5::bigint)`,
		[]any{0.0, 0.0, 1.0, 1.0, int64(7)}},

	// Temporal.
	{"date eq", `date = DATE('2012-12-31')`, `{"op":"=","args":[{"property":"date"},{"date":"2012-12-31"}]}`,
		`(h.date = $1::date)`, []any{day(2012, 12, 31)}},
	{"timestamp gt", `updated > TIMESTAMP('2013-06-07T00:00:00Z')`,
		`{"op":">","args":[{"property":"updated"},{"timestamp":"2013-06-07T00:00:00Z"}]}`,
		`(p.updated_at > $1::timestamptz)`, []any{day(2013, 6, 7)}},
	{"timestamp vs date literal", `updated >= DATE('2013-06-07')`,
		`{"op":">=","args":[{"property":"updated"},{"date":"2013-06-07"}]}`,
		`(p.updated_at >= $1::timestamptz)`, []any{day(2013, 6, 7)}},
	{"date vs timestamp literal", `date < TIMESTAMP('2013-06-07T12:30:00.5Z')`,
		`{"op":"<","args":[{"property":"date"},{"timestamp":"2013-06-07T12:30:00.5Z"}]}`,
		`(h.date::timestamp < $1::timestamp)`, []any{time.Date(2013, 6, 7, 12, 30, 0, 500000000, time.UTC)}},
	{"t_before instant", `T_BEFORE(date, DATE('2012-12-31'))`,
		`{"op":"t_before","args":[{"property":"date"},{"date":"2012-12-31"}]}`,
		`(h.date < $1::date)`, []any{day(2012, 12, 31)}},
	{"t_after timestamp", `T_AFTER(updated, TIMESTAMP('2013-06-07T00:00:00Z'))`,
		`{"op":"t_after","args":[{"property":"updated"},{"timestamp":"2013-06-07T00:00:00Z"}]}`,
		`(p.updated_at > $1::timestamptz)`, []any{day(2013, 6, 7)}},
	{"t_equals instant", `T_EQUALS(date, DATE('2012-12-31'))`,
		`{"op":"t_equals","args":[{"property":"date"},{"date":"2012-12-31"}]}`,
		`(h.date = $1::date)`, []any{day(2012, 12, 31)}},
	{"t_during", `T_DURING(date, INTERVAL('2012-01-01', '2012-12-31'))`,
		`{"op":"t_during","args":[{"property":"date"},{"interval":["2012-01-01","2012-12-31"]}]}`,
		`(h.date > $1::date AND h.date < $2::date)`, []any{day(2012, 1, 1), day(2012, 12, 31)}},
	{"t_intersects interval", `T_INTERSECTS(date, INTERVAL('2012-01-01', '2012-12-31'))`,
		`{"op":"t_intersects","args":[{"property":"date"},{"interval":["2012-01-01","2012-12-31"]}]}`,
		`(h.date <= $1::date AND h.date >= $2::date)`, []any{day(2012, 12, 31), day(2012, 1, 1)}},
	{"t_intersects open start", `T_INTERSECTS(date, INTERVAL('..', '2012-12-31'))`,
		`{"op":"t_intersects","args":[{"property":"date"},{"interval":["..","2012-12-31"]}]}`,
		`(h.date <= $1::date)`, []any{day(2012, 12, 31)}},
	{"t_intersects unbounded", `T_INTERSECTS(date, INTERVAL('..', '..'))`,
		`{"op":"t_intersects","args":[{"property":"date"},{"interval":["..",".."]}]}`,
		`(h.date IS NOT NULL)`, nil},
	{"t_disjoint interval", `T_DISJOINT(date, INTERVAL('2012-01-01', '2012-12-31'))`,
		`{"op":"t_disjoint","args":[{"property":"date"},{"interval":["2012-01-01","2012-12-31"]}]}`,
		`(h.date > $1::date OR h.date < $2::date)`, []any{day(2012, 12, 31), day(2012, 1, 1)}},
	{"t_after open end", `T_AFTER(date, INTERVAL('2012-01-01', '..'))`,
		`{"op":"t_after","args":[{"property":"date"},{"interval":["2012-01-01",".."]}]}`,
		`(FALSE)`, nil},
	{"property interval during", `T_DURING(INTERVAL(start, end), INTERVAL('2017-06-10', '2017-06-11'))`,
		`{"op":"t_during","args":[{"interval":[{"property":"start"},{"property":"end"}]},{"interval":["2017-06-10","2017-06-11"]}]}`,
		`(h.start_date > $1::date AND h.end_date < $2::date)`, []any{day(2017, 6, 10), day(2017, 6, 11)}},
	{"t_meets", `T_MEETS(INTERVAL(ts_start, ts_end), INTERVAL('2005-01-10T00:00:00Z', '..'))`,
		`{"op":"t_meets","args":[{"interval":[{"property":"ts_start"},{"property":"ts_end"}]},{"interval":["2005-01-10T00:00:00Z",".."]}]}`,
		`(h.ts_end = $1::timestamptz)`, []any{day(2005, 1, 10)}},
	{"t_metby", `T_METBY(INTERVAL(start, end), INTERVAL('2010-01-01', '2010-02-10'))`,
		`{"op":"t_metBy","args":[{"interval":[{"property":"start"},{"property":"end"}]},{"interval":["2010-01-01","2010-02-10"]}]}`,
		`(h.start_date = $1::date)`, []any{day(2010, 2, 10)}},
	{"t_overlaps", `T_OVERLAPS(INTERVAL(start, end), INTERVAL('2010-01-01', '2010-02-10'))`,
		`{"op":"t_overlaps","args":[{"interval":[{"property":"start"},{"property":"end"}]},{"interval":["2010-01-01","2010-02-10"]}]}`,
		`(h.start_date < $1::date AND h.end_date > $1::date AND h.end_date < $2::date)`, []any{day(2010, 1, 1), day(2010, 2, 10)}},
	{"t_overlappedby", `T_OVERLAPPEDBY(INTERVAL(start, end), INTERVAL('2010-01-01', '2010-02-10'))`,
		`{"op":"t_overlappedBy","args":[{"interval":[{"property":"start"},{"property":"end"}]},{"interval":["2010-01-01","2010-02-10"]}]}`,
		`(h.start_date > $1::date AND h.start_date < $2::date AND h.end_date > $2::date)`, []any{day(2010, 1, 1), day(2010, 2, 10)}},
	{"t_starts", `T_STARTS(INTERVAL(start, end), INTERVAL('2010-01-01', '2010-02-10'))`,
		`{"op":"t_starts","args":[{"interval":[{"property":"start"},{"property":"end"}]},{"interval":["2010-01-01","2010-02-10"]}]}`,
		`(h.start_date = $1::date AND h.end_date < $2::date)`, []any{day(2010, 1, 1), day(2010, 2, 10)}},
	{"t_startedby", `T_STARTEDBY(INTERVAL(start, end), INTERVAL('2010-01-01', '2010-02-10'))`,
		`{"op":"t_startedBy","args":[{"interval":[{"property":"start"},{"property":"end"}]},{"interval":["2010-01-01","2010-02-10"]}]}`,
		`(h.start_date = $1::date AND h.end_date > $2::date)`, []any{day(2010, 1, 1), day(2010, 2, 10)}},
	{"t_finishes", `T_FINISHES(INTERVAL(start, end), INTERVAL('2010-01-01', '2010-02-10'))`,
		`{"op":"t_finishes","args":[{"interval":[{"property":"start"},{"property":"end"}]},{"interval":["2010-01-01","2010-02-10"]}]}`,
		`(h.start_date > $1::date AND h.end_date = $2::date)`, []any{day(2010, 1, 1), day(2010, 2, 10)}},
	{"t_finishedby", `T_FINISHEDBY(INTERVAL(start, end), INTERVAL('2010-01-01', '2010-02-10'))`,
		`{"op":"t_finishedBy","args":[{"interval":[{"property":"start"},{"property":"end"}]},{"interval":["2010-01-01","2010-02-10"]}]}`,
		`(h.start_date < $1::date AND h.end_date = $2::date)`, []any{day(2010, 1, 1), day(2010, 2, 10)}},
	{"t_contains", `T_CONTAINS(INTERVAL(start, end), INTERVAL('2010-01-01', '2010-02-10'))`,
		`{"op":"t_contains","args":[{"interval":[{"property":"start"},{"property":"end"}]},{"interval":["2010-01-01","2010-02-10"]}]}`,
		`(h.start_date < $1::date AND h.end_date > $2::date)`, []any{day(2010, 1, 1), day(2010, 2, 10)}},
	{"t_equals intervals", `T_EQUALS(INTERVAL(start, end), INTERVAL('2010-01-01', '2010-02-10'))`,
		`{"op":"t_equals","args":[{"interval":[{"property":"start"},{"property":"end"}]},{"interval":["2010-01-01","2010-02-10"]}]}`,
		`(h.start_date = $1::date AND h.end_date = $2::date)`, []any{day(2010, 1, 1), day(2010, 2, 10)}},
	{"date column in timestamp interval", `T_DURING(date, INTERVAL('2012-01-01T06:00:00Z', '..'))`,
		`{"op":"t_during","args":[{"property":"date"},{"interval":["2012-01-01T06:00:00Z",".."]}]}`,
		`(h.date::timestamp > $1::timestamp)`, []any{time.Date(2012, 1, 1, 6, 0, 0, 0, time.UTC)}},
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			for _, enc := range []struct{ lang, filter string }{{cql2.LangText, tc.text}, {cql2.LangJSON, tc.json}} {
				sql, args, err := translate(t, enc.lang, enc.filter, 1)
				if err != nil {
					t.Fatalf("%s %s: %v", enc.lang, enc.filter, err)
				}
				if sql != tc.sql {
					t.Errorf("%s %s:\n got SQL %s\nwant SQL %s", enc.lang, enc.filter, sql, tc.sql)
				}
				if !sameArgs(args, tc.args) {
					t.Errorf("%s %s:\n got args %#v\nwant args %#v", enc.lang, enc.filter, args, tc.args)
				}
				safeSQL(t, sql)
			}
		})
	}
}

// TestRoundTrip checks that the text and JSON encodings of a filter give
// identical SQL and arguments, and that rendering a parsed filter back to
// cql2-text (Expr.String) and parsing it again changes nothing.
func TestRoundTrip(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			textSQL, textArgs, err := translate(t, cql2.LangText, tc.text, 5)
			if err != nil {
				t.Fatal(err)
			}
			jsonSQL, jsonArgs, err := translate(t, cql2.LangJSON, tc.json, 5)
			if err != nil {
				t.Fatal(err)
			}
			if textSQL != jsonSQL || !sameArgs(textArgs, jsonArgs) {
				t.Errorf("text and JSON differ:\n text %s %#v\n json %s %#v", textSQL, textArgs, jsonSQL, jsonArgs)
			}
			for _, enc := range []struct{ lang, filter string }{{cql2.LangText, tc.text}, {cql2.LangJSON, tc.json}} {
				e, err := cql2.Parse(enc.lang, enc.filter, cql2.Limits{})
				if err != nil {
					t.Fatal(err)
				}
				again, err := cql2.ParseText(e.String(), cql2.Limits{})
				if err != nil {
					t.Fatalf("reparse %s of %s: %v", e.String(), enc.filter, err)
				}
				sql2, args2, err := cql2.ToSQL(again, testQueryables, 5)
				if err != nil {
					t.Fatal(err)
				}
				if sql2 != textSQL || !sameArgs(args2, textArgs) {
					t.Errorf("String() %s does not round-trip:\n got %s %#v\nwant %s %#v", e.String(), sql2, args2, textSQL, textArgs)
				}
			}
		})
	}
}

// TestParamNumbering checks firstParam: the lead's items query already
// uses $1 and $2.
func TestParamNumbering(t *testing.T) {
	e, err := cql2.ParseText(`section = 7 AND status IN ('planned', 'done')`, cql2.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	sql, args, err := cql2.ToSQL(e, testQueryables, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := `(p.section = $3::bigint AND p.status = ANY($4::text[]))`
	if sql != want {
		t.Errorf("got %s, want %s", sql, want)
	}
	if !sameArgs(args, []any{int64(7), []string{"planned", "done"}}) {
		t.Errorf("args %#v", args)
	}
	// firstParam below 1 means 1.
	sql, _, err = cql2.ToSQL(e, testQueryables, 0)
	if err != nil || sql != `(p.section = $1::bigint AND p.status = ANY($2::text[]))` {
		t.Errorf("firstParam 0: %s %v", sql, err)
	}
}

func TestProperties(t *testing.T) {
	e, err := cql2.ParseText(`section = item AND T_DURING(INTERVAL(start, "end"), INTERVAL('2010-01-01', '..')) OR S_INTERSECTS(geom, POINT(0 0))`, cql2.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got := cql2.Properties(e)
	want := []string{"end", "geom", "item", "section", "start"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func TestSchema(t *testing.T) {
	doc := testQueryables.Schema("https://example.org/collections/projects/queryables", "Projects")
	props := doc["properties"].(map[string]any)
	if len(props) != len(testQueryables) {
		t.Fatalf("%d properties, want %d", len(props), len(testQueryables))
	}
	sec := props["section"].(map[string]any)
	if sec["type"] != "integer" || sec["description"] != "plan section" {
		t.Errorf("section: %v", sec)
	}
	if g := props["geom"].(map[string]any); g["format"] != "geometry-any" {
		t.Errorf("geom: %v", g)
	}
	if d := props["updated"].(map[string]any); d["format"] != "date-time" {
		t.Errorf("updated: %v", d)
	}
	if doc["$id"] != "https://example.org/collections/projects/queryables" || doc["additionalProperties"] != false {
		t.Errorf("doc: %v", doc)
	}
	if names := testQueryables.Names(); names[0] != "cross" {
		t.Errorf("names not sorted: %v", names)
	}
}

func TestParseLangAndCRS(t *testing.T) {
	if _, err := cql2.Parse("", "TRUE", cql2.Limits{}); err != nil {
		t.Errorf("default language: %v", err)
	}
	if _, err := cql2.Parse(cql2.LangJSON, "true", cql2.Limits{}); err != nil {
		t.Errorf("json: %v", err)
	}
	_, err := cql2.Parse("ecql", "TRUE", cql2.Limits{})
	checkClientError(t, err, cql2.ErrUnsupported, `filter-lang "ecql" is not supported`)
	if err := cql2.CheckCRS(""); err != nil {
		t.Error(err)
	}
	if err := cql2.CheckCRS(cql2.CRS84); err != nil {
		t.Error(err)
	}
	checkClientError(t, cql2.CheckCRS("http://www.opengis.net/def/crs/EPSG/0/3857"), cql2.ErrUnsupported, "filter-crs")
	cc := cql2.ConformanceClasses()
	if len(cc) != 10 || cc[0] != "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text" {
		t.Errorf("ConformanceClasses() = %v", cc)
	}
	cc[0] = "changed"
	if cql2.ConformanceClasses()[0] == "changed" {
		t.Error("ConformanceClasses returns shared storage")
	}
}

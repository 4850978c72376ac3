package cql2_test

import (
	"errors"
	"fmt"

	"github.com/planmap/planmap/internal/cql2"
	"github.com/planmap/planmap/internal/domain"
)

// The registry of properties a client may filter on; the SQL is the
// server's own, never the client's.
var projects = cql2.Queryables{
	"section":  {SQL: "p.section", Type: cql2.Integer, Description: "plan section, 1-13"},
	"status":   {SQL: "p.status", Type: cql2.String},
	"name_en":  {SQL: "p.name_en", Type: cql2.String},
	"geometry": {SQL: "p.geom", Type: cql2.Geometry},
	"updated":  {SQL: "p.updated_at", Type: cql2.Timestamp},
}

func ExampleParseText() {
	e, err := cql2.ParseText(`section = 7 AND status IN ('planned', 'under_construction')`, cql2.DefaultLimits())
	if err != nil {
		fmt.Println(err)
		return
	}
	// $1 and $2 are already used by the rest of the query.
	where, args, err := cql2.ToSQL(e, projects, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("SELECT p.id FROM project p WHERE p.programme IS NULL AND " + where + " LIMIT $1 OFFSET $2")
	fmt.Printf("%#v\n", args)
	// Output:
	// SELECT p.id FROM project p WHERE p.programme IS NULL AND (p.section = $3::bigint AND p.status = ANY($4::text[])) LIMIT $1 OFFSET $2
	// []interface {}{7, []string{"planned", "under_construction"}}
}

func ExampleParseText_spatial() {
	e, err := cql2.ParseText(`S_DWITHIN(geometry, POINT(114.05 22.54), 5, kilometers) OR S_INTERSECTS(geometry, BBOX(113.7, 22.4, 114.6, 22.9))`, cql2.DefaultLimits())
	if err != nil {
		fmt.Println(err)
		return
	}
	where, args, _ := cql2.ToSQL(e, projects, 1)
	fmt.Println(where)
	fmt.Println(args)
	// Output:
	// (ST_DWithin(p.geom::geography, ST_GeomFromText($1::text, 4326)::geography, $2::float8) OR ST_Intersects(p.geom, ST_MakeEnvelope($3::float8, $4::float8, $5::float8, $6::float8, 4326)))
	// [POINT(114.05 22.54) 5000 113.7 22.4 114.6 22.9]
}

func ExampleParseText_error() {
	_, err := cql2.ParseText(`(section = 7 OR status = 'done'`, cql2.DefaultLimits())
	fmt.Println(domain.ErrorCode(err), errors.Is(err, cql2.ErrSyntax))
	fmt.Println(domain.ErrorMessage(err))

	e, _ := cql2.ParseText(`sectoin = 7`, cql2.DefaultLimits())
	_, _, err = cql2.ToSQL(e, projects, 1)
	fmt.Println(errors.Is(err, cql2.ErrUnknownProperty))
	fmt.Println(domain.ErrorMessage(err))
	// Output:
	// invalid true
	// filter: expected ')' at position 32, found end of filter
	// true
	// filter: unknown property "sectoin" at position 1; queryable: geometry, name_en, section, status, updated
}

func ExampleParseJSON() {
	e, err := cql2.ParseJSON([]byte(`{"op":"and","args":[
		{"op":"like","args":[{"op":"casei","args":[{"property":"name_en"}]},{"op":"casei","args":["%port%"]}]},
		{"op":"t_after","args":[{"property":"updated"},{"timestamp":"2024-01-01T00:00:00Z"}]}]}`), cql2.DefaultLimits())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e) // the same filter in cql2-text
	where, args, _ := cql2.ToSQL(e, projects, 1)
	fmt.Println(where)
	fmt.Println(args[0], args[1])
	// Output:
	// (CASEI(name_en) LIKE CASEI('%port%') AND T_AFTER(updated, TIMESTAMP('2024-01-01T00:00:00Z')))
	// (lower(p.name_en) LIKE lower($1::text) AND p.updated_at > $2::timestamptz)
	// %port% 2024-01-01 00:00:00 +0000 UTC
}

func ExampleQueryables_Schema() {
	doc := cql2.Queryables{"section": {SQL: "p.section", Type: cql2.Integer, Description: "plan section"}}.
		Schema("https://example.org/collections/projects/queryables", "Projects")
	fmt.Println(doc["properties"])
	// Output:
	// map[section:map[description:plan section title:section type:integer]]
}

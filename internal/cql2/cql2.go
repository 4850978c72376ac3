// Package cql2 parses OGC CQL2 filters (OGC 21-065, used by OGC API -
// Features Part 3) in the cql2-text and cql2-json encodings and translates
// them to parameterised PostgreSQL/PostGIS SQL.
//
// Safety rules the package keeps:
//
//   - Values reach SQL only as parameters ($n), each with an explicit cast.
//     The generated SQL contains no string literals at all.
//   - Identifiers reach SQL only from the server's registry: a CQL2 property
//     name selects a Queryable, whose trusted SQL expression is emitted; the
//     name itself never appears in the SQL.
//   - Limits (input length, nesting depth, node count, coordinates per
//     geometry literal) are checked while parsing, so hostile input is
//     refused cheaply and without deep recursion.
//
// Supported: comparison (= <> < <= > >=, property or literal on either
// side, property-property), AND/OR/NOT, IS [NOT] NULL, [NOT] LIKE (% and _,
// escape \), [NOT] IN, [NOT] BETWEEN, CASEI; geometry literals (WKT and
// BBOX in cql2-text, GeoJSON and {"bbox":[...]} in cql2-json) with
// S_INTERSECTS, S_EQUALS, S_DISJOINT, S_TOUCHES, S_WITHIN, S_OVERLAPS,
// S_CROSSES, S_CONTAINS and the planmap extension
// S_DWITHIN(a, b, distance, meters|kilometers) on the spheroid; DATE,
// TIMESTAMP and INTERVAL (with '..' open ends and property bounds) with all
// fifteen T_ functions. Not supported, with a clear error: ACCENTI, arrays
// and A_ functions, arithmetic, custom functions, EMPTY geometries, Z/M
// beyond dropping Z, bounding boxes crossing the antimeridian.
//
// Every error caused by the filter is an *Error: it unwraps to a
// *domain.Error with Code domain.EINVALID and a client-safe message, and to
// one of the sentinels ErrSyntax, ErrLimit, ErrUnknownProperty, ErrType or
// ErrUnsupported.
package cql2

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/planmap/planmap/internal/domain"
)

// Filter languages, as named by the filter-lang query parameter.
const (
	LangText = "cql2-text"
	LangJSON = "cql2-json"
)

// CRS84 is the only filter-crs this package accepts: coordinates of geometry
// literals are longitude, latitude in WGS 84.
const CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

// ConformanceClasses returns the CQL2 conformance classes this package
// implements, for the /conformance document.
func ConformanceClasses() []string { return append([]string(nil), conformance...) }

var conformance = []string{
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
	"http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
	"http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
	"http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
	"http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
	"http://www.opengis.net/spec/cql2/1.0/conf/property-property",
}

// Sentinel errors; every *Error wraps exactly one of them.
var (
	ErrSyntax          = errors.New("cql2: syntax error")
	ErrLimit           = errors.New("cql2: limit exceeded")
	ErrUnknownProperty = errors.New("cql2: unknown property")
	ErrType            = errors.New("cql2: type mismatch")
	ErrUnsupported     = errors.New("cql2: not supported")
)

// Error is a client error in a filter. It unwraps to its Kind (one of the
// sentinels) and to a *domain.Error with Code domain.EINVALID, so both
// errors.Is(err, cql2.ErrSyntax) and domain.ErrorCode(err) work.
type Error struct {
	Kind    error  // ErrSyntax, ErrLimit, ErrUnknownProperty, ErrType or ErrUnsupported
	Pos     int    // 1-based character position in a cql2-text filter; 0 when unknown
	Path    string // JSON pointer into a cql2-json filter; "" when unknown
	Message string // client-safe; starts with "filter: "
	derr    *domain.Error
}

func (e *Error) Error() string { return "cql2: " + strings.TrimPrefix(e.Message, "filter: ") }

// Unwrap returns the sentinel and the *domain.Error.
func (e *Error) Unwrap() []error { return []error{e.Kind, e.derr} }

func newError(kind error, l loc, format string, args ...any) *Error {
	msg := "filter: " + fmt.Sprintf(format, args...)
	return &Error{Kind: kind, Pos: l.pos, Path: l.path, Message: msg, derr: &domain.Error{Code: domain.EINVALID, Message: msg}}
}

// loc is where a node came from: a character position in cql2-text or a
// JSON pointer in cql2-json.
type loc struct {
	pos  int
	path string
}

// at renders " at position N" / " at /args/0" / "".
func (l loc) at() string {
	switch {
	case l.pos > 0:
		return fmt.Sprintf(" at position %d", l.pos)
	case l.path != "":
		return " at " + l.path
	}
	return ""
}

// Limits bound what one filter may contain. A zero or negative field means
// the default.
type Limits struct {
	MaxLength int // bytes of the raw filter
	MaxDepth  int // nesting of parentheses, NOT, functions and operators
	MaxNodes  int // expression nodes (operators, properties, literals)
}

// DefaultLimits returns 8 KiB, depth 32 and 512 nodes.
func DefaultLimits() Limits { return Limits{MaxLength: 8 << 10, MaxDepth: 32, MaxNodes: 512} }

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxLength <= 0 {
		l.MaxLength = d.MaxLength
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxNodes <= 0 {
		l.MaxNodes = d.MaxNodes
	}
	return l
}

// maxCoords bounds the coordinates of one geometry literal.
const maxCoords = 10000

// Type is the data type of a queryable.
type Type int

// Queryable types.
const (
	String Type = iota + 1
	Number
	Integer
	Boolean
	Date
	Timestamp
	Geometry
)

var typeNames = [...]string{"", "String", "Number", "Integer", "Boolean", "Date", "Timestamp", "Geometry"}

func (t Type) String() string {
	if t < String || t > Geometry {
		return fmt.Sprintf("Type(%d)", int(t))
	}
	return typeNames[t]
}

// JSONSchema returns the JSON Schema fragment describing a value of t, as
// used in a /queryables document.
func (t Type) JSONSchema() map[string]any {
	switch t {
	case String:
		return map[string]any{"type": "string"}
	case Number:
		return map[string]any{"type": "number"}
	case Integer:
		return map[string]any{"type": "integer"}
	case Boolean:
		return map[string]any{"type": "boolean"}
	case Date:
		return map[string]any{"type": "string", "format": "date"}
	case Timestamp:
		return map[string]any{"type": "string", "format": "date-time"}
	case Geometry:
		return map[string]any{"format": "geometry-any"}
	}
	return map[string]any{}
}

// Queryable is one property a filter may use.
type Queryable struct {
	SQL         string // trusted column expression, e.g. "p.section" or "p.geom"; never user input
	Type        Type
	Description string
}

// Queryables is the allow-list of properties, keyed by CQL2 property name
// (case-sensitive).
type Queryables map[string]Queryable

// Names returns the property names, sorted.
func (q Queryables) Names() []string {
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Schema returns a /queryables document (OGC API - Features Part 3): a JSON
// Schema object whose properties are the queryables.
func (q Queryables) Schema(id, title string) map[string]any {
	props := make(map[string]any, len(q))
	for name, qb := range q {
		p := qb.Type.JSONSchema()
		p["title"] = name
		if qb.Description != "" {
			p["description"] = qb.Description
		}
		props[name] = p
	}
	doc := map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"type":                 "object",
		"properties":           props,
		"additionalProperties": false,
	}
	if id != "" {
		doc["$id"] = id
	}
	if title != "" {
		doc["title"] = title
	}
	return doc
}

// Expr is a parsed CQL2 expression; it is immutable, so one Expr may be
// translated concurrently. String renders it as canonical cql2-text, for
// logs and tests (a few shapes only cql2-json can express, such as a
// parenthesised condition compared with TRUE, do not parse back).
type Expr interface {
	String() string
	where() loc
}

// Parse parses filter in the language lang (LangText, LangJSON, or "" for
// cql2-text), as given by the filter-lang query parameter.
func Parse(lang, filter string, lim Limits) (Expr, error) {
	switch lang {
	case "", LangText:
		return ParseText(filter, lim)
	case LangJSON:
		return ParseJSON([]byte(filter), lim)
	}
	return nil, newError(ErrUnsupported, loc{}, "filter-lang %q is not supported; use %s or %s", truncate(lang, 40), LangText, LangJSON)
}

// CheckCRS validates a filter-crs parameter: only CRS84 (or none) is
// supported.
func CheckCRS(crs string) error {
	if crs == "" || crs == CRS84 {
		return nil
	}
	return newError(ErrUnsupported, loc{}, "filter-crs %q is not supported; use %s", truncate(crs, 80), CRS84)
}

// Properties returns the distinct property names e refers to, sorted.
func Properties(e Expr) []string {
	seen := map[string]bool{}
	walk(e, func(x Expr) {
		if p, ok := x.(*propNode); ok {
			seen[p.name] = true
		}
	})
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// truncate shortens s to n runes for error messages.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

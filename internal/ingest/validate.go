package ingest

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// checkGeometry validates and normalises g: it closes unclosed rings, drops
// empty members, turns homogeneous collections into multi-geometries and
// rejects (returns nil for) geometries with non-finite coordinates or
// too-short rings and lines. n counts the vertices.
func checkGeometry(g orb.Geometry) (out orb.Geometry, n int, issues []Issue) {
	if g == nil {
		return nil, 0, []Issue{{Code: "null-geometry", Severity: SeverityWarning, Message: "feature has no geometry"}}
	}
	v := &geomCheck{}
	out = v.geom(g, "")
	if v.bad {
		return nil, v.n, v.issues
	}
	if out == nil || isEmpty(out) {
		return nil, v.n, append(v.issues, Issue{Code: "empty-geometry", Severity: SeverityWarning, Message: "geometry is empty"})
	}
	return out, v.n, v.issues
}

type geomCheck struct {
	n      int
	bad    bool
	issues []Issue
}

func (v *geomCheck) errorf(code, format string, args ...any) {
	v.bad = true
	v.issues = append(v.issues, Issue{Code: code, Severity: SeverityError, Message: fmt.Sprintf(format, args...)})
}

func finite(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsInf(p[0], 0) && !math.IsNaN(p[1]) && !math.IsInf(p[1], 0)
}

func (v *geomCheck) point(p orb.Point, where string) {
	v.n++
	if !v.bad && !finite(p) {
		v.nonFinite(p, where)
	}
}

func (v *geomCheck) nonFinite(p orb.Point, where string) {
	c := p[0]
	if finite(orb.Point{c, 0}) {
		c = p[1]
	}
	v.errorf("invalid-coordinate", "%scoordinate %v is not a finite number (NaN, Infinity or out of range such as 1e400)", where, c)
}

func (v *geomCheck) points(ps []orb.Point, where string) {
	v.n += len(ps)
	if v.bad {
		return
	}
	for i, p := range ps {
		if !finite(p) {
			v.nonFinite(p, fmt.Sprintf("%svertex %d: ", where, i))
			return
		}
	}
}

func (v *geomCheck) line(l orb.LineString, where string) orb.LineString {
	v.points(l, where)
	if len(l) == 1 {
		v.errorf("line-too-short", "%sline has 1 position; at least 2 are needed", where)
	}
	return l
}

func (v *geomCheck) ring(r orb.Ring, where string) orb.Ring {
	v.points(r, where)
	if v.bad || len(r) == 0 {
		return r
	}
	if len(r) < 4 {
		v.errorf("ring-too-short", "%sring has %d positions; at least 4 are needed", where, len(r))
		return r
	}
	if r[0] != r[len(r)-1] {
		r = append(r, r[0])
		v.issues = append(v.issues, Issue{Code: "ring-unclosed", Severity: SeverityInfo, Message: where + "ring was not closed; closed it"})
	}
	return r
}

func (v *geomCheck) polygon(p orb.Polygon, where string) orb.Polygon {
	out := p[:0]
	for i, r := range p {
		r = v.ring(r, fmt.Sprintf("%sring %d: ", where, i))
		if len(r) > 0 {
			out = append(out, r)
		}
	}
	return out
}

func (v *geomCheck) geom(g orb.Geometry, where string) orb.Geometry {
	switch g := g.(type) {
	case orb.Point:
		v.point(g, where)
		return g
	case orb.MultiPoint:
		v.points(g, where)
		return g
	case orb.LineString:
		return v.line(g, where)
	case orb.Ring:
		return v.ring(g, where)
	case orb.MultiLineString:
		out := g[:0]
		for i, l := range g {
			l = v.line(l, fmt.Sprintf("%sline %d: ", where, i))
			if len(l) > 0 {
				out = append(out, l)
			}
		}
		return out
	case orb.Polygon:
		return v.polygon(g, where)
	case orb.MultiPolygon:
		out := g[:0]
		for i, p := range g {
			p = v.polygon(p, fmt.Sprintf("%spolygon %d: ", where, i))
			if len(p) > 0 {
				out = append(out, p)
			}
		}
		return out
	case orb.Collection:
		var flat orb.Collection
		for i, c := range g {
			c = v.geom(c, fmt.Sprintf("%smember %d: ", where, i))
			if sub, ok := c.(orb.Collection); ok {
				flat = append(flat, sub...)
			} else if c != nil && !isEmpty(c) {
				flat = append(flat, c)
			}
		}
		return v.collection(flat)
	case orb.Bound:
		return g.ToPolygon()
	}
	v.errorf("unknown-geometry", "%sunsupported geometry type %T", where, g)
	return nil
}

// collection makes a homogeneous collection a multi-geometry.
func (v *geomCheck) collection(c orb.Collection) orb.Geometry {
	if len(c) == 0 {
		return c
	}
	var mp orb.MultiPoint
	var ml orb.MultiLineString
	var mpoly orb.MultiPolygon
	for _, g := range c {
		switch g := g.(type) {
		case orb.Point:
			mp = append(mp, g)
		case orb.MultiPoint:
			mp = append(mp, g...)
		case orb.LineString:
			ml = append(ml, g)
		case orb.MultiLineString:
			ml = append(ml, g...)
		case orb.Polygon:
			mpoly = append(mpoly, g)
		case orb.MultiPolygon:
			mpoly = append(mpoly, g...)
		}
	}
	kinds := 0
	for _, k := range []bool{len(mp) > 0, len(ml) > 0, len(mpoly) > 0} {
		if k {
			kinds++
		}
	}
	if kinds > 1 {
		v.issues = append(v.issues, Issue{Code: "mixed-collection", Severity: SeverityWarning, Message: "GeometryCollection mixes points, lines and polygons; kept as a collection, which some clients cannot style"})
		return c
	}
	v.issues = append(v.issues, Issue{Code: "collection-flattened", Severity: SeverityInfo, Message: "GeometryCollection of one geometry type stored as a multi-geometry"})
	switch {
	case len(mp) > 0:
		return mp
	case len(ml) > 0:
		return ml
	}
	return mpoly
}

func isEmpty(g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.Point:
		return false
	case orb.MultiPoint:
		return len(g) == 0
	case orb.LineString:
		return len(g) == 0
	case orb.Ring:
		return len(g) == 0
	case orb.MultiLineString:
		return len(g) == 0
	case orb.Polygon:
		return len(g) == 0
	case orb.MultiPolygon:
		return len(g) == 0
	case orb.Collection:
		return len(g) == 0
	}
	return g == nil
}

// checkText reports invalid UTF-8 and NUL characters, which PostgreSQL
// rejects in text.
func checkText(s, field, what string) []Issue {
	switch {
	case !utf8.ValidString(s):
		return []Issue{{Field: field, Code: "invalid-utf8", Severity: SeverityError, Message: what + " is not valid UTF-8 (wrong encoding? declare it, e.g. GBK)"}}
	case strings.IndexByte(s, 0) >= 0:
		return []Issue{{Field: field, Code: "nul-character", Severity: SeverityError, Message: what + " contains a NUL (U+0000) character"}}
	}
	return nil
}

// reserved reports whether a property name clashes with planmap's columns.
func reserved(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "id", "geom", "geometry", "fid":
		return true
	}
	return strings.HasPrefix(n, "_planmap")
}

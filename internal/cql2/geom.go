package cql2

import (
	"math"
	"strings"
)

// Geometry literals are parsed (from WKT in cql2-text, GeoJSON in
// cql2-json), validated and re-serialised as canonical 2D WKT, so PostGIS
// only ever sees well-formed text produced here. Z coordinates are accepted
// and dropped: every CQL2 spatial function is evaluated in 2D.

type gkind int

const (
	gPoint gkind = iota
	gLineString
	gPolygon
	gMultiPoint
	gMultiLineString
	gMultiPolygon
	gCollection
)

var wktNames = [...]string{"POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"}
var geojsonNames = [...]string{"Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection"}

func wktKind(upper string) (gkind, bool) {
	for i, n := range wktNames {
		if n == upper {
			return gkind(i), true
		}
	}
	return 0, false
}

type coord [2]float64

type geometry struct {
	kind  gkind
	pts   []coord     // Point (one), LineString, MultiPoint
	lines [][]coord   // Polygon rings, MultiLineString lines
	polys [][][]coord // MultiPolygon
	geoms []*geometry // GeometryCollection
}

func (g *geometry) wkt() string {
	var b strings.Builder
	g.writeWKT(&b)
	return b.String()
}

func (g *geometry) writeWKT(b *strings.Builder) {
	b.WriteString(wktNames[g.kind])
	switch g.kind {
	case gPoint:
		b.WriteByte('(')
		writeCoord(b, g.pts[0])
		b.WriteByte(')')
	case gLineString:
		writeCoords(b, g.pts)
	case gMultiPoint:
		b.WriteByte('(')
		for i, c := range g.pts {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('(')
			writeCoord(b, c)
			b.WriteByte(')')
		}
		b.WriteByte(')')
	case gPolygon, gMultiLineString:
		writeLines(b, g.lines)
	case gMultiPolygon:
		b.WriteByte('(')
		for i, p := range g.polys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeLines(b, p)
		}
		b.WriteByte(')')
	case gCollection:
		b.WriteByte('(')
		for i, m := range g.geoms {
			if i > 0 {
				b.WriteByte(',')
			}
			m.writeWKT(b)
		}
		b.WriteByte(')')
	}
}

func writeCoord(b *strings.Builder, c coord) {
	b.WriteString(formatFloat(c[0]))
	b.WriteByte(' ')
	b.WriteString(formatFloat(c[1]))
}

func writeCoords(b *strings.Builder, cs []coord) {
	b.WriteByte('(')
	for i, c := range cs {
		if i > 0 {
			b.WriteByte(',')
		}
		writeCoord(b, c)
	}
	b.WriteByte(')')
}

func writeLines(b *strings.Builder, ls [][]coord) {
	b.WriteByte('(')
	for i, l := range ls {
		if i > 0 {
			b.WriteByte(',')
		}
		writeCoords(b, l)
	}
	b.WriteByte(')')
}

// checkCoord validates one CRS84 position.
func checkCoord(x, y float64, l loc) error {
	if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
		return newError(ErrSyntax, l, "coordinate is not a finite number%s", l.at())
	}
	if x < -180 || x > 180 {
		return newError(ErrSyntax, l, "longitude %s out of range [-180, 180]%s (coordinates are CRS84 longitude latitude)", formatFloat(x), l.at())
	}
	if y < -90 || y > 90 {
		return newError(ErrSyntax, l, "latitude %s out of range [-90, 90]%s (coordinates are CRS84 longitude latitude)", formatFloat(y), l.at())
	}
	return nil
}

// checkLine validates a LineString's or a ring's points.
func checkLine(cs []coord, ring bool, l loc) error {
	if ring {
		if len(cs) < 4 {
			return newError(ErrSyntax, l, "polygon ring needs at least 4 positions, has %d%s", len(cs), l.at())
		}
		if cs[0] != cs[len(cs)-1] {
			return newError(ErrSyntax, l, "polygon ring is not closed (first and last positions differ)%s", l.at())
		}
		return nil
	}
	if len(cs) < 2 {
		return newError(ErrSyntax, l, "linestring needs at least 2 positions, has %d%s", len(cs), l.at())
	}
	return nil
}

func checkBBox(v []float64, l loc) (*bboxNode, error) {
	var minx, miny, maxx, maxy float64
	switch len(v) {
	case 4:
		minx, miny, maxx, maxy = v[0], v[1], v[2], v[3]
	case 6:
		minx, miny, maxx, maxy = v[0], v[1], v[3], v[4]
	default:
		return nil, newError(ErrSyntax, l, "bbox needs 4 or 6 numbers, has %d%s", len(v), l.at())
	}
	if err := checkCoord(minx, miny, l); err != nil {
		return nil, err
	}
	if err := checkCoord(maxx, maxy, l); err != nil {
		return nil, err
	}
	if minx > maxx {
		return nil, newError(ErrUnsupported, l, "bbox crossing the antimeridian (west %s > east %s) is not supported%s", formatFloat(minx), formatFloat(maxx), l.at())
	}
	if miny > maxy {
		return nil, newError(ErrSyntax, l, "bbox south %s is greater than north %s%s", formatFloat(miny), formatFloat(maxy), l.at())
	}
	return &bboxNode{loc: l, minx: minx, miny: miny, maxx: maxx, maxy: maxy}, nil
}

// longEdge reports an edge spanning 180 degrees or more of longitude or
// latitude: on the sphere it is ambiguous (or antipodal).
func (g *geometry) longEdge() bool {
	long := func(cs []coord) bool {
		for i := 1; i < len(cs); i++ {
			if math.Abs(cs[i][0]-cs[i-1][0]) >= 180 || math.Abs(cs[i][1]-cs[i-1][1]) >= 180 {
				return true
			}
		}
		return false
	}
	switch g.kind {
	case gLineString:
		return long(g.pts)
	case gPolygon, gMultiLineString:
		for _, l := range g.lines {
			if long(l) {
				return true
			}
		}
	case gMultiPolygon:
		for _, p := range g.polys {
			for _, l := range p {
				if long(l) {
					return true
				}
			}
		}
	case gCollection:
		for _, m := range g.geoms {
			if m.longEdge() {
				return true
			}
		}
	}
	return false
}

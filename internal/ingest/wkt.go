package ingest

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// errWKTVertices is returned when a WKT geometry exceeds its vertex budget.
var errWKTVertices = errors.New("too many vertices")

// wktGeom parses a WKT (or EWKT, "SRID=n;...") geometry with Z, M and ZM
// variants, dropping the extra ordinates. hasZ reports dropped values.
type wktGeom struct {
	s        string
	i        int
	maxVerts int
	verts    int
	maxDepth int
	hasZ     bool
}

func parseWKTGeometry(s string, maxVerts, maxDepth int) (g orb.Geometry, hasZ bool, err error) {
	p := &wktGeom{s: s, maxVerts: maxVerts, maxDepth: maxDepth}
	p.space()
	if len(p.s)-p.i > 5 && strings.EqualFold(p.s[p.i:p.i+5], "SRID=") {
		j := strings.IndexByte(p.s, ';')
		if j < 0 {
			return nil, false, fmt.Errorf("EWKT SRID without ';'")
		}
		p.i = j + 1
	}
	g, err = p.geometry(0)
	if err != nil {
		return nil, false, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, false, fmt.Errorf("unexpected text %q after the geometry", clip(p.s[p.i:]))
	}
	return g, p.hasZ, nil
}

func clip(s string) string {
	if len(s) > 20 {
		return s[:20] + "..."
	}
	return s
}

func (p *wktGeom) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *wktGeom) word() string {
	p.space()
	j := p.i
	for p.i < len(p.s) && (p.s[p.i] >= 'A' && p.s[p.i] <= 'Z' || p.s[p.i] >= 'a' && p.s[p.i] <= 'z') {
		p.i++
	}
	return strings.ToUpper(p.s[j:p.i])
}

func (p *wktGeom) peek() byte {
	p.space()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *wktGeom) expect(c byte) error {
	if p.peek() != c {
		return fmt.Errorf("expected %q at %q", c, clip(p.s[min(p.i, len(p.s)):]))
	}
	p.i++
	return nil
}

// empty consumes EMPTY if present.
func (p *wktGeom) empty() bool {
	save := p.i
	if p.word() == "EMPTY" {
		return true
	}
	p.i = save
	return false
}

func (p *wktGeom) geometry(depth int) (orb.Geometry, error) {
	if depth > p.maxDepth {
		return nil, fmt.Errorf("GEOMETRYCOLLECTION nested deeper than %d", p.maxDepth)
	}
	typ := p.word()
	save := p.i
	switch p.word() {
	case "Z", "M", "ZM":
		p.hasZ = true
	default:
		p.i = save
	}
	switch typ {
	case "POINT":
		if p.empty() {
			return orb.MultiPoint{}, nil
		}
		if err := p.expect('('); err != nil {
			return nil, err
		}
		pt, err := p.position()
		if err != nil {
			return nil, err
		}
		return pt, p.expect(')')
	case "LINESTRING", "LINEARRING":
		pts, err := p.positions()
		return orb.LineString(pts), err
	case "MULTIPOINT":
		pts, err := p.multiPoint()
		return orb.MultiPoint(pts), err
	case "POLYGON", "TRIANGLE":
		return p.polygon()
	case "MULTILINESTRING":
		var ml orb.MultiLineString
		err := p.list(func() error {
			pts, err := p.positions()
			ml = append(ml, pts)
			return err
		})
		return ml, err
	case "MULTIPOLYGON":
		var mp orb.MultiPolygon
		err := p.list(func() error {
			poly, err := p.polygon()
			mp = append(mp, poly)
			return err
		})
		return mp, err
	case "GEOMETRYCOLLECTION":
		var c orb.Collection
		err := p.list(func() error {
			g, err := p.geometry(depth + 1)
			c = append(c, g)
			return err
		})
		return c, err
	case "":
		return nil, fmt.Errorf("expected a geometry type at %q", clip(p.s[p.i:]))
	}
	return nil, fmt.Errorf("unsupported geometry type %s", typ)
}

// list parses "EMPTY" or "(item, item, ...)".
func (p *wktGeom) list(item func() error) error {
	if p.empty() {
		return nil
	}
	if err := p.expect('('); err != nil {
		return err
	}
	for {
		if err := item(); err != nil {
			return err
		}
		switch p.peek() {
		case ',':
			p.i++
		case ')':
			p.i++
			return nil
		default:
			return fmt.Errorf("expected ',' or ')' at %q", clip(p.s[min(p.i, len(p.s)):]))
		}
	}
}

func (p *wktGeom) polygon() (orb.Polygon, error) {
	var poly orb.Polygon
	err := p.list(func() error {
		pts, err := p.positions()
		poly = append(poly, orb.Ring(pts))
		return err
	})
	return poly, err
}

func (p *wktGeom) positions() ([]orb.Point, error) {
	var pts []orb.Point
	err := p.list(func() error {
		pt, err := p.position()
		pts = append(pts, pt)
		return err
	})
	return pts, err
}

// multiPoint accepts both MULTIPOINT ((1 2), (3 4)) and MULTIPOINT (1 2, 3 4).
func (p *wktGeom) multiPoint() ([]orb.Point, error) {
	var pts []orb.Point
	err := p.list(func() error {
		paren := p.peek() == '('
		if paren {
			p.i++
		}
		pt, err := p.position()
		if err != nil {
			return err
		}
		pts = append(pts, pt)
		if paren {
			return p.expect(')')
		}
		return nil
	})
	return pts, err
}

func (p *wktGeom) position() (orb.Point, error) {
	p.verts++
	if p.verts > p.maxVerts {
		return orb.Point{}, errWKTVertices
	}
	var pt orb.Point
	n := 0
	for {
		p.space()
		j := p.i
		for p.i < len(p.s) && strings.IndexByte("+-.eE0123456789naNINFinfty", p.s[p.i]) >= 0 {
			p.i++
		}
		if j == p.i {
			break
		}
		v, err := strconv.ParseFloat(p.s[j:p.i], 64)
		if err != nil && !math.IsInf(v, 0) {
			return pt, fmt.Errorf("%q is not a number", p.s[j:p.i])
		}
		if n < 2 {
			pt[n] = v
		}
		n++
	}
	if n < 2 {
		return pt, fmt.Errorf("a position needs 2 numbers at %q", clip(p.s[min(p.i, len(p.s)):]))
	}
	if n > 2 {
		p.hasZ = true
	}
	return pt, nil
}

package ingest

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// coordNode is a parsed "coordinates" value: a position, a list of
// positions, or a list of nodes.
type coordNode struct {
	kind int
	pt   orb.Point
	pts  []orb.Point
	kids []*coordNode
}

const (
	cnEmpty = iota
	cnPos
	cnPosList
	cnList
)

// coords reads an array whose '[' was consumed, counting vertices.
func (s *geojsonSource) coords(depth int, issues *[]Issue) (*coordNode, error) {
	if err := s.deep(depth); err != nil {
		return nil, err
	}
	t, err := s.tok()
	if err != nil {
		return nil, err
	}
	switch t.(type) {
	case json.Number, string, bool, nil:
		p, err := s.position(t, issues)
		return &coordNode{kind: cnPos, pt: p}, err
	}
	if t == json.Delim(']') {
		return &coordNode{kind: cnEmpty}, nil
	}
	if t != json.Delim('[') {
		return nil, syntaxf("%s: unexpected %v in coordinates", s.name, t)
	}
	first, err := s.coords(depth+1, issues)
	if err != nil {
		return nil, err
	}
	n := &coordNode{kind: cnList, kids: []*coordNode{first}}
	if first.kind == cnPos {
		n = &coordNode{kind: cnPosList, pts: []orb.Point{first.pt}}
	}
	for {
		t, err := s.tok()
		if err != nil {
			return nil, err
		}
		if t == json.Delim(']') {
			return n, nil
		}
		if t != json.Delim('[') {
			*issues = append(*issues, Issue{Code: "bad-coordinates", Severity: SeverityError, Message: fmt.Sprintf("coordinates mix arrays and %s", describe(t))})
			if err := s.skip(t, depth+1); err != nil {
				return nil, err
			}
			continue
		}
		c, err := s.coords(depth+1, issues)
		if err != nil {
			return nil, err
		}
		switch {
		case n.kind == cnPosList && c.kind == cnPos:
			n.pts = append(n.pts, c.pt)
		case n.kind == cnList && c.kind != cnPos:
			n.kids = append(n.kids, c)
		default:
			*issues = append(*issues, Issue{Code: "bad-coordinates", Severity: SeverityError, Message: "coordinates mix positions and arrays of positions"})
		}
	}
}

// position reads the numbers of a position after its first token.
func (s *geojsonSource) position(t json.Token, issues *[]Issue) (orb.Point, error) {
	s.verts++
	if s.verts > s.r.opt.MaxVertices {
		return orb.Point{}, tooLargef("%s: feature %d has more than %d vertices (the limit per feature); reading stopped at byte %d", s.name, s.r.res.Features, s.r.opt.MaxVertices, s.dec.InputOffset())
	}
	var p orb.Point
	n := 0
	for {
		if t == json.Delim(']') {
			break
		}
		switch v := t.(type) {
		case json.Number:
			if n < 2 {
				f, err := strconv.ParseFloat(string(v), 64)
				if err != nil && !math.IsInf(f, 0) {
					f = math.NaN()
				}
				p[n] = f
			}
		case json.Delim:
			return p, syntaxf("%s: a position holds an array (feature %d)", s.name, s.r.res.Features)
		default:
			if n < 2 {
				p[n] = math.NaN()
			}
			*issues = append(*issues, Issue{Code: "invalid-coordinate", Severity: SeverityError, Message: fmt.Sprintf("a position holds %s, not a number", describe(t))})
		}
		n++
		var err error
		if t, err = s.tok(); err != nil {
			return p, err
		}
	}
	switch {
	case n < 2:
		*issues = append(*issues, Issue{Code: "invalid-coordinate", Severity: SeverityError, Message: fmt.Sprintf("a position has %d number; at least 2 are needed", n)})
		p = orb.Point{math.NaN(), math.NaN()}
	case n > 2 && !s.zNote:
		s.zNote = true
		s.r.fileIssue("z-dropped", SeverityInfo, fmt.Sprintf("%s: positions carry Z (or M) values; only X and Y are kept", s.name))
	}
	return p, nil
}

// buildGeometry makes an orb geometry of obj's type from its coordinates.
func buildGeometry(obj *gjObject) (orb.Geometry, []Issue) {
	bad := func(format string, args ...any) (orb.Geometry, []Issue) {
		return nil, []Issue{{Code: "bad-geometry", Severity: SeverityError, Message: fmt.Sprintf(format, args...)}}
	}
	if obj.typ == "GeometryCollection" {
		return orb.Collection(obj.geometries), nil
	}
	c := obj.coords
	if c == nil {
		if obj.typ == "" {
			return bad("geometry has no \"type\"")
		}
		return bad("%s has no \"coordinates\"", obj.typ)
	}
	if c.kind == cnEmpty {
		return orb.Collection{}, nil // empty geometry of any type
	}
	ring := func(n *coordNode) (orb.Ring, bool) {
		if n.kind == cnEmpty {
			return orb.Ring{}, true
		}
		return orb.Ring(n.pts), n.kind == cnPosList
	}
	poly := func(n *coordNode) (orb.Polygon, bool) {
		if n.kind == cnEmpty {
			return orb.Polygon{}, true
		}
		if n.kind != cnList {
			return nil, false
		}
		p := make(orb.Polygon, 0, len(n.kids))
		for _, k := range n.kids {
			r, ok := ring(k)
			if !ok {
				return nil, false
			}
			p = append(p, r)
		}
		return p, true
	}
	switch obj.typ {
	case "Point":
		if c.kind == cnPos {
			return c.pt, nil
		}
	case "MultiPoint":
		if c.kind == cnPosList {
			return orb.MultiPoint(c.pts), nil
		}
	case "LineString":
		if c.kind == cnPosList {
			return orb.LineString(c.pts), nil
		}
	case "MultiLineString", "Polygon":
		if p, ok := poly(c); ok {
			if obj.typ == "Polygon" {
				return p, nil
			}
			ml := make(orb.MultiLineString, len(p))
			for i, r := range p {
				ml[i] = orb.LineString(r)
			}
			return ml, nil
		}
	case "MultiPolygon":
		if c.kind == cnList {
			mp := make(orb.MultiPolygon, 0, len(c.kids))
			for _, k := range c.kids {
				p, ok := poly(k)
				if !ok {
					return bad("MultiPolygon coordinates are not nested three deep")
				}
				mp = append(mp, p)
			}
			return mp, nil
		}
	case "":
		return bad("geometry has no \"type\"")
	default:
		return bad("unknown geometry type %q", obj.typ)
	}
	return bad("coordinates do not match the nesting of a %s", obj.typ)
}

package ingest

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// wkbReader decodes ISO and extended WKB, Z/M/ZM variants included (orb's
// decoder reads 2D only). Every count is checked against the bytes left
// before anything is allocated.
type wkbReader struct {
	b        []byte
	i        int
	maxVerts int
	verts    int
	maxDepth int
	hasZ     bool
}

func decodeWKB(b []byte, maxVerts, maxDepth int) (orb.Geometry, bool, error) {
	w := &wkbReader{b: b, maxVerts: maxVerts, maxDepth: maxDepth}
	g, err := w.geometry(0)
	return g, w.hasZ, err
}

var errWKBShort = fmt.Errorf("WKB is truncated")

func (w *wkbReader) geometry(depth int) (orb.Geometry, error) {
	if depth > w.maxDepth {
		return nil, fmt.Errorf("WKB collections nested deeper than %d", w.maxDepth)
	}
	if w.i+5 > len(w.b) {
		return nil, errWKBShort
	}
	var bo binary.ByteOrder
	switch w.b[w.i] {
	case 0:
		bo = binary.BigEndian
	case 1:
		bo = binary.LittleEndian
	default:
		return nil, fmt.Errorf("bad WKB byte order %d", w.b[w.i])
	}
	t := bo.Uint32(w.b[w.i+1:])
	w.i += 5
	dims := 2
	if t&0x80000000 != 0 { // EWKB Z
		dims++
	}
	if t&0x40000000 != 0 { // EWKB M
		dims++
	}
	if t&0x20000000 != 0 { // EWKB SRID
		if w.i+4 > len(w.b) {
			return nil, errWKBShort
		}
		w.i += 4
	}
	t &= 0x0fffffff
	switch t / 1000 {
	case 1, 2:
		dims++
	case 3:
		dims += 2
	}
	if dims > 2 {
		w.hasZ = true
	}
	t %= 1000
	count := func(size int) (int, error) {
		if w.i+4 > len(w.b) {
			return 0, errWKBShort
		}
		n := int(bo.Uint32(w.b[w.i:]))
		w.i += 4
		if n < 0 || size > 0 && n > (len(w.b)-w.i)/size {
			return 0, fmt.Errorf("WKB count %d exceeds the data", n)
		}
		return n, nil
	}
	point := func() (orb.Point, error) {
		w.verts++
		if w.verts > w.maxVerts {
			return orb.Point{}, errWKTVertices
		}
		if w.i+8*dims > len(w.b) {
			return orb.Point{}, errWKBShort
		}
		p := orb.Point{math.Float64frombits(bo.Uint64(w.b[w.i:])), math.Float64frombits(bo.Uint64(w.b[w.i+8:]))}
		w.i += 8 * dims
		return p, nil
	}
	points := func() ([]orb.Point, error) {
		n, err := count(8 * dims)
		if err != nil {
			return nil, err
		}
		pts := make([]orb.Point, n)
		for i := range pts {
			if pts[i], err = point(); err != nil {
				return nil, err
			}
		}
		return pts, nil
	}
	rings := func() (orb.Polygon, error) {
		n, err := count(4)
		if err != nil {
			return nil, err
		}
		poly := make(orb.Polygon, n)
		for i := range poly {
			pts, err := points()
			if err != nil {
				return nil, err
			}
			poly[i] = pts
		}
		return poly, nil
	}
	switch t {
	case 1:
		p, err := point()
		if err != nil {
			return nil, err
		}
		if math.IsNaN(p[0]) && math.IsNaN(p[1]) { // POINT EMPTY
			return orb.MultiPoint{}, nil
		}
		return p, nil
	case 2:
		pts, err := points()
		return orb.LineString(pts), err
	case 3:
		return rings()
	case 4, 5, 6, 7:
		n, err := count(5)
		if err != nil {
			return nil, err
		}
		var c orb.Collection
		for range n {
			g, err := w.geometry(depth + 1)
			if err != nil {
				return nil, err
			}
			c = append(c, g)
		}
		return typedCollection(t, c)
	}
	return nil, fmt.Errorf("unsupported WKB geometry type %d", t)
}

// typedCollection makes a MultiPoint, MultiLineString or MultiPolygon of c.
func typedCollection(t uint32, c orb.Collection) (orb.Geometry, error) {
	switch t {
	case 4:
		mp := make(orb.MultiPoint, 0, len(c))
		for _, g := range c {
			switch p := g.(type) {
			case orb.Point:
				mp = append(mp, p)
			case orb.MultiPoint: // empty point
			default:
				return nil, fmt.Errorf("MultiPoint holds a %s", g.GeoJSONType())
			}
		}
		return mp, nil
	case 5:
		ml := make(orb.MultiLineString, 0, len(c))
		for _, g := range c {
			l, ok := g.(orb.LineString)
			if !ok {
				return nil, fmt.Errorf("MultiLineString holds a %s", g.GeoJSONType())
			}
			ml = append(ml, l)
		}
		return ml, nil
	case 6:
		mp := make(orb.MultiPolygon, 0, len(c))
		for _, g := range c {
			p, ok := g.(orb.Polygon)
			if !ok {
				return nil, fmt.Errorf("MultiPolygon holds a %s", g.GeoJSONType())
			}
			mp = append(mp, p)
		}
		return mp, nil
	}
	return c, nil
}

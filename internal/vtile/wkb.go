package vtile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// ErrWKB is the error for bytes that are not a well-formed geometry.
var ErrWKB = errors.New("vtile: malformed WKB")

// wkbReader decodes WKB straight to tile coordinates: each point is
// projected and snapped as it is read, consecutive repeats are dropped, and
// points live in the layer's arena, reused from feature to feature.
type wkbReader struct {
	b     []byte
	layer *Layer
	unit  bool // the points are in the unit square already (UnitWKB)
	err   error
}

// point reads the x and y at the start of r.b and puts them on the grid.
func (r *wkbReader) point(order binary.ByteOrder) orb.Point {
	x, y := math.Float64frombits(order.Uint64(r.b)), math.Float64frombits(order.Uint64(r.b[8:]))
	if r.unit {
		return r.layer.projUnit(x, y)
	}
	return r.layer.proj(orb.Point{x, y})
}

// WKB geometry type codes; ISO adds 1000 for Z, 2000 for M, 3000 for ZM,
// and extended WKB sets the high bits instead.
const (
	wkbPoint              = 1
	wkbLineString         = 2
	wkbPolygon            = 3
	wkbMultiPoint         = 4
	wkbMultiLineString    = 5
	wkbMultiPolygon       = 6
	wkbGeometryCollection = 7

	ewkbZ    = 0x80000000
	ewkbM    = 0x40000000
	ewkbSRID = 0x20000000
)

func (r *wkbReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: "+format, append([]any{ErrWKB}, args...)...)
	}
}

func (r *wkbReader) need(n int) bool {
	if r.err != nil {
		return false
	}
	if len(r.b) < n {
		r.fail("%d bytes short", n-len(r.b))
		return false
	}
	return true
}

// header reads byte order, type and dimensions.
func (r *wkbReader) header() (order binary.ByteOrder, typ uint32, dims int) {
	if !r.need(5) {
		return nil, 0, 0
	}
	switch r.b[0] {
	case 0:
		order = binary.BigEndian
	case 1:
		order = binary.LittleEndian
	default:
		r.fail("byte order %d", r.b[0])
		return nil, 0, 0
	}
	raw := order.Uint32(r.b[1:5])
	r.b = r.b[5:]
	dims = 2
	if raw&ewkbZ != 0 {
		dims++
	}
	if raw&ewkbM != 0 {
		dims++
	}
	if raw&ewkbSRID != 0 {
		if !r.need(4) {
			return nil, 0, 0
		}
		r.b = r.b[4:]
	}
	typ = raw &^ (ewkbZ | ewkbM | ewkbSRID)
	switch typ / 1000 {
	case 1, 2:
		dims++
	case 3:
		dims += 2
	}
	return order, typ % 1000, dims
}

func (r *wkbReader) count(order binary.ByteOrder, each int) int {
	if !r.need(4) {
		return 0
	}
	n := int(order.Uint32(r.b))
	r.b = r.b[4:]
	if n < 0 || n > len(r.b)/max(each, 1) {
		r.fail("count %d with %d bytes left", n, len(r.b))
		return 0
	}
	return n
}

// points reads n points into the arena, projected and snapped, without
// consecutive repeats; the slice's capacity ends at its length so that
// clipping never writes over the next part.
func (r *wkbReader) points(order binary.ByteOrder, dims int) []orb.Point {
	n := r.count(order, 8*dims)
	if !r.need(n * 8 * dims) {
		return nil
	}
	l := r.layer
	start := len(l.arena)
	for i := 0; i < n; i++ {
		p := r.point(order)
		r.b = r.b[8*dims:]
		if len(l.arena) > start && l.arena[len(l.arena)-1] == p {
			continue
		}
		l.arena = append(l.arena, p)
	}
	end := len(l.arena)
	return l.arena[start:end:end]
}

func (r *wkbReader) polygon(order binary.ByteOrder, dims int) orb.Polygon {
	n := r.count(order, 4)
	var p orb.Polygon
	for i := 0; i < n && r.err == nil; i++ {
		ring := r.points(order, dims)
		if len(ring) < 4 {
			if i == 0 {
				p = nil // the exterior collapsed: so do the holes
				for j := i + 1; j < n && r.err == nil; j++ {
					r.points(order, dims)
				}
				return nil
			}
			continue
		}
		p = append(p, orb.Ring(ring))
	}
	return p
}

// geometry reads one geometry; depth bounds nested collections.
func (r *wkbReader) geometry(depth int) orb.Geometry {
	if depth > 8 {
		r.fail("collections nested too deep")
		return nil
	}
	order, typ, dims := r.header()
	if r.err != nil {
		return nil
	}
	switch typ {
	case wkbPoint:
		if !r.need(8 * dims) {
			return nil
		}
		p := r.point(order)
		empty := math.IsNaN(math.Float64frombits(order.Uint64(r.b)))
		r.b = r.b[8*dims:]
		if empty {
			return nil
		}
		return orb.MultiPoint{p}
	case wkbLineString:
		if ls := r.points(order, dims); len(ls) >= 2 {
			return orb.LineString(ls)
		}
		return nil
	case wkbPolygon:
		if p := r.polygon(order, dims); p != nil {
			return p
		}
		return nil
	case wkbMultiPoint, wkbMultiLineString, wkbMultiPolygon, wkbGeometryCollection:
		n := r.count(order, 9)
		parts := make(orb.Collection, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			if g := r.geometry(depth + 1); g != nil {
				parts = append(parts, g)
			}
		}
		if r.err != nil || len(parts) == 0 {
			return nil
		}
		return merge(parts)
	}
	r.fail("geometry type %d", typ)
	return nil
}

// merge makes one geometry of the parts of a multi-geometry or collection:
// those of the highest dimension, as MVT has one type per feature.
func merge(parts orb.Collection) orb.Geometry {
	dim := -1
	for _, p := range parts {
		dim = max(dim, p.Dimensions())
	}
	switch dim {
	case 0:
		var mp orb.MultiPoint
		for _, p := range parts {
			if p.Dimensions() == 0 {
				mp = append(mp, flattenPoints(p)...)
			}
		}
		return mp
	case 1:
		var mls orb.MultiLineString
		for _, p := range parts {
			if p.Dimensions() == 1 {
				mls = append(mls, flattenLines(p)...)
			}
		}
		return mls
	}
	var mp orb.MultiPolygon
	for _, p := range parts {
		if p.Dimensions() == 2 {
			mp = append(mp, flattenPolygons(p)...)
		}
	}
	return mp
}

// UnitWKB returns a copy of a longitude/latitude WKB geometry with each
// point's x and y replaced by its place in the Web Mercator world scaled to
// the unit square (see AddUnitWKB); other ordinates are kept. Projecting
// once, when a layer is loaded, spares every tile the logarithm per point.
func UnitWKB(lonLat []byte) ([]byte, error) {
	return AppendUnitWKB(nil, lonLat)
}

// AppendUnitWKB appends UnitWKB(lonLat) to dst; on an error dst is
// returned as it was.
func AppendUnitWKB(dst, lonLat []byte) ([]byte, error) {
	out := append(dst, lonLat...)
	r := wkbReader{b: out[len(dst):]}
	r.toUnit(0)
	if r.err != nil {
		return dst, r.err
	}
	return out, nil
}

func (r *wkbReader) toUnit(depth int) {
	if depth > 8 {
		r.fail("collections nested too deep")
		return
	}
	order, typ, dims := r.header()
	if r.err != nil {
		return
	}
	points := func(n int) {
		if !r.need(n * 8 * dims) {
			return
		}
		for i := 0; i < n; i++ {
			u, v := unit(math.Float64frombits(order.Uint64(r.b)), math.Float64frombits(order.Uint64(r.b[8:])))
			order.PutUint64(r.b, math.Float64bits(u))
			order.PutUint64(r.b[8:], math.Float64bits(v))
			r.b = r.b[8*dims:]
		}
	}
	switch typ {
	case wkbPoint:
		points(1)
	case wkbLineString:
		points(r.count(order, 8*dims))
	case wkbPolygon:
		rings := r.count(order, 4)
		for i := 0; i < rings && r.err == nil; i++ {
			points(r.count(order, 8*dims))
		}
	case wkbMultiPoint, wkbMultiLineString, wkbMultiPolygon, wkbGeometryCollection:
		n := r.count(order, 9)
		for i := 0; i < n && r.err == nil; i++ {
			r.toUnit(depth + 1)
		}
	default:
		r.fail("geometry type %d", typ)
	}
}

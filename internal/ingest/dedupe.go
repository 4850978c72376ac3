package ingest

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"math"

	"github.com/paulmach/orb"
)

// duplicate hashes f's layer, geometry and properties; it reports the index
// of an earlier feature with the same hash.
func (r *Reader) duplicate(f *Feature) (int, bool) {
	var h maphash.Hash
	h.SetSeed(r.seed)
	h.WriteString(f.Layer)
	h.WriteByte(0)
	hashGeom(&h, f.Geometry)
	var buf [8]byte
	for _, p := range f.Properties {
		h.WriteString(p.Name)
		h.WriteByte(0)
		switch v := p.Value.(type) {
		case string:
			h.WriteByte('s')
			h.WriteString(v)
		case int64:
			h.WriteByte('i')
			binary.LittleEndian.PutUint64(buf[:], uint64(v))
			h.Write(buf[:])
		case float64:
			h.WriteByte('f')
			binary.LittleEndian.PutUint64(buf[:], math.Float64bits(v))
			h.Write(buf[:])
		case nil:
			h.WriteByte('n')
		default:
			fmt.Fprintf(&h, "%T%v", v, v)
		}
		h.WriteByte(0)
	}
	sum := h.Sum64()
	if first, ok := r.dups[sum]; ok {
		return first, true
	}
	r.dups[sum] = f.Index
	return 0, false
}

func hashGeom(h *maphash.Hash, g orb.Geometry) {
	if g == nil {
		h.WriteByte('0')
		return
	}
	h.WriteString(g.GeoJSONType())
	var buf [16]byte
	pt := func(p orb.Point) {
		binary.LittleEndian.PutUint64(buf[:8], math.Float64bits(p[0]))
		binary.LittleEndian.PutUint64(buf[8:], math.Float64bits(p[1]))
		h.Write(buf[:])
	}
	switch g := g.(type) {
	case orb.Point:
		pt(g)
	case orb.Collection:
		for _, c := range g {
			h.WriteByte('(')
			hashGeom(h, c)
			h.WriteByte(')')
		}
	default:
		mapPoints(g, func(p orb.Point) orb.Point { pt(p); return p })
		// separate parts so [[a,b],[c]] and [[a],[b,c]] differ
		fmt.Fprintf(h, "%d", partsShape(g))
	}
}

func partsShape(g orb.Geometry) []int {
	var out []int
	switch g := g.(type) {
	case orb.MultiLineString:
		for _, l := range g {
			out = append(out, len(l))
		}
	case orb.Polygon:
		for _, r := range g {
			out = append(out, len(r))
		}
	case orb.MultiPolygon:
		for _, p := range g {
			out = append(out, -1)
			for _, r := range p {
				out = append(out, len(r))
			}
		}
	}
	return out
}

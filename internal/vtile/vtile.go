// Package vtile encodes features as a Mapbox Vector Tile (MVT 2.1) layer:
// longitude/latitude geometries are projected to Web Mercator tile
// coordinates, clipped to the tile and its buffer, simplified, snapped to
// the integer grid, cleaned of the rings and lines that collapse on it, and
// written as protocol buffers, one feature at a time so that memory grows
// with the tile, not with the rows read.
package vtile

import (
	"errors"
	"math"
	"math/bits"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
)

// ErrFull is returned by Add for a feature that would take the layer past
// MaxBytes; the feature is not added.
var ErrFull = errors.New("vtile: the tile is full")

// Options shape a layer.
type Options struct {
	// Extent is the tile's size in tile coordinates; zero means 4096.
	Extent int
	// Buffer is how far geometries reach past the tile's edge, in tile
	// coordinates.
	Buffer int
	// Tolerance simplifies lines and rings by Douglas-Peucker, in tile
	// coordinates; zero keeps every vertex that the grid keeps.
	Tolerance float64
	// MaxBytes stops the layer from growing past this size: Add answers
	// ErrFull for a feature that does not fit. The first feature is always
	// taken. Zero means no limit.
	MaxBytes int
}

// Layer is one MVT layer of tile z/x/y (XYZ, y down from the north).
type Layer struct {
	name      string
	opt       Options
	z, x, y   int
	worldSize float64
	ox, oy    float64 // the tile's origin in world grid units
	bound     orb.Bound

	arena []orb.Point // points of the feature being added
	keep  []bool
	stack [][2]int

	keys      []string
	keyIndex  map[string]uint32
	values    []string // encoded Value messages
	valIndex  map[string]uint32
	features  []byte // encoded Feature fields, each with its tag
	count     int
	geomBuf   []uint32
	ringBuf   []orb.Point
	featBuf   []byte
	tagBuf    []uint32
	scratch   []byte
	valuesLen int
	keysLen   int
}

// NewLayer returns an empty layer named name for tile z/x/y.
func NewLayer(name string, z, x, y int, opt Options) *Layer {
	if opt.Extent <= 0 {
		opt.Extent = 4096
	}
	e := float64(opt.Extent)
	b := float64(opt.Buffer)
	return &Layer{
		name: name, opt: opt, z: z, x: x, y: y,
		worldSize: e * math.Exp2(float64(z)),
		ox:        float64(x) * e, oy: float64(y) * e,
		bound:    orb.Bound{Min: orb.Point{-b, -b}, Max: orb.Point{e + b, e + b}},
		keyIndex: map[string]uint32{}, valIndex: map[string]uint32{},
	}
}

// Len returns how many features the layer holds.
func (l *Layer) Len() int { return l.count }

// Size returns the size of the encoded tile so far, in bytes.
func (l *Layer) Size() int {
	if l.count == 0 {
		return 0
	}
	n := l.layerBodySize()
	return 1 + varintLen(uint64(n)) + n
}

// Property is one attribute of a feature. Value is a string, bool,
// float64, int64 or uint64; anything else is left out.
type Property struct {
	Key   string
	Value any
}

// Add projects, clips and encodes a feature whose geometry is in
// longitude/latitude (EPSG:4326). It reports whether anything of the
// feature reached the tile; a geometry that collapses on the grid is left
// out. id is written when hasID is true.
func (l *Layer) Add(g orb.Geometry, id uint64, hasID bool, props []Property) (bool, error) {
	return l.add(l.project(g), id, hasID, props)
}

// AddWKB is Add for a geometry in WKB (ISO or extended, 2D to 4D; only x
// and y are read), which it projects as it reads, without decoding it into
// longitude/latitude first.
func (l *Layer) AddWKB(wkb []byte, id uint64, hasID bool, props []Property) (bool, error) {
	l.arena = l.arena[:0]
	r := wkbReader{b: wkb, layer: l}
	g := r.geometry(0)
	if r.err != nil {
		return false, r.err
	}
	return l.add(l.shape(g), id, hasID, props)
}

// AddUnitWKB is AddWKB for a geometry that UnitWKB has projected already;
// the tile is the same as AddWKB draws from the longitude/latitude WKB,
// without the logarithm per point.
func (l *Layer) AddUnitWKB(unitWKB []byte, id uint64, hasID bool, props []Property) (bool, error) {
	l.arena = l.arena[:0]
	r := wkbReader{b: unitWKB, layer: l, unit: true}
	g := r.geometry(0)
	if r.err != nil {
		return false, r.err
	}
	return l.add(l.shape(g), id, hasID, props)
}

func (l *Layer) add(g orb.Geometry, id uint64, hasID bool, props []Property) (bool, error) {
	if g == nil {
		return false, nil
	}
	geomType, geom := l.encodeGeometry(g)
	if geomType == 0 {
		return false, nil
	}
	nKeys, nValues, keysLen, valuesLen := len(l.keys), len(l.values), l.keysLen, l.valuesLen
	tags := l.tagBuf[:0]
	for _, p := range props {
		v, ok := encodeValue(p.Value, l.scratch[:0])
		if !ok {
			continue
		}
		l.scratch = v
		tags = append(tags, l.key(p.Key), l.value(v))
	}
	l.tagBuf = tags
	// Feature message.
	f := l.featBuf[:0]
	if hasID {
		f = appendTag(f, 1, wireVarint)
		f = appendVarint(f, id)
	}
	if len(tags) > 0 {
		f = appendPacked(f, 2, tags)
	}
	f = appendTag(f, 3, wireVarint)
	f = appendVarint(f, uint64(geomType))
	f = appendPacked(f, 4, geom)
	if l.opt.MaxBytes > 0 && l.count > 0 {
		grown := 1 + varintLen(uint64(len(f))) + len(f)
		if n := l.layerBodySize() + grown; 1+varintLen(uint64(n))+n > l.opt.MaxBytes {
			// Take back the keys and values only this feature brought.
			for _, k := range l.keys[nKeys:] {
				delete(l.keyIndex, k)
			}
			for _, v := range l.values[nValues:] {
				delete(l.valIndex, v)
			}
			l.keys, l.values, l.keysLen, l.valuesLen = l.keys[:nKeys], l.values[:nValues], keysLen, valuesLen
			return false, ErrFull
		}
	}
	l.features = appendTag(l.features, 2, wireBytes)
	l.features = appendVarint(l.features, uint64(len(f)))
	l.features = append(l.features, f...)
	l.featBuf = f
	l.count++
	return true, nil
}

// Marshal returns the tile holding this one layer, or an empty slice when
// the layer has no feature.
func (l *Layer) Marshal() []byte {
	if l.count == 0 {
		return []byte{}
	}
	n := l.layerBodySize()
	out := make([]byte, 0, 1+varintLen(uint64(n))+n)
	out = appendTag(out, 3, wireBytes) // Tile.layers
	out = appendVarint(out, uint64(n))
	out = appendTag(out, 15, wireVarint) // version
	out = appendVarint(out, 2)
	out = appendString(out, 1, l.name)
	out = append(out, l.features...)
	for _, k := range l.keys {
		out = appendString(out, 3, k)
	}
	for _, v := range l.values {
		out = appendTag(out, 4, wireBytes)
		out = appendVarint(out, uint64(len(v)))
		out = append(out, v...)
	}
	out = appendTag(out, 5, wireVarint)
	out = appendVarint(out, uint64(l.opt.Extent))
	return out
}

func (l *Layer) layerBodySize() int {
	n := 2 + stringFieldLen(1, l.name) + len(l.features) + l.keysLen + l.valuesLen
	return n + 1 + varintLen(uint64(l.opt.Extent))
}

func (l *Layer) key(k string) uint32 {
	if i, ok := l.keyIndex[k]; ok {
		return i
	}
	i := uint32(len(l.keys))
	l.keys = append(l.keys, k)
	l.keyIndex[k] = i
	l.keysLen += stringFieldLen(3, k)
	return i
}

func (l *Layer) value(v []byte) uint32 {
	if i, ok := l.valIndex[string(v)]; ok {
		return i
	}
	i := uint32(len(l.values))
	c := string(v) // one copy, kept as both the value and its key
	l.values = append(l.values, c)
	l.valIndex[c] = i
	l.valuesLen += 1 + varintLen(uint64(len(c))) + len(c)
	return i
}

// project moves g into tile coordinates, clips it and simplifies it; nil
// when nothing is left.
func (l *Layer) project(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.Collection:
		// MVT has one type per feature: keep the parts of the highest dimension.
		dim := -1
		for _, p := range g {
			dim = max(dim, p.Dimensions())
		}
		var parts []orb.Geometry
		for _, p := range g {
			if p.Dimensions() == dim {
				parts = append(parts, p)
			}
		}
		switch dim {
		case 0:
			var mp orb.MultiPoint
			for _, p := range parts {
				mp = append(mp, flattenPoints(p)...)
			}
			return l.project(mp)
		case 1:
			var mls orb.MultiLineString
			for _, p := range parts {
				mls = append(mls, flattenLines(p)...)
			}
			return l.project(mls)
		case 2:
			var mp orb.MultiPolygon
			for _, p := range parts {
				mp = append(mp, flattenPolygons(p)...)
			}
			return l.project(mp)
		}
		return nil
	case orb.Bound:
		return l.project(g.ToPolygon())
	case orb.Point:
		return l.project(orb.MultiPoint{g})
	}
	if g == nil {
		return nil
	}
	// Each geometry is new from the database: project and snap its points
	// in place, so that clipping and simplifying see only what the grid keeps.
	return l.shape(l.toTile(g))
}

// shape clips and simplifies a geometry already in tile coordinates.
func (l *Layer) shape(g orb.Geometry) orb.Geometry {
	if g == nil {
		return nil
	}
	b := bound(g)
	if !b.Intersects(l.bound) {
		return nil
	}
	if !l.bound.Contains(b.Min) || !l.bound.Contains(b.Max) {
		if g = clip.Geometry(l.bound, g); g == nil {
			return nil
		}
	}
	if l.opt.Tolerance > 0 {
		g = l.simplify(g)
	}
	return g
}

// simplify applies Douglas-Peucker with the layer's tolerance to lines and
// rings, in place. A ring that would fall under four points is kept as it
// is, as ST_Simplify does: a feature a few units wide stays a small
// polygon instead of vanishing.
func (l *Layer) simplify(g orb.Geometry) orb.Geometry {
	ring := func(r orb.Ring) orb.Ring {
		if len(r) <= 4 {
			return r
		}
		if n := l.dpCount(r); n >= 4 {
			return orb.Ring(l.dpApply(r))
		}
		return r
	}
	line := func(ls orb.LineString) orb.LineString {
		if len(ls) <= 2 {
			return ls
		}
		l.dpCount(ls)
		return orb.LineString(l.dpApply(ls))
	}
	switch g := g.(type) {
	case orb.LineString:
		return line(g)
	case orb.MultiLineString:
		for i, ls := range g {
			g[i] = line(ls)
		}
	case orb.Ring:
		return ring(g)
	case orb.Polygon:
		for i, r := range g {
			g[i] = ring(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for i, r := range p {
				p[i] = ring(r)
			}
		}
	}
	return g
}

// dpCount marks in l.keep the points of pts that Douglas-Peucker keeps and
// returns how many; dpApply then compacts pts to them.
func (l *Layer) dpCount(pts []orb.Point) int {
	keep := l.keep[:0]
	for range pts {
		keep = append(keep, false)
	}
	keep[0], keep[len(pts)-1] = true, true
	n := 2
	tol2 := l.opt.Tolerance * l.opt.Tolerance
	stack := append(l.stack[:0], [2]int{0, len(pts) - 1})
	for len(stack) > 0 {
		seg := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		// The farthest point from segment ab, compared by its squared
		// distance times the segment's squared length, which needs no
		// division: this loop is most of the time a low-zoom tile takes.
		a, b := pts[seg[0]], pts[seg[1]]
		dx, dy := b[0]-a[0], b[1]-a[1]
		len2 := dx*dx + dy*dy
		scale := len2
		if scale == 0 {
			scale = 1
		}
		far, farKey := -1, tol2*scale
		for i := seg[0] + 1; i < seg[1]; i++ {
			px, py := pts[i][0]-a[0], pts[i][1]-a[1]
			var key float64
			switch dot := px*dx + py*dy; {
			case len2 == 0 || dot <= 0: // nearest to a
				key = (px*px + py*py) * scale
			case dot >= len2: // nearest to b
				qx, qy := pts[i][0]-b[0], pts[i][1]-b[1]
				key = (qx*qx + qy*qy) * len2
			default: // nearest to a point between: the cross product
				c := px*dy - py*dx
				key = c * c
			}
			if key > farKey {
				far, farKey = i, key
			}
		}
		if far >= 0 {
			keep[far] = true
			n++
			stack = append(stack, [2]int{seg[0], far}, [2]int{far, seg[1]})
		}
	}
	l.keep, l.stack = keep, stack
	return n
}

func (l *Layer) dpApply(pts []orb.Point) []orb.Point {
	out := pts[:0]
	for i, p := range pts {
		if l.keep[i] {
			out = append(out, p)
		}
	}
	return out
}

// toTile projects g to tile coordinates rounded to the grid, in place,
// dropping repeated points; nil when nothing is left.
func (l *Layer) toTile(g orb.Geometry) orb.Geometry {
	proj := l.proj
	line := func(pts []orb.Point) []orb.Point {
		out := pts[:0]
		for _, p := range pts {
			q := proj(p)
			if len(out) > 0 && out[len(out)-1] == q {
				continue
			}
			out = append(out, q)
		}
		return out
	}
	polygon := func(p orb.Polygon) orb.Polygon {
		out := p[:0]
		for i, r := range p {
			r = line(r)
			if len(r) < 4 {
				if i == 0 {
					return nil // the exterior collapsed: so did the holes
				}
				continue
			}
			out = append(out, r)
		}
		return out
	}
	switch g := g.(type) {
	case orb.MultiPoint:
		for i := range g {
			g[i] = proj(g[i])
		}
		return g
	case orb.LineString:
		if g = line(g); len(g) >= 2 {
			return g
		}
	case orb.MultiLineString:
		out := g[:0]
		for _, ls := range g {
			if ls = line(ls); len(ls) >= 2 {
				out = append(out, ls)
			}
		}
		if len(out) > 0 {
			return out
		}
	case orb.Polygon:
		if g = polygon(g); g != nil {
			return g
		}
	case orb.MultiPolygon:
		out := g[:0]
		for _, p := range g {
			if p = polygon(p); p != nil {
				out = append(out, p)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// proj projects a longitude/latitude point to the tile's grid.
func (l *Layer) proj(p orb.Point) orb.Point {
	return l.projUnit(unit(p[0], p[1]))
}

// projUnit puts a point of the unit Web Mercator square on the tile's grid.
func (l *Layer) projUnit(u, v float64) orb.Point {
	return orb.Point{math.Round(u*l.worldSize - l.ox), math.Round(v*l.worldSize - l.oy)}
}

// unit projects longitude/latitude to the Web Mercator world scaled to the
// unit square: u east from -180°, v south from 85.05°N.
func unit(lon, lat float64) (u, v float64) {
	const maxLat = 85.0511287798066
	lat = math.Max(-maxLat, math.Min(maxLat, lat))
	sin := math.Sin(lat * math.Pi / 180)
	return (lon + 180) / 360, 0.5 - math.Log((1+sin)/(1-sin))/(4*math.Pi)
}

// Geometry types of the MVT specification.
const (
	typePoint      = 1
	typeLineString = 2
	typePolygon    = 3
)

// encodeGeometry snaps g to the grid and writes its commands; type 0 when
// nothing of it is left.
func (l *Layer) encodeGeometry(g orb.Geometry) (uint64, []uint32) {
	e := geomEncoder{buf: l.geomBuf[:0], ring: l.ringBuf[:0]}
	var t uint64
	switch g := g.(type) {
	case orb.Point: // projected and clipped: what clipping left of a MultiPoint
		e.points(orb.MultiPoint{g})
		t = typePoint
	case orb.MultiPoint:
		if e.points(g) {
			t = typePoint
		}
	case orb.LineString:
		if e.line(g) {
			t = typeLineString
		}
	case orb.MultiLineString:
		for _, ls := range g {
			if e.line(ls) {
				t = typeLineString
			}
		}
	case orb.Polygon:
		if e.polygon(g) {
			t = typePolygon
		}
	case orb.MultiPolygon:
		for _, p := range g {
			if e.polygon(p) {
				t = typePolygon
			}
		}
	}
	l.geomBuf, l.ringBuf = e.buf, e.ring
	return t, e.buf
}

// geomEncoder writes MVT geometry commands with deltas from the cursor.
type geomEncoder struct {
	buf    []uint32
	cx, cy int64
	ring   []orb.Point // reused snapped coordinates
}

func command(id, count int) uint32 { return uint32(id&7) | uint32(count)<<3 }
func zigzag(v int64) uint32        { return uint32((v << 1) ^ (v >> 63)) }

func (e *geomEncoder) moveTo(x, y int64) {
	e.buf = append(e.buf, command(1, 1), zigzag(x-e.cx), zigzag(y-e.cy))
	e.cx, e.cy = x, y
}

func (e *geomEncoder) points(mp orb.MultiPoint) bool {
	start := len(e.buf)
	e.buf = append(e.buf, 0)
	n := 0
	for _, p := range mp {
		x, y := int64(math.Round(p[0])), int64(math.Round(p[1]))
		e.buf = append(e.buf, zigzag(x-e.cx), zigzag(y-e.cy))
		e.cx, e.cy = x, y
		n++
	}
	if n == 0 {
		e.buf = e.buf[:start]
		return false
	}
	e.buf[start] = command(1, n)
	return true
}

// snap rounds pts to the grid, dropping repeated points.
func (e *geomEncoder) snap(pts []orb.Point) []orb.Point {
	out := e.ring[:0]
	for _, p := range pts {
		q := orb.Point{math.Round(p[0]), math.Round(p[1])}
		if len(out) > 0 && out[len(out)-1] == q {
			continue
		}
		out = append(out, q)
	}
	e.ring = out
	return out
}

func (e *geomEncoder) line(ls orb.LineString) bool {
	pts := e.snap(ls)
	if len(pts) < 2 {
		return false
	}
	e.moveTo(int64(pts[0][0]), int64(pts[0][1]))
	e.lineTo(pts[1:])
	return true
}

func (e *geomEncoder) lineTo(pts []orb.Point) {
	e.buf = append(e.buf, command(2, len(pts)))
	for _, p := range pts {
		x, y := int64(p[0]), int64(p[1])
		e.buf = append(e.buf, zigzag(x-e.cx), zigzag(y-e.cy))
		e.cx, e.cy = x, y
	}
}

// polygon writes the rings that keep an area on the grid, the exterior
// with a positive area in tile coordinates (clockwise with y down) and
// holes negative, as the specification asks; a polygon whose exterior
// collapses is left out with its holes.
func (e *geomEncoder) polygon(p orb.Polygon) bool {
	for i, r := range p {
		pts := e.snap(r)
		if len(pts) > 1 && pts[0] == pts[len(pts)-1] {
			pts = pts[:len(pts)-1]
		}
		pts = dropSpikes(pts)
		if len(pts) < 3 {
			if i == 0 {
				return false
			}
			continue
		}
		a := area2(pts)
		if a == 0 {
			if i == 0 {
				return false
			}
			continue
		}
		if (i == 0) != (a > 0) {
			reverse(pts)
		}
		e.moveTo(int64(pts[0][0]), int64(pts[0][1]))
		e.lineTo(pts[1:])
		e.buf = append(e.buf, command(7, 1))
	}
	return true
}

// dropSpikes removes vertices where a ring goes out and straight back
// (A B A), which snapping makes of thin parts and which are no area.
func dropSpikes(pts []orb.Point) []orb.Point {
	for changed := true; changed && len(pts) >= 3; {
		changed = false
		out := pts[:0]
		n := len(pts)
		for i := 0; i < n; i++ {
			prev, next := pts[(i+n-1)%n], pts[(i+1)%n]
			if prev == next {
				changed = true
				continue
			}
			out = append(out, pts[i])
		}
		pts = out
		// Removing a spike tip leaves its base repeated.
		dedup := pts[:0]
		for i, p := range pts {
			if i > 0 && dedup[len(dedup)-1] == p {
				continue
			}
			dedup = append(dedup, p)
		}
		for len(dedup) > 1 && dedup[0] == dedup[len(dedup)-1] {
			dedup = dedup[:len(dedup)-1]
		}
		pts = dedup
	}
	return pts
}

// area2 is twice the signed area by the surveyor's formula, in tile
// coordinates (y down).
func area2(pts []orb.Point) float64 {
	var a float64
	for i := range pts {
		j := (i + 1) % len(pts)
		a += pts[i][0]*pts[j][1] - pts[j][0]*pts[i][1]
	}
	return a
}

func reverse(pts []orb.Point) {
	for i, j := 0, len(pts)-1; i < j; i, j = i+1, j-1 {
		pts[i], pts[j] = pts[j], pts[i]
	}
}

func flattenPoints(g orb.Geometry) []orb.Point {
	switch g := g.(type) {
	case orb.Point:
		return []orb.Point{g}
	case orb.MultiPoint:
		return g
	}
	return nil
}

func flattenLines(g orb.Geometry) []orb.LineString {
	switch g := g.(type) {
	case orb.LineString:
		return []orb.LineString{g}
	case orb.MultiLineString:
		return g
	}
	return nil
}

func flattenPolygons(g orb.Geometry) []orb.Polygon {
	switch g := g.(type) {
	case orb.Polygon:
		return []orb.Polygon{g}
	case orb.MultiPolygon:
		return g
	case orb.Bound:
		return []orb.Polygon{g.ToPolygon()}
	}
	return nil
}

// Protocol buffer encoding of the few messages of the MVT schema.
const (
	wireVarint = 0
	wire64     = 1
	wireBytes  = 2
)

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func varintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }

func appendTag(b []byte, field, wire int) []byte {
	return appendVarint(b, uint64(field<<3|wire))
}

func appendString(b []byte, field int, s string) []byte {
	b = appendTag(b, field, wireBytes)
	b = appendVarint(b, uint64(len(s)))
	return append(b, s...)
}

func stringFieldLen(field int, s string) int {
	return varintLen(uint64(field<<3|wireBytes)) + varintLen(uint64(len(s))) + len(s)
}

func appendPacked(b []byte, field int, vs []uint32) []byte {
	n := 0
	for _, v := range vs {
		n += varintLen(uint64(v))
	}
	b = appendTag(b, field, wireBytes)
	b = appendVarint(b, uint64(n))
	for _, v := range vs {
		b = appendVarint(b, uint64(v))
	}
	return b
}

// encodeValue writes a Value message: strings, booleans, whole numbers as
// uint or sint, other numbers as double.
func encodeValue(v any, b []byte) ([]byte, bool) {
	switch v := v.(type) {
	case string:
		return appendString(b, 1, v), true
	case bool:
		b = appendTag(b, 7, wireVarint)
		if v {
			return append(b, 1), true
		}
		return append(b, 0), true
	case int64:
		if v >= 0 {
			return appendVarint(appendTag(b, 5, wireVarint), uint64(v)), true
		}
		return appendVarint(appendTag(b, 6, wireVarint), uint64((v<<1)^(v>>63))), true
	case uint64:
		return appendVarint(appendTag(b, 5, wireVarint), v), true
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return b, false
		}
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return encodeValue(int64(v), b)
		}
		b = appendTag(b, 3, wire64)
		u := math.Float64bits(v)
		return append(b, byte(u), byte(u>>8), byte(u>>16), byte(u>>24), byte(u>>32), byte(u>>40), byte(u>>48), byte(u>>56)), true
	}
	return b, false
}

// bound is g.Bound() for the shapes the reader makes, in plain loops.
func bound(g orb.Geometry) orb.Bound {
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	extend := func(pts []orb.Point) {
		for _, p := range pts {
			if p[0] < b.Min[0] {
				b.Min[0] = p[0]
			}
			if p[0] > b.Max[0] {
				b.Max[0] = p[0]
			}
			if p[1] < b.Min[1] {
				b.Min[1] = p[1]
			}
			if p[1] > b.Max[1] {
				b.Max[1] = p[1]
			}
		}
	}
	switch g := g.(type) {
	case orb.MultiPoint:
		extend(g)
	case orb.LineString:
		extend(g)
	case orb.MultiLineString:
		for _, ls := range g {
			extend(ls)
		}
	case orb.Polygon:
		if len(g) > 0 {
			extend(g[0]) // holes lie inside
		}
	case orb.MultiPolygon:
		for _, p := range g {
			if len(p) > 0 {
				extend(p[0])
			}
		}
	default:
		return g.Bound()
	}
	if !(b.Min[0] <= b.Max[0] && b.Min[1] <= b.Max[1]) {
		return g.Bound() // empty, or NaN: as orb has it
	}
	return b
}

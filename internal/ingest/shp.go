package ingest

import (
	"bufio"
	"encoding/binary"
	"io"
	"math"

	"github.com/paulmach/orb"

	"github.com/planmap/planmap/internal/domain"
)

// Shape types of the ESRI Shapefile specification.
const (
	shpNull        = 0
	shpPoint       = 1
	shpPolyLine    = 3
	shpPolygon     = 5
	shpMultiPoint  = 8
	shpPointZ      = 11
	shpPolyLineZ   = 13
	shpPolygonZ    = 15
	shpMultiPointZ = 18
	shpPointM      = 21
	shpPolyLineM   = 23
	shpPolygonM    = 25
	shpMultiPointM = 28
	shpMultiPatch  = 31
)

var shpTypeNames = map[int]string{
	shpNull: "Null", shpPoint: "Point", shpPolyLine: "PolyLine", shpPolygon: "Polygon", shpMultiPoint: "MultiPoint",
	shpPointZ: "PointZ", shpPolyLineZ: "PolyLineZ", shpPolygonZ: "PolygonZ", shpMultiPointZ: "MultiPointZ",
	shpPointM: "PointM", shpPolyLineM: "PolyLineM", shpPolygonM: "PolygonM", shpMultiPointM: "MultiPointM",
	shpMultiPatch: "MultiPatch",
}

// base2D maps Z and M variants to their 2D type.
func base2D(t int) int {
	switch t {
	case shpPointZ, shpPointM:
		return shpPoint
	case shpPolyLineZ, shpPolyLineM:
		return shpPolyLine
	case shpPolygonZ, shpPolygonM:
		return shpPolygon
	case shpMultiPointZ, shpMultiPointM:
		return shpMultiPoint
	}
	return t
}

// shpHeader is the 100-byte main file header.
type shpHeader struct {
	fileLen int64 // bytes
	typ     int
	bbox    orb.Bound
}

func readSHPHeader(r io.Reader, what string) (*shpHeader, error) {
	var b [100]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return nil, syntaxf("%s: not a Shapefile (header too short)", what)
	}
	if binary.BigEndian.Uint32(b[0:4]) != 9994 {
		return nil, syntaxf("%s: not a Shapefile (file code %d, want 9994)", what, binary.BigEndian.Uint32(b[0:4]))
	}
	h := &shpHeader{
		fileLen: int64(binary.BigEndian.Uint32(b[24:28])) * 2,
		typ:     int(int32(binary.LittleEndian.Uint32(b[32:36]))),
	}
	f := func(i int) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b[i : i+8])) }
	h.bbox = orb.Bound{Min: orb.Point{f(36), f(44)}, Max: orb.Point{f(52), f(60)}}
	if _, ok := shpTypeNames[h.typ]; !ok {
		return nil, syntaxf("%s: unknown shape type %d", what, h.typ)
	}
	return h, nil
}

// shpReader streams records of a .shp.
type shpReader struct {
	r          *bufio.Reader
	what       string
	off        int64 // bytes consumed
	end        int64 // file length from the header
	maxVerts   int
	n          int
	hasZ, hasM bool
	buf        [40]byte
}

// record is one decoded shape; geom is nil for Null shapes.
func (s *shpReader) next() (orb.Geometry, []Issue, error) {
	if s.off >= s.end {
		return nil, nil, io.EOF
	}
	if _, err := io.ReadFull(s.r, s.buf[:8]); err != nil {
		if err == io.EOF {
			return nil, nil, io.EOF // shorter than the header says; GDAL reads on too
		}
		return nil, nil, keep(err, syntaxf("%s: record %d is truncated", s.what, s.n))
	}
	clen := int64(binary.BigEndian.Uint32(s.buf[4:8])) * 2
	s.off += 8 + clen
	idx := s.n
	s.n++
	if clen < 4 || s.off > s.end {
		return nil, nil, syntaxf("%s: record %d declares %d bytes, beyond the end of the file", s.what, idx, clen)
	}
	body := &countedReader{r: io.LimitReader(s.r, clen)}
	g, issues, err := s.shape(body, clen, idx)
	if err != nil {
		return nil, nil, err
	}
	if _, err := io.Copy(io.Discard, body.r); err != nil { // Z, M or padding not read
		return nil, nil, keep(err, syntaxf("%s: record %d is truncated", s.what, idx))
	}
	if body.short {
		return nil, nil, syntaxf("%s: record %d is truncated", s.what, idx)
	}
	return g, issues, nil
}

type countedReader struct {
	r     io.Reader
	short bool
}

func (c *countedReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.EOF && n == 0 && len(p) > 0 {
		c.short = true
	}
	return n, err
}

func (s *shpReader) read(r io.Reader, n int) ([]byte, error) {
	if _, err := io.ReadFull(r, s.buf[:n]); err != nil {
		return nil, keep(err, syntaxf("%s: record %d is truncated", s.what, s.n-1))
	}
	return s.buf[:n], nil
}

func (s *shpReader) point(r io.Reader) (orb.Point, error) {
	b, err := s.read(r, 16)
	if err != nil {
		return orb.Point{}, err
	}
	return orb.Point{
		math.Float64frombits(binary.LittleEndian.Uint64(b[0:8])),
		math.Float64frombits(binary.LittleEndian.Uint64(b[8:16])),
	}, nil
}

func (s *shpReader) shape(r io.Reader, clen int64, idx int) (orb.Geometry, []Issue, error) {
	b, err := s.read(r, 4)
	if err != nil {
		return nil, nil, err
	}
	typ := int(int32(binary.LittleEndian.Uint32(b)))
	switch typ {
	case shpNull:
		return nil, nil, nil
	case shpMultiPatch:
		return nil, []Issue{{Code: "unsupported-geometry", Severity: SeverityError, Message: "MultiPatch shapes are not supported"}}, nil
	}
	if _, ok := shpTypeNames[typ]; !ok {
		return nil, nil, syntaxf("%s: record %d has unknown shape type %d", s.what, idx, typ)
	}
	if typ != base2D(typ) {
		if typ >= shpPointM {
			s.hasM = true
		} else {
			s.hasZ = true
		}
	}
	switch base2D(typ) {
	case shpPoint:
		p, err := s.point(r)
		return p, nil, err
	case shpMultiPoint:
		b, err := s.read(r, 36)
		if err != nil {
			return nil, nil, err
		}
		n := int64(binary.LittleEndian.Uint32(b[32:36]))
		if err := s.checkCount(idx, n, 0, clen, 40); err != nil {
			return nil, nil, err
		}
		mp := make(orb.MultiPoint, n)
		for i := range mp {
			if mp[i], err = s.point(r); err != nil {
				return nil, nil, err
			}
		}
		return mp, nil, nil
	}
	// PolyLine, Polygon
	b, err = s.read(r, 40)
	if err != nil {
		return nil, nil, err
	}
	nParts := int64(binary.LittleEndian.Uint32(b[32:36]))
	nPoints := int64(binary.LittleEndian.Uint32(b[36:40]))
	if err := s.checkCount(idx, nPoints, nParts, clen, 44); err != nil {
		return nil, nil, err
	}
	parts := make([]int, nParts+1)
	for i := int64(0); i < nParts; i++ {
		b, err := s.read(r, 4)
		if err != nil {
			return nil, nil, err
		}
		parts[i] = int(int32(binary.LittleEndian.Uint32(b)))
	}
	parts[nParts] = int(nPoints)
	for i := int64(0); i < nParts; i++ {
		if parts[i] < 0 || parts[i] > parts[i+1] || i == 0 && parts[0] != 0 {
			return nil, nil, syntaxf("%s: record %d has corrupt part offsets", s.what, idx)
		}
	}
	pts := make([]orb.Point, nPoints)
	for i := range pts {
		if pts[i], err = s.point(r); err != nil {
			return nil, nil, err
		}
	}
	if nParts == 0 {
		if base2D(typ) == shpPolygon {
			return orb.Polygon{}, nil, nil
		}
		return orb.MultiLineString{}, nil, nil
	}
	lines := make([][]orb.Point, nParts)
	for i := range lines {
		lines[i] = pts[parts[i]:parts[i+1]:parts[i+1]]
	}
	if base2D(typ) == shpPolyLine {
		if len(lines) == 1 {
			return orb.LineString(lines[0]), nil, nil
		}
		ml := make(orb.MultiLineString, len(lines))
		for i, l := range lines {
			ml[i] = l
		}
		return ml, nil, nil
	}
	g, issues := assemblePolygon(lines)
	return g, issues, nil
}

// checkCount refuses counts the record cannot hold or the limit forbids,
// before anything is allocated.
func (s *shpReader) checkCount(idx int, points, parts, clen, fixed int64) error {
	if points > int64(s.maxVerts) {
		return tooLargef("%s: record %d declares %d points; the limit is %d per feature", s.what, idx, points, s.maxVerts)
	}
	if fixed+4*parts+16*points > clen || parts > points && points > 0 || parts > 1<<20 {
		return syntaxf("%s: record %d declares %d parts and %d points, more than its %d bytes hold", s.what, idx, parts, points, clen)
	}
	return nil
}

// signedArea is positive for counter-clockwise rings (x east, y north).
func signedArea(r []orb.Point) float64 {
	a := 0.0
	for i := 0; i+1 < len(r); i++ {
		a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	if n := len(r); n > 0 {
		a += r[n-1][0]*r[0][1] - r[0][0]*r[n-1][1]
	}
	return a / 2
}

// assemblePolygon sorts Shapefile rings into outer rings (clockwise) and
// holes (counter-clockwise), each hole going to the smallest outer ring
// that contains it.
func assemblePolygon(rings [][]orb.Point) (orb.Geometry, []Issue) {
	var issues []Issue
	type outer struct {
		poly orb.Polygon
		b    orb.Bound
		area float64
	}
	var outers []*outer
	var holes [][]orb.Point
	for _, r := range rings {
		if len(r) == 0 {
			continue
		}
		if signedArea(r) > 0 {
			holes = append(holes, r)
			continue
		}
		outers = append(outers, &outer{poly: orb.Polygon{orb.Ring(r)}, b: orb.MultiPoint(r).Bound(), area: -signedArea(r)})
	}
	if len(outers) == 0 && len(holes) > 0 {
		// every ring counter-clockwise: the writer ignored the convention
		for _, h := range holes {
			outers = append(outers, &outer{poly: orb.Polygon{orb.Ring(h)}, b: orb.MultiPoint(h).Bound(), area: signedArea(h)})
		}
		holes = nil
		issues = append(issues, Issue{Code: "ring-orientation", Severity: SeverityInfo, Message: "all rings run counter-clockwise against the Shapefile convention; read each as an outer ring"})
	}
	for _, h := range holes {
		var best *outer
		hb := orb.MultiPoint(h).Bound()
		for _, o := range outers {
			if o.b.Contains(hb.Min) && o.b.Contains(hb.Max) && ringContains(o.poly[0], h[0]) && (best == nil || o.area < best.area) {
				best = o
			}
		}
		if best == nil {
			outers = append(outers, &outer{poly: orb.Polygon{orb.Ring(h)}, b: hb, area: signedArea(h)})
			issues = append(issues, Issue{Code: "orphan-hole", Severity: SeverityWarning, Message: "a counter-clockwise ring (hole) lies in no outer ring; read as an outer ring"})
			continue
		}
		best.poly = append(best.poly, orb.Ring(h))
	}
	switch len(outers) {
	case 0:
		return orb.Polygon{}, issues
	case 1:
		return outers[0].poly, issues
	}
	mp := make(orb.MultiPolygon, len(outers))
	for i, o := range outers {
		mp[i] = o.poly
	}
	return mp, issues
}

// ringContains is the even-odd rule.
func ringContains(r orb.Ring, p orb.Point) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[i], r[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

// keep returns err when it is already a client error (a zip bomb caught
// mid-read), else fallback.
func keep(err, fallback error) error {
	if domain.ErrorCode(err) != domain.EINTERNAL {
		return err
	}
	return fallback
}

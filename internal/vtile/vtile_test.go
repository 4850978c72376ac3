package vtile_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"github.com/planmap/planmap/internal/vtile"
)

// decode reads a tile with orb's decoder, an implementation independent
// of the encoder under test.
func decode(t *testing.T, data []byte) *mvt.Layer {
	t.Helper()
	layers, err := mvt.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 {
		t.Fatalf("%d layers", len(layers))
	}
	return layers[0]
}

// tilePoint is where p falls in tile tl, in tile coordinates, by orb's
// own projection.
func tilePoint(tl maptile.Tile, p orb.Point) orb.Point {
	fc := geojson.NewFeatureCollection()
	fc.Append(geojson.NewFeature(p))
	l := mvt.NewLayer("x", fc)
	l.ProjectToTile(tl)
	return l.Features[0].Geometry.(orb.Point)
}

var dalian = orb.Point{121.6147, 38.9140}

func TestPointsAndProperties(t *testing.T) {
	tl := maptile.At(dalian, 10)
	l := vtile.NewLayer("projects", int(tl.Z), int(tl.X), int(tl.Y), vtile.Options{Buffer: 64})
	props := []vtile.Property{
		{Key: "name", Value: "大连港"}, {Key: "section", Value: int64(2)}, {Key: "delta", Value: int64(-3)},
		{Key: "ratio", Value: 0.25}, {Key: "whole", Value: 5.0}, {Key: "ok", Value: true},
		{Key: "skipped", Value: []int{1}},
	}
	if ok, err := l.Add(dalian, 7, true, props); !ok || err != nil {
		t.Fatalf("add: %v %v", ok, err)
	}
	// A second feature with the same values shares the value table.
	if ok, err := l.Add(orb.Point{dalian[0] + 0.01, dalian[1]}, 8, true, props[:2]); !ok || err != nil {
		t.Fatalf("add: %v %v", ok, err)
	}
	// Far away: not in the tile.
	if ok, err := l.Add(orb.Point{2.35, 48.85}, 9, true, nil); ok || err != nil {
		t.Fatalf("a point in Paris was added: %v %v", ok, err)
	}
	data := l.Marshal()
	if len(data) != l.Size() {
		t.Fatalf("Size %d, Marshal %d bytes", l.Size(), len(data))
	}
	got := decode(t, data)
	if got.Name != "projects" || got.Extent != 4096 || got.Version != 2 || len(got.Features) != 2 {
		t.Fatalf("layer %s extent %d version %d, %d features", got.Name, got.Extent, got.Version, len(got.Features))
	}
	f := got.Features[0]
	want := map[string]any{"name": "大连港", "section": 2.0, "delta": -3.0, "ratio": 0.25, "whole": 5.0, "ok": true}
	if len(f.Properties) != len(want) {
		t.Errorf("properties %v", f.Properties)
	}
	for k, v := range want {
		if f.Properties[k] != v {
			t.Errorf("%s = %#v, want %#v", k, f.Properties[k], v)
		}
	}
	if f.ID != 7.0 {
		t.Errorf("id %v", f.ID)
	}
	p, exp := f.Geometry.(orb.Point), tilePoint(tl, dalian)
	if math.Abs(p[0]-exp[0]) > 1 || math.Abs(p[1]-exp[1]) > 1 {
		t.Errorf("point at %v, want %v", p, exp)
	}
}

// box returns a lon/lat rectangle as a polygon, counter-clockwise.
func box(minLon, minLat, maxLon, maxLat float64) orb.Polygon {
	return orb.Polygon{{{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat}}}
}

func TestPolygonsAreOrientedClippedAndCleaned(t *testing.T) {
	tl := maptile.At(dalian, 8)
	b := tl.Bound()
	l := vtile.NewLayer("parks", 8, int(tl.X), int(tl.Y), vtile.Options{Buffer: 64, Tolerance: 1})
	// A park with a hole, given clockwise (the wrong way for the exterior).
	park := box(121.5, 38.85, 121.7, 38.95)
	park[0].Reverse()
	park = append(park, orb.Ring{{121.55, 38.88}, {121.6, 38.88}, {121.6, 38.92}, {121.55, 38.92}, {121.55, 38.88}})
	// A polygon twice the tile's size, clipped to the tile and its buffer.
	huge := box(b.Min[0]-1, b.Min[1]-1, b.Max[0]+1, b.Max[1]+1)
	// A polygon far smaller than one unit: it collapses and is left out.
	speck := box(121.6, 38.9, 121.6000001, 38.9000001)
	// A thin spike that snapping turns into an out-and-back line.
	spike := orb.Polygon{{{121.62, 38.90}, {121.64, 38.90}, {121.64, 38.9000001}, {121.62, 38.90}}}
	for i, p := range []orb.Polygon{park, huge, speck, spike} {
		ok, err := l.Add(p, uint64(i), true, nil)
		if err != nil || ok != (i < 2) {
			t.Errorf("polygon %d: added %v, %v", i, ok, err)
		}
	}
	got := decode(t, l.Marshal())
	if len(got.Features) != 2 {
		t.Fatalf("%d features", len(got.Features))
	}
	poly, ok := got.Features[0].Geometry.(orb.Polygon)
	if !ok || len(poly) != 2 {
		t.Fatalf("park: %#v", got.Features[0].Geometry)
	}
	// In tile coordinates (y down) the exterior has a positive area by the
	// surveyor's formula, which orb calls counter-clockwise; holes negative.
	if poly[0].Orientation() != orb.CCW || poly[1].Orientation() != orb.CW {
		t.Errorf("orientations %v %v", poly[0].Orientation(), poly[1].Orientation())
	}
	hb := got.Features[1].Geometry.Bound()
	if hb.Min != (orb.Point{-64, -64}) || hb.Max != (orb.Point{4160, 4160}) {
		t.Errorf("clipped bound %v", hb)
	}
}

func TestLinesAndCollections(t *testing.T) {
	tl := maptile.At(dalian, 12)
	l := vtile.NewLayer("roads", 12, int(tl.X), int(tl.Y), vtile.Options{Buffer: 64})
	b := tl.Bound()
	// A road crossing the tile twice is cut into two lines.
	road := orb.LineString{{b.Min[0] - 0.01, b.Center()[1]}, {b.Center()[0], b.Center()[1]}, {b.Center()[0], b.Max[1] + 0.01}}
	if ok, _ := l.Add(road, 1, true, nil); !ok {
		t.Fatal("road left out")
	}
	mixed := orb.Collection{dalian, road, box(121.61, 38.91, 121.612, 38.912)}
	if ok, _ := l.Add(mixed, 2, true, nil); !ok {
		t.Fatal("collection left out")
	}
	got := decode(t, l.Marshal())
	if _, ok := got.Features[0].Geometry.(orb.LineString); !ok {
		t.Errorf("road: %T", got.Features[0].Geometry)
	}
	// Of a collection the parts of the highest dimension are kept.
	if _, ok := got.Features[1].Geometry.(orb.Polygon); !ok {
		t.Errorf("collection: %T", got.Features[1].Geometry)
	}
}

func TestMaxBytes(t *testing.T) {
	tl := maptile.At(dalian, 12)
	l := vtile.NewLayer("pts", 12, int(tl.X), int(tl.Y), vtile.Options{MaxBytes: 300})
	added, full := 0, false
	for i := 0; i < 100 && !full; i++ {
		p := orb.Point{dalian[0] + float64(i)*1e-4, dalian[1]}
		_, err := l.Add(p, uint64(i), true, []vtile.Property{{Key: "name", Value: "point number " + string(rune('a'+i%26))}})
		switch {
		case errors.Is(err, vtile.ErrFull):
			full = true
		case err != nil:
			t.Fatal(err)
		default:
			added++
		}
	}
	data := l.Marshal()
	if !full || len(data) > 300 || added < 5 || len(decode(t, data).Features) != added {
		t.Fatalf("full %v, %d bytes, %d added", full, len(data), added)
	}
}

// ewkb writes a polygon as extended WKB with an SRID and a Z value.
func ewkb(order binary.ByteOrder, p orb.Polygon) []byte {
	var b bytes.Buffer
	if order == binary.LittleEndian {
		b.WriteByte(1)
	} else {
		b.WriteByte(0)
	}
	binary.Write(&b, order, uint32(3|0x80000000|0x20000000))
	binary.Write(&b, order, uint32(4326))
	binary.Write(&b, order, uint32(len(p)))
	for _, r := range p {
		binary.Write(&b, order, uint32(len(r)))
		for _, pt := range r {
			binary.Write(&b, order, pt[0])
			binary.Write(&b, order, pt[1])
			binary.Write(&b, order, 99.0)
		}
	}
	return b.Bytes()
}

// everyKind is one geometry of each kind near Dalian, park among them.
func everyKind() (geoms []orb.Geometry, park orb.Polygon) {
	park = box(121.5, 38.85, 121.7, 38.95)
	return []orb.Geometry{
		dalian,
		orb.MultiPoint{dalian, {121.7, 38.95}},
		orb.LineString{{121.5, 38.85}, {121.6, 38.9}, {121.7, 38.8}},
		park,
		orb.MultiPolygon{park, box(121.8, 38.9, 121.9, 39.0)},
		orb.Collection{dalian, park},
	}, park
}

// AddWKB draws what Add draws from the same geometry.
func TestAddWKBMatchesAdd(t *testing.T) {
	tl := maptile.At(dalian, 9)
	geoms, park := everyKind()
	for _, g := range geoms {
		a := vtile.NewLayer("x", 9, int(tl.X), int(tl.Y), vtile.Options{Buffer: 64, Tolerance: 1})
		b := vtile.NewLayer("x", 9, int(tl.X), int(tl.Y), vtile.Options{Buffer: 64, Tolerance: 1})
		data, err := wkb.Marshal(g, binary.BigEndian)
		if err != nil {
			t.Fatal(err)
		}
		okA, _ := a.Add(orb.Clone(g), 1, true, nil)
		okB, err := b.AddWKB(data, 1, true, nil)
		if err != nil || okA != okB || !okA || !bytes.Equal(a.Marshal(), b.Marshal()) {
			t.Errorf("%s: Add %v, AddWKB %v %v, same tile %v", g.GeoJSONType(), okA, okB, err, bytes.Equal(a.Marshal(), b.Marshal()))
		}
	}
	// Extended WKB with an SRID and Z, in either byte order.
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		a := vtile.NewLayer("x", 9, int(tl.X), int(tl.Y), vtile.Options{})
		b := vtile.NewLayer("x", 9, int(tl.X), int(tl.Y), vtile.Options{})
		a.Add(orb.Clone(park), 1, true, nil)
		if ok, err := b.AddWKB(ewkb(order, park), 1, true, nil); !ok || err != nil || !bytes.Equal(a.Marshal(), b.Marshal()) {
			t.Errorf("EWKB %v: %v %v", order, ok, err)
		}
	}
}

// AddUnitWKB of UnitWKB's bytes draws what AddWKB draws, byte for byte,
// at every zoom and with every kind of geometry.
func TestAddUnitWKBMatchesAddWKB(t *testing.T) {
	geoms, park := everyKind()
	geoms = append(geoms, orb.Point{0, 89}) // beyond Web Mercator's reach: clamped the same way
	var data [][]byte
	for _, g := range geoms {
		for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			b, err := wkb.Marshal(g, order)
			if err != nil {
				t.Fatal(err)
			}
			data = append(data, b)
		}
	}
	data = append(data, ewkb(binary.BigEndian, park))
	data = append(data, polygonsWKB(maptile.At(dalian, 11), 200)...)
	for z := 0; z <= 16; z += 2 {
		tl := maptile.At(orb.Point{121.6, 38.9}, maptile.Zoom(z))
		for i, d := range data {
			a := vtile.NewLayer("x", z, int(tl.X), int(tl.Y), vtile.Options{Buffer: 64, Tolerance: 1})
			b := vtile.NewLayer("x", z, int(tl.X), int(tl.Y), vtile.Options{Buffer: 64, Tolerance: 1})
			unit, err := vtile.UnitWKB(d)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(unit, d) {
				t.Fatalf("geometry %d: UnitWKB changed nothing", i)
			}
			okA, errA := a.AddWKB(d, 1, true, nil)
			okB, errB := b.AddUnitWKB(unit, 1, true, nil)
			if errA != nil || errB != nil || okA != okB || !bytes.Equal(a.Marshal(), b.Marshal()) {
				t.Fatalf("z%d geometry %d: AddWKB %v %v, AddUnitWKB %v %v, same tile %v", z, i, okA, errA, okB, errB, bytes.Equal(a.Marshal(), b.Marshal()))
			}
		}
	}
	if _, err := vtile.UnitWKB([]byte{1, 2, 0, 0, 0, 255, 255, 255, 127}); !errors.Is(err, vtile.ErrWKB) {
		t.Fatalf("malformed: %v", err)
	}
}

// BenchmarkAddUnitWKB is BenchmarkAddWKB from projected bytes.
func BenchmarkAddUnitWKB(b *testing.B) {
	tl := maptile.At(orb.Point{123.0, 41.5}, 11)
	polys := polygonsWKB(tl, 1000)
	for i, p := range polys {
		u, err := vtile.UnitWKB(p)
		if err != nil {
			b.Fatal(err)
		}
		polys[i] = u
	}
	for b.Loop() {
		l := vtile.NewLayer("bench", int(tl.Z), int(tl.X), int(tl.Y), vtile.Options{Extent: 4096, Buffer: 64, Tolerance: 1})
		for i, p := range polys {
			if _, err := l.AddUnitWKB(p, uint64(i), true, nil); err != nil {
				b.Fatal(err)
			}
		}
		l.Marshal()
	}
}

func TestAddWKBRejectsMalformedBytes(t *testing.T) {
	good, _ := wkb.Marshal(box(121.5, 38.85, 121.7, 38.95), binary.LittleEndian)
	for name, data := range map[string][]byte{
		"empty":      {},
		"truncated":  good[:len(good)-5],
		"byte order": append([]byte{7}, good[1:]...),
		"type":       {1, 99, 0, 0, 0},
		"huge count": {1, 2, 0, 0, 0, 255, 255, 255, 127},
	} {
		l := vtile.NewLayer("x", 9, 0, 0, vtile.Options{})
		if _, err := l.AddWKB(data, 0, false, nil); !errors.Is(err, vtile.ErrWKB) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func ExampleLayer() {
	tl := maptile.At(orb.Point{121.6147, 38.9140}, 10)
	l := vtile.NewLayer("ports", int(tl.Z), int(tl.X), int(tl.Y), vtile.Options{Buffer: 64})
	l.Add(orb.Point{121.6147, 38.9140}, 1, true, []vtile.Property{{Key: "name_en", Value: "Port of Dalian"}})
	layers, _ := mvt.Unmarshal(l.Marshal())
	f := layers[0].Features[0]
	fmt.Println(layers[0].Name, len(layers[0].Features), f.Properties["name_en"], f.Geometry)
	// Output: ports 1 Port of Dalian [3794 2728]
}

// FuzzAddWKB: no input makes AddWKB panic, and what it accepts encodes.
func FuzzAddWKB(f *testing.F) {
	for _, g := range []orb.Geometry{dalian, box(121.5, 38.85, 121.7, 38.95), orb.Collection{dalian, orb.LineString{{121, 38}, {122, 39}}}} {
		data, _ := wkb.Marshal(g, binary.LittleEndian)
		f.Add(data)
	}
	f.Add(ewkb(binary.BigEndian, box(121.5, 38.85, 121.7, 38.95)))
	tl := maptile.At(dalian, 9)
	f.Fuzz(func(t *testing.T, data []byte) {
		l := vtile.NewLayer("x", 9, int(tl.X), int(tl.Y), vtile.Options{Buffer: 64, Tolerance: 1})
		_, err := l.AddWKB(data, 1, true, nil)
		if err != nil && !errors.Is(err, vtile.ErrWKB) {
			t.Fatalf("error %v is not ErrWKB", err)
		}
		out := l.Marshal()
		if len(out) != l.Size() {
			t.Fatalf("Size %d, Marshal %d", l.Size(), len(out))
		}
		// Projected first, the same bytes draw the same tile.
		unit, uerr := vtile.UnitWKB(data)
		if uerr != nil {
			if !errors.Is(uerr, vtile.ErrWKB) {
				t.Fatalf("UnitWKB error %v is not ErrWKB", uerr)
			}
			return
		}
		u := vtile.NewLayer("x", 9, int(tl.X), int(tl.Y), vtile.Options{Buffer: 64, Tolerance: 1})
		if _, err := u.AddUnitWKB(unit, 1, true, nil); err == nil && !bytes.Equal(u.Marshal(), out) {
			t.Fatalf("AddUnitWKB drew %d bytes, AddWKB %d", len(u.Marshal()), len(out))
		}
	})
}

// polygonsWKB returns n irregular polygons of 37 vertices, 0.003 to 0.09
// degrees across, inside tile tl, as WKB: the bench layer's shapes.
func polygonsWKB(tl maptile.Tile, n int) [][]byte {
	b := tl.Bound()
	out := make([][]byte, n)
	for i := range out {
		f := float64(i)
		cx := b.Min[0] + (b.Max[0]-b.Min[0])*math.Mod(f*0.618034, 1)
		cy := b.Min[1] + (b.Max[1]-b.Min[1])*math.Mod(f*0.414214, 1)
		r := 0.003 * math.Pow(30, math.Mod(f*0.732051, 1))
		ring := make(orb.Ring, 0, 37)
		for k := 0; k < 36; k++ {
			a := 2 * math.Pi * float64(k) / 36
			rr := r * (0.75 + 0.25*math.Sin(float64(k*5+i)))
			ring = append(ring, orb.Point{cx + rr*math.Cos(a)/math.Cos(cy*math.Pi/180), cy + rr*math.Sin(a)})
		}
		ring = append(ring, ring[0])
		data, err := wkb.Marshal(orb.Polygon{ring})
		if err != nil {
			panic(err)
		}
		out[i] = data
	}
	return out
}

// BenchmarkAddWKB draws 1,000 polygons into a z11 tile simplified by one
// unit, as planmap's z11 tiles are.
func BenchmarkAddWKB(b *testing.B) {
	tl := maptile.At(orb.Point{123.0, 41.5}, 11)
	polys := polygonsWKB(tl, 1000)
	var size int
	for b.Loop() {
		l := vtile.NewLayer("bench", int(tl.Z), int(tl.X), int(tl.Y), vtile.Options{Extent: 4096, Buffer: 64, Tolerance: 1})
		for i, p := range polys {
			if _, err := l.AddWKB(p, uint64(i), true, nil); err != nil {
				b.Fatal(err)
			}
		}
		size = len(l.Marshal())
	}
	b.ReportMetric(float64(size), "bytes/tile")
}

// The simplified tiles keep their shape: every vertex dropped lies within
// the tolerance of the line kept, and nothing that sticks out is lost.
func TestSimplifyKeepsShape(t *testing.T) {
	tl := maptile.At(orb.Point{123.0, 41.5}, 11)
	for i, p := range polygonsWKB(tl, 300) {
		exact := vtile.NewLayer("x", 11, int(tl.X), int(tl.Y), vtile.Options{Buffer: 64})
		simple := vtile.NewLayer("x", 11, int(tl.X), int(tl.Y), vtile.Options{Buffer: 64, Tolerance: 1})
		exact.AddWKB(p, 1, true, nil)
		simple.AddWKB(p, 1, true, nil)
		e, s := decodeOne(t, exact.Marshal()), decodeOne(t, simple.Marshal())
		if e == nil || s == nil {
			continue
		}
		er, sr := e.(orb.Polygon)[0], s.(orb.Polygon)[0]
		if len(sr) > len(er) {
			t.Fatalf("polygon %d: %d points simplified, %d exact", i, len(sr), len(er))
		}
		for _, q := range er {
			if d := distanceToRing(q, sr); d > 1.0001 {
				t.Fatalf("polygon %d: vertex %v lies %.3f units from the simplified ring", i, q, d)
			}
		}
	}
}

func decodeOne(t *testing.T, data []byte) orb.Geometry {
	t.Helper()
	if len(data) == 0 {
		return nil
	}
	layers, err := mvt.Unmarshal(data)
	if err != nil || len(layers) != 1 || len(layers[0].Features) != 1 {
		t.Fatalf("decode: %v", err)
	}
	return layers[0].Features[0].Geometry
}

func distanceToRing(p orb.Point, r orb.Ring) float64 {
	best := math.Inf(1)
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		dx, dy := b[0]-a[0], b[1]-a[1]
		t := 0.0
		if l := dx*dx + dy*dy; l > 0 {
			t = math.Max(0, math.Min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l))
		}
		x, y := a[0]+t*dx-p[0], a[1]+t*dy-p[1]
		best = math.Min(best, math.Sqrt(x*x+y*y))
	}
	return best
}

package postgis_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"sort"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/postgis"
)

// tileLayers decodes an MVT and indexes its layers by name.
func tileLayers(t testing.TB, data []byte) map[string]*mvt.Layer {
	t.Helper()
	out := map[string]*mvt.Layer{}
	if len(data) == 0 {
		return out
	}
	layers, err := mvt.Unmarshal(data)
	if err != nil {
		t.Fatalf("decode tile: %v", err)
	}
	for _, l := range layers {
		if _, dup := out[l.Name]; dup {
			t.Fatalf("layer %q twice in one tile", l.Name)
		}
		out[l.Name] = l
	}
	return out
}

// tileFeature finds the feature whose attribute key equals value.
func tileFeature(l *mvt.Layer, key string, value any) *geojson.Feature {
	for _, f := range l.Features {
		if f.Properties[key] == value {
			return f
		}
	}
	return nil
}

// tilePoint is where p falls in tile tl, in MVT coordinates (y down).
func tilePoint(tl maptile.Tile, p orb.Point) orb.Point {
	n := math.Exp2(float64(tl.Z))
	x := (p[0] + 180) / 360 * n
	lat := p[1] * math.Pi / 180
	y := (1 - math.Log(math.Tan(lat)+1/math.Cos(lat))/math.Pi) / 2 * n
	return orb.Point{(x - float64(tl.X)) * postgis.TileExtent, (y - float64(tl.Y)) * postgis.TileExtent}
}

func tileOf(p orb.Point, z int) maptile.Tile { return maptile.At(p, maptile.Zoom(z)) }

func TestTileProjectsAndLayer(t *testing.T) {
	db, _ := loaded(t)
	ctx := context.Background()
	tiles := postgis.NewTileService(db, postgis.TileOptions{})

	port := orb.Point{121.9, 39.05} // port-dalian in the fixture
	tl := tileOf(port, 7)
	data, err := tiles.Tile(ctx, "projects", 7, int(tl.X), int(tl.Y))
	if err != nil {
		t.Fatal(err)
	}
	layers := tileLayers(t, data)
	if len(layers) != 1 || layers["projects"] == nil {
		t.Fatalf("layers: %v", layers)
	}
	pl := layers["projects"]
	if pl.Extent != postgis.TileExtent || len(pl.Features) != 2 {
		t.Fatalf("extent %d, %d features, want 4096 and 2 (the port and the Changxing park)", pl.Extent, len(pl.Features))
	}
	f := tileFeature(pl, "id", "port-dalian")
	if f == nil {
		t.Fatal("port-dalian is not in the tile")
	}
	want := map[string]any{
		"id": "port-dalian", "name_zh": "大连港", "name_en": "Port of Dalian", "section": 2.0, "item": 5.0,
		"category": "port", "status": "under_construction", "location_precision": "district",
		"uncertainty_km": 5.0, "cross_border": false,
	}
	for k, v := range want {
		if f.Properties[k] != v {
			t.Errorf("attribute %s = %#v, want %#v", k, f.Properties[k], v)
		}
	}
	if _, ok := f.Properties["programme"]; ok || len(f.Properties) != len(want) {
		t.Errorf("attributes %v: want exactly %d, null programme left out", f.Properties, len(want))
	}
	pt, ok := f.Geometry.(orb.Point)
	exp := tilePoint(tl, port)
	if !ok || math.Abs(pt[0]-exp[0]) > 1 || math.Abs(pt[1]-exp[1]) > 1 {
		t.Fatalf("port at %v in tile space, want %v", f.Geometry, exp)
	}
	park := tileFeature(pl, "id", "park-changxing-island")
	if park == nil || park.Properties["programme"] != "programme-coastal-parks" {
		t.Fatalf("park: %+v", park)
	}
	poly, ok := park.Geometry.(orb.Polygon)
	if !ok || len(poly) != 1 || len(poly[0]) != 5 {
		t.Fatalf("park geometry %#v, want a box", park.Geometry)
	}
	b := poly.Bound()
	lo, hi := tilePoint(tl, orb.Point{121.4, 39.65}), tilePoint(tl, orb.Point{121.55, 39.55})
	if math.Abs(b.Min[0]-lo[0]) > 1 || math.Abs(b.Min[1]-lo[1]) > 1 || math.Abs(b.Max[0]-hi[0]) > 1 || math.Abs(b.Max[1]-hi[1]) > 1 {
		t.Fatalf("park bound %v, want %v-%v", b, lo, hi)
	}
	for _, c := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
		if c < 0 || c > postgis.TileExtent {
			t.Fatalf("park bound %v is not in tile space", b)
		}
	}

	// A layer's tile carries fid and the scalar properties of each feature.
	data, err = tiles.Tile(ctx, "cities", 7, int(tl.X), int(tl.Y))
	if err != nil {
		t.Fatal(err)
	}
	cl := tileLayers(t, data)["cities"]
	if cl == nil || len(cl.Features) != 1 {
		t.Fatalf("cities layer: %+v", cl)
	}
	dalian := cl.Features[0]
	if dalian.Properties["fid"] != "dalian" || dalian.Properties["name_zh"] != "大连" || dalian.Properties["name_en"] != "Dalian" || len(dalian.Properties) != 3 {
		t.Fatalf("dalian: %v", dalian.Properties)
	}
	if dalian.ID != 1.0 { // the feature's position in its file
		t.Fatalf("feature id %v, want 1", dalian.ID)
	}
	sy := tileOf(orb.Point{123.43, 41.8}, 7)
	data, err = tiles.Tile(ctx, "cities", 7, int(sy.X), int(sy.Y))
	if err != nil {
		t.Fatal(err)
	}
	if f := tileFeature(tileLayers(t, data)["cities"], "fid", "shenyang"); f == nil || f.Properties["capital"] != true {
		t.Fatalf("shenyang: %+v", f)
	}

	// Far from Liaoning every tile is empty, and zero bytes long.
	far := tileOf(orb.Point{2.35, 48.85}, 7)
	for _, coll := range []string{"projects", "cities"} {
		data, err := tiles.Tile(ctx, coll, 7, int(far.X), int(far.Y))
		if err != nil || data == nil || len(data) != 0 {
			t.Fatalf("%s far away: %d bytes, nil %v, %v", coll, len(data), data == nil, err)
		}
	}
	// The whole world in one tile.
	data, err = tiles.Tile(ctx, "projects", 0, 0, 0)
	if err != nil || len(tileLayers(t, data)["projects"].Features) != 3 {
		t.Fatalf("z0: %v", err)
	}
}

func TestTileErrors(t *testing.T) {
	db, _ := loaded(t)
	ctx := context.Background()
	tiles := postgis.NewTileService(db, postgis.TileOptions{})
	for _, coll := range []string{"nope", "Cities", "../projects", "", "projects'--"} {
		if _, err := tiles.Tile(ctx, coll, 7, 107, 48); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("Tile(%q): %v, want not_found", coll, err)
		}
		if _, err := tiles.Version(ctx, coll); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("Version(%q): %v, want not_found", coll, err)
		}
		if _, err := tiles.Fields(ctx, coll); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("Fields(%q): %v, want not_found", coll, err)
		}
	}
	for _, zxy := range [][3]int{{-1, 0, 0}, {25, 0, 0}, {3, 8, 0}, {3, 0, 8}, {3, -1, 0}, {0, 0, 1}} {
		if _, err := tiles.Tile(ctx, "projects", zxy[0], zxy[1], zxy[2]); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Tile(%v): %v, want invalid", zxy, err)
		}
	}
	// The deepest tiles exist.
	if _, err := tiles.Tile(ctx, "cities", 24, 1<<24-1, 1<<24-1); err != nil {
		t.Fatal(err)
	}
}

func TestTileVersionAndFields(t *testing.T) {
	db, _ := loaded(t)
	ctx := context.Background()
	tiles := postgis.NewTileService(db, postgis.TileOptions{})
	v1, err := tiles.Version(ctx, "cities")
	if err != nil || v1 < 1 {
		t.Fatalf("version %d, %v", v1, err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE collection_version SET version = version + 1 WHERE collection = 'cities'`); err != nil {
		t.Fatal(err)
	}
	if v2, err := tiles.Version(ctx, "cities"); err != nil || v2 != v1+1 {
		t.Fatalf("after a write: %d, %v", v2, err)
	}
	if v, err := tiles.Version(ctx, "projects"); err != nil || v < 1 {
		t.Fatalf("projects version %d, %v", v, err)
	}
	fields, err := tiles.Fields(ctx, "cities")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"fid": "String", "name_zh": "String", "name_en": "String", "capital": "Boolean"}
	if fmt.Sprint(fields) != fmt.Sprint(want) {
		t.Fatalf("fields %v, want %v", fields, want)
	}
	fields, err = tiles.Fields(ctx, "projects")
	if err != nil || fields["section"] != "Number" || fields["cross_border"] != "Boolean" || len(fields) != 11 {
		t.Fatalf("projects fields %v, %v", fields, err)
	}
}

// The generated layer: bigFeatures irregular polygons of 50 vertices over
// Liaoning, sized from 0.3 to 10 km across, and one known polygon that
// fills the middle of detailTile.
const (
	bigLayer    = "parcels"
	bigFeatures = 20000
	bigVertices = 50 // with the closing vertex
	detailZoom  = 14
)

var detailCenter = orb.Point{121.6, 41.0}

// insertBigLayer fills layer "parcels" and returns the tile holding the
// known polygon (fid "known", seq 0) at detailZoom.
func insertBigLayer(tb testing.TB, db *postgis.DB) maptile.Tile {
	tb.Helper()
	ctx := context.Background()
	detail := tileOf(detailCenter, detailZoom)
	c := detail.Center()
	// setseed and the insert share one simple-protocol call, so one session.
	_, err := db.Pool.Exec(ctx, fmt.Sprintf(`
INSERT INTO layer (id, kind, title_zh, title_en) VALUES ('%[1]s', 'upload', '地块', 'Parcels');
INSERT INTO collection_version (collection) VALUES ('%[1]s');
SELECT setseed(0.42);
INSERT INTO layer_feature (layer_id, seq, fid, properties, geom)
SELECT '%[1]s', i, 'p' || i,
  jsonb_build_object('name', 'parcel ' || i, 'class', i %% 7, 'ratio', (i %% 100) / 100.0, 'ok', i %% 2 = 0,
    'note', NULL, 'nested', jsonb_build_object('a', 1), 'tags', jsonb_build_array('x')),
  (SELECT ST_MakePolygon(ST_AddPoint(l, ST_StartPoint(l))) FROM (
     SELECT ST_MakeLine(ST_MakePoint(
       cx + r * (0.75 + 0.25 * sin(k * 5 + i)) * cos(2 * pi() * k / %[2]d) / cos(radians(cy)),
       cy + r * (0.75 + 0.25 * sin(k * 5 + i)) * sin(2 * pi() * k / %[2]d)) ORDER BY k) AS l
     FROM generate_series(0, %[2]d - 1) k) s)
FROM (SELECT i, 119 + random() * 6.5 AS cx, 38.8 + random() * 4.5 AS cy, 0.003 * power(30, random()) AS r
      FROM generate_series(1, %[3]d) i) g;
INSERT INTO layer_feature (layer_id, seq, fid, properties, geom)
SELECT '%[1]s', 0, 'known', '{"name": "known"}',
  ST_MakePolygon(ST_AddPoint(l, ST_StartPoint(l))) FROM (
    SELECT ST_MakeLine(ST_MakePoint(%[4]f + 0.004 * (0.75 + 0.25 * sin(k * 5)) * cos(2 * pi() * k / %[2]d) / cos(radians(%[5]f)),
                                    %[5]f + 0.004 * (0.75 + 0.25 * sin(k * 5)) * sin(2 * pi() * k / %[2]d)) ORDER BY k) AS l
    FROM generate_series(0, %[2]d - 1) k) s;
ANALYZE layer_feature;`, bigLayer, bigVertices-1, bigFeatures, c[0], c[1]))
	if err != nil {
		tb.Fatal(err)
	}
	return detail
}

func TestTileLargeLayerStaysSmall(t *testing.T) {
	db := server.NewDB(t)
	ctx := context.Background()
	detail := insertBigLayer(t, db)
	tiles := postgis.NewTileService(db, postgis.TileOptions{})

	// Every z5 tile of the data stays under 500 KB and still shows thousands of parcels.
	most := 0
	for x := 26; x <= 27; x++ {
		for y := 11; y <= 12; y++ {
			data, err := tiles.Tile(ctx, bigLayer, 5, x, y)
			if err != nil {
				t.Fatal(err)
			}
			l := tileLayers(t, data)[bigLayer]
			if len(data) > 500_000 {
				t.Errorf("5/%d/%d: %d bytes", x, y, len(data))
			}
			if l != nil {
				most = max(most, len(l.Features))
				t.Logf("5/%d/%d: %d bytes, %d features", x, y, len(data), len(l.Features))
			}
		}
	}
	if most < 1000 {
		t.Fatalf("the fullest z5 tile has %d features", most)
	}
	// Read in small chunks, from one snapshot, a tile is the same.
	chunked := postgis.NewTileService(db, postgis.TileOptions{RowChunk: 97})
	for _, z := range []int{2, 5, 9} {
		tl := tileOf(detailCenter, z)
		whole, err1 := tiles.Tile(ctx, bigLayer, z, int(tl.X), int(tl.Y))
		parts, err2 := chunked.Tile(ctx, bigLayer, z, int(tl.X), int(tl.Y))
		if err1 != nil || err2 != nil || len(whole) == 0 || !bytes.Equal(whole, parts) {
			t.Fatalf("z%d: %d bytes in one chunk, %d in chunks of 97 (%v, %v)", z, len(whole), len(parts), err1, err2)
		}
	}
	// No tile of the data is too big, nor empty: at z2 all 20,000 polygons
	// are smaller than a pixel, and must not vanish.
	for _, z := range []int{0, 2, 7} {
		tl := tileOf(detailCenter, z)
		data, err := tiles.Tile(ctx, bigLayer, z, int(tl.X), int(tl.Y))
		if err != nil {
			t.Fatal(err)
		}
		l := tileLayers(t, data)[bigLayer]
		if len(data) > 500_000 || l == nil || len(l.Features) < 500 {
			t.Errorf("z%d: %d bytes, %v", z, len(data), l)
		}
	}

	// At z14 the known polygon keeps every vertex, and the scalar properties.
	data, err := tiles.Tile(ctx, bigLayer, detailZoom, int(detail.X), int(detail.Y))
	if err != nil {
		t.Fatal(err)
	}
	l := tileLayers(t, data)[bigLayer]
	known := tileFeature(l, "fid", "known")
	if known == nil {
		t.Fatalf("the known polygon is not in its z14 tile (%d features)", len(l.Features))
	}
	ring := known.Geometry.(orb.Polygon)[0]
	if len(ring) != bigVertices {
		t.Fatalf("the known polygon has %d vertices at z14, want %d", len(ring), bigVertices)
	}
	for _, p := range ring {
		if p[0] < 0 || p[0] > postgis.TileExtent || p[1] < 0 || p[1] > postgis.TileExtent {
			t.Fatalf("vertex %v is outside the tile", p)
		}
	}
	var keys []string
	for _, f := range l.Features {
		if f.Properties["fid"] != "known" {
			for k := range f.Properties {
				keys = append(keys, k)
			}
			break
		}
	}
	sort.Strings(keys)
	if fmt.Sprint(keys) != "[class fid name ok ratio]" {
		t.Fatalf("attributes %v: nested, array and null properties must be left out", keys)
	}
	fields, err := tiles.Fields(ctx, bigLayer)
	if err != nil || len(fields) != 5 || fields["ok"] != "Boolean" || fields["ratio"] != "Number" {
		t.Fatalf("fields %v, %v", fields, err)
	}

	// Under a small budget a tile keeps only its largest features.
	small := postgis.NewTileService(db, postgis.TileOptions{MaxBytes: 20_000})
	data, err = small.Tile(ctx, bigLayer, 5, 26, 11)
	if err != nil {
		t.Fatal(err)
	}
	capped := tileLayers(t, data)[bigLayer]
	if len(data) > 20_000 || capped == nil || len(capped.Features) < 20 {
		t.Fatalf("capped tile: %d bytes, %v", len(data), capped)
	}
	data, err = postgis.NewTileService(db, postgis.TileOptions{MaxBytes: 1 << 30}).Tile(ctx, bigLayer, 5, 26, 11)
	if err != nil {
		t.Fatal(err)
	}
	all := tileLayers(t, data)[bigLayer]
	if kept, every := medianSize(capped), medianSize(all); kept < 3*every {
		t.Fatalf("the capped tile's features are %.0f units across (median), the full tile's %.0f: not the largest", kept, every)
	}
}

// medianSize is the median width or height of a layer's features, in tile units.
func medianSize(l *mvt.Layer) float64 {
	sizes := make([]float64, len(l.Features))
	for i, f := range l.Features {
		b := f.Geometry.Bound()
		sizes[i] = max(b.Max[0]-b.Min[0], b.Max[1]-b.Min[1])
	}
	sort.Float64s(sizes)
	return sizes[len(sizes)/2]
}

// benchmarkTile renders the tile at detailCenter at zoom z of the
// generated layer, from PostgreSQL's rows or, indexed, from the layer index.
func benchmarkTile(b *testing.B, z int, indexed bool) {
	db := server.NewDB(b)
	insertBigLayer(b, db)
	opt := postgis.TileOptions{}
	if indexed {
		w := postgis.NewVersionWatcher(db, nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go w.Run(ctx)
		waitUntil(b, w.Listening)
		opt.Index = postgis.NewLayerIndex(db, w, postgis.LayerIndexOptions{MaxBytes: 1 << 30})
		if err := opt.Index.Refresh(ctx, bigLayer); err != nil {
			b.Fatal(err)
		}
	}
	tiles := postgis.NewTileService(db, opt)
	tl := tileOf(detailCenter, z)
	ctx := context.Background()
	var size, features int
	for b.Loop() {
		data, err := tiles.Tile(ctx, bigLayer, z, int(tl.X), int(tl.Y))
		if err != nil {
			b.Fatal(err)
		}
		size = len(data)
	}
	if l := tileLayers(b, mustTile(b, tiles, z, tl))[bigLayer]; l != nil {
		features = len(l.Features)
	}
	b.ReportMetric(float64(size), "bytes/tile")
	b.ReportMetric(float64(features), "features/tile")
}

func mustTile(b *testing.B, tiles *postgis.TileService, z int, tl maptile.Tile) []byte {
	data, err := tiles.Tile(context.Background(), bigLayer, z, int(tl.X), int(tl.Y))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func BenchmarkTileZ5(b *testing.B)         { benchmarkTile(b, 5, false) }
func BenchmarkTileZ8(b *testing.B)         { benchmarkTile(b, 8, false) }
func BenchmarkTileZ11(b *testing.B)        { benchmarkTile(b, 11, false) }
func BenchmarkTileZ14(b *testing.B)        { benchmarkTile(b, 14, false) }
func BenchmarkIndexedTileZ8(b *testing.B)  { benchmarkTile(b, 8, true) }
func BenchmarkIndexedTileZ11(b *testing.B) { benchmarkTile(b, 11, true) }
func BenchmarkIndexedTileZ14(b *testing.B) { benchmarkTile(b, 14, true) }

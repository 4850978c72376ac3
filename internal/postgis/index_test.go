package postgis_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/postgis"
)

// insertMixedLayer fills layer "mixed" with every geometry type: points
// (some on the same spot), multipoints, lines, polygons with holes and
// multipolygons, in sizes from metres to degrees, with many features of
// exactly the same size so that ties in the tile order show.
func insertMixedLayer(tb testing.TB, db *postgis.DB) {
	tb.Helper()
	_, err := db.Pool.Exec(context.Background(), `
INSERT INTO layer (id, kind, title_zh, title_en) VALUES ('mixed', 'upload', '混合', 'Mixed');
INSERT INTO collection_version (collection) VALUES ('mixed');
SELECT setseed(0.17);
INSERT INTO layer_feature (layer_id, seq, fid, properties, geom)
SELECT 'mixed', i, 'm' || i,
  jsonb_build_object('kind', k, 'n', i, 'name', '地块 ' || i, 'flag', i % 3 = 0),
  CASE k
    WHEN 0 THEN ST_SetSRID(ST_MakePoint(round(cx::numeric, 2), round(cy::numeric, 2)), 4326)
    WHEN 1 THEN ST_SetSRID(ST_Collect(ST_MakePoint(cx, cy), ST_MakePoint(cx + r, cy - r)), 4326)
    WHEN 2 THEN ST_SetSRID(ST_MakeLine(ARRAY[ST_MakePoint(cx, cy), ST_MakePoint(cx + r, cy + r / 3), ST_MakePoint(cx + 2 * r, cy - r)]), 4326)
    WHEN 3 THEN ST_SetSRID(ST_Difference(ST_Buffer(ST_MakePoint(cx, cy), r, 6), ST_Buffer(ST_MakePoint(cx, cy), r / 3, 4)), 4326)
    WHEN 4 THEN ST_SetSRID(ST_MakeEnvelope(cx, cy, cx + 0.01, cy + 0.01), 4326)
    ELSE ST_SetSRID(ST_Collect(ST_Buffer(ST_MakePoint(cx, cy), r, 3), ST_Buffer(ST_MakePoint(cx + 4 * r, cy), r / 2, 3)), 4326)
  END
FROM (SELECT i, i % 6 AS k, 119 + random() * 6.5 AS cx, 38.8 + random() * 4.5 AS cy, 0.0005 * power(2000, random()) AS r
      FROM generate_series(1, 6000) i) g;
ANALYZE layer_feature;`)
	if err != nil {
		tb.Fatal(err)
	}
}

// indexFixture returns a database with the mixed and parcels layers, a
// running version watcher, and an index of both layers.
func indexFixture(t *testing.T) (*postgis.DB, *postgis.LayerIndex) {
	t.Helper()
	db := server.NewDB(t)
	insertMixedLayer(t, db)
	insertBigLayer(t, db)
	w := postgis.NewVersionWatcher(db, nil)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go w.Run(ctx)
	waitUntil(t, w.Listening)
	// Small chunks: the layers' bytes span hundreds of them.
	idx := postgis.NewLayerIndex(db, w, postgis.LayerIndexOptions{MaxBytes: 1 << 30, ChunkBytes: 64 << 10})
	for _, layer := range []string{"mixed", bigLayer} {
		if err := idx.Refresh(ctx, layer); err != nil {
			t.Fatal(err)
		}
	}
	if st := idx.Stats(); st.Layers != 2 || st.Features != 6000+bigFeatures+1 || st.Bytes <= 0 || st.Builds != 2 {
		t.Fatalf("index holds %+v", st)
	}
	// A layer whose version has not moved is not read again.
	if err := idx.Refresh(ctx, "mixed"); err != nil || idx.Stats().Builds != 2 {
		t.Fatalf("refresh of a current layer: %v, %+v", err, idx.Stats())
	}
	return db, idx
}

// pageJSON collects what EachFeatureJSON gives: the matched count and the
// features' bytes.
func pageJSON(t *testing.T, svc *postgis.LayerService, layer string, f domain.FeatureFilter) (int, []byte) {
	t.Helper()
	var buf bytes.Buffer
	n, err := svc.EachFeatureJSON(context.Background(), layer, f, func(b []byte) error {
		buf.Write(b)
		buf.WriteByte('\n')
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n, buf.Bytes()
}

// Pages from the index are the pages PostgreSQL gives, byte for byte: the
// same features, in the same order, with the same count, for boxes of every
// size and boxes whose edges fall exactly on features' edges.
func TestIndexPagesMatchPostGIS(t *testing.T) {
	db, idx := indexFixture(t)
	ctx := context.Background()
	plain, indexed := postgis.NewLayerService(db, nil), postgis.NewLayerService(db, idx)
	r := rand.New(rand.NewPCG(11, 12))
	type query struct {
		layer string
		f     domain.FeatureFilter
	}
	var queries []query
	for i := 0; i < 300; i++ {
		lon, lat, side := 118.5+r.Float64()*7.5, 38.5+r.Float64()*5, 0.002*float64(int(1)<<r.IntN(11))
		limit := []int{0, 1, 10, 100, 1000}[r.IntN(5)]
		offset := []int{0, 0, 0, 3, 250}[r.IntN(5)]
		b := &domain.BBox{MinLon: lon, MinLat: lat, MaxLon: lon + side, MaxLat: lat + side}
		queries = append(queries, query{[]string{"mixed", bigLayer}[i%2], domain.FeatureFilter{BBox: b, Limit: limit, Offset: offset}})
	}
	// Boxes that touch features' boxes at one edge or corner only.
	rows, err := db.Pool.Query(ctx, `SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) FROM layer_feature
WHERE layer_id = 'mixed' ORDER BY seq LIMIT 200`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var x0, y0, x1, y1 float64
		if err := rows.Scan(&x0, &y0, &x1, &y1); err != nil {
			t.Fatal(err)
		}
		queries = append(queries,
			query{"mixed", domain.FeatureFilter{BBox: &domain.BBox{MinLon: x1, MinLat: y1, MaxLon: x1 + 0.001, MaxLat: y1 + 0.001}}},
			query{"mixed", domain.FeatureFilter{BBox: &domain.BBox{MinLon: x0 - 0.001, MinLat: y0 - 0.001, MaxLon: x0, MaxLat: y0}}},
			query{"mixed", domain.FeatureFilter{BBox: &domain.BBox{MinLon: x0, MinLat: y0, MaxLon: x0, MaxLat: y0}}})
		// Within a float32 step of an edge: PostGIS rounds both boxes
		// outwards, so these touch too.
		for _, d := range []float64{1e-7, 2e-6} {
			queries = append(queries,
				query{"mixed", domain.FeatureFilter{BBox: &domain.BBox{MinLon: x1 + d, MinLat: y0, MaxLon: x1 + 0.001, MaxLat: y1}}},
				query{"mixed", domain.FeatureFilter{BBox: &domain.BBox{MinLon: x0, MinLat: y0 - 0.001, MaxLon: x1, MaxLat: y0 - d}}})
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// No box: pages through the whole layer; a box drawn east to west.
	queries = append(queries,
		query{"mixed", domain.FeatureFilter{Limit: 100, Offset: 5990}},
		query{bigLayer, domain.FeatureFilter{Limit: 10}},
		query{"mixed", domain.FeatureFilter{}},
		query{"mixed", domain.FeatureFilter{BBox: &domain.BBox{MinLon: 123, MinLat: 42, MaxLon: 122, MaxLat: 41}, Limit: 50}})

	hits := idx.Stats().Hits
	nonEmpty := 0
	for _, q := range queries {
		n1, b1 := pageJSON(t, plain, q.layer, q.f)
		n2, b2 := pageJSON(t, indexed, q.layer, q.f)
		if n1 != n2 || !bytes.Equal(b1, b2) {
			t.Fatalf("%s %+v %v: PostgreSQL matched %d (%d bytes), the index %d (%d bytes)", q.layer, q.f, q.f.BBox, n1, len(b1), n2, len(b2))
		}
		if len(b1) > 0 {
			nonEmpty++
		}
	}
	if got := idx.Stats().Hits - hits; got != int64(len(queries)) {
		t.Fatalf("the index answered %d of %d queries", got, len(queries))
	}
	if nonEmpty < len(queries)/2 {
		t.Fatalf("only %d of %d queries found features: the test proves little", nonEmpty, len(queries))
	}
	// A CQL2 filter is PostgreSQL's to answer.
	hits = idx.Stats().Hits
	where := domain.Condition(func(first int) (string, []any, error) {
		return fmt.Sprintf("f.properties->>'kind' = $%d", first), []any{"3"}, nil
	})
	n, _ := pageJSON(t, indexed, "mixed", domain.FeatureFilter{Where: where, Limit: 10})
	if n != 1000 || idx.Stats().Hits != hits {
		t.Fatalf("filtered: %d matched, %d index hits", n, idx.Stats().Hits-hits)
	}
}

// Tiles from the index are the tiles drawn from PostgreSQL's rows, byte for
// byte, at every zoom, and when tiles fill up and keep their largest
// features.
func TestIndexTilesMatchPostGIS(t *testing.T) {
	db, idx := indexFixture(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(13, 14))
	for _, maxBytes := range []int{0, 20_000} {
		plain := postgis.NewTileService(db, postgis.TileOptions{MaxBytes: maxBytes})
		indexed := postgis.NewTileService(db, postgis.TileOptions{MaxBytes: maxBytes, Index: idx})
		hits := idx.Stats().Hits
		drawn, tiles := 0, 0
		for z := 2; z <= 16; z++ {
			for k := 0; k < 12; k++ {
				p := detailCenter
				if k > 0 {
					p[0], p[1] = 118.5+r.Float64()*7.5, 38.5+r.Float64()*5
				}
				tl := tileOf(p, z)
				for _, layer := range []string{"mixed", bigLayer} {
					a, err1 := plain.Tile(ctx, layer, z, int(tl.X), int(tl.Y))
					b, err2 := indexed.Tile(ctx, layer, z, int(tl.X), int(tl.Y))
					if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
						t.Fatalf("%s %d/%d/%d max %d: PostgreSQL %d bytes (%v), the index %d bytes (%v)", layer, z, tl.X, tl.Y, maxBytes, len(a), err1, len(b), err2)
					}
					tiles++
					if len(a) > 0 {
						drawn++
					}
				}
			}
		}
		if got := idx.Stats().Hits - hits; got != int64(tiles) {
			t.Fatalf("the index drew %d of %d tiles", got, tiles)
		}
		if drawn < tiles/2 {
			t.Fatalf("only %d of %d tiles had features", drawn, tiles)
		}
	}
}

// A write makes the copy stale at once; PostgreSQL answers until the layer
// is read again, which happens once writes pause.
func TestIndexFollowsWrites(t *testing.T) {
	db, _ := loaded(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := db.Pool.Exec(ctx, `INSERT INTO layer (id, kind, title_zh, title_en, origin) VALUES ('plots', 'upload', '地块', 'Plots', 'upload')`); err != nil {
		t.Fatal(err)
	}
	edits := postgis.NewEditService(db)
	write := func(id string, x float64) {
		t.Helper()
		if _, err := edits.Apply(ctx, editor, "", []domain.Change{{Collection: "plots", FeatureID: id, Op: domain.OpCreate,
			Properties: json.RawMessage(`{"name":"` + id + `"}`), Geometry: square(x, 40, 0.01)}}); err != nil {
			t.Fatal(err)
		}
	}
	write("a", 122)
	w := postgis.NewVersionWatcher(db, nil)
	idx := postgis.NewLayerIndex(db, w, postgis.LayerIndexOptions{MaxBytes: 64 << 20, Quiet: 50 * time.Millisecond})
	w.OnChange(idx.Changed)
	go w.Run(ctx)
	go idx.Run(ctx)
	waitUntil(t, w.Listening)
	svc := postgis.NewLayerService(db, idx)
	ids := func() string {
		var out []string
		_, err := svc.EachFeatureJSON(ctx, "plots", domain.FeatureFilter{BBox: &domain.BBox{MinLon: 121, MinLat: 39, MaxLon: 123, MaxLat: 41}}, func(b []byte) error {
			var f struct{ ID string }
			json.Unmarshal(b, &f)
			out = append(out, f.ID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(out, ",")
	}
	// The layers present at the start are read.
	waitUntil(t, func() bool { before := idx.Stats().Hits; return ids() == "a" && idx.Stats().Hits > before })

	write("b", 122.1)
	// Once the version moves, the old copy is never used again.
	waitUntil(t, func() bool { return ids() == "a,b" })
	for i := 0; i < 20; i++ {
		if got := ids(); got != "a,b" {
			t.Fatalf("after the write: %q", got)
		}
	}
	// And the layer is read again: answers come from the index once more.
	waitUntil(t, func() bool { before := idx.Stats().Hits; return ids() == "a,b" && idx.Stats().Hits > before })

	// A deleted layer leaves the index.
	layers := idx.Stats().Layers
	if _, err := db.Pool.Exec(ctx, `DELETE FROM layer WHERE id = 'plots'`); err != nil {
		t.Fatal(err)
	}
	if err := idx.Refresh(ctx, "plots"); err != nil {
		t.Fatal(err)
	}
	if st := idx.Stats(); st.Layers != layers-1 {
		t.Fatalf("index after the delete: %+v, had %d layers", st, layers)
	}
}

// The index answers FindLayer with the row it read with the features: the
// same as PostgreSQL's, and no longer once the layer changes or goes.
func TestIndexFindLayer(t *testing.T) {
	db, idx := indexFixture(t)
	ctx := context.Background()
	plain, indexed := postgis.NewLayerService(db, nil), postgis.NewLayerService(db, idx)
	want, err := plain.FindLayer(ctx, "mixed")
	if err != nil {
		t.Fatal(err)
	}
	hits := idx.Stats().Hits
	got, err := indexed.FindLayer(ctx, "mixed")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("from the index: %+v %v, want %+v", got, err, want)
	}
	if idx.Stats().Hits != hits+1 {
		t.Fatal("FindLayer did not use the index")
	}
	// Renamed in a write that moves the version, as every write does.
	if _, err := db.Pool.Exec(ctx, `UPDATE layer SET title_en = 'Renamed' WHERE id = 'mixed';
UPDATE collection_version SET version = version + 1 WHERE collection = 'mixed'`); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool {
		l, err := indexed.FindLayer(ctx, "mixed")
		return err == nil && l.TitleEN == "Renamed"
	})
	if _, err := db.Pool.Exec(ctx, `DELETE FROM layer WHERE id = 'mixed';
UPDATE collection_version SET version = version + 1 WHERE collection = 'mixed'`); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool {
		_, err := indexed.FindLayer(ctx, "mixed")
		return domain.ErrorCode(err) == domain.ENOTFOUND
	})
}

// A layer larger than the memory allowed stays with PostgreSQL, which
// answers as before; the next attempt gives up before reading.
func TestIndexTooLarge(t *testing.T) {
	db := server.NewDB(t)
	insertMixedLayer(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := postgis.NewVersionWatcher(db, nil)
	go w.Run(ctx)
	waitUntil(t, w.Listening)
	idx := postgis.NewLayerIndex(db, w, postgis.LayerIndexOptions{MaxBytes: 100_000})
	for i := 0; i < 2; i++ {
		if err := idx.Refresh(ctx, "mixed"); err == nil || !strings.Contains(err.Error(), "does not fit") {
			t.Fatalf("refresh %d: %v", i, err)
		}
	}
	if st := idx.Stats(); st.Layers != 0 || st.Bytes != 0 {
		t.Fatalf("index holds %+v", st)
	}
	n, b := pageJSON(t, postgis.NewLayerService(db, idx), "mixed", domain.FeatureFilter{Limit: 7})
	if n != 6000 || bytes.Count(b, []byte("\n")) != 7 || idx.Stats().Hits != 0 {
		t.Fatalf("matched %d, %d features, %d hits", n, bytes.Count(b, []byte("\n")), idx.Stats().Hits)
	}
}

// Many requests for one tile at once draw it once, and all get its bytes.
func TestIndexTileDrawnOnceForConcurrentRequests(t *testing.T) {
	db, idx := indexFixture(t)
	tiles := postgis.NewTileService(db, postgis.TileOptions{Index: idx})
	plain := postgis.NewTileService(db, postgis.TileOptions{})
	tl := tileOf(detailCenter, 5) // thousands of parcels: tens of milliseconds to draw
	want, err := plain.Tile(context.Background(), bigLayer, 5, int(tl.X), int(tl.Y))
	if err != nil || len(want) == 0 {
		t.Fatalf("%d bytes, %v", len(want), err)
	}
	const clients = 32
	var (
		start = make(chan struct{})
		wg    sync.WaitGroup
		got   [clients][]byte
		errs  [clients]error
	)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			got[i], errs[i] = tiles.Tile(context.Background(), bigLayer, 5, int(tl.X), int(tl.Y))
		}(i)
	}
	close(start)
	wg.Wait()
	for i := range got {
		if errs[i] != nil || !bytes.Equal(got[i], want) {
			t.Fatalf("client %d: %d bytes, %v", i, len(got[i]), errs[i])
		}
	}
	if d := tiles.Drawn(); d < 1 || d > clients/2 {
		t.Fatalf("drawn %d times for %d clients at once", d, clients)
	}
	t.Logf("drawn %d times for %d clients", tiles.Drawn(), clients)
	// Later requests draw it again (the answer cache, not this, keeps tiles).
	tiles.Tile(context.Background(), bigLayer, 5, int(tl.X), int(tl.Y))
	if d2 := tiles.Drawn(); d2 < 2 {
		t.Fatalf("drawn %d times in all", d2)
	}
}

// A request that waits for another's drawing of the same tile is not let
// down when that other request leaves before its turn comes: it draws the
// tile itself.
func TestIndexTileWaiterOutlivesAbandonedDrawing(t *testing.T) {
	db, idx := indexFixture(t)
	ctx := context.Background()
	tiles := postgis.NewTileService(db, postgis.TileOptions{Index: idx, Workers: 1})
	tl := tileOf(detailCenter, 9)
	x, y := int(tl.X), int(tl.Y)
	want, err := postgis.NewTileService(db, postgis.TileOptions{}).Tile(ctx, bigLayer, 9, x, y)
	if err != nil || len(want) == 0 {
		t.Fatalf("%d bytes, %v", len(want), err)
	}
	version, err := tiles.Version(ctx, bigLayer)
	if err != nil {
		t.Fatal(err)
	}
	release := tiles.HoldTurn() // the only turn: both requests wait
	type answer struct {
		data []byte
		err  error
	}
	ask := func(ctx context.Context) chan answer {
		out := make(chan answer, 1)
		go func() {
			data, err := tiles.Tile(ctx, bigLayer, 9, x, y)
			out <- answer{data, err}
		}()
		return out
	}
	ctx1, leave := context.WithCancel(ctx)
	first := ask(ctx1)
	flight := func(want int) func() bool {
		return func() bool { joined, ok := tiles.Flight(bigLayer, version, 9, x, y); return ok && joined == want }
	}
	waitUntil(t, flight(0)) // the first request's drawing waits for a turn
	second := ask(ctx)
	waitUntil(t, flight(1)) // the second waits for that drawing
	leave()
	if a := <-first; !errors.Is(a.err, context.Canceled) {
		t.Fatalf("the request that left: %d bytes, %v", len(a.data), a.err)
	}
	release()
	if a := <-second; a.err != nil || !bytes.Equal(a.data, want) {
		t.Fatalf("the request that stayed: %d bytes (want %d), %v", len(a.data), len(want), a.err)
	}
}

// Turns bound how many requests work from the copies at once, and a
// request that gives up waiting leaves without one.
func TestIndexTurns(t *testing.T) {
	idx := postgis.NewLayerIndex(nil, nil, postgis.LayerIndexOptions{MaxBytes: 1, Workers: 2})
	ctx := context.Background()
	var (
		mu        sync.Mutex
		now, most int
		wg        sync.WaitGroup
		gate      = make(chan struct{})
	)
	inside := func() int { mu.Lock(); defer mu.Unlock(); return now }
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			done, err := idx.Turn(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			now++
			most = max(most, now)
			mu.Unlock()
			<-gate // hold the turn until the test lets go
			mu.Lock()
			now--
			mu.Unlock()
			done()
		}()
	}
	// Two hold turns and fourteen wait: one more cannot get in.
	waitUntil(t, func() bool { return inside() == 2 })
	short, stop := context.WithTimeout(ctx, 50*time.Millisecond)
	defer stop()
	if _, err := idx.Turn(short); err == nil {
		t.Fatal("a turn was given while two were held")
	}
	if n := inside(); n != 2 {
		t.Fatalf("%d requests hold turns, want 2", n)
	}
	close(gate)
	wg.Wait()
	if most != 2 {
		t.Fatalf("%d requests held turns at once, want 2", most)
	}
	if done, err := idx.Turn(ctx); err != nil {
		t.Fatalf("a turn once all were given back: %v", err)
	} else {
		done()
	}
}

// The tiles TileLoads lists, and how many features it says each draws, are
// the tiles whose query in PostgreSQL finds at least that many: the same
// box (the tile and its buffer) and the same smallest size; every tile to
// the deepest zoom over the layers is checked, listed or not.
func TestTileLoadsMatchPostGIS(t *testing.T) {
	db, idx := indexFixture(t)
	ctx := context.Background()
	tiles := postgis.NewTileService(db, postgis.TileOptions{Index: idx})
	const maxZoom, minFeatures = 8, 150
	// 300 squares 0.00025° across near 121.6E 41N: too small to read at
	// zoom 7 (half a unit is 0.00034°), not at zoom 8, so a zoom-8 tile
	// draws more of them than its parent.
	if _, err := db.Pool.Exec(ctx, `
INSERT INTO layer (id, kind, title_zh, title_en) VALUES ('specks', 'upload', '斑点', 'Specks');
INSERT INTO collection_version (collection) VALUES ('specks');
INSERT INTO layer_feature (layer_id, seq, fid, properties, geom)
SELECT 'specks', i, 's' || i, '{}', ST_MakeEnvelope(x, y, x + 0.00025, y + 0.00025, 4326)
FROM (SELECT i, 121.6 + (i % 20) * 0.002 AS x, 41.0 + (i / 20) * 0.002 AS y FROM generate_series(1, 300) i) g`); err != nil {
		t.Fatal(err)
	}
	var read []string
	idx.OnRead(func(layer string, version int64) { read = append(read, fmt.Sprint(layer, " ", version)) })
	if err := idx.Refresh(ctx, "specks"); err != nil {
		t.Fatal(err)
	}
	if v, err := tiles.Version(ctx, "specks"); err != nil || fmt.Sprint(read) != fmt.Sprintf("[specks %d]", v) {
		t.Fatalf("OnRead was told %q, the version is %d (%v)", read, v, err)
	}
	for _, layer := range []string{"mixed", bigLayer, "specks"} {
		version, err := tiles.Version(ctx, layer)
		if err != nil {
			t.Fatal(err)
		}
		loads, ok := tiles.TileLoads(layer, version, maxZoom, minFeatures)
		if !ok || len(loads) == 0 {
			t.Fatalf("%s: %d loads, ok %v", layer, len(loads), ok)
		}
		listed := map[[3]int]int{}
		for _, l := range loads {
			listed[[3]int{l.Z, l.X, l.Y}] = l.Features
		}
		checked, above := 0, 0
		for z := 0; z <= maxZoom; z++ {
			// Every tile that reaches the features' area, 118.5-126E 38.5-43.5N.
			lo, hi := tileOf(orb.Point{118.5, 43.5}, z), tileOf(orb.Point{126, 38.5}, z)
			for x := lo.X; x <= hi.X; x++ {
				for y := lo.Y; y <= hi.Y; y++ {
					var n int
					minSize := 0.0
					if z < 14 {
						minSize = 360 / float64(int64(4096)<<z) / 2
					}
					minLon, minLat, maxLon, maxLat := bufferedTile(z, int(x), int(y))
					err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM layer_feature f
WHERE f.layer_id = $1 AND f.geom && ST_MakeEnvelope($2, $3, $4, $5, 4326)
  AND (GeometryType(f.geom) IN ('POINT', 'MULTIPOINT')
  OR greatest(ST_XMax(f.geom) - ST_XMin(f.geom), ST_YMax(f.geom) - ST_YMin(f.geom)) >= $6)`,
						layer, minLon, minLat, maxLon, maxLat, minSize).Scan(&n)
					if err != nil {
						t.Fatal(err)
					}
					got, ok := listed[[3]int{z, int(x), int(y)}]
					if n >= minFeatures {
						above++
						if !ok || got != n {
							t.Errorf("%s %d/%d/%d: PostgreSQL finds %d features, TileLoads says %d (listed %v)", layer, z, x, y, n, got, ok)
						}
					} else if ok {
						t.Errorf("%s %d/%d/%d: listed with %d features, PostgreSQL finds %d", layer, z, x, y, got, n)
					}
					checked++
				}
			}
		}
		if above != len(loads) || above == checked {
			t.Fatalf("%s: %d tiles listed, %d of %d tiles checked have %d features or more", layer, len(loads), above, checked, minFeatures)
		}
		if _, ok := tiles.TileLoads(layer, version-1, maxZoom, minFeatures); ok {
			t.Errorf("%s: loads listed for a version the index does not hold", layer)
		}
	}
}

// bufferedTile is tile z/x/y grown by 64 of its 4,096 units on every side,
// in degrees, the longitudes held within ±180.
func bufferedTile(z, x, y int) (minLon, minLat, maxLon, maxLat float64) {
	const half = 20037508.342789244 // half the Web Mercator world, in metres
	size := 2 * half / float64(int64(1)<<z)
	m := size * 64 / 4096
	lon := func(mx float64) float64 { return max(-180, min(180, mx/half*180)) }
	lat := func(my float64) float64 { return math.Atan(math.Sinh(my/half*math.Pi)) * 180 / math.Pi }
	return lon(-half + float64(x)*size - m), lat(half - float64(y+1)*size - m), lon(-half + float64(x+1)*size + m), lat(half - float64(y)*size + m)
}

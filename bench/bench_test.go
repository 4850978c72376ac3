package bench_test

// Go benchmarks of planmap's read path, end to end through HTTP:
//
//	go test ./bench -run '^$' -bench . -benchtime 2s
//
// They start a throwaway PostGIS cluster (postgistest; TEST_DATABASE_URL
// uses an existing server), load the plan, generate BENCH_FEATURES
// (default 20,000) polygons with bench/internal/synth, the same code as
// bench/gen, and serve the app built as cmd/planmap builds it on
// httptest servers: one with the answer cache off, one with 256 MB. Each
// benchmark reports the mean response body as bytes/op (b.SetBytes), so
// MB/s is the body throughput of one sequential client.
//
// Without -bench, go test ./bench starts nothing and runs nothing.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/planmap/planmap/bench/internal/synth"
	"github.com/planmap/planmap/frontend"
	"github.com/planmap/planmap/geodata"
	"github.com/planmap/planmap/internal/gazetteer"
	"github.com/planmap/planmap/internal/httpapi"
	"github.com/planmap/planmap/internal/plan"
	"github.com/planmap/planmap/internal/postgis"
	"github.com/planmap/planmap/internal/postgis/postgistest"
	"github.com/planmap/planmap/internal/upload"
	"github.com/planmap/planmap/seeds"
)

var server *postgistest.Server

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		os.Exit(m.Run()) // no benchmark asked for: no cluster
	}
	os.Exit(postgistest.Main(m, &server))
}

const layer = "bench_polygons"

func features() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_FEATURES")); err == nil && n > 0 {
		return n
	}
	return 20000
}

// openDB opens a fresh database with planmap's default pool settings.
func openDB(b *testing.B) *postgis.DB {
	db, err := postgis.Open(context.Background(), server.URL(b), postgis.Options{MaxConns: 16, StatementTimeout: 10 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	if _, err := db.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	return db
}

// loadPlan loads the plan and the basemap (the Liaoning outline) as
// `planmap load` does.
func loadPlan(b *testing.B, db *postgis.DB) {
	idx, err := plan.Unmarshal([]byte(seeds.ClauseIndex))
	if err != nil {
		b.Fatal(err)
	}
	data, err := gazetteer.Load(geodata.Files)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Load(context.Background(), idx, data); err != nil {
		b.Fatal(err)
	}
}

// newApp builds the HTTP application as cmd/planmap's Serve does (a
// discarding logger at planmap's default level instead of stderr, no
// /metrics gauges); keep the two in step.
func newApp(b *testing.B, db *postgis.DB, cacheMB int) *httptest.Server {
	logger := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	versions := postgis.NewVersionWatcher(db, logger)
	cache, front := httpapi.NewAnswerCaches(cacheMB, versions)
	authSvc, err := postgis.NewAuthService(db, postgis.DefaultAuthConfig())
	if err != nil {
		b.Fatal(err)
	}
	uploads := upload.New(postgis.NewUploadStore(db), upload.Config{Dir: b.TempDir(), MaxBytes: 512 << 20, Logger: logger})
	b.Cleanup(uploads.Close)
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	go versions.Run(ctx)
	app := httpapi.New(
		httpapi.Config{Version: "bench", Logger: logger, RequestTimeout: 30 * time.Second, Assets: frontend.Dist(),
			SessionTTL: 12 * time.Hour, SignInPerMinute: 10, WritesPerMinute: 600, MaxWriteBytes: 16 << 20, Cache: cache, Front: front},
		httpapi.Services{
			Projects: postgis.NewProjectService(db),
			Layers:   postgis.NewLayerService(db, nil),
			Plan:     postgis.NewPlanService(db),
			Versions: versions,
			Health:   db,
			Auth:     authSvc,
			Edits:    postgis.NewEditService(db),
			Uploads:  uploads,
			Filters:  postgis.NewFilterService(db, versions),
			Tiles:    postgis.NewTileService(db, postgis.TileOptions{}),
		})
	srv := httptest.NewServer(app)
	b.Cleanup(srv.Close)
	return srv
}

// client asks as wrk does: no compression, kept-alive connections.
var client = &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 8}, Timeout: time.Minute}

// get fetches url and returns the body's length; a status other than 200
// (or 204, an empty tile, when tile is true) fails b.
func get(b *testing.B, url string, tile ...bool) int64 {
	resp, err := client.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		b.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK && !(resp.StatusCode == http.StatusNoContent && len(tile) > 0 && tile[0]) {
		b.Fatalf("GET %s: HTTP %d", url, resp.StatusCode)
	}
	return n
}

func bboxPath(x, y, half float64) string {
	return fmt.Sprintf("/collections/%s/items?bbox=%.5f,%.5f,%.5f,%.5f&limit=100", layer, x-half, y-half, x+half, y+half)
}

// measure gets next(i) for every iteration and reports the mean body size.
func measure(b *testing.B, next func(i int) string, tile ...bool) {
	var total, n int64
	for i := 0; b.Loop(); i++ {
		total += get(b, next(i), tile...)
		n++
	}
	if n > 0 {
		b.SetBytes(total / n)
	}
}

func BenchmarkPlanmap(b *testing.B) {
	ctx := context.Background()
	db := openDB(b)
	loadPlan(b, db)
	start := time.Now()
	res, err := synth.Generate(ctx, db.Pool, synth.Options{Layer: layer, Features: features()})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d polygons (%.1f vertices each, inside %s) in %s", res.Features, res.AvgVerts, res.Outline, time.Since(start).Round(time.Millisecond))
	centers, err := synth.RandomPoints(ctx, db.Pool, 1000, 5)
	if err != nil {
		b.Fatal(err)
	}
	cold, warm := newApp(b, db, 0), newApp(b, db, 256)

	// A new 0.2-degree box every request, cache off.
	b.Run("items_bbox_uncached", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(2012, 1))
		measure(b, func(int) string {
			c := centers[rng.IntN(len(centers))]
			return cold.URL + bboxPath(c[0]+rng.Float64()*0.02-0.01, c[1]+rng.Float64()*0.02-0.01, 0.1)
		})
	})
	// 50 fixed boxes in turn, answered from the cache after a priming pass.
	b.Run("items_bbox_cached", func(b *testing.B) {
		urls := make([]string, 50)
		for i := range urls {
			urls[i] = warm.URL + bboxPath(centers[i][0], centers[i][1], 0.1)
			get(b, urls[i])
		}
		measure(b, func(i int) string { return urls[i%len(urls)] })
	})
	b.Run("item", func(b *testing.B) {
		url := fmt.Sprintf("%s/collections/%s/items/f%07d", warm.URL, layer, res.Features/2)
		measure(b, func(int) string { return url })
	})
	b.Run("projects_feed", func(b *testing.B) {
		url := warm.URL + "/collections/projects/items?limit=1000"
		get(b, url)
		measure(b, func(int) string { return url })
	})

	// Tiles of the dense block around 123.0E 41.5N: random ones with the
	// cache off, and the z8 tile that holds the block.
	block := maptile.At(orb.Point{123.0, 41.5}, 8)
	for _, z := range []maptile.Zoom{11, 14} {
		b.Run(fmt.Sprintf("tiles_z%d_uncached", z), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(2012, uint64(z)))
			side := uint32(1) << (z - 8)
			measure(b, func(int) string {
				x, y := block.X*side+rng.Uint32N(side), block.Y*side+rng.Uint32N(side)
				return fmt.Sprintf("%s/collections/%s/tiles/WebMercatorQuad/%d/%d/%d", cold.URL, layer, z, y, x)
			}, true)
		})
	}
	b.Run("tile_z8", func(b *testing.B) {
		url := fmt.Sprintf("%s/collections/%s/tiles/WebMercatorQuad/8/%d/%d", cold.URL, layer, block.Y, block.X)
		measure(b, func(int) string { return url }, true)
	})
}

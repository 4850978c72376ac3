package httpapi_test

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/httpapi"
	"github.com/planmap/planmap/internal/ogcapi"
	"github.com/planmap/planmap/internal/postgis"
)

// Once the layer index has read a layer, its costliest tiles are in the
// tile cache before anyone asks for them: each is answered as a cache hit,
// byte for byte the tile PostgreSQL draws. Drawing ahead goes from the top
// zoom down, densest first, and stops where the budget would be passed; a
// version that is no longer current is not drawn ahead, and after a write
// the new version is.
func TestSeededTilesAreServedFromTheCache(t *testing.T) {
	var (
		versions *postgis.VersionWatcher
		idx      *postgis.LayerIndex
		tiles    *postgis.TileService
		cache    *ogcapi.Cache
	)
	srv, db, _ := newAppLogging(t, slog.New(slog.DiscardHandler), func(db *postgis.DB, cfg *httpapi.Config, svc *httpapi.Services) {
		versions = postgis.NewVersionWatcher(db, nil)
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		go versions.Run(ctx)
		idx = postgis.NewLayerIndex(db, versions, postgis.LayerIndexOptions{MaxBytes: 256 << 20})
		tiles = postgis.NewTileService(db, postgis.TileOptions{Index: idx})
		cache = ogcapi.NewCache(64<<20, 1<<20)
		cfg.Cache = cache
		svc.Versions, svc.Tiles = versions, tiles
	})
	waitFor(t, "the version watcher to listen", versions.Listening)
	ctx := t.Context()
	// 4,000 hexagons of 100-600 m around Shenyang.
	if _, err := db.Pool.Exec(ctx, `
INSERT INTO layer (id, kind, title_zh, title_en) VALUES ('plots', 'upload', '地块', 'Plots');
INSERT INTO collection_version (collection) VALUES ('plots');
INSERT INTO layer_feature (layer_id, seq, fid, properties, geom)
SELECT 'plots', i, 'p' || i, jsonb_build_object('n', i),
  ST_Buffer(ST_SetSRID(ST_MakePoint(123.0 + sin(i * 1.7) * 0.4, 41.8 + cos(i * 2.3) * 0.3), 4326), 0.0005 + (i % 11) * 0.0005, 'quad_segs=2')
FROM generate_series(1, 4000) i`); err != nil {
		t.Fatal(err)
	}
	currentVersion := func() int64 {
		t.Helper()
		var v int64
		waitFor(t, "the version of plots", func() bool {
			var ok bool
			v, ok = versions.Current("plots")
			return ok && v > 0
		})
		return v
	}
	version := currentVersion()
	if err := idx.Refresh(ctx, "plots"); err != nil {
		t.Fatal(err)
	}
	const minFeatures = 300
	loads, ok := tiles.TileLoads("plots", version, 14, minFeatures)
	if !ok || len(loads) < 6 {
		t.Fatalf("%d tiles with %d features or more (ok %v)", len(loads), minFeatures, ok)
	}
	slices.SortStableFunc(loads, func(a, b domain.TileLoad) int {
		return cmp.Or(cmp.Compare(a.Z, b.Z), cmp.Compare(b.Features, a.Features))
	})
	// What PostgreSQL draws, and a budget that holds the first half.
	plain := postgis.NewTileService(db, postgis.TileOptions{})
	want := make([][]byte, len(loads))
	var budget int64
	fit := len(loads) / 2
	for i, l := range loads {
		b, err := plain.Tile(ctx, "plots", l.Z, l.X, l.Y)
		if err != nil || len(b) == 0 {
			t.Fatalf("%+v: %d bytes, %v", l, len(b), err)
		}
		want[i] = b
		if i < fit {
			budget += int64(len(b))
		}
	}
	seeder := ogcapi.NewTileSeeder(tiles, tiles, cache, versions, ogcapi.SeedOptions{MaxBytes: budget, MinFeatures: minFeatures})
	go seeder.Run(ctx)
	seeded := func() ogcapi.SeedStats {
		t.Helper()
		waitFor(t, "drawing ahead to end", func() bool { return seeder.Stats().Pending == 0 })
		return seeder.Stats()
	}

	seeder.Read("plots", version-1)
	if st := seeded(); st.Tiles != 0 {
		t.Fatalf("an old version was drawn ahead: %+v", st)
	}
	seeder.Read("plots", version)
	if st := seeded(); st.Tiles != int64(fit) || st.Bytes != budget {
		t.Fatalf("drawn ahead %+v; want the first %d tiles, %d bytes", st, fit, budget)
	}
	tileURL := func(l domain.TileLoad) string {
		return fmt.Sprintf("%s/collections/plots/tiles/WebMercatorQuad/%d/%d/%d", srv.URL, l.Z, l.Y, l.X)
	}
	for i, l := range loads {
		resp, body := fetchRaw(t, tileURL(l))
		hit := resp.Header.Get("X-Cache") == "hit"
		if resp.StatusCode != 200 || hit != (i < fit) || !bytes.Equal(body, want[i]) {
			t.Errorf("%+v (%d of %d in order): %d, hit %v, %d bytes, PostgreSQL drew %d", l, i, len(loads), resp.StatusCode, hit, len(body), len(want[i]))
		}
	}

	// A write: the new version is drawn ahead, in the budget the old one
	// held.
	bumpVersion(t, db, versions, "plots", `UPDATE layer_feature SET properties = '{"n": 0}' WHERE layer_id = 'plots' AND seq = 1`)
	version = currentVersion()
	if err := idx.Refresh(ctx, "plots"); err != nil {
		t.Fatal(err)
	}
	seeder.Read("plots", version)
	if st := seeded(); st.Tiles != int64(2*fit) || st.Bytes != 2*budget {
		t.Fatalf("after a write, drawn ahead in all %+v; want %d tiles", st, 2*fit)
	}
	if resp, _ := fetchRaw(t, tileURL(loads[0])); resp.Header.Get("X-Cache") != "hit" || resp.Header.Get("ETag") == "" {
		t.Errorf("after a write, the first tile: %v", resp.Header)
	}
}

package ogcapi

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/planmap/planmap/internal/domain"
)

// Drawing ahead. The tiles that cost most to draw are those of low zooms
// over many features: at a million polygons over Liaoning, a zoom-11 tile
// holds 1,600 of them and takes about 10 ms of a processor. Asked for by
// many clients at once on a fresh cache (a new layer, a restart, a write),
// they queue behind each other. So once the layer index has read a layer,
// its costly tiles are drawn into the tile cache, zoom by zoom from the
// top, densest first within a zoom, until a byte budget is spent. Requests
// then find them as they find any tile drawn before.
//
// A drawing ahead waits its turn with the requests (the tile service's
// turns), keeps to one tile at a time, and stops as soon as the layer's
// version moves on: the next read of the layer starts it again.

// TileLoader lists a layer's costly tiles from the layer index
// (postgis.TileService.TileLoads).
type TileLoader interface {
	// TileLoads lists the tiles down to zoom maxZoom that draw at least
	// minFeatures features, as of version; ok is false when the index has
	// no copy of that version.
	TileLoads(layer string, version int64, maxZoom, minFeatures int) (loads []domain.TileLoad, ok bool)
}

// SeedOptions tune drawing ahead.
type SeedOptions struct {
	// MaxBytes bounds the tiles drawn ahead, of all layers together; zero
	// turns drawing ahead off.
	MaxBytes int64
	// MaxZoom is the deepest zoom drawn ahead; zero means 14, the zoom
	// from which tiles are drawn at full detail.
	MaxZoom int
	// MinFeatures is the fewest features a tile drawn ahead has: smaller
	// ones cost too little to be worth the memory. Zero means 500.
	MinFeatures int
	Logger      *slog.Logger
}

// TileSeeder draws layers' costly tiles into the tile cache ahead of
// requests; see above. A nil *TileSeeder does nothing.
type TileSeeder struct {
	tiles    TileService
	loads    TileLoader
	cache    *Cache
	versions domain.VersionService
	opt      SeedOptions
	wake     chan struct{}

	mu      sync.Mutex
	waiting map[string]int64 // layer -> version read, not yet drawn ahead
	held    map[string]int64 // layer -> bytes drawn ahead of its version
	busy    bool

	drawn, drawnBytes atomic.Int64
}

// NewTileSeeder returns a seeder that draws with tiles into cache the tiles
// that loads lists, following versions; nil when opt.MaxBytes or cache
// leave it nothing to do.
func NewTileSeeder(tiles TileService, loads TileLoader, cache *Cache, versions domain.VersionService, opt SeedOptions) *TileSeeder {
	if opt.MaxBytes <= 0 || cache == nil {
		return nil
	}
	if opt.MaxZoom <= 0 {
		opt.MaxZoom = 14
	}
	if opt.MinFeatures <= 0 {
		opt.MinFeatures = 500
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &TileSeeder{tiles: tiles, loads: loads, cache: cache, versions: versions, opt: opt,
		wake: make(chan struct{}, 1), waiting: map[string]int64{}, held: map[string]int64{}}
}

// Read tells the seeder that the index has read version of layer (see
// postgis.LayerIndex.OnRead); it never blocks.
func (s *TileSeeder) Read(layer string, version int64) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.waiting[layer] = version
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// SeedStats tell what has been drawn ahead.
type SeedStats struct {
	// Tiles and Bytes count every tile drawn ahead since the start.
	Tiles, Bytes int64
	// Pending counts the layers waiting to be drawn ahead or being drawn.
	Pending int
}

// Stats returns what has been drawn ahead.
func (s *TileSeeder) Stats() SeedStats {
	if s == nil {
		return SeedStats{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := SeedStats{Tiles: s.drawn.Load(), Bytes: s.drawnBytes.Load(), Pending: len(s.waiting)}
	if s.busy {
		st.Pending++
	}
	return st
}

// Run draws ahead the layers it is told of, one at a time, until ctx ends.
func (s *TileSeeder) Run(ctx context.Context) {
	if s == nil {
		return
	}
	for ctx.Err() == nil {
		layer, version, budget, ok := s.next()
		if !ok {
			select {
			case <-ctx.Done():
			case <-s.wake:
			}
			continue
		}
		bytes := s.seed(ctx, layer, version, budget)
		s.mu.Lock()
		s.busy = false
		if bytes > 0 {
			s.held[layer] = bytes
		}
		s.mu.Unlock()
	}
}

// next takes a layer to draw ahead, first by id, and the bytes it may
// draw: what the other layers' tiles leave of the budget. The layer's
// tiles of an older version are no longer counted: no request reaches them.
func (s *TileSeeder) next() (layer string, version, budget int64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.waiting) == 0 {
		return "", 0, 0, false
	}
	for id := range s.waiting {
		if !ok || id < layer {
			layer, ok = id, true
		}
	}
	version = s.waiting[layer]
	delete(s.waiting, layer)
	delete(s.held, layer)
	budget = s.opt.MaxBytes
	for _, b := range s.held {
		budget -= b
	}
	s.busy = true
	return layer, version, budget, true
}

// seed draws ahead the costly tiles of version of layer within budget and
// returns the bytes it drew.
func (s *TileSeeder) seed(ctx context.Context, layer string, version, budget int64) int64 {
	start := time.Now()
	loads, ok := s.loads.TileLoads(layer, version, s.opt.MaxZoom, s.opt.MinFeatures)
	if !ok || len(loads) == 0 || budget <= 0 {
		return 0
	}
	// From the top down, as a map opens; within a zoom, the densest first.
	slices.SortStableFunc(loads, func(a, b domain.TileLoad) int {
		return cmp.Or(cmp.Compare(a.Z, b.Z), cmp.Compare(b.Features, a.Features))
	})
	var (
		tiles  int
		bytes  int64
		reason = "done"
	)
	for _, t := range loads {
		if ctx.Err() != nil {
			reason = "stopped"
			break
		}
		if !s.current(ctx, layer, version) {
			reason = "the layer changed"
			break
		}
		key := tileCacheKey(layer, version, t.Z, t.X, t.Y)
		if s.cache.has(key) {
			continue
		}
		data, err := s.tiles.Tile(ctx, layer, t.Z, t.X, t.Y)
		if err != nil {
			if ctx.Err() == nil {
				s.opt.Logger.Warn("tile seeding: cannot draw a tile", "layer", layer, "z", t.Z, "x", t.X, "y", t.Y, "err", err)
			}
			reason = "stopped"
			break
		}
		// Drawn from the version the key names: it was current before
		// and is still.
		if !s.current(ctx, layer, version) {
			reason = "the layer changed"
			break
		}
		if bytes+int64(len(data)) > budget {
			reason = "budget spent"
			break
		}
		s.cache.put(key, layer, MediaMVT, data)
		tiles++
		bytes += int64(len(data))
		s.drawn.Add(1)
		s.drawnBytes.Add(int64(len(data)))
	}
	s.opt.Logger.Info("tile seeding: tiles drawn ahead", "layer", layer, "version", version, "tiles", tiles, "of", len(loads),
		"bytes", bytes, "budget", budget, "ended", reason, "seconds", time.Since(start).Seconds())
	return bytes
}

// current reports whether version is still the layer's version.
func (s *TileSeeder) current(ctx context.Context, layer string, version int64) bool {
	v, err := s.versions.CollectionVersion(ctx, layer)
	return err == nil && v == version
}

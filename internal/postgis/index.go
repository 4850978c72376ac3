package postgis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/rtree"
	"github.com/planmap/planmap/internal/vtile"
)

// The layer index keeps a read-only copy of each layer in memory, as of one
// data version, with a packed R-tree over the features' boxes. Pages of
// items without a CQL2 filter and vector tiles of a layer are answered from
// it, with no query, while its version is the layer's current one; at any
// other time, and for anything else, PostgreSQL answers as before.
//
// The copy answers exactly what the queries answer. It holds the bytes
// PostGIS writes for each feature's GeoJSON, its WKB projected once to Web
// Mercator (vtile.UnitWKB, which draws the same tiles), and boxes rounded
// to float32 as PostGIS rounds them for && and its GiST index. Tiles come from
// the same rows in the same order as the tile query gives them. The tests
// compare both ways byte for byte.
//
// The versions come from the notifications that every write sends (see
// VersionWatcher): a write on any instance makes the copy stale at once,
// and a new one is read once writes to the layer pause. With a replica, or
// while notifications are down, the index answers nothing.

// LayerIndexOptions tune the layer index.
type LayerIndexOptions struct {
	// MaxBytes bounds the memory of all copies together; a layer that does
	// not fit is left to PostgreSQL. Zero turns the index off.
	MaxBytes int64
	// Quiet is how long writes to a layer must pause before it is read
	// again. Zero means 500 ms.
	Quiet time.Duration
	// ChunkBytes is the size of the blocks a layer's bytes are kept in;
	// zero means 32 MiB.
	ChunkBytes int
	// Workers is how many requests work from the copies at once (see
	// Turn). Zero means one fewer than GOMAXPROCS, and at least one: a
	// processor stays free for the network, cached answers and requests
	// that wait on PostgreSQL.
	Workers int
	Logger  *slog.Logger
}

// CurrentVersions tells a collection's version as known without a query;
// ok is false when it cannot be known that way (VersionWatcher.Current).
type CurrentVersions interface {
	Current(collection string) (version int64, ok bool)
}

// LayerIndex holds in-memory copies of layers; see above. A nil
// *LayerIndex holds nothing.
type LayerIndex struct {
	db       *DB
	versions CurrentVersions
	opt      LayerIndexOptions
	wake     chan struct{}

	mu         sync.RWMutex
	snaps      map[string]*snapshot
	dirty      map[string]bool
	all        bool             // every layer must be read again
	perFeature map[string]int64 // bytes per feature of a layer found too large

	builds, failures, hits atomic.Int64

	onRead []func(layer string, version int64)

	// turns lets opt.Workers requests work from the copies at once, first
	// come first served (see Turn).
	turns turnstile
}

// NewLayerIndex returns an index of the layers in db; Run fills it and
// keeps it current. Register its Changed with the version watcher.
func NewLayerIndex(db *DB, versions CurrentVersions, opt LayerIndexOptions) *LayerIndex {
	if opt.Quiet <= 0 {
		opt.Quiet = 500 * time.Millisecond
	}
	if opt.ChunkBytes <= 0 {
		opt.ChunkBytes = 32 << 20
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Workers <= 0 {
		opt.Workers = max(1, runtime.GOMAXPROCS(0)-1)
	}
	return &LayerIndex{db: db, versions: versions, opt: opt, wake: make(chan struct{}, 1), turns: newTurnstile(opt.Workers),
		snaps: map[string]*snapshot{}, dirty: map[string]bool{}, all: true, perFeature: map[string]int64{}}
}

// Turn waits for a turn to work from the copies and returns the function
// that ends it, or an error when ctx ends first.
//
// Answers from memory never block, and Go lets a goroutine that does not
// block run out its time slice, then favours the one most recently made
// ready: under load, some requests waited many times longer than others
// (at 64 connections, p99 three times p50 when every request was let run).
// Turns are taken in order of arrival (a channel's waiters are a queue).
func (x *LayerIndex) Turn(ctx context.Context) (func(), error) {
	return x.turns.enter(ctx)
}

// OnRead registers fn to be called, on the index's goroutine, each time a
// layer has been read into the index; fn must not block. Register before
// Run.
func (x *LayerIndex) OnRead(fn func(layer string, version int64)) {
	x.mu.Lock()
	x.onRead = append(x.onRead, fn)
	x.mu.Unlock()
}

// Changed marks a collection as written; "" marks every one (the watcher
// calls it so after it missed notifications).
func (x *LayerIndex) Changed(collection string, _ int64) {
	if x == nil || x.opt.MaxBytes <= 0 || domain.Reserved(collection) {
		return
	}
	x.mu.Lock()
	if collection == "" {
		x.all = true
	} else {
		x.dirty[collection] = true
	}
	x.mu.Unlock()
	select {
	case x.wake <- struct{}{}:
	default:
	}
}

// Run reads every layer that fits, then each layer again after writes to
// it pause, until ctx ends. With a replica it does nothing: the replica's
// data may lag the versions the index would be checked against.
func (x *LayerIndex) Run(ctx context.Context) {
	if x == nil || x.opt.MaxBytes <= 0 || x.db.HasReplica() {
		return
	}
	for {
		x.mu.Lock()
		all, dirty := x.all, x.dirty
		x.all, x.dirty = false, map[string]bool{}
		x.mu.Unlock()
		if all {
			ids, err := x.layerIDs(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				x.opt.Logger.Warn("layer index: cannot list layers", "err", err)
				x.Changed("", 0) // try again after the pause
			}
			for _, id := range ids {
				dirty[id] = true
			}
		}
		for id := range dirty {
			if err := x.Refresh(ctx, id); err != nil {
				if ctx.Err() != nil {
					return
				}
				x.failures.Add(1)
				x.opt.Logger.Warn("layer index: layer left to PostgreSQL", "layer", id, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-x.wake:
		}
		// Let a burst of writes end before reading the layer again.
		for quiet := false; !quiet; {
			select {
			case <-ctx.Done():
				return
			case <-x.wake:
			case <-time.After(x.opt.Quiet):
				quiet = true
			}
		}
	}
}

func (x *LayerIndex) layerIDs(ctx context.Context) ([]string, error) {
	rows, err := x.db.Pool.Query(ctx, `SELECT id FROM layer ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// errTooLarge stops reading a layer that does not fit in the index.
var errTooLarge = errors.New("postgis: the layer does not fit in the layer index")

// Refresh reads one layer into the index now, replacing its copy; a layer
// that no longer exists leaves the index.
func (x *LayerIndex) Refresh(ctx context.Context, layer string) error {
	if x == nil || x.opt.MaxBytes <= 0 {
		return nil
	}
	x.mu.RLock()
	room := x.opt.MaxBytes
	for id, s := range x.snaps {
		if id != layer {
			room -= s.bytes
		}
	}
	perFeature := x.perFeature[layer]
	have := int64(-1)
	if old := x.snaps[layer]; old != nil {
		have = old.version
	}
	x.mu.RUnlock()
	start := time.Now()
	s, err := x.read(ctx, layer, room, perFeature, have)
	if errors.Is(err, errUnchanged) {
		return nil
	}
	if errors.Is(err, errTooLarge) || errors.Is(err, errNoLayer) {
		x.mu.Lock()
		delete(x.snaps, layer)
		if s != nil && s.n > 0 {
			x.perFeature[layer] = s.bytes / int64(s.n)
		}
		x.mu.Unlock()
		if errors.Is(err, errNoLayer) {
			return nil
		}
		return fmt.Errorf("%w (%d bytes free)", err, room)
	}
	if err != nil {
		return err
	}
	x.mu.Lock()
	x.snaps[layer] = s
	delete(x.perFeature, layer)
	onRead := x.onRead
	x.mu.Unlock()
	x.builds.Add(1)
	x.opt.Logger.Info("layer index: layer read", "layer", layer, "version", s.version, "features", s.n,
		"bytes", s.bytes, "seconds", time.Since(start).Seconds())
	for _, fn := range onRead {
		fn(layer, s.version)
	}
	return nil
}

// IndexStats describe the index's contents.
type IndexStats struct {
	Layers, Features int
	Bytes            int64
	Builds, Failures int64
	// Hits counts the answers taken from the index.
	Hits int64
}

// Stats returns what the index holds and how often it was read.
func (x *LayerIndex) Stats() IndexStats {
	if x == nil {
		return IndexStats{}
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	st := IndexStats{Layers: len(x.snaps), Builds: x.builds.Load(), Failures: x.failures.Load(), Hits: x.hits.Load()}
	for _, s := range x.snaps {
		st.Features += s.n
		st.Bytes += s.bytes
	}
	return st
}

// fresh returns the copy of layer when it is of the layer's current
// version, else nil.
func (x *LayerIndex) fresh(layer string) *snapshot {
	s := x.current(layer)
	if s != nil {
		x.hits.Add(1)
	}
	return s
}

// current is fresh without counting a hit.
func (x *LayerIndex) current(layer string) *snapshot {
	if x == nil {
		return nil
	}
	x.mu.RLock()
	s := x.snaps[layer]
	x.mu.RUnlock()
	if s == nil {
		return nil
	}
	if v, ok := x.versions.Current(layer); !ok || v != s.version {
		return nil
	}
	return s
}

// snapshot is one layer as of one version. Per-feature bytes live in one
// arena and the rest in flat slices, so that a million features cost the
// garbage collector nothing to scan.
type snapshot struct {
	version int64
	layer   domain.Layer // the layer's row, as of version
	n       int
	seq     []int64
	// off holds, for feature i, where its GeoJSON, properties, WKB (in the
	// unit square, see vtile.UnitWKB) and fid start and where the last
	// ends (off[5i] to off[5i+4]), as chunk<<32 | offset in chunks.
	off       []int64
	chunks    [][]byte
	chunkSize int

	tree *rtree.Tree
	// Searches run by tree leaf (rtree.SearchLeaves), and what they read
	// is kept in leaf order, so that it is read in sequence.
	leafFeature []uint32  // leaf -> feature
	leafRank    []uint32  // leaf -> place in tile order, | leafPoint for points
	size        []float64 // feature -> larger side of its box, the tile order
	order       []uint32  // place in tile order -> feature
	bytes       int64
}

// leafPoint marks, in leafRank, a point or multipoint: the tile query
// keeps those whatever their size.
const leafPoint = 1 << 31

func (s *snapshot) field(i, k int) []byte {
	from, to := s.off[5*i+k], s.off[5*i+k+1]
	return s.chunks[from>>32][from&chunkMask : to&chunkMask]
}

// A layer's bytes are kept in chunks, so that reading a large one never
// copies what it has read to grow: a feature's fields share one chunk.
const chunkMask = 1<<32 - 1

// appendFeature stores a feature's fields, the WKB projected on the way.
func (s *snapshot) appendFeature(json, props, wkb, fid []byte) error {
	need := len(json) + len(props) + len(wkb) + len(fid)
	last := len(s.chunks) - 1
	if last < 0 || cap(s.chunks[last])-len(s.chunks[last]) < need {
		s.chunks = append(s.chunks, make([]byte, 0, max(s.chunkSize, need)))
		last++
	}
	c := s.chunks[last]
	at := func() int64 { return int64(last)<<32 | int64(len(c)) }
	s.off = append(s.off, at())
	c = append(c, json...)
	s.off = append(s.off, at())
	c = append(c, props...)
	s.off = append(s.off, at())
	c, err := vtile.AppendUnitWKB(c, wkb)
	if err != nil {
		return err
	}
	s.off = append(s.off, at())
	c = append(c, fid...)
	s.off = append(s.off, at())
	s.chunks[last] = c
	return nil
}

// chunkBytes is the memory the chunks hold.
func (s *snapshot) chunkBytes() int64 {
	var n int64
	for _, c := range s.chunks {
		n += int64(cap(c))
	}
	return n
}
func (s *snapshot) json(i int) []byte    { return s.field(i, 0) }
func (s *snapshot) props(i int) []byte   { return s.field(i, 1) }
func (s *snapshot) unitWKB(i int) []byte { return s.field(i, 2) }
func (s *snapshot) fid(i int) string     { return string(s.field(i, 3)) }

var (
	errNoLayer   = errors.New("postgis: no such layer")
	errUnchanged = errors.New("postgis: the layer's copy is current")
)

// snapshotQuery reads a layer in collection order with what items and
// tiles need: the feature as GeoJSON, as the items query writes it; its
// properties and WKB, as the tile query reads them; and the exact box from
// which the tile query orders features.
const snapshotQuery = `SELECT f.seq, ` + featureJSON + `, f.properties::text, ST_AsBinary(f.geom), f.fid,
       ST_XMin(f.geom), ST_YMin(f.geom), ST_XMax(f.geom), ST_YMax(f.geom),
       COALESCE(GeometryType(f.geom) IN ('POINT', 'MULTIPOINT'), false)
FROM layer_feature f
WHERE f.layer_id = $1
ORDER BY f.seq`

// read copies a layer from one snapshot of the database, giving up with
// errTooLarge past room bytes (perFeature, when known, lets it give up
// before reading) and with errUnchanged when the layer is still at
// version have.
func (x *LayerIndex) read(ctx context.Context, layer string, room, perFeature, have int64) (*snapshot, error) {
	s := &snapshot{chunkSize: x.opt.ChunkBytes}
	err := pgx.BeginTxFunc(ctx, x.db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// A large layer takes longer to read than any request may.
		if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
			return err
		}
		l, err := scanLayer(tx.QueryRow(ctx, layerQuery+" WHERE l.id = $1", layer))
		if errors.Is(err, pgx.ErrNoRows) {
			return errNoLayer
		}
		if err != nil {
			return err
		}
		s.layer, s.version = *l, l.Version
		var count int64
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM layer_feature WHERE layer_id = $1`, layer).Scan(&count); err != nil {
			return err
		}
		if s.version == have {
			return errUnchanged
		}
		if perFeature > 0 && count*perFeature > room {
			s.n, s.bytes = int(count), count*perFeature
			return errTooLarge
		}
		s.seq = make([]int64, 0, count)
		s.off = make([]int64, 0, 5*count)
		s.size = make([]float64, 0, count)
		points := make([]bool, 0, count)
		boxes := make([]rtree.Box, 0, count)
		items := make([]uint32, 0, count)
		rows, err := tx.Query(ctx, snapshotQuery, layer)
		if err != nil {
			return err
		}
		defer rows.Close()
		var (
			seq                    int64
			json, props, wkb, fid  pgtype.DriverBytes
			minX, minY, maxX, maxY pgtype.Float8
			point                  bool
			fixed                  = int64(8 + 5*8 + 8 + 4 + 4 + 4 + 16 + 4 + 2) // per feature, beside its bytes: seq, off, size, leafFeature, leafRank, order, the tree's box and index and its nodes
		)
		for rows.Next() {
			if err := rows.Scan(&seq, &json, &props, &wkb, &fid, &minX, &minY, &maxX, &maxY, &point); err != nil {
				return err
			}
			i := len(s.seq)
			if err := s.appendFeature(json, props, wkb, fid); err != nil {
				return fmt.Errorf("feature %q: %w", fid, err)
			}
			s.seq = append(s.seq, seq)
			points = append(points, point)
			size := math.NaN()
			if minX.Valid && minY.Valid && maxX.Valid && maxY.Valid {
				size = max(maxX.Float64-minX.Float64, maxY.Float64-minY.Float64)
				boxes = append(boxes, rtree.FromFloat64(minX.Float64, minY.Float64, maxX.Float64, maxY.Float64))
				items = append(items, uint32(i))
			}
			s.size = append(s.size, size)
			if used := s.chunkBytes() + int64(len(s.seq))*fixed; used > room {
				s.n, s.bytes = len(s.seq), used
				return errTooLarge
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		s.n = len(s.seq)
		if last := len(s.chunks) - 1; last >= 0 {
			s.chunks[last] = slices.Clone(s.chunks[last]) // no spare capacity kept
		}
		s.tree = rtree.New(boxes)
		// The tile query's order: larger side of the box first, then seq.
		order := make([]uint32, s.n)
		for i := range order {
			order[i] = uint32(i)
		}
		slices.SortFunc(order, func(a, b uint32) int {
			sa, sb := s.size[a], s.size[b]
			switch {
			case sa > sb || (!math.IsNaN(sa) && math.IsNaN(sb)):
				return -1
			case sa < sb || (math.IsNaN(sa) && !math.IsNaN(sb)):
				return 1
			}
			return int(a) - int(b) // seq order is feature order
		})
		rank := make([]uint32, s.n)
		for r, i := range order {
			rank[i] = uint32(r)
		}
		s.order = order
		s.leafFeature = make([]uint32, len(items))
		s.leafRank = make([]uint32, len(items))
		for pos, item := range s.tree.Order() {
			i := items[item]
			s.leafFeature[pos], s.leafRank[pos] = i, rank[i]
			if points[i] {
				s.leafRank[pos] |= leafPoint
			}
		}
		s.bytes = s.chunkBytes() + int64(s.n)*fixed
		return nil
	})
	if errors.Is(err, errTooLarge) || errors.Is(err, errNoLayer) || errors.Is(err, errUnchanged) {
		return s, err
	}
	if err != nil {
		return nil, mapError(err)
	}
	return s, nil
}

// search appends to out the features whose box overlaps box (PostGIS's
// &&), in no order.
func (s *snapshot) search(out []uint32, box domain.BBox) []uint32 {
	s.tree.SearchLeaves(s.query(box), func(pos int) bool {
		out = append(out, s.leafFeature[pos])
		return true
	})
	return out
}

// query is the tree's box for a filter box.
func (s *snapshot) query(box domain.BBox) rtree.Box {
	return rtree.FromFloat64(min(box.MinLon, box.MaxLon), min(box.MinLat, box.MaxLat), max(box.MinLon, box.MaxLon), max(box.MinLat, box.MaxLat))
}

// found holds search results between requests.
var foundPool = sync.Pool{New: func() any { return new([]uint32) }}

// eachJSON is EachFeatureJSON from the copy.
// selected is called once the page's features are chosen, before any is
// written.
func (s *snapshot) eachJSON(f domain.FeatureFilter, selected func(), fn func([]byte) error) (int, error) {
	var (
		matched int
		feature func(k int) int
	)
	if f.BBox != nil {
		buf := foundPool.Get().(*[]uint32)
		defer foundPool.Put(buf)
		found := s.search((*buf)[:0], *f.BBox)
		*buf = found
		// Only the page's features need their order: the first
		// offset+limit of them, found in linear time, then sorted.
		if f.Limit > 0 && f.Offset+f.Limit < len(found) {
			smallest(found, f.Offset+f.Limit)
			slices.Sort(found[:f.Offset+f.Limit])
		} else {
			slices.Sort(found)
		}
		matched, feature = len(found), func(k int) int { return int(found[k]) }
	} else {
		matched, feature = s.n, func(k int) int { return k }
	}
	selected()
	end := matched
	if f.Limit > 0 {
		end = min(end, f.Offset+f.Limit)
	}
	for k := max(f.Offset, 0); k < end; k++ {
		if err := fn(s.json(feature(k))); err != nil {
			return 0, err
		}
	}
	return matched, nil
}

// smallest moves the k smallest values of a (distinct) to its front, in no
// order. Each round counts the values into 256 buckets of their range, moves
// the buckets wholly below the k-th value to the front, and goes on in the
// bucket that holds it: a few branch-free passes, where a quickselect
// mispredicts a branch at every other comparison.
func smallest(a []uint32, k int) {
	for k > 0 && k < len(a) {
		lo, hi := a[0], a[0]
		for _, v := range a {
			lo, hi = min(lo, v), max(hi, v)
		}
		shift := uint(0)
		for (hi-lo)>>shift >= 256 {
			shift++
		}
		var count [256]int
		for _, v := range a {
			count[(v-lo)>>shift]++
		}
		b, below := uint32(0), 0
		for below+count[b] < k {
			below += count[b]
			b++
		}
		i := 0
		for j, v := range a {
			if (v-lo)>>shift < b {
				a[i], a[j] = v, a[i]
				i++
			}
		}
		for j := i; j < len(a); j++ {
			if v := a[j]; (v-lo)>>shift == b {
				a[i], a[j] = v, a[i]
				i++
			}
		}
		// a[below:i] is bucket b, which holds the k-th smallest value.
		a, k = a[below:i], k-below
	}
}

// tileCount counts the features whose box overlaps box (all), and those of
// them that tileFeatures gives for minSize (drawn).
func (s *snapshot) tileCount(box domain.BBox, minSize float64) (all, drawn int) {
	cutoff := s.tileCutoff(minSize)
	s.tree.SearchLeaves(rtree.FromFloat64(box.MinLon, box.MinLat, box.MaxLon, box.MaxLat), func(pos int) bool {
		all++
		if r := s.leafRank[pos]; r < cutoff || r&leafPoint != 0 {
			drawn++
		}
		return true
	})
	return all, drawn
}

// tileCutoff is the place in tile order of the first line or polygon
// smaller than minSize: sizes fall along the tile order, so the features
// large enough are the ones placed before it.
func (s *snapshot) tileCutoff(minSize float64) uint32 {
	if minSize <= 0 {
		return uint32(len(s.order))
	}
	return uint32(sort.Search(len(s.order), func(r int) bool { return !(s.size[s.order[r]] >= minSize) }))
}

// tileFeatures calls fn with the features the tile query would return for
// the filter box and smallest size, in its order, until fn returns false.
func (s *snapshot) tileFeatures(box domain.BBox, minSize float64, fn func(i int) bool) {
	q := rtree.FromFloat64(box.MinLon, box.MinLat, box.MaxLon, box.MaxLat)
	cutoff := s.tileCutoff(minSize)
	var found []uint32
	s.tree.SearchLeaves(q, func(pos int) bool {
		if r := s.leafRank[pos]; r < cutoff || r&leafPoint != 0 {
			found = append(found, r&^leafPoint)
		}
		return true
	})
	slices.Sort(found)
	for _, r := range found {
		if !fn(int(s.order[r])) {
			return
		}
	}
}

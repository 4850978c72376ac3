package postgis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/vtile"
)

// Tile geometry of the WebMercatorQuad (XYZ) tiling scheme.
const (
	// TileExtent is the size of a tile in MVT coordinates.
	TileExtent = 4096
	// TileBuffer is how far, in MVT coordinates, geometries reach past a tile's edge.
	TileBuffer = 64
	// TileMaxZoom is the deepest zoom level of WebMercatorQuad.
	TileMaxZoom = 24

	mercatorHalf = 20037508.342789244 // half the width of the Web Mercator world, in metres
)

// TileOptions tune how tiles are generalised.
type TileOptions struct {
	// MaxBytes is the size a tile does not exceed: it keeps only as many
	// of its features, largest first, as fit. Zero means 500,000.
	MaxBytes int
	// FullDetailZoom is the zoom from which tiles are not simplified beyond
	// the MVT grid. Zero means 14.
	FullDetailZoom int
	// RowChunk is how many rows a low-zoom tile reads at a time. Zero
	// means 16,384.
	RowChunk int
	// Index, when not nil, draws layers' tiles from its copies.
	Index *LayerIndex
	// Workers is how many tiles are drawn from the index at once, first
	// come first served. Zero means GOMAXPROCS: drawing is all processor
	// work, and on 2 cores one worker drew half as many tiles a second.
	Workers int
}

// TileService renders collections as Mapbox Vector Tiles from PostGIS.
type TileService struct {
	db  *DB
	opt TileOptions

	// Requests for a tile that is being drawn from the layer index wait for
	// that drawing instead of drawing it again: when a tile is first asked
	// for by many clients at once (a map opened by many, a cache emptied by
	// a write), the work is done once.
	mu      sync.Mutex
	flights map[tileKey]*tileFlight
	drawn   atomic.Int64
	turns   turnstile // see LayerIndex.Turn
}

type tileKey struct {
	collection string
	z, x, y    int
	version    int64
}

var errNotDrawn = errors.New("postgis: the tile was not drawn")

type tileFlight struct {
	done chan struct{}
	data []byte
	err  error
	// abandoned: the request that started it left while it waited for a
	// turn, and nothing was drawn.
	abandoned bool
	joined    int // requests that came to wait for it; guarded by TileService.mu
}

// Drawn returns how many tiles were drawn from the layer index.
func (s *TileService) Drawn() int64 { return s.drawn.Load() }

// NewTileService returns a TileService on db.
func NewTileService(db *DB, opt TileOptions) *TileService {
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 500_000
	}
	if opt.FullDetailZoom <= 0 {
		opt.FullDetailZoom = 14
	}
	if opt.RowChunk <= 0 {
		opt.RowChunk = tileRowChunk
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	return &TileService{db: db, opt: opt, flights: map[tileKey]*tileFlight{}, turns: newTurnstile(opt.Workers)}
}

// Tiles are drawn in Go (package vtile) from the rows of one indexed query:
// PostgreSQL finds the features in the tile's box and sends them as WKB;
// projection, clipping, simplification and the MVT encoding, which
// ST_AsMVTGeom does with a costly validity pass per feature, run here.
//
// The queries take:
//
//	$1 collection id
//	$2..$5 filter box in EPSG:4326: the tile and its buffer
//	$6 smallest extent, in degrees, of a line or polygon worth reading
//	$7, $8 how many rows to read, and how many to pass over first
//
// Rows come largest first (by the larger side of the bounding box), then in
// the collection's order, so that a tile that fills up keeps its largest
// features, and small ones draw on top of large ones. The filter box is
// computed in Go rather than with ST_Transform(ST_TileEnvelope(...), 4326):
// PROJ wraps longitudes past ±180°, which turns the box of an edge tile
// into most of the world. The GiST index on the EPSG:4326 column serves
// the && test.
const (
	tileSize  = `greatest(ST_XMax(f.geom) - ST_XMin(f.geom), ST_YMax(f.geom) - ST_YMin(f.geom))`
	tileWhere = ` f.geom && ST_MakeEnvelope($2::float8, $3::float8, $4::float8, $5::float8, 4326)
	AND ($6::float8 <= 0 OR GeometryType(f.geom) IN ('POINT', 'MULTIPOINT') OR ` + tileSize + ` >= $6::float8)`
)

// Layer features carry fid and their top-level scalar properties; the
// feature id is seq.
const layerTileQuery = `SELECT f.seq, f.fid, f.properties::text, ST_AsBinary(f.geom)
FROM layer_feature f
WHERE f.layer_id = $1 AND` + tileWhere + `
ORDER BY ` + tileSize + ` DESC, f.seq
LIMIT $7::int8 OFFSET $8::int8`

const projectTileQuery = `SELECT 0::int, f.id, jsonb_strip_nulls(jsonb_build_object('id', f.id, 'name_zh', f.name_zh,
	'name_en', f.name_en, 'section', f.section, 'item', f.item, 'category', f.category, 'status', f.status,
	'location_precision', f.location_precision, 'uncertainty_km', f.uncertainty_km, 'programme', f.programme,
	'cross_border', f.cross_border))::text, ST_AsBinary(f.geom)
FROM project f
WHERE $1::text = 'projects' AND` + tileWhere + `
ORDER BY ` + tileSize + ` DESC, f.id
LIMIT $7::int8 OFFSET $8::int8`

// A tile reads its rows in chunks, so that one that fills up early does not
// wait for rows it would throw away, and at most tileRowLimit rows: more
// features than fit in its byte budget (each takes at least a dozen bytes).
const (
	tileRowChunk     = 16_384
	tileRowLimit     = 50_000
	tileChunkedBelow = 11 // zoom from which a tile is read in one query
)

// checkTile rejects a tile outside WebMercatorQuad.
func checkTile(z, x, y int) error {
	if z < 0 || z > TileMaxZoom {
		return domain.Errorf(domain.EINVALID, "zoom level %d is outside 0 to %d", z, TileMaxZoom)
	}
	n := 1 << z
	if x < 0 || x >= n || y < 0 || y >= n {
		return domain.Errorf(domain.EINVALID, "tile %d/%d/%d is outside the tile matrix (0 to %d)", z, x, y, n-1)
	}
	return nil
}

// tileQuery picks a collection's query, or answers not_found for an id
// that no collection can have. Ids come from the registry, never the SQL.
func tileQuery(collection string) (string, error) {
	switch {
	case collection == domain.CollectionProjects:
		return projectTileQuery, nil
	case domain.LayerIDPattern.MatchString(collection):
		return layerTileQuery, nil
	}
	return "", domain.Errorf(domain.ENOTFOUND, "no collection has id %q", collection)
}

// filterBox returns the longitude/latitude box of tile z/x/y grown by the
// MVT buffer on every side and clamped to the world.
func filterBox(z, x, y int) domain.BBox {
	size := 2 * mercatorHalf / float64(int64(1)<<z)
	margin := size * TileBuffer / TileExtent
	minX := -mercatorHalf + float64(x)*size - margin
	maxX := -mercatorHalf + float64(x+1)*size + margin
	maxY := mercatorHalf - float64(y)*size + margin
	minY := mercatorHalf - float64(y+1)*size - margin
	lon := func(mx float64) float64 { return math.Max(-180, math.Min(180, mx/mercatorHalf*180)) }
	lat := func(my float64) float64 { return math.Atan(math.Sinh(my/mercatorHalf*math.Pi)) * 180 / math.Pi }
	return domain.BBox{MinLon: lon(minX), MinLat: lat(minY), MaxLon: lon(maxX), MaxLat: lat(maxY)}
}

// Tile returns tile z/x/y (XYZ: y counts down from the north) of a
// collection as a Mapbox Vector Tile with one layer named after the
// collection, or a zero-length slice when no feature reaches the tile.
// An unknown collection is a not_found error.
//
// Below FullDetailZoom lines and rings are simplified by one MVT unit, and
// lines and polygons smaller than half a unit are not read: on the grid
// they would collapse. A tile that would pass MaxBytes keeps its largest
// features, as many as fit, so that features smaller than a pixel go
// before any that show.
func (s *TileService) Tile(ctx context.Context, collection string, z, x, y int) ([]byte, error) {
	if err := checkTile(z, x, y); err != nil {
		return nil, err
	}
	q, err := tileQuery(collection)
	if err != nil {
		return nil, err
	}
	box := filterBox(z, x, y)
	opt := vtile.Options{Extent: TileExtent, Buffer: TileBuffer, MaxBytes: s.opt.MaxBytes}
	minSize := s.minSize(z)
	if z < s.opt.FullDetailZoom {
		opt.Tolerance = 1
	}
	layer := vtile.NewLayer(collection, z, x, y, opt)
	isLayer := collection != domain.CollectionProjects
	var (
		read  int
		full  bool
		attrs []vtile.Property
	)
	readChunk := func(q pgx.Tx, sql string, limit int) (int, error) {
		var rows pgx.Rows
		var err error
		args := []any{collection, box.MinLon, box.MinLat, box.MaxLon, box.MaxLat, minSize, limit, read}
		if q != nil {
			rows, err = q.Query(ctx, sql, args...)
		} else {
			rows, err = s.db.reader(ctx).Query(ctx, sql, args...)
		}
		if err != nil {
			return 0, mapError(err)
		}
		defer rows.Close()
		var (
			n   int
			seq int64
			fid string
			// Both only valid until the next row: read in place, never kept.
			props pgtype.DriverBytes
			geom  pgtype.DriverBytes
		)
		for rows.Next() {
			if err := rows.Scan(&seq, &fid, &props, &geom); err != nil {
				return 0, mapError(err)
			}
			n++
			if attrs, err = tileProperties(attrs[:0], props); err != nil {
				return 0, fmt.Errorf("feature %q: %w", fid, err)
			}
			if isLayer {
				attrs = append(attrs, vtile.Property{Key: "fid", Value: fid})
			}
			if _, err := layer.AddWKB(geom, uint64(seq), isLayer, attrs); errors.Is(err, vtile.ErrFull) {
				full = true
				break
			} else if err != nil {
				return 0, err
			}
		}
		rows.Close()
		return n, mapError(rows.Err())
	}
	if snap := s.opt.Index.fresh(collection); snap != nil && isLayer && !domain.UsePrimary(ctx) {
		key := tileKey{collection, z, x, y, snap.version}
		for {
			s.mu.Lock()
			if f := s.flights[key]; f != nil {
				f.joined++
				s.mu.Unlock()
				select {
				case <-f.done:
					if f.abandoned && ctx.Err() == nil {
						// The request that started it left before its turn
						// came; this one still waits, so it draws.
						continue
					}
					return f.data, f.err
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
			f := &tileFlight{done: make(chan struct{})}
			s.flights[key] = f
			s.mu.Unlock()
			// The bytes are shared by every waiter: nobody writes to them. The
			// waiters are let go even if drawing panics.
			f.err = errNotDrawn
			func() {
				defer func() {
					s.mu.Lock()
					delete(s.flights, key)
					s.mu.Unlock()
					close(f.done)
				}()
				done, err := s.turns.enter(ctx)
				if err != nil {
					f.err, f.abandoned = err, true
					return
				}
				defer done()
				f.data, f.err = drawFromIndex(snap, layer, box, minSize)
				s.drawn.Add(1)
			}()
			return f.data, f.err
		}
	}
	if z >= tileChunkedBelow {
		// A tile this small seldom fills up: one query.
		n, err := readChunk(nil, q, tileRowLimit)
		if err != nil {
			return nil, err
		}
		read = n
	} else {
		// Chunks read from one snapshot, so that a write between them
		// neither repeats nor loses a feature.
		err := pgx.BeginTxFunc(ctx, s.db.reader(ctx), pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			for !full && read < tileRowLimit {
				limit := min(s.opt.RowChunk, tileRowLimit-read)
				n, err := readChunk(tx, q, limit)
				if err != nil {
					return err
				}
				read += n
				if n < limit {
					break
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if read == 0 && isLayer {
		if _, err := s.Version(ctx, collection); err != nil {
			return nil, err
		}
	}
	return layer.Marshal(), nil
}

// minSize is the smallest extent, in degrees, of a line or polygon that a
// tile at zoom z reads: below FullDetailZoom, half an MVT unit, smaller
// than which it would collapse on the grid.
func (s *TileService) minSize(z int) float64 {
	if z >= s.opt.FullDetailZoom {
		return 0
	}
	return 360 / float64(int64(TileExtent)<<z) / 2
}

// TileLoads lists the tiles of a layer, down to zoom maxZoom, that draw at
// least minFeatures features, with how many each draws, as of version; ok
// is false when the layer index holds no copy of that version. It counts
// in the copy the features each tile's drawing reads (the tile query's box
// and smallest size), and goes into a tile's children only while the
// features whose box meets the tile, of any size, reach minFeatures: no
// child has more of those than its parent.
func (s *TileService) TileLoads(layer string, version int64, maxZoom, minFeatures int) (loads []domain.TileLoad, ok bool) {
	snap := s.opt.Index.current(layer)
	if snap == nil || snap.version != version {
		return nil, false
	}
	minFeatures = max(minFeatures, 1)
	maxZoom = min(maxZoom, TileMaxZoom)
	var walk func(z, x, y int)
	walk = func(z, x, y int) {
		all, drawn := snap.tileCount(filterBox(z, x, y), s.minSize(z))
		if all < minFeatures {
			return
		}
		if drawn >= minFeatures {
			loads = append(loads, domain.TileLoad{Z: z, X: x, Y: y, Features: drawn})
		}
		if z < maxZoom {
			for _, c := range [4][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				walk(z+1, 2*x+c[0], 2*y+c[1])
			}
		}
	}
	if maxZoom >= 0 {
		walk(0, 0, 0)
	}
	return loads, true
}

// yieldEvery is how many features a drawing adds between yields to other
// goroutines: about a quarter of a millisecond of work.
const yieldEvery = 128

// drawFromIndex draws a layer's tile from its copy in memory: the same
// rows, in the same order, as the tile query reads.
func drawFromIndex(snap *snapshot, layer *vtile.Layer, box domain.BBox, minSize float64) ([]byte, error) {
	var (
		read  int
		attrs []vtile.Property
		ferr  error
	)
	snap.tileFeatures(box, minSize, func(i int) bool {
		read++
		if read%yieldEvery == 0 {
			// Let requests waiting for a processor run: a low-zoom tile
			// takes tens of milliseconds, and Go would let it run for
			// ten before a cached answer got its turn.
			runtime.Gosched()
		}
		fid := snap.fid(i)
		if attrs, ferr = tileProperties(attrs[:0], snap.props(i)); ferr != nil {
			ferr = fmt.Errorf("feature %q: %w", fid, ferr)
			return false
		}
		attrs = append(attrs, vtile.Property{Key: "fid", Value: fid})
		_, err := layer.AddUnitWKB(snap.unitWKB(i), uint64(snap.seq[i]), true, attrs)
		if errors.Is(err, vtile.ErrFull) {
			return false
		}
		ferr = err
		return err == nil && read < tileRowLimit
	})
	if ferr != nil {
		return nil, ferr
	}
	return layer.Marshal(), nil
}

// tileProperties appends the scalar members of a JSON object: strings,
// numbers and booleans. Nested objects, arrays and nulls have no MVT value
// type and are left out, as is a "fid" member, which the tile carries
// from the feature itself.
func tileProperties(out []vtile.Property, object []byte) ([]vtile.Property, error) {
	err := scalarMembers(object, func(key string, v any) {
		if key != "fid" {
			out = append(out, vtile.Property{Key: key, Value: v})
		}
	})
	return out, err
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// Version returns the collection's data version, which changes with every
// write to it; an unknown collection is a not_found error.
func (s *TileService) Version(ctx context.Context, collection string) (int64, error) {
	var (
		v   int64
		err error
	)
	switch {
	case collection == domain.CollectionProjects:
		err = s.db.reader(ctx).QueryRow(ctx, `SELECT COALESCE((SELECT version FROM collection_version WHERE collection = 'projects'), 0)`).Scan(&v)
	case domain.LayerIDPattern.MatchString(collection):
		err = s.db.reader(ctx).QueryRow(ctx, `SELECT COALESCE(v.version, 0) FROM layer l
LEFT JOIN collection_version v ON v.collection = l.id WHERE l.id = $1`, collection).Scan(&v)
	default:
		err = pgx.ErrNoRows
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, domain.Errorf(domain.ENOTFOUND, "no collection has id %q", collection)
	}
	return v, mapError(err)
}

// Field types as TileJSON's vector_layers describe them.
const (
	FieldString  = "String"
	FieldNumber  = "Number"
	FieldBoolean = "Boolean"
)

// ProjectTileFields are the attributes of the projects collection's tiles.
var ProjectTileFields = map[string]string{
	"id": FieldString, "name_zh": FieldString, "name_en": FieldString, "section": FieldNumber,
	"item": FieldNumber, "category": FieldString, "status": FieldString, "location_precision": FieldString,
	"uncertainty_km": FieldNumber, "programme": FieldString, "cross_border": FieldBoolean,
}

// Fields names the attributes that a collection's tiles carry, with their
// types; a property whose type varies between features is a String.
func (s *TileService) Fields(ctx context.Context, collection string) (map[string]string, error) {
	if collection == domain.CollectionProjects {
		out := make(map[string]string, len(ProjectTileFields))
		for k, v := range ProjectTileFields {
			out[k] = v
		}
		return out, nil
	}
	if _, err := s.Version(ctx, collection); err != nil {
		return nil, err
	}
	rows, err := s.db.reader(ctx).Query(ctx, `SELECT e.key, array_agg(DISTINCT jsonb_typeof(e.value))
FROM layer_feature f, jsonb_each(f.properties) e
WHERE f.layer_id = $1 AND jsonb_typeof(e.value) IN ('string', 'number', 'boolean') AND e.key <> 'fid'
GROUP BY e.key`, collection)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	out := map[string]string{"fid": FieldString}
	for rows.Next() {
		var (
			key   string
			types []string
		)
		if err := rows.Scan(&key, &types); err != nil {
			return nil, mapError(err)
		}
		sort.Strings(types)
		switch {
		case len(types) == 1 && types[0] == "number":
			out[key] = FieldNumber
		case len(types) == 1 && types[0] == "boolean":
			out[key] = FieldBoolean
		default:
			out[key] = FieldString
		}
	}
	return out, mapError(rows.Err())
}

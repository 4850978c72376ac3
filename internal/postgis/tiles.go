package postgis

import (
	"context"
	"errors"
	"math"
	"sort"

	"github.com/jackc/pgx/v5"

	"github.com/planmap/planmap/internal/domain"
)

// Tile geometry of the WebMercatorQuad (XYZ) tiling scheme.
const (
	// TileExtent is the size of a tile in MVT coordinates.
	TileExtent = 4096
	// TileBuffer is how far, in MVT coordinates, geometries reach past a tile's edge.
	TileBuffer = 64
	// TileMaxZoom is the deepest zoom level of WebMercatorQuad.
	TileMaxZoom = 24

	mercatorHalf  = 20037508.342789244 // half the width of the Web Mercator world, in metres
	pixelsPerTile = 256                // WebMercatorQuad's tile width in pixels
)

// TileOptions tune how tiles are generalised.
type TileOptions struct {
	// MaxBytes is the size a tile should not exceed: a tile over it is
	// rendered again simplified more, with only as many of its features,
	// largest first, as fit. Zero means 500,000.
	MaxBytes int
	// FullDetailZoom is the zoom from which tiles are not simplified beyond
	// the MVT grid unless they exceed MaxBytes. Zero means 14.
	FullDetailZoom int
}

// TileService renders collections as Mapbox Vector Tiles in PostGIS.
type TileService struct {
	db  *DB
	opt TileOptions
}

// NewTileService returns a TileService on db.
func NewTileService(db *DB, opt TileOptions) *TileService {
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 500_000
	}
	if opt.FullDetailZoom <= 0 {
		opt.FullDetailZoom = 14
	}
	return &TileService{db: db, opt: opt}
}

// tileSQL describes how one source of features becomes one MVT layer.
// The queries take the collection id, the tile and every tuning value as
// parameters:
//
//	$1 collection id, also the layer name   $2 z   $3 x   $4 y
//	$5..$8 filter box in EPSG:4326: the tile and its buffer
//	$9 simplification tolerance in metres (0: none)
//	$10 (capped query only) how many features to keep, largest first
//
// The filter box is computed in Go rather than with
// ST_Transform(ST_TileEnvelope(..., margin), 4326): PROJ wraps longitudes
// past ±180°, which turns the box of an edge tile into most of the world.
// Either way the GiST index on the EPSG:4326 column serves the && test.
// Geometries reaching past Web Mercator's latitude limit are clipped to it
// before they are projected, since the poles have no Mercator coordinates.
type tileSQL struct {
	columns string // attribute columns of the inner row, from alias f
	outer   string // the same columns as the MVT row carries them, from alias s
	from    string // table with alias f
	where   string // collection condition
	order   string // column that orders features in the tile
	idCol   string // integer feature id column, or ""
}

var projectTileSQL = tileSQL{
	columns: `f.id, f.name_zh, f.name_en, f.section, f.item, f.category, f.status, f.location_precision,
			f.uncertainty_km, f.programme, f.cross_border`,
	outer: `s.id, s.name_zh, s.name_en, s.section, s.item, s.category, s.status, s.location_precision,
		s.uncertainty_km, s.programme, s.cross_border`,
	from:  `project f`,
	where: `$1::text = 'projects'`,
	order: `id`,
}

// Layer features carry fid and the top-level scalar properties (ST_AsMVT
// turns a jsonb column's keys into attributes); nested objects, arrays and
// nulls have no MVT value type and are left out. The feature id is seq.
var layerTileSQL = tileSQL{
	columns: `f.seq, f.fid, (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(f.properties) e
			WHERE jsonb_typeof(e.value) IN ('string', 'number', 'boolean') AND e.key <> 'fid') AS properties`,
	outer: `s.seq, s.fid, s.properties`,
	from:  `layer_feature f`,
	where: `f.layer_id = $1`,
	order: `seq`,
	idCol: `seq`,
}

// sql returns the query; capped keeps the $10 largest features.
func (q tileSQL) sql(capped bool) string {
	idArg := ""
	if q.idCol != "" {
		idArg = ", '" + q.idCol + "'"
	}
	limit := ""
	if capped {
		limit = `
		ORDER BY greatest(ST_XMax(f.geom) - ST_XMin(f.geom), ST_YMax(f.geom) - ST_YMin(f.geom)) DESC, f.` + q.order + `
		LIMIT $10::int8`
	}
	// FILTER rather than WHERE: a WHERE on geom would be pushed down into
	// the subquery and run ST_AsMVTGeom twice per feature.
	return `
SELECT COALESCE(ST_AsMVT(t, $1::text, 4096, 'geom'` + idArg + ` ORDER BY t.` + q.order + `) FILTER (WHERE t.geom IS NOT NULL), ''::bytea),
	count(*) FILTER (WHERE t.geom IS NOT NULL)
FROM (
	SELECT ` + q.outer + `,
		ST_AsMVTGeom(CASE WHEN $9::float8 > 0 THEN ST_Simplify(ST_Transform(s.g, 3857), $9::float8) ELSE ST_Transform(s.g, 3857) END,
			ST_TileEnvelope($2::int, $3::int, $4::int), 4096, 64, true) AS geom
	FROM (
		SELECT ` + q.columns + `,
			CASE WHEN ST_YMax(f.geom) > 85.0511287798066 OR ST_YMin(f.geom) < -85.0511287798066
				THEN ST_ClipByBox2D(f.geom, ST_MakeEnvelope(-180, -85.0511287798066, 180, 85.0511287798066, 4326))
				ELSE f.geom END AS g
		FROM ` + q.from + `
		WHERE ` + q.where + `
			AND f.geom && ST_MakeEnvelope($5::float8, $6::float8, $7::float8, $8::float8, 4326)` + limit + `
	) s
) t`
}

// layerTileQuery joins layer so that an unknown layer answers no row at all.
func layerTileQuery(capped bool) string {
	return `SELECT q.* FROM layer l CROSS JOIN LATERAL (` + layerTileSQL.sql(capped) + `) q WHERE l.id = $1`
}

// The queries of each source: [0] all features, [1] capped.
var (
	projectTileQueries = [2]string{projectTileSQL.sql(false), projectTileSQL.sql(true)}
	layerTileQueries   = [2]string{layerTileQuery(false), layerTileQuery(true)}
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

// tileQueries picks a collection's queries, or answers not_found for an id
// that no collection can have. Ids come from the registry, never the SQL.
func tileQueries(collection string) ([2]string, error) {
	switch {
	case collection == domain.CollectionProjects:
		return projectTileQueries, nil
	case domain.LayerIDPattern.MatchString(collection):
		return layerTileQueries, nil
	}
	return [2]string{}, domain.Errorf(domain.ENOTFOUND, "no collection has id %q", collection)
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

// tolerance returns the simplification tolerance in metres at zoom z: in
// full detail one MVT unit (none from FullDetailZoom on), generalised two.
func (s *TileService) tolerance(z int, generalised bool) float64 {
	unit := 2 * mercatorHalf / float64(int64(1)<<z) / TileExtent
	switch {
	case generalised:
		return 2 * unit
	case z >= s.opt.FullDetailZoom:
		return 0
	}
	return unit
}

// Tile returns tile z/x/y (XYZ: y counts down from the north) of a
// collection as a Mapbox Vector Tile with one layer named after the
// collection, or a zero-length slice when no feature reaches the tile.
// An unknown collection is a not_found error.
//
// A tile is rendered in full detail first. One over MaxBytes is rendered
// again generalised: simplified by two MVT units and with only as many
// features as fit, largest first, so that features smaller than a pixel
// go before any that show. A hard cut at one pixel would empty the low-zoom
// tiles of a layer of many small polygons, and keep too much of one of many
// large ones.
func (s *TileService) Tile(ctx context.Context, collection string, z, x, y int) ([]byte, error) {
	if err := checkTile(z, x, y); err != nil {
		return nil, err
	}
	queries, err := tileQueries(collection)
	if err != nil {
		return nil, err
	}
	box := filterBox(z, x, y)
	render := func(limit int64) ([]byte, int64, error) {
		q, args := queries[0], []any{collection, z, x, y, box.MinLon, box.MinLat, box.MaxLon, box.MaxLat, s.tolerance(z, limit > 0)}
		if limit > 0 {
			q, args = queries[1], append(args, limit)
		}
		var (
			mvt []byte
			n   int64
		)
		// A low-zoom tile of a large layer may take longer than an API call
		// is allowed; it is rendered once and cached, so it gets its own limit.
		err := pgx.BeginFunc(ctx, s.db.reader(ctx), func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SET LOCAL statement_timeout = '120s'"); err != nil {
				return err
			}
			return tx.QueryRow(ctx, q, args...).Scan(&mvt, &n)
		})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, 0, domain.Errorf(domain.ENOTFOUND, "no collection has id %q", collection)
		}
		if err != nil {
			return nil, 0, mapError(err)
		}
		return nonNil(mvt), n, nil
	}
	mvt, n, err := render(0)
	if err != nil {
		return nil, err
	}
	// Each try keeps as many features as the last one's bytes per feature
	// say fit in 90% of MaxBytes.
	for i := 0; i < 8 && len(mvt) > s.opt.MaxBytes && n > 1; i++ {
		limit := max(1, int64(float64(n)*float64(s.opt.MaxBytes)/float64(len(mvt))*0.9))
		if mvt, n, err = render(limit); err != nil {
			return nil, err
		}
	}
	return mvt, nil
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

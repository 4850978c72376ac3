package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/planmap/planmap/internal/domain"
)

// LayerService reads layers from PostGIS.
type LayerService struct {
	db    *DB
	index *LayerIndex

	mu    sync.Mutex
	stats map[string]layerStats
}

// layerStats are a layer's feature count and extent at one data version.
type layerStats struct {
	version  int64
	features int
	extent   *domain.BBox
}

// NewLayerService returns a LayerService on db. With an index (which may
// be nil), pages of items without a CQL2 filter come from its copies.
func NewLayerService(db *DB, index *LayerIndex) *LayerService {
	return &LayerService{db: db, index: index, stats: map[string]layerStats{}}
}

// withStats fills in the layer's count and extent, computed once for each
// data version of the layer.
func (s *LayerService) withStats(ctx context.Context, l *domain.Layer) error {
	s.mu.Lock()
	st, ok := s.stats[l.ID]
	s.mu.Unlock()
	if !ok || st.version != l.Version {
		ext := wkb.Scanner(nil)
		st = layerStats{version: l.Version}
		err := s.db.reader(ctx).QueryRow(ctx, `SELECT count(*), ST_AsBinary(ST_Extent(geom)::geometry) FROM layer_feature WHERE layer_id = $1`, l.ID).
			Scan(&st.features, ext)
		if err != nil {
			return mapError(err)
		}
		if ext.Valid {
			b := ext.Geometry.Bound()
			st.extent = &domain.BBox{MinLon: b.Min[0], MinLat: b.Min[1], MaxLon: b.Max[0], MaxLat: b.Max[1]}
		}
		s.mu.Lock()
		s.stats[l.ID] = st
		s.mu.Unlock()
	}
	l.Features, l.Extent = st.features, st.extent
	return nil
}

var _ domain.LayerService = (*LayerService)(nil)

// layerQuery reads layers without their features: counting and measuring
// a large layer is far too slow for every request (see stats).
const layerQuery = `
SELECT l.id, l.kind, l.title_zh, l.title_en, l.description, l.attribution, l.license, l.updated_at,
       COALESCE(v.version, 0)
FROM layer l LEFT JOIN collection_version v ON v.collection = l.id`

func scanLayer(row pgx.Row) (*domain.Layer, error) {
	var l domain.Layer
	if err := row.Scan(&l.ID, &l.Kind, &l.TitleZH, &l.TitleEN, &l.Description, &l.Attribution, &l.License, &l.UpdatedAt,
		&l.Version); err != nil {
		return nil, err
	}
	return &l, nil
}

// programmesLayer describes the programmes as a collection: one feature
// per programme, its geometry the collection of its sited members.
func (s *LayerService) programmesLayer(ctx context.Context) (*domain.Layer, error) {
	l := &domain.Layer{ID: domain.CollectionProgrammes, Kind: "programme", TitleZH: "方案中的计划类项目", TitleEN: "Programmes of the plan",
		Description: "Counted sets of projects the plan names, such as the 42 parks of the coastal economic belt, with how many are sited so far; the geometry collects the sited members.",
		Attribution: "planmap", License: "CC-BY-4.0"}
	ext := wkb.Scanner(nil)
	err := s.db.reader(ctx).QueryRow(ctx, `SELECT count(*) FILTER (WHERE p.count_target IS NOT NULL),
	(SELECT ST_AsBinary(ST_Extent(m.geom)::geometry) FROM project m WHERE m.programme IS NOT NULL),
	COALESCE((SELECT version FROM collection_version WHERE collection = 'projects'), 0)
FROM project p`).Scan(&l.Features, ext, &l.Version)
	if err != nil {
		return nil, mapError(err)
	}
	if ext.Valid {
		b := ext.Geometry.Bound()
		l.Extent = &domain.BBox{MinLon: b.Min[0], MinLat: b.Min[1], MaxLon: b.Max[0], MaxLat: b.Max[1]}
	}
	return l, nil
}

// programmeFeatures is the query behind the programmes collection.
const programmeFeatures = `
SELECT p.id AS fid,
       jsonb_build_object('id', p.id, 'name_zh', p.name_zh, 'name_en', p.name_en, 'section', p.section, 'item', p.item,
           'category', p.category, 'count_target', p.count_target, 'members', count(m.id), 'sited', count(m.geom),
           'progress', count(m.geom) || ' of ' || p.count_target || ' sited', 'clause', p.clause) AS properties,
       ST_Collect(m.geom) AS geom, p.version, p.section, p.item
FROM project p LEFT JOIN project m ON m.programme = p.id
WHERE p.count_target IS NOT NULL
GROUP BY p.id`

// Layers lists every layer: the programmes, then basemap layers, then uploads.
func (s *LayerService) Layers(ctx context.Context) ([]*domain.Layer, error) {
	prog, err := s.programmesLayer(ctx)
	if err != nil {
		return nil, err
	}
	out := []*domain.Layer{prog}
	rows, err := s.db.reader(ctx).Query(ctx, layerQuery+" ORDER BY l.kind, l.id")
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		l, err := scanLayer(rows)
		if err != nil {
			return nil, mapError(err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	rows.Close()
	for _, l := range out {
		if l.ID == domain.CollectionProgrammes {
			continue
		}
		if err := s.withStats(ctx, l); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// LayerStats fills in a layer's feature count and extent.
func (s *LayerService) LayerStats(ctx context.Context, l *domain.Layer) error {
	if l.ID == domain.CollectionProgrammes {
		return nil
	}
	return s.withStats(ctx, l)
}

// FindLayer returns one layer without its count and extent (LayerStats
// adds them), or a not_found error.
func (s *LayerService) FindLayer(ctx context.Context, id string) (*domain.Layer, error) {
	if id == domain.CollectionProgrammes {
		return s.programmesLayer(ctx)
	}
	// Every change to a layer's row changes its version, so the index's
	// copy of the row is current while its features are.
	if !domain.UsePrimary(ctx) {
		if snap := s.index.fresh(id); snap != nil {
			l := snap.layer
			return &l, nil
		}
	}
	l, err := scanLayer(s.db.reader(ctx).QueryRow(ctx, layerQuery+" WHERE l.id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "no collection has id %q", id)
	}
	return l, mapError(err)
}

// FindFeatures returns one page of a layer's features in file order.
func (s *LayerService) FindFeatures(ctx context.Context, layer string, f domain.FeatureFilter) (*domain.FeaturePage, error) {
	page := &domain.FeaturePage{Features: []*domain.LayerFeature{}}
	matched, err := s.EachFeature(ctx, layer, f, func(lf *domain.LayerFeature) error {
		page.Features = append(page.Features, lf)
		return nil
	})
	if err != nil {
		return nil, err
	}
	page.Matched = matched
	return page, nil
}

// featureQuery builds the SELECT of a layer's matching features with the
// given columns, and the query counting them.
func featureQuery(layer string, f domain.FeatureFilter, columns string) (sel string, args []any, count string, countArgs []any, err error) {
	from := " FROM layer_feature f"
	args = []any{layer}
	where := " WHERE f.layer_id = $1"
	order := " ORDER BY f.seq"
	if layer == domain.CollectionProgrammes {
		from = " FROM (" + programmeFeatures + ") f"
		where = " WHERE $1::text IS NOT NULL"
		order = " ORDER BY f.section, f.item, f.fid"
	}
	if f.BBox != nil {
		args = append(args, f.BBox.MinLon, f.BBox.MinLat, f.BBox.MaxLon, f.BBox.MaxLat)
		where += " AND f.geom && ST_MakeEnvelope($2, $3, $4, $5, 4326)"
	}
	if f.Where != nil {
		sql, wargs, err := f.Where(len(args) + 1)
		if err != nil {
			return "", nil, "", nil, err
		}
		where += " AND (" + sql + ")"
		args = append(args, wargs...)
	}
	countArgs = append([]any{}, args...)
	var sb strings.Builder
	sb.WriteString("SELECT ")
	sb.WriteString(columns)
	sb.WriteString(from)
	sb.WriteString(where)
	sb.WriteString(order)
	if f.Limit > 0 {
		args = append(args, f.Limit)
		sb.WriteString(" LIMIT $" + strconv.Itoa(len(args)))
	}
	args = append(args, f.Offset)
	sb.WriteString(" OFFSET $" + strconv.Itoa(len(args)))
	return sb.String(), args, "SELECT count(*)" + from + where, countArgs, nil
}

// EachFeature streams a layer's matching features, in file order, to fn.
func (s *LayerService) EachFeature(ctx context.Context, layer string, f domain.FeatureFilter, fn func(*domain.LayerFeature) error) (int, error) {
	sel, args, count, countArgs, err := featureQuery(layer, f, "f.fid, f.properties, ST_AsBinary(f.geom), f.version")
	if err != nil {
		return 0, err
	}
	rows, err := s.db.reader(ctx).Query(ctx, sel, args...)
	if err != nil {
		return 0, mapError(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			lf    domain.LayerFeature
			props []byte
		)
		g := wkb.Scanner(nil)
		if err := rows.Scan(&lf.ID, &props, g, &lf.Version); err != nil {
			return 0, mapError(err)
		}
		lf.Properties, lf.Geometry = json.RawMessage(props), g.Geometry
		n++
		if err := fn(&lf); err != nil {
			return 0, err
		}
	}
	if err := rows.Err(); err != nil {
		return 0, mapError(err)
	}
	return s.matched(ctx, f.Offset, f.Limit, n, count, countArgs)
}

// matched counts the features that match, by a query only when the page
// does not tell: a first page shorter than its limit holds them all. A
// count beside the rows (a window function) would make PostgreSQL read and
// encode every match of a large layer before the first row.
func (s *LayerService) matched(ctx context.Context, offset, limit, n int, count string, args []any) (int, error) {
	if offset == 0 && (limit <= 0 || n < limit) {
		return n, nil
	}
	var matched int
	if err := s.db.reader(ctx).QueryRow(ctx, count, args...).Scan(&matched); err != nil {
		return 0, mapError(err)
	}
	return matched, nil
}

// featureJSON is a GeoJSON Feature written by PostGIS, in CRS84; it has
// the members, in the order, that package ogcapi writes.
const featureJSON = `'{"type":"Feature","id":' || to_json(f.fid)::text || ',"geometry":' || COALESCE(ST_AsGeoJSON(f.geom, 9), 'null') || ',"properties":' || f.properties::text || '}'`

// EachFeatureJSON streams matching features as GeoJSON that PostGIS
// encodes: for large layers this is faster than decoding geometries here.
func (s *LayerService) EachFeatureJSON(ctx context.Context, layer string, f domain.FeatureFilter, fn func([]byte) error) (int, error) {
	if f.Where == nil && !domain.UsePrimary(ctx) {
		if snap := s.index.fresh(layer); snap != nil {
			// The turn covers finding the page; writing it, which waits
			// on the client and the answer caches, does not need one.
			done, err := s.index.Turn(ctx)
			if err != nil {
				return 0, err
			}
			var once sync.Once
			release := func() { once.Do(done) }
			defer release()
			return snap.eachJSON(f, release, fn)
		}
	}
	sel, args, count, countArgs, err := featureQuery(layer, f, featureJSON)
	if err != nil {
		return 0, err
	}
	rows, err := s.db.reader(ctx).Query(ctx, sel, args...)
	if err != nil {
		return 0, mapError(err)
	}
	defer rows.Close()
	n := 0
	var feature []byte
	for rows.Next() {
		if err := rows.Scan(&feature); err != nil {
			return 0, mapError(err)
		}
		n++
		if err := fn(feature); err != nil {
			return 0, err
		}
	}
	if err := rows.Err(); err != nil {
		return 0, mapError(err)
	}
	return s.matched(ctx, f.Offset, f.Limit, n, count, countArgs)
}

// FindFeatureByID returns one feature of a layer, or a not_found error.
func (s *LayerService) FindFeatureByID(ctx context.Context, layer, id string) (*domain.LayerFeature, error) {
	var (
		lf    domain.LayerFeature
		props []byte
	)
	g := wkb.Scanner(nil)
	q := `SELECT f.fid, f.properties, ST_AsBinary(f.geom), f.version FROM layer_feature f WHERE f.layer_id = $1 AND f.fid = $2`
	if layer == domain.CollectionProgrammes {
		q = `SELECT f.fid, f.properties, ST_AsBinary(f.geom), f.version FROM (` + programmeFeatures + `) f WHERE $1::text IS NOT NULL AND f.fid = $2`
	}
	err := s.db.reader(ctx).QueryRow(ctx, q, layer, id).Scan(&lf.ID, &props, g, &lf.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "collection %q has no feature with id %q", layer, id)
	}
	if err != nil {
		return nil, mapError(err)
	}
	lf.Properties, lf.Geometry = json.RawMessage(props), g.Geometry
	return &lf, nil
}

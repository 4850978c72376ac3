package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/planmap/planmap/internal/domain"
)

// LayerService reads layers from PostGIS.
type LayerService struct{ db *DB }

// NewLayerService returns a LayerService on db.
func NewLayerService(db *DB) *LayerService { return &LayerService{db: db} }

var _ domain.LayerService = (*LayerService)(nil)

const layerQuery = `
SELECT l.id, l.kind, l.title_zh, l.title_en, l.description, l.attribution, l.license, l.updated_at,
       COALESCE(v.version, 0),
       (SELECT count(*) FROM layer_feature f WHERE f.layer_id = l.id),
       (SELECT ST_AsBinary(ST_Extent(f.geom)::geometry) FROM layer_feature f WHERE f.layer_id = l.id)
FROM layer l LEFT JOIN collection_version v ON v.collection = l.id`

func scanLayer(row pgx.Row) (*domain.Layer, error) {
	var l domain.Layer
	ext := wkb.Scanner(nil)
	if err := row.Scan(&l.ID, &l.Kind, &l.TitleZH, &l.TitleEN, &l.Description, &l.Attribution, &l.License, &l.UpdatedAt,
		&l.Version, &l.Features, ext); err != nil {
		return nil, err
	}
	if ext.Valid {
		b := ext.Geometry.Bound()
		l.Extent = &domain.BBox{MinLon: b.Min[0], MinLat: b.Min[1], MaxLon: b.Max[0], MaxLat: b.Max[1]}
	}
	return &l, nil
}

// Layers lists every layer, basemap layers first, then by id.
func (s *LayerService) Layers(ctx context.Context) ([]*domain.Layer, error) {
	rows, err := s.db.Pool.Query(ctx, layerQuery+" ORDER BY l.kind, l.id")
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []*domain.Layer
	for rows.Next() {
		l, err := scanLayer(rows)
		if err != nil {
			return nil, mapError(err)
		}
		out = append(out, l)
	}
	return out, mapError(rows.Err())
}

// FindLayer returns one layer, or a not_found error.
func (s *LayerService) FindLayer(ctx context.Context, id string) (*domain.Layer, error) {
	l, err := scanLayer(s.db.Pool.QueryRow(ctx, layerQuery+" WHERE l.id = $1", id))
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

// EachFeature streams a layer's matching features, in file order, to fn.
func (s *LayerService) EachFeature(ctx context.Context, layer string, f domain.FeatureFilter, fn func(*domain.LayerFeature) error) (int, error) {
	args := []any{layer}
	where := " WHERE f.layer_id = $1"
	if f.BBox != nil {
		args = append(args, f.BBox.MinLon, f.BBox.MinLat, f.BBox.MaxLon, f.BBox.MaxLat)
		where += " AND f.geom && ST_MakeEnvelope($2, $3, $4, $5, 4326)"
	}
	if f.Where != nil {
		sql, wargs, err := f.Where(len(args) + 1)
		if err != nil {
			return 0, err
		}
		where += " AND (" + sql + ")"
		args = append(args, wargs...)
	}
	whereArgs := append([]any{}, args...)
	var sb strings.Builder
	sb.WriteString("SELECT f.fid, f.properties, ST_AsBinary(f.geom), count(*) OVER () FROM layer_feature f")
	sb.WriteString(where)
	sb.WriteString(" ORDER BY f.seq")
	if f.Limit > 0 {
		args = append(args, f.Limit)
		sb.WriteString(" LIMIT $" + strconv.Itoa(len(args)))
	}
	args = append(args, f.Offset)
	sb.WriteString(" OFFSET $" + strconv.Itoa(len(args)))
	rows, err := s.db.Pool.Query(ctx, sb.String(), args...)
	if err != nil {
		return 0, mapError(err)
	}
	defer rows.Close()
	matched, n := 0, 0
	for rows.Next() {
		var (
			lf    domain.LayerFeature
			props []byte
		)
		g := wkb.Scanner(nil)
		if err := rows.Scan(&lf.ID, &props, g, &matched); err != nil {
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
	if n == 0 {
		var count strings.Builder
		count.WriteString("SELECT count(*) FROM layer_feature f")
		count.WriteString(where)
		if err := s.db.Pool.QueryRow(ctx, count.String(), whereArgs...).Scan(&matched); err != nil {
			return 0, mapError(err)
		}
	}
	return matched, nil
}

// FindFeatureByID returns one feature of a layer, or a not_found error.
func (s *LayerService) FindFeatureByID(ctx context.Context, layer, id string) (*domain.LayerFeature, error) {
	var (
		lf    domain.LayerFeature
		props []byte
	)
	g := wkb.Scanner(nil)
	err := s.db.Pool.QueryRow(ctx, `SELECT f.fid, f.properties, ST_AsBinary(f.geom) FROM layer_feature f
WHERE f.layer_id = $1 AND f.fid = $2`, layer, id).Scan(&lf.ID, &props, g)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "collection %q has no feature with id %q", layer, id)
	}
	if err != nil {
		return nil, mapError(err)
	}
	lf.Properties, lf.Geometry = json.RawMessage(props), g.Geometry
	return &lf, nil
}

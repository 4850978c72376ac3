package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/gazetteer"
	"github.com/planmap/planmap/internal/plan"
)

// originGeodata marks rows that `planmap load` owns and may replace.
const originGeodata = "geodata"

// LoadReport counts what a load left in the database.
type LoadReport struct {
	Layers     map[string]int
	Sections   int
	Clauses    int
	Projects   int
	Removed    int
	BySection  map[int]int
	ByCategory map[string]int
}

// Load writes the plan's sections and clauses, the vocabularies and the
// projects in one transaction. It is re-runnable: rows are upserted by key,
// and geodata projects that are no longer in the data are removed.
func (db *DB) Load(ctx context.Context, idx *plan.Index, data *gazetteer.Data) (*LoadReport, error) {
	rep := &LoadReport{BySection: map[int]int{}, ByCategory: map[string]int{}, Layers: map[string]int{}}
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		for _, s := range idx.Sections {
			if _, err := tx.Exec(ctx, `INSERT INTO plan_section (number, title_zh, title_en) VALUES ($1, $2, $3)
ON CONFLICT (number) DO UPDATE SET title_zh = EXCLUDED.title_zh, title_en = EXCLUDED.title_en`,
				s.Number, s.TitleZH, s.TitleEN); err != nil {
				return fmt.Errorf("section %d: %w", s.Number, err)
			}
			rep.Sections++
			for _, it := range s.Items {
				if _, err := tx.Exec(ctx, `INSERT INTO plan_clause (section, item, text) VALUES ($1, $2, $3)
ON CONFLICT (section, item) DO UPDATE SET text = EXCLUDED.text`, s.Number, it.Item, it.Text); err != nil {
					return fmt.Errorf("clause %d.%d: %w", s.Number, it.Item, err)
				}
				rep.Clauses++
			}
		}
		for i, t := range data.Vocabularies.Statuses {
			if _, err := tx.Exec(ctx, `INSERT INTO project_status (code, label_zh, label_en, description_zh, description_en, ordinal)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (code) DO UPDATE SET label_zh = EXCLUDED.label_zh, label_en = EXCLUDED.label_en,
	description_zh = EXCLUDED.description_zh, description_en = EXCLUDED.description_en, ordinal = EXCLUDED.ordinal`,
				t.Code, t.LabelZH, t.LabelEN, t.DescriptionZH, t.DescriptionEN, i); err != nil {
				return fmt.Errorf("status %s: %w", t.Code, err)
			}
		}
		for i, t := range data.Vocabularies.Precisions {
			if _, err := tx.Exec(ctx, `INSERT INTO precision_term (code, label_zh, label_en, ordinal) VALUES ($1, $2, $3, $4)
ON CONFLICT (code) DO UPDATE SET label_zh = EXCLUDED.label_zh, label_en = EXCLUDED.label_en, ordinal = EXCLUDED.ordinal`,
				t.Code, t.LabelZH, t.LabelEN, i); err != nil {
				return fmt.Errorf("precision %s: %w", t.Code, err)
			}
		}
		for _, t := range data.Vocabularies.Categories {
			if _, err := tx.Exec(ctx, `INSERT INTO project_category (code, label_zh, label_en, symbol) VALUES ($1, $2, $3, $4)
ON CONFLICT (code) DO UPDATE SET label_zh = EXCLUDED.label_zh, label_en = EXCLUDED.label_en, symbol = EXCLUDED.symbol`,
				t.Code, t.LabelZH, t.LabelEN, t.Symbol); err != nil {
				return fmt.Errorf("category %s: %w", t.Code, err)
			}
		}
		ids := make([]string, 0, len(data.Projects))
		for _, p := range data.Projects {
			if err := upsertProject(ctx, tx, p); err != nil {
				return fmt.Errorf("project %s: %w", p.ID, err)
			}
			ids = append(ids, p.ID)
		}
		tag, err := tx.Exec(ctx, `DELETE FROM project WHERE origin = $1 AND NOT (id = ANY($2))`, originGeodata, ids)
		if err != nil {
			return fmt.Errorf("remove stale projects: %w", err)
		}
		rep.Removed = int(tag.RowsAffected())
		if err := bumpVersion(ctx, tx, "projects"); err != nil {
			return err
		}
		layerIDs := make([]string, 0, len(data.Layers))
		for _, l := range data.Layers {
			if err := replaceLayer(ctx, tx, l); err != nil {
				return fmt.Errorf("layer %s: %w", l.ID, err)
			}
			layerIDs = append(layerIDs, l.ID)
			rep.Layers[l.ID] = len(l.Features)
		}
		// A removed layer's version changes too, so that every instance
		// drops what it keeps of it (answers, ETags, the layer index).
		if _, err := tx.Exec(ctx, `WITH gone AS (
  DELETE FROM layer WHERE origin = $1 AND kind = 'basemap' AND NOT (id = ANY($2)) RETURNING id)
INSERT INTO collection_version (collection) SELECT id FROM gone
ON CONFLICT (collection) DO UPDATE SET version = collection_version.version + 1, updated_at = now()`, originGeodata, layerIDs); err != nil {
			return fmt.Errorf("remove stale layers: %w", err)
		}
		return countProjects(ctx, tx, rep)
	})
	if err != nil {
		return nil, fmt.Errorf("postgis: load: %w", mapError(err))
	}
	return rep, nil
}

func upsertProject(ctx context.Context, tx pgx.Tx, p *domain.Project) error {
	targets, err := json.Marshal(p.Targets)
	if err != nil {
		return err
	}
	sources, err := json.Marshal(p.Sources)
	if err != nil {
		return err
	}
	var geom []byte
	if p.Geometry != nil {
		if geom, err = wkb.Marshal(p.Geometry); err != nil {
			return err
		}
	}
	var programme *string
	if p.Programme != "" {
		programme = &p.Programme
	}
	err = tx.QueryRow(ctx, `
INSERT INTO project (id, name_zh, name_en, section, item, clause, category, status, action_zh, action_en,
	targets, city, city_zh, county, county_zh, country, cross_border, location_precision, uncertainty_km,
	location_note, programme, count_target, sources, geom, origin, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
	ST_SetSRID(ST_GeomFromWKB($24), 4326), $25, now())
ON CONFLICT (id) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en, section = EXCLUDED.section,
	item = EXCLUDED.item, clause = EXCLUDED.clause, category = EXCLUDED.category, status = EXCLUDED.status,
	action_zh = EXCLUDED.action_zh, action_en = EXCLUDED.action_en, targets = EXCLUDED.targets, city = EXCLUDED.city,
	city_zh = EXCLUDED.city_zh, county = EXCLUDED.county, county_zh = EXCLUDED.county_zh, country = EXCLUDED.country,
	cross_border = EXCLUDED.cross_border, location_precision = EXCLUDED.location_precision,
	uncertainty_km = EXCLUDED.uncertainty_km, location_note = EXCLUDED.location_note, programme = EXCLUDED.programme,
	count_target = EXCLUDED.count_target, sources = EXCLUDED.sources, geom = EXCLUDED.geom, updated_at = now(),
	version = project.version + 1
WHERE project.origin = 'geodata'
RETURNING id`,
		p.ID, p.NameZH, p.NameEN, p.Section, p.Item, p.Clause, p.Category, string(p.Status), p.ActionZH, p.ActionEN,
		targets, p.City, p.CityZH, p.County, p.CountyZH, p.Country, p.CrossBorder, string(p.LocationPrecision),
		p.UncertaintyKM, p.LocationNote, programme, p.CountTarget, sources, geom, originGeodata).Scan(new(string))
	if errors.Is(err, pgx.ErrNoRows) {
		// Edited since it was loaded: the edit, with its versions, wins.
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM project_status_history WHERE project_id = $1`, p.ID); err != nil {
		return err
	}
	for i, h := range p.History {
		if _, err := tx.Exec(ctx, `INSERT INTO project_status_history (project_id, seq, date, status, kind, note, source)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, p.ID, i, h.Date, string(h.Status), h.Kind, h.Note, h.Source); err != nil {
			return fmt.Errorf("history %d: %w", i, err)
		}
	}
	return nil
}

func countProjects(ctx context.Context, q pgx.Tx, rep *LoadReport) error {
	rows, err := q.Query(ctx, `SELECT section, category, count(*) FROM project GROUP BY section, category`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			section, n int
			category   string
		)
		if err := rows.Scan(&section, &category, &n); err != nil {
			return err
		}
		rep.BySection[section] += n
		rep.ByCategory[category] += n
		rep.Projects += n
	}
	return rows.Err()
}

// ProjectCount returns how many projects the database holds.
func (db *DB) ProjectCount(ctx context.Context) (int, error) {
	var n int
	err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM project`).Scan(&n)
	return n, mapError(err)
}

// bumpVersion marks a collection as changed, which changes its ETags.
func bumpVersion(ctx context.Context, tx pgx.Tx, collection string) error {
	_, err := tx.Exec(ctx, `INSERT INTO collection_version (collection) VALUES ($1)
ON CONFLICT (collection) DO UPDATE SET version = collection_version.version + 1, updated_at = now()`, collection)
	return err
}

// replaceLayer writes a layer's metadata and replaces all its features.
func replaceLayer(ctx context.Context, tx pgx.Tx, l *gazetteer.Layer) error {
	_, err := tx.Exec(ctx, `INSERT INTO layer (id, kind, title_zh, title_en, description, attribution, license, origin)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, title_zh = EXCLUDED.title_zh, title_en = EXCLUDED.title_en,
	description = EXCLUDED.description, attribution = EXCLUDED.attribution, license = EXCLUDED.license, updated_at = now()`,
		l.ID, l.Kind, l.TitleZH, l.TitleEN, l.Description, l.Attribution, l.License, originGeodata)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM layer_feature WHERE layer_id = $1`, l.ID); err != nil {
		return err
	}
	batch := &pgx.Batch{}
	for i, f := range l.Features {
		g, err := wkb.Marshal(f.Geometry)
		if err != nil {
			return fmt.Errorf("feature %s: %w", f.ID, err)
		}
		batch.Queue(`INSERT INTO layer_feature (layer_id, seq, fid, properties, geom)
VALUES ($1, $2, $3, $4, ST_SetSRID(ST_GeomFromWKB($5), 4326))`, l.ID, i, f.ID, []byte(f.Properties), g)
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return err
	}
	return bumpVersion(ctx, tx, l.ID)
}

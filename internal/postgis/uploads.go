package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/planmap/planmap/internal/domain"
)

// UploadStore keeps uploads and their drafts in PostgreSQL.
type UploadStore struct {
	db    *DB
	edits *EditService
}

// NewUploadStore returns an UploadStore on db.
func NewUploadStore(db *DB) *UploadStore { return &UploadStore{db: db, edits: NewEditService(db)} }

const uploadColumns = `id, created_by, created_at, updated_at, filename, size, status, options, bytes_read, features_read,
	result, summary, error, commit`

func scanUpload(row pgx.Row) (*domain.Upload, error) {
	var (
		u                 domain.Upload
		opts, sum, result []byte
		commit            []byte
	)
	err := row.Scan(&u.ID, &u.CreatedBy, &u.CreatedAt, &u.UpdatedAt, &u.Filename, &u.Size, &u.Status, &opts, &u.BytesRead, &u.FeaturesRead,
		&result, &sum, &u.Error, &commit)
	if err != nil {
		return nil, err
	}
	_ = json.Unmarshal(opts, &u.Options)
	if sum != nil {
		u.Summary = &domain.UploadSummary{}
		_ = json.Unmarshal(sum, u.Summary)
	}
	u.Result, u.Commit = result, commit
	return &u, nil
}

// CreateUpload records a new upload being processed.
func (s *UploadStore) CreateUpload(ctx context.Context, who *domain.Principal, filename string, size int64, opt domain.UploadOptions) (*domain.Upload, error) {
	opts, _ := json.Marshal(opt)
	u, err := scanUpload(s.db.Pool.QueryRow(ctx, `INSERT INTO upload (created_by, filename, size, status, options) VALUES ($1, $2, $3, 'processing', $4)
RETURNING `+uploadColumns, who.Username, filename, size, opts))
	if err != nil {
		return nil, mapError(err)
	}
	if _, err := s.db.Pool.Exec(ctx, `INSERT INTO audit_log (username, action, target, detail) VALUES ($1, 'upload.create', $2, $3)`,
		who.Username, "upload/"+strconv.FormatInt(u.ID, 10), mustJSON(map[string]any{"filename": filename, "size": size})); err != nil {
		return nil, mapError(err)
	}
	return u, nil
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// Progress records how far processing has come.
func (s *UploadStore) Progress(ctx context.Context, id, bytesRead int64, features int) error {
	_, err := s.db.Pool.Exec(ctx, `UPDATE upload SET bytes_read = $2, features_read = $3, updated_at = now() WHERE id = $1`, id, bytesRead, features)
	return mapError(err)
}

// Fail marks an upload failed with a message for the uploader and drops its draft.
func (s *UploadStore) Fail(ctx context.Context, id int64, msg string) error {
	return mapError(pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE upload SET status = 'failed', error = $2, updated_at = now() WHERE id = $1`, id, msg); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM upload_feature WHERE upload_id = $1`, id)
		return err
	}))
}

// FailInterrupted marks uploads left processing by a stopped server.
func (s *UploadStore) FailInterrupted(ctx context.Context) (int, error) {
	tag, err := s.db.Pool.Exec(ctx, `UPDATE upload SET status = 'failed', error = 'processing was interrupted by a restart; upload the file again', updated_at = now()
WHERE status = 'processing'`)
	return int(tag.RowsAffected()), mapError(err)
}

// Stage copies a batch of features into the draft with COPY.
func (s *UploadStore) Stage(ctx context.Context, id int64, batch []domain.StagedFeature) error {
	rows := make([][]any, len(batch))
	for i, f := range batch {
		var g []byte
		if f.Geometry != nil {
			var err error
			if g, err = wkb.Marshal(f.Geometry); err != nil {
				return fmt.Errorf("feature %d: %w", f.Index, err)
			}
		}
		issues := f.Issues
		if issues == nil {
			issues = []byte("[]")
		}
		rows[i] = []any{id, f.Index, f.Layer, f.FID, []byte(f.Properties), g, []byte(issues)}
	}
	_, err := s.db.Pool.CopyFrom(ctx, pgx.Identifier{"upload_feature"},
		[]string{"upload_id", "idx", "layer", "fid", "properties", "geom_src", "issues"}, pgx.CopyFromRows(rows))
	return mapError(err)
}

// Finish validates the draft in PostGIS: it reprojects from srid, checks
// validity, place in Liaoning and duplicates, suggests matching projects,
// and marks the upload ready with its summary.
func (s *UploadStore) Finish(ctx context.Context, id int64, srid int, layerSRIDs map[string]int, result json.RawMessage) (*domain.UploadSummary, error) {
	layers, srids := make([]string, 0, len(layerSRIDs)), make([]int32, 0, len(layerSRIDs))
	for l, s := range layerSRIDs {
		layers, srids = append(layers, l), append(srids, int32(s))
	}
	var sum domain.UploadSummary
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		// A large draft takes longer than a request may: this transaction
		// runs in the background, under its own time limit.
		if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = '30min'`); err != nil {
			return err
		}
		steps := []struct {
			sql  string
			args []any
		}{
			{`UPDATE upload_feature f SET geom = CASE WHEN geom_src IS NULL OR ST_IsEmpty(geom_src) THEN NULL
				ELSE ST_Force2D(ST_Transform(ST_SetSRID(geom_src,
					COALESCE((SELECT u.srid FROM unnest($3::text[], $4::int[]) AS u(layer, srid) WHERE u.layer = f.layer), $2)), 4326)) END
			  WHERE upload_id = $1`, []any{id, srid, layers, srids}},
			{`UPDATE upload_feature SET valid = ST_IsValid(geom), valid_reason = CASE WHEN ST_IsValid(geom) THEN '' ELSE ST_IsValidReason(geom) END
			  WHERE upload_id = $1 AND geom IS NOT NULL`, []any{id}},
			// Outside the province outline (with a margin of about 2 km for
			// the coast) when the basemap has it, else outside a box around
			// it. One outline for all rows lets PostGIS prepare it once.
			{`WITH outline AS (
				SELECT COALESCE((SELECT ST_Buffer(geom, 0.02) FROM layer_feature WHERE layer_id = 'liaoning' LIMIT 1),
				                ST_MakeEnvelope(118.8, 38.7, 125.8, 43.5, 4326)) AS g)
			  UPDATE upload_feature f SET outside = NOT ST_Intersects(f.geom, outline.g) FROM outline
			  WHERE f.upload_id = $1 AND f.geom IS NOT NULL AND f.valid`, []any{id}},
			{`UPDATE upload_feature f SET duplicate_of = d.first FROM (
				SELECT idx, min(idx) OVER (PARTITION BY ST_AsBinary(geom), properties) AS first FROM upload_feature
				WHERE upload_id = $1 AND geom IS NOT NULL) d
			  WHERE f.upload_id = $1 AND f.idx = d.idx AND d.first <> d.idx`, []any{id}},
			// Suggest a project: by an id property, then by a name.
			{`UPDATE upload_feature f SET match = p.id, match_by = 'id' FROM project p
			  WHERE f.upload_id = $1 AND p.id = COALESCE(f.properties->>'project_id', f.properties->>'id', f.properties->>'编号', f.fid)`, []any{id}},
			{`WITH names AS (
				SELECT idx, NULLIF(btrim(COALESCE(properties->>'name_zh', properties->>'名称', properties->>'name', properties->>'NAME', properties->>'项目名称')), '') AS n
				FROM upload_feature WHERE upload_id = $1 AND match IS NULL),
			  m AS (
				SELECT names.idx, (SELECT p.id FROM project p
					WHERE p.name_zh = names.n OR lower(p.name_en) = lower(names.n) OR (length(names.n) >= 3 AND p.name_zh LIKE '%' || names.n || '%')
					ORDER BY (p.name_zh = names.n) DESC, length(p.name_zh) LIMIT 1) AS pid
				FROM names WHERE names.n IS NOT NULL)
			  UPDATE upload_feature f SET match = m.pid, match_by = 'name' FROM m
			  WHERE f.upload_id = $1 AND f.idx = m.idx AND m.pid IS NOT NULL`, []any{id}},
		}
		for _, st := range steps {
			if _, err := tx.Exec(ctx, st.sql, st.args...); err != nil {
				return err
			}
		}
		ext := wkb.Scanner(nil)
		err := tx.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE valid), count(*) FILTER (WHERE valid = false),
	count(*) FILTER (WHERE geom IS NULL), count(*) FILTER (WHERE outside), count(*) FILTER (WHERE duplicate_of IS NOT NULL),
	count(*) FILTER (WHERE issues @> '[{"severity":"error"}]'), count(*) FILTER (WHERE issues @> '[{"severity":"warning"}]'),
	count(match), ST_AsBinary(ST_Extent(geom)::geometry)
FROM upload_feature WHERE upload_id = $1`, id).Scan(&sum.Features, &sum.Valid, &sum.Invalid, &sum.NoGeometry, &sum.Outside, &sum.Duplicates,
			&sum.WithErrors, &sum.Warnings, &sum.Matched, ext)
		if err != nil {
			return err
		}
		sum.SRID = srid
		_, err = tx.Exec(ctx, `UPDATE upload SET status = 'ready', result = $2, summary = $3, updated_at = now(), features_read = $4 WHERE id = $1`,
			id, []byte(result), mustJSON(sum), sum.Features)
		return err
	})
	if err != nil {
		var pgErr interface{ SQLState() string }
		if errors.As(err, &pgErr) && strings.HasPrefix(pgErr.SQLState(), "XX") || strings.Contains(err.Error(), "transform") {
			return nil, domain.Errorf(domain.EINVALID, "the coordinates cannot be transformed from EPSG:%d; check the declared CRS", srid)
		}
		return nil, mapError(err)
	}
	return &sum, nil
}

// Upload returns one upload.
func (s *UploadStore) Upload(ctx context.Context, id int64) (*domain.Upload, error) {
	u, err := scanUpload(s.db.Pool.QueryRow(ctx, `SELECT `+uploadColumns+` FROM upload WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "no upload %d", id)
	}
	return u, mapError(err)
}

// Uploads lists recent uploads, newest first.
func (s *UploadStore) Uploads(ctx context.Context, limit int) ([]*domain.Upload, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT `+uploadColumns+` FROM upload ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, mapError(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Upload, error) { return scanUpload(r) })
	return out, mapError(err)
}

// EachDraftFeature streams a page of a draft's features in CRS84.
func (s *UploadStore) EachDraftFeature(ctx context.Context, id int64, offset, limit int, fn func(*domain.DraftFeature) error) (int, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT idx, layer, fid, properties, ST_AsBinary(geom), issues, valid, valid_reason, outside, duplicate_of,
	COALESCE(match, ''), COALESCE(match_by, ''), count(*) OVER ()
FROM upload_feature WHERE upload_id = $1 ORDER BY idx LIMIT $2 OFFSET $3`, id, limit, offset)
	if err != nil {
		return 0, mapError(err)
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var (
			f             domain.DraftFeature
			props, issues []byte
		)
		g := wkb.Scanner(nil)
		if err := rows.Scan(&f.Index, &f.Layer, &f.FID, &props, g, &issues, &f.Valid, &f.Reason, &f.Outside, &f.Duplicate, &f.Match, &f.MatchBy, &total); err != nil {
			return 0, mapError(err)
		}
		f.Properties, f.Issues = props, issues
		if g.Valid {
			f.Geometry = g.Geometry
		}
		if err := fn(&f); err != nil {
			return 0, err
		}
	}
	return total, mapError(rows.Err())
}

// Discard drops a draft.
func (s *UploadStore) Discard(ctx context.Context, who *domain.Principal, id int64) error {
	return mapError(pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE upload SET status = 'discarded', updated_at = now() WHERE id = $1 AND status IN ('ready', 'failed')`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return domain.Errorf(domain.ECONFLICT, "upload %d is not a draft that can be discarded", id)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM upload_feature WHERE upload_id = $1`, id); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO audit_log (username, action, target) VALUES ($1, 'upload.discard', $2)`, who.Username, "upload/"+strconv.FormatInt(id, 10))
		return err
	}))
}

// Commit writes a draft in one transaction: into a layer (new, or an
// upload layer that exists) or onto matched projects. Nothing partial is
// ever visible; on any error the previous state stays.
func (s *UploadStore) Commit(ctx context.Context, who *domain.Principal, id int64, req domain.CommitRequest) (*domain.CommitResult, error) {
	if who == nil || !who.Role.Can(domain.RoleEditor) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "committing needs the editor role")
	}
	res := &domain.CommitResult{Target: req.Target}
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		// A large draft commits in one transaction, under its own limit.
		if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = '10min'`); err != nil {
			return err
		}
		var (
			status   string
			expected []byte
		)
		err := tx.QueryRow(ctx, `SELECT status, summary FROM upload WHERE id = $1 FOR UPDATE`, id).Scan(&status, &expected)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "no upload %d", id)
		}
		if err != nil {
			return err
		}
		if status != string(domain.UploadReady) {
			return domain.Errorf(domain.ECONFLICT, "upload %d is %s, not a draft ready to commit", id, status)
		}
		var sum domain.UploadSummary
		_ = json.Unmarshal(expected, &sum)
		var staged int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM upload_feature WHERE upload_id = $1`, id).Scan(&staged); err != nil {
			return err
		}
		if staged != sum.Features {
			return domain.Errorf(domain.ECONFLICT, "the draft of upload %d was lost (the database restarted); upload the file again", id)
		}
		// Which features go, and whether invalid ones block the commit.
		var blocked int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM upload_feature WHERE upload_id = $1
AND (geom IS NULL OR issues @> '[{"severity":"error"}]' OR (valid = false AND NOT $2))`, id, req.Repair).Scan(&blocked); err != nil {
			return err
		}
		if blocked > 0 && !req.SkipInvalid {
			return domain.Errorf(domain.EINVALID, "%d features have errors or invalid geometry; fix the file, or commit with repair (make geometries valid) or skip_invalid", blocked)
		}
		res.Skipped = blocked
		if req.Repair {
			tag, err := tx.Exec(ctx, `UPDATE upload_feature SET geom = ST_CollectionExtract(ST_MakeValid(geom), ST_Dimension(geom) + 1), valid = true
WHERE upload_id = $1 AND valid = false`, id)
			if err != nil {
				return err
			}
			res.Repaired = int(tag.RowsAffected())
		}
		reason := req.Reason
		if reason == "" {
			reason = "upload " + strconv.FormatInt(id, 10)
		}
		switch req.Target {
		case domain.CommitToLayer:
			if err := s.commitLayer(ctx, tx, who, id, req, reason, res); err != nil {
				return err
			}
		case domain.CommitToProjects:
			if err := s.commitProjects(ctx, tx, who, id, req, reason, res); err != nil {
				return err
			}
		default:
			return domain.Errorf(domain.EINVALID, "target %q: use \"layer\" or \"projects\"", req.Target)
		}
		commit := mustJSON(map[string]any{"request": req, "result": res, "by": who.Username})
		if _, err := tx.Exec(ctx, `UPDATE upload SET status = 'committed', commit = $2, updated_at = now() WHERE id = $1`, id, commit); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM upload_feature WHERE upload_id = $1`, id); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO audit_log (username, action, target, detail) VALUES ($1, 'upload.commit', $2, $3)`,
			who.Username, "upload/"+strconv.FormatInt(id, 10), mustJSON(res))
		return err
	})
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) {
			return nil, &domain.Error{Code: de.Code, Message: strings.TrimPrefix(err.Error(), "planmap "+de.Code+": ")}
		}
		return nil, mapError(err)
	}
	return res, nil
}

// eligible is the condition on staged features that a commit writes.
const eligible = `f.upload_id = $1 AND f.geom IS NOT NULL AND NOT f.issues @> '[{"severity":"error"}]' AND f.valid`

func (s *UploadStore) commitLayer(ctx context.Context, tx pgx.Tx, who *domain.Principal, id int64, req domain.CommitRequest, reason string, res *domain.CommitResult) error {
	if !domain.LayerIDPattern.MatchString(req.LayerID) || domain.Reserved(req.LayerID) {
		return domain.Errorf(domain.EINVALID, "layer_id %q: use 1-63 lower-case letters, digits, '_' or '-', starting with a letter", req.LayerID)
	}
	var kind string
	err := tx.QueryRow(ctx, `SELECT kind FROM layer WHERE id = $1`, req.LayerID).Scan(&kind)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if req.TitleZH == "" || req.TitleEN == "" {
			return domain.Errorf(domain.EINVALID, "a new layer needs title_zh and title_en")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO layer (id, kind, title_zh, title_en, description, attribution, license, origin)
VALUES ($1, 'upload', $2, $3, $4, $5, '', 'upload')`, req.LayerID, req.TitleZH, req.TitleEN, req.Description, "uploaded by "+who.Username); err != nil {
			return err
		}
	case err != nil:
		return err
	case kind != domain.LayerUpload:
		return domain.Errorf(domain.EFORBIDDEN, "layer %q is a %s layer; uploads go into upload layers", req.LayerID, kind)
	}
	// Set-based, so a large draft commits in one statement per table.
	tag, err := tx.Exec(ctx, `
WITH base AS (SELECT COALESCE(max(seq), -1) + 1 AS seq0 FROM layer_feature WHERE layer_id = $2),
ins AS (
  INSERT INTO layer_feature (layer_id, seq, fid, properties, geom, version)
  SELECT $2, base.seq0 + row_number() OVER (ORDER BY f.idx) - 1,
         CASE WHEN f.fid <> '' AND f.duplicate_of IS NULL THEN f.fid ELSE 'u' || f.upload_id || '-' || f.idx END,
         f.properties, f.geom, 1
  FROM upload_feature f, base WHERE `+eligible+`
  -- Written in the geometry's sort order (a Hilbert curve), so that the
  -- features of a box share few table pages; seq keeps the file's order.
  ORDER BY f.geom
  RETURNING fid, properties, geom)
INSERT INTO feature_version (collection, fid, version, op, properties, geom, changed_by, reason, upload_id)
SELECT $2, fid, 1, 'create', properties, geom, $3, $4, $1 FROM ins`, id, req.LayerID, who.Username, reason)
	if err != nil {
		if domain.ErrorCode(mapError(err)) == domain.ECONFLICT {
			return domain.Errorf(domain.ECONFLICT, "layer %q has features with the ids of this upload; rename them or choose a new layer", req.LayerID)
		}
		return err
	}
	res.LayerID, res.Written = req.LayerID, int(tag.RowsAffected())
	if _, err := tx.Exec(ctx, `INSERT INTO audit_log (username, action, target, detail) VALUES ($1, 'layer.append', $2, $3)`,
		who.Username, req.LayerID, mustJSON(map[string]any{"upload": id, "features": res.Written})); err != nil {
		return err
	}
	return bumpVersion(ctx, tx, req.LayerID)
}

func (s *UploadStore) commitProjects(ctx context.Context, tx pgx.Tx, who *domain.Principal, id int64, req domain.CommitRequest, reason string, res *domain.CommitResult) error {
	var filename string
	if err := tx.QueryRow(ctx, `SELECT filename FROM upload WHERE id = $1`, id).Scan(&filename); err != nil {
		return err
	}
	// An uploaded boundary places the project on site; the note says whence.
	placed := mustJSON(map[string]any{"location_precision": "site", "uncertainty_km": nil,
		"location_note": fmt.Sprintf("Geometry from upload %d (%s) by %s.", id, filename, who.Username)})
	rows, err := tx.Query(ctx, `SELECT f.idx, f.match, ST_AsBinary(f.geom) FROM upload_feature f WHERE `+eligible+` ORDER BY f.idx`, id)
	if err != nil {
		return err
	}
	var changes []domain.Change
	seen := map[string]int{}
	for rows.Next() {
		var (
			idx   int
			match *string
		)
		g := wkb.Scanner(nil)
		if err := rows.Scan(&idx, &match, g); err != nil {
			rows.Close()
			return err
		}
		target := ""
		if match != nil {
			target = *match
		}
		if req.Matches != nil {
			target = req.Matches[strconv.Itoa(idx)]
		}
		if target == "" {
			res.Skipped++
			continue
		}
		if prev, dup := seen[target]; dup {
			rows.Close()
			return domain.Errorf(domain.EINVALID, "features %d and %d both match project %q; match each project once", prev, idx, target)
		}
		seen[target] = idx
		changes = append(changes, domain.Change{Collection: domain.CollectionProjects, FeatureID: target, Op: domain.OpPatch,
			Properties: placed, Geometry: g.Geometry, SetGeometry: true})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(changes) == 0 {
		return domain.Errorf(domain.EINVALID, "no feature of upload %d is matched to a project; give matches", id)
	}
	results, err := s.edits.applyTx(ctx, tx, who, reason, changes, &id)
	if err != nil {
		return err
	}
	res.Written = len(results)
	return nil
}

package postgis

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/geojson"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/gazetteer"
)

// EditService writes features with versions and an audit trail.
type EditService struct{ db *DB }

// NewEditService returns an EditService on db.
func NewEditService(db *DB) *EditService { return &EditService{db: db} }

var _ domain.EditService = (*EditService)(nil)

// reservedProperty names a property a layer feature may not carry.
func reservedProperty(name string) bool {
	switch strings.ToLower(name) {
	case "id", "fid", "geom", "geometry":
		return true
	}
	return strings.HasPrefix(strings.ToLower(name), "_planmap")
}

// Apply makes all changes in one transaction: on any error nothing is
// written. Each change bumps the feature's version and leaves a version
// row and an audit entry; each touched collection's data version changes.
func (s *EditService) Apply(ctx context.Context, who *domain.Principal, reason string, changes []domain.Change) ([]domain.ChangeResult, error) {
	if who == nil || !who.Role.Can(domain.RoleEditor) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "writing needs the editor role")
	}
	if len(reason) > 1000 {
		return nil, domain.Errorf(domain.EINVALID, "the reason is longer than 1000 bytes")
	}
	var results []domain.ChangeResult
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		var err error
		results, err = s.applyTx(ctx, tx, who, reason, changes, nil)
		return err
	})
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) {
			// Keep the change number in the message for batch errors.
			return nil, &domain.Error{Code: de.Code, Message: strings.TrimPrefix(err.Error(), "planmap "+de.Code+": ")}
		}
		return nil, mapError(err)
	}
	return results, nil
}

// applyTx makes the changes inside tx; uploadID, when set, ties the
// versions to the upload they came from.
func (s *EditService) applyTx(ctx context.Context, tx pgx.Tx, who *domain.Principal, reason string, changes []domain.Change, uploadID *int64) ([]domain.ChangeResult, error) {
	var results []domain.ChangeResult
	{
		touched := map[string]bool{}
		for i, ch := range changes {
			var (
				res *domain.ChangeResult
				err error
			)
			if ch.Collection == domain.CollectionProjects {
				res, err = s.applyProject(ctx, tx, who, reason, ch)
			} else {
				res, err = s.applyLayer(ctx, tx, who, reason, ch)
			}
			if err != nil {
				if len(changes) > 1 {
					return nil, fmt.Errorf("change %d (%s %s): %w", i+1, ch.Op, ch.FeatureID, err)
				}
				return nil, err
			}
			results = append(results, *res)
			touched[ch.Collection] = true
			if uploadID != nil {
				if _, err := tx.Exec(ctx, `UPDATE feature_version SET upload_id = $4 WHERE collection = $1 AND fid = $2 AND version = $3`,
					res.Collection, res.FeatureID, res.Version, *uploadID); err != nil {
					return nil, err
				}
			}
			detail, _ := json.Marshal(map[string]any{"version": res.Version, "reason": reason, "upload": uploadID})
			if _, err := tx.Exec(ctx, `INSERT INTO audit_log (username, action, target, detail) VALUES ($1, $2, $3, $4)`,
				who.Username, "feature."+res.Op, res.Collection+"/"+res.FeatureID, detail); err != nil {
				return nil, err
			}
		}
		for c := range touched {
			if err := bumpVersion(ctx, tx, c); err != nil {
				return nil, err
			}
		}
	}
	return results, nil
}

// conflict explains a failed If-Match.
func conflict(collection, id string, want, have int) error {
	return domain.Errorf(domain.EPRECONDITION, "%s/%s is at version %d, not %d: someone changed it; read it again and reapply your change", collection, id, have, want)
}

// recordVersion writes a version row; before the first edit of a feature
// it also keeps the state the edit starts from.
func recordVersion(ctx context.Context, tx pgx.Tx, collection, fid string, prevVersion int, prevProps []byte, prevGeom []byte,
	version int, op string, props []byte, geom []byte, who, reason string) error {
	if prevVersion > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO feature_version (collection, fid, version, op, properties, geom, changed_by, reason)
SELECT $1, $2, $3, 'import', $4, ST_SetSRID(ST_GeomFromWKB($5), 4326), 'planmap', 'state before the first edit'
WHERE NOT EXISTS (SELECT 1 FROM feature_version WHERE collection = $1 AND fid = $2)`,
			collection, fid, prevVersion, prevProps, prevGeom); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO feature_version (collection, fid, version, op, properties, geom, changed_by, reason)
VALUES ($1, $2, $3, $4, $5, ST_SetSRID(ST_GeomFromWKB($6), 4326), $7, $8)`, collection, fid, version, op, props, geom, who, reason)
	return err
}

func marshalGeom(g orb.Geometry) ([]byte, error) {
	if g == nil {
		return nil, nil
	}
	return wkb.Marshal(g)
}

// checkGeometry asks PostGIS whether g is valid and names the problem.
func checkGeometry(ctx context.Context, tx pgx.Tx, g []byte) error {
	if g == nil {
		return nil
	}
	var (
		valid, empty bool
		reason       string
	)
	err := tx.QueryRow(ctx, `SELECT ST_IsValid(g), ST_IsEmpty(g), ST_IsValidReason(g) FROM (SELECT ST_GeomFromWKB($1) AS g) t`, g).Scan(&valid, &empty, &reason)
	if err != nil {
		return domain.Errorf(domain.EINVALID, "the geometry cannot be read")
	}
	if empty {
		return domain.Errorf(domain.EINVALID, "the geometry is empty")
	}
	if !valid {
		return domain.Errorf(domain.EINVALID, "the geometry is not valid: %s", reason)
	}
	return nil
}

// mergePatch applies a JSON merge patch (RFC 7396) of properties.
func mergePatch(current, patch json.RawMessage) (json.RawMessage, error) {
	var cur, p map[string]json.RawMessage
	if err := json.Unmarshal(current, &cur); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(patch, &p); err != nil || p == nil {
		return nil, domain.Errorf(domain.EINVALID, "a patch's properties must be a JSON object")
	}
	if cur == nil {
		cur = map[string]json.RawMessage{}
	}
	for k, v := range p {
		if string(v) == "null" {
			delete(cur, k)
		} else {
			cur[k] = v
		}
	}
	return json.Marshal(cur)
}

// mode returns how a change acts: a rollback replaces an existing
// feature and recreates a deleted one.
func mode(ctx context.Context, tx pgx.Tx, ch domain.Change, existsSQL string, args ...any) (string, error) {
	if ch.Op != domain.OpRollback {
		switch ch.Op {
		case domain.OpCreate, domain.OpReplace, domain.OpPatch, domain.OpDelete:
			return ch.Op, nil
		}
		return "", domain.Errorf(domain.EINVALID, "unknown operation %q", ch.Op)
	}
	var exists bool
	if err := tx.QueryRow(ctx, existsSQL, args...).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return domain.OpReplace, nil
	}
	return domain.OpCreate, nil
}

func (s *EditService) applyProject(ctx context.Context, tx pgx.Tx, who *domain.Principal, reason string, ch domain.Change) (*domain.ChangeResult, error) {
	op, err := mode(ctx, tx, ch, `SELECT EXISTS (SELECT 1 FROM project WHERE id = $1)`, ch.FeatureID)
	if err != nil {
		return nil, err
	}
	if (op == domain.OpCreate || op == domain.OpDelete) && !who.Role.Can(domain.RoleAdmin) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "adding or deleting a project of the plan needs the admin role")
	}
	var (
		cur     *domain.Project
		curJSON []byte
		curGeom []byte
	)
	if op != domain.OpCreate {
		row := tx.QueryRow(ctx, "SELECT "+projectColumns+" FROM project p WHERE p.id = $1 FOR UPDATE", ch.FeatureID)
		p, err := scanProject(row)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, domain.Errorf(domain.ENOTFOUND, "no project has id %q", ch.FeatureID)
		}
		if err != nil {
			return nil, err
		}
		if ch.IfMatch > 0 && ch.IfMatch != p.Version {
			return nil, conflict(domain.CollectionProjects, p.ID, ch.IfMatch, p.Version)
		}
		cur = p
		if curJSON, err = json.Marshal(p); err != nil {
			return nil, err
		}
		if curGeom, err = marshalGeom(p.Geometry); err != nil {
			return nil, err
		}
	}
	if op == domain.OpDelete {
		if _, err := tx.Exec(ctx, `DELETE FROM project WHERE id = $1`, cur.ID); err != nil {
			return nil, err
		}
		v := cur.Version + 1
		if err := recordVersion(ctx, tx, domain.CollectionProjects, cur.ID, cur.Version, curJSON, curGeom, v, domain.OpDelete, nil, nil, who.Username, reason); err != nil {
			return nil, err
		}
		return &domain.ChangeResult{Collection: domain.CollectionProjects, FeatureID: cur.ID, Version: v, Op: domain.OpDelete}, nil
	}
	props := ch.Properties
	geom := ch.Geometry
	if op == domain.OpPatch {
		if props, err = mergePatch(curJSON, ch.Properties); err != nil {
			return nil, err
		}
		if !ch.SetGeometry {
			geom = cur.Geometry
		}
	}
	id := ch.FeatureID
	if id == "" {
		var probe struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(props, &probe)
		id = probe.ID
	}
	var gj json.RawMessage = []byte("null")
	if geom != nil {
		b, err := geojson.NewGeometry(geom).MarshalJSON()
		if err != nil {
			return nil, err
		}
		gj = b
	}
	p, err := gazetteer.DecodeProject(id, gj, props)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "%s", strings.TrimPrefix(err.Error(), "gazetteer: invalid: "))
	}
	if err := s.checkProject(ctx, tx, p); err != nil {
		return nil, err
	}
	geomBytes, err := marshalGeom(p.Geometry)
	if err != nil {
		return nil, err
	}
	if err := checkGeometry(ctx, tx, geomBytes); err != nil {
		return nil, err
	}
	version := 1
	if cur != nil {
		version = cur.Version + 1
	} else if ch.Op == domain.OpRollback {
		if err := tx.QueryRow(ctx, `SELECT max(version) + 1 FROM feature_version WHERE collection = 'projects' AND fid = $1`, p.ID).Scan(&version); err != nil {
			return nil, err
		}
	} else {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM project WHERE id = $1)`, p.ID).Scan(&exists); err != nil {
			return nil, err
		}
		if exists {
			return nil, domain.Errorf(domain.ECONFLICT, "a project with id %q exists; replace it instead", p.ID)
		}
	}
	if err := writeProject(ctx, tx, p, version); err != nil {
		return nil, err
	}
	newJSON, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	prevVersion := 0
	if cur != nil {
		prevVersion = cur.Version
	}
	if err := recordVersion(ctx, tx, domain.CollectionProjects, p.ID, prevVersion, curJSON, curGeom, version, ch.Op, newJSON, geomBytes, who.Username, reason); err != nil {
		return nil, err
	}
	return &domain.ChangeResult{Collection: domain.CollectionProjects, FeatureID: p.ID, Version: version, Op: ch.Op}, nil
}

// checkProject validates a project against the plan's clauses and the
// vocabularies as the database holds them.
func (s *EditService) checkProject(ctx context.Context, tx pgx.Tx, p *domain.Project) error {
	var text string
	err := tx.QueryRow(ctx, `SELECT text FROM plan_clause WHERE section = $1 AND item = $2`, p.Section, p.Item).Scan(&text)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	clause := func(sec, item int) (string, bool) { return text, err == nil }
	var v domain.Vocabularies
	for _, q := range []struct {
		sql  string
		dest *[]domain.Term
	}{
		{`SELECT code FROM project_status`, &v.Statuses},
		{`SELECT code FROM project_category`, &v.Categories},
		{`SELECT code FROM precision_term`, &v.Precisions},
	} {
		rows, err := tx.Query(ctx, q.sql)
		if err != nil {
			return err
		}
		terms, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Term, error) {
			var t domain.Term
			return t, r.Scan(&t.Code)
		})
		if err != nil {
			return err
		}
		*q.dest = terms
	}
	var programme bool
	if p.Programme != "" {
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM project WHERE id = $1 AND count_target IS NOT NULL)`, p.Programme).Scan(&programme); err != nil {
			return err
		}
	}
	errs := gazetteer.CheckProject(p, clause, v, func(string) bool { return programme })
	if len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = strings.TrimPrefix(e.Error(), "gazetteer: invalid: ")
		}
		return domain.Errorf(domain.EINVALID, "%s", strings.Join(msgs, "; "))
	}
	return nil
}

// writeProject upserts a project and replaces its status history.
func writeProject(ctx context.Context, tx pgx.Tx, p *domain.Project, version int) error {
	targets, err := json.Marshal(p.Targets)
	if err != nil {
		return err
	}
	sources, err := json.Marshal(p.Sources)
	if err != nil {
		return err
	}
	geom, err := marshalGeom(p.Geometry)
	if err != nil {
		return err
	}
	var programme *string
	if p.Programme != "" {
		programme = &p.Programme
	}
	_, err = tx.Exec(ctx, `
INSERT INTO project (id, name_zh, name_en, section, item, clause, category, status, action_zh, action_en,
	targets, city, city_zh, county, county_zh, country, cross_border, location_precision, uncertainty_km,
	location_note, programme, count_target, sources, geom, origin, updated_at, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
	ST_SetSRID(ST_GeomFromWKB($24), 4326), 'edited', now(), $25)
ON CONFLICT (id) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en, section = EXCLUDED.section,
	item = EXCLUDED.item, clause = EXCLUDED.clause, category = EXCLUDED.category, status = EXCLUDED.status,
	action_zh = EXCLUDED.action_zh, action_en = EXCLUDED.action_en, targets = EXCLUDED.targets, city = EXCLUDED.city,
	city_zh = EXCLUDED.city_zh, county = EXCLUDED.county, county_zh = EXCLUDED.county_zh, country = EXCLUDED.country,
	cross_border = EXCLUDED.cross_border, location_precision = EXCLUDED.location_precision,
	uncertainty_km = EXCLUDED.uncertainty_km, location_note = EXCLUDED.location_note, programme = EXCLUDED.programme,
	count_target = EXCLUDED.count_target, sources = EXCLUDED.sources, geom = EXCLUDED.geom, origin = 'edited',
	updated_at = now(), version = EXCLUDED.version`,
		p.ID, p.NameZH, p.NameEN, p.Section, p.Item, p.Clause, p.Category, string(p.Status), p.ActionZH, p.ActionEN,
		targets, p.City, p.CityZH, p.County, p.CountyZH, p.Country, p.CrossBorder, string(p.LocationPrecision),
		p.UncertaintyKM, p.LocationNote, programme, p.CountTarget, sources, geom, version)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM project_status_history WHERE project_id = $1`, p.ID); err != nil {
		return err
	}
	for i, h := range p.History {
		if _, err := tx.Exec(ctx, `INSERT INTO project_status_history (project_id, seq, date, status, kind, note, source)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, p.ID, i, h.Date, string(h.Status), h.Kind, h.Note, h.Source); err != nil {
			return err
		}
	}
	return nil
}

// layerKind returns the kind of a layer, or a not_found error.
func layerKind(ctx context.Context, tx pgx.Tx, id string) (string, error) {
	var kind string
	err := tx.QueryRow(ctx, `SELECT kind FROM layer WHERE id = $1`, id).Scan(&kind)
	if errors.Is(err, pgx.ErrNoRows) || id == domain.CollectionProgrammes {
		return "", domain.Errorf(domain.ENOTFOUND, "no writable collection has id %q", id)
	}
	return kind, err
}

func (s *EditService) applyLayer(ctx context.Context, tx pgx.Tx, who *domain.Principal, reason string, ch domain.Change) (*domain.ChangeResult, error) {
	kind, err := layerKind(ctx, tx, ch.Collection)
	if err != nil {
		return nil, err
	}
	op, err := mode(ctx, tx, ch, `SELECT EXISTS (SELECT 1 FROM layer_feature WHERE layer_id = $1 AND fid = $2)`, ch.Collection, ch.FeatureID)
	if err != nil {
		return nil, err
	}
	if kind == domain.LayerBasemap && !who.Role.Can(domain.RoleAdmin) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "basemap layer %q is managed by planmap's geodata; changing it needs the admin role", ch.Collection)
	}
	var (
		curProps   []byte
		curGeom    []byte
		curVersion int
		curSeq     int
	)
	if op != domain.OpCreate {
		err := tx.QueryRow(ctx, `SELECT properties, ST_AsBinary(geom), version, seq FROM layer_feature WHERE layer_id = $1 AND fid = $2 FOR UPDATE`,
			ch.Collection, ch.FeatureID).Scan(&curProps, &curGeom, &curVersion, &curSeq)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, domain.Errorf(domain.ENOTFOUND, "collection %q has no feature with id %q", ch.Collection, ch.FeatureID)
		}
		if err != nil {
			return nil, err
		}
		if ch.IfMatch > 0 && ch.IfMatch != curVersion {
			return nil, conflict(ch.Collection, ch.FeatureID, ch.IfMatch, curVersion)
		}
	}
	if op == domain.OpDelete {
		if _, err := tx.Exec(ctx, `DELETE FROM layer_feature WHERE layer_id = $1 AND fid = $2`, ch.Collection, ch.FeatureID); err != nil {
			return nil, err
		}
		v := curVersion + 1
		if err := recordVersion(ctx, tx, ch.Collection, ch.FeatureID, curVersion, curProps, curGeom, v, domain.OpDelete, nil, nil, who.Username, reason); err != nil {
			return nil, err
		}
		return &domain.ChangeResult{Collection: ch.Collection, FeatureID: ch.FeatureID, Version: v, Op: domain.OpDelete}, nil
	}
	props := ch.Properties
	if len(bytes.TrimSpace(props)) == 0 || string(props) == "null" {
		props = []byte("{}")
	}
	if op == domain.OpPatch {
		if props, err = mergePatch(curProps, ch.Properties); err != nil {
			return nil, err
		}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(props, &obj); err != nil || obj == nil {
		return nil, domain.Errorf(domain.EINVALID, "properties must be a JSON object")
	}
	for k := range obj {
		if reservedProperty(k) {
			return nil, domain.Errorf(domain.EINVALID, "property name %q is reserved; rename it", k)
		}
		if strings.ContainsRune(k, 0) || strings.ContainsRune(string(obj[k]), 0) || strings.Contains(string(obj[k]), `\u0000`) {
			return nil, domain.Errorf(domain.EINVALID, "property %q contains U+0000", strings.ReplaceAll(k, "\x00", ""))
		}
	}
	geom := curGeom
	if op != domain.OpPatch || ch.SetGeometry {
		if ch.Geometry == nil {
			return nil, domain.Errorf(domain.EINVALID, "a feature of a layer needs a geometry")
		}
		if geom, err = marshalGeom(ch.Geometry); err != nil {
			return nil, domain.Errorf(domain.EINVALID, "the geometry cannot be encoded")
		}
	}
	if err := checkGeometry(ctx, tx, geom); err != nil {
		return nil, err
	}
	fid, version := ch.FeatureID, curVersion+1
	if op == domain.OpCreate {
		if err := tx.QueryRow(ctx, `SELECT COALESCE(max(seq), -1) + 1 FROM layer_feature WHERE layer_id = $1`, ch.Collection).Scan(&curSeq); err != nil {
			return nil, err
		}
		if fid == "" {
			fid = strconv.Itoa(curSeq + 1)
		}
		if len(fid) > 256 || strings.ContainsAny(fid, "/?#\x00") {
			return nil, domain.Errorf(domain.EINVALID, "feature id %q: at most 256 characters, without / ? #", fid)
		}
		_, err = tx.Exec(ctx, `INSERT INTO layer_feature (layer_id, seq, fid, properties, geom, version)
VALUES ($1, $2, $3, $4, ST_SetSRID(ST_GeomFromWKB($5), 4326), 1)`, ch.Collection, curSeq, fid, props, geom)
		if domain.ErrorCode(mapError(err)) == domain.ECONFLICT {
			return nil, domain.Errorf(domain.ECONFLICT, "collection %q has a feature with id %q", ch.Collection, fid)
		}
		version = 1
		if ch.Op == domain.OpRollback {
			if err := tx.QueryRow(ctx, `SELECT max(version) + 1 FROM feature_version WHERE collection = $1 AND fid = $2`, ch.Collection, fid).Scan(&version); err != nil {
				return nil, err
			}
			if _, err := tx.Exec(ctx, `UPDATE layer_feature SET version = $3 WHERE layer_id = $1 AND fid = $2`, ch.Collection, fid, version); err != nil {
				return nil, err
			}
		}
	} else {
		_, err = tx.Exec(ctx, `UPDATE layer_feature SET properties = $3, geom = ST_SetSRID(ST_GeomFromWKB($4), 4326), version = $5
WHERE layer_id = $1 AND fid = $2`, ch.Collection, fid, props, geom, version)
	}
	if err != nil {
		return nil, err
	}
	if err := recordVersion(ctx, tx, ch.Collection, fid, curVersion, curProps, curGeom, version, ch.Op, props, geom, who.Username, reason); err != nil {
		return nil, err
	}
	return &domain.ChangeResult{Collection: ch.Collection, FeatureID: fid, Version: version, Op: ch.Op}, nil
}

// History returns every version of a feature, newest first.
func (s *EditService) History(ctx context.Context, collection, fid string) ([]domain.FeatureVersion, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT collection, fid, version, op, properties, ST_AsBinary(geom), changed_by, changed_at, reason, upload_id
FROM feature_version WHERE collection = $1 AND fid = $2 ORDER BY version DESC`, collection, fid)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []domain.FeatureVersion
	for rows.Next() {
		var (
			v     domain.FeatureVersion
			props []byte
		)
		g := wkb.Scanner(nil)
		if err := rows.Scan(&v.Collection, &v.FeatureID, &v.Version, &v.Op, &props, g, &v.ChangedBy, &v.ChangedAt, &v.Reason, &v.UploadID); err != nil {
			return nil, mapError(err)
		}
		v.Properties = props
		if g.Valid {
			v.Geometry = g.Geometry
		}
		out = append(out, v)
	}
	return out, mapError(rows.Err())
}

// Rollback writes version back as the newest version of the feature: a
// deleted feature comes back, a changed one gets its old state.
func (s *EditService) Rollback(ctx context.Context, who *domain.Principal, collection, fid string, version int, reason string) (*domain.ChangeResult, error) {
	if who == nil || !who.Role.Can(domain.RoleAdmin) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "rolling back needs the admin role")
	}
	hist, err := s.History(ctx, collection, fid)
	if err != nil {
		return nil, err
	}
	var target *domain.FeatureVersion
	for i := range hist {
		if hist[i].Version == version {
			target = &hist[i]
		}
	}
	if target == nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "%s/%s has no version %d", collection, fid, version)
	}
	if target.Op == domain.OpDelete {
		return nil, domain.Errorf(domain.EINVALID, "version %d is a deletion; roll back to the version before it", version)
	}
	ch := domain.Change{Collection: collection, FeatureID: fid, Op: domain.OpRollback, Properties: target.Properties, Geometry: target.Geometry}
	if hist[0].Op != domain.OpDelete {
		ch.IfMatch = hist[0].Version
	}
	res, err := s.Apply(ctx, who, fmt.Sprintf("rollback to version %d: %s", version, reason), []domain.Change{ch})
	if err != nil {
		return nil, err
	}
	return &res[0], nil
}

// Audit returns audit entries, newest first, before an id (0 for the newest).
func (s *EditService) Audit(ctx context.Context, limit int, beforeID int64) ([]domain.AuditEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := s.db.Pool.Query(ctx, `SELECT id, at, username, action, target, detail FROM audit_log
WHERE ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $1`, limit, beforeID)
	if err != nil {
		return nil, mapError(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.AuditEntry, error) {
		var a domain.AuditEntry
		var detail []byte
		err := r.Scan(&a.ID, &a.At, &a.Username, &a.Action, &a.Target, &detail)
		a.Detail = detail
		return a, err
	})
	return out, mapError(err)
}

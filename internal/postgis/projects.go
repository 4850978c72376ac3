package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/planmap/planmap/internal/domain"
)

// ProjectService reads projects from PostGIS.
type ProjectService struct {
	db *DB
}

// NewProjectService returns a ProjectService on db.
func NewProjectService(db *DB) *ProjectService { return &ProjectService{db: db} }

var _ domain.ProjectService = (*ProjectService)(nil)

const projectColumns = `p.id, p.name_zh, p.name_en, p.section, p.item, p.clause, p.category, p.status,
	p.action_zh, p.action_en, p.targets, p.city, p.city_zh, p.county, p.county_zh, p.country,
	p.cross_border, p.location_precision, p.uncertainty_km, p.location_note, p.programme,
	p.count_target, p.sources, ST_AsBinary(p.geom), p.updated_at, p.version,
	COALESCE((SELECT json_agg(json_build_object('date', to_char(h.date, 'YYYY-MM-DD'), 'status', h.status,
		'kind', h.kind, 'note', h.note, 'source', h.source) ORDER BY h.seq)
		FROM project_status_history h WHERE h.project_id = p.id), '[]')`

// whereClause builds the WHERE clause of f with its values as parameters.
func whereClause(f domain.ProjectFilter) (string, []any, error) {
	var (
		conds []string
		args  []any
	)
	param := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if len(f.Sections) > 0 {
		conds = append(conds, "p.section = ANY("+param(f.Sections)+")")
	}
	if len(f.Statuses) > 0 {
		s := make([]string, len(f.Statuses))
		for i, v := range f.Statuses {
			s[i] = string(v)
		}
		conds = append(conds, "p.status = ANY("+param(s)+")")
	}
	if len(f.Categories) > 0 {
		conds = append(conds, "p.category = ANY("+param(f.Categories)+")")
	}
	if len(f.Cities) > 0 {
		conds = append(conds, "(lower(p.city) = ANY("+param(lowerAll(f.Cities))+") OR p.city_zh = ANY("+param(f.Cities)+"))")
	}
	if f.BBox != nil {
		b := f.BBox
		conds = append(conds, "p.geom && ST_MakeEnvelope("+param(b.MinLon)+", "+param(b.MinLat)+", "+param(b.MaxLon)+", "+param(b.MaxLat)+", 4326)")
	}
	if f.Text != "" {
		pat := param("%" + escapeLike(f.Text) + "%")
		conds = append(conds, "(p.name_zh ILIKE "+pat+" OR p.name_en ILIKE "+pat+")")
	}
	if f.Period != nil {
		cond := "EXISTS (SELECT 1 FROM project_status_history h WHERE h.project_id = p.id"
		if f.Period.Start != nil {
			cond += " AND h.date >= " + param(*f.Period.Start) + "::date"
		}
		if f.Period.End != nil {
			cond += " AND h.date <= " + param(*f.Period.End) + "::date"
		}
		conds = append(conds, cond+")")
	}
	if f.Where != nil {
		sql, wargs, err := f.Where(len(args) + 1)
		if err != nil {
			return "", nil, err
		}
		conds = append(conds, "("+sql+")")
		args = append(args, wargs...)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

func lowerAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(s)
	}
	return out
}

// escapeLike makes s match literally inside a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FindProjects returns one page of the projects that match f, in id order.
func (s *ProjectService) FindProjects(ctx context.Context, f domain.ProjectFilter) (*domain.ProjectPage, error) {
	page := &domain.ProjectPage{Projects: []*domain.Project{}}
	matched, err := s.EachProject(ctx, f, func(p *domain.Project) error {
		page.Projects = append(page.Projects, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	page.Matched = matched
	return page, nil
}

// EachProject streams the projects that match f, in id order, to fn.
func (s *ProjectService) EachProject(ctx context.Context, f domain.ProjectFilter, fn func(*domain.Project) error) (int, error) {
	where, whereArgs, err := whereClause(f)
	if err != nil {
		return 0, err
	}
	args := append([]any{}, whereArgs...)
	var sb strings.Builder
	sb.WriteString("SELECT ")
	sb.WriteString(projectColumns)
	sb.WriteString(" FROM project p")
	sb.WriteString(where)
	sb.WriteString(" ORDER BY p.id")
	if f.Limit > 0 {
		args = append(args, f.Limit)
		sb.WriteString(" LIMIT $" + strconv.Itoa(len(args)))
	}
	args = append(args, f.Offset)
	sb.WriteString(" OFFSET $" + strconv.Itoa(len(args)))

	rows, err := s.db.reader(ctx).Query(ctx, sb.String(), args...)
	if err != nil {
		return 0, mapError(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			return 0, err
		}
		n++
		if err := fn(p); err != nil {
			return 0, err
		}
	}
	if err := rows.Err(); err != nil {
		return 0, mapError(err)
	}
	// A first page shorter than its limit holds every match.
	if f.Offset == 0 && (f.Limit <= 0 || n < f.Limit) {
		return n, nil
	}
	var matched int
	var count strings.Builder
	count.WriteString("SELECT count(*) FROM project p")
	count.WriteString(where)
	if err := s.db.reader(ctx).QueryRow(ctx, count.String(), whereArgs...).Scan(&matched); err != nil {
		return 0, mapError(err)
	}
	return matched, nil
}

// FindProjectByID returns the project with id, or a not_found error.
func (s *ProjectService) FindProjectByID(ctx context.Context, id string) (*domain.Project, error) {
	row := s.db.reader(ctx).QueryRow(ctx, "SELECT "+projectColumns+" FROM project p WHERE p.id = $1", id)
	p, err := scanProject(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "no project has id %q", id)
	}
	return p, err
}

func scanProject(row pgx.Row) (*domain.Project, error) {
	var (
		p                      domain.Project
		targets, sources, hist []byte
		programme              *string
		status, precision      string
	)
	geom := wkb.Scanner(nil)
	dest := []any{&p.ID, &p.NameZH, &p.NameEN, &p.Section, &p.Item, &p.Clause, &p.Category, &status,
		&p.ActionZH, &p.ActionEN, &targets, &p.City, &p.CityZH, &p.County, &p.CountyZH, &p.Country,
		&p.CrossBorder, &precision, &p.UncertaintyKM, &p.LocationNote, &programme,
		&p.CountTarget, &sources, geom, &p.UpdatedAt, &p.Version, &hist}
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, err
		}
		return nil, mapError(err)
	}
	p.Status = domain.Status(status)
	p.LocationPrecision = domain.Precision(precision)
	if programme != nil {
		p.Programme = *programme
	}
	if geom.Valid {
		p.Geometry = geom.Geometry
	}
	if err := json.Unmarshal(targets, &p.Targets); err != nil {
		return nil, fmt.Errorf("postgis: project %s targets: %w", p.ID, err)
	}
	if err := json.Unmarshal(sources, &p.Sources); err != nil {
		return nil, fmt.Errorf("postgis: project %s sources: %w", p.ID, err)
	}
	var history []struct {
		Date string `json:"date"`
		domain.StatusChange
	}
	if err := json.Unmarshal(hist, &history); err != nil {
		return nil, fmt.Errorf("postgis: project %s history: %w", p.ID, err)
	}
	p.History = make([]domain.StatusChange, len(history))
	for i, h := range history {
		h.StatusChange.Date, _ = time.Parse(time.DateOnly, h.Date)
		p.History[i] = h.StatusChange
	}
	return &p, nil
}

// Sections returns the 13 sections with their project counts per status.
func (s *ProjectService) Sections(ctx context.Context) ([]domain.SectionSummary, error) {
	rows, err := s.db.reader(ctx).Query(ctx, `
SELECT s.number, s.title_zh, s.title_en,
       (SELECT count(*) FROM plan_clause c WHERE c.section = s.number),
       COALESCE((SELECT json_object_agg(status, n) FROM
           (SELECT status, count(*) AS n FROM project p WHERE p.section = s.number GROUP BY status) t), '{}')
FROM plan_section s ORDER BY s.number`)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []domain.SectionSummary
	for rows.Next() {
		var (
			sum    domain.SectionSummary
			counts []byte
		)
		if err := rows.Scan(&sum.Number, &sum.TitleZH, &sum.TitleEN, &sum.Items, &counts); err != nil {
			return nil, mapError(err)
		}
		sum.ByStatus = map[domain.Status]int{}
		if err := json.Unmarshal(counts, &sum.ByStatus); err != nil {
			return nil, err
		}
		for _, st := range domain.Statuses {
			sum.ByStatus[st] += 0
			sum.Projects += sum.ByStatus[st]
		}
		out = append(out, sum)
	}
	return out, mapError(rows.Err())
}

// Info returns the projects collection's size, extent and data version.
func (s *ProjectService) Info(ctx context.Context) (*domain.CollectionInfo, error) {
	var info domain.CollectionInfo
	ext := wkb.Scanner(nil)
	err := s.db.reader(ctx).QueryRow(ctx, `SELECT (SELECT count(*) FROM project),
	(SELECT ST_AsBinary(ST_Extent(geom)::geometry) FROM project),
	COALESCE((SELECT version FROM collection_version WHERE collection = 'projects'), 0)`).Scan(&info.Features, ext, &info.Version)
	if err != nil {
		return nil, mapError(err)
	}
	if ext.Valid {
		b := ext.Geometry.Bound()
		info.Extent = &domain.BBox{MinLon: b.Min[0], MinLat: b.Min[1], MaxLon: b.Max[0], MaxLat: b.Max[1]}
	}
	return &info, nil
}

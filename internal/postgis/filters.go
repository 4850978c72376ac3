package postgis

import (
	"context"
	"regexp"
	"sort"
	"sync"

	"github.com/planmap/planmap/internal/cql2"
	"github.com/planmap/planmap/internal/domain"
)

// FilterService is the registry of queryable properties: each maps to a
// column expression written here, never to text from a request.
type FilterService struct {
	db       *DB
	versions domain.VersionService
	lim      cql2.Limits

	mu     sync.Mutex
	layers map[string]layerQueryables
}

type layerQueryables struct {
	version int64
	q       cql2.Queryables
}

// NewFilterService returns a FilterService; versions tells when a layer's
// properties may have changed.
func NewFilterService(db *DB, versions domain.VersionService) *FilterService {
	return &FilterService{db: db, versions: versions, lim: cql2.DefaultLimits(), layers: map[string]layerQueryables{}}
}

var _ domain.FilterService = (*FilterService)(nil)

// projectQueryables are the properties of projects a filter may use.
func projectQueryables() cql2.Queryables {
	s := func(sql, d string) cql2.Queryable { return cql2.Queryable{SQL: sql, Type: cql2.String, Description: d} }
	return cql2.Queryables{
		"id":                 s("p.id", "stable project id"),
		"name_zh":            s("p.name_zh", "name in Chinese"),
		"name_en":            s("p.name_en", "name in English"),
		"clause":             s("p.clause", "the plan's verbatim clause"),
		"category":           s("p.category", "category code"),
		"status":             s("p.status", "status code"),
		"action_zh":          s("p.action_zh", "the action the plan asks for, in Chinese"),
		"action_en":          s("p.action_en", "the action the plan asks for, in English"),
		"city":               s("p.city", "prefecture-level city, English"),
		"city_zh":            s("p.city_zh", "prefecture-level city, Chinese"),
		"county":             s("p.county", "county or district, English"),
		"county_zh":          s("p.county_zh", "county or district, Chinese"),
		"country":            s("p.country", "ISO country code"),
		"location_precision": s("p.location_precision", "site, district, city or region"),
		"location_note":      s("p.location_note", "how the geometry was placed"),
		"programme":          s("p.programme", "id of the programme the project belongs to"),
		"section":            {SQL: "p.section", Type: cql2.Integer, Description: "plan section, 1-13"},
		"item":               {SQL: "p.item", Type: cql2.Integer, Description: "numbered item within the section"},
		"count_target":       {SQL: "p.count_target", Type: cql2.Integer, Description: "members a programme counts"},
		"uncertainty_km":     {SQL: "p.uncertainty_km", Type: cql2.Number, Description: "radius of the location's uncertainty"},
		"cross_border":       {SQL: "p.cross_border", Type: cql2.Boolean, Description: "lies across the national border"},
		"updated_at":         {SQL: "p.updated_at", Type: cql2.Timestamp, Description: "last change"},
		"plan_target_date":   {SQL: "(SELECT min(h.date) FROM project_status_history h WHERE h.project_id = p.id AND h.kind = 'plan_target')", Type: cql2.Date, Description: "date of the plan's target"},
		"last_reported_date": {SQL: "(SELECT max(h.date) FROM project_status_history h WHERE h.project_id = p.id AND h.kind = 'reported')", Type: cql2.Date, Description: "date of the latest reported status"},
		"geometry":           {SQL: "p.geom", Type: cql2.Geometry, Description: "the project's place"},
	}
}

// queryableKey is what a layer property's name must look like to be
// queryable: it is then safe inside a SQL string literal.
var queryableKey = regexp.MustCompile(`^[\p{L}\p{N}_]{1,63}$`)

// layerQueryablesFor discovers a layer's properties and their JSON types.
// A property with mixed types is queryable as text.
func (s *FilterService) layerQueryablesFor(ctx context.Context, layer string) (cql2.Queryables, error) {
	version, err := s.versions.CollectionVersion(ctx, layer)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	cached, ok := s.layers[layer]
	s.mu.Unlock()
	if ok && cached.version == version {
		return cached.q, nil
	}
	rows, err := s.db.reader(ctx).Query(ctx, `SELECT k.key, array_agg(DISTINCT jsonb_typeof(k.value))
FROM layer_feature f, jsonb_each(f.properties) k WHERE f.layer_id = $1 AND jsonb_typeof(k.value) <> 'null'
GROUP BY k.key ORDER BY k.key LIMIT 500`, layer)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	q := cql2.Queryables{
		"fid":      {SQL: "f.fid", Type: cql2.String, Description: "feature id"},
		"geometry": {SQL: "f.geom", Type: cql2.Geometry, Description: "the feature's geometry"},
	}
	for rows.Next() {
		var (
			key   string
			types []string
		)
		if err := rows.Scan(&key, &types); err != nil {
			return nil, mapError(err)
		}
		if !queryableKey.MatchString(key) || q[key].SQL != "" {
			continue
		}
		ref := "f.properties->'" + key + "'"
		text := "(f.properties->>'" + key + "')"
		switch {
		case len(types) == 1 && types[0] == "number":
			q[key] = cql2.Queryable{SQL: "(CASE WHEN jsonb_typeof(" + ref + ") = 'number' THEN " + text + "::float8 END)", Type: cql2.Number}
		case len(types) == 1 && types[0] == "boolean":
			q[key] = cql2.Queryable{SQL: "(CASE WHEN jsonb_typeof(" + ref + ") = 'boolean' THEN " + text + "::boolean END)", Type: cql2.Boolean}
		default:
			q[key] = cql2.Queryable{SQL: text, Type: cql2.String}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	s.mu.Lock()
	s.layers[layer] = layerQueryables{version: version, q: q}
	s.mu.Unlock()
	return q, nil
}

func (s *FilterService) queryables(ctx context.Context, collection string) (cql2.Queryables, error) {
	switch collection {
	case domain.CollectionProjects:
		return projectQueryables(), nil
	case domain.CollectionProgrammes:
		return cql2.Queryables{
			"fid":      {SQL: "f.fid", Type: cql2.String, Description: "programme id"},
			"geometry": {SQL: "f.geom", Type: cql2.Geometry, Description: "the sited members"},
		}, nil
	}
	return s.layerQueryablesFor(ctx, collection)
}

// QueryablesSchema returns the JSON Schema of the collection's queryables.
func (s *FilterService) QueryablesSchema(ctx context.Context, collection, id, title string) (map[string]any, error) {
	q, err := s.queryables(ctx, collection)
	if err != nil {
		return nil, err
	}
	return q.Schema(id, title), nil
}

// Condition compiles a filter into a WHERE condition on the collection.
func (s *FilterService) Condition(ctx context.Context, collection, lang, filter, filterCRS string) (domain.Condition, error) {
	if err := cql2.CheckCRS(filterCRS); err != nil {
		return nil, err
	}
	expr, err := cql2.Parse(lang, filter, s.lim)
	if err != nil {
		return nil, err
	}
	q, err := s.queryables(ctx, collection)
	if err != nil {
		return nil, err
	}
	// Translate once now, so unknown properties and type errors are 400s
	// before any row is read.
	if _, _, err := cql2.ToSQL(expr, q, 1); err != nil {
		return nil, err
	}
	return func(first int) (string, []any, error) { return cql2.ToSQL(expr, q, first) }, nil
}

// ConformanceClasses lists the CQL2 classes the translator implements.
func (s *FilterService) ConformanceClasses() []string {
	c := cql2.ConformanceClasses()
	sort.Strings(c)
	return c
}

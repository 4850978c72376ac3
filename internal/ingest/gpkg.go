package ingest

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
	_ "modernc.org/sqlite" // pure-Go SQLite for GeoPackage

	"github.com/planmap/planmap/internal/domain"
)

// GeoPackage layers are the feature tables of gpkg_contents, each read in
// primary-key order through a cursor. SQLite needs a file, so the upload is
// copied to a temporary file that Close removes.

type gpkgColumn struct {
	name, typ string
}

type gpkgLayer struct {
	name, table, geomCol, fid string
	cols                      []gpkgColumn
	ls                        *layerState
}

type gpkgSource struct {
	r      *Reader
	db     *sql.DB
	layers []*gpkgLayer
	cur    int
	rows   *sql.Rows
	zNote  bool
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func (r *Reader) openGPKG(filename string, ra io.ReaderAt, size int64) error {
	tmp, err := os.CreateTemp("", "planmap-*.gpkg")
	if err != nil {
		return err
	}
	r.cleanup = append(r.cleanup, func() { os.Remove(tmp.Name()) })
	_, err = io.Copy(tmp, io.NewSectionReader(ra, 0, size))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	dsn := (&url.URL{Scheme: "file", Path: tmp.Name(), RawQuery: "mode=ro&immutable=1&_pragma=query_only(1)&_pragma=trusted_schema(0)"}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	src := &gpkgSource{r: r, db: db}
	r.src = src
	bad := func(err error) error {
		return syntaxf("%s is not a readable GeoPackage: %v", filename, err)
	}
	rows, err := db.Query(`SELECT c.table_name, g.column_name, g.geometry_type_name, g.srs_id
FROM gpkg_contents c JOIN gpkg_geometry_columns g ON g.table_name = c.table_name
WHERE c.data_type = 'features' ORDER BY c.table_name`)
	if err != nil {
		return bad(err)
	}
	type meta struct {
		table, col, typ string
		srs             int
	}
	var metas []meta
	for rows.Next() {
		var m meta
		if err := rows.Scan(&m.table, &m.col, &m.typ, &m.srs); err != nil {
			rows.Close()
			return bad(err)
		}
		metas = append(metas, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return bad(err)
	}
	if len(metas) == 0 {
		return fail(ErrUnknownFormat, domain.EUNSUPPORTED, "%s holds no feature tables (tiles and attributes-only tables are not read)", filename)
	}
	for _, m := range metas {
		l := &gpkgLayer{name: m.table, table: m.table, geomCol: m.col}
		def, err := src.srs(filename, m.table, m.srs)
		if err != nil {
			return err
		}
		var assumed *crsDef
		if def == nil {
			assumed = lookupEPSG(4326)
		}
		if l.ls, err = r.addLayer(m.table, def, "gpkg", assumed, encUTF8, m.typ); err != nil {
			return err
		}
		if err := src.columns(l); err != nil {
			return bad(err)
		}
		for _, c := range l.cols {
			if err := r.registerField(l.ls, c.name, sqliteType(c.typ)); err != nil {
				return err
			}
		}
		src.layers = append(src.layers, l)
	}
	return nil
}

// srs maps a gpkg_spatial_ref_sys row to a CRS; nil for the undefined
// systems (srs_id 0 and -1).
func (s *gpkgSource) srs(filename, table string, id int) (*crsDef, error) {
	if id == 0 || id == -1 {
		return nil, nil
	}
	var org, def string
	var code int
	err := s.db.QueryRow(`SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?`, id).Scan(&org, &code, &def)
	if err != nil {
		return nil, syntaxf("%s: table %s uses srs_id %d, which gpkg_spatial_ref_sys does not define", filename, table, id)
	}
	if strings.EqualFold(org, "EPSG") && code > 0 {
		if d := lookupEPSG(code); d.Kind != kindUnknown {
			return d, nil
		}
		if d, err := crsFromWKT(filename+":"+table, def); err == nil && d.EPSG == code {
			return d, nil
		}
		return lookupEPSG(code), nil
	}
	return crsFromWKT(fmt.Sprintf("%s: table %s (srs_id %d)", filename, table, id), def)
}

func (s *gpkgSource) columns(l *gpkgLayer) error {
	rows, err := s.db.Query(`SELECT name, type, pk FROM pragma_table_info(?)`, l.table)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c gpkgColumn
		var pk int
		if err := rows.Scan(&c.name, &c.typ, &pk); err != nil {
			return err
		}
		switch {
		case pk == 1 && strings.Contains(strings.ToUpper(c.typ), "INT") && l.fid == "":
			l.fid = c.name
		case strings.EqualFold(c.name, l.geomCol):
		default:
			l.cols = append(l.cols, c)
		}
	}
	return rows.Err()
}

// sqliteType maps a GeoPackage column type to a Field type.
func sqliteType(t string) string {
	t = strings.ToUpper(t)
	switch {
	case t == "BOOLEAN":
		return "boolean"
	case strings.Contains(t, "INT"):
		return "integer"
	case t == "REAL" || t == "DOUBLE" || t == "FLOAT":
		return "number"
	case t == "DATE":
		return "date"
	case t == "DATETIME":
		return "datetime"
	}
	return "string"
}

func (s *gpkgSource) close() error {
	if s.rows != nil {
		s.rows.Close()
	}
	return s.db.Close()
}

func (s *gpkgSource) next() (*Feature, error) {
	for s.cur < len(s.layers) {
		l := s.layers[s.cur]
		if s.rows == nil {
			sel := []string{"NULL", quoteIdent(l.geomCol)}
			if l.fid != "" {
				sel[0] = quoteIdent(l.fid)
			}
			for _, c := range l.cols {
				sel = append(sel, quoteIdent(c.name))
			}
			q := "SELECT " + strings.Join(sel, ", ") + " FROM " + quoteIdent(l.table)
			if l.fid != "" {
				q += " ORDER BY " + quoteIdent(l.fid)
			}
			rows, err := s.db.Query(q)
			if err != nil {
				return nil, syntaxf("table %s: %v", l.table, err)
			}
			s.rows = rows
		}
		if !s.rows.Next() {
			err := s.rows.Err()
			s.rows.Close()
			s.rows = nil
			if err != nil {
				return nil, syntaxf("table %s: %v", l.table, err)
			}
			s.cur++
			continue
		}
		return s.feature(l)
	}
	return nil, io.EOF
}

func (s *gpkgSource) feature(l *gpkgLayer) (*Feature, error) {
	vals := make([]any, 2+len(l.cols))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := s.rows.Scan(ptrs...); err != nil {
		return nil, syntaxf("table %s: %v", l.table, err)
	}
	f := &Feature{Layer: l.name}
	if vals[0] != nil {
		f.ID = fmt.Sprint(vals[0])
	}
	if blob, ok := vals[1].([]byte); ok {
		g, hasZ, err := decodeGPKGGeometry(blob, s.r.opt.MaxVertices, s.r.opt.MaxDepth)
		switch {
		case errors.Is(err, errWKTVertices):
			return nil, tooLargef("table %s: feature %d has more than %d vertices (the limit per feature)", l.table, s.r.res.Features, s.r.opt.MaxVertices)
		case err != nil:
			f.Issues = append(f.Issues, Issue{Code: "bad-geometry", Severity: SeverityError, Message: err.Error()})
		default:
			f.Geometry = g
		}
		if hasZ && !s.zNote {
			s.zNote = true
			s.r.fileIssue("z-dropped", SeverityInfo, fmt.Sprintf("table %s: geometries carry Z/M values; only X and Y are kept", l.table))
		}
	}
	for i, c := range l.cols {
		v := vals[2+i]
		switch x := v.(type) {
		case []byte:
			if utf8.Valid(x) {
				v = string(x)
			} else {
				v = nil
				f.Issues = append(f.Issues, Issue{Field: c.name, Code: "binary-value", Severity: SeverityWarning, Message: "binary (BLOB) value not stored"})
			}
		case int64:
			if strings.EqualFold(c.typ, "BOOLEAN") {
				v = x != 0
			}
		case time.Time:
			v = x.UTC()
		}
		f.Properties = append(f.Properties, Property{Name: c.name, Value: v})
	}
	return f, nil
}

// decodeGPKGGeometry reads a GeoPackage binary: "GP", version, flags, srs_id,
// an optional envelope, then WKB.
func decodeGPKGGeometry(b []byte, maxVerts, maxDepth int) (orb.Geometry, bool, error) {
	if len(b) < 8 || b[0] != 'G' || b[1] != 'P' {
		return nil, false, fmt.Errorf("not a GeoPackage geometry (no GP header)")
	}
	flags := b[3]
	env := [...]int{0, 32, 48, 48, 64}
	e := int(flags>>1) & 7
	if e >= len(env) {
		return nil, false, fmt.Errorf("bad GeoPackage envelope code %d", e)
	}
	start := 8 + env[e]
	if len(b) < start {
		return nil, false, fmt.Errorf("GeoPackage geometry is truncated")
	}
	if flags&0x10 != 0 {
		return orb.Collection{}, false, nil // empty
	}
	return decodeWKB(b[start:], maxVerts, maxDepth)
}

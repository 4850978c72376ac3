package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/paulmach/orb"
	xtransform "golang.org/x/text/transform"

	"github.com/planmap/planmap/internal/domain"
)

// geojsonSource streams a GeoJSON text token by token with json.Decoder:
// no value larger than one number or string is held, so a ring of ten
// million vertices fails at MaxVertices without being read to the end.
// It accepts a FeatureCollection, a Feature, a bare geometry (including a
// GeometryCollection), a top-level array of features and several such
// texts one after another (GeoJSON lines).
type geojsonSource struct {
	r     *Reader
	ls    *layerState
	name  string
	dec   *json.Decoder
	bad   *badUTF8
	state int
	top   *gjObject // members of the top-level object seen so far
	verts int       // vertices of the feature being read
	zNote bool
	emits int
	seen  bool // a top-level value was read
}

const (
	gjStart     = iota // before a top-level value
	gjTopObject        // reading members of a top-level object
	gjFeatures         // inside a "features" array of the top-level object
	gjTopArray         // inside a top-level array of features
)

// gjObject accumulates the members of a GeoJSON object in any order.
type gjObject struct {
	typ        string
	id         string
	props      []Property
	geom       orb.Geometry
	hasGeom    bool
	coords     *coordNode
	geometries []orb.Geometry
	hasGeoms   bool
	issues     []Issue
	collection bool // had "features"
}

func (r *Reader) openGeoJSON(filename string, in io.Reader) error {
	if r.opt.Encoding != "" {
		cs, err := lookupCharset(r.opt.Encoding)
		if err != nil {
			return err
		}
		if cs.enc != nil {
			in = xtransform.NewReader(in, cs.enc.NewDecoder())
		}
	}
	bad := &badUTF8{r: in}
	dec := json.NewDecoder(bad)
	dec.UseNumber()
	name := layerName(filename)
	ls, err := r.addLayer(name, nil, "", lookupEPSG(4326), encUTF8, "")
	if err != nil {
		return err
	}
	r.src = &geojsonSource{r: r, ls: ls, name: name, dec: dec, bad: bad}
	return nil
}

func layerName(filename string) string {
	base := filename
	if i := strings.LastIndexAny(base, "/\\"); i >= 0 {
		base = base[i+1:]
	}
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	return base
}

func (s *geojsonSource) close() error { return nil }

func (s *geojsonSource) tok() (json.Token, error) {
	t, err := s.dec.Token()
	if err != nil {
		return nil, s.wrap(err)
	}
	return t, nil
}

// wrap turns decoder errors into client errors with a position.
func (s *geojsonSource) wrap(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		hint := ""
		if m := se.Error(); strings.Contains(m, "'N'") || strings.Contains(m, "'I'") {
			hint = ": NaN and Infinity are not JSON numbers"
		}
		return syntaxf("%s: invalid JSON at byte %d (in or after feature %d): %v%s", s.name, se.Offset, s.r.res.Features, err, hint)
	}
	if domain.ErrorCode(err) != domain.EINTERNAL || errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	return syntaxf("%s: %v", s.name, err)
}

func (s *geojsonSource) deep(depth int) error {
	if depth > s.r.opt.MaxDepth {
		return fail(ErrTooDeep, domain.EINVALID, "%s: JSON nested deeper than %d levels at byte %d (feature %d)", s.name, s.r.opt.MaxDepth, s.dec.InputOffset(), s.r.res.Features)
	}
	return nil
}

func (s *geojsonSource) next() (*Feature, error) {
	for {
		switch s.state {
		case gjStart:
			t, err := s.dec.Token()
			if err == io.EOF {
				if !s.seen {
					return nil, syntaxf("%s holds no GeoJSON", s.name)
				}
				return nil, io.EOF
			}
			if err != nil {
				return nil, s.wrap(err)
			}
			s.seen = true
			switch t {
			case json.Delim('{'):
				s.state, s.top = gjTopObject, &gjObject{}
			case json.Delim('['):
				s.state = gjTopArray
			default:
				return nil, syntaxf("%s: expected a GeoJSON object, found %v", s.name, t)
			}
		case gjTopArray, gjFeatures:
			if !s.dec.More() {
				if _, err := s.tok(); err != nil { // ']'
					return nil, err
				}
				if s.state == gjTopArray {
					s.state = gjStart
				} else {
					s.state = gjTopObject
				}
				continue
			}
			t, err := s.tok()
			if err != nil {
				return nil, err
			}
			if t != json.Delim('{') {
				if err := s.skip(t, 2); err != nil {
					return nil, err
				}
				return s.emit(&gjObject{issues: []Issue{{Code: "not-a-feature", Severity: SeverityError, Message: fmt.Sprintf("features array member is %s, not a Feature object", describe(t))}}}, true)
			}
			obj := &gjObject{}
			if err := s.object(obj, 2, false); err != nil {
				return nil, err
			}
			return s.emit(obj, true)
		case gjTopObject:
			t, err := s.tok()
			if err != nil {
				return nil, err
			}
			if t == json.Delim('}') {
				s.state = gjStart
				top := s.top
				s.top = nil
				if top.collection {
					continue
				}
				if top.typ == "" && top.coords == nil && !top.hasGeom && !top.hasGeoms {
					return nil, syntaxf("%s: the top-level object is not GeoJSON (no \"type\", \"features\", \"geometry\" or \"coordinates\")", s.name)
				}
				return s.emit(top, false)
			}
			key, ok := t.(string)
			if !ok {
				return nil, syntaxf("%s: expected a member name, found %v", s.name, t)
			}
			if key == "features" {
				t, err := s.tok()
				if err != nil {
					return nil, err
				}
				if t != json.Delim('[') {
					return nil, syntaxf("%s: \"features\" must be an array", s.name)
				}
				s.top.collection = true
				s.state = gjFeatures
				continue
			}
			if err := s.member(s.top, key, 1, true); err != nil {
				return nil, err
			}
		}
	}
}

func describe(t json.Token) string {
	switch t.(type) {
	case json.Delim:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}

// emit turns a parsed Feature or geometry object into a Feature.
func (s *geojsonSource) emit(obj *gjObject, inCollection bool) (*Feature, error) {
	s.emits++
	s.verts = 0
	f := &Feature{Layer: s.name, ID: obj.id, Properties: obj.props, Issues: obj.issues}
	switch {
	case obj.typ == "Feature" || obj.hasGeom && obj.coords == nil:
		f.Geometry = obj.geom
		if obj.typ != "Feature" {
			f.Issues = append(f.Issues, Issue{Code: "missing-type", Severity: SeverityWarning, Message: fmt.Sprintf("object has \"geometry\" but type %q; read as a Feature", obj.typ)})
		}
	case obj.typ == "" && inCollection:
		f.Issues = append(f.Issues, Issue{Code: "not-a-feature", Severity: SeverityError, Message: "features array member has no \"type\": \"Feature\""})
	case inCollection:
		f.Issues = append(f.Issues, Issue{Code: "not-a-feature", Severity: SeverityError, Message: fmt.Sprintf("features array member has type %q, not Feature", obj.typ)})
	default: // a bare geometry
		g, is := buildGeometry(obj)
		f.Geometry = g
		f.Issues = append(f.Issues, is...)
	}
	return f, nil
}

// object reads the members of an object whose '{' was consumed.
func (s *geojsonSource) object(obj *gjObject, depth int, top bool) error {
	if err := s.deep(depth); err != nil {
		return err
	}
	for {
		t, err := s.tok()
		if err != nil {
			return err
		}
		if t == json.Delim('}') {
			return nil
		}
		key, ok := t.(string)
		if !ok {
			return syntaxf("%s: expected a member name, found %v", s.name, t)
		}
		if err := s.member(obj, key, depth, top); err != nil {
			return err
		}
	}
}

func (s *geojsonSource) member(obj *gjObject, key string, depth int, top bool) error {
	start := s.dec.InputOffset()
	t, err := s.tok()
	if err != nil {
		return err
	}
	switch key {
	case "type":
		if str, ok := t.(string); ok {
			obj.typ = str
			return nil
		}
	case "id":
		switch v := t.(type) {
		case string:
			obj.id = v
			if s.bad.in(start, s.dec.InputOffset()) {
				obj.issues = append(obj.issues, Issue{Code: "invalid-utf8", Severity: SeverityError, Message: "id is not valid UTF-8"})
			}
			return nil
		case json.Number:
			obj.id = string(v)
			return nil
		}
	case "properties":
		if t == nil {
			return nil
		}
		if t == json.Delim('{') {
			return s.properties(obj, depth+1)
		}
		obj.issues = append(obj.issues, Issue{Code: "bad-properties", Severity: SeverityWarning, Message: "\"properties\" is not an object; ignored"})
	case "geometry":
		obj.hasGeom = true
		if t == nil {
			return nil
		}
		if t == json.Delim('{') {
			g, is, err := s.geometry(depth + 1)
			obj.geom = g
			obj.issues = append(obj.issues, is...)
			return err
		}
		obj.issues = append(obj.issues, Issue{Code: "bad-geometry", Severity: SeverityError, Message: "\"geometry\" is not an object"})
	case "coordinates":
		if t == json.Delim('[') {
			n, err := s.coords(depth+1, &obj.issues)
			obj.coords = n
			return err
		}
		obj.coords = &coordNode{}
		obj.issues = append(obj.issues, Issue{Code: "bad-coordinates", Severity: SeverityError, Message: "\"coordinates\" is not an array"})
	case "geometries":
		obj.hasGeoms = true
		if t == json.Delim('[') {
			if err := s.deep(depth + 1); err != nil {
				return err
			}
			for s.dec.More() {
				t, err := s.tok()
				if err != nil {
					return err
				}
				if t != json.Delim('{') {
					obj.issues = append(obj.issues, Issue{Code: "bad-geometry", Severity: SeverityError, Message: "GeometryCollection member is not an object"})
					if err := s.skip(t, depth+2); err != nil {
						return err
					}
					continue
				}
				g, is, err := s.geometry(depth + 2)
				if err != nil {
					return err
				}
				obj.issues = append(obj.issues, is...)
				if g != nil {
					obj.geometries = append(obj.geometries, g)
				}
			}
			_, err := s.tok()
			return err
		}
	case "crs":
		if top {
			raw, err := s.capture(t, depth+1)
			if err != nil {
				return err
			}
			return s.crs(raw)
		}
	}
	return s.skip(t, depth+1)
}

// geometry reads a geometry object whose '{' was consumed.
func (s *geojsonSource) geometry(depth int) (orb.Geometry, []Issue, error) {
	obj := &gjObject{}
	if err := s.object(obj, depth, false); err != nil {
		return nil, nil, err
	}
	g, is := buildGeometry(obj)
	return g, append(obj.issues, is...), nil
}

// crs applies the legacy "crs" member.
func (s *geojsonSource) crs(raw json.RawMessage) error {
	var c struct {
		Type       string
		Properties struct {
			Name string
			Code json.Number
		}
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return syntaxf("%s: unreadable \"crs\" member: %v", s.name, err)
	}
	name := c.Properties.Name
	if name == "" && c.Properties.Code != "" {
		name = "EPSG:" + string(c.Properties.Code)
	}
	if name == "" {
		s.r.fileIssue("crs-ignored", SeverityWarning, fmt.Sprintf("%s: \"crs\" member of type %q ignored; assuming WGS 84", s.name, c.Type))
		return nil
	}
	def, conv, err := parseCRS(name)
	if err != nil {
		return err
	}
	if conv != convNone {
		return fail(ErrCRS, domain.EUNSUPPORTED, "%s: \"crs\" names %s; remove it and declare %s when uploading", s.name, name, conv)
	}
	if s.emits > 0 && s.r.declared == nil && def.EPSG != s.ls.crs.def.EPSG {
		return fail(ErrCRS, domain.EUNSUPPORTED, "%s: the \"crs\" member (%s) comes after the features; move it before \"features\" or declare the CRS", s.name, name)
	}
	return s.r.setLayerCRS(s.ls, s.name, def, "geojson-crs")
}

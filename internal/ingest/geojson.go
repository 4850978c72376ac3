package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

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

// properties reads a properties object whose '{' was consumed, in order.
func (s *geojsonSource) properties(obj *gjObject, depth int) error {
	if err := s.deep(depth); err != nil {
		return err
	}
	for {
		start := s.dec.InputOffset()
		t, err := s.tok()
		if err != nil {
			return err
		}
		if t == json.Delim('}') {
			return nil
		}
		key, ok := t.(string)
		if !ok {
			return syntaxf("%s: expected a property name, found %v", s.name, t)
		}
		if s.bad.in(start, s.dec.InputOffset()) {
			obj.issues = append(obj.issues, Issue{Field: key, Code: "invalid-utf8", Severity: SeverityError, Message: "property name is not valid UTF-8 (GeoJSON must be UTF-8; declare the encoding, e.g. GBK)"})
		}
		start = s.dec.InputOffset()
		t, err = s.tok()
		if err != nil {
			return err
		}
		var v any
		switch tv := t.(type) {
		case json.Delim:
			raw, err := s.capture(t, depth+1)
			if err != nil {
				return err
			}
			v = raw
		case string:
			v = tv
		case json.Number:
			v = numberValue(tv)
		default:
			v = tv // bool or nil
		}
		if s.bad.in(start, s.dec.InputOffset()) {
			obj.issues = append(obj.issues, Issue{Field: key, Code: "invalid-utf8", Severity: SeverityError, Message: "value is not valid UTF-8 (GeoJSON must be UTF-8; declare the encoding, e.g. GBK)"})
		}
		obj.props = append(obj.props, Property{Name: key, Value: v})
	}
}

// numberValue is an int64 for integers that fit, a float64 otherwise, and
// the literal text when it overflows a float64 (1e400).
func numberValue(n json.Number) any {
	if !strings.ContainsAny(string(n), ".eE") {
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i
		}
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) {
		return string(n)
	}
	return f
}

// skip consumes the rest of a value whose first token is t.
func (s *geojsonSource) skip(t json.Token, depth int) error {
	d, ok := t.(json.Delim)
	if !ok || d == '}' || d == ']' {
		return nil
	}
	level := 1
	if err := s.deep(depth); err != nil {
		return err
	}
	for level > 0 {
		t, err := s.tok()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			level++
			if err := s.deep(depth + level - 1); err != nil {
				return err
			}
		case json.Delim('}'), json.Delim(']'):
			level--
		}
	}
	return nil
}

// capture re-encodes a value whose first token is t as JSON text.
func (s *geojsonSource) capture(t json.Token, depth int) (json.RawMessage, error) {
	var b bytes.Buffer
	if err := s.captureInto(&b, t, depth); err != nil {
		return nil, err
	}
	return json.RawMessage(b.Bytes()), nil
}

func (s *geojsonSource) captureInto(b *bytes.Buffer, t json.Token, depth int) error {
	switch v := t.(type) {
	case json.Delim:
		if err := s.deep(depth); err != nil {
			return err
		}
		b.WriteByte(byte(v))
		for n := 0; ; n++ {
			t, err := s.tok()
			if err != nil {
				return err
			}
			if t == json.Delim('}') || t == json.Delim(']') {
				b.WriteByte(byte(t.(json.Delim)))
				return nil
			}
			if n > 0 {
				b.WriteByte(',')
			}
			if v == '{' {
				writeJSONString(b, t.(string))
				b.WriteByte(':')
				if t, err = s.tok(); err != nil {
					return err
				}
			}
			if err := s.captureInto(b, t, depth+1); err != nil {
				return err
			}
		}
	case string:
		writeJSONString(b, v)
	case json.Number:
		b.WriteString(string(v))
	case bool:
		b.WriteString(strconv.FormatBool(v))
	default:
		b.WriteString("null")
	}
	return nil
}

func writeJSONString(b *bytes.Buffer, s string) {
	out, _ := json.Marshal(s)
	b.Write(out)
}

// coordNode is a parsed "coordinates" value: a position, a list of
// positions, or a list of nodes.
type coordNode struct {
	kind int
	pt   orb.Point
	pts  []orb.Point
	kids []*coordNode
}

const (
	cnEmpty = iota
	cnPos
	cnPosList
	cnList
)

// coords reads an array whose '[' was consumed, counting vertices.
func (s *geojsonSource) coords(depth int, issues *[]Issue) (*coordNode, error) {
	if err := s.deep(depth); err != nil {
		return nil, err
	}
	t, err := s.tok()
	if err != nil {
		return nil, err
	}
	switch t.(type) {
	case json.Number, string, bool, nil:
		p, err := s.position(t, issues)
		return &coordNode{kind: cnPos, pt: p}, err
	}
	if t == json.Delim(']') {
		return &coordNode{kind: cnEmpty}, nil
	}
	if t != json.Delim('[') {
		return nil, syntaxf("%s: unexpected %v in coordinates", s.name, t)
	}
	first, err := s.coords(depth+1, issues)
	if err != nil {
		return nil, err
	}
	n := &coordNode{kind: cnList, kids: []*coordNode{first}}
	if first.kind == cnPos {
		n = &coordNode{kind: cnPosList, pts: []orb.Point{first.pt}}
	}
	for {
		t, err := s.tok()
		if err != nil {
			return nil, err
		}
		if t == json.Delim(']') {
			return n, nil
		}
		if t != json.Delim('[') {
			*issues = append(*issues, Issue{Code: "bad-coordinates", Severity: SeverityError, Message: fmt.Sprintf("coordinates mix arrays and %s", describe(t))})
			if err := s.skip(t, depth+1); err != nil {
				return nil, err
			}
			continue
		}
		c, err := s.coords(depth+1, issues)
		if err != nil {
			return nil, err
		}
		switch {
		case n.kind == cnPosList && c.kind == cnPos:
			n.pts = append(n.pts, c.pt)
		case n.kind == cnList && c.kind != cnPos:
			n.kids = append(n.kids, c)
		default:
			*issues = append(*issues, Issue{Code: "bad-coordinates", Severity: SeverityError, Message: "coordinates mix positions and arrays of positions"})
		}
	}
}

// position reads the numbers of a position after its first token.
func (s *geojsonSource) position(t json.Token, issues *[]Issue) (orb.Point, error) {
	s.verts++
	if s.verts > s.r.opt.MaxVertices {
		return orb.Point{}, tooLargef("%s: feature %d has more than %d vertices (the limit per feature); reading stopped at byte %d", s.name, s.r.res.Features, s.r.opt.MaxVertices, s.dec.InputOffset())
	}
	var p orb.Point
	n := 0
	for {
		if t == json.Delim(']') {
			break
		}
		switch v := t.(type) {
		case json.Number:
			if n < 2 {
				f, err := strconv.ParseFloat(string(v), 64)
				if err != nil && !math.IsInf(f, 0) {
					f = math.NaN()
				}
				p[n] = f
			}
		case json.Delim:
			return p, syntaxf("%s: a position holds an array (feature %d)", s.name, s.r.res.Features)
		default:
			if n < 2 {
				p[n] = math.NaN()
			}
			*issues = append(*issues, Issue{Code: "invalid-coordinate", Severity: SeverityError, Message: fmt.Sprintf("a position holds %s, not a number", describe(t))})
		}
		n++
		var err error
		if t, err = s.tok(); err != nil {
			return p, err
		}
	}
	switch {
	case n < 2:
		*issues = append(*issues, Issue{Code: "invalid-coordinate", Severity: SeverityError, Message: fmt.Sprintf("a position has %d number; at least 2 are needed", n)})
		p = orb.Point{math.NaN(), math.NaN()}
	case n > 2 && !s.zNote:
		s.zNote = true
		s.r.fileIssue("z-dropped", SeverityInfo, fmt.Sprintf("%s: positions carry Z (or M) values; only X and Y are kept", s.name))
	}
	return p, nil
}

// buildGeometry makes an orb geometry of obj's type from its coordinates.
func buildGeometry(obj *gjObject) (orb.Geometry, []Issue) {
	bad := func(format string, args ...any) (orb.Geometry, []Issue) {
		return nil, []Issue{{Code: "bad-geometry", Severity: SeverityError, Message: fmt.Sprintf(format, args...)}}
	}
	if obj.typ == "GeometryCollection" {
		return orb.Collection(obj.geometries), nil
	}
	c := obj.coords
	if c == nil {
		if obj.typ == "" {
			return bad("geometry has no \"type\"")
		}
		return bad("%s has no \"coordinates\"", obj.typ)
	}
	if c.kind == cnEmpty {
		return orb.Collection{}, nil // empty geometry of any type
	}
	ring := func(n *coordNode) (orb.Ring, bool) {
		if n.kind == cnEmpty {
			return orb.Ring{}, true
		}
		return orb.Ring(n.pts), n.kind == cnPosList
	}
	poly := func(n *coordNode) (orb.Polygon, bool) {
		if n.kind == cnEmpty {
			return orb.Polygon{}, true
		}
		if n.kind != cnList {
			return nil, false
		}
		p := make(orb.Polygon, 0, len(n.kids))
		for _, k := range n.kids {
			r, ok := ring(k)
			if !ok {
				return nil, false
			}
			p = append(p, r)
		}
		return p, true
	}
	switch obj.typ {
	case "Point":
		if c.kind == cnPos {
			return c.pt, nil
		}
	case "MultiPoint":
		if c.kind == cnPosList {
			return orb.MultiPoint(c.pts), nil
		}
	case "LineString":
		if c.kind == cnPosList {
			return orb.LineString(c.pts), nil
		}
	case "MultiLineString", "Polygon":
		if p, ok := poly(c); ok {
			if obj.typ == "Polygon" {
				return p, nil
			}
			ml := make(orb.MultiLineString, len(p))
			for i, r := range p {
				ml[i] = orb.LineString(r)
			}
			return ml, nil
		}
	case "MultiPolygon":
		if c.kind == cnList {
			mp := make(orb.MultiPolygon, 0, len(c.kids))
			for _, k := range c.kids {
				p, ok := poly(k)
				if !ok {
					return bad("MultiPolygon coordinates are not nested three deep")
				}
				mp = append(mp, p)
			}
			return mp, nil
		}
	case "":
		return bad("geometry has no \"type\"")
	default:
		return bad("unknown geometry type %q", obj.typ)
	}
	return bad("coordinates do not match the nesting of a %s", obj.typ)
}

// badUTF8 passes bytes through and remembers where invalid UTF-8 occurs,
// which json.Decoder would otherwise silently replace with U+FFFD.
type badUTF8 struct {
	r       io.Reader
	off     int64
	pending []byte
	at      []int64 // offsets not yet claimed, ascending
}

const maxBadOffsets = 1 << 16

func (b *badUTF8) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if n > 0 {
		b.scan(p[:n])
	}
	return n, err
}

func (b *badUTF8) scan(p []byte) {
	base := b.off - int64(len(b.pending))
	buf := p
	if len(b.pending) > 0 {
		buf = append(b.pending, p...)
		b.pending = nil
	}
	b.off += int64(len(p))
	for i := 0; i < len(buf); {
		c := buf[i]
		if c < 0x80 {
			i++
			continue
		}
		if !utf8.FullRune(buf[i:]) {
			b.pending = append([]byte(nil), buf[i:]...)
			return
		}
		r, size := utf8.DecodeRune(buf[i:])
		if r == utf8.RuneError && size == 1 {
			if len(b.at) < maxBadOffsets {
				b.at = append(b.at, base+int64(i))
			}
			i++
			continue
		}
		i += size
	}
}

// in reports (and forgets) invalid bytes before end; true if any lay at or
// after start.
func (b *badUTF8) in(start, end int64) bool {
	found := false
	i := 0
	for i < len(b.at) && b.at[i] < end {
		if b.at[i] >= start {
			found = true
		}
		i++
	}
	b.at = b.at[i:]
	return found
}

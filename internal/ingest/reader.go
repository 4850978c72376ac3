package ingest

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/planmap/planmap/internal/domain"
)

// maxIssuesPerCode caps how many issues of one code Result lists.
const maxIssuesPerCode = 100

// source is one format's feature stream. Features come with their source
// CRS coordinates, their Layer set and any parse issues.
type source interface {
	next() (*Feature, error)
	close() error
}

// crsState is a layer's resolved CRS and the conversion applied here.
type crsState struct {
	def  *crsDef
	conv string
	info CRSInfo
}

type layerState struct {
	idx     int // in Result.Layers
	crs     *crsState
	fields  map[string]int    // output name -> index in Fields
	renames map[string]string // source name -> output name
}

// Reader streams the features of one upload.
type Reader struct {
	opt      Options
	res      Result
	src      source
	declared *crsState
	layers   map[string]*layerState
	counts   map[string]int
	dups     map[uint64]int
	seed     maphash.Seed
	total    int
	err      error
	done     bool
	cleanup  []func()
}

func newReader(format Format, opt Options) (*Reader, error) {
	r := &Reader{
		opt:    opt,
		res:    Result{Format: format},
		layers: map[string]*layerState{},
		counts: map[string]int{},
		dups:   map[uint64]int{},
		seed:   maphash.MakeSeed(),
	}
	if opt.DeclaredCRS != "" {
		def, conv, err := parseCRS(opt.DeclaredCRS)
		if err != nil {
			return nil, err
		}
		st := &crsState{def: def, conv: conv, info: def.info("declared")}
		if conv != convNone {
			st.info.Name = fmt.Sprintf("WGS 84 (converted from %s)", conv)
			st.info.Warning = fmt.Sprintf("declared %s: converted to WGS 84 here with the exact inverse of the published transform", conv)
		}
		r.declared = st
	}
	return r, nil
}

// Open reads an upload from r. filename is used to check the content
// against the extension and in messages.
func Open(filename string, r io.ReaderAt, size int64, opt Options) (*Reader, error) {
	opt = opt.withDefaults()
	if size > opt.MaxBytes {
		return nil, tooLargef("%s is %d bytes; the limit is %d", filename, size, opt.MaxBytes)
	}
	head := make([]byte, min(size, 4096))
	if _, err := r.ReadAt(head, 0); err != nil && err != io.EOF {
		return nil, err
	}
	format, err := Sniff(filename, head)
	if err != nil {
		return nil, err
	}
	rd, err := newReader(format, opt)
	if err != nil {
		return nil, err
	}
	switch format {
	case FormatGeoJSON:
		err = rd.openGeoJSON(filename, bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 64<<10))
	case FormatCSV:
		err = rd.openCSV(filename, r, size, nil)
	case FormatKML:
		err = rd.openKML(filename, io.NewSectionReader(r, 0, size))
	case FormatShapefile, FormatKMZ:
		err = rd.openZip(filename, r, size)
	case FormatGPKG:
		err = rd.openGPKG(filename, r, size)
	default:
		err = fail(ErrUnknownFormat, domain.EUNSUPPORTED, "%s: unsupported format %s", filename, format)
	}
	if err != nil {
		rd.Close()
		return nil, err
	}
	return rd, nil
}

// OpenStream reads a streamable upload (GeoJSON, CSV, KML) from a plain
// reader, in memory that does not grow with its size.
func OpenStream(filename string, r io.Reader, opt Options) (*Reader, error) {
	opt = opt.withDefaults()
	br := bufio.NewReaderSize(&limitedReader{r: r, n: opt.MaxBytes, what: filename}, 64<<10)
	head, err := br.Peek(4096)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, err
	}
	format, err := Sniff(filename, head)
	if err != nil {
		return nil, err
	}
	rd, err := newReader(format, opt)
	if err != nil {
		return nil, err
	}
	switch format {
	case FormatGeoJSON:
		err = rd.openGeoJSON(filename, br)
	case FormatCSV:
		err = rd.openCSV(filename, nil, 0, br)
	case FormatKML:
		err = rd.openKML(filename, br)
	default:
		err = fail(ErrUnknownFormat, domain.EUNSUPPORTED, "%s: %s needs random access; use Open", filename, format)
	}
	if err != nil {
		rd.Close()
		return nil, err
	}
	return rd, nil
}

// limitedReader fails with ETOOLARGE once more than n bytes were read.
type limitedReader struct {
	r    io.Reader
	n    int64
	what string
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, tooLargef("%s is larger than the limit", l.what)
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, tooLargef("%s is larger than the limit", l.what)
	}
	return n, err
}

// Close releases files and handles; it is safe to call more than once.
func (r *Reader) Close() error {
	var err error
	if r.src != nil {
		err = r.src.close()
		r.src = nil
	}
	for _, f := range r.cleanup {
		f()
	}
	r.cleanup = nil
	return err
}

// Result reports what is known so far; it is complete after io.EOF.
func (r *Reader) Result() *Result {
	if len(r.res.Layers) > 0 {
		l := r.res.Layers[0]
		r.res.CRS, r.res.Encoding, r.res.Fields = l.CRS, l.Encoding, l.Fields
	}
	return &r.res
}

// addLayer registers a layer with the CRS found in the file (nil if none)
// and the CRS to assume otherwise.
func (r *Reader) addLayer(name string, file *crsDef, fileSource string, assumed *crsDef, encoding, geometry string) (*layerState, error) {
	st, err := r.resolveCRS(name, file, fileSource, assumed)
	if err != nil {
		return nil, err
	}
	ls := &layerState{idx: len(r.res.Layers), crs: st, fields: map[string]int{}, renames: map[string]string{}}
	r.layers[name] = ls
	r.res.Layers = append(r.res.Layers, LayerInfo{Name: name, CRS: st.info, Encoding: encoding, Geometry: geometry})
	return ls, nil
}

func (r *Reader) resolveCRS(member string, file *crsDef, fileSource string, assumed *crsDef) (*crsState, error) {
	if d := r.declared; d != nil {
		if file != nil && d.conv != convNone && file.Kind != kindGeographic && file.Kind != kindUnknown {
			return nil, fail(ErrCRS, domain.EINVALID, "%s: %s applies to longitude/latitude, but the file says %s (%s)", member, d.conv, file.Name, fmt.Sprintf("EPSG:%d", file.EPSG))
		}
		if file != nil && file.EPSG != d.def.EPSG && !(d.conv != convNone && file.Kind == kindGeographic) {
			r.fileIssue("crs-mismatch", SeverityWarning, fmt.Sprintf("%s: declared %s, but the file says EPSG:%d (%s); using the declared CRS", member, d.info.Name, file.EPSG, file.Name))
		}
		r.datumWarning(d.def)
		return d, nil
	}
	if file != nil {
		r.datumWarning(file)
		return &crsState{def: file, info: file.info(fileSource)}, nil
	}
	if assumed == nil {
		return nil, fail(ErrCRS, domain.EINVALID, "%s: the file names no coordinate system; declare it", member)
	}
	st := &crsState{def: assumed, info: assumed.info("assumed")}
	r.fileIssue("crs-assumed", SeverityInfo, fmt.Sprintf("%s: no coordinate system in the file; assumed %s (EPSG:%d). If the coordinates came from Amap/Tencent or Baidu, declare GCJ-02 or BD-09", member, assumed.Name, assumed.EPSG))
	return st, nil
}

func (r *Reader) datumWarning(d *crsDef) {
	if d.shifted() {
		r.fileIssue("datum-shift", SeverityWarning, d.info("").Warning)
	}
}

// setLayerCRS replaces a layer's CRS before its first feature (the GeoJSON
// "crs" member).
func (r *Reader) setLayerCRS(ls *layerState, member string, file *crsDef, fileSource string) error {
	st, err := r.resolveCRS(member, file, fileSource, nil)
	if err != nil {
		return err
	}
	ls.crs = st
	r.res.Layers[ls.idx].CRS = st.info
	// the "assumed" note no longer applies
	out := r.res.Issues[:0]
	for _, is := range r.res.Issues {
		if is.Code != "crs-assumed" {
			out = append(out, is)
		}
	}
	r.res.Issues = out
	return nil
}

// fileIssue records a file-level issue.
func (r *Reader) fileIssue(code, severity, msg string) {
	r.addIssue(Issue{Feature: -1, Code: code, Severity: severity, Message: msg})
}

func (r *Reader) addIssue(is Issue) {
	if is.Severity == SeverityError {
		r.res.Errors++
	}
	r.counts[is.Code]++
	if r.counts[is.Code] <= maxIssuesPerCode {
		r.res.Issues = append(r.res.Issues, is)
	}
}

// registerField adds a layer field known before any feature (DBF, GPKG).
func (r *Reader) registerField(ls *layerState, name, typ string) error {
	out, err := r.fieldName(ls, name)
	if err != nil {
		return err
	}
	r.mergeField(ls, out, typ)
	return nil
}

// fieldName maps a source property name to its output name, renaming
// reserved, empty and invalid names once per layer.
func (r *Reader) fieldName(ls *layerState, name string) (string, error) {
	if out, ok := ls.renames[name]; ok {
		return out, nil
	}
	out := name
	why := ""
	switch {
	case strings.TrimSpace(name) == "":
		out, why = "field", "is empty"
	case !utf8.ValidString(name) || strings.IndexByte(name, 0) >= 0:
		out, why = strings.ToValidUTF8(strings.ReplaceAll(name, "\x00", ""), "_"), "is not valid UTF-8 or contains NUL"
		if out == "" {
			out = "field"
		}
	case reserved(name):
		out, why = name+"_", "is reserved"
		if strings.HasPrefix(strings.ToLower(name), "_planmap") {
			out = strings.TrimLeft(name, "_")
		}
	}
	if why != "" {
		base := out
		for i := 2; r.nameTaken(ls, out); i++ {
			out = fmt.Sprintf("%s%d", base, i)
		}
		r.fileIssue("renamed-field", SeverityWarning, fmt.Sprintf("property name %q %s; renamed to %q", name, why, out))
	}
	ls.renames[name] = out
	if len(ls.renames) > r.opt.MaxFields {
		return "", tooLargef("more than %d distinct property names", r.opt.MaxFields)
	}
	return out, nil
}

func (r *Reader) nameTaken(ls *layerState, name string) bool {
	if _, ok := ls.fields[name]; ok {
		return true
	}
	_, ok := ls.renames[name]
	return ok || reserved(name)
}

func (r *Reader) mergeField(ls *layerState, name, typ string) {
	fields := &r.res.Layers[ls.idx].Fields
	i, ok := ls.fields[name]
	if !ok {
		ls.fields[name] = len(*fields)
		*fields = append(*fields, Field{Name: name, Type: typ})
		return
	}
	f := &(*fields)[i]
	switch {
	case typ == "" || f.Type == typ:
	case f.Type == "":
		f.Type = typ
	case f.Type == "integer" && typ == "number", f.Type == "number" && typ == "integer":
		f.Type = "number"
	case f.Type == "date" && typ == "datetime", f.Type == "datetime" && typ == "date":
		f.Type = "datetime"
	default:
		f.Type = "string"
	}
}

func valueType(v any) string {
	switch v := v.(type) {
	case string:
		return "string"
	case int64:
		return "integer"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case time.Time:
		if v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 && v.Nanosecond() == 0 {
			return "date"
		}
		return "datetime"
	case json.RawMessage:
		return "json"
	}
	return ""
}

// Next returns the next feature, or io.EOF after the last one. Any other
// error is final.
func (r *Reader) Next() (*Feature, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.done {
		return nil, io.EOF
	}
	f, err := r.next()
	if err == io.EOF {
		r.finish()
		return nil, io.EOF
	}
	if err != nil {
		if domain.ErrorCode(err) == domain.EINTERNAL && !errors.Is(err, io.ErrUnexpectedEOF) {
			err = syntaxf("%v", err)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = syntaxf("the file ends early (truncated upload?) after feature %d", r.res.Features-1)
		}
		r.err = err
		return nil, err
	}
	return f, nil
}

func (r *Reader) finish() {
	r.done = true
	for code, n := range r.counts {
		if n > maxIssuesPerCode {
			r.res.Issues = append(r.res.Issues, Issue{Feature: -1, Code: code, Severity: SeverityInfo,
				Message: fmt.Sprintf("%d more %q issues not listed", n-maxIssuesPerCode, code)})
		}
	}
	r.Result()
}

func (r *Reader) next() (*Feature, error) {
	if r.src == nil {
		return nil, io.EOF
	}
	f, err := r.src.next()
	if err != nil {
		return nil, err
	}
	f.Index = r.res.Features
	r.res.Features++
	if r.res.Features > r.opt.MaxFeatures {
		return nil, tooLargef("more than %d features", r.opt.MaxFeatures)
	}
	ls := r.layers[f.Layer]
	if ls == nil {
		return nil, fmt.Errorf("ingest: feature of unregistered layer %q", f.Layer)
	}
	issues := f.Issues
	f.Issues = nil

	// properties
	seen := make(map[string]bool, len(f.Properties))
	for i := range f.Properties {
		p := &f.Properties[i]
		name, err := r.fieldName(ls, p.Name)
		if err != nil {
			return nil, err
		}
		if seen[name] {
			orig := name
			for j := 2; seen[name]; j++ {
				name = fmt.Sprintf("%s_%d", orig, j)
			}
			issues = append(issues, Issue{Field: orig, Code: "duplicate-name", Severity: SeverityWarning, Message: fmt.Sprintf("property name appears twice; the second is renamed to %q", name)})
		}
		seen[name] = true
		p.Name = name
		if s, ok := p.Value.(string); ok {
			issues = append(issues, checkText(s, name, "value")...)
		}
		r.mergeField(ls, name, valueType(p.Value))
	}
	if len(ls.fields) > r.opt.MaxFields {
		return nil, tooLargef("more than %d distinct property names", r.opt.MaxFields)
	}
	if f.ID != "" {
		issues = append(issues, checkText(f.ID, "", "id")...)
	}

	// geometry
	g, n, gi := checkGeometry(f.Geometry)
	issues = append(issues, gi...)
	if n > r.opt.MaxVertices {
		return nil, tooLargef("%s: feature %d has %d vertices; the limit is %d per feature", f.Layer, f.Index, n, r.opt.MaxVertices)
	}
	r.total += n
	if r.total > r.opt.MaxTotalVertices {
		return nil, tooLargef("more than %d vertices in total (at feature %d)", r.opt.MaxTotalVertices, f.Index)
	}
	if g != nil {
		var ai []Issue
		g, ai = ls.crs.checkAxes(g, r.opt.Correct)
		issues = append(issues, ai...)
		switch ls.crs.conv {
		case convGCJ:
			g = transform(g, GCJ02ToWGS84)
		case convBD:
			g = transform(g, BD09ToWGS84)
		}
		if ls.crs.def.Kind == kindGeographic && !hasCode(ai, SeverityError) {
			issues = append(issues, checkRegion(g)...)
		}
	}
	f.Geometry = g

	if first, dup := r.duplicate(f); dup {
		issues = append(issues, Issue{Code: "duplicate-feature", Severity: SeverityWarning, Message: fmt.Sprintf("same geometry and properties as feature %d", first)})
	}
	for _, is := range issues {
		is.Feature = f.Index
		f.Issues = append(f.Issues, is)
		r.addIssue(is)
	}
	return f, nil
}

func hasCode(issues []Issue, severity string) bool {
	for _, is := range issues {
		if is.Severity == severity {
			return true
		}
	}
	return false
}

// duplicate hashes f's layer, geometry and properties; it reports the index
// of an earlier feature with the same hash.
func (r *Reader) duplicate(f *Feature) (int, bool) {
	var h maphash.Hash
	h.SetSeed(r.seed)
	h.WriteString(f.Layer)
	h.WriteByte(0)
	hashGeom(&h, f.Geometry)
	var buf [8]byte
	for _, p := range f.Properties {
		h.WriteString(p.Name)
		h.WriteByte(0)
		switch v := p.Value.(type) {
		case string:
			h.WriteByte('s')
			h.WriteString(v)
		case int64:
			h.WriteByte('i')
			binary.LittleEndian.PutUint64(buf[:], uint64(v))
			h.Write(buf[:])
		case float64:
			h.WriteByte('f')
			binary.LittleEndian.PutUint64(buf[:], math.Float64bits(v))
			h.Write(buf[:])
		case nil:
			h.WriteByte('n')
		default:
			fmt.Fprintf(&h, "%T%v", v, v)
		}
		h.WriteByte(0)
	}
	sum := h.Sum64()
	if first, ok := r.dups[sum]; ok {
		return first, true
	}
	r.dups[sum] = f.Index
	return 0, false
}

func hashGeom(h *maphash.Hash, g orb.Geometry) {
	if g == nil {
		h.WriteByte('0')
		return
	}
	h.WriteString(g.GeoJSONType())
	var buf [16]byte
	pt := func(p orb.Point) {
		binary.LittleEndian.PutUint64(buf[:8], math.Float64bits(p[0]))
		binary.LittleEndian.PutUint64(buf[8:], math.Float64bits(p[1]))
		h.Write(buf[:])
	}
	switch g := g.(type) {
	case orb.Point:
		pt(g)
	case orb.Collection:
		for _, c := range g {
			h.WriteByte('(')
			hashGeom(h, c)
			h.WriteByte(')')
		}
	default:
		mapPoints(g, func(p orb.Point) orb.Point { pt(p); return p })
		// separate parts so [[a,b],[c]] and [[a],[b,c]] differ
		fmt.Fprintf(h, "%d", partsShape(g))
	}
}

func partsShape(g orb.Geometry) []int {
	var out []int
	switch g := g.(type) {
	case orb.MultiLineString:
		for _, l := range g {
			out = append(out, len(l))
		}
	case orb.Polygon:
		for _, r := range g {
			out = append(out, len(r))
		}
	case orb.MultiPolygon:
		for _, p := range g {
			out = append(out, -1)
			for _, r := range p {
				out = append(out, len(r))
			}
		}
	}
	return out
}

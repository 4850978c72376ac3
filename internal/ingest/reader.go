package ingest

import (
	"bufio"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"

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
	geomRejected := f.Geometry == nil && hasGeometryError(issues)

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
		switch v := p.Value.(type) {
		case string:
			issues = append(issues, checkText(v, name, "value")...)
		case float64: // JSON and PostgreSQL numeric cannot hold these
			if math.IsNaN(v) || math.IsInf(v, 0) {
				p.Value = nil
				issues = append(issues, Issue{Field: name, Code: "bad-number", Severity: SeverityWarning, Message: fmt.Sprintf("value %v is not a finite number; stored as null", v)})
			}
		}
		r.mergeField(ls, name, valueType(p.Value))
	}
	if len(ls.fields) > r.opt.MaxFields {
		return nil, tooLargef("more than %d distinct property names", r.opt.MaxFields)
	}
	if f.ID != "" {
		issues = append(issues, checkText(f.ID, "", "id")...)
	}

	// geometry (a geometry the parser already rejected is not "missing")
	var g orb.Geometry
	var n int
	if !geomRejected {
		var gi []Issue
		g, n, gi = checkGeometry(f.Geometry)
		issues = append(issues, gi...)
	}
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
		if len(r.res.Layers) > 1 {
			is.Layer = f.Layer
		}
		f.Issues = append(f.Issues, is)
		r.addIssue(is)
	}
	return f, nil
}

// hasGeometryError reports a parser's error about the geometry (not a field).
func hasGeometryError(issues []Issue) bool {
	for _, is := range issues {
		if is.Severity == SeverityError && is.Field == "" {
			return true
		}
	}
	return false
}

func hasCode(issues []Issue, severity string) bool {
	for _, is := range issues {
		if is.Severity == severity {
			return true
		}
	}
	return false
}

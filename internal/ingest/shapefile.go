package ingest

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/planmap/planmap/internal/domain"
)

// A zip with several .shp yields one layer per .shp, read one after the
// other; Feature.Layer and Result.Layers name them by their base name.

type shpLayer struct {
	name     string
	ls       *layerState
	shp, dbf *member
	shx      *member
	dbfHead  *dbfHeader
	shpHead  *shpHeader
	cs       charset

	shpR    *shpReader
	dbfR    *dbfReader
	closers []io.Closer
	zNote   bool
	deleted int
	noAttr  bool
}

type shapefileSource struct {
	r      *Reader
	a      *archive
	layers []*shpLayer
	cur    int
}

func (r *Reader) openShapefiles(a *archive, shps []*member) error {
	byBase := map[string]map[string]*member{}
	for _, m := range a.members {
		k := strings.ToLower(m.base)
		if byBase[k] == nil {
			byBase[k] = map[string]*member{}
		}
		byBase[k][m.ext] = m
	}
	src := &shapefileSource{r: r, a: a}
	r.src = src
	for _, shp := range shps {
		set := byBase[strings.ToLower(shp.base)]
		for _, ext := range []string{".shx", ".dbf"} {
			if set[ext] == nil {
				return fail(ErrMissingMember, domain.EINVALID, "%s: %s has no %s in the archive; a Shapefile needs .shp, .shx and .dbf together", a.name, shp.name, path.Base(shp.base)+ext)
			}
		}
		l, err := r.openShpLayer(a, shp, set)
		if err != nil {
			return err
		}
		src.layers = append(src.layers, l)
	}
	if len(shps) > 1 {
		names := make([]string, len(src.layers))
		for i, l := range src.layers {
			names[i] = l.name
		}
		r.fileIssue("multiple-layers", SeverityInfo, fmt.Sprintf("%s holds %d Shapefiles, read as layers %s", a.name, len(shps), strings.Join(names, ", ")))
	}
	return nil
}

func (r *Reader) openShpLayer(a *archive, shp *member, set map[string]*member) (*shpLayer, error) {
	l := &shpLayer{name: path.Base(shp.base), shp: shp, shx: set[".shx"], dbf: set[".dbf"]}
	if _, ok := r.layers[l.name]; ok {
		l.name = shp.base // same name in two folders
	}
	// headers
	rc, err := a.open(shp, 100)
	if err != nil {
		return nil, err
	}
	l.shpHead, err = readSHPHeader(rc, shp.name)
	rc.Close()
	if err != nil {
		return nil, err
	}
	rc, err = a.open(l.dbf, 1<<16)
	if err != nil {
		return nil, err
	}
	l.dbfHead, err = readDBFHeader(rc, l.dbf.name)
	rc.Close()
	if err != nil {
		return nil, err
	}
	if n := int64(l.shx.f.UncompressedSize64); n < 100 || (n-100)%8 != 0 {
		return nil, syntaxf("%s: %s is not a Shapefile index (%d bytes)", a.name, l.shx.name, n)
	} else if recs := int((n - 100) / 8); recs != l.dbfHead.records {
		r.fileIssue("record-count", SeverityWarning, fmt.Sprintf("%s: %s indexes %d shapes but %s has %d records; unmatched shapes get no attributes",
			a.name, l.shx.name, recs, l.dbf.name, l.dbfHead.records))
	}

	// CRS from .prj
	var file *crsDef
	if prj := set[".prj"]; prj != nil {
		text, err := a.readSmall(prj, 64<<10)
		if err != nil {
			return nil, err
		}
		file, err = crsFromWKT(prj.name, string(text))
		if err != nil && r.declared == nil {
			return nil, err
		}
	}
	var assumed *crsDef
	if file == nil && r.declared == nil {
		b := l.shpHead.bbox
		if !isLonLat(b) {
			return nil, fail(ErrCRS, domain.EINVALID, "%s: %s has no .prj and its coordinates (%.0f, %.0f) are not longitude/latitude; %s",
				a.name, shp.name, b.Min[0], b.Min[1], guessProjected(b))
		}
		assumed = lookupEPSG(4326)
	}

	// encoding
	cs, err := r.dbfCharset(a, l, set[".cpg"])
	if err != nil {
		return nil, err
	}
	l.cs = cs
	ls, err := r.addLayer(l.name, file, "prj", assumed, cs.name, shpTypeNames[l.shpHead.typ])
	if err != nil {
		return nil, err
	}
	l.ls = ls
	if t := l.shpHead.typ; t != base2D(t) {
		r.fileIssue("z-dropped", SeverityInfo, fmt.Sprintf("%s: shape type %s; Z/M values are dropped, only X and Y are kept", shp.name, shpTypeNames[t]))
		l.zNote = true
	}

	// fields, with names decoded and duplicates told apart
	seen := map[string]int{}
	for i := range l.dbfHead.fields {
		f := &l.dbfHead.fields[i]
		name, ok := cs.decode(f.raw)
		if !ok && len(f.raw) > 1 { // a writer cut a double-byte character in half
			if n, ok2 := cs.decode(f.raw[:len(f.raw)-1]); ok2 {
				name, ok = n, true
			}
		}
		if !ok {
			name = strings.ToValidUTF8(string(f.raw), "_")
		}
		if seen[name]++; seen[name] > 1 {
			renamed := fmt.Sprintf("%s_%d", name, seen[name])
			r.fileIssue("duplicate-name", SeverityWarning, fmt.Sprintf("%s: column %q appears twice; the second is %q", l.dbf.name, name, renamed))
			name = renamed
		}
		f.name = name
		if f.typ == 'M' || f.typ == 'G' || f.typ == 'P' {
			r.fileIssue("memo-field", SeverityWarning, fmt.Sprintf("%s: memo column %q is stored in a .dbt/.fpt, which is not read; values are null", l.dbf.name, name))
		}
		if err := r.registerField(ls, name, dbfType(*f)); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// dbfCharset picks the attribute encoding: declared, .cpg, LDID, then
// detection; a .cpg or LDID the bytes contradict is overridden with a
// warning, so no mojibake is produced.
func (r *Reader) dbfCharset(a *archive, l *shpLayer, cpg *member) (charset, error) {
	if r.opt.Encoding != "" {
		return lookupCharset(r.opt.Encoding)
	}
	claim, from := "", ""
	if cpg != nil {
		b, err := a.readSmall(cpg, 1024)
		if err != nil {
			return charset{}, err
		}
		claim, from = strings.TrimSpace(string(b)), cpg.name
	} else if name, ok := ldidCharsets[l.dbfHead.ldid]; ok && name != "" {
		claim, from = name, fmt.Sprintf("the language driver id 0x%02X of %s", l.dbfHead.ldid, l.dbf.name)
	}
	rc, err := a.open(l.dbf, r.opt.MaxUncompressed)
	if err != nil {
		return charset{}, err
	}
	defer rc.Close()
	if _, err := io.CopyN(io.Discard, rc, int64(l.dbfHead.headerLen)); err != nil {
		return charset{}, syntaxf("%s: %s is truncated", a.name, l.dbf.name)
	}
	valid, nonASCII, err := scanDBFText(l.dbfHead, rc)
	if err != nil {
		return charset{}, err
	}
	gb := charset{name: encGB18030, enc: simplifiedchinese.GB18030}
	if claim != "" {
		cs, err := lookupCharset(claim)
		switch {
		case err != nil:
			r.fileIssue("encoding-unknown", SeverityWarning, fmt.Sprintf("%s: %s names unknown encoding %q; detecting instead", a.name, from, claim))
		case cs.enc == nil && !valid:
			r.fileIssue("encoding-detected", SeverityWarning, fmt.Sprintf("%s: %s says UTF-8 but the attributes are not valid UTF-8; decoded as GB18030 (GBK)", a.name, from))
			return gb, nil
		case cs.enc != nil && valid && nonASCII:
			r.fileIssue("encoding-detected", SeverityWarning, fmt.Sprintf("%s: %s says %s but the attributes are valid UTF-8; read as UTF-8", a.name, from, cs.name))
			return utf8Charset, nil
		default:
			return cs, nil
		}
	}
	if valid {
		return utf8Charset, nil
	}
	r.fileIssue("encoding-detected", SeverityWarning, fmt.Sprintf("%s: %s names no encoding (no .cpg) and its text is not UTF-8; decoded as GB18030 (GBK). Declare the encoding if this is wrong", a.name, l.dbf.name))
	return gb, nil
}

func (s *shapefileSource) close() error {
	for _, l := range s.layers {
		l.closeStreams()
	}
	return nil
}

func (l *shpLayer) closeStreams() {
	for _, c := range l.closers {
		c.Close()
	}
	l.closers = nil
}

func (s *shapefileSource) next() (*Feature, error) {
	for s.cur < len(s.layers) {
		l := s.layers[s.cur]
		if l.shpR == nil {
			if err := s.open(l); err != nil {
				return nil, err
			}
		}
		f, err := s.feature(l)
		if err == io.EOF {
			l.closeStreams()
			if l.deleted > 0 {
				s.r.fileIssue("deleted-records", SeverityInfo, fmt.Sprintf("%s: %d records marked deleted were skipped", l.dbf.name, l.deleted))
			}
			s.cur++
			continue
		}
		return f, err
	}
	return nil, io.EOF
}

func (s *shapefileSource) open(l *shpLayer) error {
	shp, err := s.a.open(l.shp, s.r.opt.MaxUncompressed)
	if err != nil {
		return err
	}
	l.closers = append(l.closers, shp)
	br := bufio.NewReaderSize(shp, 64<<10)
	if _, err := br.Discard(100); err != nil {
		return syntaxf("%s: %s is truncated", s.a.name, l.shp.name)
	}
	l.shpR = &shpReader{r: br, what: l.shp.name, off: 100, end: l.shpHead.fileLen, maxVerts: s.r.opt.MaxVertices}
	dbf, err := s.a.open(l.dbf, s.r.opt.MaxUncompressed)
	if err != nil {
		return err
	}
	l.closers = append(l.closers, dbf)
	if _, err := io.CopyN(io.Discard, dbf, int64(l.dbfHead.headerLen)); err != nil {
		return syntaxf("%s: %s is truncated", s.a.name, l.dbf.name)
	}
	l.dbfR = newDBFReader(l.dbfHead, dbf, l.cs, l.dbf.name)
	return nil
}

func (s *shapefileSource) feature(l *shpLayer) (*Feature, error) {
	for {
		g, issues, err := l.shpR.next()
		if err != nil {
			return nil, err
		}
		f := &Feature{Layer: l.name, Geometry: g, Issues: issues}
		if !l.noAttr {
			props, pi, deleted, err := l.dbfR.next()
			switch {
			case err == io.EOF:
				l.noAttr = true
				f.Issues = append(f.Issues, Issue{Code: "no-attributes", Severity: SeverityWarning, Message: fmt.Sprintf("%s has no record for this shape", l.dbf.name)})
			case err != nil:
				return nil, err
			case deleted:
				l.deleted++
				continue
			default:
				f.Properties = props
				f.Issues = append(f.Issues, pi...)
			}
		}
		if !l.zNote && (l.shpR.hasZ || l.shpR.hasM) {
			l.zNote = true
			s.r.fileIssue("z-dropped", SeverityInfo, fmt.Sprintf("%s: Z/M values are dropped, only X and Y are kept", l.shp.name))
		}
		return f, nil
	}
}

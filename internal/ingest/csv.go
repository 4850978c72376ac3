package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	xtransform "golang.org/x/text/transform"

	"github.com/planmap/planmap/internal/domain"
)

// Column names recognised as geometry, compared case-insensitively.
var (
	wktNames = []string{"wkt", "geom", "geometry", "the_geom", "shape", "几何", "空间信息"}
	lonNames = []string{"lon", "lng", "long", "longitude", "x", "经度", "东经"}
	latNames = []string{"lat", "latitude", "y", "纬度", "北纬"}
)

type csvSource struct {
	r        *Reader
	name     string
	cr       *csv.Reader
	header   []string
	wkt      int
	lon, lat int
	row      int
	zNote    bool
}

// openCSV reads a CSV whose geometry is a WKT column or a lon/lat pair.
// With ra the whole file is checked for UTF-8 first; a stream is judged by
// its first 64 KiB.
func (r *Reader) openCSV(filename string, ra io.ReaderAt, size int64, in *bufio.Reader) error {
	name := layerName(filename)
	var cs charset
	var err error
	if in == nil {
		in = bufio.NewReaderSize(io.NewSectionReader(ra, 0, size), 64<<10)
	}
	if r.opt.Encoding != "" {
		if cs, err = lookupCharset(r.opt.Encoding); err != nil {
			return err
		}
	} else {
		valid := true
		if ra != nil {
			valid, _, err = scanUTF8(io.NewSectionReader(ra, 0, size))
			if err != nil {
				return err
			}
		} else {
			head, _ := in.Peek(64 << 10)
			var s utf8Scan
			s.Write(head)
			valid = !s.invalid
		}
		cs = utf8Charset
		if !valid {
			cs, _ = lookupCharset("gb18030")
			r.fileIssue("encoding-detected", SeverityWarning, fmt.Sprintf("%s is not UTF-8; decoded as GB18030 (GBK). Declare the encoding if this is wrong", filename))
		}
	}
	if bom, _ := in.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		in.Discard(3)
	}
	var text io.Reader = in
	if cs.enc != nil {
		text = bufio.NewReaderSize(xtransform.NewReader(in, cs.enc.NewDecoder()), 64<<10)
	}
	br := bufio.NewReaderSize(text, 64<<10)
	first, _ := br.Peek(4096)
	cr := csv.NewReader(br)
	cr.Comma = sniffDelimiter(first)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return syntaxf("%s: cannot read the header row: %v", filename, err)
	}
	s := &csvSource{r: r, name: name, cr: cr, header: append([]string(nil), header...), wkt: -1, lon: -1, lat: -1}
	seen := map[string]int{}
	for i := range s.header {
		h := strings.TrimSpace(s.header[i])
		if seen[h]++; seen[h] > 1 {
			renamed := fmt.Sprintf("%s_%d", h, seen[h])
			r.fileIssue("duplicate-name", SeverityWarning, fmt.Sprintf("%s: column %q appears twice; the second is %q", filename, h, renamed))
			h = renamed
		}
		s.header[i] = h
	}
	if err := s.columns(filename); err != nil {
		return err
	}
	ls, err := r.addLayer(name, nil, "", lookupEPSG(4326), cs.name, "")
	if err != nil {
		return err
	}
	for i, h := range s.header {
		if i != s.wkt && i != s.lon && i != s.lat {
			if err := r.registerField(ls, h, "string"); err != nil {
				return err
			}
		}
	}
	r.src = s
	return nil
}

// sniffDelimiter picks the most frequent of , ; tab | in the first line.
func sniffDelimiter(head []byte) rune {
	line := head
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	best, n := ',', 0
	for _, d := range []rune{',', ';', '\t', '|'} {
		if c := bytes.Count(line, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}

func (s *csvSource) columns(filename string) error {
	find := func(want string, names []string) (int, error) {
		if want != "" {
			for i, h := range s.header {
				if strings.EqualFold(h, want) {
					return i, nil
				}
			}
			return -1, fail(ErrSyntax, domain.EINVALID, "%s has no column %q (columns: %s)", filename, want, strings.Join(s.header, ", "))
		}
		for _, n := range names {
			for i, h := range s.header {
				if strings.EqualFold(h, n) {
					return i, nil
				}
			}
		}
		return -1, nil
	}
	opt := s.r.opt
	var err error
	if opt.WKTColumn != "" || opt.LonColumn == "" && opt.LatColumn == "" {
		if s.wkt, err = find(opt.WKTColumn, wktNames); err != nil {
			return err
		}
	}
	if s.wkt >= 0 {
		return nil
	}
	if s.lon, err = find(opt.LonColumn, lonNames); err != nil {
		return err
	}
	if s.lat, err = find(opt.LatColumn, latNames); err != nil {
		return err
	}
	if s.lon < 0 || s.lat < 0 {
		return fail(ErrSyntax, domain.EINVALID, "%s: no geometry columns found; name a WKT column (wkt, geom, geometry) or longitude and latitude columns (lon/lng/longitude/经度, lat/latitude/纬度). Columns: %s",
			filename, strings.Join(s.header, ", "))
	}
	return nil
}

func (s *csvSource) close() error { return nil }

func (s *csvSource) next() (*Feature, error) {
	for {
		rec, err := s.cr.Read()
		if err == io.EOF {
			return nil, io.EOF
		}
		s.row++
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, syntaxf("%s: line %d: %v", s.name, pe.Line, pe.Err)
			}
			return nil, err
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		return s.feature(rec)
	}
}

func (s *csvSource) feature(rec []string) (*Feature, error) {
	f := &Feature{Layer: s.name}
	if len(rec) != len(s.header) {
		f.Issues = append(f.Issues, Issue{Code: "field-count", Severity: SeverityWarning, Message: fmt.Sprintf("row has %d fields, the header %d", len(rec), len(s.header))})
	}
	for i, h := range s.header {
		if i == s.wkt || i == s.lon || i == s.lat {
			continue
		}
		v := ""
		if i < len(rec) {
			v = rec[i]
		}
		f.Properties = append(f.Properties, Property{Name: h, Value: v})
	}
	cell := func(i int) string {
		if i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	if s.wkt >= 0 {
		text := cell(s.wkt)
		if text == "" {
			return f, nil
		}
		g, hasZ, err := parseWKTGeometry(text, s.r.opt.MaxVertices, s.r.opt.MaxDepth)
		if errors.Is(err, errWKTVertices) {
			return nil, tooLargef("%s: feature %d has more than %d vertices (the limit per feature)", s.name, s.r.res.Features, s.r.opt.MaxVertices)
		}
		if err != nil {
			f.Issues = append(f.Issues, Issue{Field: s.header[s.wkt], Code: "bad-geometry", Severity: SeverityError, Message: "WKT: " + err.Error()})
			return f, nil
		}
		if hasZ && !s.zNote {
			s.zNote = true
			s.r.fileIssue("z-dropped", SeverityInfo, fmt.Sprintf("%s: WKT carries Z/M values; only X and Y are kept", s.name))
		}
		f.Geometry = g
		return f, nil
	}
	x, y := cell(s.lon), cell(s.lat)
	if x == "" && y == "" {
		return f, nil
	}
	var p orb.Point
	for i, v := range []string{x, y} {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil && !math.IsInf(n, 0) {
			f.Issues = append(f.Issues, Issue{Field: s.header[[]int{s.lon, s.lat}[i]], Code: "invalid-coordinate", Severity: SeverityError, Message: fmt.Sprintf("%q is not a number", v)})
			return f, nil
		}
		p[i] = n
	}
	f.Geometry = p
	return f, nil
}

package ingest_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/ingest"
)

var okDBF = dbfFile(0, []dbfCol{{Name: []byte("NAME"), Type: 'C', Len: 10}}, [][]byte{[]byte("a")})

func okLayer() []zipEntry {
	shp, shx := shpFiles(1, liaoningBox, pointRec(123.4, 41.8))
	return shapeZip(shp, shx, okDBF, prj4490)
}

// rawZip writes a member whose headers declare declared bytes while the
// deflated data expands to actual.
func rawZip(t *testing.T, name string, actual []byte, declared uint64, extra ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range extra {
		w, _ := zw.Create(e.Name)
		w.Write(e.Data)
	}
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	fw.Write(actual)
	fw.Close()
	h := &zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(actual),
		CompressedSize64: uint64(comp.Len()), UncompressedSize64: declared}
	w, err := zw.CreateRaw(h)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestHostileArchives(t *testing.T) {
	t.Parallel()
	layer := okLayer()
	without := func(ext string) []zipEntry {
		var out []zipEntry
		for _, e := range layer {
			if !strings.HasSuffix(e.Name, ext) {
				out = append(out, e)
			}
		}
		return out
	}
	// a DBF whose header promises 200,000 records, declared 300 bytes,
	// really 8 MB
	bigDBF := dbfFile(0, []dbfCol{{Name: []byte("NAME"), Type: 'C', Len: 40}}, make([][][]byte, 200000)...)
	shp, shx := shpFiles(1, liaoningBox, pointRec(123.4, 41.8))
	tests := []struct {
		name string
		zip  func(t *testing.T) []byte
		opt  ingest.Options
		code string
		msg  string
		is   error
	}{
		{"zip slip ../", func(t *testing.T) []byte {
			return makeZip(t, append(layer, zipEntry{Name: "../../etc/cron.d/x.shp", Data: []byte("x")})...)
		}, ingest.Options{}, domain.EINVALID, `member "../../etc/cron.d/x.shp" points outside the archive (zip slip)`, ingest.ErrZipSlip},
		{"zip slip absolute", func(t *testing.T) []byte {
			return makeZip(t, append(layer, zipEntry{Name: "/tmp/x.prj", Data: []byte("x")})...)
		}, ingest.Options{}, domain.EINVALID, `"/tmp/x.prj" points outside the archive`, ingest.ErrZipSlip},
		{"zip slip windows", func(t *testing.T) []byte {
			return makeZip(t, append(layer, zipEntry{Name: `..\..\x.dbf`, Data: []byte("x")})...)
		}, ingest.Options{}, domain.EINVALID, `points outside the archive`, ingest.ErrZipSlip},
		{"zip bomb by ratio", func(t *testing.T) []byte {
			return makeZip(t, append(layer, zipEntry{Name: "readme.txt", Data: make([]byte, 64<<20)})...)
		}, ingest.Options{}, domain.ETOOLARGE, `member "readme.txt" expands`, ingest.ErrZipBomb},
		{"zip bomb by declared size", func(t *testing.T) []byte {
			return makeZip(t, append(layer, zipEntry{Name: "big.xml", Data: bytes.Repeat([]byte("<a>planmap</a>"), 200000)})...)
		}, ingest.Options{MaxUncompressed: 1 << 20}, domain.ETOOLARGE, "declare more than 1048576 bytes uncompressed", ingest.ErrZipBomb},
		{"zip bomb lying about its size", func(t *testing.T) []byte {
			return rawZip(t, "t.dbf", bigDBF, 300, zipEntry{Name: "t.shp", Data: shp}, zipEntry{Name: "t.shx", Data: shx})
		}, ingest.Options{}, domain.ETOOLARGE, `member "t.dbf" expands beyond its declared size`, ingest.ErrZipBomb},
		{"too many members", func(t *testing.T) []byte {
			es := layer
			for i := range 20 {
				es = append(es, zipEntry{Name: fmt.Sprintf("f%d.txt", i)})
			}
			return makeZip(t, es...)
		}, ingest.Options{MaxArchiveEntries: 10}, domain.ETOOLARGE, "holds 24 files; the limit is 10", ingest.ErrZipBomb},
		{"nested zip", func(t *testing.T) []byte {
			return makeZip(t, append(layer, zipEntry{Name: "inner.zip", Data: makeZip(t, layer...)})...)
		}, ingest.Options{}, domain.EUNSUPPORTED, `member "inner.zip" is itself an archive`, ingest.ErrNestedArchive},
		{"missing shx", func(t *testing.T) []byte { return makeZip(t, without(".shx")...) },
			ingest.Options{}, domain.EINVALID, "t.shp has no t.shx in the archive", ingest.ErrMissingMember},
		{"missing dbf", func(t *testing.T) []byte { return makeZip(t, without(".dbf")...) },
			ingest.Options{}, domain.EINVALID, "t.shp has no t.dbf in the archive", ingest.ErrMissingMember},
		{"no shapefile", func(t *testing.T) []byte { return makeZip(t, zipEntry{Name: "a.txt", Data: []byte("x")}) },
			ingest.Options{}, domain.EUNSUPPORTED, "holds no .shp or .kml (it holds a.txt)", ingest.ErrUnknownFormat},
		{"not a zip", func(t *testing.T) []byte { return []byte("PK\x03\x04 this is not really a zip") },
			ingest.Options{}, domain.EINVALID, "not a readable ZIP archive", ingest.ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAll(t, "upload.zip", tt.zip(t), tt.opt)
			wantError(t, err, tt.code, tt.msg)
			if !errors.Is(err, tt.is) {
				t.Errorf("error does not match %v", tt.is)
			}
		})
	}
}

func TestHostileShapefiles(t *testing.T) {
	t.Parallel()
	huge := func() []byte { // a record that declares 10 million points
		var b bytes.Buffer
		le32(&b, 5)
		b.Write(make([]byte, 32))
		le32(&b, 1)
		le32(&b, 10_000_000)
		le32(&b, 0)
		return b.Bytes()
	}
	lying := func() []byte { // 50,000 points in a 100-byte record
		var b bytes.Buffer
		le32(&b, 5)
		b.Write(make([]byte, 32))
		le32(&b, 1)
		le32(&b, 50_000)
		le32(&b, 0)
		b.Write(make([]byte, 48))
		return b.Bytes()
	}
	nan := func() []byte { return pointRec(123.4, nanBits()) }
	ring3 := polyRec(5, []orb.Point{{123, 41}, {124, 41}, {123, 41}})
	tests := []struct {
		name  string
		rec   []byte
		dbf   []byte
		opt   ingest.Options
		fatal bool
		code  string
		msg   string
	}{
		{"10 million vertices declared", huge(), okDBF, ingest.Options{}, true, domain.ETOOLARGE, "t.shp: record 0 declares 10000000 points; the limit is 1000000 per feature"},
		{"count beyond the record", lying(), okDBF, ingest.Options{}, true, domain.EINVALID, "declares 1 parts and 50000 points, more than its"},
		{"NaN coordinate", nan(), okDBF, ingest.Options{}, false, domain.EINVALID, "feature 0: coordinate NaN is not a finite number"},
		{"3-position ring", ring3, okDBF, ingest.Options{}, false, domain.EINVALID, "feature 0: ring 0: ring has 3 positions; at least 4 are needed"},
		{"declared UTF-8, GBK bytes", pointRec(123.4, 41.8), dbfFile(0, []dbfCol{{Name: []byte("NAME"), Type: 'C', Len: 10}}, [][]byte{[]byte("\xb4\xf3\xc1\xac")}),
			ingest.Options{Encoding: "UTF-8"}, false, domain.EINVALID, `feature 0: field "NAME": value is not valid UTF-8`},
		{"clashing DBF names", pointRec(123.4, 41.8), dbfFile(0, []dbfCol{{Name: []byte("ID"), Type: 'N', Len: 5}, {Name: []byte("GEOM"), Type: 'C', Len: 5}}, [][]byte{[]byte("1"), []byte("x")}),
			ingest.Options{}, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shp, shx := shpFiles(5, liaoningBox, tt.rec)
			fs, res, err := readAll(t, "t.zip", makeZip(t, shapeZip(shp, shx, tt.dbf, prj4490)...), tt.opt)
			switch {
			case tt.fatal:
				wantError(t, err, tt.code, tt.msg)
			case err != nil:
				t.Fatal(err)
			case tt.code == "":
				if res.Err() != nil || prop(fs[0], "ID_") != int64(1) || prop(fs[0], "GEOM_") != "x" || hasIssue(res, "renamed-field") == nil {
					t.Fatalf("%v %+v %v", res.Err(), fs[0].Properties, issueCodes(res))
				}
			default:
				wantError(t, res.Err(), tt.code, tt.msg)
				if !errors.Is(res.Err(), ingest.ErrInvalidFeature) || fs[0].Geometry != nil && tt.name != "declared UTF-8, GBK bytes" {
					t.Fatalf("geometry kept: %v", fs[0].Geometry)
				}
			}
		})
	}
}

func nanBits() float64 { var z float64; return z / z }

func TestHostileGeoJSON(t *testing.T) {
	t.Parallel()
	deepProps := `{"type":"Feature","geometry":null,"properties":{"a":` + strings.Repeat(`{"a":`, 200) + `1` + strings.Repeat(`}`, 200) + `}}`
	deepCoords := `{"type":"Point","coordinates":` + strings.Repeat(`[`, 200) + `1` + strings.Repeat(`]`, 200) + `}`
	deepForeign := `{"type":"Feature","geometry":null,"properties":{},"x":` + strings.Repeat(`[`, 200) + strings.Repeat(`]`, 200) + `}`
	tests := []struct {
		name  string
		in    string
		fatal bool
		code  string
		msg   string
	}{
		{"NaN", `{"type":"Point","coordinates":[NaN,41.8]}`, true, domain.EINVALID, "NaN and Infinity are not JSON numbers"},
		{"Infinity", `{"type":"Point","coordinates":[123.4,Infinity]}`, true, domain.EINVALID, "NaN and Infinity are not JSON numbers"},
		{"-Infinity", `{"type":"Point","coordinates":[-Infinity,41.8]}`, true, domain.EINVALID, "NaN and Infinity are not JSON numbers"},
		{"1e400", `{"type":"Point","coordinates":[1e400,41.8]}`, false, domain.EINVALID, "feature 0: coordinate +Inf is not a finite number (NaN, Infinity or out of range such as 1e400)"},
		{"3-position ring", `{"type":"Polygon","coordinates":[[[123,41],[124,41],[123,41]]]}`, false, domain.EINVALID, "feature 0: ring 0: ring has 3 positions; at least 4 are needed"},
		{"string coordinate", `{"type":"Point","coordinates":["123.4",41.8]}`, false, domain.EINVALID, "a position holds a string, not a number"},
		{"NUL in attribute", `{"type":"Feature","geometry":null,"properties":{"名称":"大连\u0000港"}}`, false, domain.EINVALID, `feature 0: field "名称": value contains a NUL (U+0000) character`},
		{"invalid UTF-8 in attribute", "{\"type\":\"Feature\",\"geometry\":null,\"properties\":{\"名称\":\"\xb4\xf3\xc1\xac\"}}", false, domain.EINVALID, `feature 0: field "名称": value is not valid UTF-8`},
		{"200-deep properties", deepProps, true, domain.EINVALID, "JSON nested deeper than 64 levels"},
		{"200-deep coordinates", deepCoords, true, domain.EINVALID, "JSON nested deeper than 64 levels"},
		{"200-deep foreign member", deepForeign, true, domain.EINVALID, "JSON nested deeper than 64 levels"},
		{"truncated", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[123.4,`, true, domain.EINVALID, "the file ends early"},
		{"unknown type", `{"type":"Circle","coordinates":[123.4,41.8]}`, false, domain.EINVALID, `unknown geometry type "Circle"`},
		{"wrong nesting", `{"type":"Polygon","coordinates":[[123.4,41.8],[123.5,41.8]]}`, false, domain.EINVALID, "coordinates do not match the nesting of a Polygon"},
		{"not geojson", `{"hello":"world"}`, true, domain.EINVALID, "the top-level object is not GeoJSON"},
		{"feature not an object", `{"type":"FeatureCollection","features":[42]}`, false, domain.EINVALID, "features array member is a number, not a Feature object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, res, err := readAll(t, "h.geojson", []byte(tt.in), ingest.Options{})
			if tt.fatal {
				wantError(t, err, tt.code, tt.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wantError(t, res.Err(), tt.code, tt.msg)
		})
	}
}

// ringReader yields a GeoJSON polygon whose ring has n vertices without
// ever holding it, and counts what was read.
type ringReader struct {
	n, i int
	read int64
	buf  []byte
}

func (r *ringReader) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) && r.i <= r.n+1 {
		switch {
		case r.i == 0:
			r.buf = append(r.buf, `{"type":"Polygon","coordinates":[[`...)
		case r.i <= r.n:
			if r.i > 1 {
				r.buf = append(r.buf, ',')
			}
			r.buf = fmt.Appendf(r.buf, "[123.%06d,41.%06d]", r.i%1000000, r.i%999983)
		default:
			r.buf = append(r.buf, "]]}"...)
		}
		r.i++
	}
	if len(r.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	r.read += int64(n)
	return n, nil
}

// A 10-million-vertex ring (about 220 MB) stops at MaxVertices having read
// only its first tenth.
func TestTenMillionVertexRing(t *testing.T) {
	t.Parallel()
	rr := &ringReader{n: 10_000_000}
	r, err := ingest.OpenStream("ring.geojson", rr, ingest.Options{MaxBytes: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Next()
	wantError(t, err, domain.ETOOLARGE, "feature 0 has more than 1000000 vertices (the limit per feature); reading stopped at byte")
	if rr.read > 30<<20 {
		t.Fatalf("read %d bytes before stopping", rr.read)
	}
	t.Logf("stopped after reading %.1f MB of about 220 MB", float64(rr.read)/1e6)
}

func TestLimits(t *testing.T) {
	t.Parallel()
	fc := `{"type":"FeatureCollection","features":[` + strings.Repeat(`{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[123.4,41.8]}},`, 10) + `{"type":"Feature","properties":{},"geometry":null}]}`
	_, _, err := readAll(t, "a.geojson", []byte(fc), ingest.Options{MaxFeatures: 5})
	wantError(t, err, domain.ETOOLARGE, "more than 5 features")
	_, _, err = readAll(t, "a.geojson", []byte(fc), ingest.Options{MaxBytes: 100})
	wantError(t, err, domain.ETOOLARGE, fmt.Sprintf("a.geojson is %d bytes; the limit is 100", len(fc)))
	r, err := ingest.OpenStream("a.geojson", strings.NewReader(strings.Repeat(" ", 3000)+fc), ingest.Options{MaxBytes: 3500})
	if err == nil {
		_, err = r.Next()
	}
	wantError(t, err, domain.ETOOLARGE, "a.geojson is larger than the limit")
	_, _, err = readAll(t, "a.geojson", []byte(fc), ingest.Options{MaxTotalVertices: 3})
	wantError(t, err, domain.ETOOLARGE, "more than 3 vertices in total")
	many := `{"type":"Feature","geometry":null,"properties":{` + strings.Repeat(`"a":1,`, 0)
	for i := range 30 {
		many += fmt.Sprintf(`"f%d":1,`, i)
	}
	many += `"z":0}}`
	_, _, err = readAll(t, "a.geojson", []byte(many), ingest.Options{MaxFields: 20})
	wantError(t, err, domain.ETOOLARGE, "more than 20 distinct property names")
}

func TestHostileKML(t *testing.T) {
	t.Parallel()
	laughs := `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&lol3;</name><Point><coordinates>123.4,41.8</coordinates></Point></Placemark></kml>`
	external := `<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><kml><Placemark><name>&xxe;</name></Placemark></kml>`
	deep := `<kml>` + strings.Repeat("<Folder>", 200) + strings.Repeat("</Folder>", 200) + `</kml>`
	tests := []struct{ name, in, code, msg string }{
		{"billion laughs", laughs, domain.EINVALID, "DOCTYPE/ENTITY declaration, which is refused"},
		{"external entity", external, domain.EINVALID, "DOCTYPE/ENTITY declaration, which is refused"},
		{"200-deep folders", deep, domain.EINVALID, "XML nested deeper than 64 elements"},
		{"undeclared entity", `<kml><Placemark><name>&lol;</name></Placemark></kml>`, domain.EINVALID, "invalid XML at line 1"},
		{"unclosed", `<kml><Placemark><name>x</name>`, domain.EINVALID, "invalid XML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAll(t, "h.kml", []byte(tt.in), ingest.Options{})
			wantError(t, err, tt.code, tt.msg)
		})
	}
	// inside a KMZ too
	_, _, err := readAll(t, "h.kmz", makeZip(t, zipEntry{Name: "doc.kml", Data: []byte(laughs)}), ingest.Options{})
	wantError(t, err, domain.EINVALID, "DOCTYPE/ENTITY declaration")
}

func TestSniff(t *testing.T) {
	t.Parallel()
	zipData := makeZip(t, okLayer()...)
	tests := []struct {
		name string
		head []byte
		want ingest.Format
		code string
		msg  string
	}{
		{"a.geojson", []byte(`{"type":"Point"}`), ingest.FormatGeoJSON, "", ""},
		{"a.json", []byte("\xef\xbb\xbf  \n[{}]"), ingest.FormatGeoJSON, "", ""},
		{"a.zip", zipData, ingest.FormatShapefile, "", ""},
		{"a.kmz", zipData, ingest.FormatKMZ, "", ""},
		{"a.kml", []byte(`<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2">`), ingest.FormatKML, "", ""},
		{"a.gpkg", []byte("SQLite format 3\x00...."), ingest.FormatGPKG, "", ""},
		{"a.csv", []byte("名称,经度,纬度\n大连,121.6,38.9\n"), ingest.FormatCSV, "", ""},
		{"upload", []byte(`{"type":"Point"}`), ingest.FormatGeoJSON, "", ""},
		{"a.kml", []byte(`{"type":"Point"}`), "", domain.EUNSUPPORTED, "a.kml has a .kml extension but contains GeoJSON"},
		{"a.geojson", zipData, "", domain.EUNSUPPORTED, "a.geojson has a .geojson extension but contains a ZIP archive"},
		{"a.zip", []byte("SQLite format 3\x00"), "", domain.EUNSUPPORTED, "a.zip has a .zip extension but contains a GeoPackage (SQLite)"},
		{"a.gpkg", []byte("名称,经度\n"), "", domain.EUNSUPPORTED, "a.gpkg has a .gpkg extension but contains text (CSV)"},
		{"a.shp", []byte{0, 0, 0x27, 0x0a, 0, 0}, "", domain.EUNSUPPORTED, "a bare .shp; upload a .zip"},
		{"a.rar", []byte("Rar!\x1a\x07"), "", domain.EUNSUPPORTED, "compress as .zip"},
		{"a.gml", []byte(`<?xml version="1.0"?><gml:FeatureCollection>`), "", domain.EUNSUPPORTED, "XML but not KML"},
		{"a.bin", []byte{1, 2, 3, 0, 5}, "", domain.EUNSUPPORTED, "unrecognised content"},
		{"a.csv", nil, "", domain.EINVALID, "a.csv is empty"},
	}
	for _, tt := range tests {
		got, err := ingest.Sniff(tt.name, tt.head)
		if tt.code != "" {
			wantError(t, err, tt.code, tt.msg)
			if !errors.Is(err, ingest.ErrFormatMismatch) && !errors.Is(err, ingest.ErrUnknownFormat) {
				t.Errorf("%s: sentinel missing: %v", tt.name, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Sniff(%s) = %s, %v; want %s", tt.name, got, err, tt.want)
		}
	}
}

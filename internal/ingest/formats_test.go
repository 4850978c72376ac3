package ingest_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/ingest"
)

// sourceFC parses a test source with orb/geojson.
func sourceFC(t *testing.T, src string) *geojson.FeatureCollection {
	t.Helper()
	fc, err := geojson.UnmarshalFeatureCollection([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return fc
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestKMLFromGDAL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "src.geojson"), liaoning)
	writeFile(t, filepath.Join(dir, "lines.geojson"), liaoningLines)
	ogr2ogr(t, dir, "-f", "KML", "out.kml", "src.geojson")
	ogr2ogr(t, dir, "-f", "LIBKML", "out.kmz", "lines.geojson")
	src := sourceFC(t, liaoning)

	fs, res := mustRead(t, "out.kml", readFile(t, filepath.Join(dir, "out.kml")), ingest.Options{})
	if res.Format != ingest.FormatKML || res.CRS.EPSG != 4326 || res.CRS.Source != "format" || res.Err() != nil {
		t.Fatalf("%s %+v %v", res.Format, res.CRS, res.Err())
	}
	if len(fs) != len(src.Features) {
		t.Fatalf("%d features", len(fs))
	}
	for i, f := range fs {
		sameVertices(t, "kml", f.Geometry, src.Features[i].Geometry, 1e-12)
		if prop(f, "名称") != src.Features[i].Properties["名称"] {
			t.Errorf("feature %d: 名称 %#v", i, prop(f, "名称"))
		}
	}
	if _, ok := fs[1].Geometry.(orb.MultiPolygon); !ok || hasIssue(res, "collection-flattened") == nil {
		t.Errorf("MultiGeometry of polygons: %T %v", fs[1].Geometry, issueCodes(res))
	}
	if p, ok := fs[0].Geometry.(orb.Polygon); !ok || len(p) != 2 {
		t.Errorf("polygon with hole: %v", fs[0].Geometry)
	}

	fs, res = mustRead(t, "out.kmz", readFile(t, filepath.Join(dir, "out.kmz")), ingest.Options{})
	lines := sourceFC(t, liaoningLines)
	if res.Format != ingest.FormatKMZ || len(fs) != 2 || res.Err() != nil {
		t.Fatalf("kmz: %s %d %v", res.Format, len(fs), res.Err())
	}
	for i, f := range fs {
		sameVertices(t, "kmz", f.Geometry, lines.Features[i].Geometry, 1e-12)
		if prop(f, "名称") != lines.Features[i].Properties["名称"] {
			t.Errorf("kmz feature %d: %+v", i, f.Properties)
		}
	}
}

func TestKMLHandMade(t *testing.T) {
	t.Parallel()
	in := `<?xml version="1.0" encoding="GBK"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2"><Document><Folder><name>f</name>
<Placemark id="p1"><name>` + gbk("大连港") + `</name><description>` + gbk("港口") + `</description>
 <ExtendedData><Data name="` + gbk("编号") + `"><value>10</value></Data></ExtendedData>
 <MultiGeometry><Point><coordinates> 121.65 , 38.93 , 0 </coordinates></Point><LineString><coordinates>121.6,38.9,0
 121.7,39.0,0</coordinates></LineString></MultiGeometry></Placemark>
<Placemark><name>empty</name></Placemark>
</Folder></Document></kml>`
	fs, res := mustRead(t, "a.kml", []byte(in), ingest.Options{DeclaredCRS: "GCJ-02"})
	if len(fs) != 2 || fs[0].ID != "p1" || prop(fs[0], "name") != "大连港" || prop(fs[0], "description") != "港口" || prop(fs[0], "编号") != "10" {
		t.Fatalf("%+v", fs[0])
	}
	c, ok := fs[0].Geometry.(orb.Collection)
	if !ok || len(c) != 2 || hasIssue(res, "mixed-collection") == nil || hasIssue(res, "z-dropped") == nil {
		t.Fatalf("%#v %v", fs[0].Geometry, issueCodes(res))
	}
	if d := dist(ingest.WGS84ToGCJ02(c[0].(orb.Point)), orb.Point{121.65, 38.93}); d > 0.01 {
		t.Errorf("GCJ-02 not converted: %v", c[0])
	}
	if fs[1].Geometry != nil || hasIssue(res, "null-geometry") == nil {
		t.Errorf("empty placemark %v", fs[1].Geometry)
	}
}

func gbk(s string) string {
	b, _ := simplifiedchinese.GBK.NewEncoder().String(s)
	return b
}

func TestCSVFromGDAL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "src.geojson"), liaoning)
	writeFile(t, filepath.Join(dir, "pts.geojson"), liaoningPoints)
	ogr2ogr(t, dir, "-f", "CSV", "-lco", "GEOMETRY=AS_WKT", "wkt.csv", "src.geojson")
	ogr2ogr(t, dir, "-f", "CSV", "-lco", "GEOMETRY=AS_WKT", "-lco", "WRITE_BOM=YES", "-dim", "XYZ", "bom.csv", "pts.geojson")
	ogr2ogr(t, dir, "-f", "CSV", "-lco", "GEOMETRY=AS_XY", "-lco", "SEPARATOR=SEMICOLON", "xy.csv", "pts.geojson")
	src, pts := sourceFC(t, liaoning), sourceFC(t, liaoningPoints)

	fs, res := mustRead(t, "wkt.csv", readFile(t, filepath.Join(dir, "wkt.csv")), ingest.Options{})
	if res.Format != ingest.FormatCSV || res.Encoding != "UTF-8" || len(fs) != 3 || res.Err() != nil {
		t.Fatalf("%s %s %d %v", res.Format, res.Encoding, len(fs), res.Err())
	}
	for i, f := range fs {
		sameVertices(t, "wkt", f.Geometry, src.Features[i].Geometry, 1e-12)
		if prop(f, "名称") != src.Features[i].Properties["名称"] || prop(f, "WKT") != nil {
			t.Errorf("feature %d: %+v", i, f.Properties)
		}
	}

	fs, res = mustRead(t, "bom.csv", readFile(t, filepath.Join(dir, "bom.csv")), ingest.Options{})
	if len(fs) != 2 || res.Err() != nil || hasIssue(res, "z-dropped") == nil || res.Fields[0].Name != "名称" {
		t.Fatalf("bom: %d %v %v %+v", len(fs), res.Err(), issueCodes(res), res.Fields)
	}
	sameVertices(t, "bom", fs[0].Geometry, orb.Point{121.65, 38.93}, 1e-12)

	// the same file re-encoded in GBK, as Excel on Chinese Windows saves it
	gbkCSV, err := simplifiedchinese.GBK.NewEncoder().Bytes(readFile(t, filepath.Join(dir, "xy.csv")))
	if err != nil {
		t.Fatal(err)
	}
	fs, res = mustRead(t, "xy.csv", gbkCSV, ingest.Options{})
	if len(fs) != 2 || res.Encoding != "GB18030" || hasIssue(res, "encoding-detected") == nil || res.Err() != nil {
		t.Fatalf("gbk: %d %s %v %v", len(fs), res.Encoding, issueCodes(res), res.Err())
	}
	for i, f := range fs {
		sameVertices(t, "xy", f.Geometry, pts.Features[i].Geometry, 1e-12)
		if prop(f, "名称") != pts.Features[i].Properties["名称"] {
			t.Errorf("gbk feature %d: %+v", i, f.Properties)
		}
	}
}

func TestCSVHandMade(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		opt      ingest.Options
		n        int
		geom     orb.Geometry
		code     string // fatal error code
		issue    string
	}{
		{"Chinese column names", "名称,经度,纬度\n大连港,121.65,38.93\n", ingest.Options{}, 1, orb.Point{121.65, 38.93}, "", ""},
		{"lng/lat, tab separated", "name\tlng\tlat\nx\t121.65\t38.93\n", ingest.Options{}, 1, orb.Point{121.65, 38.93}, "", ""},
		{"declared columns", "a,b,c\nx,121.65,38.93\n", ingest.Options{LonColumn: "b", LatColumn: "c"}, 1, orb.Point{121.65, 38.93}, "", ""},
		{"lat/lon swapped values", "name,lon,lat\nx,38.93,121.65\n", ingest.Options{Correct: true}, 1, orb.Point{121.65, 38.93}, "", "lat-lon-order"},
		{"EWKT with Z", "geom,n\n\"SRID=4490;POINT Z (121.65 38.93 5)\",1\n", ingest.Options{}, 1, orb.Point{121.65, 38.93}, "", "z-dropped"},
		{"MULTIPOINT without inner parens", "wkt\n\"MULTIPOINT (121.6 38.9, 121.7 39)\"\n", ingest.Options{}, 1, orb.MultiPoint{{121.6, 38.9}, {121.7, 39}}, "", ""},
		{"empty geometry cell", "wkt,n\n,1\n", ingest.Options{}, 1, nil, "", "null-geometry"},
		{"bad WKT", "wkt\n\"POLYGON ((1 2, 3\"\n", ingest.Options{}, 1, nil, "", "bad-geometry"},
		{"NaN", "name,lon,lat\nx,NaN,38.9\n", ingest.Options{}, 1, nil, "", "invalid-coordinate"},
		{"ragged row", "name,lon,lat\nx,121.6,38.9,extra\n", ingest.Options{}, 1, orb.Point{121.6, 38.9}, "", "field-count"},
		{"no geometry columns", "a,b\n1,2\n", ingest.Options{}, 0, nil, domain.EINVALID, ""},
		{"declared column missing", "wkt\nPOINT (1 2)\n", ingest.Options{WKTColumn: "shape_wkt"}, 0, nil, domain.EINVALID, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, res, err := readAll(t, "a.csv", []byte(tt.in), tt.opt)
			if tt.code != "" {
				if domain.ErrorCode(err) != tt.code {
					t.Fatalf("error %v, want %s", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != tt.n {
				t.Fatalf("%d features", len(fs))
			}
			if tt.geom != nil && !orb.Equal(fs[0].Geometry, tt.geom) || tt.geom == nil && fs[0].Geometry != nil {
				t.Errorf("geometry %#v, want %#v", fs[0].Geometry, tt.geom)
			}
			if tt.issue != "" && hasIssue(res, tt.issue) == nil {
				t.Errorf("no %s in %v", tt.issue, issueCodes(res))
			}
		})
	}
}

func TestGeoPackageFromGDAL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "src.geojson"), liaoning)
	writeFile(t, filepath.Join(dir, "pts.geojson"), liaoningPoints)
	ogr2ogr(t, dir, "-f", "GPKG", "-t_srs", "EPSG:4529", "-nlt", "MULTIPOLYGON", "-nln", "新区", "out.gpkg", "src.geojson")
	ogr2ogr(t, dir, "-f", "GPKG", "-update", "-nln", "港口", "-dim", "XYZ", "out.gpkg", "pts.geojson")
	data := readFile(t, filepath.Join(dir, "out.gpkg"))
	src, pts := sourceFC(t, liaoning), sourceFC(t, liaoningPoints)

	fs, res := mustRead(t, "out.gpkg", data, ingest.Options{})
	if res.Format != ingest.FormatGPKG || len(res.Layers) != 2 || res.Err() != nil {
		t.Fatalf("%s %+v %v", res.Format, res.Layers, res.Err())
	}
	layers := map[string]ingest.LayerInfo{}
	for _, l := range res.Layers {
		layers[l.Name] = l
	}
	if layers["新区"].CRS.EPSG != 4529 || layers["新区"].CRS.Source != "gpkg" || layers["港口"].CRS.EPSG != 4326 || layers["新区"].Geometry != "MULTIPOLYGON" {
		t.Fatalf("layers %+v", res.Layers)
	}
	types := map[string]string{}
	for _, f := range layers["新区"].Fields {
		types[f.Name] = f.Type
	}
	if types["编号"] != "integer" || types["投资"] != "number" || types["名称"] != "string" || types["日期"] != "date" {
		t.Errorf("field types %v", types)
	}
	ref := reference(t, dir, "out.gpkg", "新区")
	var zone, ports []*ingest.Feature
	for _, f := range fs {
		if f.Layer == "新区" {
			zone = append(zone, f)
		} else {
			ports = append(ports, f)
		}
	}
	if len(zone) != 3 || len(ports) != 2 || hasIssue(res, "z-dropped") == nil {
		t.Fatalf("%d + %d features, %v", len(zone), len(ports), issueCodes(res))
	}
	for i, f := range zone {
		sameVertices(t, "gpkg 4529", f.Geometry, ref.Features[i].Geometry, 1e-6)
		if prop(f, "名称") != src.Features[i].Properties["名称"] || f.ID != strconv.Itoa(i+1) {
			t.Errorf("feature %d: id %q %+v", i, f.ID, f.Properties)
		}
	}
	for i, f := range ports {
		sameVertices(t, "gpkg points", f.Geometry, pts.Features[i].Geometry, 1e-12)
	}

	// a GeoPackage with a lying extension, and one that is not a GeoPackage
	_, _, err := readAll(t, "out.zip", data, ingest.Options{})
	wantError(t, err, domain.EUNSUPPORTED, "contains a GeoPackage")
	_, _, err = readAll(t, "x.gpkg", append([]byte("SQLite format 3\x00"), make([]byte, 2000)...), ingest.Options{})
	if c := domain.ErrorCode(err); c != domain.EINVALID {
		t.Fatalf("broken sqlite: %v", err)
	}
	if !strings.Contains(domain.ErrorMessage(err), "not a readable GeoPackage") {
		t.Fatalf("broken sqlite: %v", err)
	}
}

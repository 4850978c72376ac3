package ingest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/ingest"
)

// liaoning is the source every GDAL-made test file starts from: lon/lat in
// Liaoning with Chinese attributes.
const liaoning = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"名称":"沈阳浑南新区","类型":"新区","编号":1,"投资":120.5,"日期":"2024-05-01"},
 "geometry":{"type":"Polygon","coordinates":[[[123.40,41.70],[123.60,41.70],[123.60,41.85],[123.40,41.85],[123.40,41.70]],[[123.45,41.75],[123.45,41.80],[123.50,41.80],[123.50,41.75],[123.45,41.75]]]}},
{"type":"Feature","properties":{"名称":"大连金普新区","类型":"新区","编号":2,"投资":88.25,"日期":"2023-12-31"},
 "geometry":{"type":"MultiPolygon","coordinates":[[[[121.80,39.00],[122.00,39.00],[122.00,39.15],[121.80,39.15],[121.80,39.00]]],[[[122.10,39.20],[122.20,39.20],[122.20,39.30],[122.10,39.20]]]]}},
{"type":"Feature","properties":{"名称":"丹东港","类型":"港口","编号":3,"投资":5.0,"日期":null},
 "geometry":{"type":"Polygon","coordinates":[[[124.10,39.80],[124.20,39.80],[124.20,39.90],[124.10,39.80]]]}}
]}`

const liaoningPoints = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"名称":"大连港","类型":"港口","编号":10},"geometry":{"type":"Point","coordinates":[121.65,38.93,12.5]}},
{"type":"Feature","properties":{"名称":"营口港","类型":"港口","编号":11},"geometry":{"type":"Point","coordinates":[122.10,40.29,3.0]}}
]}`

const liaoningLines = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"名称":"沈大高速","编号":20},"geometry":{"type":"LineString","coordinates":[[123.43,41.80],[122.95,41.10],[122.20,40.50],[121.61,38.91]]}},
{"type":"Feature","properties":{"名称":"丹大线","编号":21},"geometry":{"type":"MultiLineString","coordinates":[[[124.38,40.12],[123.50,39.70]],[[123.50,39.70],[121.61,38.91]]]}}
]}`

// reference reads what GDAL itself decodes from a file, as GeoJSON
// written by ogr2ogr and parsed with orb/geojson.
func reference(t *testing.T, dir, src string, extra ...string) *geojson.FeatureCollection {
	t.Helper()
	out := "ref_" + strings.NewReplacer("/", "_", ".", "_").Replace(src) + ".geojson"
	ogr2ogr(t, dir, append([]string{"-f", "GeoJSON", "-lco", "COORDINATE_PRECISION=10", out, src}, extra...)...)
	b, err := os.ReadFile(filepath.Join(dir, out))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	return fc
}

func TestShapefileFromGDAL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		src      string
		args     []string // ogr2ogr layer creation and reprojection
		dropCPG  bool
		epsg     int
		encoding string
		issues   []string // issue codes that must appear
		tol      float64
	}{
		{"flagship GBK in CGCS2000 3-degree zone 41", liaoning, []string{"-lco", "ENCODING=GBK", "-t_srs", "EPSG:4529"}, false, 4529, "GBK", nil, 1e-4},
		{"GBK without .cpg: detected", liaoning, []string{"-lco", "ENCODING=GBK", "-t_srs", "EPSG:4529"}, true, 4529, "GB18030", []string{"encoding-detected"}, 1e-4},
		{"LDID 0x4D (CP936), no .cpg", liaoning, []string{"-lco", "ENCODING=LDID/77", "-t_srs", "EPSG:4550"}, false, 4550, "GBK", nil, 1e-4},
		{"CP936 .cpg", liaoning, []string{"-lco", "ENCODING=CP936", "-t_srs", "EPSG:4490"}, false, 4490, "GBK", nil, 1e-9},
		{"UTF-8 .cpg", liaoning, []string{"-lco", "ENCODING=UTF-8", "-t_srs", "EPSG:4490"}, false, 4490, "UTF-8", nil, 1e-9},
		{"UTF-8 without .cpg", liaoning, []string{"-lco", "ENCODING=UTF-8"}, true, 4326, "UTF-8", nil, 1e-9},
		{"no-prefix CM 123E", liaoning, []string{"-lco", "ENCODING=GBK", "-t_srs", "EPSG:4550"}, false, 4550, "GBK", nil, 1e-4},
		{"6-degree zone 21", liaoning, []string{"-lco", "ENCODING=GBK", "-t_srs", "EPSG:4499"}, false, 4499, "GBK", nil, 1e-4},
		{"6-degree CM 123E", liaoning, []string{"-lco", "ENCODING=GBK", "-t_srs", "EPSG:4510"}, false, 4510, "GBK", nil, 1e-4},
		{"zone 40 (CM 120E)", liaoning, []string{"-lco", "ENCODING=GBK", "-t_srs", "EPSG:4528"}, false, 4528, "GBK", nil, 1e-4},
		{"Xian 1980 3-degree zone 41", liaoning, []string{"-lco", "ENCODING=GBK", "-t_srs", "EPSG:2365"}, false, 2365, "GBK", []string{"datum-shift"}, 1e-4},
		{"Xian 1980 3-degree CM 123E", liaoning, []string{"-lco", "ENCODING=GBK", "-t_srs", "EPSG:2386"}, false, 2386, "GBK", []string{"datum-shift"}, 1e-4},
		{"Xian 1980 geographic", liaoning, []string{"-lco", "ENCODING=GBK", "-t_srs", "EPSG:4610"}, false, 4610, "GBK", []string{"datum-shift"}, 1e-9},
		{"Beijing 1954 3-degree zone 41", liaoning, []string{"-lco", "ENCODING=GBK", "-t_srs", "EPSG:2417"}, false, 2417, "GBK", []string{"datum-shift"}, 1e-4},
		{"Beijing 1954 6-degree zone 21", liaoning, []string{"-lco", "ENCODING=GBK", "-t_srs", "EPSG:21421"}, false, 21421, "GBK", []string{"datum-shift"}, 1e-4},
		{"Beijing 1954 geographic", liaoning, []string{"-lco", "ENCODING=GBK", "-t_srs", "EPSG:4214"}, false, 4214, "GBK", []string{"datum-shift"}, 1e-9},
		{"Web Mercator", liaoning, []string{"-lco", "ENCODING=UTF-8", "-t_srs", "EPSG:3857"}, false, 3857, "UTF-8", nil, 1e-4},
		{"UTM 51N", liaoning, []string{"-lco", "ENCODING=UTF-8", "-t_srs", "EPSG:32651"}, false, 32651, "UTF-8", nil, 1e-4},
		{"PointZ", liaoningPoints, []string{"-lco", "ENCODING=GBK", "-t_srs", "EPSG:4529", "-dim", "XYZ"}, false, 4529, "GBK", []string{"z-dropped"}, 1e-4},
		{"PolyLine", liaoningLines, []string{"-lco", "ENCODING=GBK", "-nlt", "MULTILINESTRING"}, false, 4326, "GBK", nil, 1e-9},
		{"MultiPoint", liaoningPoints, []string{"-lco", "ENCODING=GBK", "-nlt", "MULTIPOINT", "-dim", "XY"}, false, 4326, "GBK", nil, 1e-9},
		{"PolygonM", liaoning, []string{"-lco", "ENCODING=GBK", "-dim", "XYM", "-nlt", "MULTIPOLYGON"}, false, 4326, "GBK", []string{"z-dropped"}, 1e-9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "src.geojson"), tt.src)
			args := append([]string{"-f", "ESRI Shapefile", "out.shp", "src.geojson"}, tt.args...)
			if !hasArg(tt.args, "-nlt") && tt.src == liaoning {
				args = append(args, "-nlt", "MULTIPOLYGON")
			}
			ogr2ogr(t, dir, args...)
			if tt.dropCPG {
				os.Remove(filepath.Join(dir, "out.cpg"))
			}
			ref := reference(t, dir, "out.shp")
			src, err := geojson.UnmarshalFeatureCollection([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			fs, res := mustRead(t, "上传.zip", zipDir(t, dir, "out"), ingest.Options{})
			if res.Format != ingest.FormatShapefile || res.CRS.EPSG != tt.epsg || res.CRS.Source != "prj" {
				t.Fatalf("format %s CRS %+v, want EPSG:%d from prj", res.Format, res.CRS, tt.epsg)
			}
			if res.Encoding != tt.encoding {
				t.Errorf("encoding %s, want %s", res.Encoding, tt.encoding)
			}
			for _, code := range tt.issues {
				if hasIssue(res, code) == nil {
					t.Errorf("no %s issue in %v", code, issueCodes(res))
				}
			}
			if err := res.Err(); err != nil {
				t.Fatalf("unexpected feature errors: %v", err)
			}
			if len(fs) != len(ref.Features) {
				t.Fatalf("%d features, GDAL reads %d", len(fs), len(ref.Features))
			}
			for i, f := range fs {
				rf := ref.Features[i]
				sameVertices(t, f.Layer, f.Geometry, rf.Geometry, tt.tol)
				if f.Geometry.GeoJSONType() != rf.Geometry.GeoJSONType() && !(strings.HasPrefix(rf.Geometry.GeoJSONType(), "Multi") && "Multi"+f.Geometry.GeoJSONType() == rf.Geometry.GeoJSONType()) {
					t.Errorf("feature %d: %s, GDAL reads %s", i, f.Geometry.GeoJSONType(), rf.Geometry.GeoJSONType())
				}
				// attributes against the source: GDAL itself reads GBK
				// without .cpg as raw bytes
				sf := src.Features[i]
				if got, want := prop(f, "名称"), sf.Properties["名称"]; got != want {
					t.Errorf("feature %d: 名称 = %#v, source has %#v", i, got, want)
				}
				if got, want := prop(f, "编号"), sf.Properties["编号"]; got != int64(want.(float64)) {
					t.Errorf("feature %d: 编号 = %#v, source has %#v", i, got, want)
				}
			}
			if tt.src == liaoning {
				if d, ok := prop(fs[0], "日期").(time.Time); !ok || !d.Equal(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("日期 = %#v", prop(fs[0], "日期"))
				}
				if prop(fs[2], "日期") != nil || prop(fs[1], "投资") != 88.25 {
					t.Errorf("日期 %#v 投资 %#v", prop(fs[2], "日期"), prop(fs[1], "投资"))
				}
				if _, ok := fs[0].Geometry.(orb.Polygon); !ok || len(fs[0].Geometry.(orb.Polygon)) != 2 {
					t.Errorf("feature 0 should be a polygon with a hole: %v", fs[0].Geometry)
				}
			}
		})
	}
}

func hasArg(args []string, a string) bool {
	for _, x := range args {
		if x == a {
			return true
		}
	}
	return false
}

// For a CGCS2000 geographic Shapefile, coordinates must equal the source.
func TestShapefileMatchesSource(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "src.geojson"), liaoning)
	ogr2ogr(t, dir, "-f", "ESRI Shapefile", "-lco", "ENCODING=GBK", "-a_srs", "EPSG:4490", "-nlt", "MULTIPOLYGON", "out.shp", "src.geojson")
	src, err := geojson.UnmarshalFeatureCollection([]byte(liaoning))
	if err != nil {
		t.Fatal(err)
	}
	fs, res := mustRead(t, "out.zip", zipDir(t, dir, "out"), ingest.Options{})
	if res.CRS.EPSG != 4490 {
		t.Fatalf("CRS %+v", res.CRS)
	}
	for i, f := range fs {
		// the Shapefile stores outer rings clockwise: compare reversed rings
		sameVertices(t, "feature", f.Geometry, reverseRings(src.Features[i].Geometry), 1e-12)
	}
}

// Several .shp in one zip become layers; member names in GBK are decoded.
func TestShapefileLayersAndGBKNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.geojson"), liaoning)
	writeFile(t, filepath.Join(dir, "b.geojson"), liaoningLines)
	ogr2ogr(t, dir, "-f", "ESRI Shapefile", "-lco", "ENCODING=GBK", "-t_srs", "EPSG:4529", "-nlt", "MULTIPOLYGON", "poly.shp", "a.geojson")
	ogr2ogr(t, dir, "-f", "ESRI Shapefile", "-lco", "ENCODING=GBK", "-nlt", "MULTILINESTRING", "line.shp", "b.geojson")
	gbkName := func(s string) string {
		b, err := simplifiedchinese.GBK.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var es []zipEntry
	for _, m := range []struct{ from, to string }{{"poly", "规划/新区"}, {"line", "规划/道路"}} {
		for _, ext := range []string{".shp", ".shx", ".dbf", ".prj", ".cpg"} {
			b, err := os.ReadFile(filepath.Join(dir, m.from+ext))
			if err != nil {
				t.Fatal(err)
			}
			es = append(es, zipEntry{Name: gbkName(m.to + ext), Data: b, RawName: true})
		}
	}
	fs, res := mustRead(t, "layers.zip", makeZip(t, es...), ingest.Options{})
	if len(res.Layers) != 2 {
		t.Fatalf("layers %+v", res.Layers)
	}
	// members are read in name order: 规划/新区 (GBK D0C2) after 规划/道路 (B5C0)
	byName := map[string]ingest.LayerInfo{}
	for _, l := range res.Layers {
		byName[l.Name] = l
	}
	if byName["新区"].CRS.EPSG != 4529 || byName["道路"].CRS.EPSG != 4326 || byName["道路"].Geometry != "PolyLine" {
		t.Fatalf("layers %+v", res.Layers)
	}
	count := map[string]int{}
	for _, f := range fs {
		count[f.Layer]++
	}
	if count["新区"] != 3 || count["道路"] != 2 || hasIssue(res, "multiple-layers") == nil {
		t.Fatalf("features per layer %v, issues %v", count, issueCodes(res))
	}
}

// A Shapefile without .prj: lon/lat is assumed WGS 84, projected refused.
func TestShapefileWithoutPRJ(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "src.geojson"), liaoning)
	ogr2ogr(t, dir, "-f", "ESRI Shapefile", "-lco", "ENCODING=GBK", "-nlt", "MULTIPOLYGON", "ll.shp", "src.geojson")
	ogr2ogr(t, dir, "-f", "ESRI Shapefile", "-lco", "ENCODING=GBK", "-nlt", "MULTIPOLYGON", "-t_srs", "EPSG:4529", "gk.shp", "src.geojson")
	os.Remove(filepath.Join(dir, "ll.prj"))
	os.Remove(filepath.Join(dir, "gk.prj"))

	_, res := mustRead(t, "ll.zip", zipDir(t, dir, "ll"), ingest.Options{})
	if res.CRS.EPSG != 4326 || res.CRS.Source != "assumed" || hasIssue(res, "crs-assumed") == nil {
		t.Fatalf("CRS %+v issues %v", res.CRS, issueCodes(res))
	}
	_, _, err := readAll(t, "gk.zip", zipDir(t, dir, "gk"), ingest.Options{})
	wantError(t, err, domain.EINVALID, "no .prj and its coordinates")
	wantError(t, err, domain.EINVALID, "EPSG:4529")
	_, res = mustRead(t, "gk.zip", zipDir(t, dir, "gk"), ingest.Options{DeclaredCRS: "EPSG:4529"})
	if res.CRS.EPSG != 4529 || res.CRS.Source != "declared" || res.Err() != nil {
		t.Fatalf("declared: %+v %v", res.CRS, res.Err())
	}
}

// A declared CRS that contradicts the .prj wins, with a warning.
func TestShapefileDeclaredOverridesPRJ(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "src.geojson"), liaoning)
	ogr2ogr(t, dir, "-f", "ESRI Shapefile", "-lco", "ENCODING=GBK", "-nlt", "MULTIPOLYGON", "-a_srs", "EPSG:4490", "a.shp", "src.geojson")
	_, res := mustRead(t, "a.zip", zipDir(t, dir, "a"), ingest.Options{DeclaredCRS: "EPSG:4326"})
	if res.CRS.EPSG != 4326 || hasIssue(res, "crs-mismatch") == nil {
		t.Fatalf("%+v %v", res.CRS, issueCodes(res))
	}
	// GCJ-02 declared over a CGCS2000 .prj: converted to WGS 84
	fs, res := mustRead(t, "a.zip", zipDir(t, dir, "a"), ingest.Options{DeclaredCRS: "GCJ-02"})
	if res.CRS.EPSG != 4326 || !strings.Contains(res.CRS.Name, "GCJ-02") {
		t.Fatalf("%+v", res.CRS)
	}
	p := fs[0].Geometry.(orb.Polygon)[0][0]
	if back := ingest.WGS84ToGCJ02(p); back.Equal(p) || dist(back, orb.Point{123.40, 41.70}) > 0.01 {
		t.Fatalf("not converted: %v", p)
	}
}

// reverseRings returns g with every polygon ring reversed, as a Shapefile
// writer stores GeoJSON's counter-clockwise outer rings.
func reverseRings(g orb.Geometry) orb.Geometry {
	rev := func(p orb.Polygon) orb.Polygon {
		out := make(orb.Polygon, len(p))
		for i, r := range p {
			out[i] = make(orb.Ring, len(r))
			for j := range r {
				out[i][j] = r[len(r)-1-j]
			}
		}
		return out
	}
	switch g := g.(type) {
	case orb.Polygon:
		return rev(g)
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			out[i] = rev(p)
		}
		return out
	}
	return g
}

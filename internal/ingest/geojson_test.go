package ingest_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/ingest"
)

func TestGeoJSONShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		n       int
		geom    orb.Geometry // of the first feature
		epsg    int
		crsFrom string
		issue   string // an issue code that must be present
	}{
		{"feature collection", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":1},"geometry":{"type":"Point","coordinates":[123.4,41.8]}}]}`,
			1, orb.Point{123.4, 41.8}, 4326, "assumed", "crs-assumed"},
		{"members in any order", `{"features":[{"geometry":{"coordinates":[123.4,41.8],"type":"Point"},"properties":null,"type":"Feature"}],"type":"FeatureCollection"}`,
			1, orb.Point{123.4, 41.8}, 4326, "assumed", ""},
		{"single feature", `{"type":"Feature","geometry":{"type":"LineString","coordinates":[[123.4,41.8],[123.5,41.9]]},"properties":{}}`,
			1, orb.LineString{{123.4, 41.8}, {123.5, 41.9}}, 4326, "assumed", ""},
		{"bare geometry", `{"type":"MultiPoint","coordinates":[[123.4,41.8],[123.5,41.9]]}`,
			1, orb.MultiPoint{{123.4, 41.8}, {123.5, 41.9}}, 4326, "assumed", ""},
		{"geometry collection of one type becomes multi", `{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[123.4,41.8]},{"type":"Point","coordinates":[123.5,41.9]}]}`,
			1, orb.MultiPoint{{123.4, 41.8}, {123.5, 41.9}}, 4326, "assumed", "collection-flattened"},
		{"mixed geometry collection kept", `{"type":"Feature","properties":{},"geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[123.4,41.8]},{"type":"LineString","coordinates":[[123.4,41.8],[123.5,41.9]]}]}}`,
			1, orb.Collection{orb.Point{123.4, 41.8}, orb.LineString{{123.4, 41.8}, {123.5, 41.9}}}, 4326, "assumed", "mixed-collection"},
		{"multipolygon", `{"type":"MultiPolygon","coordinates":[[[[123,41],[124,41],[124,42],[123,41]]],[[[121,39],[122,39],[122,40],[121,39]]]]}`,
			1, orb.MultiPolygon{{{{123, 41}, {124, 41}, {124, 42}, {123, 41}}}, {{{121, 39}, {122, 39}, {122, 40}, {121, 39}}}}, 4326, "assumed", ""},
		{"crs urn EPSG::4490", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}},"features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[123.4,41.8]}}]}`,
			1, orb.Point{123.4, 41.8}, 4490, "geojson-crs", ""},
		{"crs EPSG:4326", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4326"}},"features":[]}`,
			0, nil, 4326, "geojson-crs", ""},
		{"crs CRS84", `{"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"type":"FeatureCollection","features":[]}`,
			0, nil, 4326, "geojson-crs", ""},
		{"crs projected 4529", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4529"}},"features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[41512345.6,4634567.8]}}]}`,
			1, orb.Point{41512345.6, 4634567.8}, 4529, "geojson-crs", ""},
		{"old crs type EPSG", `{"type":"FeatureCollection","crs":{"type":"EPSG","properties":{"code":4490}},"features":[]}`,
			0, nil, 4490, "geojson-crs", ""},
		{"geojson lines", `{"type":"Feature","properties":{"i":1},"geometry":{"type":"Point","coordinates":[123.4,41.8]}}
{"type":"Feature","properties":{"i":2},"geometry":{"type":"Point","coordinates":[123.5,41.8]}}`,
			2, orb.Point{123.4, 41.8}, 4326, "assumed", ""},
		{"top-level array", `[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[123.4,41.8]}}]`,
			1, orb.Point{123.4, 41.8}, 4326, "assumed", ""},
		{"z dropped", `{"type":"Point","coordinates":[123.4,41.8,12.5]}`, 1, orb.Point{123.4, 41.8}, 4326, "assumed", "z-dropped"},
		{"null geometry", `{"type":"Feature","properties":{"a":1},"geometry":null}`, 1, nil, 4326, "assumed", "null-geometry"},
		{"empty coordinates", `{"type":"Polygon","coordinates":[]}`, 1, nil, 4326, "assumed", "empty-geometry"},
		{"unclosed ring closed", `{"type":"Polygon","coordinates":[[[123,41],[124,41],[124,42],[123,42]]]}`,
			1, orb.Polygon{{{123, 41}, {124, 41}, {124, 42}, {123, 42}, {123, 41}}}, 4326, "assumed", "ring-unclosed"},
		{"outside liaoning", `{"type":"Point","coordinates":[116.4,39.9]}`, 1, orb.Point{116.4, 39.9}, 4326, "assumed", "outside-liaoning"},
		{"outside china", `{"type":"Point","coordinates":[2.35,48.85]}`, 1, orb.Point{2.35, 48.85}, 4326, "assumed", "outside-china"},
		{"duplicate features", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":"x"},"geometry":{"type":"Point","coordinates":[123.4,41.8]}},{"type":"Feature","properties":{"a":"x"},"geometry":{"type":"Point","coordinates":[123.4,41.8]}}]}`,
			2, orb.Point{123.4, 41.8}, 4326, "assumed", "duplicate-feature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, res := mustRead(t, "in.geojson", []byte(tt.in), ingest.Options{})
			if len(fs) != tt.n {
				t.Fatalf("%d features, want %d", len(fs), tt.n)
			}
			if res.CRS.EPSG != tt.epsg || res.CRS.Source != tt.crsFrom {
				t.Errorf("CRS %+v, want EPSG:%d from %s", res.CRS, tt.epsg, tt.crsFrom)
			}
			if tt.n > 0 && !orb.Equal(fs[0].Geometry, tt.geom) && !(tt.geom == nil && fs[0].Geometry == nil) {
				t.Errorf("geometry %#v, want %#v", fs[0].Geometry, tt.geom)
			}
			if tt.issue != "" && hasIssue(res, tt.issue) == nil {
				t.Errorf("no %s issue in %v", tt.issue, issueCodes(res))
			}
		})
	}
}

func TestGeoJSONProperties(t *testing.T) {
	t.Parallel()
	in := `{"type":"FeatureCollection","features":[{"type":"Feature","id":"p-1","properties":{"名称":"大连港","z":1,"a":2.5,"big":12345678901234567890,"b":true,"n":null,"nested":{"k":[1,"二"]},"id":7,"geom":"x","GEOMETRY":"y","fid":3,"_planmap_owner":"me"},"geometry":{"type":"Point","coordinates":[121.6,38.9]}}]}`
	fs, res := mustRead(t, "p.geojson", []byte(in), ingest.Options{})
	f := fs[0]
	if f.ID != "p-1" {
		t.Errorf("id %q", f.ID)
	}
	want := []string{"名称", "z", "a", "big", "b", "n", "nested", "id_", "geom_", "GEOMETRY_", "fid_", "planmap_owner"}
	var got []string
	for _, p := range f.Properties {
		got = append(got, p.Name)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("property order/names %v, want %v", got, want)
	}
	checks := map[string]any{"名称": "大连港", "z": int64(1), "a": 2.5, "big": 1.2345678901234567e19, "b": true, "n": nil, "id_": int64(7)}
	for k, v := range checks {
		if prop(f, k) != v {
			t.Errorf("%s = %#v, want %#v", k, prop(f, k), v)
		}
	}
	if raw, ok := prop(f, "nested").(json.RawMessage); !ok || string(raw) != `{"k":[1,"二"]}` {
		t.Errorf("nested = %#v", prop(f, "nested"))
	}
	renamed := 0
	for _, is := range res.Issues {
		if is.Code == "renamed-field" {
			renamed++
		}
	}
	if renamed != 5 {
		t.Errorf("%d renamed-field issues, want 5: %v", renamed, res.Issues)
	}
	types := map[string]string{}
	for _, fl := range res.Fields {
		types[fl.Name] = fl.Type
	}
	if types["z"] != "integer" || types["a"] != "number" || types["nested"] != "json" || types["b"] != "boolean" {
		t.Errorf("field types %v", types)
	}
}

// A CRS member after the features cannot be honoured by a stream.
func TestGeoJSONLateCRS(t *testing.T) {
	t.Parallel()
	in := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[41512345,4634567]}}],"crs":{"type":"name","properties":{"name":"EPSG:4529"}}}`
	_, _, err := readAll(t, "late.geojson", []byte(in), ingest.Options{})
	wantError(t, err, domain.EUNSUPPORTED, `"crs" member (EPSG:4529) comes after the features`)
	// declared, it is fine
	_, res := mustRead(t, "late.geojson", []byte(in), ingest.Options{DeclaredCRS: "EPSG:4529"})
	if res.CRS.EPSG != 4529 || res.CRS.Source != "declared" || res.Err() != nil {
		t.Fatalf("declared: %+v %v", res.CRS, res.Err())
	}
}

func TestGeoJSONLatLon(t *testing.T) {
	t.Parallel()
	in := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[41.8,123.4],[41.9,123.5]]}}]}`
	fs, res := mustRead(t, "ll.geojson", []byte(in), ingest.Options{})
	is := hasIssue(res, "lat-lon-order")
	if is == nil || is.Severity != ingest.SeverityError || !strings.Contains(is.Message, "coordinates appear to be [lat, lon]") || is.Feature != 0 {
		t.Fatalf("issue %+v", is)
	}
	if !orb.Equal(fs[0].Geometry, orb.LineString{{41.8, 123.4}, {41.9, 123.5}}) {
		t.Fatalf("changed without Correct: %v", fs[0].Geometry)
	}
	wantError(t, res.Err(), domain.EINVALID, "feature 0: coordinates appear to be [lat, lon]")

	fs, res = mustRead(t, "ll.geojson", []byte(in), ingest.Options{Correct: true})
	if is := hasIssue(res, "lat-lon-order"); is == nil || is.Severity != ingest.SeverityWarning {
		t.Fatalf("issue %+v", is)
	}
	if !orb.Equal(fs[0].Geometry, orb.LineString{{123.4, 41.8}, {123.5, 41.9}}) {
		t.Fatalf("not swapped: %v", fs[0].Geometry)
	}
	if res.Err() != nil {
		t.Fatal(res.Err())
	}
}

// Projected coordinates in a GeoJSON without crs: say what they look like.
func TestGeoJSONProjectedWithoutCRS(t *testing.T) {
	t.Parallel()
	in := `{"type":"Point","coordinates":[41512345.6,4634567.8]}`
	_, res := mustRead(t, "p.geojson", []byte(in), ingest.Options{})
	wantError(t, res.Err(), domain.EINVALID, "Gauss-Kruger zone 41 with the zone prefix (CGCS2000: EPSG:4529")
}

func TestGeoJSONDeclaredGBK(t *testing.T) {
	t.Parallel()
	gbk := []byte("{\"type\":\"Feature\",\"properties\":{\"\xc3\xfb\xb3\xc6\":\"\xb4\xf3\xc1\xac\xb8\xdb\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[121.6,38.9]}}")
	_, res := mustRead(t, "gbk.geojson", gbk, ingest.Options{})
	wantError(t, res.Err(), domain.EINVALID, "not valid UTF-8")
	fs, res := mustRead(t, "gbk.geojson", gbk, ingest.Options{Encoding: "GBK"})
	if res.Err() != nil || prop(fs[0], "名称") != "大连港" {
		t.Fatalf("%v %+v", res.Err(), fs[0].Properties)
	}
}

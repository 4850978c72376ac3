package ingest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/ingest"
)

// gkGeoJSON wraps coordinates in a GeoJSON with a legacy crs member.
func gkGeoJSON(epsg int, coords string) []byte {
	return []byte(fmt.Sprintf(`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::%d"}},"features":[{"type":"Feature","properties":{"名称":"沈阳"},"geometry":{"type":"LineString","coordinates":%s}}]}`, epsg, coords))
}

func TestProjectedTraps(t *testing.T) {
	t.Parallel()
	// Shenyang in CGCS2000 zone 41 (EPSG:4529) and CM 123E (EPSG:4550)
	const prefixed = `[[41535981.04,4628952.40],[41536804.36,4630069.74]]`
	const plain = `[[535981.04,4628952.40],[536804.36,4630069.74]]`
	const swappedPrefixed = `[[4628952.40,41535981.04],[4630069.74,41536804.36]]`
	const swappedPlain = `[[4628952.40,535981.04],[4630069.74,536804.36]]`
	const zone40 = `[[40789012.5,4630000.0],[40790000.0,4631000.0]]`
	tests := []struct {
		name    string
		epsg    int
		coords  string
		code    string // issue code; "" for none
		msg     string
		fixed   orb.LineString // after Correct; nil when not fixable
		fixable bool
	}{
		{"plain ok", 4550, plain, "", "", nil, false},
		{"prefixed ok", 4529, prefixed, "", "", nil, false},
		{"prefix under no-prefix CRS", 4550, prefixed, "zone-prefix", "easting 41535981 carries zone prefix 41, but EPSG:4550 has none; EPSG:4529 fits",
			orb.LineString{{535981.04, 4628952.40}, {536804.36, 4630069.74}}, true},
		{"no prefix under prefixed CRS", 4529, plain, "zone-prefix", "easting 535981 lacks the zone prefix 41 that EPSG:4529 expects; EPSG:4550 fits",
			orb.LineString{{41535981.04, 4628952.40}, {41536804.36, 4630069.74}}, true},
		{"XY swapped, prefixed", 4529, swappedPrefixed, "xy-swapped", "X and Y appear swapped (northing first",
			orb.LineString{{41535981.04, 4628952.40}, {41536804.36, 4630069.74}}, true},
		{"XY swapped, plain", 4550, swappedPlain, "xy-swapped", "X and Y appear swapped",
			orb.LineString{{535981.04, 4628952.40}, {536804.36, 4630069.74}}, true},
		{"XY swapped and prefix under no-prefix CRS", 4550, swappedPrefixed, "zone-prefix", "X and Y appear swapped (northing first: 4628952, 41535981); easting 41535981 carries zone prefix 41",
			orb.LineString{{535981.04, 4628952.40}, {536804.36, 4630069.74}}, true},
		{"another zone's prefix", 4550, zone40, "zone-prefix", "zone 40 is CM 120E, EPSG:4550 is CM 123E): declare EPSG:4528", nil, false},
		{"another zone under a prefixed CRS", 4529, zone40, "zone-prefix", "carries zone prefix 40, but EPSG:4529 is zone 41; declare EPSG:4528", nil, false},
		{"Xian 1980 prefix under no-prefix", 2386, prefixed, "zone-prefix", "EPSG:2365 fits",
			orb.LineString{{535981.04, 4628952.40}, {536804.36, 4630069.74}}, true},
		{"Beijing 1954 no prefix under prefixed", 2417, plain, "zone-prefix", "EPSG:2438 fits",
			orb.LineString{{41535981.04, 4628952.40}, {41536804.36, 4630069.74}}, true},
		{"lon/lat under a projected CRS", 4529, `[[123.4,41.8],[123.5,41.9]]`, "not-projected", "look like longitude/latitude, not EPSG:4529 metres", nil, false},
		{"projected under a geographic CRS", 4490, prefixed, "not-lonlat", "EPSG:4529", nil, false},
		{"implausible", 4550, `[[99999999,99999999],[99999999.5,99999999.5]]`, "implausible-coordinates", "not plausible for EPSG:4550", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := gkGeoJSON(tt.epsg, tt.coords)
			fs, res := mustRead(t, "gk.geojson", in, ingest.Options{})
			if res.CRS.EPSG != tt.epsg {
				t.Fatalf("CRS %+v", res.CRS)
			}
			if tt.code == "" {
				if len(fs[0].Issues) != 0 {
					t.Fatalf("issues %v", fs[0].Issues)
				}
				return
			}
			is := hasIssue(res, tt.code)
			if is == nil || is.Severity != ingest.SeverityError || !strings.Contains(is.Message, tt.msg) {
				t.Fatalf("issue %+v; want error %s containing %q (all: %v)", is, tt.code, tt.msg, res.Issues)
			}
			wantError(t, res.Err(), domain.EINVALID, tt.msg)
			orig := fs[0].Geometry

			fs, res = mustRead(t, "gk.geojson", in, ingest.Options{Correct: true})
			is = hasIssue(res, tt.code)
			if !tt.fixable {
				if is == nil || is.Severity != ingest.SeverityError || !orb.Equal(fs[0].Geometry, orig) {
					t.Fatalf("not fixable, yet %+v %v", is, fs[0].Geometry)
				}
				return
			}
			if is == nil || is.Severity != ingest.SeverityWarning || !strings.Contains(is.Message, "corrected") || res.Err() != nil {
				t.Fatalf("corrected issue %+v, err %v", is, res.Err())
			}
			sameVertices(t, "corrected", fs[0].Geometry, tt.fixed, 1e-6)
		})
	}
}

// The flagship trap end to end: GDAL writes zone-41 coordinates (EPSG:4529)
// and the .prj says EPSG:4550; corrected, the coordinates equal what GDAL
// writes for EPSG:4550.
func TestShapefileZonePrefixTrap(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "src.geojson"), liaoning)
	ogr2ogr(t, dir, "-f", "ESRI Shapefile", "-lco", "ENCODING=GBK", "-nlt", "MULTIPOLYGON", "-t_srs", "EPSG:4529", "z41.shp", "src.geojson")
	ogr2ogr(t, dir, "-f", "ESRI Shapefile", "-lco", "ENCODING=GBK", "-nlt", "MULTIPOLYGON", "-t_srs", "EPSG:4550", "cm123.shp", "src.geojson")
	prj, err := os.ReadFile(filepath.Join(dir, "cm123.prj"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "z41.prj"), string(prj)) // the lie
	data := zipDir(t, dir, "z41")

	_, res := mustRead(t, "trap.zip", data, ingest.Options{})
	if res.CRS.EPSG != 4550 {
		t.Fatalf("CRS %+v", res.CRS)
	}
	wantError(t, res.Err(), domain.EINVALID, "feature 0: easting")
	wantError(t, res.Err(), domain.EINVALID, "carries zone prefix 41, but EPSG:4550 has none; EPSG:4529 fits")

	fs, res := mustRead(t, "trap.zip", data, ingest.Options{Correct: true})
	if res.Err() != nil {
		t.Fatal(res.Err())
	}
	ref := reference(t, dir, "cm123.shp")
	for i, f := range fs {
		sameVertices(t, "corrected", f.Geometry, ref.Features[i].Geometry, 1e-6)
	}
}

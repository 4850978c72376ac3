package ingest_test

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/ingest"
)

// Seed corpora live in testdata/fuzz/<Name>/; run for example
//
//	go test ./internal/ingest/ -run '^$' -fuzz '^FuzzShapefile$' -fuzztime 60s

var fuzzOptions = ingest.Options{
	MaxBytes: 1 << 20, MaxFeatures: 500, MaxVertices: 5000, MaxTotalVertices: 50000,
	MaxFields: 200, MaxArchiveEntries: 50, MaxUncompressed: 4 << 20, MaxDepth: 32,
}

// fuzzRead reads everything and checks the invariants: no panic, every
// error a client error, every kept geometry finite, every string value
// valid UTF-8 without NUL unless an error issue says otherwise.
func fuzzRead(t *testing.T, name string, data []byte, opt ingest.Options) {
	clientError := func(err error) {
		t.Helper()
		var de *domain.Error
		if !errors.As(err, &de) || de.Code == domain.EINTERNAL || de.Message == "" {
			t.Fatalf("not a client error: %v (%T)", err, err)
		}
	}
	r, err := ingest.Open(name, bytes.NewReader(data), int64(len(data)), opt)
	if err != nil {
		clientError(err)
		return
	}
	defer r.Close()
	for range 2 * opt.MaxFeatures {
		f, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			clientError(err)
			if _, again := r.Next(); again == nil {
				t.Fatal("Next succeeded after an error")
			}
			return
		}
		for _, p := range points(f.Geometry) {
			if math.IsNaN(p[0]) || math.IsInf(p[0], 0) || math.IsNaN(p[1]) || math.IsInf(p[1], 0) {
				t.Fatalf("feature %d keeps a non-finite coordinate %v", f.Index, p)
			}
		}
		for _, p := range f.Properties {
			if !utf8.ValidString(p.Name) || strings.ContainsRune(p.Name, 0) {
				t.Fatalf("feature %d: bad property name %q", f.Index, p.Name)
			}
			if s, ok := p.Value.(string); ok && (!utf8.ValidString(s) || strings.ContainsRune(s, 0)) && !f.HasErrors() {
				t.Fatalf("feature %d: bad value %q without an error issue", f.Index, s)
			}
			if x, ok := p.Value.(float64); ok && (math.IsNaN(x) || math.IsInf(x, 0)) {
				t.Fatalf("feature %d: %s = %v", f.Index, p.Name, x)
			}
		}
	}
	res := r.Result()
	if (res.Errors > 0) != (res.Err() != nil) {
		t.Fatalf("Errors %d but Err() %v", res.Errors, res.Err())
	}
	if err := res.Err(); err != nil {
		clientError(err)
	}
}

func FuzzGeoJSON(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"名称":"大连"},"geometry":{"type":"Point","coordinates":[121.6,38.9]}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzRead(t, "f.geojson", b, fuzzOptions)
		opt := fuzzOptions
		opt.DeclaredCRS, opt.Correct = "GCJ-02", true
		fuzzRead(t, "f.geojson", b, opt)
	})
}

func FuzzKML(f *testing.F) {
	f.Add([]byte(`<kml><Placemark><name>a</name><Point><coordinates>121.6,38.9</coordinates></Point></Placemark></kml>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzRead(t, "f.kml", b, fuzzOptions)
	})
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte("名称,经度,纬度\n大连港,121.65,38.93\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzRead(t, "f.csv", b, fuzzOptions)
	})
}

// FuzzShapefile fuzzes the .shp and .dbf of a zipped Shapefile; the .shx is
// a bare header and the .prj CGCS2000 or a Gauss-Kruger zone.
func FuzzShapefile(f *testing.F) {
	shp, _ := shpFiles(1, liaoningBox, pointRec(123.4, 41.8))
	f.Add(shp, okDBF, false)
	f.Fuzz(func(t *testing.T, shp, dbf []byte, gk bool) {
		_, shx := shpFiles(1, liaoningBox)
		prj := prj4490
		if gk {
			prj = prj4529
		}
		data := makeZip(t, shapeZip(shp, shx, dbf, prj)...)
		fuzzRead(t, "f.zip", data, fuzzOptions)
	})
}

// FuzzDBF fuzzes a .dbf and its .cpg next to a valid two-point .shp.
func FuzzDBF(f *testing.F) {
	f.Add(okDBF, "")
	f.Fuzz(func(t *testing.T, dbf []byte, cpg string) {
		shp, shx := shpFiles(1, liaoningBox, pointRec(123.4, 41.8), pointRec(121.6, 38.9))
		es := shapeZip(shp, shx, dbf, prj4490)
		if cpg != "" {
			es = append(es, zipEntry{Name: "t.cpg", Data: []byte(cpg)})
		}
		fuzzRead(t, "f.zip", makeZip(t, es...), fuzzOptions)
	})
}

const prj4529 = `PROJCS["CGCS2000_3_Degree_GK_Zone_41",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",41500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",123.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`

// FuzzGeoPackage fuzzes GeoPackage files: a small one GDAL made is the
// seed, kept in testdata/fuzz/FuzzGeoPackage.
func FuzzGeoPackage(f *testing.F) {
	f.Add([]byte("SQLite format 3\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzRead(t, "fuzz.gpkg", b, fuzzOptions)
	})
}

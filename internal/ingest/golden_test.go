package ingest_test

import (
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/planmap/planmap/internal/ingest"
)

var update = flag.Bool("update", false, "rewrite testdata/golden")

// summary is what a golden file records of a read: everything but full
// geometries (vertex count and first vertex, to the millimetre).
type summary struct {
	Result   *ingest.Result
	Features []featureSummary
}

type featureSummary struct {
	Index    int
	ID       string `json:",omitempty"`
	Layer    string
	Props    []ingest.Property
	Type     string     `json:",omitempty"`
	Vertices int        `json:",omitempty"`
	First    [2]float64 `json:",omitempty"`
	Issues   []string   `json:",omitempty"`
}

func summarize(fs []*ingest.Feature, res *ingest.Result) summary {
	s := summary{Result: res}
	for _, f := range fs {
		fsum := featureSummary{Index: f.Index, ID: f.ID, Layer: f.Layer, Props: f.Properties}
		if f.Geometry != nil {
			pts := points(f.Geometry)
			fsum.Type, fsum.Vertices = f.Geometry.GeoJSONType(), len(pts)
			if len(pts) > 0 {
				fsum.First = [2]float64{math.Round(pts[0][0]*1e3) / 1e3, math.Round(pts[0][1]*1e9) / 1e9}
				if math.Abs(pts[0][0]) > 1000 {
					fsum.First[1] = math.Round(pts[0][1]*1e3) / 1e3
				} else {
					fsum.First[0] = math.Round(pts[0][0]*1e9) / 1e9
				}
			}
		}
		for _, is := range f.Issues {
			fsum.Issues = append(fsum.Issues, is.Severity+" "+is.Code)
		}
		s.Features = append(s.Features, fsum)
	}
	return s
}

func golden(t *testing.T, name string, got summary) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update once)", err)
	}
	if string(want) != string(b)+"\n" {
		t.Errorf("%s differs from the golden file; got:\n%s", name, b)
	}
}

// The flagship upload: a GBK Shapefile in CGCS2000 3-degree zone 41, as
// GDAL writes it.
func TestGoldenFlagship(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "src.geojson"), liaoning)
	ogr2ogr(t, dir, "-f", "ESRI Shapefile", "-lco", "ENCODING=GBK", "-t_srs", "EPSG:4529", "-nlt", "MULTIPOLYGON", "规划新区.shp", "src.geojson")
	fs, res := mustRead(t, "规划新区.zip", zipDir(t, dir, "规划新区"), ingest.Options{})
	golden(t, "flagship.json", summarize(fs, res))
}

func TestGoldenMixed(t *testing.T) {
	t.Parallel()
	in, err := os.ReadFile("testdata/golden/mixed.geojson")
	if err != nil {
		t.Fatal(err)
	}
	fs, res := mustRead(t, "mixed.geojson", in, ingest.Options{})
	golden(t, "mixed.json", summarize(fs, res))
}

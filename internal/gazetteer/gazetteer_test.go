package gazetteer_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/paulmach/orb"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/gazetteer"
	"github.com/planmap/planmap/internal/plan"
	"github.com/planmap/planmap/seeds"
)

func load(t *testing.T) (*plan.Index, *gazetteer.Data) {
	t.Helper()
	idx, err := plan.Unmarshal([]byte(seeds.ClauseIndex))
	if err != nil {
		t.Fatal(err)
	}
	d, err := gazetteer.Load(os.DirFS("testdata/geodata"))
	if err != nil {
		t.Fatal(err)
	}
	return idx, d
}

func TestFixtureIsClean(t *testing.T) {
	idx, d := load(t)
	if errs := d.Check(idx); len(errs) > 0 {
		t.Fatal(errors.Join(errs...))
	}
	if len(d.Projects) != 4 || len(d.Layers) != 1 || len(d.Layers[0].Features) != 3 {
		t.Fatalf("decoded %d projects, %d layers", len(d.Projects), len(d.Layers))
	}
}

// Each broken fixture must be reported with the project id and the problem.
func TestCheckFindsProblems(t *testing.T) {
	km := 1.0
	tests := []struct {
		name   string
		mutate func(d *gazetteer.Data)
		want   string
	}{
		{"clause not verbatim", func(d *gazetteer.Data) { d.Projects[0].Clause = "大连港集装箱吞吐量要向2000万标箱迈进" }, "port-dalian: clause is not verbatim"},
		{"clause from another item", func(d *gazetteer.Data) { d.Projects[1].Item = 3 }, "reservoir-houshan: clause is not verbatim in section 7 item 3"},
		{"no such item", func(d *gazetteer.Data) { d.Projects[0].Item = 9 }, "section 2 item 9 is not in the plan"},
		{"duplicate id", func(d *gazetteer.Data) { d.Projects[1].ID = "port-dalian" }, "port-dalian: duplicate id"},
		{"bad id", func(d *gazetteer.Data) { d.Projects[0].ID = "Port Dalian" }, "id must match"},
		{"unknown status", func(d *gazetteer.Data) { d.Projects[0].Status = "built" }, `unknown status "built"`},
		{"unknown category", func(d *gazetteer.Data) { d.Projects[0].Category = "harbour" }, `unknown category "harbour"`},
		{"uncertainty missing", func(d *gazetteer.Data) { d.Projects[0].UncertaintyKM = nil }, "uncertainty_km is required"},
		{"no location note", func(d *gazetteer.Data) { d.Projects[0].LocationNote = "" }, "location_note is required"},
		{"outside Liaoning", func(d *gazetteer.Data) { d.Projects[0].Geometry = orb.Point{116.4, 39.9} }, "port-dalian: lies outside Liaoning"},
		{"cross-border allowed", func(d *gazetteer.Data) {
			d.Projects[0].Geometry, d.Projects[0].CrossBorder = orb.Point{124.3, 40.1}, true
		}, ""},
		{"not a programme", func(d *gazetteer.Data) { d.Projects[3].Programme = "port-dalian" }, `programme "port-dalian" is not a programme entry`},
		{"history without plan target", func(d *gazetteer.Data) { d.Projects[0].History[0].Kind = domain.HistoryReported }, "history must start with the plan's 2012 target"},
		{"reported without source", func(d *gazetteer.Data) { d.Projects[1].History[1].Source = "" }, "a reported status needs a source"},
		{"precision site needs no uncertainty", func(d *gazetteer.Data) {
			d.Projects[0].LocationPrecision, d.Projects[0].UncertaintyKM = domain.PrecisionSite, nil
		}, ""},
		{"unknown precision", func(d *gazetteer.Data) { d.Projects[0].LocationPrecision, d.Projects[0].UncertaintyKM = "street", &km }, "unknown location_precision"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx, d := load(t)
			tt.mutate(d)
			err := errors.Join(d.Check(idx)...)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, gazetteer.ErrInvalid) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	vocab, err := os.ReadFile("testdata/geodata/vocabularies.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, projects, want string
	}{
		{"not a collection", `{"type": "Feature"}`, "want FeatureCollection"},
		{"misspelt property", `{"type": "FeatureCollection", "features": [{"type": "Feature", "id": "a", "geometry": null, "properties": {"id": "a", "nmae_zh": "x"}}]}`, "nmae_zh"},
		{"id mismatch", `{"type": "FeatureCollection", "features": [{"type": "Feature", "id": "b", "geometry": null, "properties": {"id": "a"}}]}`, "must equal properties.id"},
		{"bad date", `{"type": "FeatureCollection", "features": [{"type": "Feature", "id": "a", "geometry": null, "properties": {"id": "a", "history": [{"date": "2012"}]}}]}`, "not YYYY-MM-DD"},
		{"bad geometry", `{"type": "FeatureCollection", "features": [{"type": "Feature", "id": "a", "geometry": {"type": "Point", "coordinates": "x"}, "properties": {"id": "a"}}]}`, "geometry"},
		{"truncated", `{"type": "FeatureCollection", "features": [`, "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := gazetteer.Load(fstest.MapFS{
				"vocabularies.json": {Data: vocab},
				"projects.geojson":  {Data: []byte(tt.projects)},
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestLayersManifest(t *testing.T) {
	vocab, _ := os.ReadFile("testdata/geodata/vocabularies.json")
	projects, _ := os.ReadFile("testdata/geodata/projects.geojson")
	tests := []struct {
		name, manifest, layer, want string
	}{
		{"reserved id", `{"layers": [{"id": "projects", "file": "l.geojson", "title_zh": "x", "title_en": "x", "license": "x"}]}`, `{"type":"FeatureCollection","features":[]}`, "reserved"},
		{"no licence", `{"layers": [{"id": "land", "file": "l.geojson", "title_zh": "x", "title_en": "x"}]}`, `{"type":"FeatureCollection","features":[]}`, "license"},
		{"missing file", `{"layers": [{"id": "land", "file": "nope.geojson", "title_zh": "x", "title_en": "x", "license": "x"}]}`, `{}`, "nope.geojson"},
		{"repeated feature id", `{"layers": [{"id": "land", "file": "l.geojson", "title_zh": "x", "title_en": "x", "license": "x"}]}`,
			`{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}},{"type":"Feature","id":"a","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}]}`, "repeats"},
		{"null geometry", `{"layers": [{"id": "land", "file": "l.geojson", "title_zh": "x", "title_en": "x", "license": "x"}]}`,
			`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null}]}`, "no geometry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := gazetteer.Load(fstest.MapFS{
				"vocabularies.json": {Data: vocab},
				"projects.geojson":  {Data: projects},
				"layers.json":       {Data: []byte(tt.manifest)},
				"l.geojson":         {Data: []byte(tt.layer)},
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

package geodata_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/paulmach/orb"

	"github.com/planmap/planmap/internal/gazetteer"
)

// The rivers the basemap must hold and how far (metres) each may reach outside
// the Liaoning outline: the Yalu is drawn along the border channel, and the
// Natural Earth Liao starts just north of the province.
var wantRivers = map[string]float64{
	"river-liao":   20000,
	"river-hun":    500,
	"river-daling": 500,
	"river-yalu":   4000,
}

func riversLayer(t *testing.T, d *gazetteer.Data) *gazetteer.Layer {
	t.Helper()
	for _, l := range d.Layers {
		if l.ID == "rivers" {
			return l
		}
	}
	t.Fatal("no rivers layer")
	return nil
}

// Every river is a named MultiLineString of valid parts inside the Liaoning
// frame, and says where it comes from and under which licence.
func TestShippedRiversAreNamedLinesWithSourceAndLicence(t *testing.T) {
	_, d := shipped(t)
	l := riversLayer(t, d)
	if l.License == "" || l.Attribution == "" {
		t.Errorf("rivers layer: license %q, attribution %q", l.License, l.Attribution)
	}
	seen := map[string]bool{}
	for _, f := range l.Features {
		seen[f.ID] = true
		var p map[string]any
		if err := json.Unmarshal(f.Properties, &p); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"id", "name_zh", "name_en", "source", "license"} {
			if s, _ := p[k].(string); s == "" {
				t.Errorf("%s: %s missing", f.ID, k)
			}
		}
		if p["kind"] != "river" || p["id"] != f.ID {
			t.Errorf("%s: kind %v, id %v", f.ID, p["kind"], p["id"])
		}
		ml, ok := f.Geometry.(orb.MultiLineString)
		if !ok || len(ml) == 0 {
			t.Errorf("%s: geometry %T, want a MultiLineString", f.ID, f.Geometry)
			continue
		}
		for i, ls := range ml {
			if len(ls) < 2 {
				t.Errorf("%s: part %d has %d positions", f.ID, i, len(ls))
			}
			for j, pt := range ls {
				if pt[0] < 118.8 || pt[0] > 125.8 || pt[1] < 38.7 || pt[1] > 43.5 {
					t.Errorf("%s: %v outside Liaoning's frame", f.ID, pt)
					break
				}
				if j > 0 && pt == ls[j-1] {
					t.Errorf("%s: part %d repeats %v", f.ID, i, pt)
				}
			}
		}
	}
	for id := range wantRivers {
		if !seen[id] {
			t.Errorf("river %s missing", id)
		}
	}
}

// In PostGIS every river is a valid MultiLineString of a plausible length that
// stays within its allowance of the Liaoning outline.
func TestShippedRiversInPostGIS(t *testing.T) {
	idx, d := shipped(t)
	db := server.NewDB(t)
	ctx := context.Background()
	if _, err := db.Load(ctx, idx, d); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Pool.Query(ctx, `
SELECT r.fid, ST_IsValid(r.geom), GeometryType(r.geom), ST_Length(r.geom::geography) / 1000,
       (SELECT coalesce(max(ST_Distance(dp.geom::geography, l.geom::geography)), 0)
          FROM ST_DumpPoints(r.geom) dp)
FROM layer_feature r, layer_feature l
WHERE r.layer_id = 'rivers' AND l.layer_id = 'liaoning'
ORDER BY r.seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			id, typ      string
			valid        bool
			km, outsideM float64
		)
		if err := rows.Scan(&id, &valid, &typ, &km, &outsideM); err != nil {
			t.Fatal(err)
		}
		n++
		max, known := wantRivers[id]
		if !known {
			max = 500
		}
		if !valid || typ != "MULTILINESTRING" || km < 50 || km > 1000 || outsideM > max {
			t.Errorf("%s: valid %v, %s, %.1f km long, up to %.0f m outside Liaoning (allowed %.0f)", id, valid, typ, km, outsideM, max)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n < len(wantRivers) {
		t.Fatalf("%d rivers loaded, want %d", n, len(wantRivers))
	}
}

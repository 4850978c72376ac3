package geodata_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/planmap/planmap/geodata"
	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/gazetteer"
	"github.com/planmap/planmap/internal/plan"
	"github.com/planmap/planmap/internal/postgis"
	"github.com/planmap/planmap/internal/postgis/postgistest"
	"github.com/planmap/planmap/seeds"
)

var server *postgistest.Server

func TestMain(m *testing.M) { os.Exit(postgistest.Main(m, &server)) }

func shipped(t *testing.T) (*plan.Index, *gazetteer.Data) {
	t.Helper()
	idx, err := plan.Unmarshal([]byte(seeds.ClauseIndex))
	if err != nil {
		t.Fatal(err)
	}
	d, err := gazetteer.Load(geodata.Files)
	if err != nil {
		t.Fatal(err)
	}
	return idx, d
}

// The shipped gazetteer passes every check: schema, verbatim clauses,
// unique ids, vocabularies, places in Liaoning or flagged cross-border.
func TestShippedGazetteerIsClean(t *testing.T) {
	idx, d := shipped(t)
	if errs := d.Check(idx); len(errs) > 0 {
		t.Fatal(errors.Join(errs...))
	}
	if n := len(d.Projects); n < 60 {
		t.Errorf("only %d projects; the plan names 60 or more sited items", n)
	}
	sections := map[int]bool{}
	for _, p := range d.Projects {
		sections[p.Section] = true
		if p.CrossBorder && p.Country == "CN" {
			t.Errorf("%s is cross-border but in China", p.ID)
		}
	}
	// Sections whose text names places: each must have projects.
	for _, s := range []int{1, 2, 4, 5, 6, 7, 8, 9, 10} {
		if !sections[s] {
			t.Errorf("no project from section %d", s)
		}
	}
}

// The plan's named ports, reservoirs and water works, and soil plots are there.
func TestShippedGazetteerHasTheFoundationSet(t *testing.T) {
	_, d := shipped(t)
	count := map[string]int{}
	for _, p := range d.Projects {
		count[p.Category]++
	}
	for cat, min := range map[string]int{"port": 4, "reservoir": 3, "water_supply": 2, "soil_demo": 3} {
		if count[cat] < min {
			t.Errorf("category %s: %d projects, want at least %d", cat, count[cat], min)
		}
	}
}

// Loading the shipped data into PostGIS succeeds (every geometry passes
// ST_IsValid through the table's constraint) and counts match the file.
func TestShippedGazetteerLoads(t *testing.T) {
	idx, d := shipped(t)
	db := server.NewDB(t)
	ctx := context.Background()
	rep, err := db.Load(ctx, idx, d)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]int{}
	wantCat := map[string]int{}
	for _, p := range d.Projects {
		want[p.Section]++
		wantCat[p.Category]++
	}
	if rep.Projects != len(d.Projects) {
		t.Fatalf("loaded %d of %d projects", rep.Projects, len(d.Projects))
	}
	for s, n := range want {
		if rep.BySection[s] != n {
			t.Errorf("section %d: loaded %d, file has %d", s, rep.BySection[s], n)
		}
	}
	for c, n := range wantCat {
		if rep.ByCategory[c] != n {
			t.Errorf("category %s: loaded %d, file has %d", c, rep.ByCategory[c], n)
		}
	}
	var invalid int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM project WHERE geom IS NOT NULL AND NOT ST_IsValid(geom)`).Scan(&invalid); err != nil || invalid != 0 {
		t.Fatalf("%d invalid geometries (%v)", invalid, err)
	}
	svc := postgis.NewProjectService(db)
	page, err := svc.FindProjects(ctx, domain.ProjectFilter{Sections: []int{7}, Limit: 1000})
	if err != nil || page.Matched != want[7] || want[7] == 0 {
		t.Fatalf("section 7: %d matched, file has %d (%v)", page.Matched, want[7], err)
	}
}

// Every site lies in Liaoning (offshore ports and the airport within a few
// kilometres of its outline), and the cross-border zones lie outside it.
func TestShippedSitesAgainstTheProvinceOutline(t *testing.T) {
	idx, d := shipped(t)
	if len(d.Layers) == 0 {
		t.Fatal("no basemap layers in the shipped geodata")
	}
	db := server.NewDB(t)
	ctx := context.Background()
	rep, err := db.Load(ctx, idx, d)
	if err != nil {
		t.Fatal(err)
	}
	for id, min := range map[string]int{"land": 2, "liaoning": 1, "border": 1, "cities": 14, "rivers": 4, "provinces": 1} {
		if rep.Layers[id] < min {
			t.Errorf("layer %s has %d features, want at least %d", id, rep.Layers[id], min)
		}
	}
	rows, err := db.Pool.Query(ctx, `
SELECT p.id, p.cross_border,
       ST_DWithin(p.geom::geography, l.geom::geography, 3000) AS near,
       ST_Intersects(p.geom, l.geom) AS inside
FROM project p, layer_feature l
WHERE l.layer_id = 'liaoning' AND p.geom IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	checked := 0
	for rows.Next() {
		var (
			id                         string
			crossBorder, near, touches bool
		)
		if err := rows.Scan(&id, &crossBorder, &near, &touches); err != nil {
			t.Fatal(err)
		}
		checked++
		switch {
		case crossBorder && touches:
			t.Errorf("%s is flagged cross-border but lies in Liaoning", id)
		case !crossBorder && !near:
			t.Errorf("%s lies more than 3 km outside Liaoning", id)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d sites", checked)
	}
	// Every city seat lies inside the outline.
	var outside int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM layer_feature c, layer_feature l
WHERE c.layer_id = 'cities' AND l.layer_id = 'liaoning' AND NOT ST_Intersects(c.geom, l.geom)`).Scan(&outside); err != nil || outside != 0 {
		t.Fatalf("%d city seats outside Liaoning (%v)", outside, err)
	}
}

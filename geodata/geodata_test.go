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

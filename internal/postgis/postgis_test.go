package postgis_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/gazetteer"
	"github.com/planmap/planmap/internal/plan"
	"github.com/planmap/planmap/internal/postgis"
	"github.com/planmap/planmap/seeds"
)

func fixture(t *testing.T) (*plan.Index, *gazetteer.Data) {
	t.Helper()
	idx, err := plan.Unmarshal([]byte(seeds.ClauseIndex))
	if err != nil {
		t.Fatal(err)
	}
	data, err := gazetteer.Load(os.DirFS("testdata/geodata"))
	if err != nil {
		t.Fatal(err)
	}
	if errs := data.Check(idx); len(errs) > 0 {
		t.Fatal(errors.Join(errs...))
	}
	return idx, data
}

func loaded(t *testing.T) (*postgis.DB, *postgis.ProjectService) {
	t.Helper()
	db := server.NewDB(t)
	idx, data := fixture(t)
	if _, err := db.Load(context.Background(), idx, data); err != nil {
		t.Fatal(err)
	}
	return db, postgis.NewProjectService(db)
}

func TestMigrateIsIdempotent(t *testing.T) {
	db := server.NewDB(t)
	ctx := context.Background()
	v1, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := db.Migrate(ctx)
	if err != nil || v1 != v2 || v1 < 1 {
		t.Fatalf("versions %d, %d, err %v", v1, v2, err)
	}
}

func TestLoadIsRerunnable(t *testing.T) {
	db := server.NewDB(t)
	ctx := context.Background()
	idx, data := fixture(t)
	first, err := db.Load(ctx, idx, data)
	if err != nil {
		t.Fatal(err)
	}
	if first.Projects != 4 || first.Sections != 13 || first.Clauses != 55 {
		t.Fatalf("first load: %+v", first)
	}
	if first.BySection[2] != 3 || first.BySection[7] != 1 || first.ByCategory["park"] != 2 {
		t.Fatalf("counts: %+v %+v", first.BySection, first.ByCategory)
	}
	second, err := db.Load(ctx, idx, data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first.BySection, second.BySection) || second.Projects != 4 {
		t.Fatalf("second load differs: %+v", second)
	}
	// A project dropped from the data is removed on the next load.
	data.Projects = data.Projects[:3]
	data.Projects[2].Programme = ""
	third, err := db.Load(ctx, idx, data)
	if err != nil {
		t.Fatal(err)
	}
	if third.Projects != 3 || third.Removed != 1 {
		t.Fatalf("third load: %+v", third)
	}
}

func TestLoadIsAtomic(t *testing.T) {
	db := server.NewDB(t)
	ctx := context.Background()
	idx, data := fixture(t)
	if _, err := db.Load(ctx, idx, data); err != nil {
		t.Fatal(err)
	}
	// The last project now breaks a constraint: nothing of this load may stay.
	data.Projects[0].NameEN = "Renamed port"
	data.Projects[3].Category = "no_such_category"
	if _, err := db.Load(ctx, idx, data); err == nil {
		t.Fatal("load with an unknown category succeeded")
	}
	p, err := postgis.NewProjectService(db).FindProjectByID(ctx, "port-dalian")
	if err != nil {
		t.Fatal(err)
	}
	if p.NameEN != "Port of Dalian" {
		t.Fatalf("a failed load left a change behind: %q", p.NameEN)
	}
}

func TestFindProjects(t *testing.T) {
	_, svc := loaded(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		filter  domain.ProjectFilter
		want    []string
		matched int
	}{
		{"all", domain.ProjectFilter{}, []string{"park-changxing-island", "port-dalian", "programme-coastal-parks", "reservoir-houshan"}, 4},
		{"section 7", domain.ProjectFilter{Sections: []int{7}}, []string{"reservoir-houshan"}, 1},
		{"sections 2,7 limited", domain.ProjectFilter{Sections: []int{2, 7}, Limit: 2}, []string{"park-changxing-island", "port-dalian"}, 4},
		{"offset", domain.ProjectFilter{Limit: 2, Offset: 2}, []string{"programme-coastal-parks", "reservoir-houshan"}, 4},
		{"past the end", domain.ProjectFilter{Sections: []int{7}, Offset: 5}, nil, 1},
		{"status", domain.ProjectFilter{Statuses: []domain.Status{domain.StatusProposed, domain.StatusOngoing}}, []string{"programme-coastal-parks", "reservoir-houshan"}, 2},
		{"category", domain.ProjectFilter{Categories: []string{"park"}}, []string{"park-changxing-island", "programme-coastal-parks"}, 2},
		{"city en", domain.ProjectFilter{Cities: []string{"dalian"}}, []string{"park-changxing-island", "port-dalian"}, 2},
		{"city zh", domain.ProjectFilter{Cities: []string{"丹东市"}}, []string{"reservoir-houshan"}, 1},
		{"bbox", domain.ProjectFilter{BBox: &domain.BBox{MinLon: 121.8, MinLat: 39, MaxLon: 122, MaxLat: 39.1}}, []string{"port-dalian"}, 1},
		{"bbox touches polygon", domain.ProjectFilter{BBox: &domain.BBox{MinLon: 121.5, MinLat: 39.6, MaxLon: 121.6, MaxLat: 39.7}}, []string{"park-changxing-island"}, 1},
		{"text zh", domain.ProjectFilter{Text: "水库"}, []string{"reservoir-houshan"}, 1},
		{"text en any case", domain.ProjectFilter{Text: "port OF"}, []string{"port-dalian"}, 1},
		{"text is literal", domain.ProjectFilter{Text: "%"}, nil, 0},
		{"combined", domain.ProjectFilter{Sections: []int{2}, Categories: []string{"port"}, Text: "大连"}, []string{"port-dalian"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := svc.FindProjects(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range page.Projects {
				got = append(got, p.ID)
			}
			if !reflect.DeepEqual(got, tt.want) || page.Matched != tt.matched {
				t.Fatalf("got %v (matched %d), want %v (matched %d)", got, page.Matched, tt.want, tt.matched)
			}
		})
	}
}

func TestFindProjectByID(t *testing.T) {
	_, svc := loaded(t)
	ctx := context.Background()
	p, err := svc.FindProjectByID(ctx, "reservoir-houshan")
	if err != nil {
		t.Fatal(err)
	}
	if p.NameZH != "猴山水库" || p.Clause != "开工建设猴山水库" || p.Status != domain.StatusProposed {
		t.Fatalf("project: %+v", p)
	}
	if len(p.History) != 2 || p.History[0].Kind != domain.HistoryPlanTarget || p.History[1].Status != domain.StatusDelayed || p.History[1].Date.Format("2006-01-02") != "2013-06-01" {
		t.Fatalf("history: %+v", p.History)
	}
	if p.Geometry == nil || p.Geometry.GeoJSONType() != "Point" || p.UncertaintyKM == nil || *p.UncertaintyKM != 30 {
		t.Fatalf("geometry or precision: %v %v", p.Geometry, p.UncertaintyKM)
	}
	prog, err := svc.FindProjectByID(ctx, "programme-coastal-parks")
	if err != nil || prog.Geometry != nil || prog.CountTarget == nil || *prog.CountTarget != 42 {
		t.Fatalf("programme: %+v %v", prog, err)
	}
	_, err = svc.FindProjectByID(ctx, "nope")
	if domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("unknown id: %v", err)
	}
}

func TestSections(t *testing.T) {
	_, svc := loaded(t)
	secs, err := svc.Sections(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(secs) != 13 {
		t.Fatalf("sections = %d", len(secs))
	}
	s2 := secs[1]
	if s2.Number != 2 || s2.Items != 5 || s2.Projects != 3 || s2.ByStatus[domain.StatusUnderConstruction] != 2 || s2.ByStatus[domain.StatusOngoing] != 1 {
		t.Fatalf("section 2: %+v", s2)
	}
	if secs[6].Projects != 1 || secs[0].Projects != 0 {
		t.Fatalf("counts: %+v %+v", secs[0], secs[6])
	}
}

func TestClusterRestartKeepsData(t *testing.T) {
	// Not t.TempDir: its parent is private, and the server's user must enter it when tests run as root.
	dir, err := os.MkdirTemp("", "planmap-cluster-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg := postgis.ClusterConfig{Dir: filepath.Join(dir, "data"), Ephemeral: true}
	c, err := postgis.StartCluster(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	db, err := postgis.Open(ctx, c.ConnString(), postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('yes')"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := c.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	c, err = postgis.StartCluster(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	db, err = postgis.Open(ctx, c.ConnString(), postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.Pool.QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != "yes" {
		t.Fatalf("after restart: %q, %v", v, err)
	}
	if _, err := os.Stat(filepath.Join(c.SocketDir(), ".s.PGSQL.5432")); err != nil {
		t.Fatalf("no unix socket in the data dir: %v", err)
	}
}

func TestClusterMissingBinaries(t *testing.T) {
	_, err := postgis.StartCluster(context.Background(), postgis.ClusterConfig{Dir: t.TempDir(), BinDir: t.TempDir()})
	if !errors.Is(err, postgis.ErrServerMissing) {
		t.Fatalf("err = %v, want ErrServerMissing", err)
	}
}

func TestClusterMissingPostGIS(t *testing.T) {
	// Server binaries without the PostGIS extension beside them.
	bin := filepath.Join(t.TempDir(), "lib", "postgresql", "99", "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"postgres", "initdb"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	_, err := postgis.StartCluster(context.Background(), postgis.ClusterConfig{Dir: t.TempDir(), BinDir: bin})
	if !errors.Is(err, postgis.ErrExtensionMissing) || !strings.Contains(err.Error(), "apt-get install") {
		t.Fatalf("err = %v, want ErrExtensionMissing with what to install", err)
	}
}

// A second StartCluster on a running data dir uses the running server
// and leaves it running when it stops.
func TestClusterAttachesToARunningServer(t *testing.T) {
	dir, err := os.MkdirTemp("", "planmap-attach-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	ctx := context.Background()
	cfg := postgis.ClusterConfig{Dir: filepath.Join(dir, "data"), Ephemeral: true}
	owner, err := postgis.StartCluster(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Stop()
	guest, err := postgis.StartCluster(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !guest.Attached() || owner.Attached() {
		t.Fatalf("attached: guest %v, owner %v", guest.Attached(), owner.Attached())
	}
	if err := guest.Stop(); err != nil {
		t.Fatal(err)
	}
	db, err := postgis.Open(ctx, owner.ConnString(), postgis.Options{})
	if err != nil {
		t.Fatalf("the owner's server stopped with the guest: %v", err)
	}
	db.Close()
}

// A basemap layer dropped from the data is removed on the next load, and
// its version moves, so that caches and the layer index of every instance
// let it go.
func TestLoadRemovesStaleLayers(t *testing.T) {
	db := server.NewDB(t)
	ctx := context.Background()
	idx, data := fixture(t)
	if _, err := db.Load(ctx, idx, data); err != nil {
		t.Fatal(err)
	}
	if len(data.Layers) == 0 {
		t.Fatal("the fixture has no basemap layer")
	}
	gone := data.Layers[len(data.Layers)-1].ID
	before, err := db.CollectionVersion(ctx, gone)
	if err != nil || before == 0 {
		t.Fatalf("version of %s: %d %v", gone, before, err)
	}
	data.Layers = data.Layers[:len(data.Layers)-1]
	if _, err := db.Load(ctx, idx, data); err != nil {
		t.Fatal(err)
	}
	after, err := db.CollectionVersion(ctx, gone)
	if err != nil || after <= before {
		t.Fatalf("version of the removed layer %s: %d, was %d (%v)", gone, after, before, err)
	}
	if _, err := postgis.NewLayerService(db, nil).FindLayer(ctx, gone); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("removed layer: %v", err)
	}
}

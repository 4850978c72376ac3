package postgis_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/postgis"
)

var (
	editor = &domain.Principal{UserID: 1, Username: "editor", Role: domain.RoleEditor}
	admin  = &domain.Principal{UserID: 2, Username: "admin", Role: domain.RoleAdmin}
)

func editFixture(t *testing.T) (*postgis.DB, *postgis.EditService) {
	t.Helper()
	db, _ := loaded(t)
	if _, err := db.Pool.Exec(context.Background(), `INSERT INTO layer (id, kind, title_zh, title_en, origin) VALUES ('plots', 'upload', '地块', 'Plots', 'upload')`); err != nil {
		t.Fatal(err)
	}
	return db, postgis.NewEditService(db)
}

func square(x, y, d float64) orb.Polygon {
	return orb.Polygon{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}
}

func TestEditLayerFeatures(t *testing.T) {
	db, svc := editFixture(t)
	ctx := context.Background()
	res, err := svc.Apply(ctx, editor, "first plots", []domain.Change{
		{Collection: "plots", Op: domain.OpCreate, Properties: json.RawMessage(`{"name":"A"}`), Geometry: square(122, 40, 0.01)},
		{Collection: "plots", FeatureID: "b", Op: domain.OpCreate, Properties: json.RawMessage(`{"name":"B"}`), Geometry: square(122.1, 40, 0.01)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].FeatureID != "1" || res[0].Version != 1 || res[1].FeatureID != "b" {
		t.Fatalf("results %+v", res)
	}
	// Patch: merge properties, keep geometry; the version must match.
	if _, err := svc.Apply(ctx, editor, "", []domain.Change{{Collection: "plots", FeatureID: "b", Op: domain.OpPatch, Properties: json.RawMessage(`{"area_mu":80}`), IfMatch: 7}}); domain.ErrorCode(err) != domain.EPRECONDITION {
		t.Fatalf("stale If-Match: %v", err)
	}
	res, err = svc.Apply(ctx, editor, "area", []domain.Change{{Collection: "plots", FeatureID: "b", Op: domain.OpPatch, Properties: json.RawMessage(`{"area_mu":80,"name":null}`), IfMatch: 1}})
	if err != nil || res[0].Version != 2 {
		t.Fatalf("patch: %+v %v", res, err)
	}
	f, err := postgis.NewLayerService(db, nil).FindFeatureByID(ctx, "plots", "b")
	if err != nil || string(f.Properties) != `{"area_mu": 80}` || f.Version != 2 || f.Geometry == nil {
		t.Fatalf("after patch: %s v%d %v", f.Properties, f.Version, err)
	}
	// A batch with one bad change writes nothing.
	_, err = svc.Apply(ctx, editor, "", []domain.Change{
		{Collection: "plots", FeatureID: "c", Op: domain.OpCreate, Properties: json.RawMessage(`{}`), Geometry: square(122.2, 40, 0.01)},
		{Collection: "plots", FeatureID: "d", Op: domain.OpCreate, Properties: json.RawMessage(`{}`), Geometry: orb.Polygon{{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}}},
	})
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), "change 2") || !strings.Contains(domain.ErrorMessage(err), "Self-intersection") {
		t.Fatalf("bowtie: %v", err)
	}
	if _, err := postgis.NewLayerService(db, nil).FindFeatureByID(ctx, "plots", "c"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("a failed batch left feature c: %v", err)
	}
	for _, tt := range []struct {
		ch   domain.Change
		code string
		msg  string
	}{
		{domain.Change{Collection: "plots", Op: domain.OpCreate, Properties: json.RawMessage(`{"geom":1}`), Geometry: square(1, 1, 1)}, domain.EINVALID, "reserved"},
		{domain.Change{Collection: "plots", Op: domain.OpCreate, Properties: json.RawMessage(`[1]`), Geometry: square(1, 1, 1)}, domain.EINVALID, "JSON object"},
		{domain.Change{Collection: "plots", Op: domain.OpCreate, Properties: json.RawMessage(`{"a":"x\u0000y"}`), Geometry: square(1, 1, 1)}, domain.EINVALID, "U+0000"},
		{domain.Change{Collection: "plots", Op: domain.OpCreate, Properties: json.RawMessage(`{}`)}, domain.EINVALID, "needs a geometry"},
		{domain.Change{Collection: "plots", FeatureID: "b", Op: domain.OpCreate, Properties: json.RawMessage(`{}`), Geometry: square(1, 1, 1)}, domain.ECONFLICT, "has a feature"},
		{domain.Change{Collection: "plots", FeatureID: "zz", Op: domain.OpReplace, Properties: json.RawMessage(`{}`), Geometry: square(1, 1, 1)}, domain.ENOTFOUND, "zz"},
		{domain.Change{Collection: "cities", FeatureID: "dalian", Op: domain.OpDelete}, domain.EFORBIDDEN, "basemap"},
		{domain.Change{Collection: "nope", Op: domain.OpCreate}, domain.ENOTFOUND, "nope"},
		{domain.Change{Collection: "plots", FeatureID: "b", Op: "explode"}, domain.EINVALID, "unknown operation"},
	} {
		if _, err := svc.Apply(ctx, editor, "", []domain.Change{tt.ch}); domain.ErrorCode(err) != tt.code || !strings.Contains(domain.ErrorMessage(err), tt.msg) {
			t.Errorf("%s %s: %v, want %s %q", tt.ch.Op, tt.ch.FeatureID, err, tt.code, tt.msg)
		}
	}
	if _, err := svc.Apply(ctx, &domain.Principal{Username: "nobody"}, "", nil); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("no role: %v", err)
	}
}

func TestHistoryAndRollback(t *testing.T) {
	db, svc := editFixture(t)
	ctx := context.Background()
	projects := postgis.NewProjectService(db)
	p, err := projects.FindProjectByID(ctx, "reservoir-houshan")
	if err != nil {
		t.Fatal(err)
	}
	v0 := p.Version
	// An editor places the reservoir precisely.
	patch := json.RawMessage(`{"location_precision":"site","uncertainty_km":null,"location_note":"Dam site from a survey."}`)
	_, err = svc.Apply(ctx, editor, "survey", []domain.Change{{Collection: "projects", FeatureID: p.ID, Op: domain.OpPatch, Properties: patch, Geometry: orb.Point{124.2, 40.45}, SetGeometry: true, IfMatch: v0}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := projects.FindProjectByID(ctx, p.ID)
	if got.LocationPrecision != domain.PrecisionSite || got.Geometry.(orb.Point) != (orb.Point{124.2, 40.45}) || got.Version != v0+1 || len(got.History) != 2 {
		t.Fatalf("after patch: %+v", got)
	}
	// Edits are checked like the shipped data: the clause stays verbatim.
	_, err = svc.Apply(ctx, editor, "", []domain.Change{{Collection: "projects", FeatureID: p.ID, Op: domain.OpPatch, Properties: json.RawMessage(`{"clause":"开工建设猴山水库和别的"}`)}})
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), "not verbatim") {
		t.Fatalf("bad clause: %v", err)
	}
	if _, err := svc.Apply(ctx, editor, "", []domain.Change{{Collection: "projects", FeatureID: p.ID, Op: domain.OpDelete}}); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("editor deleting a project: %v", err)
	}
	hist, err := svc.History(ctx, "projects", p.ID)
	if err != nil || len(hist) != 2 || hist[0].Version != v0+1 || hist[0].ChangedBy != "editor" || hist[0].Reason != "survey" || hist[1].Op != domain.OpImport {
		t.Fatalf("history %+v %v", hist, err)
	}
	// Only admins roll back.
	if _, err := svc.Rollback(ctx, editor, "projects", p.ID, v0, "undo"); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("editor rollback: %v", err)
	}
	r, err := svc.Rollback(ctx, admin, "projects", p.ID, v0, "wrong survey")
	if err != nil || r.Op != domain.OpRollback || r.Version != v0+2 {
		t.Fatalf("rollback: %+v %v", r, err)
	}
	got, _ = projects.FindProjectByID(ctx, p.ID)
	if got.LocationPrecision != p.LocationPrecision || got.Geometry.(orb.Point) != p.Geometry.(orb.Point) || got.LocationNote != p.LocationNote {
		t.Fatalf("after rollback: %+v", got)
	}
	// Deleting and rolling back brings a feature back.
	if _, err := svc.Apply(ctx, admin, "gone", []domain.Change{{Collection: "projects", FeatureID: p.ID, Op: domain.OpDelete}}); err != nil {
		t.Fatal(err)
	}
	if _, err := projects.FindProjectByID(ctx, p.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("after delete: %v", err)
	}
	if _, err := svc.Rollback(ctx, admin, "projects", p.ID, v0+2, "restore"); err != nil {
		t.Fatal(err)
	}
	if got, err := projects.FindProjectByID(ctx, p.ID); err != nil || got.NameZH != "猴山水库" {
		t.Fatalf("restored: %+v %v", got, err)
	}
	audit, err := svc.Audit(ctx, 10, 0)
	if err != nil || len(audit) != 4 || audit[0].Action != "feature.rollback" || audit[0].Username != "admin" || audit[3].Username != "editor" {
		t.Fatalf("audit %+v %v", audit, err)
	}
	// A reload of the geodata leaves the edited project alone.
	idx, data := fixture(t)
	if _, err := db.Load(ctx, idx, data); err != nil {
		t.Fatal(err)
	}
	h2, _ := svc.History(ctx, "projects", p.ID)
	if h2[0].Version != v0+4 {
		t.Fatalf("history after reload: %+v", h2[0])
	}
}

package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestLandingConformanceAndCollections(t *testing.T) {
	srv, _ := newApp(t)
	var landing struct {
		Links []struct{ Href, Rel, Type string } `json:"links"`
	}
	// OGC clients send Accept: */*; they get JSON, a browser gets the map.
	resp, body := get(t, srv.URL+"/", "Accept", "*/*")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("landing: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if err := json.Unmarshal(body, &landing); err != nil {
		t.Fatal(err)
	}
	rels := map[string]string{}
	for _, l := range landing.Links {
		rels[l.Rel] = l.Href
	}
	for _, rel := range []string{"self", "service-desc", "conformance", "data"} {
		if rels[rel] == "" {
			t.Errorf("landing page lacks a %s link", rel)
		}
	}
	resp, body = get(t, srv.URL+"/", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<title>planmap</title>") {
		t.Fatalf("browser at /: %d %s", resp.StatusCode, body)
	}
	resp, _ = get(t, srv.URL+"/assets/app-1.js")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("asset: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = get(t, srv.URL+"/assets/../../etc/passwd")
	if resp.StatusCode != 404 {
		t.Fatalf("asset traversal: %d", resp.StatusCode)
	}

	var conf struct {
		ConformsTo []string `json:"conformsTo"`
	}
	getJSON(t, srv.URL+"/conformance", 200, &conf)
	if !strings.Contains(strings.Join(conf.ConformsTo, " "), "ogcapi-features-1/1.0/conf/core") {
		t.Fatalf("conformance: %v", conf.ConformsTo)
	}

	var colls struct {
		Collections []struct {
			ID          string `json:"id"`
			Attribution string `json:"attribution"`
			Features    int    `json:"numberOfFeatures"`
			Extent      struct {
				Spatial struct {
					BBox [][]float64 `json:"bbox"`
				} `json:"spatial"`
			} `json:"extent"`
		} `json:"collections"`
	}
	getJSON(t, srv.URL+"/collections", 200, &colls)
	if len(colls.Collections) != 3 || colls.Collections[0].ID != "projects" || colls.Collections[1].ID != "programmes" || colls.Collections[2].ID != "cities" {
		t.Fatalf("collections: %+v", colls)
	}
	c := colls.Collections[2]
	if c.Features != 3 || c.Attribution != "Natural Earth" || len(c.Extent.Spatial.BBox) != 1 || c.Extent.Spatial.BBox[0][0] != 121.6 {
		t.Fatalf("cities collection: %+v", c)
	}
	if colls.Collections[0].Features != 4 {
		t.Fatalf("projects collection: %+v", colls.Collections[0])
	}
}

func TestLayerItems(t *testing.T) {
	srv, _ := newApp(t)
	var fc featureCollection
	getJSON(t, srv.URL+"/collections/cities/items?limit=2", 200, &fc)
	if fc.NumberMatched != 3 || fc.NumberReturned != 2 || fc.Features[0].ID != "shenyang" || fc.link("next") == "" {
		t.Fatalf("cities page 1: %+v", fc)
	}
	if fc.Features[0].Properties["name_zh"] != "沈阳" || fc.Features[0].Properties["capital"] != true {
		t.Fatalf("properties: %v", fc.Features[0].Properties)
	}
	getJSON(t, srv.URL+"/collections/cities/items?bbox=124,39.5,125,40.5", 200, &fc)
	if fc.NumberMatched != 1 || fc.Features[0].ID != "dandong" {
		t.Fatalf("bbox: %+v", fc)
	}
	var f struct {
		ID string `json:"id"`
	}
	getJSON(t, srv.URL+"/collections/cities/items/dalian", 200, &f)
	if f.ID != "dalian" {
		t.Fatalf("item: %+v", f)
	}
	for path, status := range map[string]int{
		"/collections/cities/items/nowhere":      404,
		"/collections/cities/items?section=7":    400,
		"/collections/cities/items?limit=0":      400,
		"/collections/Cities/items":              404,
		"/collections/cities/items?offset=-5":    400,
		"/collections/cities?limit=5":            400,
		"/collections/no-such-layer":             404,
		"/collections/no-such-layer/items/1":     404,
		"/collections/cities/items?bbox=a,b,c,d": 400,
	} {
		resp, body := get(t, srv.URL+path)
		if resp.StatusCode != status {
			t.Errorf("%s: %d, want %d: %s", path, resp.StatusCode, status, body)
		}
	}
}

func TestOpenAPIDeclaresQueryables(t *testing.T) {
	srv, _ := newApp(t)
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]struct {
			Get struct {
				Parameters []struct {
					Name string `json:"name"`
					In   string `json:"in"`
				} `json:"parameters"`
			} `json:"get"`
		} `json:"paths"`
	}
	getJSON(t, srv.URL+"/api", 200, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.0") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	names := map[string]bool{}
	for _, p := range doc.Paths["/collections/projects/items"].Get.Parameters {
		names[p.Name] = true
	}
	for _, want := range []string{"section", "status", "category", "city", "q", "bbox", "limit", "offset"} {
		if !names[want] {
			t.Errorf("/api does not declare %q for the projects items", want)
		}
	}
	if _, ok := doc.Paths["/collections/cities/items/{featureId}"]; !ok {
		t.Error("/api lacks the cities layer")
	}
}

func TestPlanVocabulariesAndClauses(t *testing.T) {
	srv, _ := newApp(t)
	var v struct {
		Statuses   []struct{ Code, LabelZH string } `json:"statuses"`
		Categories []struct {
			Code   string `json:"code"`
			Symbol string `json:"symbol"`
		} `json:"categories"`
		Precisions []struct{ Code string } `json:"precisions"`
	}
	getJSON(t, srv.URL+"/plan/vocabularies", 200, &v)
	if len(v.Statuses) != 6 || v.Statuses[0].Code != "proposed" || len(v.Categories) != 3 || len(v.Precisions) != 4 || v.Precisions[0].Code != "site" {
		t.Fatalf("vocabularies: %+v", v)
	}
	var cl struct {
		Clauses []struct {
			Section, Item int
			Text          string
		} `json:"clauses"`
	}
	getJSON(t, srv.URL+"/plan/clauses", 200, &cl)
	if len(cl.Clauses) != 55 || cl.Clauses[0].Section != 1 || cl.Clauses[54].Section != 13 {
		t.Fatalf("clauses: %d", len(cl.Clauses))
	}
	for _, c := range cl.Clauses {
		if c.Section == 7 && c.Item == 4 && !strings.Contains(c.Text, "开工建设猴山水库") {
			t.Fatalf("clause 7.4: %q", c.Text)
		}
	}
}

func TestProgrammeProgress(t *testing.T) {
	srv, _ := newApp(t)
	var out struct {
		Programmes []struct {
			ID          string `json:"id"`
			CountTarget int    `json:"count_target"`
			Members     int    `json:"members"`
			Sited       int    `json:"sited"`
		} `json:"programmes"`
	}
	getJSON(t, srv.URL+"/plan/programmes", 200, &out)
	if len(out.Programmes) != 1 {
		t.Fatalf("programmes: %+v", out.Programmes)
	}
	p := out.Programmes[0]
	if p.ID != "programme-coastal-parks" || p.CountTarget != 42 || p.Members != 1 || p.Sited != 1 {
		t.Fatalf("coastal parks: %+v", p)
	}
}

func TestProgrammesCollection(t *testing.T) {
	srv, db := newApp(t)
	var fc featureCollection
	getJSON(t, srv.URL+"/collections/programmes/items", 200, &fc)
	if fc.NumberMatched != 1 || fc.Features[0].ID != "programme-coastal-parks" {
		t.Fatalf("programmes: %+v", fc)
	}
	p := fc.Features[0].Properties
	if p["count_target"] != float64(42) || p["sited"] != float64(1) || p["progress"] != "1 of 42 sited" {
		t.Fatalf("progress: %v", p)
	}
	if !strings.Contains(string(fc.Features[0].Geometry), "Polygon") {
		t.Fatalf("geometry: %s", fc.Features[0].Geometry)
	}
	var one struct {
		ID string `json:"id"`
	}
	getJSON(t, srv.URL+"/collections/programmes/items/programme-coastal-parks", 200, &one)
	resp, _ := get(t, srv.URL+"/collections/programmes/items/port-dalian")
	if resp.StatusCode != 404 {
		t.Fatalf("a project is not a programme: %d", resp.StatusCode)
	}
	var coll struct {
		ID       string `json:"id"`
		Features int    `json:"numberOfFeatures"`
	}
	getJSON(t, srv.URL+"/collections/programmes", 200, &coll)
	if coll.ID != "programmes" || coll.Features != 1 {
		t.Fatalf("collection: %+v", coll)
	}
	// Programmes follow the projects' data version.
	resp, _ = get(t, srv.URL+"/collections/programmes/items")
	etag := resp.Header.Get("ETag")
	if _, err := db.Pool.Exec(t.Context(), `UPDATE collection_version SET version = version + 1 WHERE collection = 'projects'`); err != nil {
		t.Fatal(err)
	}
	resp, _ = get(t, srv.URL+"/collections/programmes/items", "If-None-Match", etag)
	if resp.StatusCode != 200 {
		t.Fatalf("programmes kept their ETag after a projects write: %d", resp.StatusCode)
	}
}

func TestCollectionsHTML(t *testing.T) {
	srv, _ := newApp(t)
	resp, body := get(t, srv.URL+"/collections?f=html")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "地级市驻地") {
		t.Fatalf("collections html: %d %s", resp.StatusCode, body)
	}
	resp, body = get(t, srv.URL+"/collections/cities", "Accept", "text/html")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Natural Earth") {
		t.Fatalf("collection html: %d %s", resp.StatusCode, body)
	}
	resp, _ = get(t, srv.URL+"/collections/cities", "Accept", "application/json")
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("collection json: %s", resp.Header.Get("Content-Type"))
	}
}

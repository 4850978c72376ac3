package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/planmap/planmap/internal/auth"
	"github.com/planmap/planmap/internal/gazetteer"
	"github.com/planmap/planmap/internal/httpapi"
	"github.com/planmap/planmap/internal/ogcapi"
	"github.com/planmap/planmap/internal/plan"
	"github.com/planmap/planmap/internal/postgis"
	"github.com/planmap/planmap/internal/upload"
	"github.com/planmap/planmap/seeds"
)

// newApp serves the test fixture from a fresh PostGIS database.
func newApp(t *testing.T) (*httptest.Server, *postgis.DB) {
	srv, db, _ := newAppWithAuth(t)
	return srv, db
}

// newAppWithAuth also returns the account service, with fast hashing.
func newAppWithAuth(t *testing.T) (*httptest.Server, *postgis.DB, *postgis.AuthService) {
	return newAppLogging(t, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
}

// newAppLogging serves the fixture and logs to logger.
func newAppLogging(t *testing.T, logger *slog.Logger, options ...func(*postgis.DB, *httpapi.Config, *httpapi.Services)) (*httptest.Server, *postgis.DB, *postgis.AuthService) {
	t.Helper()
	idx, err := plan.Unmarshal([]byte(seeds.ClauseIndex))
	if err != nil {
		t.Fatal(err)
	}
	data, err := gazetteer.Load(os.DirFS("../postgis/testdata/geodata"))
	if err != nil {
		t.Fatal(err)
	}
	if errs := data.Check(idx); len(errs) > 0 {
		t.Fatal(errors.Join(errs...))
	}
	db := server.NewDB(t)
	if _, err := db.Load(context.Background(), idx, data); err != nil {
		t.Fatal(err)
	}
	acfg := postgis.DefaultAuthConfig()
	acfg.Params = auth.Params{Memory: 1024, Time: 1, Threads: 1}
	authSvc, err := postgis.NewAuthService(db, acfg)
	if err != nil {
		t.Fatal(err)
	}
	uploads := upload.New(postgis.NewUploadStore(db), upload.Config{Dir: t.TempDir(), MaxBytes: 8 << 20, Batch: 2, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))})
	t.Cleanup(uploads.Close)
	cfg := httpapi.Config{Version: "test", Logger: logger, SignInPerMinute: 60, Cache: ogcapi.NewCache(8<<20, 1<<20), Assets: fstest.MapFS{
		"index.html":      {Data: []byte("<!doctype html><title>planmap</title>")},
		"assets/app-1.js": {Data: []byte("console.log(1)")},
	}}
	svc := httpapi.Services{
		Projects: postgis.NewProjectService(db),
		Layers:   postgis.NewLayerService(db, nil),
		Plan:     postgis.NewPlanService(db),
		Versions: db,
		Health:   db,
		Auth:     authSvc,
		Edits:    postgis.NewEditService(db),
		Uploads:  uploads,
		Filters:  postgis.NewFilterService(db, db),
		Tiles:    postgis.NewTileService(db, postgis.TileOptions{}),
	}
	for _, o := range options {
		o(db, &cfg, &svc)
	}
	srv := httptest.NewServer(httpapi.New(cfg, svc))
	t.Cleanup(srv.Close)
	return srv, db, authSvc
}

type featureCollection struct {
	Type     string `json:"type"`
	Features []struct {
		Type       string          `json:"type"`
		ID         string          `json:"id"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties map[string]any  `json:"properties"`
	} `json:"features"`
	NumberMatched  int `json:"numberMatched"`
	NumberReturned int `json:"numberReturned"`
	Links          []struct {
		Href, Rel, Type string
	} `json:"links"`
}

func (fc *featureCollection) link(rel string) string {
	for _, l := range fc.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

func get(t *testing.T, url string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func getJSON(t *testing.T, url string, want int, v any) {
	t.Helper()
	resp, body := get(t, url)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: status %d, want %d: %s", url, resp.StatusCode, want, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v: %s", url, err, body)
	}
}

func TestItemsFilterBySection(t *testing.T) {
	srv, _ := newApp(t)
	var fc featureCollection
	resp, body := get(t, srv.URL+"/collections/projects/items?section=7")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/geo+json") {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" || fc.NumberMatched != 1 || fc.NumberReturned != 1 || len(fc.Features) != 1 {
		t.Fatalf("collection: %s", body)
	}
	f := fc.Features[0]
	if f.ID != "reservoir-houshan" || f.Properties["section"] != float64(7) || f.Properties["clause"] != "开工建设猴山水库" {
		t.Fatalf("feature: %+v", f)
	}
	// The clause comes through verbatim, Chinese unescaped.
	if !strings.Contains(string(body), "开工建设猴山水库") {
		t.Fatal("clause text not verbatim in the body")
	}
	hist := f.Properties["history"].([]any)
	if len(hist) != 2 || hist[1].(map[string]any)["date"] != "2013-06-01" {
		t.Fatalf("history: %v", hist)
	}
}

func TestItemsPagingFollowsNextLinks(t *testing.T) {
	srv, _ := newApp(t)
	seen := map[string]bool{}
	next := srv.URL + "/collections/projects/items?limit=1&section=2,7"
	pages := 0
	for next != "" {
		var fc featureCollection
		getJSON(t, next, 200, &fc)
		pages++
		if fc.NumberMatched != 4 || fc.NumberReturned != 1 {
			t.Fatalf("page %d: matched %d returned %d", pages, fc.NumberMatched, fc.NumberReturned)
		}
		if fc.link("self") == "" {
			t.Fatalf("page %d has no self link", pages)
		}
		if pages > 1 && fc.link("prev") == "" {
			t.Fatalf("page %d has no prev link", pages)
		}
		for _, f := range fc.Features {
			seen[f.ID] = true
		}
		next = fc.link("next")
		if next != "" && !strings.Contains(next, "section=2%2C7") {
			t.Fatalf("next link lost the filter: %s", next)
		}
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if pages != 4 || len(seen) != 4 {
		t.Fatalf("pages %d, features %v", pages, seen)
	}
}

func TestItemsHonourProxyHeaders(t *testing.T) {
	srv, _ := newApp(t)
	_, body := get(t, srv.URL+"/collections/projects/items?limit=1", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "maps.example.org", "X-Forwarded-Prefix", "/pm")
	var fc featureCollection
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatal(err)
	}
	if got := fc.link("next"); !strings.HasPrefix(got, "https://maps.example.org/pm/collections/projects/items?") {
		t.Fatalf("next = %q", got)
	}
}

func TestItemByID(t *testing.T) {
	srv, _ := newApp(t)
	var f struct {
		Type       string          `json:"type"`
		ID         string          `json:"id"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties map[string]any  `json:"properties"`
	}
	getJSON(t, srv.URL+"/collections/projects/items/port-dalian", 200, &f)
	if f.Type != "Feature" || f.ID != "port-dalian" || !strings.Contains(string(f.Geometry), `"Point"`) {
		t.Fatalf("feature: %+v", f)
	}
	targets := f.Properties["targets"].([]any)
	if targets[0].(map[string]any)["value"] != float64(10000000) {
		t.Fatalf("targets: %v", targets)
	}
	getJSON(t, srv.URL+"/collections/projects/items/programme-coastal-parks", 200, &f)
	if string(f.Geometry) != "null" || f.Properties["count_target"] != float64(42) {
		t.Fatalf("programme: %s %v", f.Geometry, f.Properties["count_target"])
	}
}

func TestErrors(t *testing.T) {
	srv, _ := newApp(t)
	tests := []struct {
		path   string
		status int
		code   string
		names  string
	}{
		{"/collections/projects/items?section=14", 400, "invalid", `"section"`},
		{"/collections/projects/items?limit=abc", 400, "invalid", `"limit"`},
		{"/collections/projects/items?limit=unlimited", 400, "invalid", `"limit"`},
		{"/collections/projects/items?colour=red", 400, "invalid", `"colour"`},
		{"/collections/projects/items?bbox=1,2", 400, "invalid", `"bbox"`},
		{"/collections/projects/items?section=1;section=2", 400, "invalid", "malformed query"},
		{"/collections/projects/items/no-such-project", 404, "not_found", "no-such-project"},
		{"/collections/projects/items/..%2F..%2Fetc%2Fpasswd", 404, "not_found", "no project"},
		{"/collections/projects/items/port-dalian?x=1", 400, "invalid", `"x"`},
		{"/collections/nope/items", 404, "not_found", `"nope"`},
		{"/no/such/route", 404, "not_found", "/no/such/route"},
		{"/plan/sections?x=1", 400, "invalid", "query parameters"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := get(t, srv.URL+tt.path)
			if resp.StatusCode != tt.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("status %d (%s), want %d: %s", resp.StatusCode, resp.Header.Get("Content-Type"), tt.status, body)
			}
			var e httpapi.ErrorResponse
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatal(err)
			}
			if e.Code != tt.code || !strings.Contains(e.Message, tt.names) {
				t.Fatalf("error %+v, want code %s naming %s", e, tt.code, tt.names)
			}
		})
	}
}

func TestSections(t *testing.T) {
	srv, _ := newApp(t)
	var out struct {
		Sections []struct {
			Number   int            `json:"number"`
			TitleZH  string         `json:"title_zh"`
			TitleEN  string         `json:"title_en"`
			Projects int            `json:"projects"`
			ByStatus map[string]int `json:"by_status"`
		} `json:"sections"`
	}
	getJSON(t, srv.URL+"/plan/sections", 200, &out)
	if len(out.Sections) != 13 {
		t.Fatalf("sections: %d", len(out.Sections))
	}
	s7 := out.Sections[6]
	if s7.Number != 7 || s7.Projects != 1 || s7.ByStatus["proposed"] != 1 || s7.ByStatus["completed"] != 0 || !strings.HasPrefix(s7.TitleZH, "推动重大基础设施建设") {
		t.Fatalf("section 7: %+v", s7)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	srv, db := newApp(t)
	var v map[string]string
	getJSON(t, srv.URL+"/healthz", 200, &v)
	getJSON(t, srv.URL+"/readyz", 200, &v)
	// With the database gone, readiness fails fast with 503 and Retry-After; liveness stays.
	db.Close()
	resp, body := get(t, srv.URL+"/readyz")
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "unavailable") {
		t.Fatalf("readyz without database: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	getJSON(t, srv.URL+"/healthz", 200, &v)
	// Internal error text never reaches the client.
	resp, body = get(t, srv.URL+"/collections/projects/items")
	if resp.StatusCode < 500 || strings.Contains(string(body), "pool") || strings.Contains(string(body), "closed") {
		t.Fatalf("items without database: %d %s", resp.StatusCode, body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	srv, _ := newApp(t)
	for _, path := range []string{"/", "/collections/projects/items?f=html", "/no/such/route", "/assets/app-1.js"} {
		resp, _ := get(t, srv.URL+path, "Accept", "text/html")
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", path, resp.Header)
		}
	}
}

func TestMetrics(t *testing.T) {
	srv, _ := newApp(t)
	get(t, srv.URL+"/collections/projects/items?section=7")
	get(t, srv.URL+"/collections/projects/items/nope-x")
	resp, body := get(t, srv.URL+"/metrics")
	if resp.StatusCode != 200 {
		t.Fatalf("metrics: %d", resp.StatusCode)
	}
	for _, want := range []string{
		`planmap_http_requests_total{method="GET",route="/collections/:collectionId/items",status="200"} 1`,
		`planmap_http_requests_total{method="GET",route="/collections/:collectionId/items/:featureId",status="404"} 1`,
		`planmap_http_request_duration_seconds_bucket`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(string(body), "nope-x") {
		t.Error("a raw path reached the metrics labels")
	}
}

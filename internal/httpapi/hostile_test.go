package httpapi_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/planmap/planmap/internal/domain"
)

// Injection payloads in every query parameter get a 4xx or an answer with
// no effect; the database is intact afterwards.
func TestInjectionInQueryParameters(t *testing.T) {
	srv, db := newApp(t)
	payloads := []string{
		"1; DROP TABLE project", "1' OR '1'='1", "1\" OR \"1\"=\"1", "1) UNION SELECT * FROM app_user--",
		"'; SELECT pg_sleep(5);--", "1 AND 1=(SELECT 1 FROM pg_sleep(5))", "’ OR ‘1’=‘1", "＇OR＇1＇=＇1",
		"$$; DROP TABLE project; $$", "%27%20OR%201=1", "\x00", "../../etc/passwd", strings.Repeat("A", 5000),
	}
	params := []string{"section", "status", "category", "city", "q", "bbox", "bbox-crs", "crs", "datetime", "limit", "offset", "f",
		"filter", "sortby", "properties", "filter-lang"}
	for _, p := range params {
		for _, v := range payloads {
			u := srv.URL + "/collections/projects/items?" + url.Values{p: {v}}.Encode()
			resp, body := get(t, u)
			switch {
			case resp.StatusCode >= 500:
				t.Fatalf("%s=%q: %d %s", p, v, resp.StatusCode, body)
			case resp.StatusCode == 200 && p != "q" && p != "city":
				t.Errorf("%s=%q was accepted", p, v)
			case strings.Contains(string(body), "SQLSTATE") || strings.Contains(string(body), "syntax error"):
				t.Fatalf("%s=%q leaked database text: %s", p, v, body)
			}
		}
	}
	// Ids and tile coordinates in paths.
	for _, path := range []string{
		"/collections/projects/items/1'%20OR%20'1'='1", "/collections/projects/items/..%2F..%2Fetc%2Fpasswd",
		"/collections/plots'--/items", "/collections/projects/tiles/WebMercatorQuad/99/1/1",
		"/collections/projects/tiles/WebMercatorQuad/5/-1/1", "/collections/projects/tiles/WebMercatorQuad/5/1/99999999999999999999",
		"/collections/projects/tiles/WebMercatorQuad/5/1/1;DROP",
	} {
		resp, body := get(t, srv.URL+path)
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
	var n int
	if err := db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM project`).Scan(&n); err != nil || n != 4 {
		t.Fatalf("projects afterwards: %d %v", n, err)
	}
	resp, _ := get(t, srv.URL+"/readyz")
	if resp.StatusCode != 200 {
		t.Fatalf("server after the payloads: %d", resp.StatusCode)
	}
}

// Script in uploaded attribute names and values never runs in the HTML
// views: html/template escapes it.
func TestStoredScriptIsEscapedInHTMLViews(t *testing.T) {
	c, auth, _ := writer(t, domain.RoleEditor)
	feature := `{"type":"Feature","id":"x1","geometry":{"type":"Point","coordinates":[122,40]},"properties":{"<img src=x onerror=alert(1)>":"<script>alert(2)</script>","name_zh":"<svg onload=alert(3)>"}}`
	if resp, body := c.do("POST", "/collections/plots/items", feature, "Authorization", auth, "Content-Type", "application/geo+json"); resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	for _, path := range []string{"/collections/plots/items?f=html", "/collections/plots/items/x1?f=html"} {
		resp, body := c.do("GET", path, "")
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		for _, raw := range []string{"<script>alert", "<img src=x", "<svg onload"} {
			if strings.Contains(body, raw) {
				t.Fatalf("%s holds unescaped %q", path, raw)
			}
		}
		if !strings.Contains(body, "&lt;script&gt;alert(2)&lt;/script&gt;") {
			t.Fatalf("%s: the value is not shown escaped:\n%s", path, body)
		}
	}
	// KML escapes too.
	_, body := c.do("GET", "/collections/plots/items?f=kml", "")
	if strings.Contains(body, "<script>") {
		t.Fatal("KML holds raw markup")
	}
}

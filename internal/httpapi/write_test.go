package httpapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/planmap/planmap/internal/domain"
)

// writer returns an HTTP client holding an API token of the given role.
func writer(t *testing.T, role domain.Role) (*client, string, func(string) string) {
	t.Helper()
	srv, db, svc := newAppWithAuth(t)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `INSERT INTO layer (id, kind, title_zh, title_en, origin) VALUES ('plots', 'upload', '地块', 'Plots', 'upload')`); err != nil {
		t.Fatal(err)
	}
	for _, r := range []domain.Role{domain.RoleEditor, domain.RoleAdmin} {
		if _, err := svc.CreateUser(ctx, string(r)+"-user", "a long password 1", r); err != nil {
			t.Fatal(err)
		}
	}
	token, _, err := svc.CreateToken(ctx, string(role)+"-user", "test")
	if err != nil {
		t.Fatal(err)
	}
	adminToken, _, err := svc.CreateToken(ctx, "admin-user", "test")
	if err != nil {
		t.Fatal(err)
	}
	return newClient(t, srv.URL), "Bearer " + token, func(string) string { return "Bearer " + adminToken }
}

func TestPart4CreateReplacePatchDelete(t *testing.T) {
	c, auth, _ := writer(t, domain.RoleEditor)
	feature := `{"type":"Feature","id":"p1","geometry":{"type":"Polygon","coordinates":[[[122,40],[122.01,40],[122.01,40.01],[122,40.01],[122,40]]]},"properties":{"name":"稻田一号","mu":100}}`
	if resp, body := c.do("POST", "/collections/plots/items", feature, "Content-Type", "application/geo+json"); resp.StatusCode != 401 {
		t.Fatalf("anonymous create: %d %s", resp.StatusCode, body)
	}
	resp, body := c.do("POST", "/collections/plots/items", feature, "Authorization", auth, "Content-Type", "application/geo+json", "Planmap-Reason", "first plot")
	if resp.StatusCode != 201 || !strings.HasSuffix(resp.Header.Get("Location"), "/collections/plots/items/p1") || resp.Header.Get("ETag") == "" {
		t.Fatalf("create: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	resp, body = c.do("GET", "/collections/plots/items/p1", "")
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || !strings.Contains(body, "稻田一号") || !strings.HasPrefix(etag, `"v1-`) {
		t.Fatalf("read back: %d %s %s", resp.StatusCode, etag, body)
	}
	// Writes to an existing feature need If-Match; a stale one is refused.
	replacement := strings.Replace(feature, `"mu":100`, `"mu":120`, 1)
	if resp, body := c.do("PUT", "/collections/plots/items/p1", replacement, "Authorization", auth, "Content-Type", "application/geo+json"); resp.StatusCode != 428 {
		t.Fatalf("PUT without If-Match: %d %s", resp.StatusCode, body)
	}
	resp, body = c.do("PUT", "/collections/plots/items/p1", replacement, "Authorization", auth, "Content-Type", "application/geo+json", "If-Match", etag)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("ETag"), `"v2-`) {
		t.Fatalf("PUT: %d %s", resp.StatusCode, body)
	}
	if resp, body := c.do("PATCH", "/collections/plots/items/p1", `{"properties":{"mu":130}}`, "Authorization", auth, "Content-Type", "application/merge-patch+json", "If-Match", etag); resp.StatusCode != 412 || !strings.Contains(body, "version 2") {
		t.Fatalf("stale PATCH: %d %s", resp.StatusCode, body)
	}
	resp, _ = c.do("GET", "/collections/plots/items/p1", "")
	etag = resp.Header.Get("ETag")
	if resp, body := c.do("PATCH", "/collections/plots/items/p1", `{"properties":{"mu":130,"name":null}}`, "Authorization", auth, "Content-Type", "application/merge-patch+json", "If-Match", etag); resp.StatusCode != 200 {
		t.Fatalf("PATCH: %d %s", resp.StatusCode, body)
	}
	_, body = c.do("GET", "/collections/plots/items/p1", "")
	if !strings.Contains(body, `"mu":130`) || strings.Contains(body, "稻田一号") {
		t.Fatalf("after PATCH: %s", body)
	}
	// The history shows every version with who and why.
	_, body = c.do("GET", "/collections/plots/items/p1/history", "")
	var hist struct {
		Versions []struct {
			Version   int    `json:"version"`
			Op        string `json:"op"`
			ChangedBy string `json:"changed_by"`
			Reason    string `json:"reason"`
		} `json:"versions"`
	}
	if err := json.Unmarshal([]byte(body), &hist); err != nil || len(hist.Versions) != 3 || hist.Versions[2].Reason != "first plot" || hist.Versions[0].ChangedBy != "editor-user" {
		t.Fatalf("history: %s", body)
	}
	resp, _ = c.do("GET", "/collections/plots/items/p1", "")
	if resp, body := c.do("DELETE", "/collections/plots/items/p1", "", "Authorization", auth, "If-Match", resp.Header.Get("ETag")); resp.StatusCode != 204 {
		t.Fatalf("DELETE: %d %s", resp.StatusCode, body)
	}
	if resp, _ := c.do("GET", "/collections/plots/items/p1", ""); resp.StatusCode != 404 {
		t.Fatalf("after DELETE: %d", resp.StatusCode)
	}
}

func TestPart4RefusesBadInput(t *testing.T) {
	c, auth, _ := writer(t, domain.RoleEditor)
	geo := "application/geo+json"
	tests := []struct {
		method, path, body, ctype string
		status                    int
		msg                       string
	}{
		{"POST", "/collections/plots/items", `{"type":"Feature","geometry":{"type":"Point","coordinates":[122,40]},"properties":{}}`, "text/plain", 415, "application/geo+json"},
		{"POST", "/collections/plots/items", `{"type":"Feature"`, geo, 400, "not JSON"},
		{"POST", "/collections/plots/items", `{"type":"Point","coordinates":[1,2]}`, geo, 400, "GeoJSON Feature"},
		{"POST", "/collections/plots/items", `{"type":"Feature","geometry":{"type":"Point","coordinates":[1e400,2]},"properties":{}}`, geo, 400, ""},
		{"POST", "/collections/plots/items", `{"type":"Feature","geometry":{"type":"Point","coordinates":[500,2]},"properties":{}}`, geo, 400, "longitude"},
		{"POST", "/collections/plots/items", `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[0,0]]]},"properties":{}}`, geo, 400, "geometry"},
		{"POST", "/collections/plots/items", `{"type":"Feature","geometry":{"type":"Point","coordinates":[122,40]},"properties":{"fid":1}}`, geo, 400, "reserved"},
		{"POST", "/collections/plots/items", `{"type":"FeatureCollection","features":[]}`, geo, 400, "no features"},
		{"POST", "/collections/plots/items", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[122,40]},"properties":{}},{"type":"Feature","geometry":null,"properties":{}}]}`, geo, 400, "change 2"},
		{"POST", "/collections/programmes/items", `{"type":"Feature","geometry":null,"properties":{}}`, geo, 400, "computed"},
		{"POST", "/collections/nope/items", `{"type":"Feature","geometry":{"type":"Point","coordinates":[122,40]},"properties":{}}`, geo, 404, "nope"},
		{"POST", "/collections/cities/items", `{"type":"Feature","geometry":{"type":"Point","coordinates":[122,40]},"properties":{}}`, geo, 403, "basemap"},
		{"POST", "/collections/projects/items", `{"type":"Feature","id":"x","geometry":null,"properties":{"id":"x"}}`, geo, 403, "admin"},
		{"PATCH", "/collections/plots/items/none", `{"properties":{}}`, "application/merge-patch+json", 428, "If-Match"},
		{"DELETE", "/collections/plots/items/none", ``, "", 428, "If-Match"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path+" "+tt.body[:min(len(tt.body), 40)], func(t *testing.T) {
			h := []string{"Authorization", auth}
			if tt.ctype != "" {
				h = append(h, "Content-Type", tt.ctype)
			}
			resp, body := c.do(tt.method, tt.path, tt.body, h...)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.msg) {
				t.Fatalf("%d %s, want %d naming %q", resp.StatusCode, body, tt.status, tt.msg)
			}
		})
	}
	// Nothing of the refused writes is there.
	_, body := c.do("GET", "/collections/plots/items", "")
	if !strings.Contains(body, `"numberMatched":0`) {
		t.Fatalf("plots after refused writes: %s", body)
	}
}

func TestEditProjectAndRollback(t *testing.T) {
	c, auth, adminAuth := writer(t, domain.RoleEditor)
	resp, _ := c.do("GET", "/collections/projects/items/reservoir-houshan", "")
	etag := resp.Header.Get("ETag")
	patch := `{"geometry":{"type":"Point","coordinates":[124.2,40.45]},"properties":{"location_precision":"site","uncertainty_km":null,"location_note":"Dam site from a survey."}}`
	if resp, body := c.do("PATCH", "/collections/projects/items/reservoir-houshan", patch, "Authorization", auth, "Content-Type", "application/merge-patch+json", "If-Match", etag, "Planmap-Reason", "survey"); resp.StatusCode != 200 {
		t.Fatalf("patch project: %d %s", resp.StatusCode, body)
	}
	// Projects keep to the plan: a clause that is not verbatim is refused.
	resp, _ = c.do("GET", "/collections/projects/items/reservoir-houshan", "")
	if resp, body := c.do("PATCH", "/collections/projects/items/reservoir-houshan", `{"properties":{"clause":"改写的条款"}}`, "Authorization", auth, "Content-Type", "application/merge-patch+json", "If-Match", resp.Header.Get("ETag")); resp.StatusCode != 400 || !strings.Contains(body, "verbatim") {
		t.Fatalf("bad clause: %d %s", resp.StatusCode, body)
	}
	// Editors cannot roll back; admins can.
	if resp, _ := c.do("POST", "/collections/projects/items/reservoir-houshan/rollback", `{"version":1}`, "Authorization", auth, "Content-Type", "application/json"); resp.StatusCode != 403 {
		t.Fatalf("editor rollback: %d", resp.StatusCode)
	}
	if resp, body := c.do("POST", "/collections/projects/items/reservoir-houshan/rollback", `{"version":1,"reason":"survey was wrong"}`, "Authorization", adminAuth(""), "Content-Type", "application/json"); resp.StatusCode != 200 || !strings.Contains(body, `"rollback"`) {
		t.Fatalf("admin rollback: %d %s", resp.StatusCode, body)
	}
	_, body := c.do("GET", "/collections/projects/items/reservoir-houshan", "")
	if !strings.Contains(body, `"location_precision":"city"`) {
		t.Fatalf("after rollback: %s", body)
	}
	resp, body = c.do("GET", "/admin/audit", "", "Authorization", adminAuth(""))
	if resp.StatusCode != 200 || !strings.Contains(body, "feature.rollback") || !strings.Contains(body, "editor-user") {
		t.Fatalf("audit: %d %s", resp.StatusCode, body)
	}
	if resp, _ := c.do("GET", "/admin/audit", "", "Authorization", auth); resp.StatusCode != 403 {
		t.Fatalf("editor reads audit: %d", resp.StatusCode)
	}
}

func TestWritesAreRateLimitedPerAccount(t *testing.T) {
	c, auth, _ := writer(t, domain.RoleEditor)
	limited := false
	for i := 0; i < 200 && !limited; i++ {
		resp, _ := c.do("POST", "/collections/plots/items", `{"type":"Feature","geometry":{"type":"Point","coordinates":[122,40]},"properties":{}}`,
			"Authorization", auth, "Content-Type", "application/geo+json")
		limited = resp.StatusCode == 429 && resp.Header.Get("Retry-After") != ""
	}
	if !limited {
		t.Fatal("200 writes in a row were never limited")
	}
	// Reads are not limited.
	if resp, _ := c.do("GET", "/collections/plots/items", ""); resp.StatusCode != 200 {
		t.Fatalf("read after the write limit: %d", resp.StatusCode)
	}
}

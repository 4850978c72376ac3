package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// recorder keeps the request URIs a client sent.
type recorder struct {
	mu   sync.Mutex
	uris []string
}

func (r *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.uris = append(r.uris, req.URL.RequestURI())
		r.mu.Unlock()
		h.ServeHTTP(w, req)
	})
}

func (r *recorder) saw(prefix string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, u := range r.uris {
		if strings.HasPrefix(u, prefix) {
			return true
		}
	}
	return false
}

// sawAll reports whether one request had the prefix and every part.
func (r *recorder) sawAll(prefix string, parts ...string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, u := range r.uris {
		ok := strings.HasPrefix(u, prefix)
		for _, p := range parts {
			ok = ok && strings.Contains(u, p)
		}
		if ok {
			return true
		}
	}
	return false
}

func recordedApp(t *testing.T) (string, *recorder) {
	t.Helper()
	srv, _ := newApp(t)
	rec := &recorder{}
	proxy := httptest.NewServer(rec.wrap(srv.Config.Handler))
	t.Cleanup(proxy.Close)
	return proxy.URL, rec
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s is not installed (.ci/install installs it): %v", name, err)
	}
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

var ogrFeature = regexp.MustCompile(`(?m)^OGRFeature\(`)

// GDAL's OAPIF driver lists every feature across pages, with bbox, and
// filters on the server with a parameter that /api declares.
func TestGDALReadsEveryFeature(t *testing.T) {
	base, rec := recordedApp(t)
	out := run(t, "ogrinfo", "-ro", "-oo", "PAGE_SIZE=1", "OAPIF:"+base+"/", "projects")
	if n := len(ogrFeature.FindAllString(out, -1)); n != 4 {
		t.Fatalf("ogrinfo read %d of 4 projects over pages:\n%s", n, out)
	}
	if !rec.sawAll("/collections/projects/items?", "limit=1", "offset=3") {
		t.Fatalf("GDAL did not follow the next links: %v", rec.uris)
	}
	out = run(t, "ogrinfo", "-ro", "-al", "-so", "OAPIF:"+base+"/")
	if !strings.Contains(out, "Feature Count: 4") || !strings.Contains(out, "Layer name: cities") {
		t.Fatalf("summary:\n%s", out)
	}
	out = run(t, "ogrinfo", "-ro", "-spat", "121.8", "39", "122", "39.1", "OAPIF:"+base+"/", "projects")
	if n := len(ogrFeature.FindAllString(out, -1)); n != 1 || !strings.Contains(out, "port-dalian") {
		t.Fatalf("bbox read %d features:\n%s", n, out)
	}
	out = run(t, "ogrinfo", "-ro", "-where", "section=7", "OAPIF:"+base+"/", "projects")
	if n := len(ogrFeature.FindAllString(out, -1)); n != 1 || !strings.Contains(out, "reservoir-houshan") {
		t.Fatalf("where read %d features:\n%s", n, out)
	}
	if !rec.saw("/collections/projects/items?") || !rec.saw("/api") {
		t.Fatalf("GDAL did not read /api: %v", rec.uris)
	}
	if !rec.sawAll("/collections/projects/items?", "section=7") {
		t.Fatalf("GDAL filtered on the client, not the server: %v", rec.uris)
	}
}

// ogr2ogr copies a collection into a GeoPackage with every feature intact.
func TestGDALCopiesIntoGeoPackage(t *testing.T) {
	base, _ := recordedApp(t)
	gpkg := filepath.Join(t.TempDir(), "projects.gpkg")
	run(t, "ogr2ogr", "-f", "GPKG", "-nlt", "GEOMETRY", gpkg, "OAPIF:"+base+"/", "projects", "cities")
	out := run(t, "ogrinfo", "-ro", "-so", gpkg, "projects")
	if !strings.Contains(out, "Feature Count: 4") {
		t.Fatalf("projects in the GeoPackage:\n%s", out)
	}
	out = run(t, "ogrinfo", "-ro", gpkg, "-sql", "SELECT name_zh, section, ST_X(geom) AS x FROM projects WHERE id = 'port-dalian'")
	if !strings.Contains(out, "name_zh (String) = 大连港") || !strings.Contains(out, "section (Integer) = 2") || !strings.Contains(out, "x (Real) = 121.9") {
		t.Fatalf("port-dalian in the GeoPackage:\n%s", out)
	}
	out = run(t, "ogrinfo", "-ro", "-so", gpkg, "cities")
	if !strings.Contains(out, "Feature Count: 3") {
		t.Fatalf("cities in the GeoPackage:\n%s", out)
	}
}

// OWSLib, as Python apps use it, reads the landing page, collections,
// items with a bbox, one item, the conformance and the API definition.
func TestOWSLib(t *testing.T) {
	base, _ := recordedApp(t)
	script := `
import json, sys
from owslib.ogcapi.features import Features
w = Features(sys.argv[1])
out = {
  "conformance": w.conformance()["conformsTo"],
  "collections": [c["id"] for c in w.collections()["collections"]],
  "bbox": w.collection_items("projects", limit=10, bbox=[121.8, 39, 122, 39.1])["numberMatched"],
  "section7": [f["id"] for f in w.collection_items("projects", limit=10, section="7")["features"]],
  "item": w.collection_item("projects", "reservoir-houshan")["properties"]["name_zh"],
  "paths": len(w.api()["paths"]),
}
print(json.dumps(out, ensure_ascii=False))
`
	out := run(t, "/usr/bin/python3", "-c", script, base+"/")
	var got struct {
		Conformance []string `json:"conformance"`
		Collections []string `json:"collections"`
		BBox        int      `json:"bbox"`
		Section7    []string `json:"section7"`
		Item        string   `json:"item"`
		Paths       int      `json:"paths"`
	}
	if err := json.Unmarshal([]byte(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(got.Collections) != 3 || got.BBox != 1 || len(got.Section7) != 1 || got.Item != "猴山水库" || got.Paths < 6 || len(got.Conformance) < 3 {
		t.Fatalf("OWSLib read: %+v", got)
	}
}

package httpapi_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/planmap/planmap/internal/httpapi"
	"github.com/planmap/planmap/internal/postgis"
)

// newFrontApp serves the fixture with both answer caches, following data
// versions through a VersionWatcher on PostgreSQL notifications, as
// planmap serve does.
func newFrontApp(t *testing.T) (base string, db *postgis.DB, versions *postgis.VersionWatcher) {
	t.Helper()
	srv, db, _ := newAppLogging(t, slog.New(slog.DiscardHandler), func(db *postgis.DB, cfg *httpapi.Config, svc *httpapi.Services) {
		versions = postgis.NewVersionWatcher(db, nil)
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		go versions.Run(ctx)
		cfg.Cache, cfg.Front = httpapi.NewAnswerCaches(16, versions)
		svc.Versions = versions
	})
	waitFor(t, "the version watcher to listen", func() bool { return versions.Listening() })
	return srv.URL, db, versions
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// bumpVersion changes a collection's data and version as a write does,
// and waits until the watcher has heard of it.
func bumpVersion(t *testing.T, db *postgis.DB, versions *postgis.VersionWatcher, collection, sql string) {
	t.Helper()
	before, _ := versions.Current(collection)
	if _, err := db.Pool.Exec(t.Context(), sql+`;
UPDATE collection_version SET version = version + 1 WHERE collection = '`+collection+`'`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the new version of "+collection, func() bool {
		v, ok := versions.Current(collection)
		return ok && v > before
	})
}

func TestFrontDoorServesRepeatsAndFollowsVersions(t *testing.T) {
	base, db, versions := newFrontApp(t)
	u := base + "/collections/projects/items?section=2,7&limit=5"
	first, body1 := fetchRaw(t, u)
	if first.StatusCode != 200 || first.Header.Get("X-Cache") == "hit" {
		t.Fatalf("first: %d %v", first.StatusCode, first.Header)
	}
	second, body2 := fetchRaw(t, u)
	if second.Header.Get("X-Cache") != "hit" || !bytes.Equal(body1, body2) {
		t.Fatalf("second: %v, same body %v", second.Header, bytes.Equal(body1, body2))
	}
	// The stored answer carries everything the first one did, with its own
	// length and request id.
	for _, h := range []string{"Content-Type", "Etag", "Cache-Control", "Content-Crs", "Content-Security-Policy", "Access-Control-Allow-Origin"} {
		if second.Header.Get(h) != first.Header.Get(h) {
			t.Errorf("%s: %q, first answer %q", h, second.Header.Get(h), first.Header.Get(h))
		}
	}
	if second.ContentLength != int64(len(body2)) || second.Header.Get("X-Request-Id") == "" ||
		second.Header.Get("X-Request-Id") == first.Header.Get("X-Request-Id") {
		t.Errorf("length %d of %d, request ids %q %q", second.ContentLength, len(body2), first.Header.Get("X-Request-Id"), second.Header.Get("X-Request-Id"))
	}
	// A client holding the ETag gets 304 from the store.
	nm, body := fetchRaw(t, u, "If-None-Match", first.Header.Get("ETag"))
	if nm.StatusCode != http.StatusNotModified || len(body) != 0 || nm.Header.Get("ETag") != first.Header.Get("ETag") {
		t.Fatalf("If-None-Match: %d %v %q", nm.StatusCode, nm.Header, body)
	}
	// Another variant of the request is another entry: gzip.
	gz1, zbody1 := fetchRaw(t, u, "Accept-Encoding", "gzip")
	gz2, zbody2 := fetchRaw(t, u, "Accept-Encoding", "gzip")
	if gz1.Header.Get("Content-Encoding") != "gzip" || gz2.Header.Get("Content-Encoding") != "gzip" ||
		gz2.Header.Get("X-Cache") != "hit" || !bytes.Equal(zbody1, zbody2) || bytes.Equal(zbody1, body1) {
		t.Fatalf("gzip: %v / %v", gz1.Header, gz2.Header)
	}
	// Another base URL (behind a proxy) is another entry with its own links.
	px, pbody := fetchRaw(t, u, "X-Forwarded-Proto", "https", "X-Forwarded-Host", "maps.example.org")
	if px.Header.Get("X-Cache") == "hit" && !bytes.Contains(pbody, []byte("https://maps.example.org/")) {
		t.Fatalf("forwarded request served another base URL's answer: %s", pbody)
	}
	if !bytes.Contains(pbody, []byte("https://maps.example.org/")) {
		t.Fatalf("forwarded links: %s", pbody)
	}
	// A write makes every stored answer of the collection unreachable.
	bumpVersion(t, db, versions, "projects", `UPDATE project SET name_en = 'Renamed port' WHERE id = 'port-dalian'`)
	third, body3 := fetchRaw(t, base+"/collections/projects/items?section=2,7&limit=100")
	fourth, body4 := fetchRaw(t, base+"/collections/projects/items?section=2,7&limit=100")
	if third.Header.Get("X-Cache") == "hit" || !strings.Contains(string(body3), "Renamed port") ||
		fourth.Header.Get("X-Cache") != "hit" || !bytes.Equal(body3, body4) {
		t.Fatalf("after a write: %v / %v", third.Header, fourth.Header)
	}
	again, _ := fetchRaw(t, u)
	if again.Header.Get("X-Cache") == "hit" || again.Header.Get("ETag") == first.Header.Get("ETag") {
		t.Fatalf("the old answer was served after a write: %v", again.Header)
	}
}

func TestFrontDoorKeepsOnlyWhatIsOffered(t *testing.T) {
	base, _, _ := newFrontApp(t)
	for _, path := range []string{
		"/collections/nope/items",                            // 404
		"/collections/projects/items?limit=abc",              // 400
		"/plan/sections",                                     // not offered
		"/collections/projects/items/no-such-thing",          // 404 of an item
		"/collections/projects/tiles/WebMercatorQuad/99/0/0", // 400
	} {
		first, body1 := fetchRaw(t, base+path)
		second, _ := fetchRaw(t, base+path)
		if second.Header.Get("X-Cache") == "hit" && first.StatusCode != 200 {
			t.Errorf("%s: a %d answer was kept: %s", path, first.StatusCode, body1)
		}
		if path == "/plan/sections" && second.Header.Get("X-Cache") == "hit" {
			t.Errorf("%s was kept without an offer", path)
		}
	}
	// Items, single features and tiles are kept.
	for _, path := range []string{
		"/collections/projects/items/port-dalian",
		"/collections/projects/tiles/WebMercatorQuad/7/48/107",
		"/collections/projects/items?f=html&limit=3",
	} {
		fetchRaw(t, base+path)
		second, _ := fetchRaw(t, base+path)
		if second.StatusCode != 200 || second.Header.Get("X-Cache") != "hit" {
			t.Errorf("%s: %d %v", path, second.StatusCode, second.Header)
		}
	}
	// Answers from the store are counted in /metrics under their route.
	_, metrics := fetchRaw(t, base+"/metrics")
	want := `planmap_http_requests_total{method="GET",route="/collections/:collectionId/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol",status="200"} 2`
	if !strings.Contains(string(metrics), want) {
		t.Errorf("metrics lack %s", want)
	}
}

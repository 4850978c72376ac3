package httpapi_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestItemsFormats(t *testing.T) {
	srv, _ := newApp(t)
	base := srv.URL + "/collections/projects/items"

	// GeoJSON text sequence: one RS-prefixed feature per line.
	resp, body := get(t, base+"?f=jsonseq&section=2")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/geo+json-seq" {
		t.Fatalf("jsonseq: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	records := bytes.Split(bytes.TrimSuffix(body, []byte("\n")), []byte("\n"))
	if len(records) != 3 {
		t.Fatalf("jsonseq has %d records: %q", len(records), body)
	}
	for _, r := range records {
		var f struct{ Type, ID string }
		if r[0] != 0x1e || json.Unmarshal(r[1:], &f) != nil || f.Type != "Feature" {
			t.Fatalf("bad record %q", r)
		}
	}

	// The same by Accept.
	resp, _ = get(t, base+"?section=2", "Accept", "application/geo+json-seq")
	if resp.Header.Get("Content-Type") != "application/geo+json-seq" {
		t.Fatalf("Accept jsonseq: %s", resp.Header.Get("Content-Type"))
	}

	// CSV with WKT, formulas defused.
	resp, body = get(t, base+"?f=csv&section=7")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0][0] != "id" || rows[0][len(rows[0])-1] != "wkt" || rows[1][0] != "reservoir-houshan" || !strings.HasPrefix(rows[1][len(rows[1])-1], "POINT(124.1 40.4)") {
		t.Fatalf("csv rows: %q", rows)
	}

	// KML parses as XML and holds a Placemark per feature.
	resp, body = get(t, base+"?f=kml&section=2")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.google-earth.kml+xml" {
		t.Fatalf("kml: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var kml struct {
		Placemarks []struct {
			Name string `xml:"name"`
		} `xml:"Document>Placemark"`
	}
	if err := xml.Unmarshal(body, &kml); err != nil || len(kml.Placemarks) != 3 {
		t.Fatalf("kml: %v %d\n%s", err, len(kml.Placemarks), body)
	}
	resp, _ = get(t, base+"?f=kml&crs=EPSG:3857")
	if resp.StatusCode != 400 {
		t.Fatalf("kml in 3857: %d", resp.StatusCode)
	}

	// HTML view escapes everything.
	resp, body = get(t, base+"?f=html&section=7")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "猴山水库") {
		t.Fatalf("html: %d %s", resp.StatusCode, body)
	}
	resp, _ = get(t, base+"?f=xml")
	if resp.StatusCode != 400 {
		t.Fatalf("f=xml: %d", resp.StatusCode)
	}
}

func TestOutputCRS(t *testing.T) {
	srv, _ := newApp(t)
	tests := []struct {
		crs        string
		x, y       float64
		contentCRS string
	}{
		{"", 121.9, 39.05, "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"},
		{"http://www.opengis.net/def/crs/EPSG/0/4326", 39.05, 121.9, "<http://www.opengis.net/def/crs/EPSG/0/4326>"},
		{"http://www.opengis.net/def/crs/EPSG/0/4490", 39.05, 121.9, "<http://www.opengis.net/def/crs/EPSG/0/4490>"},
		{"http://www.opengis.net/def/crs/EPSG/0/3857", 13569845.93, 4728836.18, "<http://www.opengis.net/def/crs/EPSG/0/3857>"},
	}
	for _, tt := range tests {
		t.Run(tt.crs, func(t *testing.T) {
			u := srv.URL + "/collections/projects/items/port-dalian"
			if tt.crs != "" {
				u += "?crs=" + tt.crs
			}
			resp, body := get(t, u)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Crs") != tt.contentCRS {
				t.Fatalf("%d Content-Crs %q", resp.StatusCode, resp.Header.Get("Content-Crs"))
			}
			var f struct {
				Geometry struct {
					Coordinates []float64 `json:"coordinates"`
				} `json:"geometry"`
			}
			if err := json.Unmarshal(body, &f); err != nil {
				t.Fatal(err)
			}
			c := f.Geometry.Coordinates
			if len(c) != 2 || abs(c[0]-tt.x) > 0.1 || abs(c[1]-tt.y) > 0.1 {
				t.Fatalf("coordinates %v, want %v,%v", c, tt.x, tt.y)
			}
		})
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func TestDatetimeFiltersOnStatusHistory(t *testing.T) {
	srv, _ := newApp(t)
	var fc featureCollection
	getJSON(t, srv.URL+"/collections/projects/items?datetime=2013-01-01/..", 200, &fc)
	if fc.NumberMatched != 1 || fc.Features[0].ID != "reservoir-houshan" {
		t.Fatalf("after 2013: %+v", fc)
	}
	getJSON(t, srv.URL+"/collections/projects/items?datetime=2012-12-31", 200, &fc)
	if fc.NumberMatched != 4 {
		t.Fatalf("on the plan's target date: %d", fc.NumberMatched)
	}
	getJSON(t, srv.URL+"/collections/cities/items?datetime=2012-12-31", 200, &fc)
	if fc.NumberMatched != 3 {
		t.Fatalf("a layer without time ignores datetime: %d", fc.NumberMatched)
	}
}

func TestETagsAndCaching(t *testing.T) {
	srv, db := newApp(t)
	u := srv.URL + "/collections/projects/items?section=2"
	resp, _ := get(t, u)
	etag := resp.Header.Get("ETag")
	if etag == "" || !strings.Contains(resp.Header.Get("Cache-Control"), "public") {
		t.Fatalf("headers: %v", resp.Header)
	}
	resp, body := get(t, u, "If-None-Match", etag)
	if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Fatalf("If-None-Match: %d %q", resp.StatusCode, body)
	}
	// Another request has another ETag.
	resp, _ = get(t, srv.URL+"/collections/projects/items?section=7")
	if resp.Header.Get("ETag") == etag {
		t.Fatal("two different requests share an ETag")
	}
	// A write to the collection changes its ETags at once.
	if _, err := db.Pool.Exec(t.Context(), `UPDATE collection_version SET version = version + 1 WHERE collection = 'projects'`); err != nil {
		t.Fatal(err)
	}
	resp, _ = get(t, u, "If-None-Match", etag)
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == etag {
		t.Fatalf("after a write: %d %s", resp.StatusCode, resp.Header.Get("ETag"))
	}
	// The item and layer resources carry ETags too.
	for _, path := range []string{"/collections/projects/items/port-dalian", "/collections/cities/items", "/collections/cities/items/dalian"} {
		resp, _ := get(t, srv.URL+path)
		if resp.Header.Get("ETag") == "" {
			t.Errorf("%s has no ETag", path)
		}
	}
}

func TestCORS(t *testing.T) {
	srv, _ := newApp(t)
	resp, _ := get(t, srv.URL+"/collections/projects/items?limit=1", "Origin", "https://app.example")
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "ETag") {
		t.Fatalf("CORS headers: %v", resp.Header)
	}
	req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/collections/projects/items", nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	pre, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	pre.Body.Close()
	if pre.StatusCode != http.StatusNoContent || !strings.Contains(pre.Header.Get("Access-Control-Allow-Methods"), "GET") {
		t.Fatalf("preflight: %d %v", pre.StatusCode, pre.Header)
	}
}

func TestJSONSeqStreamsAWholeLayer(t *testing.T) {
	srv, _ := newApp(t)
	resp, err := http.Get(srv.URL + "/collections/cities/items?f=jsonseq&limit=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	n := 0
	for sc.Scan() {
		n++
	}
	if n != 3 {
		t.Fatalf("records %d", n)
	}
}

func TestResponseCache(t *testing.T) {
	srv, db := newApp(t)
	u := srv.URL + "/collections/projects/items?section=2,7"
	first, body1 := get(t, u)
	if first.Header.Get("X-Cache") == "hit" {
		t.Fatal("first request was a hit")
	}
	second, body2 := get(t, u)
	if second.Header.Get("X-Cache") != "hit" || !bytes.Equal(body1, body2) || second.Header.Get("ETag") != first.Header.Get("ETag") {
		t.Fatalf("second: %v, bodies equal %v", second.Header, bytes.Equal(body1, body2))
	}
	// Gzip for clients that take it (Go's client decompresses by itself).
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip: %v", resp.Header)
	}
	// A write changes the version: the cached answer is not served again.
	if _, err := db.Pool.Exec(t.Context(), `UPDATE project SET name_en = 'Renamed port' WHERE id = 'port-dalian';
UPDATE collection_version SET version = version + 1 WHERE collection = 'projects'`); err != nil {
		t.Fatal(err)
	}
	third, body3 := get(t, u)
	if third.Header.Get("X-Cache") == "hit" || !strings.Contains(string(body3), "Renamed port") {
		t.Fatalf("after a write: %v %s", third.Header, body3)
	}
}

func TestGzip(t *testing.T) {
	srv, _ := newApp(t)
	for _, path := range []string{"/collections/projects/items?section=2&limit=3", "/plan/clauses"} {
		for round := 0; round < 2; round++ { // a miss, then a cache hit
			req, _ := http.NewRequest("GET", srv.URL+path, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			zr, err := gzip.NewReader(resp.Body)
			if err != nil || resp.Header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("%s round %d: %v %v", path, round, resp.Header, err)
			}
			plain, err := io.ReadAll(zr)
			resp.Body.Close()
			if err != nil || !json.Valid(plain) {
				t.Fatalf("%s round %d: not JSON after gunzip: %v", path, round, err)
			}
		}
	}
	// Without Accept-Encoding the body is plain.
	req, _ := http.NewRequest("GET", srv.URL+"/collections/projects/items?section=7", nil)
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "" || !json.Valid(b) {
		t.Fatalf("plain: %v", resp.Header)
	}
}

package ogcapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/ogcapi"
)

// fakeTiles serves collection "roads" (version 7) and "projects" (version
// 3); tile 0/0/0 and z/x/y with x == y have data, the rest are empty.
type fakeTiles struct {
	renders atomic.Int64
	version atomic.Int64
}

func (f *fakeTiles) known(coll string) error {
	if coll != "roads" && coll != "projects" {
		return domain.Errorf(domain.ENOTFOUND, "no collection has id %q", coll)
	}
	return nil
}

func (f *fakeTiles) Tile(_ context.Context, coll string, z, x, y int) ([]byte, error) {
	if err := f.known(coll); err != nil {
		return nil, err
	}
	f.renders.Add(1)
	if x != y {
		return []byte{}, nil
	}
	return bytes.Repeat([]byte(coll), 200), nil
}

func (f *fakeTiles) Version(_ context.Context, coll string) (int64, error) {
	if err := f.known(coll); err != nil {
		return 0, err
	}
	if coll == "projects" {
		return 3, nil
	}
	return 7 + f.version.Load(), nil
}

func (f *fakeTiles) Fields(_ context.Context, coll string) (map[string]string, error) {
	if err := f.known(coll); err != nil {
		return nil, err
	}
	return map[string]string{"fid": "String", "lanes": "Number", "paved": "Boolean"}, nil
}

type fakeCollections struct{}

func (fakeCollections) TileCollection(_ context.Context, id string) (*ogcapi.TileCollection, error) {
	switch id {
	case "roads":
		return &ogcapi.TileCollection{ID: id, Title: "Roads", Attribution: "OSM contributors",
			Extent: &domain.BBox{MinLon: 118.8, MinLat: 38.7, MaxLon: 125.8, MaxLat: 43.5}}, nil
	case "projects":
		return &ogcapi.TileCollection{ID: id, Title: "Projects"}, nil
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "no collection has id %q", id)
}

// newTileServer serves a TileHandler with the JSON error shape of httpapi.
func newTileServer(t *testing.T) (*httptest.Server, *fakeTiles) {
	t.Helper()
	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		status := http.StatusInternalServerError
		code, msg := domain.ErrorCode(err), domain.ErrorMessage(err)
		switch code {
		case domain.EINVALID:
			status = http.StatusBadRequest
		case domain.ENOTFOUND:
			status = http.StatusNotFound
		}
		if he, ok := err.(*echo.HTTPError); ok {
			status, code, msg = he.Code, "echo", http.StatusText(he.Code)
		}
		_ = c.JSON(status, map[string]string{"code": code, "message": msg})
	}
	tiles := &fakeTiles{}
	ogcapi.NewTileHandler(tiles, fakeCollections{}).Register(e)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv, tiles
}

// fetch GETs url with header pairs and no transparent decompression.
func fetch(t *testing.T, method, url string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Do(req)
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

func TestTileMatrixSets(t *testing.T) {
	srv, _ := newTileServer(t)
	resp, body := fetch(t, "GET", srv.URL+"/tileMatrixSets/WebMercatorQuad")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var tms ogcapi.TileMatrixSet
	if err := json.Unmarshal(body, &tms); err != nil {
		t.Fatal(err)
	}
	if tms.ID != "WebMercatorQuad" || tms.URI != "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad" ||
		tms.CRS != "http://www.opengis.net/def/crs/EPSG/0/3857" || len(tms.TileMatrices) != 25 {
		t.Fatalf("tile matrix set: %+v", tms)
	}
	// The values of the OGC registry's WebMercatorQuad.json.
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Abs(b) }
	m0, m24 := tms.TileMatrices[0], tms.TileMatrices[24]
	if m0.ID != "0" || !close(m0.ScaleDenominator, 559082264.028717) || !close(m0.CellSize, 156543.033928041) ||
		m0.PointOfOrigin != [2]float64{-20037508.3427892, 20037508.3427892} || m0.MatrixWidth != 1 || m0.TileWidth != 256 {
		t.Fatalf("matrix 0: %+v", m0)
	}
	if m24.ID != "24" || !close(m24.ScaleDenominator, 33.3238997476528) || !close(m24.CellSize, 0.0093306919293428) ||
		m24.MatrixWidth != 16777216 || m24.MatrixHeight != 16777216 || m24.CornerOfOrigin != "topLeft" {
		t.Fatalf("matrix 24: %+v", m24)
	}
	var list struct {
		TileMatrixSets []struct {
			ID    string
			Links []ogcapi.Link
		}
	}
	_, body = fetch(t, "GET", srv.URL+"/tileMatrixSets", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "maps.example.org")
	if err := json.Unmarshal(body, &list); err != nil || len(list.TileMatrixSets) != 1 ||
		list.TileMatrixSets[0].Links[0].Href != "https://maps.example.org/tileMatrixSets/WebMercatorQuad" {
		t.Fatalf("list: %s", body)
	}
	for _, path := range []string{"/tileMatrixSets/WorldCRS84Quad", "/tileMatrixSets/webmercatorquad"} {
		if resp, body := fetch(t, "GET", srv.URL+path); resp.StatusCode != 404 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
	if resp, _ := fetch(t, "GET", srv.URL+"/tileMatrixSets?limit=3"); resp.StatusCode != 400 {
		t.Fatalf("unknown parameter: %d", resp.StatusCode)
	}
}

func TestTileCoordinates(t *testing.T) {
	srv, tiles := newTileServer(t)
	base := srv.URL + "/collections/roads/tiles/WebMercatorQuad/"
	tests := []struct {
		path, param string // param: the parameter a 400 must name; "" for success
	}{
		{"0/0/0", ""},
		{"7/48/48", ""},
		{"24/16777215/16777215", ""},
		{"-1/0/0", "tileMatrix"},
		{"25/0/0", "tileMatrix"},
		{"1e3/0/0", "tileMatrix"},
		{"07/0/0", "tileMatrix"},
		{"+7/0/0", "tileMatrix"},
		{"7.0/0/0", "tileMatrix"},
		{"99999999999999999999/0/0", "tileMatrix"},
		{"x/0/0", "tileMatrix"},
		{"3/8/0", "tileRow"},
		{"3/-1/0", "tileRow"},
		{"3/01/0", "tileRow"},
		{"3/1e1/0", "tileRow"},
		{"3/%20/0", "tileRow"},
		{"3/0/8", "tileCol"},
		{"3/0/0x1", "tileCol"},
		{"3/0/7.pbf", "tileCol"},
		{"24/0/16777216", "tileCol"},
		{"3/0/99999999999999999999999", "tileCol"},
	}
	for _, tt := range tests {
		resp, body := fetch(t, "GET", base+tt.path)
		if tt.param == "" {
			if resp.StatusCode != 200 {
				t.Errorf("%s: %d %s", tt.path, resp.StatusCode, body)
			}
			continue
		}
		var e struct{ Code, Message string }
		if err := json.Unmarshal(body, &e); err != nil || resp.StatusCode != 400 || e.Code != domain.EINVALID ||
			!strings.Contains(e.Message, `"`+tt.param+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %q", tt.path, resp.StatusCode, body, tt.param)
		}
	}
	renders := tiles.renders.Load()
	for _, tt := range []struct{ path, what string }{
		{"/collections/nope/tiles/WebMercatorQuad/0/0/0", "unknown collection"},
		{"/collections/roads/tiles/WorldCRS84Quad/0/0/0", "unknown tile matrix set"},
	} {
		if resp, body := fetch(t, "GET", srv.URL+tt.path); resp.StatusCode != 404 {
			t.Errorf("%s: %d %s", tt.what, resp.StatusCode, body)
		}
	}
	if resp, body := fetch(t, "GET", base+"0/0/0?f=mvt"); resp.StatusCode != 200 {
		t.Errorf("f=mvt: %d %s", resp.StatusCode, body)
	}
	for _, q := range []string{"?f=png", "?v=2", "?f=mvt&f=mvt", "?a;b"} {
		if resp, body := fetch(t, "GET", base+"0/0/0"+q); resp.StatusCode != 400 {
			t.Errorf("%s: %d %s", q, resp.StatusCode, body)
		}
	}
	if got := tiles.renders.Load(); got != renders+1 {
		t.Errorf("%d renders for rejected requests", got-renders-1)
	}
}

func TestTileEncodingAndCaching(t *testing.T) {
	srv, tiles := newTileServer(t)
	url := srv.URL + "/collections/roads/tiles/WebMercatorQuad/5/3/3"
	want := bytes.Repeat([]byte("roads"), 200)

	plain, body := fetch(t, "GET", url)
	if plain.StatusCode != 200 || plain.Header.Get("Content-Type") != ogcapi.MediaMVT || !bytes.Equal(body, want) ||
		plain.Header.Get("Content-Encoding") != "" {
		t.Fatalf("plain: %d %v", plain.StatusCode, plain.Header)
	}
	zipped, zbody := fetch(t, "GET", url, "Accept-Encoding", "gzip, deflate, br")
	if zipped.StatusCode != 200 || zipped.Header.Get("Content-Encoding") != "gzip" || len(zbody) >= len(body) {
		t.Fatalf("gzip: %d %v, %d bytes", zipped.StatusCode, zipped.Header, len(zbody))
	}
	zr, err := gzip.NewReader(bytes.NewReader(zbody))
	if err != nil {
		t.Fatal(err)
	}
	if unzipped, err := io.ReadAll(zr); err != nil || !bytes.Equal(unzipped, want) {
		t.Fatalf("gunzip: %v", err)
	}
	for _, r := range []*http.Response{plain, zipped} {
		if r.Header.Get("Cache-Control") != ogcapi.CacheControl || !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "Accept-Encoding") {
			t.Fatalf("cache headers: %v", r.Header)
		}
		if etag := r.Header.Get("ETag"); !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || strings.HasPrefix(etag, "W/") {
			t.Fatalf("not a strong ETag: %q", etag)
		}
	}
	etag, zetag := plain.Header.Get("ETag"), zipped.Header.Get("ETag")
	if etag == zetag {
		t.Fatal("the gzip and identity encodings share an ETag")
	}

	// If-None-Match answers 304 without rendering; weak comparison and lists count.
	renders := tiles.renders.Load()
	for _, inm := range []string{etag, `"other", ` + etag, "W/" + etag} {
		resp, body := fetch(t, "GET", url, "If-None-Match", inm)
		if resp.StatusCode != 304 || len(body) != 0 || resp.Header.Get("ETag") != etag {
			t.Fatalf("If-None-Match %s: %d %v", inm, resp.StatusCode, resp.Header)
		}
	}
	if resp, _ := fetch(t, "GET", url, "If-None-Match", zetag, "Accept-Encoding", "gzip"); resp.StatusCode != 304 {
		t.Fatalf("gzip revalidation: %d", resp.StatusCode)
	}
	if resp, _ := fetch(t, "GET", url, "If-None-Match", zetag); resp.StatusCode != 200 {
		t.Fatalf("the gzip ETag matched the identity encoding: %d", resp.StatusCode)
	}
	if tiles.renders.Load() != renders+1 {
		t.Fatalf("%d renders, want 1", tiles.renders.Load()-renders)
	}
	// A write to the collection changes the ETag of every tile.
	tiles.version.Add(1)
	if resp, _ := fetch(t, "GET", url, "If-None-Match", etag); resp.StatusCode != 200 || resp.Header.Get("ETag") == etag {
		t.Fatalf("after a write: %d %q", resp.StatusCode, resp.Header.Get("ETag"))
	}
	// Other coordinates, other ETags.
	if resp, _ := fetch(t, "GET", srv.URL+"/collections/roads/tiles/WebMercatorQuad/5/4/4"); resp.Header.Get("ETag") == etag {
		t.Fatal("two tiles share an ETag")
	}

	// An empty tile is 204 with no body, gzip or not.
	for _, ae := range []string{"", "gzip"} {
		resp, body := fetch(t, "GET", srv.URL+"/collections/roads/tiles/WebMercatorQuad/5/3/4", "Accept-Encoding", ae)
		if resp.StatusCode != 204 || len(body) != 0 || resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("ETag") == "" {
			t.Fatalf("empty tile (%q): %d %v", ae, resp.StatusCode, resp.Header)
		}
	}
	// Accept-Encoding with q-values.
	for ae, gz := range map[string]bool{"gzip;q=0": false, "*": true, "br, *;q=0.1": true, "gzip;q=0, *": false,
		"x-gzip": true, "GZIP; q=0.5": true, "identity": false, "br": false, "gzip;q=abc": false} {
		resp, _ := fetch(t, "GET", url, "Accept-Encoding", ae)
		if got := resp.Header.Get("Content-Encoding") == "gzip"; got != gz {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", ae, got, gz)
		}
	}
	// HEAD answers the headers alone.
	if resp, body := fetch(t, "HEAD", url); resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("ETag") == "" {
		t.Fatalf("HEAD: %d %v", resp.StatusCode, resp.Header)
	}
	// Errors carry no cache headers.
	if resp, _ := fetch(t, "GET", srv.URL+"/collections/nope/tiles/WebMercatorQuad/0/0/0"); resp.Header.Get("ETag") != "" || resp.Header.Get("Cache-Control") != "" {
		t.Fatalf("a 404 with cache headers: %v", resp.Header)
	}
}

func TestTileJSONAndTilesets(t *testing.T) {
	srv, _ := newTileServer(t)
	proxy := []string{"Forwarded", `proto=https;host="maps.example.org"`, "X-Forwarded-Prefix", "/planmap"}
	base := "https://maps.example.org/planmap"
	var tj ogcapi.TileJSON
	for _, path := range []string{"/tiles/WebMercatorQuad/tilejson", "/tiles/WebMercatorQuad?f=tilejson"} {
		resp, body := fetch(t, "GET", srv.URL+"/collections/roads"+path, proxy...)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
		tj = ogcapi.TileJSON{}
		if err := json.Unmarshal(body, &tj); err != nil {
			t.Fatal(err)
		}
		if tj.TileJSON != "3.0.0" || len(tj.Tiles) != 1 || tj.Tiles[0] != base+"/collections/roads/tiles/WebMercatorQuad/{z}/{y}/{x}" ||
			tj.MinZoom != 0 || tj.MaxZoom != 16 || tj.Bounds != [4]float64{118.8, 38.7, 125.8, 43.5} || tj.Attribution != "OSM contributors" {
			t.Fatalf("%s: %s", path, body)
		}
		if len(tj.VectorLayers) != 1 || tj.VectorLayers[0].ID != "roads" || tj.VectorLayers[0].Fields["lanes"] != "Number" ||
			tj.VectorLayers[0].MaxZoom != 16 {
			t.Fatalf("vector_layers: %+v", tj.VectorLayers)
		}
	}
	_, body := fetch(t, "GET", srv.URL+"/collections/projects/tiles/WebMercatorQuad/tilejson")
	if err := json.Unmarshal(body, &tj); err != nil || tj.Bounds[0] != -180 || tj.Bounds[3] < 85 {
		t.Fatalf("world bounds without an extent: %s", body)
	}

	var ts struct {
		DataType, CRS    string
		TileMatrixSetURI string `json:"tileMatrixSetURI"`
		BoundingBox      struct{ LowerLeft, UpperRight [2]float64 }
		Layers           []struct {
			ID               string
			PropertiesSchema struct {
				Properties map[string]struct{ Type string }
			}
		}
		Links []struct {
			Href, Rel, Type string
			Templated       bool
		}
	}
	resp, body := fetch(t, "GET", srv.URL+"/collections/roads/tiles/WebMercatorQuad", proxy...)
	if resp.StatusCode != 200 {
		t.Fatalf("tileset: %d %s", resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, &ts); err != nil {
		t.Fatal(err)
	}
	if ts.DataType != "vector" || ts.TileMatrixSetURI != ogcapi.WebMercatorQuadURI || ts.CRS != "http://www.opengis.net/def/crs/EPSG/0/3857" ||
		ts.BoundingBox.UpperRight != [2]float64{125.8, 43.5} || len(ts.Layers) != 1 || ts.Layers[0].PropertiesSchema.Properties["paved"].Type != "boolean" {
		t.Fatalf("tileset: %s", body)
	}
	links := map[string]string{}
	for _, l := range ts.Links {
		links[l.Rel] = l.Href
		if l.Rel == "item" && (!l.Templated || l.Type != "application/vnd.mapbox-vector-tile") {
			t.Fatalf("item link: %+v", l)
		}
	}
	if links["item"] != base+"/collections/roads/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}" ||
		links[ogcapi.RelTilingScheme] != base+"/tileMatrixSets/WebMercatorQuad" || links["self"] != base+"/collections/roads/tiles/WebMercatorQuad" ||
		links["alternate"] != base+"/collections/roads/tiles/WebMercatorQuad/tilejson" {
		t.Fatalf("links: %v", links)
	}

	var list struct {
		Tilesets []struct {
			DataType         string
			TileMatrixSetURI string `json:"tileMatrixSetURI"`
			Links            []ogcapi.Link
		}
	}
	_, body = fetch(t, "GET", srv.URL+"/collections/roads/tiles", proxy...)
	if err := json.Unmarshal(body, &list); err != nil || len(list.Tilesets) != 1 || list.Tilesets[0].TileMatrixSetURI != ogcapi.WebMercatorQuadURI ||
		list.Tilesets[0].Links[0].Href != base+"/collections/roads/tiles/WebMercatorQuad" {
		t.Fatalf("tilesets: %s", body)
	}

	for _, tt := range []struct {
		path   string
		status int
	}{
		{"/collections/nope/tiles", 404},
		{"/collections/nope/tiles/WebMercatorQuad", 404},
		{"/collections/nope/tiles/WebMercatorQuad/tilejson", 404},
		{"/collections/roads/tiles/WorldCRS84Quad", 404},
		{"/collections/roads/tiles/WorldCRS84Quad/tilejson", 404},
		{"/collections/roads/tiles?f=xml", 400},
		{"/collections/roads/tiles/WebMercatorQuad?f=mvt", 400},
		{"/collections/roads/tiles/WebMercatorQuad/tilejson?f=tilejson", 400},
		{"/collections/roads/tiles/WebMercatorQuad?bbox=1,2,3,4", 400},
	} {
		if resp, body := fetch(t, "GET", srv.URL+tt.path); resp.StatusCode != tt.status {
			t.Errorf("%s: %d, want %d: %s", tt.path, resp.StatusCode, tt.status, body)
		}
	}
}

func TestParseTile(t *testing.T) {
	z, y, x, err := ogcapi.ParseTile("7", "48", "107")
	if err != nil || z != 7 || y != 48 || x != 107 {
		t.Fatalf("%d/%d/%d %v", z, y, x, err)
	}
	if _, _, _, err := ogcapi.ParseTile("2", "3", "4"); domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "tileCol") {
		t.Fatalf("col 4 at z2: %v", err)
	}
}

func TestTileAPIPathsMatchRoutes(t *testing.T) {
	e := echo.New()
	ogcapi.NewTileHandler(&fakeTiles{}, fakeCollections{}).Register(e)
	routes := map[string]bool{}
	for _, r := range e.Routes() {
		if r.Method == http.MethodGet {
			routes[r.Path] = true
		}
	}
	paths := ogcapi.TileAPIPaths()
	toEcho := regexp.MustCompile(`\{([A-Za-z]+)\}`)
	for p := range paths {
		if !routes[toEcho.ReplaceAllString(p, ":$1")] {
			t.Errorf("the API documents %s, which no route serves", p)
		}
	}
	if len(paths) != len(routes) {
		t.Errorf("%d documented paths, %d routes", len(paths), len(routes))
	}
	if _, err := json.Marshal(paths); err != nil {
		t.Fatal(err)
	}
}

// gatedTiles draws each tile only when let through its gate, and tells
// when a drawing starts and how it ended.
type gatedTiles struct {
	fakeTiles
	gate    chan struct{}
	started chan struct{}
	ended   chan error // nil: drawn; else the drawing's context error
}

func (g *gatedTiles) Tile(ctx context.Context, coll string, z, x, y int) ([]byte, error) {
	g.started <- struct{}{}
	select {
	case <-g.gate:
		g.ended <- nil
		return g.fakeTiles.Tile(ctx, coll, z, x, y)
	case <-ctx.Done():
		g.ended <- ctx.Err()
		return nil, ctx.Err()
	}
}

// Requests for a tile being drawn share the drawing; a client that hangs
// up does not cancel it for the others, but once every client waiting for
// it has gone the drawing is given up, and the next request draws anew.
func TestTileDrawingSharedAndGivenUp(t *testing.T) {
	tiles := &gatedTiles{gate: make(chan struct{}), started: make(chan struct{}, 8), ended: make(chan error, 8)}
	e := echo.New()
	h := ogcapi.NewTileHandler(tiles, fakeCollections{})
	h.Register(e)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	url := srv.URL + "/collections/roads/tiles/WebMercatorQuad/5/3/3" // z/y/x: tile 5/3/3, version 7
	type answer struct {
		status int
		body   []byte
		err    error
	}
	get := func(ctx context.Context) chan answer {
		out := make(chan answer, 1)
		go func() {
			req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				out <- answer{err: err}
				return
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			out <- answer{resp.StatusCode, body, err}
		}()
		return out
	}
	within := func(what string, ch <-chan struct{}) {
		t.Helper()
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Fatalf("timed out waiting for %s", what)
		}
	}

	// Two clients, one drawing; the first hangs up, the second gets the tile.
	ctx1, hangUp := context.WithCancel(context.Background())
	first := get(ctx1)
	within("the drawing to start", tiles.started)
	second := get(context.Background())
	for deadline := time.Now().Add(10 * time.Second); h.DrawingWaiters("roads", 7, 5, 3, 3) < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("the second request never joined the drawing")
		}
		runtime.Gosched()
	}
	hangUp()
	if a := <-first; a.err == nil {
		t.Fatalf("the first client hung up, yet got %d", a.status)
	}
	select {
	case err := <-tiles.ended:
		t.Fatalf("the drawing ended (%v) while a client still waited", err)
	case <-time.After(100 * time.Millisecond):
	}
	tiles.gate <- struct{}{}
	if a := <-second; a.err != nil || a.status != 200 || !bytes.Equal(a.body, bytes.Repeat([]byte("roads"), 200)) {
		t.Fatalf("second client: %d, %d bytes, %v", a.status, len(a.body), a.err)
	}
	if err := <-tiles.ended; err != nil || len(tiles.started) != 0 {
		t.Fatalf("drawing: %v, %d more started", err, len(tiles.started))
	}

	// A client alone hangs up: its drawing is given up.
	url = srv.URL + "/collections/roads/tiles/WebMercatorQuad/6/4/4"
	ctx3, hangUp3 := context.WithCancel(context.Background())
	third := get(ctx3)
	within("the third drawing to start", tiles.started)
	hangUp3()
	<-third
	ended := make(chan struct{})
	var err error
	go func() { err = <-tiles.ended; close(ended) }()
	within("the drawing to be given up", ended)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("the drawing ended with %v, want it given up", err)
	}
	// The next request for it draws it.
	fourth := get(context.Background())
	within("a new drawing", tiles.started)
	tiles.gate <- struct{}{}
	if a := <-fourth; a.err != nil || a.status != 200 {
		t.Fatalf("fourth client: %d, %v", a.status, a.err)
	}
}

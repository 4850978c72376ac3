package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/planmap/planmap/internal/ogcapi"
	"github.com/planmap/planmap/internal/postgis"
)

var _ ogcapi.TileService = (*postgis.TileService)(nil)

// newTileApp is newApp with the tile routes, registered on its Echo
// application before the first request.
func newTileApp(t *testing.T) *httptest.Server {
	t.Helper()
	srv, db := newApp(t)
	e, ok := srv.Config.Handler.(*echo.Echo)
	if !ok {
		t.Fatalf("the app is a %T, not an *echo.Echo", srv.Config.Handler)
	}
	ogcapi.NewTileHandler(postgis.NewTileService(db, postgis.TileOptions{}),
		ogcapi.NewCollectionLookup(postgis.NewProjectService(db), postgis.NewLayerService(db, nil))).Register(e)
	return srv
}

// fetchRaw GETs url without transparent decompression.
func fetchRaw(t *testing.T, url string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
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

// The fixture's port of Dalian, and the z7 tile that holds it with the
// Changxing Island park and the city seat of Dalian.
var (
	dalianPort = orb.Point{121.9, 39.05}
	dalianTile = maptile.At(dalianPort, 7)
)

func tileURL(base, coll string, tl maptile.Tile) string {
	return fmt.Sprintf("%s/collections/%s/tiles/WebMercatorQuad/%d/%d/%d", base, coll, tl.Z, tl.Y, tl.X)
}

func TestTileJSONServesMapClients(t *testing.T) {
	srv := newTileApp(t)
	var tj ogcapi.TileJSON
	getJSON(t, srv.URL+"/collections/projects/tiles/WebMercatorQuad/tilejson", 200, &tj)
	if tj.TileJSON != "3.0.0" || len(tj.Tiles) != 1 || tj.Tiles[0] != srv.URL+"/collections/projects/tiles/WebMercatorQuad/{z}/{y}/{x}" {
		t.Fatalf("tilejson: %+v", tj)
	}
	if tj.MinZoom != 0 || tj.MaxZoom != 16 || tj.Bounds != [4]float64{121.4, 39.05, 124.1, 40.4} {
		t.Fatalf("zooms or bounds: %+v", tj)
	}
	vl := tj.VectorLayers
	if len(vl) != 1 || vl[0].ID != "projects" || vl[0].Fields["name_zh"] != "String" || vl[0].Fields["section"] != "Number" ||
		vl[0].Fields["cross_border"] != "Boolean" || len(vl[0].Fields) != 11 {
		t.Fatalf("vector_layers: %+v", vl)
	}
	// The template, filled in, is a tile.
	u := strings.NewReplacer("{z}", "7", "{y}", strconv.Itoa(int(dalianTile.Y)), "{x}", strconv.Itoa(int(dalianTile.X))).Replace(tj.Tiles[0])
	if resp, _ := fetchRaw(t, u); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ogcapi.MediaMVT {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// A layer: its scalar properties and its attribution; behind a proxy.
	resp, body := fetchRaw(t, srv.URL+"/collections/cities/tiles/WebMercatorQuad?f=tilejson", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "maps.example.org")
	if resp.StatusCode != 200 {
		t.Fatalf("cities: %d %s", resp.StatusCode, body)
	}
	tj = ogcapi.TileJSON{}
	if err := json.Unmarshal(body, &tj); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"fid": "String", "name_zh": "String", "name_en": "String", "capital": "Boolean"}
	if tj.Tiles[0] != "https://maps.example.org/collections/cities/tiles/WebMercatorQuad/{z}/{y}/{x}" || tj.Attribution != "Natural Earth" ||
		fmt.Sprint(tj.VectorLayers[0].Fields) != fmt.Sprint(want) {
		t.Fatalf("cities tilejson: %s", body)
	}

	var ts struct {
		Links []struct{ Href, Rel, Type string }
	}
	getJSON(t, srv.URL+"/collections/cities/tiles/WebMercatorQuad", 200, &ts)
	found := false
	for _, l := range ts.Links {
		found = found || l.Rel == "item" && l.Href == srv.URL+"/collections/cities/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}"
	}
	if !found {
		t.Fatalf("no item link: %+v", ts.Links)
	}
	for _, path := range []string{"/collections/nope/tiles", "/collections/nope/tiles/WebMercatorQuad/tilejson", "/tileMatrixSets/GoogleCRS84Quad",
		"/collections/programmes/tiles", "/collections/programmes/tiles/WebMercatorQuad"} {
		if resp, body := fetchRaw(t, srv.URL+path); resp.StatusCode != 404 || !strings.Contains(string(body), `"not_found"`) {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
}

// decodedTile holds what the Go decoder read: features per layer.
func decodeTile(t *testing.T, body []byte, gzipped bool) map[string]int {
	t.Helper()
	var (
		layers mvt.Layers
		err    error
	)
	if gzipped {
		layers, err = mvt.UnmarshalGzipped(body)
	} else {
		layers, err = mvt.Unmarshal(body)
	}
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	out := map[string]int{}
	for _, l := range layers {
		out[l.Name] = len(l.Features)
	}
	return out
}

func TestTileFetchedWithAndWithoutGzip(t *testing.T) {
	srv := newTileApp(t)
	url := tileURL(srv.URL, "projects", dalianTile)
	plain, body := fetchRaw(t, url)
	if plain.StatusCode != 200 || plain.Header.Get("Content-Encoding") != "" || plain.Header.Get("Cache-Control") != ogcapi.CacheControl {
		t.Fatalf("plain: %d %v", plain.StatusCode, plain.Header)
	}
	if got := decodeTile(t, body, false); got["projects"] != 2 || len(got) != 1 {
		t.Fatalf("plain tile: %v", got)
	}
	zipped, zbody := fetchRaw(t, url, "Accept-Encoding", "gzip")
	if zipped.StatusCode != 200 || zipped.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(strings.Join(zipped.Header.Values("Vary"), ","), "Accept-Encoding") {
		t.Fatalf("gzip: %d %v", zipped.StatusCode, zipped.Header)
	}
	if got := decodeTile(t, zbody, true); got["projects"] != 2 {
		t.Fatalf("gzipped tile: %v", got)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zbody))
	if err != nil {
		t.Fatal(err)
	}
	if unzipped, _ := io.ReadAll(zr); !bytes.Equal(unzipped, body) {
		t.Fatal("the gzipped tile is another tile")
	}

	etag := plain.Header.Get("ETag")
	if etag == "" || etag == zipped.Header.Get("ETag") {
		t.Fatalf("ETags %q and %q", etag, zipped.Header.Get("ETag"))
	}
	if resp, body := fetchRaw(t, url, "If-None-Match", etag); resp.StatusCode != 304 || len(body) != 0 || resp.Header.Get("ETag") != etag {
		t.Fatalf("If-None-Match: %d %v", resp.StatusCode, resp.Header)
	}
	// Any origin may read tiles, as everything else.
	if resp, _ := fetchRaw(t, url, "Origin", "https://elsewhere.example"); resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("CORS: %v", resp.Header)
	}

	// Paris has no project: 204, no body.
	far := tileURL(srv.URL, "projects", maptile.At(orb.Point{2.35, 48.85}, 7))
	if resp, body := fetchRaw(t, far, "Accept-Encoding", "gzip"); resp.StatusCode != 204 || len(body) != 0 {
		t.Fatalf("empty tile: %d, %d bytes", resp.StatusCode, len(body))
	}
}

func TestTileRejectsBadCoordinates(t *testing.T) {
	srv := newTileApp(t)
	base := srv.URL + "/collections/projects/tiles/WebMercatorQuad/"
	tests := []struct{ path, param string }{
		{"-1/0/0", "tileMatrix"},
		{"25/0/0", "tileMatrix"},
		{"1e3/0/0", "tileMatrix"},
		{"07/48/107", "tileMatrix"},
		{"7.5/48/107", "tileMatrix"},
		{"18446744073709551617/0/0", "tileMatrix"},
		{"seven/48/107", "tileMatrix"},
		{"7/128/107", "tileRow"},
		{"7/-48/107", "tileRow"},
		{"7/048/107", "tileRow"},
		{"7/4.8e1/107", "tileRow"},
		{"7/48/128", "tileCol"},
		{"7/48/1e2", "tileCol"},
		{"7/48/107.pbf", "tileCol"},
		{"7/48/99999999999999999999", "tileCol"},
		{"0/0/1", "tileCol"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := fetchRaw(t, base+tt.path)
			var e tileError
			if err := json.Unmarshal(body, &e); err != nil || resp.StatusCode != 400 || e.Code != "invalid" || !strings.Contains(e.Message, `"`+tt.param+`"`) {
				t.Fatalf("%d %s: want 400 naming %q", resp.StatusCode, body, tt.param)
			}
			if resp.Header.Get("ETag") != "" || resp.Header.Get("Cache-Control") != "" {
				t.Fatalf("an error with cache headers: %v", resp.Header)
			}
		})
	}
	for path, status := range map[string]int{
		"/collections/nope/tiles/WebMercatorQuad/7/48/107":        404,
		"/collections/programmes/tiles/WebMercatorQuad/7/48/107":  404,
		"/collections/projects/tiles/WorldCRS84Quad/7/48/107":     404,
		"/collections/projects/tiles/WebMercatorQuad/7/48/107?x=": 400,
	} {
		if resp, body := fetchRaw(t, srv.URL+path); resp.StatusCode != status {
			t.Errorf("%s: %d %s, want %d", path, resp.StatusCode, body, status)
		}
	}
}

type tileError struct{ Code, Message string }

// ogrinfoCounts runs GDAL's ogrinfo on a tile file and returns the feature
// count of each layer it reports, and its whole output.
func ogrinfoCounts(t *testing.T, args ...string) (map[string]int, string) {
	t.Helper()
	bin, err := exec.LookPath("ogrinfo")
	if err != nil {
		t.Fatal("ogrinfo not found: GDAL must read the tiles in this test; install gdal-bin")
	}
	out, err := exec.Command(bin, append([]string{"-ro", "-al"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo %v: %v\n%s", args, err, out)
	}
	counts := map[string]int{}
	layer := ""
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "Layer name: "); ok {
			layer = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "Feature Count: "); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatalf("ogrinfo: %q", line)
			}
			counts[layer] = n
		}
	}
	return counts, string(out)
}

var ogrExtent = regexp.MustCompile(`Extent: \(([-0-9.]+), ([-0-9.]+)\) - \(([-0-9.]+), ([-0-9.]+)\)`)

func TestGDALReadsTiles(t *testing.T) {
	srv := newTileApp(t)
	dir := t.TempDir()
	for _, coll := range []string{"projects", "cities"} {
		for _, gz := range []bool{false, true} {
			name := fmt.Sprintf("%s gzip=%v", coll, gz)
			headers := []string{}
			if gz {
				headers = []string{"Accept-Encoding", "gzip"}
			}
			resp, body := fetchRaw(t, tileURL(srv.URL, coll, dalianTile), headers...)
			if resp.StatusCode != 200 || (resp.Header.Get("Content-Encoding") == "gzip") != gz {
				t.Fatalf("%s: %d %v", name, resp.StatusCode, resp.Header)
			}
			want := decodeTile(t, body, gz)
			// GDAL georeferences a tile saved as {z}/{x}/{y}.pbf (XYZ order: x before y).
			path := filepath.Join(dir, fmt.Sprintf("%s-%v", coll, gz), "7", strconv.Itoa(int(dalianTile.X)), strconv.Itoa(int(dalianTile.Y))+".pbf")
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, body, 0o644); err != nil {
				t.Fatal(err)
			}
			got, out := ogrinfoCounts(t, "-so", "MVT:"+path)
			if len(got) != len(want) || got[coll] != want[coll] || got[coll] == 0 {
				t.Fatalf("%s: GDAL counts %v, the Go decoder %v\n%s", name, got, want, out)
			}
			if !strings.Contains(out, "using driver `MVT' successful") {
				t.Fatalf("%s: not read by the MVT driver:\n%s", name, out)
			}
			// The extent GDAL reports, in EPSG:3857, holds the port (projects) or Dalian (cities).
			p := dalianPort
			if coll == "cities" {
				p = orb.Point{121.6, 38.91}
			}
			m := ogrExtent.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("%s: no extent:\n%s", name, out)
			}
			var ext [4]float64
			for i := range ext {
				ext[i], _ = strconv.ParseFloat(m[i+1], 64)
			}
			x := p[0] * math.Pi / 180 * 6378137
			y := math.Log(math.Tan(math.Pi/4+p[1]*math.Pi/360)) * 6378137
			const slack = 100 // metres: a tile unit at z7 is 76 m
			if x < ext[0]-slack || x > ext[2]+slack || y < ext[1]-slack || y > ext[3]+slack {
				t.Fatalf("%s: extent %v does not hold %v (%.0f, %.0f)", name, ext, p, x, y)
			}
		}
	}
	// The attributes come through GDAL too.
	_, out := ogrinfoCounts(t, "MVT:"+filepath.Join(dir, "projects-false", "7", strconv.Itoa(int(dalianTile.X)), strconv.Itoa(int(dalianTile.Y))+".pbf"))
	for _, want := range []string{"name_zh (String) = 大连港", "id (String) = port-dalian", "cross_border (Integer(Boolean)) = 0", "section (Integer) = 2"} {
		if !strings.Contains(out, want) {
			t.Errorf("ogrinfo lacks %q:\n%s", want, out)
		}
	}
}

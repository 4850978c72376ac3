package httpapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/planmap/planmap/internal/domain"
)

// plotsGeoJSON holds three plots near Dandong, one named like a project.
const plotsGeoJSON = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"名称":"猴山水库","类型":"水库"},"geometry":{"type":"Polygon","coordinates":[[[124.10,40.40],[124.13,40.40],[124.13,40.42],[124.10,40.42],[124.10,40.40]]]}},
{"type":"Feature","properties":{"名称":"示范地块甲","类型":"水稻"},"geometry":{"type":"Polygon","coordinates":[[[122.05,41.10],[122.06,41.10],[122.06,41.11],[122.05,41.11],[122.05,41.10]]]}},
{"type":"Feature","properties":{"名称":"示范地块乙","类型":"草莓"},"geometry":{"type":"Polygon","coordinates":[[[123.30,41.70],[123.31,41.70],[123.31,41.71],[123.30,41.71],[123.30,41.70]]]}}
]}`

// gbkShapefileZip makes a GBK Shapefile in CGCS2000 Gauss-Kruger zone 41
// (EPSG:4529) with GDAL, as Chinese GIS tools write it, and zips it.
func gbkShapefileZip(t *testing.T, src string) []byte {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "plots.geojson")
	if err := os.WriteFile(in, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "plots.shp")
	cmd := exec.Command("ogr2ogr", "-f", "ESRI Shapefile", "-lco", "ENCODING=GBK", "-s_srs", "EPSG:4326", "-t_srs", "EPSG:4529", out, in)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr: %v\n%s", err, b)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, ext := range []string{".shp", ".shx", ".dbf", ".prj", ".cpg"} {
		b, err := os.ReadFile(filepath.Join(dir, "plots"+ext))
		if err != nil {
			t.Fatalf("ogr2ogr wrote no %s: %v", ext, err)
		}
		w, _ := zw.Create("plots" + ext)
		w.Write(b)
	}
	zw.Close()
	return buf.Bytes()
}

func multipartBody(t *testing.T, filename string, data []byte, fields map[string]string) (string, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	w, _ := mw.CreateFormFile("file", filename)
	w.Write(data)
	mw.Close()
	return buf.String(), mw.FormDataContentType()
}

type uploadView struct {
	ID      int64                 `json:"id"`
	Status  string                `json:"status"`
	Error   string                `json:"error"`
	Summary *domain.UploadSummary `json:"summary"`
	Result  struct {
		Encoding string `json:"Encoding"`
		CRS      struct {
			EPSG int `json:"EPSG"`
		} `json:"CRS"`
	} `json:"result"`
}

func waitUpload(t *testing.T, c *client, auth string, id int64) uploadView {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, body := c.do("GET", "/uploads/"+itoa(id), "", "Authorization", auth)
		var u uploadView
		if err := json.Unmarshal([]byte(body), &u); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		if u.Status != "processing" {
			return u
		}
		if time.Now().After(deadline) {
			t.Fatalf("upload %d still processing: %s", id, body)
		}
		<-time.After(50 * time.Millisecond)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func send(t *testing.T, c *client, auth, filename string, data []byte, fields map[string]string) (int, string, uploadView) {
	t.Helper()
	body, ctype := multipartBody(t, filename, data, fields)
	resp, out := c.do("POST", "/uploads", body, "Authorization", auth, "Content-Type", ctype)
	var u uploadView
	json.Unmarshal([]byte(out), &u)
	return resp.StatusCode, out, u
}

// The flagship case: a GBK Shapefile in a Gauss-Kruger zone is read, shown
// as a draft, committed as a new layer, and matched onto a project.
func TestUploadGBKShapefileInGaussKruger(t *testing.T) {
	c, auth, adminAuth := writer(t, domain.RoleEditor)
	zipped := gbkShapefileZip(t, plotsGeoJSON)
	code, out, u := send(t, c, auth, "地块.zip", zipped, nil)
	if code != 202 || u.ID == 0 {
		t.Fatalf("upload: %d %s", code, out)
	}
	u = waitUpload(t, c, auth, u.ID)
	if u.Status != "ready" || u.Summary == nil || u.Summary.Features != 3 || u.Summary.Valid != 3 || u.Summary.SRID != 4529 {
		t.Fatalf("draft: %+v %+v", u, u.Summary)
	}
	if u.Summary.Matched != 1 {
		t.Fatalf("suggested matches: %d", u.Summary.Matched)
	}
	// The preview has the Chinese attributes decoded and the plots back in
	// longitude and latitude, within a metre of where they were drawn.
	_, body := c.do("GET", "/uploads/"+itoa(u.ID)+"/features", "", "Authorization", auth)
	var draft struct {
		Features []struct {
			Geometry struct {
				Coordinates [][][]float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
			Draft      struct {
				Match string `json:"match"`
			} `json:"draft"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(body), &draft); err != nil || len(draft.Features) != 3 {
		t.Fatalf("preview: %v %s", err, body)
	}
	f0 := draft.Features[0]
	if f0.Properties["名称"] != "猴山水库" || f0.Properties["类型"] != "水库" || f0.Draft.Match != "reservoir-houshan" {
		t.Fatalf("first plot: %+v", f0)
	}
	p := f0.Geometry.Coordinates[0][0]
	if abs(p[0]-124.10) > 1e-5 || abs(p[1]-40.40) > 1e-5 {
		t.Fatalf("first vertex %v, want 124.10 40.40", p)
	}
	// Commit as a new layer.
	resp, body := c.do("POST", "/uploads/"+itoa(u.ID)+"/commit", `{"target":"layer","layer_id":"demo-plots","title_zh":"示范地块","title_en":"Demonstration plots","reason":"survey 2026"}`,
		"Authorization", auth, "Content-Type", "application/json")
	if resp.StatusCode != 200 || !strings.Contains(body, `"written":3`) {
		t.Fatalf("commit: %d %s", resp.StatusCode, body)
	}
	var fc featureCollection
	getJSON(t, c.base+"/collections/demo-plots/items", 200, &fc)
	if fc.NumberMatched != 3 || fc.Features[1].Properties["名称"] != "示范地块甲" {
		t.Fatalf("layer: %+v", fc)
	}
	// A committed draft cannot be committed again.
	if resp, _ := c.do("POST", "/uploads/"+itoa(u.ID)+"/commit", `{"target":"layer","layer_id":"again","title_zh":"x","title_en":"x"}`, "Authorization", auth, "Content-Type", "application/json"); resp.StatusCode != 409 {
		t.Fatalf("second commit: %d", resp.StatusCode)
	}

	// Upload again and put the reservoir's outline on its project.
	_, _, u2 := send(t, c, auth, "plots.zip", zipped, nil)
	u2 = waitUpload(t, c, auth, u2.ID)
	resp, body = c.do("POST", "/uploads/"+itoa(u2.ID)+"/commit", `{"target":"projects","skip_invalid":true,"reason":"outline"}`, "Authorization", auth, "Content-Type", "application/json")
	if resp.StatusCode != 200 || !strings.Contains(body, `"written":1`) {
		t.Fatalf("commit to projects: %d %s", resp.StatusCode, body)
	}
	_, body = c.do("GET", "/collections/projects/items/reservoir-houshan", "")
	if !strings.Contains(body, `"Polygon"`) || !strings.Contains(body, `"location_precision":"site"`) || !strings.Contains(body, "from upload") {
		t.Fatalf("project after commit: %s", body)
	}
	// An admin rolls it back.
	resp, body = c.do("POST", "/collections/projects/items/reservoir-houshan/rollback", `{"version":1,"reason":"wrong file"}`, "Authorization", adminAuth(""), "Content-Type", "application/json")
	if resp.StatusCode != 200 {
		t.Fatalf("rollback: %d %s", resp.StatusCode, body)
	}
	_, body = c.do("GET", "/collections/projects/items/reservoir-houshan", "")
	if !strings.Contains(body, `"Point"`) {
		t.Fatalf("after rollback: %s", body)
	}
}

func TestUploadRefusesBadFiles(t *testing.T) {
	c, auth, _ := writer(t, domain.RoleEditor)
	tests := []struct {
		name     string
		filename string
		data     []byte
		status   int
		msg      string
	}{
		{"lying extension", "plots.zip", []byte(plotsGeoJSON), 415, ""},
		{"empty", "plots.geojson", nil, 400, "empty"},
		{"no name", "", []byte(plotsGeoJSON), 400, "name"},
		{"too large", "big.geojson", bytes.Repeat([]byte(" "), 9<<20), 413, "larger"},
		{"not a map file", "photo.jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), 415, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, _ := send(t, c, auth, tt.filename, tt.data, nil)
			if code != tt.status || !strings.Contains(out, tt.msg) {
				t.Fatalf("%d %s, want %d %q", code, out, tt.status, tt.msg)
			}
		})
	}
	// A file that parses but is broken fails with a reason, and nothing is kept.
	// Broken at its start: refused at once.
	if code, out, _ := send(t, c, auth, "broken.geojson", []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,`), nil); code != 400 {
		t.Fatalf("broken upload: %d %s", code, out)
	}
	// Broken after its first feature: the draft fails with the reason.
	code, _, u := send(t, c, auth, "broken.geojson", []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[122,40]}},{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,`), nil)
	if code != 202 {
		t.Fatalf("broken upload: %d", code)
	}
	u = waitUpload(t, c, auth, u.ID)
	if u.Status != "failed" || u.Error == "" {
		t.Fatalf("broken upload: %+v", u)
	}
	// An invalid geometry is reported with PostGIS's reason and blocks the
	// commit until the uploader agrees to repair or skip it.
	bowtie := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":1},"geometry":{"type":"Polygon","coordinates":[[[122,40],[122.1,40.1],[122.1,40],[122,40.1],[122,40]]]}}]}`
	_, _, u = send(t, c, auth, "bowtie.geojson", []byte(bowtie), nil)
	u = waitUpload(t, c, auth, u.ID)
	if u.Status != "ready" || u.Summary.Invalid != 1 {
		t.Fatalf("bowtie draft: %+v %+v", u, u.Summary)
	}
	_, body := c.do("GET", "/uploads/"+itoa(u.ID)+"/features", "", "Authorization", auth)
	if !strings.Contains(body, "Self-intersection") {
		t.Fatalf("no reason in the preview: %s", body)
	}
	commit := func(req string) (int, string) {
		resp, body := c.do("POST", "/uploads/"+itoa(u.ID)+"/commit", req, "Authorization", auth, "Content-Type", "application/json")
		return resp.StatusCode, body
	}
	if code, body := commit(`{"target":"layer","layer_id":"bowties","title_zh":"x","title_en":"x"}`); code != 400 || !strings.Contains(body, "repair") {
		t.Fatalf("commit without consent: %d %s", code, body)
	}
	if code, body := commit(`{"target":"layer","layer_id":"bowties","title_zh":"x","title_en":"x","repair":true}`); code != 200 || !strings.Contains(body, `"repaired":1`) {
		t.Fatalf("commit with repair: %d %s", code, body)
	}
	var fc featureCollection
	getJSON(t, c.base+"/collections/bowties/items", 200, &fc)
	if fc.NumberMatched != 1 || !strings.Contains(string(fc.Features[0].Geometry), "MultiPolygon") {
		t.Fatalf("repaired layer: %+v", fc)
	}
	// Anonymous visitors cannot upload.
	if resp, _ := newClient(t, c.base).do("POST", "/uploads?filename=x.geojson", plotsGeoJSON, "Content-Type", "application/geo+json"); resp.StatusCode != 401 {
		t.Fatalf("anonymous upload: %d", resp.StatusCode)
	}
}

// Two Shapefiles in one zip, each in its own CRS, both land in place.
func TestUploadLayersWithTheirOwnCRS(t *testing.T) {
	c, auth, _ := writer(t, domain.RoleEditor)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.geojson")
	os.WriteFile(in, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":"a"},"geometry":{"type":"Point","coordinates":[122.5,40.5]}}]}`), 0o644)
	for name, srs := range map[string]string{"zone41": "EPSG:4529", "cgcs": "EPSG:4490"} {
		if out, err := exec.Command("ogr2ogr", "-f", "ESRI Shapefile", "-s_srs", "EPSG:4326", "-t_srs", srs, filepath.Join(dir, name+".shp"), in).CombinedOutput(); err != nil {
			t.Fatalf("ogr2ogr: %v %s", err, out)
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"zone41", "cgcs"} {
		for _, ext := range []string{".shp", ".shx", ".dbf", ".prj"} {
			b, err := os.ReadFile(filepath.Join(dir, name+ext))
			if err != nil {
				t.Fatal(err)
			}
			w, _ := zw.Create(name + ext)
			w.Write(b)
		}
	}
	zw.Close()
	_, out, u := send(t, c, auth, "two.zip", buf.Bytes(), nil)
	u = waitUpload(t, c, auth, u.ID)
	if u.Status != "ready" || u.Summary.Features != 2 {
		t.Fatalf("draft: %s %+v", out, u)
	}
	_, body := c.do("GET", "/uploads/"+itoa(u.ID)+"/features", "", "Authorization", auth)
	var draft struct {
		Features []struct {
			Geometry struct {
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	json.Unmarshal([]byte(body), &draft)
	for i, f := range draft.Features {
		p := f.Geometry.Coordinates
		if len(p) != 2 || abs(p[0]-122.5) > 1e-6 || abs(p[1]-40.5) > 1e-6 {
			t.Fatalf("feature %d at %v, want 122.5 40.5: %s", i, p, body)
		}
	}
}

// Files broken as a whole are refused at once with a 4xx naming the
// problem, and no upload is kept.
func TestUploadRefusesHostileFilesAtOnce(t *testing.T) {
	c, auth, _ := writer(t, domain.RoleEditor)
	zipOf := func(files map[string][]byte) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, b := range files {
			w, _ := zw.Create(name)
			w.Write(b)
		}
		zw.Close()
		return buf.Bytes()
	}
	shp := gbkShapefileZip(t, plotsGeoJSON)
	zr, _ := zip.NewReader(bytes.NewReader(shp), int64(len(shp)))
	members := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		members[f.Name] = b
	}
	withoutShx := map[string][]byte{}
	for k, v := range members {
		if !strings.HasSuffix(k, ".shx") {
			withoutShx[k] = v
		}
	}
	bomb := bytes.Repeat([]byte{'0'}, 2<<30>>4) // 128 MiB of zeros: a high ratio
	tests := []struct {
		name     string
		filename string
		data     []byte
		msg      string
	}{
		{"zip slip", "slip.zip", zipOf(map[string][]byte{"../../etc/x.geojson": []byte(plotsGeoJSON)}), ""},
		{"nested archive", "nested.zip", zipOf(map[string][]byte{"inner.zip": shp}), ""},
		{"missing shx", "noshx.zip", zipOf(withoutShx), ".shx"},
		{"zip bomb", "bomb.zip", zipOf(map[string][]byte{"a.geojson": bomb}), ""},
		{"kml doctype", "evil.kml", []byte(`<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x "y">]><kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&x;</name></Placemark></kml>`), "DOCTYPE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, _ := send(t, c, auth, tt.filename, tt.data, nil)
			if code < 400 || code >= 500 || !strings.Contains(out, tt.msg) || !strings.Contains(out, `"message"`) {
				t.Fatalf("%d %s", code, out)
			}
		})
	}
	_, body := c.do("GET", "/uploads", "", "Authorization", auth)
	if !strings.Contains(body, `"uploads":[]`) {
		t.Fatalf("refused files left uploads: %s", body)
	}
}

// A committed layer is written to the table in the order of its geometries
// (PostGIS's Hilbert order), so that features near each other share table
// pages and a bbox reads few of them; seq keeps the file's order.
func TestUploadCommitWritesInGeometryOrder(t *testing.T) {
	srv, db, svc := newAppWithAuth(t)
	ctx := context.Background()
	if _, err := svc.CreateUser(ctx, "editor-user", "a long password 1", domain.RoleEditor); err != nil {
		t.Fatal(err)
	}
	token, _, err := svc.CreateToken(ctx, "editor-user", "test")
	if err != nil {
		t.Fatal(err)
	}
	c, auth := newClient(t, srv.URL), "Bearer "+token
	// 300 points in a scrambled order, as a CSV that GDAL turns into GeoJSON.
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("n,lon,lat\n")
	for i := 0; i < 300; i++ {
		k := (i * 7919) % 300
		fmt.Fprintf(&csv, "%d,%.5f,%.5f\n", i, 119.5+float64(k%20)*0.3, 39.2+float64(k/20)*0.25)
	}
	os.WriteFile(filepath.Join(dir, "points.csv"), []byte(csv.String()), 0o644)
	out := filepath.Join(dir, "points.geojson")
	if b, err := exec.Command("ogr2ogr", "-f", "GeoJSON", "-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat",
		"-a_srs", "EPSG:4326", out, filepath.Join(dir, "points.csv")).CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr: %v %s", err, b)
	}
	data, _ := os.ReadFile(out)
	_, body, u := send(t, c, auth, "points.geojson", data, nil)
	if u = waitUpload(t, c, auth, u.ID); u.Status != "ready" || u.Summary.Features != 300 {
		t.Fatalf("draft: %s %+v", body, u)
	}
	resp, body := c.do("POST", "/uploads/"+itoa(u.ID)+"/commit", `{"target":"layer","layer_id":"scattered","title_zh":"散点","title_en":"Scattered"}`,
		"Authorization", auth, "Content-Type", "application/json")
	if resp.StatusCode != 200 {
		t.Fatalf("commit: %d %s", resp.StatusCode, body)
	}
	var physicalIsGeom, physicalIsFile, seqIsFile bool
	err = db.Pool.QueryRow(ctx, `SELECT array_agg(seq ORDER BY ctid) = array_agg(seq ORDER BY geom, seq),
       array_agg(seq ORDER BY ctid) = array_agg(seq ORDER BY seq),
       array_agg((properties->>'n')::int ORDER BY seq) = array_agg((properties->>'n')::int ORDER BY (properties->>'n')::int)
FROM layer_feature WHERE layer_id = 'scattered'`).Scan(&physicalIsGeom, &physicalIsFile, &seqIsFile)
	if err != nil {
		t.Fatal(err)
	}
	if !physicalIsGeom || physicalIsFile || !seqIsFile {
		t.Fatalf("rows stored in geometry order: %v, in file order: %v; seq in file order: %v", physicalIsGeom, physicalIsFile, seqIsFile)
	}
}

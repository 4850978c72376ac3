package ingest_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/ingest"
)

// ogr2ogr runs GDAL's ogr2ogr in dir. The tests need gdal-bin (Debian) and
// fail without it: files made by a real tool are the point.
func ogr2ogr(t *testing.T, dir string, args ...string) {
	t.Helper()
	bin, err := exec.LookPath("ogr2ogr")
	if err != nil {
		t.Fatal("ogr2ogr not found: apt-get install -y gdal-bin")
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ogr2ogr %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// zipEntry is one member of a test archive; GBK names are stored without
// the UTF-8 flag, as Chinese Windows tools do.
type zipEntry struct {
	Name    string
	Data    []byte
	RawName bool // Name holds raw (e.g. GBK) bytes; do not flag UTF-8
}

func makeZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.Name, Method: zip.Deflate}
		if e.RawName {
			h.NonUTF8 = true
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipDir zips the files of dir whose names start with prefix.
func zipDir(t *testing.T, dir, prefix string) []byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, prefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	var es []zipEntry
	for _, n := range names {
		if strings.HasSuffix(n, ".zip") {
			continue
		}
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, zipEntry{Name: filepath.Base(n), Data: b})
	}
	if len(es) == 0 {
		t.Fatalf("no files %s* in %s", prefix, dir)
	}
	return makeZip(t, es...)
}

// readAll opens data and reads every feature. err is the first fatal error.
func readAll(t testing.TB, name string, data []byte, opt ingest.Options) ([]*ingest.Feature, *ingest.Result, error) {
	t.Helper()
	r, err := ingest.Open(name, bytes.NewReader(data), int64(len(data)), opt)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	var fs []*ingest.Feature
	for {
		f, err := r.Next()
		if err == io.EOF {
			return fs, r.Result(), nil
		}
		if err != nil {
			return fs, r.Result(), err
		}
		fs = append(fs, f)
	}
}

// mustRead is readAll that fails the test on a fatal error.
func mustRead(t testing.TB, name string, data []byte, opt ingest.Options) ([]*ingest.Feature, *ingest.Result) {
	t.Helper()
	fs, res, err := readAll(t, name, data, opt)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return fs, res
}

// wantError checks err's domain code and message.
func wantError(t testing.TB, err error, code, substr string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want %s containing %q", code, substr)
	}
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("error %v (%T) is not a *domain.Error", err, err)
	}
	if de.Code != code || !strings.Contains(de.Message, substr) {
		t.Fatalf("error %s %q; want %s containing %q", de.Code, de.Message, code, substr)
	}
}

func prop(f *ingest.Feature, name string) any {
	for _, p := range f.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return nil
}

func hasIssue(res *ingest.Result, code string) *ingest.Issue {
	for i := range res.Issues {
		if res.Issues[i].Code == code {
			return &res.Issues[i]
		}
	}
	return nil
}

func issueCodes(res *ingest.Result) []string {
	var out []string
	for _, is := range res.Issues {
		out = append(out, is.Code+"/"+is.Severity)
	}
	return out
}

// points lists every vertex of g in order.
func points(g orb.Geometry) []orb.Point {
	var out []orb.Point
	switch g := g.(type) {
	case orb.Point:
		out = append(out, g)
	case orb.MultiPoint:
		out = append(out, g...)
	case orb.LineString:
		out = append(out, g...)
	case orb.Ring:
		out = append(out, g...)
	case orb.MultiLineString:
		for _, l := range g {
			out = append(out, l...)
		}
	case orb.Polygon:
		for _, r := range g {
			out = append(out, r...)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			out = append(out, points(p)...)
		}
	case orb.Collection:
		for _, c := range g {
			out = append(out, points(c)...)
		}
	}
	return out
}

// sameVertices compares vertex lists within tol.
func sameVertices(t *testing.T, what string, got, want orb.Geometry, tol float64) {
	t.Helper()
	g, w := points(got), points(want)
	if len(g) != len(w) {
		t.Fatalf("%s: %d vertices, want %d (%v vs %v)", what, len(g), len(w), got, want)
	}
	for i := range g {
		if math.Abs(g[i][0]-w[i][0]) > tol || math.Abs(g[i][1]-w[i][1]) > tol {
			t.Fatalf("%s: vertex %d is %v, want %v (tol %g)", what, i, g[i], w[i], tol)
		}
	}
}

func strconvFormat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

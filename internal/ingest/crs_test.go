package ingest_test

import (
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/ingest"
)

// testdata/prj holds .prj text as GDAL writes it (gdalsrsinfo -o wkt_esri,
// wkt1, wkt2) and as other tools do; each file name starts with the EPSG
// code it must map to, or "err".
func TestPRJGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/prj/*.prj")
	if err != nil || len(files) < 40 {
		t.Fatalf("%d .prj files: %v", len(files), err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(f)
		want := strings.SplitN(base, ".", 2)[0]
		got, err := ingest.CRSFromPRJ(string(b))
		if want == "err" {
			if err == nil {
				t.Errorf("%s: got EPSG:%d, want an error", base, got)
			} else if c := domain.ErrorCode(err); c != domain.EUNSUPPORTED && c != domain.EINVALID {
				t.Errorf("%s: error code %s", base, c)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", base, err)
			continue
		}
		if strconv.Itoa(got) != want {
			t.Errorf("%s: EPSG:%d, want EPSG:%s", base, got, want)
		}
	}
}

// Every Gauss-Kruger code planmap knows must have PROJ's name, central
// meridian and false easting (read from PROJ's own proj.db).
func TestGKTableAgainstPROJ(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("projinfo", "--searchpaths").Output()
	if err != nil {
		t.Fatalf("projinfo (proj-bin, installed with gdal-bin): %v", err)
	}
	dbPath := ""
	for _, dir := range strings.Fields(string(out)) {
		if _, err := os.Stat(filepath.Join(dir, "proj.db")); err == nil {
			dbPath = filepath.Join(dir, "proj.db")
			break
		}
	}
	if dbPath == "" {
		t.Fatalf("proj.db not found in %s", out)
	}
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	codes := ingest.GKCodes()
	if len(codes) != 3*(11+11+21+21) {
		t.Fatalf("%d codes", len(codes))
	}
	for _, code := range codes {
		name, cm, fe, ok := ingest.GKParams(code)
		if !ok {
			t.Fatalf("EPSG:%d not Gauss-Kruger", code)
		}
		var pname, method string
		var lon, k, pfe float64
		err := db.QueryRow(`SELECT p.name, c.method_name, c.param2_value, c.param3_value, c.param4_value
FROM projected_crs p JOIN conversion c ON c.auth_name = p.conversion_auth_name AND c.code = p.conversion_code
WHERE p.auth_name = 'EPSG' AND p.code = ?`, strconv.Itoa(code)).Scan(&pname, &method, &lon, &k, &pfe)
		if err != nil {
			t.Fatalf("EPSG:%d: %v", code, err)
		}
		if pname != name || method != "Transverse Mercator" || lon != float64(cm) || k != 1 || pfe != fe {
			t.Errorf("EPSG:%d: planmap %q CM %d FE %.0f; PROJ %q %s CM %g k %g FE %.0f", code, name, cm, fe, pname, method, lon, k, pfe)
		}
	}
}

// Command upload measures planmap's upload pipeline on a large GeoJSON file
// (time and peak memory) beside ogr2ogr loading the same file into the same
// PostGIS.
//
//	go run ./bench/upload --database-url URL --size-mb 500
//
// It writes the file (streamed, not held in memory) to a temporary folder,
// runs the upload in a child process of its own so that the peak resident
// memory measured is the pipeline's alone, then runs ogr2ogr under
// /usr/bin/time -v, and prints a markdown table.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/postgis"
	"github.com/planmap/planmap/internal/upload"
)

func main() {
	dbURL := flag.String("database-url", os.Getenv("DATABASE_URL"), "PostGIS to load into (migrated by this command)")
	sizeMB := flag.Int("size-mb", 500, "size of the generated GeoJSON")
	child := flag.String("child", "", "internal: run the upload of this file and report")
	flag.Parse()
	if *dbURL == "" {
		fmt.Fprintln(os.Stderr, "upload: give --database-url")
		os.Exit(2)
	}
	if *child != "" {
		if err := runChild(*dbURL, *child); err != nil {
			fmt.Fprintln(os.Stderr, "upload:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*dbURL, *sizeMB); err != nil {
		fmt.Fprintln(os.Stderr, "upload:", err)
		os.Exit(1)
	}
}

func run(dbURL string, sizeMB int) error {
	dir, err := os.MkdirTemp("", "planmap-upload-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "plots.geojson")
	n, err := generate(file, int64(sizeMB)<<20)
	if err != nil {
		return err
	}
	fi, _ := os.Stat(file)
	fmt.Printf("generated %s: %d features, %.1f MB\n", file, n, float64(fi.Size())/(1<<20))

	self, err := os.Executable()
	if err != nil {
		return err
	}
	pm, err := timed(self, "--database-url", dbURL, "--child", file)
	if err != nil {
		return fmt.Errorf("planmap upload: %w", err)
	}
	ogr, err := timed("ogr2ogr", "-f", "PostgreSQL", "PG:"+pgConnInfo(dbURL), file, "-nln", "ogr2ogr_bench", "-overwrite",
		"-lco", "GEOMETRY_NAME=geom", "-nlt", "PROMOTE_TO_MULTI", "--config", "PG_USE_COPY", "YES")
	if err != nil {
		return fmt.Errorf("ogr2ogr: %w", err)
	}
	fmt.Printf("\n| loader | file | features | seconds | peak RSS |\n|---|---|---|---|---|\n")
	fmt.Printf("| planmap upload (parse, COPY to draft, validate in PostGIS) | %.0f MB | %d | %.1f | %.0f MB |\n", float64(fi.Size())/(1<<20), n, pm.seconds, pm.maxRSSMB)
	fmt.Printf("| ogr2ogr -f PostgreSQL (PG_USE_COPY) | %.0f MB | %d | %.1f | %.0f MB |\n", float64(fi.Size())/(1<<20), n, ogr.seconds, ogr.maxRSSMB)
	fmt.Printf("\n(machine: %d CPUs, %s/%s; peak RSS from /usr/bin/time -v)\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	return nil
}

// generate streams polygons with attributes into file until it reaches size.
func generate(file string, size int64) (int, error) {
	f, err := os.Create(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewSource(1))
	w.WriteString(`{"type":"FeatureCollection","features":[`)
	var written int64
	n := 0
	for written < size {
		if n > 0 {
			w.WriteByte(',')
		}
		x, y := 119.5+r.Float64()*5.5, 39.2+r.Float64()*3.6
		d := 0.0005 + r.Float64()*0.01
		verts := 8 + r.Intn(40)
		var sb strings.Builder
		fmt.Fprintf(&sb, `{"type":"Feature","properties":{"code":"P%07d","名称":"地块%d","area_mu":%.1f,"kind":"plot"},"geometry":{"type":"Polygon","coordinates":[[`, n, n, r.Float64()*500)
		var first string
		for i := 0; i < verts; i++ {
			a := 2 * math.Pi * float64(i) / float64(verts)
			rr := d * (0.7 + 0.3*r.Float64())
			v := fmt.Sprintf("[%.6f,%.6f]", x+rr*math.Cos(a), y+rr*math.Sin(a))
			if i == 0 {
				first = v
			} else {
				sb.WriteByte(',')
			}
			sb.WriteString(v)
		}
		sb.WriteString("," + first + "]]}}")
		s := sb.String()
		w.WriteString(s)
		written += int64(len(s)) + 1
		n++
	}
	w.WriteString("]}")
	return n, w.Flush()
}

type measure struct{ seconds, maxRSSMB float64 }

// timed runs a command under /usr/bin/time -v.
func timed(name string, args ...string) (measure, error) {
	cmd := exec.Command("/usr/bin/time", append([]string{"-v", name}, args...)...)
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = os.Stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	m := measure{seconds: time.Since(start).Seconds()}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Maximum resident set size (kbytes): "); ok {
			kb, _ := strconv.ParseFloat(v, 64)
			m.maxRSSMB = kb / 1024
		}
	}
	if err != nil {
		return m, fmt.Errorf("%v: %s", err, lastLines(stderr.String(), 5))
	}
	return m, nil
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// pgConnInfo turns a postgres:// URL into the key=value form that GDAL's
// PG driver takes.
func pgConnInfo(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	parts := []string{"dbname=" + strings.TrimPrefix(u.Path, "/")}
	if u.User != nil {
		parts = append(parts, "user="+u.User.Username())
		if p, ok := u.User.Password(); ok {
			parts = append(parts, "password="+p)
		}
	}
	host := u.Query().Get("host")
	if host == "" {
		host = u.Hostname()
	}
	if host != "" {
		parts = append(parts, "host="+host)
	}
	if port := u.Port(); port != "" {
		parts = append(parts, "port="+port)
	}
	return strings.Join(parts, " ")
}

// runChild uploads file through planmap's pipeline and waits for the draft.
func runChild(dbURL, file string) error {
	ctx := context.Background()
	db, err := postgis.Open(ctx, dbURL, postgis.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	svc := upload.New(postgis.NewUploadStore(db), upload.Config{Dir: filepath.Dir(file), MaxBytes: 4 << 30, Batch: 5000,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	defer svc.Close()
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	who := &domain.Principal{Username: "bench", Role: domain.RoleEditor}
	u, err := svc.Receive(ctx, who, filepath.Base(file), io.Reader(f), domain.UploadOptions{})
	if err != nil {
		return err
	}
	for {
		got, err := svc.Upload(ctx, u.ID)
		if err != nil {
			return err
		}
		switch got.Status {
		case domain.UploadReady:
			fmt.Printf("planmap: upload %d ready, %d features, summary %+v\n", got.ID, got.Summary.Features, *got.Summary)
			return nil
		case domain.UploadFailed:
			return fmt.Errorf("upload failed: %s", got.Error)
		}
		<-time.After(200 * time.Millisecond)
	}
}

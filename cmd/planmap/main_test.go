package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/planmap/planmap/internal/postgis/postgistest"
)

var server *postgistest.Server

func TestMain(m *testing.M) { os.Exit(postgistest.Main(m, &server)) }

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunExitCodes(t *testing.T) {
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{nil, 2, "usage"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"serve", "--listen", "nowhere"}, 2, "--listen"},
		{[]string{"version"}, 0, "planmap dev"},
		{[]string{"help"}, 0, "commands:"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
			if code != tt.code || !strings.Contains(out.String()+errOut.String(), tt.out) {
				t.Fatalf("code %d, out %q, err %q", code, out.String(), errOut.String())
			}
		})
	}
}

// The clauses command writes exactly the checked-in clause index.
func TestClausesCommand(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), []string{"clauses"}, func(string) string { return "" }, strings.NewReader(""), &out, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	want, err := os.ReadFile("../../seeds/clauses.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatal("planmap clauses differs from seeds/clauses.json")
	}
}

func TestLoadCommandPrintsCounts(t *testing.T) {
	url := server.URL(t)
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}
	for i := 0; i < 2; i++ { // re-runnable
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"load"}, env, strings.NewReader(""), &out, &errOut); code != 0 {
			t.Fatalf("load exit %d: %s", code, errOut.String())
		}
		s := out.String()
		if !strings.Contains(s, "projects per section:") || !strings.Contains(s, "projects per category:") || !strings.Contains(s, "13 sections, 55 clauses") {
			t.Fatalf("load output: %s", s)
		}
	}
}

// serve starts Main.Serve in the background and returns its base URL.
func serve(t *testing.T, cfg Config) (base string, stop func() error, stdout *syncBuffer) {
	t.Helper()
	stdout = &syncBuffer{}
	m := NewMain(cfg, stdout, io.Discard)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Serve(ctx) }()
	select {
	case addr := <-m.Addr():
		base = "http://" + addr
	case err := <-done:
		cancel()
		m.Close()
		t.Fatalf("serve: %v", err)
	case <-time.After(2 * time.Minute):
		t.Fatal("serve did not start")
	}
	return base, func() error {
		cancel()
		err := <-done
		if cerr := m.Close(); err == nil {
			err = cerr
		}
		return err
	}, stdout
}

func countSection(t *testing.T, base string, section string) (matched int, sections []float64) {
	t.Helper()
	resp, err := http.Get(base + "/collections/projects/items?limit=1000&section=" + section)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var fc struct {
		NumberMatched int `json:"numberMatched"`
		Features      []struct {
			Properties struct {
				Section float64 `json:"section"`
				Clause  string  `json:"clause"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&fc); err != nil {
		t.Fatal(err)
	}
	for _, f := range fc.Features {
		if f.Properties.Clause == "" {
			t.Fatal("a feature lacks its clause")
		}
		sections = append(sections, f.Properties.Section)
	}
	return fc.NumberMatched, sections
}

// Serve with DATABASE_URL loads the built-in geodata into the empty database.
func TestServeWithDatabaseURL(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.DatabaseURL = server.URL(t)
	cfg.DataDir = filepath.Join(t.TempDir(), "never-used")
	base, stop, out := serve(t, cfg)
	n, secs := countSection(t, base, "7")
	if n == 0 {
		t.Fatal("no section-7 projects served")
	}
	for _, s := range secs {
		if s != 7 {
			t.Fatalf("section %v in a section-7 answer", s)
		}
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"planmap_db_pool_total_conns", "planmap_cache_misses", "planmap_version_notifications 1"} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "serving on http://127.0.0.1:") {
		t.Fatalf("stdout: %q", out.String())
	}
	if _, err := os.Stat(cfg.DataDir); !os.IsNotExist(err) {
		t.Fatal("serve with DATABASE_URL created the embedded data dir")
	}
}

// Without DATABASE_URL, serve runs its own cluster, stops it on exit, and
// reuses the data on the next start.
func TestServeEmbeddedDatabase(t *testing.T) {
	dir, err := os.MkdirTemp("", "planmap-serve-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.DataDir = filepath.Join(dir, "state")
	base, stop, _ := serve(t, cfg)
	first, _ := countSection(t, base, "2,7")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	pid := filepath.Join(cfg.DataDir, "postgres", "pgdata", "postmaster.pid")
	if _, err := os.Stat(pid); !os.IsNotExist(err) {
		t.Fatalf("the embedded server still runs after planmap stopped (%v)", err)
	}
	if matches, _ := filepath.Glob(filepath.Join(cfg.DataDir, "postgres", ".s.PGSQL.*")); len(matches) > 0 {
		t.Fatalf("socket left behind: %v", matches)
	}
	base, stop, _ = serve(t, cfg)
	second, _ := countSection(t, base, "2,7")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if first == 0 || first != second {
		t.Fatalf("projects before restart %d, after %d", first, second)
	}
}

// A database loaded from other geodata is reloaded at start; the same
// geodata is not loaded twice.
func TestServeReloadsChangedGeodata(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.DatabaseURL = server.URL(t)
	cfg.GeodataDir = "../../internal/postgis/testdata/geodata"
	base, stop, _ := serve(t, cfg)
	small, _ := countSection(t, base, "1,2,3,4,5,6,7,8,9,10,11,12,13")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	cfg.GeodataDir = ""
	base, stop, _ = serve(t, cfg)
	full, _ := countSection(t, base, "1,2,3,4,5,6,7,8,9,10,11,12,13")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if small != 4 || full <= small {
		t.Fatalf("fixture %d projects, then shipped %d", small, full)
	}
}

func TestUserAndTokenCommands(t *testing.T) {
	url := server.URL(t)
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}
	tests := []struct {
		args  []string
		stdin string
		code  int
		out   string
	}{
		{[]string{"user", "add", "gis.li", "--role", "editor"}, "a good long password\n", 0, "created gis.li (editor)"},
		{[]string{"user", "add", "gis.li", "--role", "editor"}, "a good long password\n", 1, `user "gis.li" exists`},
		{[]string{"user", "add", "boss", "--role", "root"}, "a good long password\n", 1, "role"},
		{[]string{"user", "add", "nopass"}, "", 1, "standard input"},
		{[]string{"user", "add", "short", "--role", "admin"}, "short\n", 1, "12 characters"},
		{[]string{"user", "list"}, "", 0, "gis.li"},
		{[]string{"user", "disable", "gis.li"}, "", 0, "disabled gis.li"},
		{[]string{"user", "disable", "ghost"}, "", 1, `no user "ghost"`},
		{[]string{"user", "enable", "gis.li"}, "", 0, "enabled gis.li"},
		{[]string{"token", "create", "gis.li", "--name", "nightly"}, "", 0, "pmt_"},
		{[]string{"token", "create", "gis.li"}, "", 1, "needs a name"},
		{[]string{"token", "list"}, "", 0, "nightly"},
		{[]string{"token", "revoke", "nope"}, "", 1, "no active token"},
		{[]string{"user"}, "", 2, "usage"},
		{[]string{"user", "add"}, "", 2, "usage"},
		{[]string{"token", "frob"}, "", 2, "usage"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, env, strings.NewReader(tt.stdin), &out, &errOut)
			if code != tt.code || !strings.Contains(out.String()+errOut.String(), tt.out) {
				t.Fatalf("code %d, out %q, err %q", code, out.String(), errOut.String())
			}
			if strings.Contains(out.String()+errOut.String(), "a good long password") {
				t.Fatal("the password was printed")
			}
		})
	}
}

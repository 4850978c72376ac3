package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/planmap/planmap/internal/logbuf"
)

func TestParseConfig(t *testing.T) {
	all := []string{"listen", "data-dir", "database-url", "geodata", "db-max-conns", "statement-timeout", "request-timeout", "shutdown-timeout", "log-format", "log-level", "cache-mb", "index-mb", "page-workers", "tile-workers", "seed-mb"}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(Config) bool
		errPart string
	}{
		{"defaults", nil, nil, func(c Config) bool {
			return c.Listen == "127.0.0.1:8080" && c.DataDir == ".planmap" && c.DatabaseURL == "" && c.MaxConns == 16 && c.IndexMB == 1024
		}, ""},
		{"env", nil, map[string]string{"PLANMAP_LISTEN": "0.0.0.0:9000", "PLANMAP_DATA_DIR": "/var/lib/planmap", "DATABASE_URL": "postgres://u@h/db", "PLANMAP_STATEMENT_TIMEOUT": "3s"}, func(c Config) bool {
			return c.Listen == "0.0.0.0:9000" && c.DataDir == "/var/lib/planmap" && c.DatabaseURL == "postgres://u@h/db" && c.StatementTimeout == 3*time.Second
		}, ""},
		{"flag beats env", []string{"--listen", "127.0.0.1:0"}, map[string]string{"PLANMAP_LISTEN": "0.0.0.0:9000"}, func(c Config) bool { return c.Listen == "127.0.0.1:0" }, ""},
		{"bad listen", []string{"--listen", "8080"}, nil, nil, "--listen"},
		{"bad listen port", []string{"--listen", "127.0.0.1:99999"}, nil, nil, "--listen"},
		{"bad listen env", nil, map[string]string{"PLANMAP_LISTEN": "nowhere"}, nil, "PLANMAP_LISTEN"},
		{"empty data dir", []string{"--data-dir", ""}, nil, nil, "--data-dir"},
		{"bad database url", []string{"--database-url", "postgres://u:secret@h:notaport/db"}, nil, nil, "DATABASE_URL"},
		{"bad int flag", []string{"--db-max-conns", "many"}, nil, nil, "--db-max-conns"},
		{"bad int env", nil, map[string]string{"PLANMAP_DB_MAX_CONNS": "many"}, nil, "PLANMAP_DB_MAX_CONNS"},
		{"int out of range", []string{"--db-max-conns", "0"}, nil, nil, "--db-max-conns"},
		{"index size", []string{"--index-mb", "3072"}, nil, func(c Config) bool { return c.IndexMB == 3072 && c.CacheMB == 256 }, ""},
		{"index off by env", nil, map[string]string{"PLANMAP_INDEX_MB": "0"}, func(c Config) bool { return c.IndexMB == 0 }, ""},
		{"negative index size", []string{"--index-mb", "-1"}, nil, nil, "--index-mb"},
		{"bad index size env", nil, map[string]string{"PLANMAP_INDEX_MB": "lots"}, nil, "PLANMAP_INDEX_MB"},
		{"workers", []string{"--page-workers", "3"}, map[string]string{"PLANMAP_TILE_WORKERS": "4"}, func(c Config) bool { return c.PageWorkers == 3 && c.TileWorkers == 4 }, ""},
		{"workers default", nil, nil, func(c Config) bool { return c.PageWorkers == 0 && c.TileWorkers == 0 }, ""},
		{"negative workers", []string{"--tile-workers", "-2"}, nil, nil, "--tile-workers"},
		{"too many workers", nil, map[string]string{"PLANMAP_PAGE_WORKERS": "5000"}, nil, "PLANMAP_PAGE_WORKERS"},
		{"seed default", nil, nil, func(c Config) bool { return c.SeedMB == -1 }, ""},
		{"seed size", []string{"--seed-mb", "100", "--cache-mb", "512"}, nil, func(c Config) bool { return c.SeedMB == 100 && c.CacheMB == 512 }, ""},
		{"seed off by env", nil, map[string]string{"PLANMAP_SEED_MB": "0"}, func(c Config) bool { return c.SeedMB == 0 }, ""},
		{"seed over the tile cache's share", []string{"--seed-mb", "129"}, nil, nil, "--seed-mb"},
		{"seed with the cache off", []string{"--seed-mb", "1", "--cache-mb", "0"}, nil, nil, "--seed-mb"},
		{"negative seed", nil, map[string]string{"PLANMAP_SEED_MB": "-2"}, nil, "PLANMAP_SEED_MB"},
		{"bad duration", []string{"--statement-timeout", "soon"}, nil, nil, "--statement-timeout"},
		{"negative duration", []string{"--request-timeout", "-1s"}, nil, nil, "--request-timeout"},
		{"bad log format", []string{"--log-format", "xml"}, nil, nil, "--log-format"},
		{"missing geodata dir", []string{"--geodata", "/no/such/dir"}, nil, nil, "--geodata"},
		{"unknown flag", []string{"--colour", "red"}, nil, nil, "colour"},
		{"stray argument", []string{"extra"}, nil, nil, "arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			cfg, err := parseConfig("serve", tt.args, getenv, io.Discard, all...)
			if tt.errPart != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errPart) {
					t.Fatalf("err = %v, want one naming %s", err, tt.errPart)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Fatalf("error leaks the password: %v", err)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Fatalf("error is more than one line: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(cfg) {
				t.Fatalf("config %+v", cfg)
			}
		})
	}
}

// A message to stderr comes after the log lines written before it, though
// serve's log is written out in batches.
func TestStderrMessageFollowsPendingLogLines(t *testing.T) {
	var out bytes.Buffer
	log := logbuf.New(&out, time.Hour, 1<<20)
	defer log.Close()
	fmt.Fprintln(log, "level=INFO msg=request")
	fmt.Fprintln(flushingWriter{log, &out}, "planmap: listen: address in use")
	if got, want := out.String(), "level=INFO msg=request\nplanmap: listen: address in use\n"; got != want {
		t.Fatalf("stderr = %q; want %q", got, want)
	}
}

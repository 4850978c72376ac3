package main

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/planmap/planmap/internal/postgis"
)

// When PostgreSQL goes away, requests fail fast with 503 and Retry-After,
// /readyz turns false, and planmap recovers by itself when it returns.
func TestDatabaseOutageAndRecovery(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(reachableTempDir(t), "pg")
	ccfg := postgis.ClusterConfig{Dir: dir, Ephemeral: true}
	cluster, err := postgis.StartCluster(ctx, ccfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cluster.Stop() }()

	cfg := DefaultConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.DatabaseURL = cluster.ConnString()
	cfg.CacheMB = 0 // every request must reach the database
	base, stop, _ := serve(t, cfg)
	defer stop()

	status := func(path string) (int, string) {
		t.Helper()
		start := time.Now()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("%s took %s; it must fail fast", path, d)
		}
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	for _, p := range []string{"/readyz", "/collections/projects/items?section=7"} {
		if code, _ := status(p); code != 200 {
			t.Fatalf("before the outage %s: %d", p, code)
		}
	}
	if err := cluster.Stop(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/readyz", "/collections/projects/items?section=7", "/collections/projects/items/port-dalian", "/plan/sections"} {
		code, retry := status(p)
		if code != http.StatusServiceUnavailable || retry == "" {
			t.Fatalf("during the outage %s: %d, Retry-After %q", p, code, retry)
		}
	}
	if code, _ := status("/healthz"); code != 200 {
		t.Fatalf("liveness during the outage: %d", code)
	}
	if cluster, err = postgis.StartCluster(ctx, ccfg); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, _ := status("/readyz")
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("planmap did not recover after the database came back")
		}
		<-time.After(100 * time.Millisecond)
	}
	// After recovery, no request fails.
	for i := 0; i < 20; i++ {
		if code, _ := status("/collections/projects/items?section=7"); code != 200 {
			t.Fatalf("after recovery, request %d: %d", i, code)
		}
	}
}

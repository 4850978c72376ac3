package main

import (
	"context"
	"net/http"
	"path/filepath"
	"sync"
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
	cfg.IndexMB = 0
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
	// Restart it under load: eight clients keep reading throughout.
	type result struct {
		at     time.Time
		status int
	}
	results := make(chan result, 100000)
	loadCtx, stopLoad := context.WithCancel(ctx)
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for loadCtx.Err() == nil {
				resp, err := client.Get(base + "/collections/projects/items?section=7")
				st := 0
				if err == nil {
					st = resp.StatusCode
					resp.Body.Close()
				}
				results <- result{time.Now(), st}
			}
		}()
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
	recovered := time.Now()
	<-time.After(2 * time.Second)
	stopLoad()
	wg.Wait()
	close(results)
	during, after := map[int]int{}, 0
	for r := range results {
		switch {
		case r.at.Before(recovered):
			during[r.status]++
		case r.status != 200:
			t.Errorf("after recovery: status %d", r.status)
		default:
			after++
		}
	}
	for st := range during {
		if st != 200 && st != http.StatusServiceUnavailable {
			t.Errorf("during the outage: status %d (want 503 or 200)", st)
		}
	}
	if after == 0 {
		t.Fatal("no request completed after recovery")
	}
	t.Logf("during the outage %v; after recovery %d requests, all 200", during, after)
}

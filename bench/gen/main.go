// Command gen fills an upload layer with synthetic features inside
// Liaoning for load tests:
//
//	go run ./bench/gen --database-url URL --features 200000 --layer bench_polygons [--kind polygons|points|lines] [--seed 1]
//
// It creates the layer (kind 'upload') when absent, replaces its features
// in one transaction, raises its data version (running planmap servers
// learn it at once) and runs ANALYZE. The SQL lives in bench/internal/synth,
// which the Go benchmarks use too.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/planmap/planmap/bench/internal/synth"
)

func main() {
	var (
		url      = flag.String("database-url", os.Getenv("DATABASE_URL"), "PostgreSQL connection string (default $DATABASE_URL)")
		features = flag.Int("features", 200000, "how many features")
		layer    = flag.String("layer", "bench_polygons", "upload layer id")
		kind     = flag.String("kind", synth.Polygons, "polygons, points or lines")
		seed     = flag.Int("seed", 1, "random seed (same seed, same features)")
		batch    = flag.Int("batch", 50000, "features per INSERT")
		timeout  = flag.Duration("timeout", 30*time.Minute, "give up after this long")
	)
	flag.Parse()
	if *url == "" {
		fmt.Fprintln(os.Stderr, "gen: --database-url (or DATABASE_URL) is required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	pool, err := pgxpool.New(ctx, *url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	defer pool.Close()
	start := time.Now()
	res, err := synth.Generate(ctx, pool, synth.Options{Layer: *layer, Kind: *kind, Features: *features, Seed: *seed, Batch: *batch,
		Progress: func(done, total int) {
			fmt.Fprintf(os.Stderr, "gen: %d/%d %s (%.1fs)\n", done, total, *kind, time.Since(start).Seconds())
		}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("generated %d %s into layer %s (version %d) inside %s, %.1f vertices per feature: insert %.1fs, analyze %.1fs, total %.1fs\n",
		res.Features, res.Kind, res.Layer, res.Version, res.Outline, res.AvgVerts, res.Insert.Seconds(), res.Analyze.Seconds(), time.Since(start).Seconds())
}

// Command cluster starts a private, throwaway PostGIS cluster for the
// benchmarks through planmap's own postgis.StartCluster, prints its
// connection string, and stops it (removing its files) on SIGTERM or
// SIGINT.
//
//	go run ./bench/cluster [--dir DIR] [--keep] [--durable] [--set name=value ...]
//
// The first line on stdout is "DATABASE_URL=<connection string>"; the
// second is "ready". With --set, each setting is written with ALTER SYSTEM
// and the server is restarted before it is reported ready.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/planmap/planmap/internal/postgis"
)

type settings []string

func (s *settings) String() string     { return strings.Join(*s, ",") }
func (s *settings) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	var (
		dir     = flag.String("dir", "", "cluster directory (default: a new directory under the system temp dir, removed on exit)")
		keep    = flag.Bool("keep", false, "keep the cluster directory on exit")
		durable = flag.Bool("durable", false, "keep fsync on (default: fsync off, as planmap's tests run)")
		sets    settings
	)
	flag.Var(&sets, "set", "name=value PostgreSQL setting written with ALTER SYSTEM (repeatable)")
	flag.Parse()
	if err := run(*dir, *keep, !*durable, sets); err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
}

func run(dir string, keep, ephemeral bool, sets []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	created := false
	if dir == "" {
		d, err := os.MkdirTemp("", "planmap-bench-pg-")
		if err != nil {
			return err
		}
		dir, created = d, true
	}
	// As root the server runs as user postgres, which must enter the directory.
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	if created && !keep {
		defer os.RemoveAll(dir)
	}
	cfg := postgis.ClusterConfig{Dir: dir, Database: "planmap", Ephemeral: ephemeral}
	startCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	c, err := postgis.StartCluster(startCtx, cfg)
	if err != nil {
		return err
	}
	if len(sets) > 0 {
		if err := alterSystem(startCtx, c.ConnString(), sets); err != nil {
			c.Stop()
			return err
		}
		if err := c.Stop(); err != nil {
			return fmt.Errorf("restart: %w", err)
		}
		if c, err = postgis.StartCluster(startCtx, cfg); err != nil {
			return err
		}
	}
	defer c.Stop()
	fmt.Printf("DATABASE_URL=%s\nready\n", c.ConnString())
	<-ctx.Done()
	return nil
}

func alterSystem(ctx context.Context, url string, sets []string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, s := range sets {
		name, value, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			return fmt.Errorf("--set %q: want name=value", s)
		}
		q := "ALTER SYSTEM SET " + pgx.Identifier{name}.Sanitize() + " = '" + strings.ReplaceAll(value, "'", "''") + "'"
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// Package postgistest gives tests a real, throwaway PostGIS: a private
// cluster started through the same code as planmap's embedded database,
// or the server named by TEST_DATABASE_URL.
package postgistest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/planmap/planmap/internal/postgis"
)

// Server hands out fresh, migrated databases.
type Server struct {
	cluster *postgis.Cluster
	tmpDir  string
	admin   string // connection string of a maintenance database
	seq     atomic.Int64
}

const templateDB = "planmap_test_template"

// Start starts a throwaway cluster, or uses TEST_DATABASE_URL when set,
// and prepares a migrated template database.
func Start() (*Server, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := &Server{}
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		s.admin = u
	} else {
		dir, err := os.MkdirTemp("", "planmap-test-")
		if err != nil {
			return nil, err
		}
		s.tmpDir = dir
		// The server's user must be able to enter the directory when tests run as root.
		if err := os.Chmod(dir, 0o755); err != nil {
			return nil, err
		}
		c, err := postgis.StartCluster(ctx, postgis.ClusterConfig{Dir: dir, Database: "postgres", Ephemeral: true})
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		s.cluster = c
		s.admin = c.ConnString()
	}
	if err := s.exec(ctx, "DROP DATABASE IF EXISTS "+templateDB, "CREATE DATABASE "+templateDB); err != nil {
		s.Close()
		return nil, err
	}
	db, err := postgis.Open(ctx, s.urlFor(templateDB), postgis.Options{MaxConns: 2})
	if err != nil {
		s.Close()
		return nil, err
	}
	_, err = db.Migrate(ctx)
	db.Close()
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Main runs a test binary's tests against a server it starts and stops.
func Main(m *testing.M, s **Server) int {
	srv, err := Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "postgistest:", err)
		return 1
	}
	*s = srv
	defer srv.Close()
	return m.Run()
}

// Close stops the cluster and removes its files.
func (s *Server) Close() {
	if s.cluster != nil {
		s.cluster.Stop()
	}
	if s.tmpDir != "" {
		os.RemoveAll(s.tmpDir)
	}
}

// URL returns a fresh, migrated, empty database's connection string; the
// database is dropped when the test ends.
func (s *Server) URL(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("planmap_test_%d_%d", os.Getpid(), s.seq.Add(1))
	if err := s.exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+templateDB); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	return s.urlFor(name)
}

// NewDB opens a fresh, migrated, empty database for one test.
func (s *Server) NewDB(t testing.TB) *postgis.DB {
	t.Helper()
	db, err := postgis.Open(context.Background(), s.URL(t), postgis.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// Admin returns the connection string of the maintenance database.
func (s *Server) Admin() string { return s.admin }

// Cluster returns the throwaway cluster, or nil under TEST_DATABASE_URL.
func (s *Server) Cluster() *postgis.Cluster { return s.cluster }

func (s *Server) urlFor(db string) string {
	u, err := url.Parse(s.admin)
	if err != nil {
		return s.admin
	}
	u.Path = "/" + db
	return u.String()
}

// exec runs maintenance statements; names come from this package only.
func (s *Server) exec(ctx context.Context, stmts ...string) error {
	conn, err := pgx.Connect(ctx, s.admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("postgistest: %s: %w", q, err)
		}
	}
	return nil
}

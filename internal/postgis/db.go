// Package postgis implements planmap's services on PostgreSQL with PostGIS.
// Every SQL string of planmap lives in this package.
package postgis

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"

	"github.com/planmap/planmap/internal/domain"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Options tune the connection pool.
type Options struct {
	MaxConns         int32
	StatementTimeout time.Duration
	// ReadURL, when set, is a streaming replica that takes the reads.
	ReadURL string
}

// DB is planmap's handle on PostgreSQL: the primary, and a replica for
// reads when one is configured.
type DB struct {
	Pool    *pgxpool.Pool
	replica *pgxpool.Pool
}

// reader returns the pool for a read: the replica, unless there is none
// or ctx asks for the primary.
func (db *DB) reader(ctx context.Context) *pgxpool.Pool {
	if db.replica == nil || domain.UsePrimary(ctx) {
		return db.Pool
	}
	return db.replica
}

// HasReplica reports whether reads go to a replica.
func (db *DB) HasReplica() bool { return db.replica != nil }

// Open connects to connString (and opt.ReadURL) and checks that the
// servers answer.
func Open(ctx context.Context, connString string, opt Options) (*DB, error) {
	pool, err := openPool(ctx, connString, opt)
	if err != nil {
		return nil, err
	}
	db := &DB{Pool: pool}
	if opt.ReadURL != "" {
		if db.replica, err = openPool(ctx, opt.ReadURL, opt); err != nil {
			pool.Close()
			return nil, fmt.Errorf("postgis: read replica: %w", err)
		}
	}
	return db, nil
}

func openPool(ctx context.Context, connString string, opt Options) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("postgis: database URL: %w", err)
	}
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	}
	if opt.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = fmt.Sprint(opt.StatementTimeout.Milliseconds())
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "planmap"
	// Small spatial queries run faster without parallel workers on small machines.
	cfg.ConnConfig.RuntimeParams["max_parallel_workers_per_gather"] = "0"
	// JIT compiling costs more than it saves on planmap's short queries.
	cfg.ConnConfig.RuntimeParams["jit"] = "off"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgis: %w", err)
	}
	var one int
	if err := pool.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgis: connect: %w", mapError(err))
	}
	return pool, nil
}

// Close closes every connection.
func (db *DB) Close() {
	db.Pool.Close()
	if db.replica != nil {
		db.replica.Close()
	}
}

// WriteMark returns the primary's WAL position, to be passed back by a
// client that must read its own writes. It is the insert position, which
// is past the commit record of every committed transaction; the write
// position may not be yet with synchronous_commit off, and a replica
// replayed up to it could still lack the commit.
func (db *DB) WriteMark(ctx context.Context) (string, error) {
	var lsn string
	err := db.Pool.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&lsn)
	return lsn, mapError(err)
}

// CaughtUp reports whether the replica has replayed the primary's WAL up
// to mark; without a replica it is always true.
func (db *DB) CaughtUp(ctx context.Context, mark string) (bool, error) {
	if db.replica == nil {
		return true, nil
	}
	var ok bool
	err := db.replica.QueryRow(ctx, `SELECT COALESCE(pg_last_wal_replay_lsn() >= $1::pg_lsn, true)`, mark).Scan(&ok)
	return ok, mapError(err)
}

// Ping checks that the databases answer a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.Pool.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return mapError(err)
	}
	if db.replica != nil {
		if err := db.replica.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
			return mapError(err)
		}
	}
	return nil
}

// Migrate applies every embedded migration that the database lacks and
// returns the schema version it ends at.
func (db *DB) Migrate(ctx context.Context) (int32, error) {
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return 0, mapError(err)
	}
	defer conn.Release()
	if err := requirePostGIS(ctx, conn.Conn()); err != nil {
		return 0, err
	}
	m, err := migrate.NewMigrator(ctx, conn.Conn(), "planmap_schema_version")
	if err != nil {
		return 0, fmt.Errorf("postgis: migrator: %w", err)
	}
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return 0, err
	}
	if err := m.LoadMigrations(sub); err != nil {
		return 0, fmt.Errorf("postgis: load migrations: %w", err)
	}
	if err := m.Migrate(ctx); err != nil {
		return 0, fmt.Errorf("postgis: migrate: %w", err)
	}
	return m.GetCurrentVersion(ctx)
}

// requirePostGIS makes sure the extension can be created, with an error
// that says what to install when it cannot.
func requirePostGIS(ctx context.Context, conn *pgx.Conn) error {
	var available bool
	err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'postgis')").Scan(&available)
	if err != nil {
		return mapError(err)
	}
	if !available {
		return fmt.Errorf("%w on the database server: %s", ErrExtensionMissing, InstallHint)
	}
	return nil
}

// mapError turns pgx errors into domain errors where a client can act on
// them; the rest stay internal.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57014": // query_canceled, statement_timeout included
			return &domain.Error{Code: domain.EUNAVAILABLE, Message: "the query took too long"}
		case "23505":
			return &domain.Error{Code: domain.ECONFLICT, Message: "a record with that key exists"}
		case "57P01", "57P02", "57P03", "53300":
			return &domain.Error{Code: domain.EUNAVAILABLE, Message: "the database is unavailable"}
		}
		return err
	}
	var netErr net.Error
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) {
		return fmt.Errorf("%w: %w", &domain.Error{Code: domain.EUNAVAILABLE, Message: "the database is unavailable"}, err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", &domain.Error{Code: domain.EUNAVAILABLE, Message: "the database did not answer in time"}, err)
	}
	return err
}

// CollectionVersion returns the data version of a collection; it changes
// with every write to the collection. An unknown collection has version 0.
func (db *DB) CollectionVersion(ctx context.Context, collection string) (int64, error) {
	if collection == domain.CollectionProgrammes {
		collection = domain.CollectionProjects // programmes are made of projects
	}
	var v int64
	err := db.reader(ctx).QueryRow(ctx, `SELECT COALESCE((SELECT version FROM collection_version WHERE collection = $1), 0)`, collection).Scan(&v)
	return v, mapError(err)
}

// Meta returns the value stored under key, or "" when there is none.
func (db *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := db.Pool.QueryRow(ctx, `SELECT COALESCE((SELECT value FROM planmap_meta WHERE key = $1), '')`, key).Scan(&v)
	return v, mapError(err)
}

// SetMeta stores value under key.
func (db *DB) SetMeta(ctx context.Context, key, value string) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO planmap_meta (key, value) VALUES ($1, $2)
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`, key, value)
	return mapError(err)
}

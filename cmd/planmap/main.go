// Command planmap serves the sited projects of Liaoning's 2012
// revitalization work plan from PostGIS.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"sort"
	"syscall"
	"time"

	"github.com/planmap/planmap/frontend"
	"github.com/planmap/planmap/geodata"
	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/gazetteer"
	"github.com/planmap/planmap/internal/httpapi"
	"github.com/planmap/planmap/internal/httpcache"
	"github.com/planmap/planmap/internal/logbuf"
	"github.com/planmap/planmap/internal/ogcapi"
	"github.com/planmap/planmap/internal/plan"
	"github.com/planmap/planmap/internal/postgis"
	"github.com/planmap/planmap/internal/upload"
	"github.com/planmap/planmap/seeds"
)

// version is set at release build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `usage: planmap <command> [flags]

commands:
  serve     run the HTTP server (starts the embedded database unless DATABASE_URL is set)
  migrate   apply database migrations
  load      load the plan and its projects into the database
  clauses   print the clause index of the plan (seeds/clauses.json)
  user      manage accounts: user add NAME --role editor|admin (password on stdin), user list,
            user disable NAME, user enable NAME
  token     manage API tokens: token create USER --name NAME, token list, token revoke ID
  backup    write the database to a file: backup FILE (pg_dump custom format)
  restore   replace the database with a backup: restore FILE
  version   print the version

Run "planmap <command> -h" for the flags of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

// run executes one command and returns the process exit code: 0 on
// success, 1 on a failure, 2 on a usage or configuration error.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	var names []string
	switch cmd {
	case "serve":
		names = []string{"listen", "data-dir", "database-url", "database-read-url", "geodata", "db-max-conns", "statement-timeout", "request-timeout", "shutdown-timeout", "log-format", "log-level",
			"session-ttl", "sign-in-per-minute", "trust-proxy", "cache-mb", "index-mb", "page-workers", "tile-workers", "seed-mb", "max-upload-mb", "writes-per-minute", "debug-listen"}
	case "user", "token":
		return runAccounts(ctx, cmd, rest, getenv, stdin, stdout, stderr)
	case "backup", "restore":
		return runBackup(ctx, cmd, rest, getenv, stdout, stderr)
	case "migrate":
		names = []string{"data-dir", "database-url", "log-format", "log-level"}
	case "load":
		names = []string{"data-dir", "database-url", "geodata", "log-format", "log-level"}
	case "clauses", "version":
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "planmap: unknown command %q\n%s", cmd, usage)
		return 2
	}
	cfg, err := parseConfig(cmd, rest, getenv, stderr, names...)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "planmap: %v\n", err)
		return 2
	}
	logOut := stderr
	if cmd == "serve" {
		// Request logs in batches (see internal/logbuf), written out at the
		// latest every 100 ms, and before anything else goes to stderr.
		lw := logbuf.New(stderr, 100*time.Millisecond, 256<<10)
		defer lw.Close()
		logOut = lw
		stderr = flushingWriter{lw, stderr}
	}
	m := NewMain(cfg, stdout, logOut)
	defer m.Close()
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, "planmap", version)
		return 0
	case "clauses":
		err = m.Clauses()
	case "migrate":
		err = m.Migrate(ctx)
	case "load":
		err = m.LoadData(ctx)
	case "serve":
		if getenv("GOMEMLIMIT") == "" {
			// The caches and the layer index are live memory that the GC
			// cannot free: without a limit the heap may double them before
			// it collects. A soft limit a little above them keeps RSS near
			// what the settings say (GOMEMLIMIT overrides it).
			limit := int64(cfg.IndexMB+cfg.CacheMB*3/2+512) << 20
			debug.SetMemoryLimit(limit)
			m.Logger.Info("memory limit for the Go runtime", "mib", limit>>20, "from", "--index-mb + 1.5 x --cache-mb + 512 MiB")
		}
		err = m.Serve(ctx)
	}
	if err != nil {
		fmt.Fprintf(stderr, "planmap: %v\n", err)
		return 1
	}
	return 0
}

// flushingWriter writes out the log's pending lines before writing to w,
// so that a message to stderr comes after the log lines before it.
type flushingWriter struct {
	log *logbuf.Writer
	w   io.Writer
}

func (f flushingWriter) Write(p []byte) (int, error) {
	f.log.Flush()
	return f.w.Write(p)
}

// Main is the wired program: its Config, database and HTTP server.
type Main struct {
	Config  Config
	Logger  *slog.Logger
	stdout  io.Writer
	cluster *postgis.Cluster
	db      *postgis.DB
	addr    chan string
}

// NewMain returns a Main for cfg.
func NewMain(cfg Config, stdout, stderr io.Writer) *Main {
	level := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}[cfg.LogLevel]
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(stderr, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(stderr, opts)
	}
	return &Main{Config: cfg, Logger: slog.New(h), stdout: stdout, addr: make(chan string, 1)}
}

// Close closes the database and stops the embedded cluster, if any.
func (m *Main) Close() error {
	if m.db != nil {
		m.db.Close()
		m.db = nil
	}
	if m.cluster != nil {
		err := m.cluster.Stop()
		m.cluster = nil
		if err != nil {
			return fmt.Errorf("stop embedded database: %w", err)
		}
		m.Logger.Info("embedded database stopped")
	}
	return nil
}

// Addr returns the address the server listens on, once it does.
func (m *Main) Addr() <-chan string { return m.addr }

// openDB connects to DATABASE_URL, or starts the embedded cluster.
func (m *Main) openDB(ctx context.Context) error {
	url := m.Config.DatabaseURL
	if url == "" {
		dir := filepath.Join(m.Config.DataDir, "postgres")
		m.Logger.Info("starting embedded database", "dir", dir)
		c, err := postgis.StartCluster(ctx, postgis.ClusterConfig{Dir: dir})
		if err != nil {
			return err
		}
		m.cluster = c
		url = c.ConnString()
	}
	db, err := postgis.Open(ctx, url, postgis.Options{MaxConns: int32(m.Config.MaxConns), StatementTimeout: m.Config.StatementTimeout,
		ReadURL: m.Config.DatabaseReadURL})
	if err != nil {
		return err
	}
	m.db = db
	return nil
}

func (m *Main) authService() (*postgis.AuthService, error) {
	cfg := postgis.DefaultAuthConfig()
	if m.Config.SessionTTL > 0 {
		cfg.SessionTTL = m.Config.SessionTTL
	}
	return postgis.NewAuthService(m.db, cfg)
}

// Migrate applies the schema migrations.
func (m *Main) Migrate(ctx context.Context) error {
	if err := m.openDB(ctx); err != nil {
		return err
	}
	v, err := m.db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.stdout, "schema at version %d\n", v)
	return nil
}

// metaGeodata is the planmap_meta key of the loaded geodata's digest.
const metaGeodata = "geodata_digest"

// readData reads the clause index and the geodata, checks them, and
// returns a digest of both.
func (m *Main) readData() (*plan.Index, *gazetteer.Data, string, error) {
	idx, err := plan.Unmarshal([]byte(seeds.ClauseIndex))
	if err != nil {
		return nil, nil, "", err
	}
	var fsys fs.FS = geodata.Files
	if m.Config.GeodataDir != "" {
		fsys = os.DirFS(m.Config.GeodataDir)
	}
	data, err := gazetteer.Load(fsys)
	if err != nil {
		return nil, nil, "", err
	}
	if errs := data.Check(idx); len(errs) > 0 {
		return nil, nil, "", errors.Join(errs...)
	}
	digest, err := gazetteer.Digest(fsys)
	if err != nil {
		return nil, nil, "", err
	}
	return idx, data, digest + "/" + idx.SHA256, nil
}

// load loads the data and records its digest.
func (m *Main) load(ctx context.Context, idx *plan.Index, data *gazetteer.Data, digest string) (*postgis.LoadReport, error) {
	rep, err := m.db.Load(ctx, idx, data)
	if err != nil {
		return nil, err
	}
	return rep, m.db.SetMeta(ctx, metaGeodata, digest)
}

// LoadData migrates and loads the plan and its projects, then prints the
// counts per section and category.
func (m *Main) LoadData(ctx context.Context) error {
	idx, data, digest, err := m.readData()
	if err != nil {
		return err
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	if _, err := m.db.Migrate(ctx); err != nil {
		return err
	}
	rep, err := m.load(ctx, idx, data, digest)
	if err != nil {
		return err
	}
	printReport(m.stdout, idx, rep)
	return nil
}

func printReport(w io.Writer, idx *plan.Index, rep *postgis.LoadReport) {
	fmt.Fprintf(w, "loaded %d sections, %d clauses, %d projects (%d removed)\n", rep.Sections, rep.Clauses, rep.Projects, rep.Removed)
	if len(rep.Layers) > 0 {
		ids := make([]string, 0, len(rep.Layers))
		for id := range rep.Layers {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		fmt.Fprintln(w, "basemap layers:")
		for _, id := range ids {
			fmt.Fprintf(w, "  %-16s %5d features\n", id, rep.Layers[id])
		}
	}
	fmt.Fprintln(w, "projects per section:")
	for _, s := range idx.Sections {
		fmt.Fprintf(w, "  %2d  %3d  %s\n", s.Number, rep.BySection[s.Number], s.TitleZH)
	}
	fmt.Fprintln(w, "projects per category:")
	cats := make([]string, 0, len(rep.ByCategory))
	for c := range rep.ByCategory {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	for _, c := range cats {
		fmt.Fprintf(w, "  %-16s %3d\n", c, rep.ByCategory[c])
	}
}

// Clauses prints the clause index of the plan text.
func (m *Main) Clauses() error {
	idx, err := plan.Parse(seeds.PlanFile, []byte(seeds.PlanText))
	if err != nil {
		return err
	}
	b, err := idx.Marshal()
	if err != nil {
		return err
	}
	_, err = m.stdout.Write(b)
	return err
}

// Serve migrates, loads the plan's data into an empty database (or one
// loaded from other geodata), and serves HTTP until ctx is cancelled; then
// it drains in-flight requests.
func (m *Main) Serve(ctx context.Context) error {
	idx, data, digest, err := m.readData()
	if err != nil {
		return err
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	if _, err := m.db.Migrate(ctx); err != nil {
		return err
	}
	n, err := m.db.ProjectCount(ctx)
	if err != nil {
		return err
	}
	loaded, err := m.db.Meta(ctx, metaGeodata)
	if err != nil {
		return err
	}
	if n == 0 || loaded != digest {
		rep, err := m.load(ctx, idx, data, digest)
		if err != nil {
			return err
		}
		m.Logger.Info("loaded the plan's data", "projects", rep.Projects, "layers", len(rep.Layers), "was_empty", n == 0)
	}
	authSvc, err := m.authService()
	if err != nil {
		return err
	}
	// Data versions come from notifications, so cached answers and ETags
	// change at once when any instance writes.
	versions := postgis.NewVersionWatcher(m.db, m.Logger)
	cache, front := httpapi.NewAnswerCaches(m.Config.CacheMB, versions)
	// Layers are also kept in memory, so that pages and tiles that no
	// cache holds are answered without a query while the data is current.
	index := postgis.NewLayerIndex(m.db, versions, postgis.LayerIndexOptions{MaxBytes: int64(m.Config.IndexMB) << 20, Workers: m.Config.PageWorkers, Logger: m.Logger})
	tiles := postgis.NewTileService(m.db, postgis.TileOptions{Index: index, Workers: m.Config.TileWorkers})
	versions.OnChange(index.Changed)
	// The costliest tiles of each layer the index reads are drawn into the
	// tile cache before anyone asks for them.
	seedMB := m.Config.SeedMB
	if seedMB < 0 {
		seedMB = m.Config.CacheMB / 4
	}
	seeder := ogcapi.NewTileSeeder(tiles, tiles, cache, versions, ogcapi.SeedOptions{MaxBytes: int64(seedMB) << 20, Logger: m.Logger})
	index.OnRead(seeder.Read)
	store := postgis.NewUploadStore(m.db)
	if n, err := store.FailInterrupted(ctx); err != nil {
		return err
	} else if n > 0 {
		m.Logger.Warn("uploads interrupted by the last stop were marked failed", "count", n)
	}
	uploads := upload.New(store, upload.Config{
		Dir:      filepath.Join(m.Config.DataDir, "uploads"),
		MaxBytes: int64(m.Config.MaxUploadMB) << 20,
		Logger:   m.Logger,
	})
	defer uploads.Close()
	watchCtx, stopWatching := context.WithCancel(context.Background())
	defer stopWatching()
	go versions.Run(watchCtx)
	go index.Run(watchCtx)
	go seeder.Run(watchCtx)
	app := httpapi.New(
		httpapi.Config{Version: version, Logger: m.Logger, RequestTimeout: m.Config.RequestTimeout, Assets: frontend.Dist(),
			SessionTTL: m.Config.SessionTTL, SignInPerMinute: float64(m.Config.SignInPerMinute), TrustProxy: m.Config.TrustProxy,
			WritesPerMinute: float64(m.Config.WritesPerMinute), MaxWriteBytes: 16 << 20,
			Cache: cache, Front: front, Gauges: func() map[string]float64 {
				st := m.db.Pool.Stat()
				hits, misses, entries, bytes := cache.Stats()
				fHits, fMisses, fStores, fEntries, fBytes := front.Stats()
				ist := index.Stats()
				sst := seeder.Stats()
				listening := 0.0
				if versions.Listening() {
					listening = 1
				}
				return map[string]float64{
					"planmap_db_pool_acquired_conns": float64(st.AcquiredConns()),
					"planmap_db_pool_idle_conns":     float64(st.IdleConns()),
					"planmap_db_pool_total_conns":    float64(st.TotalConns()),
					"planmap_db_pool_max_conns":      float64(st.MaxConns()),
					"planmap_cache_hits":             float64(hits),
					"planmap_cache_misses":           float64(misses),
					"planmap_cache_entries":          float64(entries),
					"planmap_cache_bytes":            float64(bytes),
					"planmap_front_cache_hits":       float64(fHits),
					"planmap_front_cache_misses":     float64(fMisses),
					"planmap_front_cache_stores":     float64(fStores),
					"planmap_front_cache_entries":    float64(fEntries),
					"planmap_front_cache_bytes":      float64(fBytes),
					"planmap_version_notifications":  listening,
					"planmap_index_layers":           float64(ist.Layers),
					"planmap_index_features":         float64(ist.Features),
					"planmap_index_bytes":            float64(ist.Bytes),
					"planmap_index_builds":           float64(ist.Builds),
					"planmap_index_failures":         float64(ist.Failures),
					"planmap_index_hits":             float64(ist.Hits),
					"planmap_index_tiles_drawn":      float64(tiles.Drawn()),
					"planmap_seed_tiles":             float64(sst.Tiles),
					"planmap_seed_bytes":             float64(sst.Bytes),
					"planmap_seed_pending":           float64(sst.Pending),
				}
			}},
		httpapi.Services{
			Projects: postgis.NewProjectService(m.db),
			Layers:   postgis.NewLayerService(m.db, index),
			Plan:     postgis.NewPlanService(m.db),
			Versions: versions,
			Health:   m.db,
			Auth:     authSvc,
			Edits:    postgis.NewEditService(m.db),
			Uploads:  uploads,
			Filters:  postgis.NewFilterService(m.db, versions),
			Tiles:    tiles,
			Replication: func() domain.Replication {
				if m.db.HasReplica() {
					return m.db
				}
				return nil
			}(),
		})
	ln, err := net.Listen("tcp", m.Config.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Listen, err)
	}
	if m.Config.DebugListen != "" {
		stop, err := serveDebug(m.Config.DebugListen, m.Logger)
		if err != nil {
			ln.Close()
			return err
		}
		defer stop()
	}
	srv := &http.Server{Handler: app, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	if front != nil {
		// Repeated requests are answered on the wire, before net/http.
		ln = httpcache.NewListener(ln, front, httpcache.WireOptions{IdleTimeout: srv.IdleTimeout, ReadHeaderTimeout: srv.ReadHeaderTimeout})
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	addr := ln.Addr().String()
	m.addr <- addr
	fmt.Fprintf(m.stdout, "planmap %s serving on http://%s/\n", version, addr)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	m.Logger.Info("shutting down", "deadline", m.Config.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

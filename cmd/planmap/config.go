package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Config is every setting of planmap, from flags and the environment.
type Config struct {
	Listen           string
	DataDir          string
	DatabaseURL      string
	DatabaseReadURL  string
	GeodataDir       string
	MaxConns         int
	StatementTimeout time.Duration
	RequestTimeout   time.Duration
	ShutdownTimeout  time.Duration
	LogFormat        string
	LogLevel         string
	SessionTTL       time.Duration
	SignInPerMinute  int
	TrustProxy       bool
	CacheMB          int
	IndexMB          int
	PageWorkers      int
	TileWorkers      int
	SeedMB           int
	MaxUploadMB      int
	WritesPerMinute  int
	DebugListen      string
}

// DefaultConfig returns the settings planmap uses when none are given.
func DefaultConfig() Config {
	return Config{
		Listen:           "127.0.0.1:8080",
		DataDir:          ".planmap",
		MaxConns:         16,
		StatementTimeout: 10 * time.Second,
		RequestTimeout:   30 * time.Second,
		ShutdownTimeout:  15 * time.Second,
		LogFormat:        "text",
		LogLevel:         "info",
		SessionTTL:       12 * time.Hour,
		SignInPerMinute:  10,
		CacheMB:          256,
		IndexMB:          1024,
		SeedMB:           -1,
		MaxUploadMB:      512,
		WritesPerMinute:  600,
	}
}

// setting binds one Config field to a flag and an environment variable.
type setting struct {
	flag, env, usage string
	value            flag.Value
}

// ConfigError names the setting whose value is wrong and what it accepts.
type ConfigError struct {
	Setting string
	Value   string
	Want    string
}

func (e *ConfigError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("invalid %s: %s", e.Setting, e.Want)
	}
	return fmt.Sprintf("invalid %s %q: %s", e.Setting, e.Value, e.Want)
}

func settings(c *Config, names ...string) []setting {
	all := map[string]setting{
		"listen":             {"listen", "PLANMAP_LISTEN", "address to serve HTTP on (host:port)", (*stringValue)(&c.Listen)},
		"data-dir":           {"data-dir", "PLANMAP_DATA_DIR", "where the embedded database and local state live", (*stringValue)(&c.DataDir)},
		"database-url":       {"database-url", "DATABASE_URL", "PostgreSQL server to use instead of the embedded one", (*stringValue)(&c.DatabaseURL)},
		"database-read-url":  {"database-read-url", "DATABASE_READ_URL", "a streaming replica of DATABASE_URL to send reads to", (*stringValue)(&c.DatabaseReadURL)},
		"geodata":            {"geodata", "PLANMAP_GEODATA_DIR", "load projects from this folder instead of the built-in geodata", (*stringValue)(&c.GeodataDir)},
		"db-max-conns":       {"db-max-conns", "PLANMAP_DB_MAX_CONNS", "largest number of database connections", (*intValue)(&c.MaxConns)},
		"statement-timeout":  {"statement-timeout", "PLANMAP_STATEMENT_TIMEOUT", "longest a database statement may run", (*durationValue)(&c.StatementTimeout)},
		"request-timeout":    {"request-timeout", "PLANMAP_REQUEST_TIMEOUT", "longest a request may take", (*durationValue)(&c.RequestTimeout)},
		"shutdown-timeout":   {"shutdown-timeout", "PLANMAP_SHUTDOWN_TIMEOUT", "how long in-flight requests may finish at shutdown", (*durationValue)(&c.ShutdownTimeout)},
		"log-format":         {"log-format", "PLANMAP_LOG_FORMAT", "text or json", (*stringValue)(&c.LogFormat)},
		"log-level":          {"log-level", "PLANMAP_LOG_LEVEL", "debug, info, warn or error", (*stringValue)(&c.LogLevel)},
		"session-ttl":        {"session-ttl", "PLANMAP_SESSION_TTL", "how long a browser session lasts", (*durationValue)(&c.SessionTTL)},
		"sign-in-per-minute": {"sign-in-per-minute", "PLANMAP_SIGN_IN_PER_MINUTE", "sign-in attempts allowed per client address and minute", (*intValue)(&c.SignInPerMinute)},
		"cache-mb":           {"cache-mb", "PLANMAP_CACHE_MB", "memory for cached feature responses, in MiB (0 turns the cache off)", (*intValue)(&c.CacheMB)},
		"index-mb":           {"index-mb", "PLANMAP_INDEX_MB", "memory for in-memory copies of layers that answer items and tiles, in MiB (0 turns the index off)", (*intValue)(&c.IndexMB)},
		"page-workers":       {"page-workers", "PLANMAP_PAGE_WORKERS", "item pages written from the layer index at once, the rest queue in order (0: one fewer than the processors, at least 1)", (*intValue)(&c.PageWorkers)},
		"tile-workers":       {"tile-workers", "PLANMAP_TILE_WORKERS", "tiles drawn from the layer index at once, the rest queue in order (0: as many as the processors)", (*intValue)(&c.TileWorkers)},
		"seed-mb":            {"seed-mb", "PLANMAP_SEED_MB", "memory of the cache for tiles drawn ahead of requests once a layer is read, costliest first, in MiB (-1: a quarter of --cache-mb; 0: none)", (*intValue)(&c.SeedMB)},
		"max-upload-mb":      {"max-upload-mb", "PLANMAP_MAX_UPLOAD_MB", "largest upload accepted, in MiB", (*intValue)(&c.MaxUploadMB)},
		"writes-per-minute":  {"writes-per-minute", "PLANMAP_WRITES_PER_MINUTE", "writes allowed per account and minute", (*intValue)(&c.WritesPerMinute)},
		"debug-listen":       {"debug-listen", "PLANMAP_DEBUG_LISTEN", "address for Go's profiler (net/http/pprof); off when empty, keep it on loopback", (*stringValue)(&c.DebugListen)},
		"trust-proxy":        {"trust-proxy", "PLANMAP_TRUST_PROXY", "take client addresses from X-Forwarded-For (only behind a proxy that sets it)", (*boolValue)(&c.TrustProxy)},
	}
	out := make([]setting, 0, len(names))
	for _, n := range names {
		out = append(out, all[n])
	}
	return out
}

// parseConfig fills a Config from the environment, then from args, which
// win, and validates it.
func parseConfig(cmd string, args []string, getenv func(string) string, stderr io.Writer, names ...string) (Config, error) {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("planmap "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	ss := settings(&cfg, names...)
	for _, s := range ss {
		fs.Var(s.value, s.flag, s.usage+" (env "+s.env+")")
	}
	for _, s := range ss {
		if v := getenv(s.env); v != "" {
			if err := s.value.Set(v); err != nil {
				return cfg, &ConfigError{Setting: s.env, Value: v, Want: err.Error()}
			}
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fmt.Fprintf(stderr, "usage: planmap %s [flags]\n", cmd)
			fs.PrintDefaults()
			return cfg, err
		}
		return cfg, flagError(err, ss)
	}
	if fs.NArg() > 0 {
		return cfg, &ConfigError{Setting: "arguments", Value: strings.Join(fs.Args(), " "), Want: "planmap " + cmd + " takes flags only"}
	}
	return cfg, cfg.validate(ss)
}

// flagError rewrites the flag package's error as one line naming the flag.
func flagError(err error, ss []setting) error {
	msg := err.Error()
	for _, s := range ss {
		prefix := "invalid value "
		if strings.HasPrefix(msg, prefix) && strings.Contains(msg, " for flag -"+s.flag+": ") {
			val := strings.TrimPrefix(msg, prefix)
			val = val[:strings.Index(val, " for flag -")]
			uq, _ := strconv.Unquote(val)
			return &ConfigError{Setting: "--" + s.flag, Value: uq, Want: msg[strings.LastIndex(msg, ": ")+2:]}
		}
	}
	return &ConfigError{Setting: "flags", Want: msg}
}

func (c Config) validate(ss []setting) error {
	has := func(name string) bool {
		for _, s := range ss {
			if s.flag == name {
				return true
			}
		}
		return false
	}
	if has("listen") {
		host, port, err := net.SplitHostPort(c.Listen)
		p, perr := strconv.Atoi(port)
		if err != nil || perr != nil || p < 0 || p > 65535 || strings.ContainsAny(host, "/ ") {
			return &ConfigError{Setting: "--listen/PLANMAP_LISTEN", Value: c.Listen, Want: "want host:port, for example 127.0.0.1:8080"}
		}
	}
	if has("data-dir") && strings.TrimSpace(c.DataDir) == "" {
		return &ConfigError{Setting: "--data-dir/PLANMAP_DATA_DIR", Want: "want a directory path"}
	}
	if has("database-url") && c.DatabaseURL != "" {
		if _, err := pgxpool.ParseConfig(c.DatabaseURL); err != nil {
			// The URL may hold a password: name the setting, not the value.
			return &ConfigError{Setting: "--database-url/DATABASE_URL", Want: "want a PostgreSQL URL such as postgres://user@host:5432/planmap"}
		}
	}
	if has("database-read-url") && c.DatabaseReadURL != "" {
		if _, err := pgxpool.ParseConfig(c.DatabaseReadURL); err != nil {
			return &ConfigError{Setting: "--database-read-url/DATABASE_READ_URL", Want: "want a PostgreSQL URL such as postgres://user@replica:5432/planmap"}
		}
		if c.DatabaseURL == "" {
			return &ConfigError{Setting: "--database-read-url/DATABASE_READ_URL", Want: "needs DATABASE_URL, the primary it replicates"}
		}
	}
	if has("geodata") && c.GeodataDir != "" {
		if fi, err := os.Stat(c.GeodataDir); err != nil || !fi.IsDir() {
			return &ConfigError{Setting: "--geodata/PLANMAP_GEODATA_DIR", Value: c.GeodataDir, Want: "want an existing folder holding projects.geojson and vocabularies.json"}
		}
	}
	if has("db-max-conns") && (c.MaxConns < 1 || c.MaxConns > 1000) {
		return &ConfigError{Setting: "--db-max-conns/PLANMAP_DB_MAX_CONNS", Value: strconv.Itoa(c.MaxConns), Want: "want a whole number from 1 to 1000"}
	}
	if has("cache-mb") && (c.CacheMB < 0 || c.CacheMB > 65536) {
		return &ConfigError{Setting: "--cache-mb/PLANMAP_CACHE_MB", Value: strconv.Itoa(c.CacheMB), Want: "want a whole number of MiB from 0 to 65536"}
	}
	if has("index-mb") && (c.IndexMB < 0 || c.IndexMB > 1<<20) {
		return &ConfigError{Setting: "--index-mb/PLANMAP_INDEX_MB", Value: strconv.Itoa(c.IndexMB), Want: "want a whole number of MiB from 0 to 1048576"}
	}
	if has("seed-mb") && c.SeedMB != -1 && (c.SeedMB < 0 || c.SeedMB > c.CacheMB/2) {
		return &ConfigError{Setting: "--seed-mb/PLANMAP_SEED_MB", Value: strconv.Itoa(c.SeedMB),
			Want: fmt.Sprintf("want -1 (a quarter of --cache-mb) or a whole number of MiB from 0 to half of --cache-mb (%d), the tile cache's share", c.CacheMB/2)}
	}
	for _, w := range []struct {
		name, env string
		v         int
	}{{"page-workers", "PLANMAP_PAGE_WORKERS", c.PageWorkers}, {"tile-workers", "PLANMAP_TILE_WORKERS", c.TileWorkers}} {
		if has(w.name) && (w.v < 0 || w.v > 4096) {
			return &ConfigError{Setting: "--" + w.name + "/" + w.env, Value: strconv.Itoa(w.v), Want: "want a whole number from 0 (as many as suit the processors) to 4096"}
		}
	}
	if has("max-upload-mb") && (c.MaxUploadMB < 1 || c.MaxUploadMB > 1<<20) {
		return &ConfigError{Setting: "--max-upload-mb/PLANMAP_MAX_UPLOAD_MB", Value: strconv.Itoa(c.MaxUploadMB), Want: "want a whole number of MiB from 1"}
	}
	if has("writes-per-minute") && (c.WritesPerMinute < 1 || c.WritesPerMinute > 1000000) {
		return &ConfigError{Setting: "--writes-per-minute/PLANMAP_WRITES_PER_MINUTE", Value: strconv.Itoa(c.WritesPerMinute), Want: "want a whole number from 1"}
	}
	if has("sign-in-per-minute") && (c.SignInPerMinute < 1 || c.SignInPerMinute > 10000) {
		return &ConfigError{Setting: "--sign-in-per-minute/PLANMAP_SIGN_IN_PER_MINUTE", Value: strconv.Itoa(c.SignInPerMinute), Want: "want a whole number from 1 to 10000"}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"statement-timeout", c.StatementTimeout}, {"request-timeout", c.RequestTimeout}, {"shutdown-timeout", c.ShutdownTimeout}, {"session-ttl", c.SessionTTL}} {
		if has(d.name) && d.v <= 0 {
			return &ConfigError{Setting: "--" + d.name, Value: d.v.String(), Want: "want a positive duration such as 10s"}
		}
	}
	if has("log-format") && c.LogFormat != "text" && c.LogFormat != "json" {
		return &ConfigError{Setting: "--log-format/PLANMAP_LOG_FORMAT", Value: c.LogFormat, Want: "want text or json"}
	}
	if has("log-level") {
		switch c.LogLevel {
		case "debug", "info", "warn", "error":
		default:
			return &ConfigError{Setting: "--log-level/PLANMAP_LOG_LEVEL", Value: c.LogLevel, Want: "want debug, info, warn or error"}
		}
	}
	return nil
}

type stringValue string

func (v *stringValue) Set(s string) error { *v = stringValue(s); return nil }
func (v *stringValue) String() string     { return string(*v) }

type intValue int

func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("want a whole number")
	}
	*v = intValue(n)
	return nil
}
func (v *intValue) String() string { return strconv.Itoa(int(*v)) }

type durationValue time.Duration

func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("want a duration such as 10s or 500ms")
	}
	*v = durationValue(d)
	return nil
}
func (v *durationValue) String() string { return time.Duration(*v).String() }

type boolValue bool

func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("want true or false")
	}
	*v = boolValue(b)
	return nil
}
func (v *boolValue) String() string   { return strconv.FormatBool(bool(*v)) }
func (v *boolValue) IsBoolFlag() bool { return true }

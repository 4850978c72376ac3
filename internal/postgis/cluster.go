package postgis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrServerMissing reports that no PostgreSQL server binaries were found.
var ErrServerMissing = errors.New("postgis: PostgreSQL server not found")

// ErrExtensionMissing reports that the PostGIS extension is not installed.
var ErrExtensionMissing = errors.New("postgis: PostGIS extension not installed")

// InstallHint says what to install on Debian or Ubuntu.
const InstallHint = "install it with: sudo apt-get install -y postgresql postgresql-15-postgis-3 (use the PostGIS package that matches your PostgreSQL version)"

// ClusterConfig configures a private PostgreSQL cluster.
type ClusterConfig struct {
	// Dir holds the cluster: Dir/pgdata and, when the path is short enough, the socket.
	Dir string
	// BinDir holds initdb and postgres; empty means the newest /usr/lib/postgresql/*/bin or PATH.
	BinDir string
	// Database is created on first start; empty means "planmap".
	Database string
	// Ephemeral trades durability for speed (fsync off), for tests.
	Ephemeral bool
	// Log receives the server's log; nil means Dir/postgres.log.
	Log *os.File
	// StandbyOf, when set, makes the cluster a streaming replica of the
	// cluster whose socket directory it names (for tests of read replicas).
	StandbyOf string
}

// Cluster is a private PostgreSQL server that listens on a unix socket
// only. It runs as a child process and dies with its parent.
type Cluster struct {
	cfg       ClusterConfig
	binDir    string
	dataDir   string
	socketDir string
	cmd       *exec.Cmd
	exited    chan error
	cred      *syscall.Credential
	owner     *user.User
	// attached is true when another process runs the server.
	attached bool
}

// StartCluster initialises the cluster on first use and starts it.
// A second start on the same Dir reuses the data.
func StartCluster(ctx context.Context, cfg ClusterConfig) (*Cluster, error) {
	if cfg.Database == "" {
		cfg.Database = "planmap"
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{cfg: cfg, dataDir: filepath.Join(dir, "pgdata")}
	if c.binDir, err = findBinDir(cfg.BinDir); err != nil {
		return nil, err
	}
	if err := c.checkPostGIS(); err != nil {
		return nil, err
	}
	if err := c.resolveUser(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("postgis: create data dir: %w", err)
	}
	if err := c.prepareDirs(dir); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(c.dataDir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		init := c.initdb
		if cfg.StandbyOf != "" {
			init = c.baseBackup
		}
		if err := init(ctx); err != nil {
			return nil, err
		}
	}
	// Another planmap (serve, while this is a user or backup command) may
	// run the server already: use it through its socket, and leave it be.
	if c.runningServer() {
		c.attached = true
		if err := c.waitReady(ctx); err != nil {
			return nil, err
		}
	} else if err := c.start(ctx); err != nil {
		return nil, err
	}
	if err := c.ensureDatabase(ctx); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// ConnString returns a connection string for the cluster's database.
func (c *Cluster) ConnString() string { return c.connString(c.cfg.Database) }

func (c *Cluster) connString(db string) string {
	u := url.URL{Scheme: "postgres", User: url.User("planmap"), Path: "/" + db}
	q := url.Values{"host": {c.socketDir}, "sslmode": {"disable"}}
	u.RawQuery = q.Encode()
	return u.String()
}

// SocketDir is the directory that holds the server's unix socket.
func (c *Cluster) SocketDir() string { return c.socketDir }

// Attached reports whether the server belongs to another process.
func (c *Cluster) Attached() bool { return c.attached }

// runningServer reports whether postmaster.pid names a live process.
func (c *Cluster) runningServer() bool {
	b, err := os.ReadFile(filepath.Join(c.dataDir, "postmaster.pid"))
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil || pid <= 0 {
		return false
	}
	return syscall.Kill(pid, 0) == nil
}

// Stop shuts the server down fast and waits for it to exit; a server of
// another process is left running.
func (c *Cluster) Stop() error {
	if c.attached || c.cmd == nil || c.cmd.Process == nil {
		return nil
	}
	// SIGINT is PostgreSQL's fast shutdown: roll back, checkpoint, exit.
	_ = c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-c.exited:
		c.cmd = nil
		return exitErr(err)
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Signal(syscall.SIGQUIT)
		err := <-c.exited
		c.cmd = nil
		return exitErr(err)
	}
}

func exitErr(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 0 {
		return nil
	}
	return err
}

func findBinDir(explicit string) (string, error) {
	has := func(dir string) bool {
		_, err := os.Stat(filepath.Join(dir, "postgres"))
		_, err2 := os.Stat(filepath.Join(dir, "initdb"))
		return err == nil && err2 == nil
	}
	if explicit != "" {
		if has(explicit) {
			return explicit, nil
		}
		return "", fmt.Errorf("%w in %s: %s", ErrServerMissing, explicit, InstallHint)
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if has(d) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if d := filepath.Dir(p); has(d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("%w: %s", ErrServerMissing, InstallHint)
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// checkPostGIS looks for postgis.control where this server reads extensions.
func (c *Cluster) checkPostGIS() error {
	var shareDirs []string
	if out, err := exec.Command(filepath.Join(c.binDir, "pg_config"), "--sharedir").Output(); err == nil {
		shareDirs = append(shareDirs, strings.TrimSpace(string(out)))
	}
	if v := versionOf(c.binDir); v > 0 {
		shareDirs = append(shareDirs, fmt.Sprintf("/usr/share/postgresql/%d", v))
	}
	shareDirs = append(shareDirs, filepath.Join(filepath.Dir(c.binDir), "share"), filepath.Join(filepath.Dir(c.binDir), "share", "postgresql"))
	for _, d := range shareDirs {
		if _, err := os.Stat(filepath.Join(d, "extension", "postgis.control")); err == nil {
			return nil
		}
	}
	hint := InstallHint
	if v := versionOf(c.binDir); v > 0 {
		hint = fmt.Sprintf("install it with: sudo apt-get install -y postgresql-%d-postgis-3", v)
	}
	return fmt.Errorf("%w for the server in %s: %s", ErrExtensionMissing, c.binDir, hint)
}

// resolveUser picks who runs the server: the caller, or when the caller is
// root (which PostgreSQL refuses), the unprivileged "postgres" user.
func (c *Cluster) resolveUser() error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("postgis: running as root needs the unprivileged system user \"postgres\" to run the server (the Debian postgresql package creates it): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	c.owner = u
	return nil
}

// prepareDirs chooses the socket directory and hands the directories to
// the server's user when the caller is root.
func (c *Cluster) prepareDirs(dir string) error {
	c.socketDir = dir
	// A unix socket path is limited to 107 bytes: DIR/.s.PGSQL.5432.
	if len(filepath.Join(dir, ".s.PGSQL.5432")) > 100 {
		sum := sha256.Sum256([]byte(dir))
		c.socketDir = filepath.Join(os.TempDir(), "planmap-"+hex.EncodeToString(sum[:6]))
		if err := os.MkdirAll(c.socketDir, 0o700); err != nil {
			return fmt.Errorf("postgis: socket dir: %w", err)
		}
	}
	if c.cred == nil {
		return nil
	}
	for _, d := range []string{dir, c.socketDir} {
		if err := os.Chown(d, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return fmt.Errorf("postgis: hand %s to user postgres: %w", d, err)
		}
	}
	// Every parent must be searchable by the server's user.
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o001 == 0 {
			if st, ok := fi.Sys().(*syscall.Stat_t); !ok || st.Uid != c.cred.Uid {
				return fmt.Errorf("postgis: the server runs as user postgres, which cannot enter %s; choose a data dir it can reach (--data-dir /var/lib/planmap) or allow it: chmod o+x %s", p, p)
			}
		}
		if p == "/" {
			break
		}
	}
	return nil
}

func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, name), args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "TZ=UTC")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Setpgid: true}
	if c.owner != nil {
		cmd.Dir = "/"
		cmd.Env = append(cmd.Env, "HOME="+c.owner.HomeDir, "USER=postgres")
	}
	return cmd
}

func (c *Cluster) initdb(ctx context.Context) error {
	args := []string{"-D", c.dataDir, "-U", "planmap", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"}
	if c.cfg.Ephemeral {
		args = append(args, "--no-sync")
	}
	out, err := c.command(ctx, "initdb", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("postgis: initdb %s: %w\n%s", c.dataDir, err, lastLines(out, 10))
	}
	return nil
}

// baseBackup copies the primary's data and configures streaming from it.
func (c *Cluster) baseBackup(ctx context.Context) error {
	out, err := c.command(ctx, "pg_basebackup", "-h", c.cfg.StandbyOf, "-U", "planmap", "-D", c.dataDir, "-R", "-X", "stream", "-c", "fast").CombinedOutput()
	if err != nil {
		return fmt.Errorf("postgis: pg_basebackup from %s: %w\n%s", c.cfg.StandbyOf, err, lastLines(out, 10))
	}
	return nil
}

func (c *Cluster) start(ctx context.Context) error {
	args := []string{"-D", c.dataDir,
		"-c", "listen_addresses=",
		"-c", "unix_socket_directories=" + c.socketDir,
		"-c", "unix_socket_permissions=0700",
		// Parallel workers cost more than they save on this workload's small queries.
		"-c", "max_parallel_workers_per_gather=0",
		"-c", "timezone=UTC",
	}
	if c.cfg.Ephemeral {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd := c.command(context.Background(), "postgres", args...)
	// The server must not outlive planmap, even after kill -9: SIGINT is fast shutdown.
	cmd.SysProcAttr.Pdeathsig = syscall.SIGINT
	logFile := c.cfg.Log
	if logFile == nil {
		f, err := os.OpenFile(filepath.Join(filepath.Dir(c.dataDir), "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("postgis: server log: %w", err)
		}
		defer f.Close()
		logFile = f
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("postgis: start server: %w", err)
	}
	c.cmd = cmd
	c.exited = make(chan error, 1)
	go func() { c.exited <- cmd.Wait() }()
	return c.waitReady(ctx)
}

func (c *Cluster) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := pgx.Connect(ctx, c.connString("postgres"))
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		var exited <-chan error = c.exited
		if c.attached {
			exited = nil
		}
		select {
		case err := <-exited:
			c.cmd = nil
			return fmt.Errorf("postgis: server exited during start-up (%v); see %s", err, filepath.Join(filepath.Dir(c.dataDir), "postgres.log"))
		case <-ctx.Done():
			c.Stop()
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.Stop()
			return fmt.Errorf("postgis: server not ready after 60s: %w", err)
		}
	}
}

func (c *Cluster) ensureDatabase(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.connString("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", c.cfg.Database).Scan(&exists); err != nil {
		return err
	}
	if !exists && c.cfg.StandbyOf == "" {
		// CREATE DATABASE takes no parameters; the name is quoted by pgx.
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{c.cfg.Database}.Sanitize()); err != nil {
			return fmt.Errorf("postgis: create database: %w", err)
		}
	}
	return nil
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

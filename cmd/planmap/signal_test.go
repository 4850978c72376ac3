package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds planmap once for tests that run it as a process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "planmap")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func reachableTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "planmap-proc-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startServe runs `planmap serve` with the embedded database and returns
// the process and its base URL.
func startServe(t *testing.T, bin, dataDir string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir)
	cmd.Env = append(os.Environ(), "DATABASE_URL=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, after, ok := strings.Cut(sc.Text(), "serving on "); ok {
				urls <- strings.TrimSuffix(after, "/")
			}
		}
	}()
	select {
	case u := <-urls:
		return cmd, u
	case <-time.After(2 * time.Minute):
		t.Fatal("planmap serve did not print its URL")
	}
	return nil, ""
}

// postmasterRunning reports whether the embedded server's pid file names a live process.
func postmasterRunning(dataDir string) bool {
	b, err := os.ReadFile(filepath.Join(dataDir, "postgres", "pgdata", "postmaster.pid"))
	if err != nil {
		return false
	}
	var pid int
	if _, err := fmt.Sscan(strings.SplitN(string(b), "\n", 2)[0], &pid); err != nil {
		return false
	}
	return syscall.Kill(pid, 0) == nil
}

func waitFor(cond func() bool, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		<-time.After(50 * time.Millisecond)
	}
	return cond()
}

// SIGTERM and Ctrl-C stop planmap and its database cleanly; SIGKILL of
// planmap still takes the database down with it.
func TestServeStopsOnSignals(t *testing.T) {
	bin := buildBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			dataDir := filepath.Join(reachableTempDir(t), "state")
			cmd, base := startServe(t, bin, dataDir)
			resp, err := http.Get(base + "/readyz")
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("readyz: %v %v", resp, err)
			}
			resp.Body.Close()
			if !postmasterRunning(dataDir) {
				t.Fatal("no embedded database is running")
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				var ee *exec.ExitError
				if sig != syscall.SIGKILL && err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 0) {
					t.Fatalf("planmap exited with %v after %s", err, sig)
				}
			case <-ctx.Done():
				t.Fatalf("planmap did not exit after %s", sig)
			}
			if !waitFor(func() bool { return !postmasterRunning(dataDir) }, 30*time.Second) {
				t.Fatalf("the embedded database outlived planmap after %s", sig)
			}
		})
	}
}

package postgis

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// Dump writes the database at connString to file in pg_dump's custom
// format, which Restore reads; it needs the server's pg_dump.
func Dump(ctx context.Context, binDir, connString, file string) error {
	pgDump, err := clientTool(binDir, "pg_dump")
	if err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, pgDump, "--format=custom", "--no-owner", "--file", file, "--dbname", connString).CombinedOutput()
	if err != nil {
		return fmt.Errorf("postgis: pg_dump: %w: %s", err, lastLines(out, 5))
	}
	return nil
}

// Restore loads a dump made by Dump into the database at connString,
// replacing the objects it holds, in one transaction.
func Restore(ctx context.Context, binDir, connString, file string) error {
	pgRestore, err := clientTool(binDir, "pg_restore")
	if err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, pgRestore, "--clean", "--if-exists", "--no-owner", "--single-transaction",
		"--exit-on-error", "--dbname", connString, file).CombinedOutput()
	if err != nil {
		return fmt.Errorf("postgis: pg_restore: %w: %s", err, lastLines(out, 5))
	}
	return nil
}

// clientTool finds a PostgreSQL client program, the server's own first.
func clientTool(binDir, name string) (string, error) {
	if binDir == "" {
		var err error
		if binDir, err = findBinDir(""); err != nil {
			if p, lerr := exec.LookPath(name); lerr == nil {
				return p, nil
			}
			return "", err
		}
	}
	p := filepath.Join(binDir, name)
	if _, err := exec.LookPath(p); err != nil {
		return "", fmt.Errorf("postgis: %s not found in %s: %s", name, binDir, strings.TrimSpace(InstallHint))
	}
	return p, nil
}

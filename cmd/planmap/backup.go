package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/planmap/planmap/internal/postgis"
)

// runBackup runs "backup FILE" and "restore FILE" on the database serve
// uses: DATABASE_URL, or the embedded one (started, or attached to while
// serve runs).
func runBackup(ctx context.Context, cmd string, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || len(args[0]) == 0 || args[0][0] == '-' {
		fmt.Fprintf(stderr, "usage: planmap %s FILE [--data-dir DIR] [--database-url URL]\n", cmd)
		return 2
	}
	file := args[0]
	cfg, err := parseConfig(cmd, args[1:], getenv, stderr, "data-dir", "database-url")
	if err != nil {
		fmt.Fprintf(stderr, "planmap: %v\n", err)
		return 2
	}
	if cmd == "restore" {
		if _, err := os.Stat(file); err != nil {
			fmt.Fprintf(stderr, "planmap: backup file %s: %v\n", file, err)
			return 1
		}
	}
	m := NewMain(cfg, stdout, stderr)
	defer m.Close()
	if err := m.openDB(ctx); err != nil {
		fmt.Fprintf(stderr, "planmap: %v\n", err)
		return 1
	}
	conn := m.Config.DatabaseURL
	if conn == "" {
		conn = m.cluster.ConnString()
	}
	if cmd == "backup" {
		err = postgis.Dump(ctx, "", conn, file)
	} else {
		err = postgis.Restore(ctx, "", conn, file)
	}
	if err != nil {
		fmt.Fprintf(stderr, "planmap: %v\n", err)
		return 1
	}
	fi, _ := os.Stat(file)
	if cmd == "backup" {
		fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", file, fi.Size())
	} else {
		fmt.Fprintf(stdout, "restored %s\n", file)
	}
	return 0
}

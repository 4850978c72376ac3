package main

import (
	"bytes"
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// A backup restored into an empty database gives the same data back, the
// edits and their history included.
func TestBackupAndRestore(t *testing.T) {
	ctx := context.Background()
	source := server.URL(t)
	env := func(url string) func(string) string {
		return func(k string) string {
			if k == "DATABASE_URL" {
				return url
			}
			return ""
		}
	}
	if code := run(ctx, []string{"load"}, env(source), strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
		t.Fatal("load failed")
	}
	conn, err := pgx.Connect(ctx, source)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE project SET name_en = 'Edited before the backup' WHERE id = 'port-dalian'`); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "planmap.dump")
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"backup", file}, env(source), strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("backup: %s", errOut.String())
	}
	// Restore into a new, empty database.
	admin, err := pgx.Connect(ctx, server.Admin())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `CREATE DATABASE restore_target`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(context.Background(), `DROP DATABASE IF EXISTS restore_target WITH (FORCE)`) })
	u, err := url.Parse(server.Admin())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/restore_target"
	target := u.String()
	if code := run(ctx, []string{"restore", file}, env(target), strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("restore: %s", errOut.String())
	}
	tconn, err := pgx.Connect(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer tconn.Close(ctx)
	for _, q := range []string{
		`SELECT count(*)::text FROM project`,
		`SELECT name_en FROM project WHERE id = 'port-dalian'`,
		`SELECT count(*)::text FROM layer_feature`,
		`SELECT string_agg(version::text, ',' ORDER BY version) FROM planmap_schema_version`,
		`SELECT ST_AsText(geom) FROM project WHERE id = 'port-dalian'`,
	} {
		var a, b string
		if err := conn.QueryRow(ctx, q).Scan(&a); err != nil {
			t.Fatal(err)
		}
		if err := tconn.QueryRow(ctx, q).Scan(&b); err != nil {
			t.Fatalf("%s in the restored database: %v", q, err)
		}
		if a != b {
			t.Fatalf("%s: source %q, restored %q", q, a, b)
		}
	}
	// A missing file is refused with its name.
	errOut.Reset()
	if code := run(ctx, []string{"restore", "/no/such.dump"}, env(target), strings.NewReader(""), &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "/no/such.dump") {
		t.Fatalf("missing file: %d %s", code, errOut.String())
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/planmap/planmap/internal/postgis"
)

// With DATABASE_READ_URL, reads go to a streaming replica and writes to
// the primary; a writer reads its own writes before the replica has them.
func TestReadReplicaAndReadYourWrites(t *testing.T) {
	ctx := context.Background()
	root := reachableTempDir(t)
	primary, err := postgis.StartCluster(ctx, postgis.ClusterConfig{Dir: filepath.Join(root, "primary"), Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	defer primary.Stop()
	replica, err := postgis.StartCluster(ctx, postgis.ClusterConfig{Dir: filepath.Join(root, "replica"), Ephemeral: true, StandbyOf: primary.SocketDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer replica.Stop()
	rconn, err := pgx.Connect(ctx, replica.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer rconn.Close(ctx)
	var inRecovery bool
	if err := rconn.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&inRecovery); err != nil || !inRecovery {
		t.Fatalf("the replica is not a standby: %v %v", inRecovery, err)
	}

	env := func(k string) string {
		if k == "DATABASE_URL" {
			return primary.ConnString()
		}
		return ""
	}
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"user", "add", "gis", "--role", "editor"}, env, strings.NewReader("a long password 1\n"), &out, &errOut); code != 0 {
		t.Fatalf("user add: %s", errOut.String())
	}
	out.Reset()
	if code := run(ctx, []string{"token", "create", "gis", "--name", "replica"}, env, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("token create: %s", errOut.String())
	}
	token := strings.TrimSpace(out.String())

	cfg := DefaultConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.DatabaseURL = primary.ConnString()
	cfg.DatabaseReadURL = replica.ConnString()
	base, stop, _ := serve(t, cfg)
	defer stop()

	get := func(path string, headers ...string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	// Wait until the replica has the loaded plan.
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, _ := get("/collections/projects/items/port-dalian")
		if resp.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica never got the data: %d", resp.StatusCode)
		}
		<-time.After(100 * time.Millisecond)
	}
	// Hold the replica where it is, then write.
	if _, err := rconn.Exec(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	// A pause is only requested until replay reaches a point to stop at.
	for state := ""; state != "paused"; {
		if err := rconn.QueryRow(ctx, `SELECT pg_get_wal_replay_pause_state()`).Scan(&state); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("replay is %q, not paused", state)
		}
	}
	resp, _ := get("/collections/projects/items/port-dalian")
	req, _ := http.NewRequest("PATCH", base+"/collections/projects/items/port-dalian", strings.NewReader(`{"properties":{"name_en":"Port of Dalian (edited)"}}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/merge-patch+json")
	req.Header.Set("If-Match", resp.Header.Get("ETag"))
	wresp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	wbody, _ := io.ReadAll(wresp.Body)
	wresp.Body.Close()
	mark := wresp.Header.Get("Planmap-Write-Lsn")
	if wresp.StatusCode != 200 || mark == "" {
		t.Fatalf("write: %d %s %v", wresp.StatusCode, wbody, wresp.Header)
	}
	name := func(body string) string {
		var f struct {
			Properties struct {
				NameEN string `json:"name_en"`
			} `json:"properties"`
		}
		json.Unmarshal([]byte(body), &f)
		return f.Properties.NameEN
	}
	// Others read the replica, which has not replayed the write yet ...
	if _, body := get("/collections/projects/items/port-dalian"); name(body) == "Port of Dalian (edited)" {
		t.Fatal("a plain read saw the write while the replica was paused: reads do not go to the replica")
	}
	// ... while the writer, carrying the mark, reads the primary.
	if _, body := get("/collections/projects/items/port-dalian", "Planmap-Min-Lsn", mark); name(body) != "Port of Dalian (edited)" {
		t.Fatalf("the writer did not read its own write: %q", name(body))
	}
	// Once the replica replays, everyone sees it.
	if _, err := rconn.Exec(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		if _, body := get("/collections/projects/items/port-dalian"); name(body) == "Port of Dalian (edited)" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the replica never showed the write")
		}
		<-time.After(100 * time.Millisecond)
	}
}

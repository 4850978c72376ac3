package postgis_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/planmap/planmap/internal/postgis"
)

func TestVersionWatcherFollowsNotifications(t *testing.T) {
	db, _ := loaded(t)
	// A second instance on the same database writes; this one must learn of it.
	other, err := postgis.Open(context.Background(), db.Pool.Config().ConnString(), postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	w := postgis.NewVersionWatcher(db, nil)
	var changes atomic.Int64
	w.OnChange(func(c string, v int64) {
		if c == "projects" {
			changes.Add(1)
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	waitUntil(t, w.Listening)
	before, err := w.CollectionVersion(ctx, "projects")
	if err != nil || before < 1 {
		t.Fatalf("version %d %v", before, err)
	}
	if _, err := other.Pool.Exec(ctx, `UPDATE collection_version SET version = version + 1 WHERE collection = 'projects'`); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool {
		v, _ := w.CollectionVersion(ctx, "projects")
		return v == before+1
	})
	if changes.Load() != 1 {
		t.Fatalf("OnChange ran %d times", changes.Load())
	}
	// Programmes follow projects.
	if v, _ := w.CollectionVersion(ctx, "programmes"); v != before+1 {
		t.Fatalf("programmes at %d", v)
	}
	// When the listening connection dies, the watcher answers from the
	// database and listens again.
	var killed int
	if err := other.Pool.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = current_database() AND query LIKE 'SELECT collection, version FROM collection_version%'`).Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("terminated %d listening connections (%v)", killed, err)
	}
	waitUntil(t, func() bool { return !w.Listening() })
	if _, err := other.Pool.Exec(ctx, `UPDATE collection_version SET version = version + 1 WHERE collection = 'projects'`); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool {
		v, _ := w.CollectionVersion(ctx, "projects")
		return v == before+2
	})
	waitUntil(t, w.Listening)
}

func waitUntil(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		<-time.After(20 * time.Millisecond)
	}
}

// Sync learns every version from the database at once, without waiting
// for notifications, and reports the ones that moved.
func TestVersionWatcherSync(t *testing.T) {
	db, _ := loaded(t)
	ctx := context.Background()
	w := postgis.NewVersionWatcher(db, nil) // not running: no notifications at all
	got := map[string]int64{}
	w.OnChange(func(c string, v int64) { got[c] = v })
	var want int64
	if err := db.Pool.QueryRow(ctx, `UPDATE collection_version SET version = version + 1 WHERE collection = 'projects' RETURNING version`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if err := w.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got["projects"] != want || got["cities"] < 1 {
		t.Fatalf("changes seen: %v, want projects at %d", got, want)
	}
	// Nothing moved since: nothing to report.
	clear(got)
	if err := w.Sync(ctx); err != nil || len(got) != 0 {
		t.Fatalf("second sync reported %v (%v)", got, err)
	}
}

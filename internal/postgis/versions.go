package postgis

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/planmap/planmap/internal/domain"
)

// VersionWatcher keeps every collection's data version in memory,
// following PostgreSQL notifications, so a request needs no query to know
// whether a cached answer or an ETag is still current. While it is not
// listening it answers from the database.
type VersionWatcher struct {
	db  *DB
	log *slog.Logger

	mu        sync.RWMutex
	versions  map[string]int64
	listening bool
	changed   []func(collection string, version int64)
}

var _ domain.VersionService = (*VersionWatcher)(nil)

// NewVersionWatcher returns a watcher; Run starts it.
func NewVersionWatcher(db *DB, log *slog.Logger) *VersionWatcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &VersionWatcher{db: db, log: log, versions: map[string]int64{}}
}

// OnChange registers fn to be called when a collection's version changes,
// and with collection "" when versions may have changed unseen.
func (w *VersionWatcher) OnChange(fn func(collection string, version int64)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.changed = append(w.changed, fn)
}

// CollectionVersion returns the collection's data version.
func (w *VersionWatcher) CollectionVersion(ctx context.Context, collection string) (int64, error) {
	if collection == domain.CollectionProgrammes {
		collection = domain.CollectionProjects
	}
	// With a replica, the version must be the one of the database the data
	// is read from, which may lag the primary's notifications.
	if w.db.HasReplica() {
		return w.db.CollectionVersion(ctx, collection)
	}
	w.mu.RLock()
	v, ok := w.versions[collection]
	listening := w.listening
	w.mu.RUnlock()
	if listening {
		if !ok {
			return 0, nil
		}
		return v, nil
	}
	return w.db.CollectionVersion(ctx, collection)
}

// Current returns a collection's version as known in memory from
// notifications, without a query; ok is false when it cannot be known that
// way: while not listening, or with a replica, whose data may lag the
// primary's notifications.
func (w *VersionWatcher) Current(collection string) (version int64, ok bool) {
	if collection == domain.CollectionProgrammes {
		collection = domain.CollectionProjects
	}
	if w.db.HasReplica() {
		return 0, false
	}
	w.mu.RLock()
	defer w.mu.RUnlock()
	if !w.listening {
		return 0, false
	}
	return w.versions[collection], true
}

// Sync reads every collection's version from the primary now. planmap
// calls it after each of its own writes, before answering the writer, so
// that the writer's next request to this instance sees the new versions
// (and no cache or index copy older than the write) even if the
// notification has not arrived yet.
func (w *VersionWatcher) Sync(ctx context.Context) error {
	rows, err := w.db.Pool.Query(ctx, `SELECT collection, version FROM collection_version`)
	if err != nil {
		return mapError(err)
	}
	type change struct {
		c string
		v int64
	}
	var seen []change
	for rows.Next() {
		var ch change
		if err := rows.Scan(&ch.c, &ch.v); err != nil {
			rows.Close()
			return mapError(err)
		}
		seen = append(seen, ch)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return mapError(err)
	}
	var changed []change
	w.mu.Lock()
	for _, ch := range seen {
		if ch.v > w.versions[ch.c] {
			w.versions[ch.c] = ch.v
			changed = append(changed, ch)
		}
	}
	fns := w.changed
	w.mu.Unlock()
	for _, ch := range changed {
		for _, fn := range fns {
			fn(ch.c, ch.v)
		}
	}
	return nil
}

// Listening reports whether versions come from notifications now.
func (w *VersionWatcher) Listening() bool {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.listening
}

// Run listens until ctx ends, reconnecting after failures.
func (w *VersionWatcher) Run(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := w.listen(ctx)
		w.setListening(false)
		if ctx.Err() != nil {
			return
		}
		w.log.Warn("version notifications interrupted; answering from the database", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		if backoff < 5*time.Second {
			backoff *= 2
		}
	}
}

func (w *VersionWatcher) setListening(on bool) {
	w.mu.Lock()
	was := w.listening
	w.listening = on
	fns := w.changed
	w.mu.Unlock()
	if was != on {
		for _, fn := range fns {
			fn("", 0) // anything may have changed while nobody listened
		}
	}
}

func (w *VersionWatcher) listen(ctx context.Context) error {
	conn, err := w.db.Pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection stays in LISTEN state, so it leaves the pool for good.
	pc := conn.Hijack()
	defer pc.Close(context.Background())
	if _, err := pc.Exec(ctx, "LISTEN planmap_versions"); err != nil {
		return err
	}
	rows, err := pc.Query(ctx, `SELECT collection, version FROM collection_version`)
	if err != nil {
		return err
	}
	fresh := map[string]int64{}
	for rows.Next() {
		var (
			c string
			v int64
		)
		if err := rows.Scan(&c, &v); err != nil {
			rows.Close()
			return err
		}
		fresh[c] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	w.mu.Lock()
	w.versions = fresh
	w.mu.Unlock()
	w.setListening(true)
	for {
		n, err := pc.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		w.apply(n.Payload)
	}
}

func (w *VersionWatcher) apply(payload string) {
	c, vs, ok := strings.Cut(payload, " ")
	v, err := strconv.ParseInt(vs, 10, 64)
	if !ok || err != nil {
		return
	}
	w.mu.Lock()
	if v > w.versions[c] {
		w.versions[c] = v
	}
	fns := w.changed
	w.mu.Unlock()
	for _, fn := range fns {
		fn(c, v)
	}
}

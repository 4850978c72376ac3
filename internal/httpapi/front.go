package httpapi

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/httpcache"
	"github.com/planmap/planmap/internal/ogcapi"
)

// frontDoor answers a request the store holds a current answer for before
// routing and the rest of the middleware, and offers the store every other
// GET answer, which the handlers opt into with httpcache.Offer. Answers
// from the store still count in /metrics; they are logged at debug level,
// because the request log would cost more than the answer.
func frontDoor(store *httpcache.Store, met *metrics, log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			key := httpcache.Key(req)
			if key == "" {
				return next(c)
			}
			if hit, ok := store.Serve(c.Response(), req, key); ok {
				recordHit(met, log, hit)
				return nil
			}
			capture, req := store.Begin(c.Response().Writer, req, key)
			c.Response().Writer = capture
			c.SetRequest(req)
			err := next(c)
			capture.Finish(req.Context())
			return err
		}
	}
}

// recordHit counts an answer from the store, served here or on the wire
// (httpcache.Listener), and logs it at debug level.
func recordHit(met *metrics, log *slog.Logger, hit httpcache.Hit) {
	met.hit(hit.Route, hit.Status, hit.Elapsed)
	if log.Enabled(context.Background(), slog.LevelDebug) {
		log.Debug("request", "method", http.MethodGet, "path", hit.Path, "status", hit.Status,
			"bytes", hit.Bytes, "ms", hit.Elapsed.Milliseconds(), "request_id", hit.RequestID, "cache", "front")
	}
}

// statusText is strconv.Itoa for the statuses the store serves, without
// an allocation.
func statusText(status int) string {
	switch status {
	case http.StatusOK:
		return "200"
	case http.StatusNoContent:
		return "204"
	case http.StatusNotModified:
		return "304"
	}
	return "other"
}

// VersionFeed is what the answer caches need of the data versions: the
// current version without a query, and a call on every change.
type VersionFeed interface {
	Current(collection string) (version int64, ok bool)
	OnChange(fn func(collection string, version int64))
}

// NewAnswerCaches splits mb MiB between the two answer caches: whole
// answers as sent, served before routing (the front door), and answers by
// ETag, which serve any variant of a request once its collection is known.
// Both follow versions; both are nil when mb is 0.
func NewAnswerCaches(mb int, versions VersionFeed) (*ogcapi.Cache, *httpcache.Store) {
	if mb <= 0 {
		return nil, nil
	}
	half := mb << 20 / 2
	cache := ogcapi.NewCache(half, min(half/8, 16<<20))
	front := httpcache.New(half, min(half/8, 16<<20), versions.Current)
	versions.OnChange(func(collection string, _ int64) {
		cache.Invalidate(collection)
		front.Invalidate(collection)
		if collection == domain.CollectionProjects {
			front.Invalidate(domain.CollectionProgrammes)
		}
	})
	return cache, front
}

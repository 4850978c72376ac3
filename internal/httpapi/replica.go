package httpapi

import (
	"context"
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"

	"github.com/planmap/planmap/internal/domain"
)

// Read-your-writes: after a write, the client carries the primary's WAL
// position (a cookie for browsers, a header for scripts); its reads go to
// the primary until the replica has replayed that far.
const (
	WriteMarkCookie = "planmap_rw"
	WriteMarkHeader = "Planmap-Write-Lsn"
	MinMarkHeader   = "Planmap-Min-Lsn"
)

var lsnPattern = regexp.MustCompile(`^[0-9A-F]{1,8}/[0-9A-F]{1,8}$`)

func readYourWrites(repl domain.Replication) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if !unsafeMethod(req.Method) {
				mark := req.Header.Get(MinMarkHeader)
				if ck, err := c.Cookie(WriteMarkCookie); mark == "" && err == nil {
					mark = ck.Value
				}
				if lsnPattern.MatchString(mark) {
					if ok, err := repl.CaughtUp(req.Context(), mark); err != nil || !ok {
						c.SetRequest(req.WithContext(domain.WithPrimary(req.Context())))
					}
				}
				return next(c)
			}
			// Answer writes after the handler, once they are committed.
			c.Response().Before(func() {
				if st := c.Response().Status; st >= 200 && st < 300 {
					if mark, err := repl.WriteMark(req.Context()); err == nil {
						c.Response().Header().Set(WriteMarkHeader, mark)
						http.SetCookie(c.Response(), &http.Cookie{Name: WriteMarkCookie, Value: mark, Path: "/",
							MaxAge: 300, HttpOnly: true, SameSite: http.SameSiteStrictMode})
					}
				}
			})
			return next(c)
		}
	}
}

// versionSyncer is a version service that can catch up with the database
// at once (postgis.VersionWatcher).
type versionSyncer interface {
	Sync(ctx context.Context) error
}

// syncVersionsAfterWrites brings this instance's data versions up to date
// after each successful write, before the answer leaves: the writer's next
// request must not get a cached answer, or an index copy, from before its
// write while the notification is still on its way.
func syncVersionsAfterWrites(v versionSyncer) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if !unsafeMethod(req.Method) {
				return next(c)
			}
			c.Response().Before(func() {
				if st := c.Response().Status; st >= 200 && st < 300 {
					// On failure the notification still comes; nothing to add.
					_ = v.Sync(req.Context())
				}
			})
			return next(c)
		}
	}
}

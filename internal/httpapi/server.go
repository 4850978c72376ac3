// Package httpapi is planmap's Echo application: middleware, routes and
// the one error handler that turns domain codes into HTTP statuses.
package httpapi

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/httpcache"
	"github.com/planmap/planmap/internal/ogcapi"
)

// Config configures the HTTP application.
type Config struct {
	// Assets holds the built front end (index.html and assets/); nil serves none.
	Assets         fs.FS
	Version        string
	Logger         *slog.Logger
	Limits         ogcapi.Limits
	RequestTimeout time.Duration
	// SessionTTL is how long a browser session lasts.
	SessionTTL time.Duration
	// SignInPerMinute limits sign-in attempts per client address.
	SignInPerMinute float64
	// WritesPerMinute limits writes per account.
	WritesPerMinute float64
	// TrustProxy takes the client address from X-Forwarded-For; set it only
	// behind a proxy that sets that header.
	TrustProxy bool
	// MaxWriteBytes bounds the body of an item write.
	MaxWriteBytes int64
	// Cache keeps feature responses in memory; nil turns it off.
	Cache *ogcapi.Cache
	// Front serves repeated requests from whole stored answers before
	// routing; nil turns it off.
	Front *httpcache.Store
	// Gauges adds numbers read at scrape time to /metrics.
	Gauges Gauges
}

// Services are what the handlers read from.
type Services struct {
	Projects domain.ProjectService
	Layers   domain.LayerService
	Plan     domain.PlanService
	Versions domain.VersionService
	Health   domain.HealthChecker
	// Auth signs people in; nil serves read-only without accounts.
	Auth domain.AuthService
	// Edits writes features; nil serves read-only.
	Edits domain.EditService
	// Uploads runs the upload workflow; nil serves none.
	Uploads domain.UploadService
	// Filters compiles CQL2 filters; nil refuses them.
	Filters domain.FilterService
	// Tiles makes vector tiles; nil serves none.
	Tiles ogcapi.TileService
	// Replication routes a writer's reads to the primary until a replica
	// has caught up; nil when there is no replica.
	Replication domain.Replication
}

// New returns the Echo application.
func New(cfg Config, svc Services) *echo.Echo {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Limits == (ogcapi.Limits{}) {
		cfg.Limits = ogcapi.DefaultLimits()
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.SignInPerMinute == 0 {
		cfg.SignInPerMinute = 10
	}
	if cfg.WritesPerMinute == 0 {
		cfg.WritesPerMinute = 600
	}
	writes := newIPLimiter(cfg.WritesPerMinute, int(cfg.WritesPerMinute/6)+1)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = echo.ExtractIPDirect()
	if cfg.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	e.HTTPErrorHandler = errorHandler(cfg.Logger)
	met := newMetrics(cfg.Gauges)
	if cfg.Front != nil {
		e.Pre(frontDoor(cfg.Front, met, cfg.Logger))
		// Answers the store serves on the wire count and log the same way.
		cfg.Front.Observe(func(hit httpcache.Hit) { recordHit(met, cfg.Logger, hit) })
	}
	e.Use(middleware.RequestID())
	e.Use(requestLogger(cfg.Logger))
	e.Use(met.middleware)
	e.Use(middleware.Recover())
	e.Use(securityHeaders)
	// Any origin may read; writes are not covered and need the same origin.
	e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
		AllowOrigins:  []string{"*"},
		AllowMethods:  []string{http.MethodGet, http.MethodHead, http.MethodOptions},
		ExposeHeaders: []string{"ETag", "Content-Crs", "Link", "Retry-After", echo.HeaderXRequestID},
		MaxAge:        86400,
	}))
	if cfg.RequestTimeout > 0 {
		e.Use(timeout(cfg.RequestTimeout))
	}
	e.Use(withPrincipalResolver)
	if svc.Replication != nil {
		e.Use(readYourWrites(svc.Replication))
	}
	if vs, ok := svc.Versions.(versionSyncer); ok {
		e.Use(syncVersionsAfterWrites(vs))
	}
	registerAuth(e, svc.Auth, cfg.SessionTTL, newIPLimiter(cfg.SignInPerMinute, 5), writes)

	e.GET("/metrics", met.handler())
	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok", "version": cfg.Version})
	})
	e.GET("/readyz", func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		if err := svc.Health.Ping(ctx); err != nil {
			cfg.Logger.Warn("not ready", "err", err)
			return &domain.Error{Code: domain.EUNAVAILABLE, Message: "the database is unreachable"}
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	})
	// The plan's documents are text that compresses well.
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{Level: 5, Skipper: func(c echo.Context) bool {
		return !strings.HasPrefix(c.Request().URL.Path, "/plan/")
	}}))
	e.GET("/plan/sections", func(c echo.Context) error {
		if c.Request().URL.RawQuery != "" {
			return domain.Errorf(domain.EINVALID, "this resource takes no query parameters")
		}
		secs, err := svc.Projects.Sections(c.Request().Context())
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{"sections": secs})
	})
	e.GET("/plan/vocabularies", func(c echo.Context) error {
		if c.Request().URL.RawQuery != "" {
			return domain.Errorf(domain.EINVALID, "this resource takes no query parameters")
		}
		v, err := svc.Plan.Vocabularies(c.Request().Context())
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, v)
	})
	e.GET("/plan/clauses", func(c echo.Context) error {
		if c.Request().URL.RawQuery != "" {
			return domain.Errorf(domain.EINVALID, "this resource takes no query parameters")
		}
		cl, err := svc.Plan.Clauses(c.Request().Context())
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{"clauses": cl})
	})
	e.GET("/plan/programmes", func(c echo.Context) error {
		if c.Request().URL.RawQuery != "" {
			return domain.Errorf(domain.EINVALID, "this resource takes no query parameters")
		}
		ps, err := svc.Plan.Programmes(c.Request().Context())
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{"programmes": ps})
	})
	ogc := ogcapi.NewHandler(svc.Projects, svc.Layers, svc.Versions, cfg.Limits).WithCache(cfg.Cache).WithFilters(svc.Filters)
	ogc.Register(e)
	if svc.Tiles != nil {
		th := ogcapi.NewTileHandler(svc.Tiles, ogcapi.NewCollectionLookup(svc.Projects, svc.Layers))
		th.Cache, th.Versions = cfg.Cache, svc.Versions
		th.Register(e)
	}
	if svc.Edits != nil && svc.Auth != nil {
		if cfg.MaxWriteBytes == 0 {
			cfg.MaxWriteBytes = 10 << 20
		}
		who := func(c echo.Context) (*domain.Principal, error) { return principal(c, svc.Auth) }
		ogcapi.NewWriter(ogc, svc.Edits, who, cfg.MaxWriteBytes).Register(e, requireRole(svc.Auth, domain.RoleEditor, writes), requireRole(svc.Auth, domain.RoleAdmin, writes))
		e.GET("/admin/audit", func(c echo.Context) error {
			limit, _ := strconv.Atoi(c.QueryParam("limit"))
			before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
			entries, err := svc.Edits.Audit(c.Request().Context(), limit, before)
			if err != nil {
				return err
			}
			return c.JSON(http.StatusOK, map[string]any{"entries": entries})
		}, requireRole(svc.Auth, domain.RoleAdmin, writes))
	}
	registerUploads(e, svc.Uploads, svc.Auth, writes)
	web := newFrontend(cfg.Assets)
	e.GET("/", func(c echo.Context) error {
		if web.wantsHTML(c.Request()) {
			return web.index(c)
		}
		return ogc.LandingPage(c)
	})
	e.GET("/assets/*", web.asset)
	return e
}

// statusOf maps each domain error code to one HTTP status.
func statusOf(code string) int {
	switch code {
	case domain.EINVALID:
		return http.StatusBadRequest
	case domain.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case domain.EFORBIDDEN:
		return http.StatusForbidden
	case domain.ENOTFOUND:
		return http.StatusNotFound
	case domain.ECONFLICT:
		return http.StatusConflict
	case domain.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case domain.EUNSUPPORTED:
		return http.StatusUnsupportedMediaType
	case domain.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case domain.ETOOMANY:
		return http.StatusTooManyRequests
	case domain.EPRECONDITION:
		return http.StatusPreconditionFailed
	case domain.EPRECONDITIONREQ:
		return http.StatusPreconditionRequired
	}
	return http.StatusInternalServerError
}

// codeOf maps the statuses that Echo itself raises back to error codes.
func codeOf(status int) string {
	switch status {
	case http.StatusBadRequest:
		return domain.EINVALID
	case http.StatusNotFound:
		return domain.ENOTFOUND
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return domain.ETOOLARGE
	case http.StatusUnsupportedMediaType:
		return domain.EUNSUPPORTED
	case http.StatusServiceUnavailable:
		return domain.EUNAVAILABLE
	case http.StatusTooManyRequests:
		return domain.ETOOMANY
	case http.StatusUnauthorized:
		return domain.EUNAUTHORIZED
	case http.StatusForbidden:
		return domain.EFORBIDDEN
	}
	return domain.EINTERNAL
}

// ErrorResponse is the body of every error.
type ErrorResponse struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		// A client that hung up is not a fault of planmap: 499, as proxies log it.
		if errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil {
			c.Response().Status = 499
			return
		}
		status, body := http.StatusInternalServerError, ErrorResponse{Code: domain.EINTERNAL, Message: "internal error"}
		var he *echo.HTTPError
		switch {
		case errors.As(err, &he):
			status = he.Code
			body.Code = codeOf(he.Code)
			body.Message = http.StatusText(he.Code)
			if he.Code == http.StatusNotFound {
				body.Message = "no resource at " + c.Request().URL.Path
			}
		case domain.ErrorCode(err) != domain.EINTERNAL:
			body.Code = domain.ErrorCode(err)
			body.Message = domain.ErrorMessage(err)
			status = statusOf(body.Code)
		}
		if status >= 500 {
			log.Error("request failed", "err", err, "path", c.Request().URL.Path,
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		}
		if status == http.StatusServiceUnavailable {
			c.Response().Header().Set("Retry-After", "5")
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		_ = c.JSON(status, body)
	}
}

func requestLogger(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			req := c.Request()
			log.Info("request", "method", req.Method, "path", req.URL.Path, "status", c.Response().Status,
				"bytes", c.Response().Size, "ms", time.Since(start).Milliseconds(),
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
			return nil
		}
	}
}

// timeout bounds each request's context so slow queries are cancelled.
// Uploads are exempt: a large file takes longer to send and to commit,
// and has its own limits.
func timeout(d time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if strings.HasPrefix(c.Request().URL.Path, "/uploads") {
				return next(c)
			}
			ctx, cancel := context.WithTimeout(c.Request().Context(), d)
			defer cancel()
			c.SetRequest(c.Request().WithContext(ctx))
			err := next(c)
			if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) && domain.ErrorCode(err) == domain.EINTERNAL {
				return &domain.Error{Code: domain.EUNAVAILABLE, Message: "the request took too long"}
			}
			return err
		}
	}
}

// contentSecurityPolicy allows only planmap's own origin: no inline script
// or style, no framing. MapLibre runs its workers from blob: URLs.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; child-src blob:; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		return next(c)
	}
}

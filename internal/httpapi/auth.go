package httpapi

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/ogcapi"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "planmap_session"

// CSRFHeader carries the session's CSRF token on writes from a browser.
const CSRFHeader = "X-CSRF-Token"

const principalKey = "planmap.principal"

// principalResolver finds the request's principal on first use, so reads
// by anonymous visitors never touch the account tables.
type principalResolver struct {
	once sync.Once
	p    *domain.Principal
	err  error
}

func withPrincipalResolver(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(principalKey, &principalResolver{})
		return next(c)
	}
}

// principal returns who makes the request, nil for an anonymous visitor,
// or an error for a credential that is present but not valid.
func principal(c echo.Context, svc domain.AuthService) (*domain.Principal, error) {
	r, _ := c.Get(principalKey).(*principalResolver)
	if r == nil || svc == nil {
		return nil, nil
	}
	r.once.Do(func() {
		ctx := c.Request().Context()
		if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				r.err = domain.Errorf(domain.EUNAUTHORIZED, "the Authorization header must be \"Bearer <token>\"")
				return
			}
			r.p, r.err = svc.TokenPrincipal(ctx, strings.TrimSpace(token))
			return
		}
		if ck, err := c.Cookie(SessionCookie); err == nil && ck.Value != "" {
			r.p, r.err = svc.SessionPrincipal(ctx, ck.Value)
		}
	})
	return r.p, r.err
}

// requireRole lets a request through only for a principal with role;
// browser sessions must also send their CSRF token on every write, and
// writes are rate-limited per account.
func requireRole(svc domain.AuthService, role domain.Role, writes *ipLimiter) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p, err := principal(c, svc)
			if err != nil {
				return err
			}
			if p == nil {
				return domain.Errorf(domain.EUNAUTHORIZED, "sign in, or send an API token as \"Authorization: Bearer <token>\"")
			}
			if !p.Role.Can(role) {
				return domain.Errorf(domain.EFORBIDDEN, "this needs the %s role; %s is %s", role, p.Username, p.Role)
			}
			if unsafeMethod(c.Request().Method) {
				if p.Via == "session" {
					if err := checkCSRF(c, p); err != nil {
						return err
					}
				}
				if writes != nil && !writes.allow("user:"+p.Username) {
					c.Response().Header().Set("Retry-After", "60")
					return domain.Errorf(domain.ETOOMANY, "too many writes by %s; wait a minute", p.Username)
				}
			}
			return next(c)
		}
	}
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

func checkCSRF(c echo.Context, p *domain.Principal) error {
	got := c.Request().Header.Get(CSRFHeader)
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(p.CSRFToken)) != 1 {
		return domain.Errorf(domain.EFORBIDDEN, "missing or wrong %s header; read it from GET /auth/session", CSRFHeader)
	}
	if origin := c.Request().Header.Get("Origin"); origin != "" && origin != ogcapi.BaseURL(c.Request()) {
		return domain.Errorf(domain.EFORBIDDEN, "cross-origin writes are not allowed")
	}
	return nil
}

// ipLimiter rate-limits one kind of request per client address. Its state
// is per instance and safe to lose.
type ipLimiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	clients map[string]*limiterEntry
}

type limiterEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

func newIPLimiter(perMinute float64, burst int) *ipLimiter {
	return &ipLimiter{every: rate.Limit(perMinute / 60), burst: burst, clients: map[string]*limiterEntry{}}
}

func (l *ipLimiter) allow(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if len(l.clients) > 10000 { // forget clients idle for ten minutes
		for k, e := range l.clients {
			if now.Sub(e.seen) > 10*time.Minute {
				delete(l.clients, k)
			}
		}
	}
	e := l.clients[ip]
	if e == nil {
		e = &limiterEntry{lim: rate.NewLimiter(l.every, l.burst)}
		l.clients[ip] = e
	}
	e.seen = now
	return e.lim.Allow()
}

func (l *ipLimiter) middleware(what string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !l.allow(c.RealIP()) {
				c.Response().Header().Set("Retry-After", "60")
				return domain.Errorf(domain.ETOOMANY, "too many %s from this address; wait a minute", what)
			}
			return next(c)
		}
	}
}

// sessionView is what the front end learns about its session.
type sessionView struct {
	Username  string      `json:"username"`
	Role      domain.Role `json:"role"`
	Via       string      `json:"via"`
	CSRFToken string      `json:"csrf_token,omitempty"`
}

// decodeJSON reads a small JSON body strictly into v.
func decodeJSON(c echo.Context, limit int64, v any) error {
	if ct := c.Request().Header.Get(echo.HeaderContentType); !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return domain.Errorf(domain.EUNSUPPORTED, "send the body as application/json")
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, limit+1))
	if err != nil {
		return domain.Errorf(domain.EINVALID, "could not read the body")
	}
	if int64(len(body)) > limit {
		return domain.Errorf(domain.ETOOLARGE, "the body is larger than %d bytes", limit)
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return domain.Errorf(domain.EINVALID, "the body is not the expected JSON: %s", truncateMsg(err.Error()))
	}
	return nil
}

func truncateMsg(s string) string {
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}

func registerAuth(e *echo.Echo, svc domain.AuthService, sessionTTL time.Duration, signInLimit, writes *ipLimiter) {
	if svc == nil {
		return
	}
	e.POST("/auth/session", func(c echo.Context) error {
		var in struct {
			Username string `json:"username"`
			Password string `json:"password"`
		}
		if err := decodeJSON(c, 4096, &in); err != nil {
			return err
		}
		sess, p, err := svc.SignIn(c.Request().Context(), in.Username, in.Password, c.RealIP())
		if err != nil {
			return err
		}
		c.SetCookie(&http.Cookie{
			Name: SessionCookie, Value: sess.ID + "." + sess.Secret, Path: "/",
			HttpOnly: true, SameSite: http.SameSiteStrictMode,
			Secure:  strings.HasPrefix(ogcapi.BaseURL(c.Request()), "https://"),
			Expires: sess.ExpiresAt, MaxAge: int(sessionTTL.Seconds()),
		})
		return c.JSON(http.StatusOK, sessionView{Username: p.Username, Role: p.Role, Via: p.Via, CSRFToken: p.CSRFToken})
	}, signInLimit.middleware("sign-in attempts"))
	e.GET("/auth/session", func(c echo.Context) error {
		p, err := principal(c, svc)
		if err != nil {
			return err
		}
		if p == nil {
			return domain.Errorf(domain.EUNAUTHORIZED, "not signed in")
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, sessionView{Username: p.Username, Role: p.Role, Via: p.Via, CSRFToken: p.CSRFToken})
	})
	e.DELETE("/auth/session", func(c echo.Context) error {
		p, _ := principal(c, svc)
		if p != nil && p.Via == "session" {
			if err := checkCSRF(c, p); err != nil {
				return err
			}
			if err := svc.SignOut(c.Request().Context(), p.SessionID); err != nil {
				return err
			}
		}
		c.SetCookie(&http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
		return c.NoContent(http.StatusNoContent)
	})

	admin := e.Group("/admin", requireRole(svc, domain.RoleAdmin, writes))
	admin.GET("/users", func(c echo.Context) error {
		users, err := svc.Users(c.Request().Context())
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{"users": users})
	})
	admin.POST("/users", func(c echo.Context) error {
		var in struct {
			Username string      `json:"username"`
			Password string      `json:"password"`
			Role     domain.Role `json:"role"`
		}
		if err := decodeJSON(c, 4096, &in); err != nil {
			return err
		}
		u, err := svc.CreateUser(c.Request().Context(), in.Username, in.Password, in.Role)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, u)
	})
	admin.PATCH("/users/:username", func(c echo.Context) error {
		var in struct {
			Disabled *bool `json:"disabled"`
		}
		if err := decodeJSON(c, 1024, &in); err != nil {
			return err
		}
		if in.Disabled == nil {
			return domain.Errorf(domain.EINVALID, "give {\"disabled\": true|false}")
		}
		if err := svc.SetUserDisabled(c.Request().Context(), c.Param("username"), *in.Disabled); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})
	admin.GET("/tokens", func(c echo.Context) error {
		toks, err := svc.Tokens(c.Request().Context())
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{"tokens": toks})
	})
	admin.DELETE("/tokens/:id", func(c echo.Context) error {
		if err := svc.RevokeToken(c.Request().Context(), c.Param("id")); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})
}

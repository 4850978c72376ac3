package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/planmap/planmap/internal/domain"
)

type client struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, http: &http.Client{Jar: jar}}
}

func (c *client) do(method, path, body string, headers ...string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (c *client) signIn(user, pass string) *http.Response {
	c.t.Helper()
	resp, body := c.do("POST", "/auth/session", `{"username":"`+user+`","password":"`+pass+`"}`)
	if resp.StatusCode == 200 {
		var v struct {
			CSRF string `json:"csrf_token"`
		}
		json.Unmarshal([]byte(body), &v)
		c.csrf = v.CSRF
	}
	return resp
}

func TestSignInSessionAndCSRF(t *testing.T) {
	srv, _, svc := newAppWithAuth(t)
	ctx := context.Background()
	if _, err := svc.CreateUser(ctx, "admin", "admin password 1", domain.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUser(ctx, "editor", "editor password 1", domain.RoleEditor); err != nil {
		t.Fatal(err)
	}
	anon := newClient(t, srv.URL)
	if resp, body := anon.do("GET", "/admin/users", ""); resp.StatusCode != 401 || !strings.Contains(body, "unauthorized") {
		t.Fatalf("anonymous admin: %d %s", resp.StatusCode, body)
	}
	if resp, _ := anon.do("GET", "/auth/session", ""); resp.StatusCode != 401 {
		t.Fatalf("anonymous session: %d", resp.StatusCode)
	}

	a := newClient(t, srv.URL)
	if resp := a.signIn("admin", "wrong password!"); resp.StatusCode != 401 {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
	resp := a.signIn("admin", "admin password 1")
	if resp.StatusCode != 200 || a.csrf == "" {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	ck := resp.Header.Get("Set-Cookie")
	for _, attr := range []string{"planmap_session=", "HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(ck, attr) {
			t.Fatalf("cookie %q lacks %s", ck, attr)
		}
	}
	if strings.Contains(ck, "Secure") {
		t.Fatalf("Secure on a plain-HTTP cookie: %q", ck)
	}
	if resp, body := a.do("GET", "/admin/users", ""); resp.StatusCode != 200 || !strings.Contains(body, `"editor"`) {
		t.Fatalf("admin users: %d %s", resp.StatusCode, body)
	}
	// Writes by a browser session need the CSRF token.
	if resp, body := a.do("PATCH", "/admin/users/editor", `{"disabled":true}`); resp.StatusCode != 403 || !strings.Contains(body, "X-CSRF-Token") {
		t.Fatalf("write without CSRF: %d %s", resp.StatusCode, body)
	}
	if resp, _ := a.do("PATCH", "/admin/users/editor", `{"disabled":true}`, "X-CSRF-Token", "forged"); resp.StatusCode != 403 {
		t.Fatalf("write with a forged CSRF token: %d", resp.StatusCode)
	}
	if resp, _ := a.do("PATCH", "/admin/users/editor", `{"disabled":true}`, "X-CSRF-Token", a.csrf, "Origin", "https://evil.example"); resp.StatusCode != 403 {
		t.Fatalf("cross-origin write: %d", resp.StatusCode)
	}
	if resp, body := a.do("PATCH", "/admin/users/editor", `{"disabled":true}`, "X-CSRF-Token", a.csrf); resp.StatusCode != 204 {
		t.Fatalf("write with CSRF: %d %s", resp.StatusCode, body)
	}
	if resp, _ := a.do("PATCH", "/admin/users/editor", `{"disabled":"yes"}`, "X-CSRF-Token", a.csrf); resp.StatusCode != 400 {
		t.Fatalf("bad body: %d", resp.StatusCode)
	}
	// Sign out ends the session on the server.
	if resp, _ := a.do("DELETE", "/auth/session", "", "X-CSRF-Token", a.csrf); resp.StatusCode != 204 {
		t.Fatalf("sign out: %d", resp.StatusCode)
	}
	if resp, _ := a.do("GET", "/admin/users", ""); resp.StatusCode != 401 {
		t.Fatalf("after sign out: %d", resp.StatusCode)
	}

	// An editor is not an admin.
	if _, err := svc.CreateUser(ctx, "editor2", "editor password 2", domain.RoleEditor); err != nil {
		t.Fatal(err)
	}
	e := newClient(t, srv.URL)
	e.signIn("editor2", "editor password 2")
	if resp, body := e.do("GET", "/admin/users", ""); resp.StatusCode != 403 || !strings.Contains(body, "admin role") {
		t.Fatalf("editor as admin: %d %s", resp.StatusCode, body)
	}
}

func TestBearerTokens(t *testing.T) {
	srv, _, svc := newAppWithAuth(t)
	ctx := context.Background()
	if _, err := svc.CreateUser(ctx, "robot", "robot password 1", domain.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	token, meta, err := svc.CreateToken(ctx, "robot", "ci")
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv.URL)
	// Tokens need no CSRF token: no browser sends them by itself.
	if resp, body := c.do("DELETE", "/admin/tokens/"+meta.ID, "", "Authorization", "Bearer "+token); resp.StatusCode != 204 {
		t.Fatalf("write with a token: %d %s", resp.StatusCode, body)
	}
	if resp, _ := c.do("GET", "/admin/users", "", "Authorization", "Bearer "+token); resp.StatusCode != 401 {
		t.Fatalf("revoked token: %d", resp.StatusCode)
	}
	for _, h := range []string{"Basic cm9ib3Q6eA==", "Bearer ", "Bearer pmt_x_y", "Bearer " + token + "x"} {
		if resp, _ := c.do("GET", "/admin/users", "", "Authorization", h); resp.StatusCode != 401 {
			t.Errorf("Authorization %q: %d", h, resp.StatusCode)
		}
	}
	// A bad credential on a public read is refused too, not ignored.
	if resp, _ := c.do("GET", "/auth/session", "", "Authorization", "Bearer nonsense"); resp.StatusCode != 401 {
		t.Fatalf("bad token on /auth/session: %d", resp.StatusCode)
	}
}

func TestSignInIsRateLimited(t *testing.T) {
	srv, _, _ := newAppWithAuth(t)
	c := newClient(t, srv.URL)
	limited := false
	for i := 0; i < 20 && !limited; i++ {
		resp, _ := c.do("POST", "/auth/session", `{"username":"u`+string(rune('a'+i))+`","password":"x"}`)
		limited = resp.StatusCode == 429 && resp.Header.Get("Retry-After") != ""
	}
	if !limited {
		t.Fatal("20 sign-ins in a row were never limited")
	}
	for _, body := range []string{`{"username":"a"`, `{"user":"a","password":"b"}`} {
		if resp, _ := newClient(t, srv.URL).do("POST", "/auth/session", body); resp.StatusCode != 400 && resp.StatusCode != 429 {
			t.Errorf("body %s: %d", body, resp.StatusCode)
		}
	}
}

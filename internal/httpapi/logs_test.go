package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/planmap/planmap/internal/domain"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Logs are JSON lines with request ids, and never hold passwords, tokens,
// cookies or CSRF tokens.
func TestLogsHoldNoSecrets(t *testing.T) {
	var logs lockedBuffer
	srv, _, svc := newAppLogging(t, slog.New(slog.NewJSONHandler(&logs, nil)))
	ctx := context.Background()
	const password = "correct horse battery"
	if _, err := svc.CreateUser(ctx, "admin", password, domain.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	token, _, err := svc.CreateToken(ctx, "admin", "logs")
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv.URL)
	resp := c.signIn("admin", password)
	cookie := resp.Header.Get("Set-Cookie")
	cookieValue := strings.TrimPrefix(strings.SplitN(cookie, ";", 2)[0], "planmap_session=")
	c.do("GET", "/admin/users", "")
	c.do("GET", "/admin/users", "", "Authorization", "Bearer "+token)
	c.do("GET", "/admin/users?token="+token, "", "Authorization", "Bearer "+token)
	c.do("POST", "/auth/session", `{"username":"admin","password":"wrong `+password+`"}`)
	out := logs.String()
	if out == "" {
		t.Fatal("nothing was logged")
	}
	for _, secret := range []string{password, token, cookieValue, c.csrf} {
		if secret != "" && strings.Contains(out, secret) {
			t.Fatalf("a secret reached the log: %q", secret[:6])
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON line: %s", line)
		}
		if rec["msg"] == "request" && (rec["request_id"] == nil || rec["request_id"] == "") {
			t.Fatalf("request logged without an id: %s", line)
		}
	}
}

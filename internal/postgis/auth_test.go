package postgis_test

import (
	"context"
	"testing"
	"time"

	"github.com/planmap/planmap/internal/auth"
	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/postgis"
)

func newAuth(t *testing.T, now *time.Time) (*postgis.DB, *postgis.AuthService) {
	t.Helper()
	db := server.NewDB(t)
	cfg := postgis.DefaultAuthConfig()
	cfg.Params = auth.Params{Memory: 1024, Time: 1, Threads: 1} // fast for tests
	cfg.Now = func() time.Time { return *now }
	svc, err := postgis.NewAuthService(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return db, svc
}

func TestSignInAndSessions(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	db, svc := newAuth(t, &now)
	ctx := context.Background()
	if _, err := svc.CreateUser(ctx, "Li.Wei", "a long enough password", domain.RoleEditor); err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := db.Pool.QueryRow(ctx, `SELECT password_hash FROM app_user WHERE username = 'li.wei'`).Scan(&stored); err != nil || !auth.IsPHC(stored) {
		t.Fatalf("stored password %q (%v)", stored, err)
	}
	for _, tt := range []struct {
		user, pass string
	}{{"li.wei", "wrong password here"}, {"nobody", "a long enough password"}, {"", ""}, {"li.wei", ""}} {
		if _, _, err := svc.SignIn(ctx, tt.user, tt.pass, "test"); domain.ErrorCode(err) != domain.EUNAUTHORIZED || domain.ErrorMessage(err) != "wrong username or password" {
			t.Fatalf("sign in %q: %v", tt.user, err)
		}
	}
	sess, p, err := svc.SignIn(ctx, "LI.WEI", "a long enough password", "test")
	if err != nil {
		t.Fatal(err)
	}
	if p.Username != "li.wei" || p.Role != domain.RoleEditor || p.CSRFToken == "" {
		t.Fatalf("principal %+v", p)
	}
	var hash string
	if err := db.Pool.QueryRow(ctx, `SELECT hash FROM app_session WHERE id = $1`, sess.ID).Scan(&hash); err != nil || hash == sess.Secret {
		t.Fatalf("session stored in clear (%v)", err)
	}
	cookie := postgis.SessionCookie(sess)
	got, err := svc.SessionPrincipal(ctx, cookie)
	if err != nil || got.Username != "li.wei" || got.CSRFToken != p.CSRFToken {
		t.Fatalf("session principal %+v %v", got, err)
	}
	if _, err := svc.SessionPrincipal(ctx, sess.ID+"."+sess.Secret[:42]+"x"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("forged secret: %v", err)
	}
	// Sessions expire.
	now = now.Add(13 * time.Hour)
	if _, err := svc.SessionPrincipal(ctx, cookie); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("expired session: %v", err)
	}
	// Disabling a user ends their sessions and refuses sign-in.
	now = now.Add(-13 * time.Hour)
	if err := svc.SetUserDisabled(ctx, "li.wei", true); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SessionPrincipal(ctx, cookie); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("session of a disabled user: %v", err)
	}
	if _, _, err := svc.SignIn(ctx, "li.wei", "a long enough password", "test"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("disabled sign in: %v", err)
	}
}

func TestSignInThrottle(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	_, svc := newAuth(t, &now)
	ctx := context.Background()
	if _, err := svc.CreateUser(ctx, "admin", "a long enough password", domain.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		svc.SignIn(ctx, "admin", "guess number "+string(rune('a'+i)), "test")
	}
	// Even the right password is refused while the account is throttled.
	if _, _, err := svc.SignIn(ctx, "admin", "a long enough password", "test"); domain.ErrorCode(err) != domain.ETOOMANY {
		t.Fatalf("throttled sign in: %v", err)
	}
	now = now.Add(16 * time.Minute)
	if _, _, err := svc.SignIn(ctx, "admin", "a long enough password", "test"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestUsersAndTokens(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	db, svc := newAuth(t, &now)
	ctx := context.Background()
	for _, tt := range []struct {
		user, pass string
		role       domain.Role
		code       string
	}{
		{"ok-user", "twelve chars!", domain.RoleEditor, ""},
		{"ok-user", "twelve chars!", domain.RoleEditor, domain.ECONFLICT},
		{"x", "twelve chars!", domain.RoleEditor, domain.EINVALID},
		{"has space", "twelve chars!", domain.RoleEditor, domain.EINVALID},
		{"short-pass", "eleven char", domain.RoleEditor, domain.EINVALID},
		{"bad-role", "twelve chars!", "root", domain.EINVALID},
	} {
		_, err := svc.CreateUser(ctx, tt.user, tt.pass, tt.role)
		if domain.ErrorCode(err) != tt.code {
			t.Errorf("create %s: %v, want %q", tt.user, err, tt.code)
		}
	}
	token, meta, err := svc.CreateToken(ctx, "ok-user", "nightly import")
	if err != nil {
		t.Fatal(err)
	}
	var hash string
	if err := db.Pool.QueryRow(ctx, `SELECT hash FROM api_token WHERE id = $1`, meta.ID).Scan(&hash); err != nil || !auth.IsPHC(hash) {
		t.Fatalf("token hash %q (%v)", hash, err)
	}
	p, err := svc.TokenPrincipal(ctx, token)
	if err != nil || p.Username != "ok-user" || p.Via != "token" {
		t.Fatalf("token principal %+v %v", p, err)
	}
	// Change one character of the secret; the last one would not do, as it
	// carries padding bits and is "A" for one token in sixteen.
	forged := []byte(token)
	i := len(forged) - 5
	if forged[i] == 'A' {
		forged[i] = 'B'
	} else {
		forged[i] = 'A'
	}
	if _, err := svc.TokenPrincipal(ctx, string(forged)); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("forged token: %v", err)
	}
	if err := svc.RevokeToken(ctx, meta.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.TokenPrincipal(ctx, token); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("revoked token: %v", err)
	}
	if err := svc.RevokeToken(ctx, meta.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("revoke twice: %v", err)
	}
	if _, _, err := svc.CreateToken(ctx, "nobody", "x"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("token for nobody: %v", err)
	}
	users, err := svc.Users(ctx)
	if err != nil || len(users) != 1 || users[0].Username != "ok-user" {
		t.Fatalf("users %+v %v", users, err)
	}
	toks, err := svc.Tokens(ctx)
	if err != nil || len(toks) != 1 || toks[0].RevokedAt == nil || toks[0].LastUsed == nil {
		t.Fatalf("tokens %+v %v", toks, err)
	}
}

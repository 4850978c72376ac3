package auth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/planmap/planmap/internal/auth"
)

func TestPasswordHash(t *testing.T) {
	p := auth.Params{Memory: 1024, Time: 1, Threads: 1}
	h, err := auth.HashPassword("correct horse", p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") || strings.Contains(h, "correct horse") {
		t.Fatalf("hash %q", h)
	}
	h2, _ := auth.HashPassword("correct horse", p)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"correct horse": true, "correct horse ": false, "": false, "Correct horse": false} {
		ok, err := auth.VerifyPassword(h, pw)
		if err != nil || ok != want {
			t.Errorf("verify %q = %v, %v; want %v", pw, ok, err, want)
		}
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$a$b", "$argon2id$v=19$m=x,t=1,p=1$YWJj$YWJj", "$argon2id$v=19$m=1024,t=1,p=1$!!$YWJj"} {
		if _, err := auth.VerifyPassword(bad, "x"); !errors.Is(err, auth.ErrMalformedHash) {
			t.Errorf("verify against %q: %v", bad, err)
		}
	}
}

func TestTokens(t *testing.T) {
	tok, id, secret, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	gid, gsecret, ok := auth.SplitToken(tok)
	if !ok || gid != id || gsecret != secret {
		t.Fatalf("split %q: %q %q %v", tok, gid, gsecret, ok)
	}
	for _, bad := range []string{"", "pmt_", "pmt_short_x", "ghp_" + tok[4:], strings.TrimPrefix(tok, "pmt_")} {
		if _, _, ok := auth.SplitToken(bad); ok {
			t.Errorf("split %q succeeded", bad)
		}
	}
	other, _, _, _ := auth.NewToken()
	if other == tok {
		t.Fatal("two tokens are equal")
	}
	if auth.SessionHash("a") == auth.SessionHash("b") || auth.SessionHash("a") != auth.SessionHash("a") {
		t.Fatal("session hash")
	}
}

package postgis

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/planmap/planmap/internal/auth"
	"github.com/planmap/planmap/internal/domain"
)

// AuthConfig tunes sign-in.
type AuthConfig struct {
	SessionTTL time.Duration
	// MaxFailures failed sign-ins per account within FailureWindow lock it
	// until the window passes.
	MaxFailures   int
	FailureWindow time.Duration
	Params        auth.Params
	Now           func() time.Time
}

// DefaultAuthConfig returns the settings used when none are given.
func DefaultAuthConfig() AuthConfig {
	return AuthConfig{SessionTTL: 12 * time.Hour, MaxFailures: 5, FailureWindow: 15 * time.Minute, Params: auth.DefaultParams(), Now: time.Now}
}

// AuthService stores accounts, sessions and tokens in PostgreSQL.
type AuthService struct {
	db  *DB
	cfg AuthConfig
	// dummyHash makes an unknown user cost as much as a wrong password.
	dummyHash string
}

var _ domain.AuthService = (*AuthService)(nil)

// NewAuthService returns an AuthService on db.
func NewAuthService(db *DB, cfg AuthConfig) (*AuthService, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h, err := auth.HashPassword("planmap-dummy", cfg.Params)
	if err != nil {
		return nil, err
	}
	return &AuthService{db: db, cfg: cfg, dummyHash: h}, nil
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`)

// errSignIn is the one answer to every failed sign-in, so it reveals
// neither which usernames exist nor which are disabled.
func errSignIn() error {
	return &domain.Error{Code: domain.EUNAUTHORIZED, Message: "wrong username or password"}
}

// SignIn checks the password and opens a session.
func (s *AuthService) SignIn(ctx context.Context, username, password, client string) (*domain.Session, *domain.Principal, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if !usernamePattern.MatchString(username) || len(password) > 1024 {
		_, _ = auth.VerifyPassword(s.dummyHash, password)
		return nil, nil, errSignIn()
	}
	var failures int
	if err := s.db.Pool.QueryRow(ctx, `SELECT count(*) FROM sign_in_failure WHERE username = $1 AND at > $2`,
		username, s.cfg.Now().Add(-s.cfg.FailureWindow)).Scan(&failures); err != nil {
		return nil, nil, mapError(err)
	}
	if failures >= s.cfg.MaxFailures {
		return nil, nil, &domain.Error{Code: domain.ETOOMANY, Message: "too many failed sign-ins for this account; try again later"}
	}
	var (
		p        domain.Principal
		hash     string
		disabled bool
	)
	err := s.db.Pool.QueryRow(ctx, `SELECT id, username, role, password_hash, disabled FROM app_user WHERE username = $1`, username).
		Scan(&p.UserID, &p.Username, &p.Role, &hash, &disabled)
	if errors.Is(err, pgx.ErrNoRows) {
		hash = s.dummyHash
	} else if err != nil {
		return nil, nil, mapError(err)
	}
	ok, verr := auth.VerifyPassword(hash, password)
	if errors.Is(err, pgx.ErrNoRows) || verr != nil || !ok || disabled {
		if _, err := s.db.Pool.Exec(ctx, `INSERT INTO sign_in_failure (username, at) VALUES ($1, $2)`, username, s.cfg.Now()); err != nil {
			return nil, nil, mapError(err)
		}
		return nil, nil, errSignIn()
	}
	sess := &domain.Session{ExpiresAt: s.cfg.Now().Add(s.cfg.SessionTTL)}
	if sess.ID, err = auth.NewSecret(12); err != nil {
		return nil, nil, err
	}
	if sess.Secret, err = auth.NewSecret(32); err != nil {
		return nil, nil, err
	}
	if sess.CSRFToken, err = auth.NewSecret(24); err != nil {
		return nil, nil, err
	}
	err = pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM app_session WHERE expires_at < $1`, s.cfg.Now()); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sign_in_failure WHERE username = $1`, username); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO app_session (id, hash, user_id, csrf_token, client, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			sess.ID, auth.SessionHash(sess.Secret), p.UserID, sess.CSRFToken, client, sess.ExpiresAt)
		return err
	})
	if err != nil {
		return nil, nil, mapError(err)
	}
	p.Via, p.SessionID, p.CSRFToken = "session", sess.ID, sess.CSRFToken
	return sess, &p, nil
}

// SignOut ends a session.
func (s *AuthService) SignOut(ctx context.Context, sessionID string) error {
	_, err := s.db.Pool.Exec(ctx, `DELETE FROM app_session WHERE id = $1`, sessionID)
	return mapError(err)
}

// SessionCookie joins a session's id and secret into the cookie value.
func SessionCookie(s *domain.Session) string { return s.ID + "." + s.Secret }

// SessionPrincipal returns who holds the cookie, or an unauthorized error.
func (s *AuthService) SessionPrincipal(ctx context.Context, cookie string) (*domain.Principal, error) {
	id, secret, ok := strings.Cut(cookie, ".")
	if !ok || len(id) != 16 || len(secret) != 43 {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "the session is not valid; sign in again")
	}
	var (
		p    domain.Principal
		hash string
	)
	err := s.db.Pool.QueryRow(ctx, `SELECT u.id, u.username, u.role, s.hash, s.csrf_token FROM app_session s JOIN app_user u ON u.id = s.user_id
WHERE s.id = $1 AND s.expires_at > $2 AND NOT u.disabled`, id, s.cfg.Now()).Scan(&p.UserID, &p.Username, &p.Role, &hash, &p.CSRFToken)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && hash != auth.SessionHash(secret)) {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "the session has ended or is not valid; sign in again")
	}
	if err != nil {
		return nil, mapError(err)
	}
	p.Via, p.SessionID = "session", id
	return &p, nil
}

// TokenPrincipal returns who holds the bearer token.
func (s *AuthService) TokenPrincipal(ctx context.Context, token string) (*domain.Principal, error) {
	bad := domain.Errorf(domain.EUNAUTHORIZED, "the API token is not valid or was revoked")
	id, secret, ok := auth.SplitToken(token)
	if !ok {
		return nil, bad
	}
	var (
		p    domain.Principal
		hash string
	)
	err := s.db.Pool.QueryRow(ctx, `SELECT u.id, u.username, u.role, t.hash FROM api_token t JOIN app_user u ON u.id = t.user_id
WHERE t.id = $1 AND t.revoked_at IS NULL AND NOT u.disabled`, id).Scan(&p.UserID, &p.Username, &p.Role, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		_, _ = auth.VerifyPassword(s.dummyHash, secret)
		return nil, bad
	}
	if err != nil {
		return nil, mapError(err)
	}
	if ok, err := auth.VerifyPassword(hash, secret); err != nil || !ok {
		return nil, bad
	}
	if _, err := s.db.Pool.Exec(ctx, `UPDATE api_token SET last_used_at = $2 WHERE id = $1`, id, s.cfg.Now()); err != nil {
		return nil, mapError(err)
	}
	p.Via = "token"
	return &p, nil
}

// CreateUser adds an account.
func (s *AuthService) CreateUser(ctx context.Context, username, password string, role domain.Role) (*domain.User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	switch {
	case !usernamePattern.MatchString(username):
		return nil, domain.Errorf(domain.EINVALID, "username %q: use 2-63 lower-case letters, digits, '.', '_' or '-'", username)
	case !role.Valid():
		return nil, domain.Errorf(domain.EINVALID, "role %q: use editor or admin", role)
	case len([]rune(password)) < 12:
		return nil, domain.Errorf(domain.EINVALID, "the password needs at least 12 characters")
	case len(password) > 1024:
		return nil, domain.Errorf(domain.EINVALID, "the password is longer than 1024 bytes")
	}
	hash, err := auth.HashPassword(password, s.cfg.Params)
	if err != nil {
		return nil, err
	}
	u := &domain.User{Username: username, Role: role}
	err = s.db.Pool.QueryRow(ctx, `INSERT INTO app_user (username, password_hash, role) VALUES ($1, $2, $3) RETURNING id, created_at`,
		username, hash, string(role)).Scan(&u.ID, &u.CreatedAt)
	if err != nil {
		if domain.ErrorCode(mapError(err)) == domain.ECONFLICT {
			return nil, domain.Errorf(domain.ECONFLICT, "user %q exists", username)
		}
		return nil, mapError(err)
	}
	return u, nil
}

// Users lists every account.
func (s *AuthService) Users(ctx context.Context) ([]*domain.User, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT id, username, role, disabled, created_at FROM app_user ORDER BY username`)
	if err != nil {
		return nil, mapError(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.User, error) {
		var u domain.User
		err := r.Scan(&u.ID, &u.Username, &u.Role, &u.Disabled, &u.CreatedAt)
		return &u, err
	})
	return out, mapError(err)
}

// SetUserDisabled disables or re-enables an account; disabling ends its sessions.
func (s *AuthService) SetUserDisabled(ctx context.Context, username string, disabled bool) error {
	return mapError(pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `UPDATE app_user SET disabled = $2 WHERE username = $1 RETURNING id`, username, disabled).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "no user %q", username)
		}
		if err != nil {
			return err
		}
		if disabled {
			_, err = tx.Exec(ctx, `DELETE FROM app_session WHERE user_id = $1`, id)
		}
		return err
	}))
}

// CreateToken makes an API token for a user; the secret is shown once.
func (s *AuthService) CreateToken(ctx context.Context, username, name string) (string, *domain.APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return "", nil, domain.Errorf(domain.EINVALID, "a token needs a name of 1-100 characters")
	}
	token, id, secret, err := auth.NewToken()
	if err != nil {
		return "", nil, err
	}
	hash, err := auth.HashPassword(secret, s.cfg.Params)
	if err != nil {
		return "", nil, err
	}
	t := &domain.APIToken{ID: id, Username: username, Name: name}
	err = s.db.Pool.QueryRow(ctx, `INSERT INTO api_token (id, hash, user_id, name)
SELECT $1, $2, u.id, $3 FROM app_user u WHERE u.username = $4 AND NOT u.disabled RETURNING created_at`, id, hash, name, username).Scan(&t.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, domain.Errorf(domain.ENOTFOUND, "no enabled user %q", username)
	}
	if err != nil {
		return "", nil, mapError(err)
	}
	return token, t, nil
}

// RevokeToken revokes a token by id.
func (s *AuthService) RevokeToken(ctx context.Context, id string) error {
	tag, err := s.db.Pool.Exec(ctx, `UPDATE api_token SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, id, s.cfg.Now())
	if err != nil {
		return mapError(err)
	}
	if tag.RowsAffected() == 0 {
		return domain.Errorf(domain.ENOTFOUND, "no active token %q", id)
	}
	return nil
}

// Tokens lists every token without its secret.
func (s *AuthService) Tokens(ctx context.Context) ([]*domain.APIToken, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT t.id, u.username, t.name, t.created_at, t.revoked_at, t.last_used_at
FROM api_token t JOIN app_user u ON u.id = t.user_id ORDER BY t.created_at`)
	if err != nil {
		return nil, mapError(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.APIToken, error) {
		var t domain.APIToken
		err := r.Scan(&t.ID, &t.Username, &t.Name, &t.CreatedAt, &t.RevokedAt, &t.LastUsed)
		return &t, err
	})
	return out, mapError(err)
}

package domain

import (
	"context"
	"time"
)

// Role is what a signed-in user may do. Anonymous visitors read.
type Role string

// Roles, from least to most trusted.
const (
	RoleEditor Role = "editor" // uploads and edits
	RoleAdmin  Role = "admin"  // also manages users, rolls back and deletes
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleEditor || r == RoleAdmin }

// Can reports whether r includes the rights of want.
func (r Role) Can(want Role) bool {
	switch want {
	case RoleEditor:
		return r == RoleEditor || r == RoleAdmin
	case RoleAdmin:
		return r == RoleAdmin
	}
	return false
}

// Principal is who makes a request.
type Principal struct {
	UserID   int64  `json:"user_id"`
	Username string `json:"username"`
	Role     Role   `json:"role"`
	// Via says how they proved it: "session" or "token".
	Via string `json:"via"`
	// SessionID identifies the session a cookie carried; CSRF checks use it.
	SessionID string `json:"-"`
	CSRFToken string `json:"-"`
}

// User is an account.
type User struct {
	ID        int64     `json:"id"`
	Username  string    `json:"username"`
	Role      Role      `json:"role"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

// APIToken describes a token without its secret.
type APIToken struct {
	ID        string     `json:"id"`
	Username  string     `json:"username"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	LastUsed  *time.Time `json:"last_used_at,omitempty"`
}

// Session is a signed-in browser session; Secret goes into the cookie once.
type Session struct {
	ID        string
	Secret    string
	CSRFToken string
	ExpiresAt time.Time
}

// AuthService signs people in and manages accounts and tokens.
type AuthService interface {
	// SignIn checks a password and opens a session.
	SignIn(ctx context.Context, username, password, client string) (*Session, *Principal, error)
	SignOut(ctx context.Context, sessionID string) error
	// SessionPrincipal returns who holds the session cookie value.
	SessionPrincipal(ctx context.Context, cookie string) (*Principal, error)
	// TokenPrincipal returns who holds the bearer token.
	TokenPrincipal(ctx context.Context, token string) (*Principal, error)

	CreateUser(ctx context.Context, username, password string, role Role) (*User, error)
	Users(ctx context.Context) ([]*User, error)
	SetUserDisabled(ctx context.Context, username string, disabled bool) error
	CreateToken(ctx context.Context, username, name string) (secret string, t *APIToken, err error)
	RevokeToken(ctx context.Context, id string) error
	Tokens(ctx context.Context) ([]*APIToken, error)
}

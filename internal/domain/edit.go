package domain

import (
	"context"
	"encoding/json"
	"time"

	"github.com/paulmach/orb"
)

// Edit operations on a feature.
const (
	OpCreate   = "create"
	OpReplace  = "replace"
	OpPatch    = "patch"
	OpDelete   = "delete"
	OpRollback = "rollback"
	OpImport   = "import" // the state before the first edit
)

// Change is one write to one feature of a collection.
type Change struct {
	Collection string
	FeatureID  string // empty on create: the server assigns one
	Op         string
	// Properties is the whole new property object (create, replace) or the
	// members to set, null to remove (patch).
	Properties json.RawMessage
	Geometry   orb.Geometry
	// SetGeometry is true when a patch replaces the geometry.
	SetGeometry bool
	// IfMatch is the version the writer last saw; 0 skips the check.
	IfMatch int
}

// ChangeResult is what a change left behind.
type ChangeResult struct {
	Collection string `json:"collection"`
	FeatureID  string `json:"id"`
	Version    int    `json:"version"`
	Op         string `json:"op"`
}

// FeatureVersion is one version of a feature.
type FeatureVersion struct {
	Collection string          `json:"collection"`
	FeatureID  string          `json:"id"`
	Version    int             `json:"version"`
	Op         string          `json:"op"`
	Properties json.RawMessage `json:"properties"`
	Geometry   orb.Geometry    `json:"-"`
	ChangedBy  string          `json:"changed_by"`
	ChangedAt  time.Time       `json:"changed_at"`
	Reason     string          `json:"reason"`
	UploadID   *int64          `json:"upload_id,omitempty"`
}

// AuditEntry records one write.
type AuditEntry struct {
	ID       int64           `json:"id"`
	At       time.Time       `json:"at"`
	Username string          `json:"username"`
	Action   string          `json:"action"`
	Target   string          `json:"target"`
	Detail   json.RawMessage `json:"detail"`
}

// EditService writes features with versions and an audit trail.
type EditService interface {
	// Apply makes all changes in one transaction, or none.
	Apply(ctx context.Context, who *Principal, reason string, changes []Change) ([]ChangeResult, error)
	History(ctx context.Context, collection, featureID string) ([]FeatureVersion, error)
	// Rollback writes an old version back as the newest.
	Rollback(ctx context.Context, who *Principal, collection, featureID string, version int, reason string) (*ChangeResult, error)
	Audit(ctx context.Context, limit int, beforeID int64) ([]AuditEntry, error)
}

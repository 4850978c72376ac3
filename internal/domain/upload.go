package domain

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/paulmach/orb"
)

// UploadStatus is where an upload is in its life.
type UploadStatus string

// Upload statuses: a file is processed into a draft, which is committed
// or discarded.
const (
	UploadProcessing UploadStatus = "processing"
	UploadReady      UploadStatus = "ready"
	UploadFailed     UploadStatus = "failed"
	UploadCommitted  UploadStatus = "committed"
	UploadDiscarded  UploadStatus = "discarded"
)

// UploadOptions are the uploader's declarations.
type UploadOptions struct {
	// CRS overrides the file's CRS ("EPSG:4529", "GCJ-02", "BD-09", ...).
	CRS string `json:"crs,omitempty"`
	// Encoding overrides attribute encoding detection ("GBK", "UTF-8", ...).
	Encoding string `json:"encoding,omitempty"`
	// Correct applies detected fixes such as swapped axes.
	Correct bool `json:"correct,omitempty"`
}

// UploadSummary counts what validation found.
type UploadSummary struct {
	Features   int   `json:"features"`
	Valid      int   `json:"valid"`
	Invalid    int   `json:"invalid"`
	NoGeometry int   `json:"no_geometry"`
	Outside    int   `json:"outside_liaoning"`
	Duplicates int   `json:"duplicates"`
	WithErrors int   `json:"with_errors"`
	Warnings   int   `json:"warnings"`
	Matched    int   `json:"matched_projects"`
	SRID       int   `json:"srid"`
	Bounds     *BBox `json:"-"`
}

// Upload is a file GIS staff sent and the draft made of it.
type Upload struct {
	ID           int64           `json:"id"`
	CreatedBy    string          `json:"created_by"`
	CreatedAt    time.Time       `json:"created_at"`
	UpdatedAt    time.Time       `json:"updated_at"`
	Filename     string          `json:"filename"`
	Size         int64           `json:"size"`
	Status       UploadStatus    `json:"status"`
	Options      UploadOptions   `json:"options"`
	BytesRead    int64           `json:"bytes_read"`
	FeaturesRead int             `json:"features_read"`
	Result       json.RawMessage `json:"result,omitempty"`
	Summary      *UploadSummary  `json:"summary,omitempty"`
	Error        string          `json:"error,omitempty"`
	Commit       json.RawMessage `json:"commit,omitempty"`
}

// StagedFeature is one feature of a draft, in the file's CRS.
type StagedFeature struct {
	Index      int
	Layer      string
	FID        string
	Properties json.RawMessage
	Geometry   orb.Geometry
	Issues     json.RawMessage
}

// DraftFeature is a staged feature after validation, in CRS84.
type DraftFeature struct {
	Index      int             `json:"index"`
	Layer      string          `json:"layer"`
	FID        string          `json:"fid"`
	Properties json.RawMessage `json:"properties"`
	Geometry   orb.Geometry    `json:"-"`
	Issues     json.RawMessage `json:"issues"`
	Valid      *bool           `json:"valid"`
	Reason     string          `json:"invalid_reason,omitempty"`
	Outside    bool            `json:"outside_liaoning"`
	Duplicate  *int            `json:"duplicate_of,omitempty"`
	Match      string          `json:"match,omitempty"`
	MatchBy    string          `json:"match_by,omitempty"`
}

// Commit targets.
const (
	CommitToLayer    = "layer"
	CommitToProjects = "projects"
)

// CommitRequest says where a draft goes.
type CommitRequest struct {
	Target string `json:"target"`
	// Layer: a new upload layer with this id and titles, or an existing
	// upload layer to add to.
	LayerID     string `json:"layer_id,omitempty"`
	TitleZH     string `json:"title_zh,omitempty"`
	TitleEN     string `json:"title_en,omitempty"`
	Description string `json:"description,omitempty"`
	// Matches maps draft feature indexes (as strings) to project ids; with
	// none given, the suggested matches are used.
	Matches map[string]string `json:"matches,omitempty"`
	// Repair makes invalid geometries valid (ST_MakeValid) instead of
	// refusing the commit.
	Repair bool `json:"repair,omitempty"`
	// SkipInvalid leaves features with errors out instead of refusing.
	SkipInvalid bool   `json:"skip_invalid,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// CommitResult says what a commit wrote.
type CommitResult struct {
	Target   string `json:"target"`
	LayerID  string `json:"layer_id,omitempty"`
	Written  int    `json:"written"`
	Skipped  int    `json:"skipped"`
	Repaired int    `json:"repaired"`
}

// UploadService runs the upload workflow.
type UploadService interface {
	// Receive stores the file and starts processing it into a draft.
	Receive(ctx context.Context, who *Principal, filename string, body io.Reader, opt UploadOptions) (*Upload, error)
	Upload(ctx context.Context, id int64) (*Upload, error)
	Uploads(ctx context.Context, limit int) ([]*Upload, error)
	EachDraftFeature(ctx context.Context, id int64, offset, limit int, fn func(*DraftFeature) error) (int, error)
	Commit(ctx context.Context, who *Principal, id int64, req CommitRequest) (*CommitResult, error)
	Discard(ctx context.Context, who *Principal, id int64) error
}

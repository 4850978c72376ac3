package domain

import (
	"context"
	"encoding/json"
	"regexp"
	"time"

	"github.com/paulmach/orb"
)

// Layer kinds.
const (
	LayerBasemap = "basemap"
	LayerUpload  = "upload"
)

// Collection ids that are not layers: the plan's projects and programmes.
const (
	CollectionProjects   = "projects"
	CollectionProgrammes = "programmes"
)

// Reserved reports whether id belongs to a built-in collection.
func Reserved(id string) bool { return id == CollectionProjects || id == CollectionProgrammes }

// LayerIDPattern is the form of a layer (collection) id.
var LayerIDPattern = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)

// Layer is a collection of features other than the plan's projects: a
// basemap layer shipped with planmap, or a layer GIS staff uploaded.
type Layer struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	TitleZH     string    `json:"title_zh"`
	TitleEN     string    `json:"title_en"`
	Description string    `json:"description"`
	Attribution string    `json:"attribution"`
	License     string    `json:"license"`
	Features    int       `json:"features"`
	Extent      *BBox     `json:"-"`
	Version     int64     `json:"-"`
	UpdatedAt   time.Time `json:"-"`
}

// LayerFeature is one feature of a layer; Properties is a JSON object.
type LayerFeature struct {
	ID         string
	Properties json.RawMessage
	Geometry   orb.Geometry
	// Version counts writes to this feature; it makes the item's ETag.
	Version int
}

// TileLoad is one vector tile of a collection (WebMercatorQuad, XYZ: Y
// counts down from the north) and how many features it draws, which is
// what drawing it costs.
type TileLoad struct {
	Z, X, Y  int
	Features int
}

// FeatureFilter selects features of a layer.
type FeatureFilter struct {
	BBox   *BBox
	Where  Condition
	Offset int
	Limit  int
}

// FeaturePage is one page of layer features and the count of all matches.
type FeaturePage struct {
	Features []*LayerFeature
	Matched  int
}

// LayerService reads layers.
type LayerService interface {
	Layers(ctx context.Context) ([]*Layer, error)
	// FindLayer returns a layer without its count and extent, cheaply.
	FindLayer(ctx context.Context, id string) (*Layer, error)
	// LayerStats fills in a layer's feature count and extent.
	LayerStats(ctx context.Context, l *Layer) error
	FindFeatures(ctx context.Context, layer string, f FeatureFilter) (*FeaturePage, error)
	// EachFeature calls fn for each matching feature as rows arrive and
	// returns the number of all that match.
	EachFeature(ctx context.Context, layer string, f FeatureFilter, fn func(*LayerFeature) error) (matched int, err error)
	FindFeatureByID(ctx context.Context, layer, id string) (*LayerFeature, error)
}

// VersionService reports a collection's data version, which changes with
// every write and so drives ETags and caches.
type VersionService interface {
	CollectionVersion(ctx context.Context, collection string) (int64, error)
}

// CollectionInfo describes the projects collection for collection lists.
type CollectionInfo struct {
	Features int
	Extent   *BBox
	Version  int64
}

// FilterService compiles CQL2 filters against a collection's queryable
// properties, which only the server defines.
type FilterService interface {
	// QueryablesSchema returns the JSON Schema of the collection's queryables.
	QueryablesSchema(ctx context.Context, collection, id, title string) (map[string]any, error)
	// Condition compiles filter (filter-lang "", "cql2-text" or "cql2-json").
	Condition(ctx context.Context, collection, lang, filter, filterCRS string) (Condition, error)
	// ConformanceClasses lists the CQL2 classes supported.
	ConformanceClasses() []string
}

type primaryKey struct{}

// WithPrimary marks ctx so that reads go to the primary database, for a
// client that must see its own writes before a replica has them.
func WithPrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, primaryKey{}, true)
}

// UsePrimary reports whether ctx asks for reads from the primary.
func UsePrimary(ctx context.Context) bool { v, _ := ctx.Value(primaryKey{}).(bool); return v }

// Replication tells how far a read replica has come.
type Replication interface {
	// WriteMark returns the primary's position after a write.
	WriteMark(ctx context.Context) (string, error)
	// CaughtUp reports whether reads from the replica see that position.
	CaughtUp(ctx context.Context, mark string) (bool, error)
}

// Package ingest turns uploaded bytes into validated features: GeoJSON,
// zipped Shapefiles, KML/KMZ, GeoPackage and CSV. It touches no database.
//
// Coordinates come out in the source CRS, which Result reports as an EPSG
// code for PostGIS to ST_Transform, except GCJ-02 and BD-09 (declared by the
// uploader), which are converted here to WGS 84 because PostGIS cannot.
// Problems with single features are Issues; problems with the file are
// errors. Every error a user may see is a *domain.Error (EINVALID,
// EUNSUPPORTED or ETOOLARGE) that also matches one of the Err* sentinels
// below with errors.Is.
//
// Feature indexes are 0-based positions in the upload, across layers.
//
// Decisions worth knowing:
//   - A zip with several .shp yields one layer per .shp (named by its base
//     name), each with its own CRS and encoding in Result.Layers; so do the
//     feature tables of a GeoPackage.
//   - Issues with severity "error" mean the feature must not be stored;
//     Result.Err turns the first into a *domain.Error. Features whose
//     geometry was rejected come back with a nil Geometry.
//   - Detected mistakes (axis order, Gauss-Kruger zone prefix) are fixed
//     only with Options.Correct; otherwise they are errors.
//   - Geometries keep the source ring orientation (Shapefile outer rings are
//     clockwise); single-type GeometryCollections become multi-geometries.
//   - Z and M values are dropped (reported once per file).
//   - CSV and KML attribute values are strings; DBF, GeoJSON and GeoPackage
//     values keep their types.
//   - Memory does not grow with the file for GeoJSON, CSV and Shapefile,
//     except for the duplicate check (8 bytes of hash per feature).
package ingest

import (
	"errors"
	"fmt"

	"github.com/paulmach/orb"

	"github.com/planmap/planmap/internal/domain"
)

// Format is an upload format.
type Format string

// The formats Open reads.
const (
	FormatGeoJSON   Format = "geojson"
	FormatShapefile Format = "shapefile" // a zip holding .shp .shx .dbf (.prj .cpg)
	FormatKML       Format = "kml"
	FormatKMZ       Format = "kmz"
	FormatGPKG      Format = "gpkg"
	FormatCSV       Format = "csv"
)

// Issue severities.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
	SeverityInfo    = "info"
)

// Sentinel errors; every returned error wraps one of them and a *domain.Error.
var (
	ErrUnknownFormat  = errors.New("ingest: unrecognised file format")
	ErrFormatMismatch = errors.New("ingest: file extension does not match its content")
	ErrSyntax         = errors.New("ingest: malformed file")
	ErrTooLarge       = errors.New("ingest: limit exceeded")
	ErrTooDeep        = errors.New("ingest: nesting too deep")
	ErrZipSlip        = errors.New("ingest: archive member escapes the archive")
	ErrZipBomb        = errors.New("ingest: archive expands too much")
	ErrNestedArchive  = errors.New("ingest: archive inside an archive")
	ErrMissingMember  = errors.New("ingest: shapefile member missing")
	ErrDoctype        = errors.New("ingest: XML DOCTYPE or ENTITY refused")
	ErrCRS            = errors.New("ingest: coordinate reference system not usable")
	ErrEncoding       = errors.New("ingest: unknown character encoding")
	ErrInvalidFeature = errors.New("ingest: invalid features")
)

// Options are the uploader's declarations and the limits. Zero values take
// the defaults of DefaultOptions.
type Options struct {
	// DeclaredCRS overrides the file's CRS: "EPSG:4490", "4529",
	// "urn:ogc:def:crs:EPSG::4550", "CRS84", "CGCS2000", "GCJ-02", "BD-09".
	DeclaredCRS string
	// Encoding overrides attribute encoding detection (DBF, CSV): "GBK",
	// "GB18030", "CP936", "936", "UTF-8", "Big5", ...
	Encoding string
	// Correct applies detected fixes (swapped axes, a missing or extra
	// Gauss-Kruger zone prefix) and reports them as warnings. Without it the
	// same findings are errors and coordinates are left alone.
	Correct bool

	MaxBytes          int64 // upload size
	MaxFeatures       int
	MaxVertices       int // per feature
	MaxTotalVertices  int
	MaxFields         int
	MaxArchiveEntries int
	MaxUncompressed   int64 // per archive, declared and actual
	MaxDepth          int   // JSON nesting

	// CSV geometry columns; detected from common names when empty.
	LonColumn, LatColumn, WKTColumn string
}

// DefaultOptions returns the default limits.
func DefaultOptions() Options {
	return Options{
		MaxBytes:          256 << 20,
		MaxFeatures:       1_000_000,
		MaxVertices:       1_000_000,
		MaxTotalVertices:  20_000_000,
		MaxFields:         1000,
		MaxArchiveEntries: 1000,
		MaxUncompressed:   1 << 30,
		MaxDepth:          64,
	}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.MaxBytes <= 0 {
		o.MaxBytes = d.MaxBytes
	}
	if o.MaxFeatures <= 0 {
		o.MaxFeatures = d.MaxFeatures
	}
	if o.MaxVertices <= 0 {
		o.MaxVertices = d.MaxVertices
	}
	if o.MaxTotalVertices <= 0 {
		o.MaxTotalVertices = d.MaxTotalVertices
	}
	if o.MaxFields <= 0 {
		o.MaxFields = d.MaxFields
	}
	if o.MaxArchiveEntries <= 0 {
		o.MaxArchiveEntries = d.MaxArchiveEntries
	}
	if o.MaxUncompressed <= 0 {
		o.MaxUncompressed = d.MaxUncompressed
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = d.MaxDepth
	}
	return o
}

// Feature is one decoded feature. Geometry is nil when the feature has none
// or when it was rejected (see Issues).
type Feature struct {
	Index      int
	ID         string
	Layer      string
	Properties []Property
	Geometry   orb.Geometry
	Issues     []Issue
}

// HasErrors reports whether an error-severity issue was found in f.
func (f *Feature) HasErrors() bool {
	for _, is := range f.Issues {
		if is.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Property is one attribute. Value is a string, float64, int64, bool, nil,
// time.Time or, for nested GeoJSON values, json.RawMessage.
type Property struct {
	Name  string
	Value any
}

// Issue is a finding about one feature (Feature >= 0) or the file (-1).
// Layer is set for feature issues when the upload has several layers.
type Issue struct {
	Feature  int
	Layer    string
	Field    string
	Code     string
	Message  string
	Severity string
}

func (is Issue) String() string {
	s := ""
	if is.Layer != "" {
		s = is.Layer + ": "
	}
	if is.Feature >= 0 {
		s += fmt.Sprintf("feature %d: ", is.Feature)
	}
	if is.Field != "" {
		s += fmt.Sprintf("field %q: ", is.Field)
	}
	return s + is.Message
}

// Field is an attribute column and its type: string, integer, number,
// boolean, date, datetime or json.
type Field struct {
	Name string
	Type string
}

// CRSInfo says which CRS the output coordinates are in and how it was found.
// Source is prj, geojson-crs, gpkg, declared, assumed or format.
type CRSInfo struct {
	EPSG    int
	Name    string
	Source  string
	Warning string
}

// LayerInfo describes one layer of a multi-layer upload (a Shapefile zip
// with several .shp, a GeoPackage with several tables).
type LayerInfo struct {
	Name     string
	CRS      CRSInfo
	Encoding string
	Fields   []Field
	Geometry string // the file's declared geometry type, if any
}

// Result is what was learnt about the upload. CRS, Encoding and Fields are
// those of the first layer; Issues are capped per code (a summary issue
// counts the rest). It is complete once Next has returned io.EOF.
type Result struct {
	Format   Format
	CRS      CRSInfo
	Encoding string
	Fields   []Field
	Layers   []LayerInfo
	Issues   []Issue
	Features int
	Errors   int // error-severity issues, including those not listed
}

// Err returns a *domain.Error (EINVALID) describing the first
// error-severity issue, or nil when there is none.
func (r *Result) Err() error {
	if r.Errors == 0 {
		return nil
	}
	for _, is := range r.Issues {
		if is.Severity == SeverityError {
			msg := is.String()
			if r.Errors > 1 {
				msg += fmt.Sprintf(" (and %d more errors)", r.Errors-1)
			}
			return fail(ErrInvalidFeature, domain.EINVALID, "%s", msg)
		}
	}
	return fail(ErrInvalidFeature, domain.EINVALID, "%d invalid features", r.Errors)
}

// codedError is a *domain.Error that also matches a sentinel.
type codedError struct {
	de       *domain.Error
	sentinel error
}

func (e *codedError) Error() string   { return e.de.Error() }
func (e *codedError) Unwrap() []error { return []error{e.de, e.sentinel} }

// fail returns an error matching sentinel whose *domain.Error has code.
func fail(sentinel error, code, format string, args ...any) error {
	return &codedError{de: domain.Errorf(code, format, args...), sentinel: sentinel}
}

func syntaxf(format string, args ...any) error {
	return fail(ErrSyntax, domain.EINVALID, format, args...)
}

func tooLargef(format string, args ...any) error {
	return fail(ErrTooLarge, domain.ETOOLARGE, format, args...)
}

// Package gazetteer decodes and checks the plan's projects and vocabularies
// as geodata/ keeps them.
package gazetteer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/plan"
)

// File names inside a geodata folder.
const (
	ProjectsFile     = "projects.geojson"
	VocabulariesFile = "vocabularies.json"
)

// ErrInvalid wraps every problem found in geodata.
var ErrInvalid = errors.New("gazetteer: invalid")

// Liaoning returns a generous box around the province; sites outside it
// must be flagged cross-border.
func Liaoning() domain.BBox {
	return domain.BBox{MinLon: 118.8, MinLat: 38.7, MaxLon: 125.8, MaxLat: 43.5}
}

// Term and Vocabularies are the domain's; the aliases keep this package's API short.
type (
	Term         = domain.Term
	Vocabularies = domain.Vocabularies
)

func has(terms []Term, code string) bool {
	for _, t := range terms {
		if t.Code == code {
			return true
		}
	}
	return false
}

// Data is a decoded geodata folder.
type Data struct {
	Vocabularies Vocabularies
	Projects     []*domain.Project
	Layers       []*Layer
}

// Load reads and decodes the geodata in fsys.
func Load(fsys fs.FS) (*Data, error) {
	vb, err := fs.ReadFile(fsys, VocabulariesFile)
	if err != nil {
		return nil, err
	}
	var d Data
	dec := json.NewDecoder(bytes.NewReader(vb))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d.Vocabularies); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, VocabulariesFile, err)
	}
	f, err := fsys.Open(ProjectsFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if d.Projects, err = DecodeProjects(f); err != nil {
		return nil, err
	}
	if d.Layers, err = loadLayers(fsys); err != nil {
		return nil, err
	}
	return &d, nil
}

// properties is the strict shape of a project's GeoJSON properties.
type properties struct {
	ID                string          `json:"id"`
	NameZH            string          `json:"name_zh"`
	NameEN            string          `json:"name_en"`
	Section           int             `json:"section"`
	Item              int             `json:"item"`
	Clause            string          `json:"clause"`
	Category          string          `json:"category"`
	Status            string          `json:"status"`
	ActionZH          string          `json:"action_zh"`
	ActionEN          string          `json:"action_en"`
	Targets           []domain.Target `json:"targets"`
	City              *string         `json:"city"`
	CityZH            *string         `json:"city_zh"`
	County            *string         `json:"county"`
	CountyZH          *string         `json:"county_zh"`
	Country           string          `json:"country"`
	CrossBorder       bool            `json:"cross_border"`
	LocationPrecision string          `json:"location_precision"`
	UncertaintyKM     *float64        `json:"uncertainty_km"`
	LocationNote      string          `json:"location_note"`
	Programme         *string         `json:"programme"`
	CountTarget       *int            `json:"count_target"`
	History           []struct {
		Date   string `json:"date"`
		Status string `json:"status"`
		Kind   string `json:"kind"`
		Note   string `json:"note"`
		Source string `json:"source"`
	} `json:"history"`
	Sources []struct {
		Title string  `json:"title"`
		URL   *string `json:"url"`
		Date  *string `json:"date"`
		Note  string  `json:"note"`
	} `json:"sources"`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// DecodeProjects decodes a FeatureCollection of projects. Unknown
// properties are errors, so a misspelt name is caught.
func DecodeProjects(r io.Reader) ([]*domain.Project, error) {
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type       string          `json:"type"`
			ID         any             `json:"id"`
			Geometry   json.RawMessage `json:"geometry"`
			Properties json.RawMessage `json:"properties"`
		} `json:"features"`
	}
	if err := json.NewDecoder(r).Decode(&fc); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, ProjectsFile, err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("%w: %s: type %q, want FeatureCollection", ErrInvalid, ProjectsFile, fc.Type)
	}
	out := make([]*domain.Project, 0, len(fc.Features))
	for i, f := range fc.Features {
		id, _ := f.ID.(string)
		p, err := DecodeProject(id, f.Geometry, f.Properties)
		if err != nil {
			return nil, fmt.Errorf("feature %d: %w", i, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// DecodeProject decodes one project from its feature id, GeoJSON geometry
// (or null) and properties. Unknown properties are errors.
func DecodeProject(featureID string, geometry, props json.RawMessage) (*domain.Project, error) {
	var pr properties
	dec := json.NewDecoder(bytes.NewReader(props))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pr); err != nil {
		return nil, fmt.Errorf("%w: properties: %v", ErrInvalid, err)
	}
	if featureID != pr.ID {
		return nil, fmt.Errorf("%w: %s: the feature id must equal properties.id", ErrInvalid, pr.ID)
	}
	p := &domain.Project{
		ID: pr.ID, NameZH: pr.NameZH, NameEN: pr.NameEN, Section: pr.Section, Item: pr.Item,
		Clause: pr.Clause, Category: pr.Category, Status: domain.Status(pr.Status),
		ActionZH: pr.ActionZH, ActionEN: pr.ActionEN, Targets: pr.Targets,
		City: deref(pr.City), CityZH: deref(pr.CityZH), County: deref(pr.County), CountyZH: deref(pr.CountyZH),
		Country: pr.Country, CrossBorder: pr.CrossBorder,
		LocationPrecision: domain.Precision(pr.LocationPrecision), UncertaintyKM: pr.UncertaintyKM,
		LocationNote: pr.LocationNote, Programme: deref(pr.Programme), CountTarget: pr.CountTarget,
	}
	if p.Targets == nil {
		p.Targets = []domain.Target{}
	}
	for _, h := range pr.History {
		d, err := time.Parse(time.DateOnly, h.Date)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: history date %q is not YYYY-MM-DD", ErrInvalid, pr.ID, h.Date)
		}
		p.History = append(p.History, domain.StatusChange{Date: d, Status: domain.Status(h.Status), Kind: h.Kind, Note: h.Note, Source: h.Source})
	}
	p.Sources = []domain.Source{}
	for _, s := range pr.Sources {
		p.Sources = append(p.Sources, domain.Source{Title: s.Title, URL: deref(s.URL), Date: deref(s.Date), Note: s.Note})
	}
	if len(geometry) > 0 && string(geometry) != "null" {
		g, err := geojson.UnmarshalGeometry(geometry)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: geometry: %v", ErrInvalid, pr.ID, err)
		}
		p.Geometry = g.Geometry()
	}
	return p, nil
}

// Check returns every problem in d, checked against the plan's clauses.
// It does not stop at the first, so a data editor sees them all at once.
func (d *Data) Check(idx *plan.Index) []error {
	var errs []error
	bad := func(id, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrInvalid, id, fmt.Sprintf(format, args...)))
	}
	v := d.Vocabularies
	for _, st := range domain.Statuses {
		if !has(v.Statuses, string(st)) {
			bad(VocabulariesFile, "status %q has no labels", st)
		}
	}
	for _, t := range append(append(append([]Term{}, v.Statuses...), v.Categories...), v.Precisions...) {
		if t.Code == "" || t.LabelZH == "" || t.LabelEN == "" {
			bad(VocabulariesFile, "term %q lacks a code or a label", t.Code)
		}
	}
	ids := map[string]*domain.Project{}
	for _, p := range d.Projects {
		if ids[p.ID] != nil {
			bad(p.ID, "duplicate id")
		}
		ids[p.ID] = p
	}
	for _, p := range d.Projects {
		errs = append(errs, CheckProject(p, idx.Clause, v, func(id string) bool {
			parent := ids[id]
			return parent != nil && parent.CountTarget != nil
		})...)
	}
	return errs
}

// CheckProject returns every problem of one project: clause verbatim in
// the plan, vocabularies, precision, place, programme and history.
func CheckProject(p *domain.Project, clause func(section, item int) (string, bool), v Vocabularies, isProgramme func(id string) bool) []error {
	var errs []error
	bad := func(id, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrInvalid, id, fmt.Sprintf(format, args...)))
	}
	id := p.ID
	if !domain.ProjectIDPattern.MatchString(id) {
		bad(id, "id must match %s", domain.ProjectIDPattern)
	}
	if p.NameZH == "" || p.NameEN == "" {
		bad(id, "name_zh and name_en are required")
	}
	text, ok := clause(p.Section, p.Item)
	switch {
	case !ok:
		bad(id, "section %d item %d is not in the plan", p.Section, p.Item)
	case p.Clause == "":
		bad(id, "clause is empty")
	case !strings.Contains(text, p.Clause):
		bad(id, "clause is not verbatim in section %d item %d", p.Section, p.Item)
	}
	if !p.Status.Valid() || !has(v.Statuses, string(p.Status)) {
		bad(id, "unknown status %q", p.Status)
	}
	if !has(v.Categories, p.Category) {
		bad(id, "unknown category %q", p.Category)
	}
	if !p.LocationPrecision.Valid() || !has(v.Precisions, string(p.LocationPrecision)) {
		bad(id, "unknown location_precision %q", p.LocationPrecision)
	}
	if p.LocationPrecision != domain.PrecisionSite && p.UncertaintyKM == nil {
		bad(id, "uncertainty_km is required when location_precision is %q", p.LocationPrecision)
	}
	if p.LocationNote == "" {
		bad(id, "location_note is required")
	}
	if len(p.Country) != 2 {
		bad(id, "country must be a two-letter code")
	}
	if p.Programme != "" && !isProgramme(p.Programme) {
		bad(id, "programme %q is not a programme entry", p.Programme)
	}
	if p.Geometry != nil {
		checkGeometry(p, bad)
	}
	if len(p.History) == 0 || p.History[0].Kind != domain.HistoryPlanTarget {
		bad(id, "history must start with the plan's 2012 target (kind plan_target)")
	}
	for i, h := range p.History {
		if !h.Status.Valid() {
			bad(id, "history entry %d: unknown status %q", i, h.Status)
		}
		switch h.Kind {
		case domain.HistoryPlanTarget:
			if i > 0 {
				bad(id, "history entry %d: only the first entry is the plan target", i)
			}
		case domain.HistoryReported:
			if h.Source == "" {
				bad(id, "history entry %d: a reported status needs a source", i)
			}
		default:
			bad(id, "history entry %d: unknown kind %q", i, h.Kind)
		}
		if i > 0 && h.Date.Before(p.History[i-1].Date) && h.Kind == domain.HistoryReported && p.History[i-1].Kind == domain.HistoryReported {
			bad(id, "history entry %d is older than the one before it", i)
		}
	}
	for i, s := range p.Sources {
		if s.Title == "" {
			bad(id, "source %d has no title", i)
		}
	}
	return errs
}

func checkGeometry(p *domain.Project, bad func(id, format string, args ...any)) {
	switch p.Geometry.(type) {
	case orb.Point, orb.LineString, orb.MultiLineString, orb.Polygon, orb.MultiPolygon, orb.MultiPoint:
	default:
		bad(p.ID, "geometry type %s is not allowed", p.Geometry.GeoJSONType())
		return
	}
	box := Liaoning()
	outside := false
	domain.EachPoint(p.Geometry, func(pt orb.Point) {
		if math.IsNaN(pt[0]) || math.IsNaN(pt[1]) || math.IsInf(pt[0], 0) || math.IsInf(pt[1], 0) {
			bad(p.ID, "coordinate is not a finite number")
			return
		}
		if pt[0] < box.MinLon || pt[0] > box.MaxLon || pt[1] < box.MinLat || pt[1] > box.MaxLat {
			outside = true
		}
	})
	if outside && !p.CrossBorder {
		bad(p.ID, "lies outside Liaoning (%g-%gE, %g-%gN) but is not flagged cross_border", box.MinLon, box.MaxLon, box.MinLat, box.MaxLat)
	}
}

// Digest returns a SHA-256 over every file in fsys, in path order, so a
// server can tell whether its database holds this exact geodata.
func Digest(fsys fs.FS) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

package domain

import (
	"context"
	"encoding/json"
	"regexp"
	"time"

	"github.com/paulmach/orb"
)

// Status is a project's state in the plan's status vocabulary.
type Status string

// The status vocabulary. geodata/vocabularies.json carries the labels.
const (
	StatusProposed          Status = "proposed"
	StatusPreparatory       Status = "preparatory"
	StatusUnderConstruction Status = "under_construction"
	StatusCompleted         Status = "completed"
	StatusOngoing           Status = "ongoing"
	StatusDelayed           Status = "delayed"
)

// Statuses lists every status in display order.
var Statuses = []Status{StatusProposed, StatusPreparatory, StatusUnderConstruction, StatusCompleted, StatusOngoing, StatusDelayed}

// Valid reports whether s is in the vocabulary.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Precision says how exactly a geometry places a project.
type Precision string

// Location precisions, from exact to coarse.
const (
	PrecisionSite     Precision = "site"
	PrecisionDistrict Precision = "district"
	PrecisionCity     Precision = "city"
	PrecisionRegion   Precision = "region"
)

// Valid reports whether p is a known precision.
func (p Precision) Valid() bool {
	switch p {
	case PrecisionSite, PrecisionDistrict, PrecisionCity, PrecisionRegion:
		return true
	}
	return false
}

// SectionCount is the number of sections in the plan.
const SectionCount = 13

// Section is one of the plan's 13 numbered sections.
type Section struct {
	Number  int    `json:"number"`
	TitleZH string `json:"title_zh"`
	TitleEN string `json:"title_en"`
}

// SectionSummary is a section with its project counts per status.
type SectionSummary struct {
	Section
	Items    int            `json:"items"`
	Projects int            `json:"projects"`
	ByStatus map[Status]int `json:"by_status"`
}

// Clause is one numbered item of a section, verbatim.
type Clause struct {
	Section int    `json:"section"`
	Item    int    `json:"item"`
	Text    string `json:"text"`
}

// Target is a structured quantity the plan sets, such as 10 million TEU.
type Target struct {
	Metric  string  `json:"metric"`
	Value   float64 `json:"value"`
	Unit    string  `json:"unit"`
	LabelZH string  `json:"label_zh,omitempty"`
	LabelEN string  `json:"label_en,omitempty"`
	Note    string  `json:"note,omitempty"`
}

// Source names where a fact that is not in the plan comes from.
type Source struct {
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
	Date  string `json:"date,omitempty"`
	Note  string `json:"note,omitempty"`
}

// History kinds: what the plan set for 2012, and what a source later reported.
const (
	HistoryPlanTarget = "plan_target"
	HistoryReported   = "reported"
)

// StatusChange is one dated entry of a project's status history.
type StatusChange struct {
	Date   time.Time `json:"-"`
	Status Status    `json:"status"`
	Kind   string    `json:"kind"`
	Note   string    `json:"note,omitempty"`
	Source string    `json:"source,omitempty"`
}

// Project is a sited project or place-bound target of the plan.
type Project struct {
	ID                string         `json:"id"`
	NameZH            string         `json:"name_zh"`
	NameEN            string         `json:"name_en"`
	Section           int            `json:"section"`
	Item              int            `json:"item"`
	Clause            string         `json:"clause"`
	Category          string         `json:"category"`
	Status            Status         `json:"status"`
	ActionZH          string         `json:"action_zh"`
	ActionEN          string         `json:"action_en"`
	Targets           []Target       `json:"targets"`
	City              string         `json:"city"`
	CityZH            string         `json:"city_zh"`
	County            string         `json:"county"`
	CountyZH          string         `json:"county_zh"`
	Country           string         `json:"country"`
	CrossBorder       bool           `json:"cross_border"`
	LocationPrecision Precision      `json:"location_precision"`
	UncertaintyKM     *float64       `json:"uncertainty_km"`
	LocationNote      string         `json:"location_note"`
	Programme         string         `json:"programme"`
	CountTarget       *int           `json:"count_target"`
	History           []StatusChange `json:"history"`
	Sources           []Source       `json:"sources"`
	Geometry          orb.Geometry   `json:"-"`
	UpdatedAt         time.Time      `json:"-"`
	// Version counts writes to this project; it makes the item's ETag.
	Version int `json:"-"`
}

// ProjectIDPattern is the form of a stable project id.
var ProjectIDPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// BBox is a WGS84 longitude/latitude box.
type BBox struct {
	MinLon, MinLat, MaxLon, MaxLat float64
}

// Period is a closed time interval; a nil end is open.
type Period struct {
	Start, End *time.Time
}

// Condition is an extra SQL condition built by a trusted translator
// (CQL2) from the collection's allow-list of columns: it returns SQL with
// placeholders numbered from firstParam, and their values. User input
// reaches the database only through the values.
type Condition func(firstParam int) (sql string, args []any, err error)

// ProjectFilter selects projects. Empty fields do not filter.
type ProjectFilter struct {
	Sections   []int
	Statuses   []Status
	Categories []string
	Cities     []string
	BBox       *BBox
	Text       string
	// Period matches projects with a status-history date inside it.
	Period *Period
	Where  Condition
	Offset int
	Limit  int
}

// ProjectPage is one page of projects and the count of all that match.
type ProjectPage struct {
	Projects []*Project
	Matched  int
}

// ProjectService reads the plan's projects.
type ProjectService interface {
	FindProjects(ctx context.Context, f ProjectFilter) (*ProjectPage, error)
	// EachProject calls fn for each matching project as rows arrive and
	// returns the number of all that match.
	EachProject(ctx context.Context, f ProjectFilter, fn func(*Project) error) (matched int, err error)
	FindProjectByID(ctx context.Context, id string) (*Project, error)
	Sections(ctx context.Context) ([]SectionSummary, error)
	Info(ctx context.Context) (*CollectionInfo, error)
}

// HealthChecker reports whether a dependency is reachable.
type HealthChecker interface {
	Ping(ctx context.Context) error
}

// MarshalJSON writes the date as YYYY-MM-DD.
func (c StatusChange) MarshalJSON() ([]byte, error) {
	type plain StatusChange
	return json.Marshal(struct {
		Date string `json:"date"`
		plain
	}{c.Date.Format(time.DateOnly), plain(c)})
}

// Term is one entry of a controlled vocabulary, labelled in both languages.
type Term struct {
	Code          string `json:"code"`
	LabelZH       string `json:"label_zh"`
	LabelEN       string `json:"label_en"`
	DescriptionZH string `json:"description_zh,omitempty"`
	DescriptionEN string `json:"description_en,omitempty"`
	Symbol        string `json:"symbol,omitempty"`
}

// Vocabularies are the controlled lists that projects use.
type Vocabularies struct {
	Statuses   []Term `json:"statuses"`
	Categories []Term `json:"categories"`
	Precisions []Term `json:"precisions"`
}

// Programme is a counted set of projects, such as the 42 coastal parks,
// with how many of them are on the map so far.
type Programme struct {
	ID          string `json:"id"`
	NameZH      string `json:"name_zh"`
	NameEN      string `json:"name_en"`
	Section     int    `json:"section"`
	Item        int    `json:"item"`
	Category    string `json:"category"`
	CountTarget int    `json:"count_target"`
	Members     int    `json:"members"`
	Sited       int    `json:"sited"`
}

// PlanService reads the plan itself: its clauses, vocabularies and programmes.
type PlanService interface {
	Clauses(ctx context.Context) ([]Clause, error)
	Vocabularies(ctx context.Context) (*Vocabularies, error)
	Programmes(ctx context.Context) ([]Programme, error)
}

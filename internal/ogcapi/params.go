package ogcapi

import (
	"math"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/planmap/planmap/internal/domain"
)

// Query parameters.
const (
	ParamBBox       = "bbox"
	ParamBBoxCRS    = "bbox-crs"
	ParamCategory   = "category"
	ParamCity       = "city"
	ParamCRS        = "crs"
	ParamDatetime   = "datetime"
	ParamFilter     = "filter"
	ParamFilterCRS  = "filter-crs"
	ParamFilterLang = "filter-lang"
	ParamFormat     = "f"
	ParamLimit      = "limit"
	ParamOffset     = "offset"
	ParamSection    = "section"
	ParamStatus     = "status"
	ParamText       = "q"
)

// Limits bound what one request may ask for.
type Limits struct {
	DefaultLimit int
	MaxLimit     int
	MaxOffset    int
	MaxTextLen   int
	MaxListLen   int
}

// DefaultLimits are the limits used when none are configured.
func DefaultLimits() Limits {
	return Limits{DefaultLimit: 100, MaxLimit: 10000, MaxOffset: 10_000_000, MaxTextLen: 200, MaxListLen: 50}
}

// commonItemsParams are the items parameters of every collection.
func commonItemsParams() []string {
	return []string{ParamBBox, ParamBBoxCRS, ParamCRS, ParamDatetime, ParamFilter, ParamFilterCRS, ParamFilterLang, ParamFormat, ParamLimit, ParamOffset}
}

// projectItemsParams are the items parameters of the projects collection.
func projectItemsParams() []string {
	return append(commonItemsParams(), ParamCategory, ParamCity, ParamSection, ParamStatus, ParamText)
}

var categoryPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func invalid(param, format string, args ...any) error {
	return domain.Errorf(domain.EINVALID, "parameter %q: "+format, append([]any{param}, args...)...)
}

// checkParams rejects unknown and repeated parameters.
func checkParams(q url.Values, allowed []string) error {
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		known := false
		for _, a := range allowed {
			if k == a {
				known = true
				break
			}
		}
		if !known {
			return domain.Errorf(domain.EINVALID, "unknown query parameter %q; this resource accepts: %s", truncate(k, 64), strings.Join(allowed, ", "))
		}
		if len(q[k]) > 1 {
			return invalid(k, "given %d times; give it once (lists are comma-separated)", len(q[k]))
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// ParseProjectFilter reads the items query of the projects collection.
func ParseProjectFilter(q url.Values, lim Limits) (domain.ProjectFilter, error) {
	f := domain.ProjectFilter{Limit: lim.DefaultLimit}
	if err := checkParams(q, projectItemsParams()); err != nil {
		return f, err
	}
	common, err := parseCommon(q, lim)
	if err != nil {
		return f, err
	}
	f.BBox, f.Period, f.Limit, f.Offset = common.bbox, common.period, common.limit, common.offset
	if f.Sections, err = parseList(q, ParamSection, lim, func(s string) (int, error) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > domain.SectionCount {
			return 0, invalid(ParamSection, "%q is not a section number from 1 to %d", truncate(s, 32), domain.SectionCount)
		}
		return n, nil
	}); err != nil {
		return f, err
	}
	if f.Statuses, err = parseList(q, ParamStatus, lim, func(s string) (domain.Status, error) {
		st := domain.Status(s)
		if !st.Valid() {
			names := make([]string, len(domain.Statuses))
			for i, v := range domain.Statuses {
				names[i] = string(v)
			}
			return "", invalid(ParamStatus, "%q is not a status; use one of %s", truncate(s, 32), strings.Join(names, ", "))
		}
		return st, nil
	}); err != nil {
		return f, err
	}
	if f.Categories, err = parseList(q, ParamCategory, lim, func(s string) (string, error) {
		if !categoryPattern.MatchString(s) || len(s) > 64 {
			return "", invalid(ParamCategory, "%q is not a category code (lower-case letters, digits and _)", truncate(s, 32))
		}
		return s, nil
	}); err != nil {
		return f, err
	}
	if f.Cities, err = parseList(q, ParamCity, lim, func(s string) (string, error) {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || utf8.RuneCountInString(s) > 64 {
			return "", invalid(ParamCity, "%q is not a city name", truncate(s, 32))
		}
		return s, nil
	}); err != nil {
		return f, err
	}
	if q.Has(ParamText) {
		t := strings.TrimSpace(q.Get(ParamText))
		switch {
		case !utf8.ValidString(t) || strings.ContainsRune(t, 0):
			return f, invalid(ParamText, "is not valid UTF-8 text")
		case utf8.RuneCountInString(t) > lim.MaxTextLen:
			return f, invalid(ParamText, "is longer than %d characters", lim.MaxTextLen)
		}
		f.Text = t
	}
	return f, nil
}

// ParseFeatureFilter reads the items query of a layer collection. A layer
// has no temporal property, so datetime is accepted and matches everything.
func ParseFeatureFilter(q url.Values, lim Limits) (domain.FeatureFilter, error) {
	if err := checkParams(q, commonItemsParams()); err != nil {
		return domain.FeatureFilter{}, err
	}
	common, err := parseCommon(q, lim)
	if err != nil {
		return domain.FeatureFilter{}, err
	}
	return domain.FeatureFilter{BBox: common.bbox, Limit: common.limit, Offset: common.offset}, nil
}

// commonQuery holds the parameters every collection's items share.
type commonQuery struct {
	bbox          *domain.BBox
	crs           CRS
	period        *domain.Period
	limit, offset int
}

func parseCommon(q url.Values, lim Limits) (commonQuery, error) {
	var (
		c   commonQuery
		err error
	)
	c.crs = CRS{URI: CRS84}
	if q.Has(ParamCRS) {
		if c.crs, err = ParseCRS(ParamCRS, q.Get(ParamCRS)); err != nil {
			return c, err
		}
	}
	bboxCRS := CRS{URI: CRS84}
	if q.Has(ParamBBoxCRS) {
		if !q.Has(ParamBBox) {
			return c, invalid(ParamBBoxCRS, "given without bbox")
		}
		if bboxCRS, err = ParseCRS(ParamBBoxCRS, q.Get(ParamBBoxCRS)); err != nil {
			return c, err
		}
	}
	if q.Has(ParamBBox) {
		nums, err := parseBBoxNumbers(q.Get(ParamBBox))
		if err != nil {
			return c, err
		}
		b, err := bboxCRS.BBoxToCRS84(nums)
		if err != nil {
			return c, err
		}
		c.bbox = &b
	}
	if q.Has(ParamDatetime) {
		if c.period, err = ParseDatetime(q.Get(ParamDatetime)); err != nil {
			return c, err
		}
	}
	switch lang := q.Get(ParamFilterLang); {
	case (q.Has(ParamFilterLang) || q.Has(ParamFilterCRS)) && !q.Has(ParamFilter):
		return c, invalid(ParamFilterLang, "given without filter")
	case lang != "" && lang != "cql2-text" && lang != "cql2-json":
		return c, invalid(ParamFilterLang, "%q is not a filter language; use cql2-text or cql2-json", truncate(lang, 32))
	case q.Has(ParamFilter) && strings.TrimSpace(q.Get(ParamFilter)) == "":
		return c, invalid(ParamFilter, "is empty")
	}
	if c.limit, err = parseLimit(q, lim); err != nil {
		return c, err
	}
	if c.offset, err = parseOffset(q, lim); err != nil {
		return c, err
	}
	return c, nil
}

// ParseDatetime reads an RFC 3339 date or date-time, or an interval of
// two with ".." (or nothing) for an open end.
func ParseDatetime(s string) (*domain.Period, error) {
	instant := func(v string) (*time.Time, error) {
		if v == ".." || v == "" {
			return nil, nil
		}
		for _, layout := range []string{time.DateOnly, time.RFC3339Nano} {
			if t, err := time.Parse(layout, v); err == nil {
				t = t.UTC()
				return &t, nil
			}
		}
		return nil, invalid(ParamDatetime, "%q is not an RFC 3339 date or date-time", truncate(v, 40))
	}
	start, end, isInterval := strings.Cut(s, "/")
	if !isInterval {
		if s == "" || s == ".." {
			return nil, invalid(ParamDatetime, "is empty; give a date, a date-time or an interval start/end")
		}
		t, err := instant(s)
		if err != nil {
			return nil, err
		}
		return &domain.Period{Start: t, End: t}, nil
	}
	a, err := instant(start)
	if err != nil {
		return nil, err
	}
	b, err := instant(end)
	if err != nil {
		return nil, err
	}
	if a == nil && b == nil {
		return nil, invalid(ParamDatetime, "an interval needs at least one end")
	}
	if a != nil && b != nil && b.Before(*a) {
		return nil, invalid(ParamDatetime, "the interval ends before it starts")
	}
	return &domain.Period{Start: a, End: b}, nil
}

// parseList splits a comma-separated parameter and parses every element.
func parseList[T any](q url.Values, param string, lim Limits, parse func(string) (T, error)) ([]T, error) {
	if !q.Has(param) {
		return nil, nil
	}
	raw := q.Get(param)
	parts := strings.Split(raw, ",")
	if len(parts) > lim.MaxListLen {
		return nil, invalid(param, "lists at most %d values", lim.MaxListLen)
	}
	out := make([]T, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return nil, invalid(param, "has an empty value; give a comma-separated list")
		}
		v, err := parse(p)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// parseBBoxNumbers reads 4 numbers (or the 6-number 3D form, whose
// heights are dropped) in the order the bbox's CRS gives its axes.
func parseBBoxNumbers(s string) ([4]float64, error) {
	var out [4]float64
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return out, invalid(ParamBBox, "needs 4 numbers (minLon,minLat,maxLon,maxLat), got %d", len(parts))
	}
	nums := make([]float64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return out, invalid(ParamBBox, "%q is not a finite number", truncate(p, 32))
		}
		nums[i] = v
	}
	if len(nums) == 6 { // min x, min y, min z, max x, max y, max z
		nums = []float64{nums[0], nums[1], nums[3], nums[4]}
	}
	copy(out[:], nums)
	return out, nil
}

// ParseBBox reads minLon,minLat,maxLon,maxLat (or the 6-number 3D form) in CRS84.
func ParseBBox(s string) (domain.BBox, error) {
	nums, err := parseBBoxNumbers(s)
	if err != nil {
		return domain.BBox{}, err
	}
	return CRS{URI: CRS84}.BBoxToCRS84(nums)
}

func checkBBox(b domain.BBox) (domain.BBox, error) {
	switch {
	case b.MinLon < -180 || b.MaxLon > 180 || b.MinLat < -90 || b.MaxLat > 90:
		return b, invalid(ParamBBox, "longitudes must lie in -180..180 and latitudes in -90..90")
	case b.MinLat > b.MaxLat:
		return b, invalid(ParamBBox, "minimum latitude %g is above maximum %g", b.MinLat, b.MaxLat)
	case b.MinLon > b.MaxLon:
		return b, invalid(ParamBBox, "minimum longitude %g is east of maximum %g; boxes across the antimeridian are not supported", b.MinLon, b.MaxLon)
	}
	return b, nil
}

package ogcapi

import (
	"math"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/planmap/planmap/internal/domain"
)

// Query parameters.
const (
	ParamBBox     = "bbox"
	ParamCategory = "category"
	ParamCity     = "city"
	ParamFormat   = "f"
	ParamLimit    = "limit"
	ParamOffset   = "offset"
	ParamSection  = "section"
	ParamStatus   = "status"
	ParamText     = "q"
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

var (
	categoryPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	itemsParams     = []string{ParamBBox, ParamCategory, ParamCity, ParamFormat, ParamLimit, ParamOffset, ParamSection, ParamStatus, ParamText}
)

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
	if err := checkParams(q, itemsParams); err != nil {
		return f, err
	}
	if v := q.Get(ParamFormat); v != "" && v != "json" && v != "geojson" {
		return f, invalid(ParamFormat, "%q is not a format of this resource; use json", truncate(v, 32))
	}
	var err error
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
	if q.Has(ParamBBox) {
		b, err := ParseBBox(q.Get(ParamBBox))
		if err != nil {
			return f, err
		}
		f.BBox = &b
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
	if f.Limit, err = parseLimit(q, lim); err != nil {
		return f, err
	}
	if f.Offset, err = parseOffset(q, lim); err != nil {
		return f, err
	}
	return f, nil
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

// ParseBBox reads minLon,minLat,maxLon,maxLat (or the 6-number 3D form).
func ParseBBox(s string) (domain.BBox, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return domain.BBox{}, invalid(ParamBBox, "needs 4 numbers (minLon,minLat,maxLon,maxLat), got %d", len(parts))
	}
	nums := make([]float64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return domain.BBox{}, invalid(ParamBBox, "%q is not a finite number", truncate(p, 32))
		}
		nums[i] = v
	}
	if len(nums) == 6 { // minLon,minLat,minZ,maxLon,maxLat,maxZ
		nums = []float64{nums[0], nums[1], nums[3], nums[4]}
	}
	b := domain.BBox{MinLon: nums[0], MinLat: nums[1], MaxLon: nums[2], MaxLat: nums[3]}
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

package ogcapi_test

import (
	"net/url"
	"testing"
	"unicode/utf8"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/ogcapi"
)

// FuzzParseProjectFilter: any query string either parses into a filter
// within the limits or gives a client error; it never panics.
func FuzzParseProjectFilter(f *testing.F) {
	for _, s := range []string{
		"", "section=7", "section=1,13&limit=5&offset=10", "status=under_construction,completed",
		"bbox=121,38.5,123,40", "bbox=39,121,40,123&bbox-crs=EPSG:4326", "datetime=2012-01-01/..",
		"q=%E6%B0%B4%E5%BA%93", "limit=unlimited", "section=1%3BDROP", "crs=http://www.opengis.net/def/crs/EPSG/0/3857",
		"filter=section%3D7&filter-lang=cql2-text", "bbox=1e400,0,1,1", "section=%00", "city=%FF",
	} {
		f.Add(s)
	}
	lim := ogcapi.DefaultLimits()
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		pf, err := ogcapi.ParseProjectFilter(q, lim)
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID || !utf8.ValidString(domain.ErrorMessage(err)) {
				t.Fatalf("error %v is not a client error with a readable message", err)
			}
			return
		}
		if pf.Limit < 1 || pf.Limit > lim.MaxLimit || pf.Offset < 0 || pf.Offset > lim.MaxOffset || len(pf.Sections) > lim.MaxListLen {
			t.Fatalf("filter outside the limits: %+v", pf)
		}
		for _, s := range pf.Sections {
			if s < 1 || s > domain.SectionCount {
				t.Fatalf("section %d", s)
			}
		}
		if b := pf.BBox; b != nil && (b.MinLon > b.MaxLon || b.MinLat > b.MaxLat || b.MinLon < -180 || b.MaxLat > 90) {
			t.Fatalf("bbox %+v", b)
		}
		if !utf8.ValidString(pf.Text) {
			t.Fatalf("text %q", pf.Text)
		}
	})
}

func FuzzParseDatetime(f *testing.F) {
	for _, s := range []string{"2012-12-31", "2012-01-01/2012-12-31", "../2013-06-07T00:00:00Z", "2013-01-01/..", "/", "..", "2013-13-01", "2012-12-31T25:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ogcapi.ParseDatetime(s)
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("error %v", err)
			}
			return
		}
		if p == nil || (p.Start == nil && p.End == nil) || (p.Start != nil && p.End != nil && p.End.Before(*p.Start)) {
			t.Fatalf("period %+v from %q", p, s)
		}
	})
}

func FuzzParseCRS(f *testing.F) {
	for _, s := range []string{"http://www.opengis.net/def/crs/OGC/1.3/CRS84", "EPSG:4326", "[EPSG:3857]", "urn:ogc:def:crs:EPSG::4490", "EPSG:0", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ogcapi.ParseCRS("crs", s)
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("error %v", err)
			}
			return
		}
		known := false
		for _, u := range ogcapi.SupportedCRS() {
			known = known || u == c.URI
		}
		if !known {
			t.Fatalf("unknown CRS %q accepted from %q", c.URI, s)
		}
	})
}

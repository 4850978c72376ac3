package ogcapi_test

import (
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/ogcapi"
)

func TestParseProjectFilter(t *testing.T) {
	lim := ogcapi.DefaultLimits()
	tests := []struct {
		query   string
		want    domain.ProjectFilter
		errPart string // the error must name this
	}{
		{"", domain.ProjectFilter{Limit: 100}, ""},
		{"section=7", domain.ProjectFilter{Sections: []int{7}, Limit: 100}, ""},
		{"section=1,13&limit=5&offset=10", domain.ProjectFilter{Sections: []int{1, 13}, Limit: 5, Offset: 10}, ""},
		{"status=under_construction,completed", domain.ProjectFilter{Statuses: []domain.Status{"under_construction", "completed"}, Limit: 100}, ""},
		{"category=port&city=" + url.QueryEscape("大连市"), domain.ProjectFilter{Categories: []string{"port"}, Cities: []string{"大连市"}, Limit: 100}, ""},
		{"bbox=121,38.5,123,40", domain.ProjectFilter{BBox: &domain.BBox{MinLon: 121, MinLat: 38.5, MaxLon: 123, MaxLat: 40}, Limit: 100}, ""},
		{"bbox=121,38.5,0,123,40,10", domain.ProjectFilter{BBox: &domain.BBox{MinLon: 121, MinLat: 38.5, MaxLon: 123, MaxLat: 40}, Limit: 100}, ""},
		{"q=+" + url.QueryEscape("水库") + "+", domain.ProjectFilter{Text: "水库", Limit: 100}, ""},
		{"f=json", domain.ProjectFilter{Limit: 100}, ""},
		{"section=14", domain.ProjectFilter{}, `"section"`},
		{"section=0", domain.ProjectFilter{}, `"section"`},
		{"section=seven", domain.ProjectFilter{}, `"section"`},
		{"section=1,,2", domain.ProjectFilter{}, `"section"`},
		{"section=1&section=2", domain.ProjectFilter{}, `"section"`},
		{"limit=abc", domain.ProjectFilter{}, `"limit"`},
		{"limit=0", domain.ProjectFilter{}, `"limit"`},
		{"limit=unlimited", domain.ProjectFilter{}, `"limit"`},
		{"limit=10001", domain.ProjectFilter{}, `"limit"`},
		{"offset=-1", domain.ProjectFilter{}, `"offset"`},
		{"status=built", domain.ProjectFilter{}, `"status"`},
		{"category=Port%3BDROP", domain.ProjectFilter{}, `"category"`},
		{"bbox=1,2,3", domain.ProjectFilter{}, `"bbox"`},
		{"bbox=1,2,3,NaN", domain.ProjectFilter{}, `"bbox"`},
		{"bbox=1,50,3,40", domain.ProjectFilter{}, `"bbox"`},
		{"bbox=170,40,-170,50", domain.ProjectFilter{}, `"bbox"`},
		{"bbox=1,2,3,1e400", domain.ProjectFilter{}, `"bbox"`},
		{"q=" + strings.Repeat("x", 201), domain.ProjectFilter{}, `"q"`},
		{"q=%FF", domain.ProjectFilter{}, `"q"`},
		{"bbox=39,121,40,123&bbox-crs=" + url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/4326"), domain.ProjectFilter{BBox: &domain.BBox{MinLon: 121, MinLat: 39, MaxLon: 123, MaxLat: 40}, Limit: 100}, ""},
		{"bbox-crs=EPSG:4326", domain.ProjectFilter{}, `"bbox-crs"`},
		{"bbox=1,2,3,4&bbox-crs=EPSG:9999", domain.ProjectFilter{}, `"bbox-crs"`},
		{"crs=EPSG:2000", domain.ProjectFilter{}, `"crs"`},
		{"datetime=2013-01-01/..", domain.ProjectFilter{Period: &domain.Period{Start: date(2013, 1, 1)}, Limit: 100}, ""},
		{"datetime=2012-12-31", domain.ProjectFilter{Period: &domain.Period{Start: date(2012, 12, 31), End: date(2012, 12, 31)}, Limit: 100}, ""},
		{"datetime=../2012-12-31T00:00:00Z", domain.ProjectFilter{Period: &domain.Period{End: date(2012, 12, 31)}, Limit: 100}, ""},
		{"datetime=2013-01-01/2012-01-01", domain.ProjectFilter{}, `"datetime"`},
		{"datetime=../..", domain.ProjectFilter{}, `"datetime"`},
		{"datetime=yesterday", domain.ProjectFilter{}, `"datetime"`},
		{"sectoin=7", domain.ProjectFilter{}, `"sectoin"`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ogcapi.ParseProjectFilter(q, lim)
			if tt.errPart != "" {
				if err == nil || domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), tt.errPart) {
					t.Fatalf("err = %v, want an invalid error naming %s", err, tt.errPart)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func date(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func TestBBoxInEveryCRS(t *testing.T) {
	want := domain.BBox{MinLon: 121, MinLat: 39, MaxLon: 123, MaxLat: 40}
	tests := []struct{ crs, bbox string }{
		{"http://www.opengis.net/def/crs/OGC/1.3/CRS84", "121,39,123,40"},
		{"http://www.opengis.net/def/crs/EPSG/0/4326", "39,121,40,123"},
		{"http://www.opengis.net/def/crs/EPSG/0/4490", "39,121,40,123"},
		{"http://www.opengis.net/def/crs/EPSG/0/3857", "13469658.1,4721671.6,13692297.4,4865942.3"},
	}
	for _, tt := range tests {
		t.Run(tt.crs, func(t *testing.T) {
			q := url.Values{"bbox": {tt.bbox}, "bbox-crs": {tt.crs}}
			f, err := ogcapi.ParseProjectFilter(q, ogcapi.DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			b := *f.BBox
			for _, d := range []float64{b.MinLon - want.MinLon, b.MinLat - want.MinLat, b.MaxLon - want.MaxLon, b.MaxLat - want.MaxLat} {
				if d > 1e-5 || d < -1e-5 {
					t.Fatalf("bbox %+v, want %+v", b, want)
				}
			}
		})
	}
}

func TestBaseURL(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string]string
		want    string
	}{
		{"direct", nil, "http://example.test:8080"},
		{"forwarded", map[string]string{"Forwarded": `for=1.2.3.4;proto=https;host="maps.example.org"`}, "https://maps.example.org"},
		{"forwarded first element wins", map[string]string{"Forwarded": "proto=https;host=a.example, proto=http;host=b.example"}, "https://a.example"},
		{"x-forwarded", map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "maps.example.org", "X-Forwarded-Prefix": "/planmap/"}, "https://maps.example.org/planmap"},
		{"bad host ignored", map[string]string{"X-Forwarded-Host": "evil.example/path"}, "http://example.test:8080"},
		{"bad proto ignored", map[string]string{"X-Forwarded-Proto": "javascript"}, "http://example.test:8080"},
		{"absolute prefix ignored", map[string]string{"X-Forwarded-Prefix": "http://evil.example/"}, "http://example.test:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://example.test:8080/collections", nil)
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			if got := ogcapi.BaseURL(r); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

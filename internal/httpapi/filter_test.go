package httpapi_test

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"testing"
)

func ids(fc featureCollection) string {
	var out []string
	for _, f := range fc.Features {
		out = append(out, f.ID)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func TestCQL2Filters(t *testing.T) {
	srv, db := newApp(t)
	tests := []struct {
		coll, lang, filter, want string
	}{
		{"projects", "", "section = 7", "reservoir-houshan"},
		{"projects", "cql2-text", "section IN (2, 7) AND status = 'under_construction'", "park-changxing-island,port-dalian"},
		{"projects", "", "name_en LIKE 'Port%' OR name_zh LIKE '%水库'", "port-dalian,reservoir-houshan"},
		{"projects", "", "NOT (section = 2)", "reservoir-houshan"},
		{"projects", "", "count_target IS NOT NULL", "programme-coastal-parks"},
		{"projects", "", "uncertainty_km BETWEEN 5 AND 10", "park-changxing-island,port-dalian"},
		{"projects", "", "CASEI(city) = casei('DALIAN')", "park-changxing-island,port-dalian"},
		{"projects", "", "S_INTERSECTS(geometry, POLYGON((121.8 39, 122 39, 122 39.1, 121.8 39.1, 121.8 39)))", "port-dalian"},
		{"projects", "", "S_DWITHIN(geometry, POINT(124.1 40.45), 10, kilometers)", "reservoir-houshan"},
		{"projects", "", "T_AFTER(last_reported_date, DATE('2013-01-01'))", "reservoir-houshan"},
		{"projects", "cql2-json", `{"op":"and","args":[{"op":"=","args":[{"property":"section"},2]},{"op":"=","args":[{"property":"category"},"port"]}]}`, "port-dalian"},
		{"cities", "", "name_zh = '沈阳'", "shenyang"},
		{"cities", "", "capital = TRUE", "shenyang"},
		{"cities", "", "S_WITHIN(geometry, BBOX(124, 39.5, 125, 40.5))", "dandong"},
		{"projects", "", "name_en = 'x'' OR ''1''=''1'", ""},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			q := url.Values{"filter": {tt.filter}, "limit": {"100"}}
			if tt.lang != "" {
				q.Set("filter-lang", tt.lang)
			}
			var fc featureCollection
			getJSON(t, srv.URL+"/collections/"+tt.coll+"/items?"+q.Encode(), 200, &fc)
			if got := ids(fc); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			// The filter survives paging links.
			if self := fc.link("self"); !strings.Contains(self, "filter=") {
				t.Fatalf("self link lost the filter: %s", self)
			}
		})
	}
	// Filters combine with the other parameters.
	var fc featureCollection
	getJSON(t, srv.URL+"/collections/projects/items?section=2&filter="+url.QueryEscape("category = 'park'"), 200, &fc)
	if ids(fc) != "park-changxing-island,programme-coastal-parks" {
		t.Fatalf("combined: %s", ids(fc))
	}
	var n int
	if err := db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM project`).Scan(&n); err != nil || n != 4 {
		t.Fatalf("projects after the filters: %d %v", n, err)
	}
}

func TestCQL2Errors(t *testing.T) {
	srv, _ := newApp(t)
	tests := []struct{ query, msg string }{
		{"filter=" + url.QueryEscape("sectoin = 7"), "sectoin"},
		{"filter=" + url.QueryEscape("section = 'seven'"), "filter"},
		{"filter=" + url.QueryEscape("section = 7; DROP TABLE project"), "filter"},
		{"filter=" + url.QueryEscape("pg_sleep(10) = 1"), "filter"},
		{"filter=" + url.QueryEscape(strings.Repeat("(", 100)+"section = 1"+strings.Repeat(")", 100)), "filter"},
		{"filter=" + url.QueryEscape("section = 7") + "&filter-lang=sql", `\"filter-lang\"`},
		{"filter-lang=cql2-text", `\"filter-lang\"`},
		{"filter=", `\"filter\": is empty`},
		{"filter=" + url.QueryEscape("S_INTERSECTS(geometry, POINT(1 2))") + "&filter-crs=" + url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/3857"), "filter"},
		{"filter=" + url.QueryEscape(`{"op":"=","args":[{"property":"section"}]}`) + "&filter-lang=cql2-json", "filter"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp, body := get(t, srv.URL+"/collections/projects/items?"+tt.query)
			if resp.StatusCode != 400 || !strings.Contains(string(body), tt.msg) || strings.Contains(string(body), "SQLSTATE") {
				t.Fatalf("%d %s, want 400 naming %q", resp.StatusCode, body, tt.msg)
			}
		})
	}
}

func TestQueryablesAndConformance(t *testing.T) {
	srv, _ := newApp(t)
	var q struct {
		Schema     string                    `json:"$schema"`
		Properties map[string]map[string]any `json:"properties"`
	}
	resp, body := get(t, srv.URL+"/collections/projects/queryables")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/schema+json" {
		t.Fatalf("queryables: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if err := json.Unmarshal(body, &q); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"section", "status", "name_zh", "geometry", "last_reported_date"} {
		if q.Properties[name] == nil {
			t.Errorf("projects queryables lack %s", name)
		}
	}
	getJSON(t, srv.URL+"/collections/cities/queryables", 200, &q)
	if q.Properties["name_zh"]["type"] != "string" || q.Properties["capital"]["type"] != "boolean" || q.Properties["geometry"] == nil {
		t.Fatalf("cities queryables: %v", q.Properties)
	}
	var conf struct {
		ConformsTo []string `json:"conformsTo"`
	}
	getJSON(t, srv.URL+"/conformance", 200, &conf)
	all := strings.Join(conf.ConformsTo, " ")
	for _, c := range []string{"ogcapi-features-3/1.0/conf/filter", "ogcapi-features-3/1.0/conf/queryables", "cql2/1.0/conf/cql2-text", "ogcapi-features-2/1.0/conf/crs"} {
		if !strings.Contains(all, c) {
			t.Errorf("conformance lacks %s", c)
		}
	}
	resp, _ = get(t, srv.URL+"/collections/nope/queryables")
	if resp.StatusCode != 404 {
		t.Fatalf("unknown collection queryables: %d", resp.StatusCode)
	}
}

package cql2_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/planmap/planmap/internal/cql2"
	"github.com/planmap/planmap/internal/domain"
)

// testQueryables mirror the projects collection.
var testQueryables = cql2.Queryables{
	"section":    {SQL: "p.section", Type: cql2.Integer, Description: "plan section"},
	"item":       {SQL: "p.item", Type: cql2.Integer},
	"status":     {SQL: "p.status", Type: cql2.String},
	"name_en":    {SQL: "p.name_en", Type: cql2.String},
	"name_zh":    {SQL: "p.name_zh", Type: cql2.String},
	"uncert":     {SQL: "p.uncertainty_km", Type: cql2.Number},
	"cross":      {SQL: "p.cross_border", Type: cql2.Boolean},
	"geom":       {SQL: "p.geom", Type: cql2.Geometry},
	"updated":    {SQL: "p.updated_at", Type: cql2.Timestamp},
	"start":      {SQL: "h.start_date", Type: cql2.Date},
	"end":        {SQL: "h.end_date", Type: cql2.Date},
	"date":       {SQL: "h.date", Type: cql2.Date},
	"ts_start":   {SQL: "h.ts_start", Type: cql2.Timestamp},
	"ts_end":     {SQL: "h.ts_end", Type: cql2.Timestamp},
	"plan:label": {SQL: "p.label", Type: cql2.String},
	"len":        {SQL: "length(p.name_en)", Type: cql2.Integer},
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// sameArgs compares argument lists, times by instant.
func sameArgs(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		ta, ok1 := a[i].(time.Time)
		tb, ok2 := b[i].(time.Time)
		if ok1 || ok2 {
			if !ok1 || !ok2 || !ta.Equal(tb) {
				return false
			}
			continue
		}
		if !reflect.DeepEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

// translate parses in the given language and translates.
func translate(t testing.TB, lang, filter string, first int) (string, []any, error) {
	t.Helper()
	e, err := cql2.Parse(lang, filter, cql2.Limits{})
	if err != nil {
		return "", nil, err
	}
	return cql2.ToSQL(e, testQueryables, first)
}

// checkClientError asserts err is a cql2 client error of the given kind
// whose message contains want.
func checkClientError(t *testing.T, err error, kind error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", want)
	}
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("code %q, want %q (err %v)", domain.ErrorCode(err), domain.EINVALID, err)
	}
	msg := domain.ErrorMessage(err)
	if !strings.HasPrefix(msg, "filter: ") {
		t.Errorf("message %q does not start with \"filter: \"", msg)
	}
	if !strings.Contains(msg, want) {
		t.Errorf("message %q does not contain %q", msg, want)
	}
	if kind != nil && !errors.Is(err, kind) {
		t.Errorf("errors.Is(%v, %v) = false", err, kind)
	}
	var ce *cql2.Error
	if !errors.As(err, &ce) {
		t.Errorf("%v is not a *cql2.Error", err)
	}
}

// safeSQL asserts the SQL carries no user data: no literals, comments or
// statement separators.
func safeSQL(t testing.TB, sql string) {
	t.Helper()
	for _, bad := range []string{"'", `"`, ";", "--", "/*", "\\", "$$"} {
		if strings.Contains(sql, bad) {
			t.Fatalf("SQL %q contains %q", sql, bad)
		}
	}
}

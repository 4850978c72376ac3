package httpapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
)

type countingSyncer struct {
	calls int
	err   error
}

func (s *countingSyncer) Sync(context.Context) error { s.calls++; return s.err }

// Versions are brought up to date after a successful write, before its
// answer leaves, and only then.
func TestSyncVersionsAfterWrites(t *testing.T) {
	for _, c := range []struct {
		method string
		status int
		err    error
		calls  int
	}{
		{http.MethodPost, http.StatusCreated, nil, 1},
		{http.MethodPut, http.StatusOK, nil, 1},
		{http.MethodDelete, http.StatusNoContent, nil, 1},
		{http.MethodPatch, http.StatusOK, errors.New("database down"), 1}, // the answer still leaves
		{http.MethodPost, http.StatusConflict, nil, 0},
		{http.MethodGet, http.StatusOK, nil, 0},
	} {
		s := &countingSyncer{err: c.err}
		e := echo.New()
		e.Use(syncVersionsAfterWrites(s))
		var callsBeforeBody int
		e.Any("/x", func(ec echo.Context) error {
			ec.Response().Before(func() {}) // handlers may add their own
			ec.Response().WriteHeader(c.status)
			callsBeforeBody = s.calls
			return nil
		})
		w := httptest.NewRecorder()
		e.ServeHTTP(w, httptest.NewRequest(c.method, "/x", nil))
		if w.Code != c.status || s.calls != c.calls || callsBeforeBody != c.calls {
			t.Errorf("%s %d: status %d, %d syncs (%d before the answer), want %d", c.method, c.status, w.Code, s.calls, callsBeforeBody, c.calls)
		}
	}
}

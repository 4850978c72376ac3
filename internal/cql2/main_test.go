package cql2_test

import (
	"os"
	"sync"
	"testing"

	"github.com/planmap/planmap/internal/postgis/postgistest"
)

// The PostGIS cluster starts on first use, so fuzzing workers and tests
// that need no database do not pay for it.
var (
	serverOnce sync.Once
	server     *postgistest.Server
	serverErr  error
)

func pgServer(t *testing.T) *postgistest.Server {
	t.Helper()
	serverOnce.Do(func() { server, serverErr = postgistest.Start() })
	if serverErr != nil {
		t.Fatalf("start PostGIS: %v", serverErr)
	}
	return server
}

func TestMain(m *testing.M) {
	code := m.Run()
	if server != nil {
		server.Close()
	}
	os.Exit(code)
}

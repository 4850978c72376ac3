package httpapi_test

import (
	"os"
	"testing"

	"github.com/planmap/planmap/internal/postgis/postgistest"
)

var server *postgistest.Server

func TestMain(m *testing.M) { os.Exit(postgistest.Main(m, &server)) }

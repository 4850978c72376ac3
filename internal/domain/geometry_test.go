package domain_test

import (
	"testing"

	"github.com/paulmach/orb"

	"github.com/planmap/planmap/internal/domain"
)

func TestEachPoint(t *testing.T) {
	g := orb.Collection{
		orb.Point{1, 1},
		orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}},
		orb.MultiLineString{{{2, 2}, {3, 3}}},
	}
	n := 0
	domain.EachPoint(g, func(orb.Point) { n++ })
	if n != 7 {
		t.Fatalf("visited %d points, want 7", n)
	}
}

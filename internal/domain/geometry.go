package domain

import "github.com/paulmach/orb"

// EachPoint calls fn for every position of g, in order.
func EachPoint(g orb.Geometry, fn func(orb.Point)) {
	switch g := g.(type) {
	case orb.Point:
		fn(g)
	case orb.MultiPoint:
		for _, p := range g {
			fn(p)
		}
	case orb.LineString:
		for _, p := range g {
			fn(p)
		}
	case orb.Ring:
		for _, p := range g {
			fn(p)
		}
	case orb.MultiLineString:
		for _, l := range g {
			EachPoint(l, fn)
		}
	case orb.Polygon:
		for _, r := range g {
			EachPoint(r, fn)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			EachPoint(p, fn)
		}
	case orb.Collection:
		for _, x := range g {
			EachPoint(x, fn)
		}
	}
}

package ingest

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Boxes the checks use (lon/lat degrees).
var (
	chinaBox    = orb.Bound{Min: orb.Point{73, 3}, Max: orb.Point{135, 54}}
	liaoningBox = orb.Bound{Min: orb.Point{118.8, 38.7}, Max: orb.Point{125.8, 43.5}}
)

// Gauss-Kruger plausibility in metres: eastings within a zone lie within
// 0-1,000 km (plus the prefix), northings of China within 0-6,200 km.
const (
	gkMaxNorthing = 6.2e6
	zoneSpan      = 1e6
)

func within(b, box orb.Bound) bool {
	return b.Min[0] >= box.Min[0] && b.Max[0] <= box.Max[0] && b.Min[1] >= box.Min[1] && b.Max[1] <= box.Max[1]
}

func swapBound(b orb.Bound) orb.Bound {
	return orb.Bound{Min: orb.Point{b.Min[1], b.Min[0]}, Max: orb.Point{b.Max[1], b.Max[0]}}
}

func isLonLat(b orb.Bound) bool {
	return b.Min[0] >= -180 && b.Max[0] <= 180 && b.Min[1] >= -90 && b.Max[1] <= 90
}

// mapPoints replaces every point of g in place.
func mapPoints(g orb.Geometry, fn func(orb.Point) orb.Point) {
	switch g := g.(type) {
	case orb.Point:
		// a Point is a value; callers handle it through setPoint
	case orb.MultiPoint:
		for i := range g {
			g[i] = fn(g[i])
		}
	case orb.LineString:
		for i := range g {
			g[i] = fn(g[i])
		}
	case orb.Ring:
		for i := range g {
			g[i] = fn(g[i])
		}
	case orb.MultiLineString:
		for _, l := range g {
			mapPoints(l, fn)
		}
	case orb.Polygon:
		for _, r := range g {
			mapPoints(r, fn)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			mapPoints(p, fn)
		}
	case orb.Collection:
		for i, c := range g {
			if p, ok := c.(orb.Point); ok {
				g[i] = fn(p)
				continue
			}
			mapPoints(c, fn)
		}
	}
}

// transform returns g with fn applied to every point.
func transform(g orb.Geometry, fn func(orb.Point) orb.Point) orb.Geometry {
	if p, ok := g.(orb.Point); ok {
		return fn(p)
	}
	mapPoints(g, fn)
	return g
}

func swapXY(p orb.Point) orb.Point { return orb.Point{p[1], p[0]} }

// checkAxes looks for swapped axes and Gauss-Kruger zone-prefix mistakes and
// fixes them when correct is set. It returns the (possibly changed)
// geometry and what it found.
func (c *crsState) checkAxes(g orb.Geometry, correct bool) (orb.Geometry, []Issue) {
	if g == nil || c.def == nil {
		return g, nil
	}
	switch c.def.Kind {
	case kindGeographic:
		return c.checkLonLat(g, correct)
	case kindGK:
		return c.checkGK(g, correct)
	}
	return g, nil
}

func (c *crsState) checkLonLat(g orb.Geometry, correct bool) (orb.Geometry, []Issue) {
	b := g.Bound()
	s := swapBound(b)
	if within(b, chinaBox) || !within(s, chinaBox) {
		if !isLonLat(b) {
			return g, []Issue{{Code: "not-lonlat", Severity: SeverityError, Message: fmt.Sprintf(
				"coordinates (%.0f, %.0f) are not longitude/latitude as %s requires; %s", b.Min[0], b.Min[1], c.label(), guessProjected(b))}}
		}
		return g, nil
	}
	msg := fmt.Sprintf("coordinates appear to be [lat, lon]: (%g, %g) lies in China only when swapped", b.Min[0], b.Min[1])
	if correct {
		return transform(g, swapXY), []Issue{{Code: "lat-lon-order", Severity: SeverityWarning, Message: msg + "; swapped to [lon, lat]"}}
	}
	return g, []Issue{{Code: "lat-lon-order", Severity: SeverityError, Message: msg + "; fix the file or allow correction"}}
}

// guessProjected names the CRS projected coordinates most likely use.
func guessProjected(b orb.Bound) string {
	x, y := b.Min[0], b.Min[1]
	if y > x { // northing first
		x, y = y, x
	}
	if pz := math.Floor(x / zoneSpan); pz >= 13 && pz <= 45 && b.Max[0] < (pz+1)*zoneSpan && y > 0 && y < gkMaxNorthing {
		z := prefixZone(int(pz))
		return fmt.Sprintf("they look like Gauss-Kruger zone %d with the zone prefix (CGCS2000: EPSG:%d, Xian 1980: EPSG:%d, Beijing 1954: EPSG:%d); declare the CRS",
			int(pz), gkEPSG(datumCGCS2000, z), gkEPSG(datumXian80, z), gkEPSG(datumBeijing, z))
	}
	if x > 0 && x < zoneSpan && y > 0 && y < gkMaxNorthing {
		return "they look like Gauss-Kruger metres without a zone prefix (in Liaoning CGCS2000 3-degree CM 120E/123E/126E: EPSG:4549/4550/4551); declare the CRS"
	}
	return "declare the CRS"
}

// prefixZone is the zone an easting prefix names: 25-45 are 3-degree zones,
// 13-23 6-degree zones.
func prefixZone(pz int) gkZone {
	if pz >= 25 {
		return gkZone{Width: 3, CM: 3 * pz, Prefixed: true}
	}
	return gkZone{Width: 6, CM: 6*pz - 3, Prefixed: true}
}

func (c *crsState) label() string { return fmt.Sprintf("EPSG:%d", c.def.EPSG) }

func northingOK(lo, hi float64) bool { return lo > 0 && hi < gkMaxNorthing }

// eastingState classifies an easting range against zone z: ok, carrying a
// prefix z lacks (extra), lacking the prefix z has (missing), or carrying
// another zone's prefix (other, with that prefix).
func eastingState(lo, hi float64, z gkZone) (state string, pz int) {
	if lo <= 0 {
		return "", 0
	}
	p := math.Floor(lo / zoneSpan)
	if math.Floor(hi/zoneSpan) != p || math.IsInf(p, 0) {
		return "", 0
	}
	switch {
	case p == 0 && z.Prefixed:
		return "missing", 0
	case p == 0:
		return "ok", 0
	case p < 13 || p > 45 || p == 24:
		return "", 0
	case !z.Prefixed:
		return "extra", int(p)
	case int(p) == z.zone():
		return "ok", 0
	}
	return "other", int(p)
}

func (c *crsState) checkGK(g orb.Geometry, correct bool) (orb.Geometry, []Issue) {
	z := c.def.GK
	b := g.Bound()
	if isLonLat(b) {
		return g, []Issue{{Code: "not-projected", Severity: SeverityError, Message: fmt.Sprintf(
			"coordinates (%g, %g) look like longitude/latitude, not %s metres; declare EPSG:4490 or EPSG:4326", b.Min[0], b.Min[1], c.label())}}
	}
	type view struct {
		swapped bool
		e0, e1  float64
		n0, n1  float64
	}
	for _, v := range []view{{false, b.Min[0], b.Max[0], b.Min[1], b.Max[1]}, {true, b.Min[1], b.Max[1], b.Min[0], b.Max[0]}} {
		if !northingOK(v.n0, v.n1) {
			continue
		}
		state, pz := eastingState(v.e0, v.e1, z)
		if state == "" {
			continue
		}
		var msgs []string
		var fix func(orb.Point) orb.Point
		fixable := true
		if v.swapped {
			msgs = append(msgs, fmt.Sprintf("X and Y appear swapped (northing first: %.0f, %.0f)", b.Min[0], b.Min[1]))
			fix = swapXY
		}
		switch state {
		case "extra":
			fz := prefixZone(pz)
			fits := gkEPSG(c.def.Datum, fz)
			m := fmt.Sprintf("easting %.0f carries zone prefix %d, but %s has none; EPSG:%d fits", v.e0, pz, c.label(), fits)
			if fz.CM == z.CM {
				off := float64(pz) * zoneSpan
				fix = chain(fix, func(p orb.Point) orb.Point { return orb.Point{p[0] - off, p[1]} })
			} else {
				fixable = false
				m += fmt.Sprintf(" (zone %d is CM %dE, %s is CM %dE): declare EPSG:%d", pz, fz.CM, c.label(), z.CM, fits)
			}
			msgs = append(msgs, m)
		case "missing":
			nz := z
			nz.Prefixed = false
			off := float64(z.zone()) * zoneSpan
			msgs = append(msgs, fmt.Sprintf("easting %.0f lacks the zone prefix %d that %s expects; EPSG:%d fits", v.e0, z.zone(), c.label(), gkEPSG(c.def.Datum, nz)))
			fix = chain(fix, func(p orb.Point) orb.Point { return orb.Point{p[0] + off, p[1]} })
		case "other":
			fits := gkEPSG(c.def.Datum, prefixZone(pz))
			fixable = false
			msgs = append(msgs, fmt.Sprintf("easting %.0f carries zone prefix %d, but %s is zone %d; declare EPSG:%d", v.e0, pz, c.label(), z.zone(), fits))
		}
		if state == "ok" && !v.swapped {
			return g, nil // plausible as is
		}
		code := "zone-prefix"
		if v.swapped && state == "ok" {
			code = "xy-swapped"
		}
		msg := joinMsgs(msgs)
		if correct && fixable {
			// swap first, then shift the easting (now X)
			return transform(g, fix), []Issue{{Code: code, Severity: SeverityWarning, Message: msg + "; corrected"}}
		}
		if fixable {
			msg += "; fix the file or allow correction"
		}
		return g, []Issue{{Code: code, Severity: SeverityError, Message: msg}}
	}
	return g, []Issue{{Code: "implausible-coordinates", Severity: SeverityError, Message: fmt.Sprintf(
		"coordinates (%.0f, %.0f) are not plausible for %s (%s)", b.Min[0], b.Min[1], c.label(), c.def.Name)}}
}

// chain returns f then g; f may be nil.
func chain(f, g func(orb.Point) orb.Point) func(orb.Point) orb.Point {
	if f == nil {
		return g
	}
	return func(p orb.Point) orb.Point { return g(f(p)) }
}

func joinMsgs(m []string) string {
	s := ""
	for i, x := range m {
		if i > 0 {
			s += "; "
		}
		s += x
	}
	return s
}

// checkRegion warns when geographic coordinates (after any conversion) lie
// outside China or Liaoning.
func checkRegion(g orb.Geometry) []Issue {
	if g == nil {
		return nil
	}
	b := g.Bound()
	switch {
	case !b.Intersects(chinaBox):
		return []Issue{{Code: "outside-china", Severity: SeverityWarning, Message: fmt.Sprintf("lies outside China (73-135E, 3-54N) at (%g, %g)", b.Min[0], b.Min[1])}}
	case !within(b, chinaBox):
		return []Issue{{Code: "outside-china", Severity: SeverityWarning, Message: "extends outside China (73-135E, 3-54N)"}}
	case !b.Intersects(liaoningBox):
		return []Issue{{Code: "outside-liaoning", Severity: SeverityWarning, Message: fmt.Sprintf("lies outside Liaoning (118.8-125.8E, 38.7-43.5N) at (%g, %g)", b.Min[0], b.Min[1])}}
	case !within(b, liaoningBox):
		return []Issue{{Code: "outside-liaoning", Severity: SeverityWarning, Message: "extends outside Liaoning (118.8-125.8E, 38.7-43.5N)"}}
	}
	return nil
}

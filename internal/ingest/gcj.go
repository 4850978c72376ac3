package ingest

import (
	"math"

	"github.com/paulmach/orb"
)

// GCJ-02 ("Mars coordinates", used by Amap/Gaode, Tencent and Google China)
// shifts WGS 84 by a published, non-linear formula; BD-09 (Baidu) applies a
// second shift on top of GCJ-02. Both forwards are closed formulas; the
// inverses are found by fixed-point iteration to better than 1e-9 degrees.

const (
	gcjA  = 6378245.0              // Krasovsky semi-major axis used by the formula
	gcjEE = 0.00669342162296594323 // its first eccentricity squared
	bdXPi = math.Pi * 3000.0 / 180.0
)

// gcjOutside is the formula's own "not in China" box, where GCJ-02 equals
// WGS 84.
func gcjOutside(lon, lat float64) bool {
	return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271
}

func gcjDLat(x, y float64) float64 {
	r := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	r += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	return r
}

func gcjDLon(x, y float64) float64 {
	r := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	r += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	return r
}

// WGS84ToGCJ02 applies the published GCJ-02 forward transform.
func WGS84ToGCJ02(p orb.Point) orb.Point {
	lon, lat := p[0], p[1]
	if gcjOutside(lon, lat) {
		return p
	}
	dLat := gcjDLat(lon-105.0, lat-35.0)
	dLon := gcjDLon(lon-105.0, lat-35.0)
	radLat := lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - gcjEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((gcjA * (1 - gcjEE)) / (magic * sqrtMagic) * math.Pi)
	dLon = (dLon * 180.0) / (gcjA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return orb.Point{lon + dLon, lat + dLat}
}

// GCJ02ToBD09 applies Baidu's published forward transform.
func GCJ02ToBD09(p orb.Point) orb.Point {
	x, y := p[0], p[1]
	z := math.Sqrt(x*x+y*y) + 0.00002*math.Sin(y*bdXPi)
	theta := math.Atan2(y, x) + 0.000003*math.Cos(x*bdXPi)
	return orb.Point{z*math.Cos(theta) + 0.0065, z*math.Sin(theta) + 0.006}
}

// WGS84ToBD09 is GCJ02ToBD09 after WGS84ToGCJ02.
func WGS84ToBD09(p orb.Point) orb.Point { return GCJ02ToBD09(WGS84ToGCJ02(p)) }

// GCJ02ToWGS84 inverts WGS84ToGCJ02 exactly (to 1e-9 degrees, about 0.1 mm).
func GCJ02ToWGS84(p orb.Point) orb.Point { return invert(WGS84ToGCJ02, p) }

// BD09ToWGS84 inverts WGS84ToBD09 exactly.
func BD09ToWGS84(p orb.Point) orb.Point { return invert(WGS84ToBD09, p) }

// invert solves fwd(w) = p by fixed-point iteration: the shifts vary slowly
// (their derivative is about 1e-5), so each step gains about five digits.
func invert(fwd func(orb.Point) orb.Point, p orb.Point) orb.Point {
	if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
		return p
	}
	w := p
	for range 30 {
		q := fwd(w)
		dx, dy := q[0]-p[0], q[1]-p[1]
		w = orb.Point{w[0] - dx, w[1] - dy}
		if math.Abs(dx) < 1e-10 && math.Abs(dy) < 1e-10 {
			break
		}
	}
	return w
}

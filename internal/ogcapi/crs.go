package ogcapi

import (
	"math"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"

	"github.com/planmap/planmap/internal/domain"
)

// CRS is a coordinate reference system a client may ask for (Part 2).
type CRS struct {
	URI string
	// LatLon is true where the CRS's axis order is latitude, longitude.
	LatLon bool
	// Mercator is true for EPSG:3857 (metres).
	Mercator bool
}

// CRS URIs this server knows. Data are stored in CRS84; CGCS2000
// (EPSG:4490) agrees with WGS84 to centimetres, below the data's precision.
const (
	URIEPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
	URIEPSG4490 = "http://www.opengis.net/def/crs/EPSG/0/4490"
	URIEPSG3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
)

// SupportedCRS lists the CRS URIs in the order collections advertise them.
func SupportedCRS() []string { return []string{CRS84, URIEPSG4326, URIEPSG4490, URIEPSG3857} }

// ParseCRS accepts a CRS URI, a safe CURIE like [EPSG:4326], or EPSG:n.
func ParseCRS(param, s string) (CRS, error) {
	v := strings.TrimSpace(s)
	v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	switch strings.ToUpper(v) {
	case strings.ToUpper(CRS84), "CRS84", "OGC:CRS84", "URN:OGC:DEF:CRS:OGC:1.3:CRS84":
		return CRS{URI: CRS84}, nil
	case strings.ToUpper(URIEPSG4326), "EPSG:4326", "URN:OGC:DEF:CRS:EPSG::4326":
		return CRS{URI: URIEPSG4326, LatLon: true}, nil
	case strings.ToUpper(URIEPSG4490), "EPSG:4490", "URN:OGC:DEF:CRS:EPSG::4490":
		return CRS{URI: URIEPSG4490, LatLon: true}, nil
	case strings.ToUpper(URIEPSG3857), "EPSG:3857", "URN:OGC:DEF:CRS:EPSG::3857":
		return CRS{URI: URIEPSG3857, Mercator: true}, nil
	}
	return CRS{}, invalid(param, "%q is not a supported CRS; use one of %s", truncate(s, 80), strings.Join(SupportedCRS(), ", "))
}

// IsCRS84 reports whether c needs no transformation.
func (c CRS) IsCRS84() bool { return !c.LatLon && !c.Mercator }

// FromCRS84 transforms a geometry stored in CRS84 into c, in place when it can.
func (c CRS) FromCRS84(g orb.Geometry) orb.Geometry {
	switch {
	case g == nil || c.IsCRS84():
		return g
	case c.Mercator:
		return project.Geometry(orb.Clone(g), project.WGS84.ToMercator)
	default:
		return project.Geometry(orb.Clone(g), func(p orb.Point) orb.Point { return orb.Point{p[1], p[0]} })
	}
}

// BBoxToCRS84 turns a bbox given in c (its axis order) into CRS84.
func (c CRS) BBoxToCRS84(nums [4]float64) (domain.BBox, error) {
	switch {
	case c.Mercator:
		const max = 20037508.342789244
		for _, v := range nums {
			if math.Abs(v) > max*1.0001 {
				return domain.BBox{}, invalid(ParamBBox, "%g lies outside EPSG:3857's range of ±%.0f m", v, max)
			}
		}
		lo := project.Mercator.ToWGS84(orb.Point{nums[0], nums[1]})
		hi := project.Mercator.ToWGS84(orb.Point{nums[2], nums[3]})
		return checkBBox(domain.BBox{MinLon: lo[0], MinLat: lo[1], MaxLon: hi[0], MaxLat: hi[1]})
	case c.LatLon:
		return checkBBox(domain.BBox{MinLat: nums[0], MinLon: nums[1], MaxLat: nums[2], MaxLon: nums[3]})
	}
	return checkBBox(domain.BBox{MinLon: nums[0], MinLat: nums[1], MaxLon: nums[2], MaxLat: nums[3]})
}

// ToCRS84 transforms a geometry given in c into CRS84 and checks that
// every coordinate is a finite longitude and latitude.
func (c CRS) ToCRS84(g orb.Geometry) (orb.Geometry, error) {
	switch {
	case c.Mercator:
		g = project.Geometry(orb.Clone(g), project.Mercator.ToWGS84)
	case c.LatLon:
		g = project.Geometry(orb.Clone(g), func(p orb.Point) orb.Point { return orb.Point{p[1], p[0]} })
	}
	var bad error
	domain.EachPoint(g, func(p orb.Point) {
		if bad == nil && (math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) ||
			p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90) {
			bad = domain.Errorf(domain.EINVALID, "geometry: coordinate %v is not a longitude, latitude in %s", p, c.URI)
		}
	})
	return g, bad
}

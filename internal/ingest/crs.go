package ingest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/planmap/planmap/internal/domain"
)

// Datums planmap knows by name.
const (
	datumWGS84    = "WGS 84"
	datumCGCS2000 = "CGCS2000"
	datumXian80   = "Xian 1980"
	datumBeijing  = "Beijing 1954"
)

// crsKind says what plausibility checks apply to coordinates.
type crsKind int

const (
	kindUnknown    crsKind = iota // no checks
	kindGeographic                // longitude, latitude in degrees
	kindGK                        // Gauss-Kruger / transverse Mercator, metres
	kindProjected                 // other projected CRS (Web Mercator)
)

// gkZone is a Gauss-Kruger zone: 3- or 6-degree wide, with or without the
// zone number prefixed to the easting.
type gkZone struct {
	Width    int // 3 or 6
	CM       int // central meridian, degrees east
	Prefixed bool
}

// zone returns the zone number of z: CM/3 for 3-degree zones, (CM+3)/6 for
// 6-degree zones.
func (z gkZone) zone() int {
	if z.Width == 3 {
		return z.CM / 3
	}
	return (z.CM + 3) / 6
}

// falseEasting is 500 km, plus the zone number in millions when prefixed.
func (z gkZone) falseEasting() float64 {
	if z.Prefixed {
		return float64(z.zone())*1e6 + 5e5
	}
	return 5e5
}

// crsDef is a CRS planmap can check coordinates against.
type crsDef struct {
	EPSG  int
	Name  string
	Kind  crsKind
	Datum string
	GK    gkZone // Kind == kindGK
}

// shifted reports whether PROJ applies no datum shift from d's datum to
// WGS 84 by default, so results can be off by tens of metres.
func (d *crsDef) shifted() bool { return d.Datum == datumXian80 || d.Datum == datumBeijing }

// gkFamily numbers one datum's four Gauss-Kruger series of EPSG codes.
type gkFamily struct {
	datum          string
	six, sixCM     int // first code: 6-degree zone 13 (prefixed), CM 75E
	three, threeCM int // first code: 3-degree zone 25 (prefixed), CM 75E
	geographic     int
	prefix         string // EPSG name prefix
}

var gkFamilies = []gkFamily{
	{datum: datumCGCS2000, six: 4491, sixCM: 4502, three: 4513, threeCM: 4534, geographic: 4490, prefix: "CGCS2000"},
	{datum: datumXian80, six: 2327, sixCM: 2338, three: 2349, threeCM: 2370, geographic: 4610, prefix: "Xian 1980"},
	{datum: datumBeijing, six: 21413, sixCM: 21453, three: 2401, threeCM: 2422, geographic: 4214, prefix: "Beijing 1954"},
}

// gkEPSG returns the EPSG code of zone z on datum, or 0.
func gkEPSG(datum string, z gkZone) int {
	for _, f := range gkFamilies {
		if f.datum != datum {
			continue
		}
		switch {
		case z.Width == 3 && z.CM%3 == 0 && z.CM >= 75 && z.CM <= 135:
			n := z.CM/3 - 25
			if z.Prefixed {
				return f.three + n
			}
			return f.threeCM + n
		case z.Width == 6 && z.CM%6 == 3 && z.CM >= 75 && z.CM <= 135:
			n := (z.CM+3)/6 - 13
			if z.Prefixed {
				return f.six + n
			}
			return f.sixCM + n
		}
	}
	return 0
}

// lookupEPSG returns what planmap knows about code; unknown codes come back
// with kindUnknown so their coordinates pass unchecked.
func lookupEPSG(code int) *crsDef {
	switch code {
	case 4326:
		return &crsDef{EPSG: 4326, Name: "WGS 84", Kind: kindGeographic, Datum: datumWGS84}
	case 4979: // WGS 84 3D: coordinates come out 2D
		return lookupEPSG(4326)
	case 4480: // CGCS2000 3D
		return lookupEPSG(4490)
	case 3857:
		return &crsDef{EPSG: 3857, Name: "WGS 84 / Pseudo-Mercator", Kind: kindProjected, Datum: datumWGS84}
	}
	if code >= 32643 && code <= 32653 { // UTM zones over China
		zone := code - 32600
		return &crsDef{EPSG: code, Name: fmt.Sprintf("WGS 84 / UTM zone %dN", zone), Kind: kindProjected, Datum: datumWGS84}
	}
	for _, f := range gkFamilies {
		if code == f.geographic {
			return &crsDef{EPSG: code, Name: f.prefix, Kind: kindGeographic, Datum: f.datum}
		}
		for _, s := range []struct {
			first, width, n int
			prefixed        bool
		}{{f.six, 6, 11, true}, {f.sixCM, 6, 11, false}, {f.three, 3, 21, true}, {f.threeCM, 3, 21, false}} {
			if code < s.first || code >= s.first+s.n {
				continue
			}
			i := code - s.first
			z := gkZone{Width: s.width, Prefixed: s.prefixed}
			if s.width == 3 {
				z.CM = 75 + 3*i
			} else {
				z.CM = 75 + 6*i
			}
			return &crsDef{EPSG: code, Name: gkName(f.prefix, z), Kind: kindGK, Datum: f.datum, GK: z}
		}
	}
	return &crsDef{EPSG: code, Name: fmt.Sprintf("EPSG:%d", code), Kind: kindUnknown}
}

// gkName follows EPSG's naming: "CGCS2000 / 3-degree Gauss-Kruger zone 41".
func gkName(prefix string, z gkZone) string {
	deg := ""
	if z.Width == 3 {
		deg = "3-degree "
	}
	if z.Prefixed {
		return fmt.Sprintf("%s / %sGauss-Kruger zone %d", prefix, deg, z.zone())
	}
	return fmt.Sprintf("%s / %sGauss-Kruger CM %dE", prefix, deg, z.CM)
}

// Conversions done here rather than in PostGIS.
const (
	convNone = ""
	convGCJ  = "GCJ-02"
	convBD   = "BD-09"
)

// parseCRS reads a CRS as a user or a GeoJSON "crs" member names it. conv
// is set for GCJ-02 and BD-09, whose coordinates come out as EPSG:4326.
func parseCRS(s string) (def *crsDef, conv string, err error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.NewReplacer(" ", "", "_", "", "-", "").Replace(t)
	switch t {
	case "GCJ02", "GCJ", "MARS", "AMAP", "GAODE", "TENCENT":
		return lookupEPSG(4326), convGCJ, nil
	case "BD09", "BD09LL", "BAIDU":
		return lookupEPSG(4326), convBD, nil
	case "CRS84", "OGC:CRS84", "URN:OGC:DEF:CRS:OGC:1.3:CRS84", "URN:OGC:DEF:CRS:OGC::CRS84",
		"HTTP://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84", "WGS84", "WGS1984":
		return lookupEPSG(4326), convNone, nil
	case "CGCS2000":
		return lookupEPSG(4490), convNone, nil
	}
	code := t
	for _, p := range []string{"URN:OGC:DEF:CRS:EPSG:", "HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/", "HTTPS://WWW.OPENGIS.NET/DEF/CRS/EPSG/", "EPSG:"} {
		if strings.HasPrefix(code, p) {
			code = strings.TrimPrefix(code, p)
			// urn:ogc:def:crs:EPSG:[version]:code, .../EPSG/0/code
			if i := strings.LastIndexAny(code, ":/"); i >= 0 {
				code = code[i+1:]
			}
			break
		}
	}
	n, err := strconv.Atoi(code)
	if err != nil || n <= 0 || n > 999999 {
		return nil, "", fail(ErrCRS, domain.EUNSUPPORTED, "unknown coordinate reference system %q (use an EPSG code such as EPSG:4490, or GCJ-02 / BD-09)", s)
	}
	return lookupEPSG(n), convNone, nil
}

// crsInfo reports def.
func (d *crsDef) info(source string) CRSInfo {
	ci := CRSInfo{EPSG: d.EPSG, Name: d.Name, Source: source}
	if d.shifted() {
		ci.Warning = fmt.Sprintf("%s: PROJ applies no datum shift to WGS 84 by default, so positions can be off by tens of metres or more", d.Datum)
	}
	return ci
}

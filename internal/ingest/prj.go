package ingest

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/planmap/planmap/internal/domain"
)

// wktNode is KEYWORD[arg, ...]; an arg is a string, a float64 or a *wktNode.
type wktNode struct {
	key  string
	args []any
}

const (
	maxWKTLen   = 64 << 10
	maxWKTDepth = 16
)

// parseWKTCRS parses WKT1 (OGC or ESRI) or WKT2 CRS text into a tree.
func parseWKTCRS(s string) (*wktNode, error) {
	if len(s) > maxWKTLen {
		return nil, fmt.Errorf("WKT longer than %d bytes", maxWKTLen)
	}
	p := &wktParser{s: strings.TrimPrefix(strings.TrimSpace(s), "\ufeff")}
	n, err := p.node(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q after the CRS", p.s[p.i:min(len(p.s), p.i+20)])
	}
	return n, nil
}

type wktParser struct {
	s string
	i int
}

func (p *wktParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *wktParser) ident() string {
	p.space()
	j := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' && p.i > j {
			p.i++
			continue
		}
		break
	}
	return p.s[j:p.i]
}

func (p *wktParser) node(depth int) (*wktNode, error) {
	if depth > maxWKTDepth {
		return nil, fmt.Errorf("WKT nested deeper than %d", maxWKTDepth)
	}
	key := p.ident()
	if key == "" {
		return nil, fmt.Errorf("expected a keyword at byte %d", p.i)
	}
	n := &wktNode{key: strings.ToUpper(key)}
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '[' && p.s[p.i] != '(' {
		return n, nil // a bare enum such as EAST
	}
	p.i++
	for {
		p.space()
		if p.i >= len(p.s) {
			return nil, fmt.Errorf("unterminated %s", n.key)
		}
		switch c := p.s[p.i]; {
		case c == ']' || c == ')':
			p.i++
			return n, nil
		case c == ',' && len(n.args) > 0:
			p.i++
			continue
		case c == '"':
			str, err := p.quoted()
			if err != nil {
				return nil, err
			}
			n.args = append(n.args, str)
		case c == '-' || c == '+' || c == '.' || c >= '0' && c <= '9':
			j := p.i
			for p.i < len(p.s) && strings.IndexByte("+-.eE0123456789", p.s[p.i]) >= 0 {
				p.i++
			}
			f, err := strconv.ParseFloat(p.s[j:p.i], 64)
			if err != nil {
				return nil, fmt.Errorf("bad number %q", p.s[j:p.i])
			}
			n.args = append(n.args, f)
		default:
			child, err := p.node(depth + 1)
			if err != nil {
				return nil, err
			}
			n.args = append(n.args, child)
		}
	}
}

func (p *wktParser) quoted() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		if c == '"' {
			if p.i < len(p.s) && p.s[p.i] == '"' {
				b.WriteByte('"')
				p.i++
				continue
			}
			return b.String(), nil
		}
		b.WriteByte(c)
	}
	return "", fmt.Errorf("unterminated string")
}

// name is the node's first string argument.
func (n *wktNode) name() string {
	if n != nil && len(n.args) > 0 {
		if s, ok := n.args[0].(string); ok {
			return s
		}
	}
	return ""
}

func (n *wktNode) num(i int) (float64, bool) {
	if n == nil || i >= len(n.args) {
		return 0, false
	}
	f, ok := n.args[i].(float64)
	return f, ok
}

// child returns the first direct child with one of keys.
func (n *wktNode) child(keys ...string) *wktNode {
	if n == nil {
		return nil
	}
	for _, a := range n.args {
		if c, ok := a.(*wktNode); ok {
			for _, k := range keys {
				if c.key == k {
					return c
				}
			}
		}
	}
	return nil
}

func (n *wktNode) children(key string) []*wktNode {
	var out []*wktNode
	for _, a := range n.args {
		if c, ok := a.(*wktNode); ok && c.key == key {
			out = append(out, c)
		}
	}
	return out
}

// epsgID returns the EPSG code in the node's AUTHORITY or ID, or 0.
func (n *wktNode) epsgID() int {
	id := n.child("AUTHORITY", "ID")
	if id == nil || !strings.EqualFold(id.name(), "EPSG") || len(id.args) < 2 {
		return 0
	}
	switch v := id.args[1].(type) {
	case float64:
		return int(v)
	case string:
		c, _ := strconv.Atoi(v)
		return c
	}
	return 0
}

// squash lowercases s and keeps only letters and digits.
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// classifyDatum names the datum of a geographic CRS node from its names or,
// failing that, its ellipsoid.
func classifyDatum(geog *wktNode) string {
	datum := geog.child("DATUM", "GEODETICDATUM", "TRF")
	names := squash(geog.name() + " " + datum.name())
	switch {
	case strings.Contains(names, "china2000") || strings.Contains(names, "cgcs2000") || strings.Contains(names, "chinageodeticcoordinatesystem2000"):
		return datumCGCS2000
	case strings.Contains(names, "xian1980") || strings.Contains(names, "xian80"):
		return datumXian80
	case strings.Contains(names, "newbeijing"):
		return ""
	case strings.Contains(names, "beijing1954") || strings.Contains(names, "beijing54"):
		return datumBeijing
	case strings.Contains(names, "wgs1984") || strings.Contains(names, "wgs84"):
		return datumWGS84
	}
	sph := datum.child("SPHEROID", "ELLIPSOID")
	a, _ := sph.num(1)
	f, _ := sph.num(2)
	switch {
	case a == 6378137 && math.Abs(f-298.257222101) < 1e-6:
		return datumCGCS2000
	case a == 6378140 && math.Abs(f-298.257) < 1e-6:
		return datumXian80
	case a == 6378137 && math.Abs(f-298.257223563) < 1e-6:
		return datumWGS84
	}
	return ""
}

// crsFromWKT identifies the CRS of a .prj (or gpkg_spatial_ref_sys
// definition) by its parameters, falling back on its AUTHORITY.
func crsFromWKT(member, text string) (*crsDef, error) {
	root, err := parseWKTCRS(text)
	if err != nil {
		return nil, fail(ErrCRS, domain.EINVALID, "%s: cannot parse the coordinate system: %v", member, err)
	}
	if root.key == "COMPD_CS" || root.key == "COMPOUNDCRS" {
		if h := root.child("PROJCS", "PROJCRS", "PROJECTEDCRS", "GEOGCS", "GEOGCRS", "GEODCRS", "GEOGRAPHICCRS", "GEODETICCRS"); h != nil {
			root = h
		}
	}
	unknown := func(why string) error {
		return fail(ErrCRS, domain.EUNSUPPORTED, "%s: unrecognised coordinate system %q (%s); declare its EPSG code", member, root.name(), why)
	}
	switch root.key {
	case "GEOGCS", "GEOGCRS", "GEODCRS", "GEOGRAPHICCRS", "GEODETICCRS":
		switch classifyDatum(root) {
		case datumWGS84:
			return lookupEPSG(4326), nil
		case datumCGCS2000:
			return lookupEPSG(4490), nil
		case datumXian80:
			return lookupEPSG(4610), nil
		case datumBeijing:
			return lookupEPSG(4214), nil
		}
		if code := root.epsgID(); code > 0 {
			return lookupEPSG(code), nil
		}
		return nil, unknown("unknown datum")
	case "PROJCS", "PROJCRS", "PROJECTEDCRS":
	default:
		return nil, unknown("not a coordinate system")
	}

	name := squash(root.name())
	if strings.Contains(name, "mercatorauxiliarysphere") || strings.Contains(name, "pseudomercator") || strings.Contains(name, "webmercator") {
		return lookupEPSG(3857), nil
	}
	geog := root.child("GEOGCS", "BASEGEOGCRS", "BASEGEODCRS")
	datum := classifyDatum(geog)
	method := squash(root.child("PROJECTION").name())
	params := map[string]float64{}
	paramHolder := root
	if conv := root.child("CONVERSION"); conv != nil { // WKT2
		method = squash(conv.child("METHOD").name())
		paramHolder = conv
	}
	for _, p := range paramHolder.children("PARAMETER") {
		if v, ok := p.num(1); ok {
			params[squash(p.name())] = v
		}
	}
	if strings.Contains(method, "mercatorauxiliarysphere") || strings.Contains(method, "popularvisualisation") {
		return lookupEPSG(3857), nil
	}
	get := func(keys ...string) (float64, bool) {
		for _, k := range keys {
			if v, ok := params[k]; ok {
				return v, true
			}
		}
		return 0, false
	}
	unit := 1.0
	if u := root.child("UNIT", "LENGTHUNIT"); u != nil {
		if v, ok := u.num(1); ok {
			unit = v
		}
	}
	tm := method == "gausskruger" || method == "transversemercator"
	cm, okCM := get("centralmeridian", "longitudeofnaturalorigin", "longitudeoforigin")
	fe, okFE := get("falseeasting")
	k, okK := get("scalefactor", "scalefactoratnaturalorigin")
	lat0, _ := get("latitudeoforigin", "latitudeofnaturalorigin")
	fn, _ := get("falsenorthing")
	if !okK {
		k = 1
	}
	if tm && okCM && okFE && unit == 1 && lat0 == 0 && fn == 0 {
		if datum == datumWGS84 && k == 0.9996 && fe == 5e5 {
			if z := (cm + 183) / 6; z == math.Trunc(z) && z >= 43 && z <= 53 {
				return lookupEPSG(32600 + int(z)), nil
			}
		}
		if k == 1 && cm == math.Trunc(cm) && datum != "" && datum != datumWGS84 {
			z, err := gkFromParams(member, root.name(), int(cm), fe)
			if err != nil {
				return nil, err
			}
			if code := gkEPSG(datum, z); code > 0 {
				return lookupEPSG(code), nil
			}
		}
	}
	if code := root.epsgID(); code > 0 {
		return lookupEPSG(code), nil
	}
	switch {
	case !tm:
		return nil, unknown("projection " + root.child("PROJECTION").name())
	case datum == "":
		return nil, unknown("unknown datum")
	}
	return nil, unknown(fmt.Sprintf("central meridian %g, false easting %g, scale %g", cm, fe, k))
}

// gkFromParams works out a Gauss-Kruger zone from the central meridian and
// false easting; the name only breaks the tie between a 3-degree and a
// 6-degree zone without prefix, whose parameters are identical.
func gkFromParams(member, name string, cm int, fe float64) (gkZone, error) {
	if fe == 5e5 {
		three := strings.Contains(squash(name), "3degree") || strings.Contains(name, "3度") || strings.Contains(name, "3°")
		six := strings.Contains(squash(name), "6degree") || strings.Contains(name, "6度") ||
			!three && (strings.Contains(squash(name), "gkcm") || strings.Contains(squash(name), "gausskrugercm"))
		switch {
		case cm%6 == 3 && six:
			return gkZone{Width: 6, CM: cm}, nil
		case cm%3 == 0:
			return gkZone{Width: 3, CM: cm}, nil
		}
		return gkZone{}, fail(ErrCRS, domain.EUNSUPPORTED, "%s: central meridian %dE is not a Gauss-Kruger zone meridian; declare the EPSG code", member, cm)
	}
	zf := (fe - 5e5) / 1e6
	z := int(zf)
	if zf != float64(z) {
		return gkZone{}, fail(ErrCRS, domain.EUNSUPPORTED, "%s: false easting %.0f is neither 500000 nor a zone prefix; declare the EPSG code", member, fe)
	}
	switch {
	case z >= 25 && z <= 45 && 3*z == cm:
		return gkZone{Width: 3, CM: cm, Prefixed: true}, nil
	case z >= 13 && z <= 23 && 6*z-3 == cm:
		return gkZone{Width: 6, CM: cm, Prefixed: true}, nil
	}
	return gkZone{}, fail(ErrCRS, domain.EUNSUPPORTED, "%s: false easting %.0f names zone %d but the central meridian is %dE; declare the EPSG code", member, fe, z, cm)
}

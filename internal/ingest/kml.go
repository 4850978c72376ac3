package ingest

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	xtransform "golang.org/x/text/transform"

	"github.com/planmap/planmap/internal/domain"
)

// kmlSource streams Placemarks with a strict encoding/xml decoder that
// refuses any DOCTYPE or ENTITY declaration before it could be expanded.
type kmlSource struct {
	r     *Reader
	name  string
	dec   *xml.Decoder
	depth int
	zNote bool

	// KMZ: NetworkLinks to other .kml members are followed once each
	member  string
	open    func(member string) (io.Reader, bool)
	pending []string
	visited map[string]bool
}

type kmlNetworkLink struct {
	Link string `xml:"Link>href"`
	URL  string `xml:"Url>href"`
}

type kmlPlacemark struct {
	ID          string  `xml:"id,attr"`
	Name        *string `xml:"name"`
	Description *string `xml:"description"`
	Extended    struct {
		Data []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value"`
		} `xml:"Data"`
		SchemaData []struct {
			SimpleData []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:",chardata"`
			} `xml:"SimpleData"`
		} `xml:"SchemaData"`
	} `xml:"ExtendedData"`
	kmlGeometries
}

// kmlGeometries are the geometry children of a Placemark or MultiGeometry.
type kmlGeometries struct {
	Points   []kmlCoords     `xml:"Point"`
	Lines    []kmlCoords     `xml:"LineString"`
	Rings    []kmlCoords     `xml:"LinearRing"`
	Polygons []kmlPolygon    `xml:"Polygon"`
	Multi    []kmlGeometries `xml:"MultiGeometry"`
	Tracks   []struct{}      `xml:"Track"`
	Models   []struct{}      `xml:"Model"`
}

type kmlCoords struct {
	Coordinates string `xml:"coordinates"`
}

type kmlPolygon struct {
	Outer kmlCoords   `xml:"outerBoundaryIs>LinearRing"`
	Inner []kmlCoords `xml:"innerBoundaryIs>LinearRing"`
}

func (r *Reader) openKML(filename string, in io.Reader) error {
	name := layerName(filename)
	if _, err := r.addLayer(name, lookupEPSG(4326), "format", nil, encUTF8, ""); err != nil {
		return err
	}
	r.src = &kmlSource{r: r, name: name, dec: newKMLDecoder(in)}
	return nil
}

func newKMLDecoder(in io.Reader) *xml.Decoder {
	dec := xml.NewDecoder(in)
	dec.Strict = true
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		cs, err := lookupCharset(label)
		if err != nil {
			return nil, err
		}
		if cs.enc == nil {
			return in, nil
		}
		return xtransform.NewReader(in, cs.enc.NewDecoder()), nil
	}
	return dec
}

func (s *kmlSource) close() error { return nil }

func (s *kmlSource) wrap(err error) error {
	var se *xml.SyntaxError
	switch {
	case errors.As(err, &se):
		return syntaxf("%s: invalid XML at line %d: %s", s.name, se.Line, se.Msg)
	case domain.ErrorCode(err) != domain.EINTERNAL:
		return err
	}
	return syntaxf("%s: %v", s.name, err)
}

func (s *kmlSource) next() (*Feature, error) {
	for {
		t, err := s.dec.Token()
		if err == io.EOF {
			if !s.nextMember() {
				return nil, io.EOF
			}
			continue
		}
		if err != nil {
			return nil, s.wrap(err)
		}
		switch t := t.(type) {
		case xml.Directive:
			d := strings.ToUpper(strings.TrimSpace(string(t)))
			if strings.HasPrefix(d, "DOCTYPE") || strings.HasPrefix(d, "ENTITY") || strings.Contains(d, "<!ENTITY") {
				return nil, fail(ErrDoctype, domain.EINVALID, "%s: the KML holds a DOCTYPE/ENTITY declaration, which is refused (entity expansion attacks); remove it", s.name)
			}
		case xml.StartElement:
			s.depth++
			if s.depth > s.r.opt.MaxDepth {
				return nil, fail(ErrTooDeep, domain.EINVALID, "%s: XML nested deeper than %d elements", s.name, s.r.opt.MaxDepth)
			}
			if t.Name.Local == "NetworkLink" {
				var nl kmlNetworkLink
				s.depth--
				if err := s.dec.DecodeElement(&nl, &t); err != nil {
					return nil, s.wrap(err)
				}
				s.link(strings.TrimSpace(nl.Link + nl.URL))
				continue
			}
			if t.Name.Local != "Placemark" {
				continue
			}
			var pm kmlPlacemark
			s.depth--
			if err := s.dec.DecodeElement(&pm, &t); err != nil {
				return nil, s.wrap(err)
			}
			return s.feature(&pm)
		case xml.EndElement:
			s.depth--
		}
	}
}

func (s *kmlSource) feature(pm *kmlPlacemark) (*Feature, error) {
	f := &Feature{Layer: s.name, ID: strings.TrimSpace(pm.ID)}
	if pm.Name != nil {
		f.Properties = append(f.Properties, Property{Name: "name", Value: strings.TrimSpace(*pm.Name)})
	}
	if pm.Description != nil {
		f.Properties = append(f.Properties, Property{Name: "description", Value: strings.TrimSpace(*pm.Description)})
	}
	for _, d := range pm.Extended.Data {
		f.Properties = append(f.Properties, Property{Name: d.Name, Value: d.Value})
	}
	for _, sd := range pm.Extended.SchemaData {
		for _, d := range sd.SimpleData {
			f.Properties = append(f.Properties, Property{Name: d.Name, Value: d.Value})
		}
	}
	verts := 0
	g, err := s.geometries(&pm.kmlGeometries, &f.Issues, &verts, 0)
	if err != nil {
		return nil, err
	}
	f.Geometry = g
	return f, nil
}

// geometries returns one geometry, a multi-geometry or a collection.
func (s *kmlSource) geometries(k *kmlGeometries, issues *[]Issue, verts *int, depth int) (orb.Geometry, error) {
	if depth > s.r.opt.MaxDepth {
		return nil, fail(ErrTooDeep, domain.EINVALID, "%s: MultiGeometry nested deeper than %d", s.name, s.r.opt.MaxDepth)
	}
	var c orb.Collection
	for _, p := range k.Points {
		pts, err := s.coords(p.Coordinates, issues, verts)
		if err != nil {
			return nil, err
		}
		if len(pts) == 1 {
			c = append(c, pts[0])
		} else {
			*issues = append(*issues, Issue{Code: "bad-geometry", Severity: SeverityError, Message: fmt.Sprintf("Point has %d coordinate tuples", len(pts))})
		}
	}
	for _, l := range k.Lines {
		pts, err := s.coords(l.Coordinates, issues, verts)
		if err != nil {
			return nil, err
		}
		c = append(c, orb.LineString(pts))
	}
	for _, l := range k.Rings {
		pts, err := s.coords(l.Coordinates, issues, verts)
		if err != nil {
			return nil, err
		}
		c = append(c, orb.Polygon{orb.Ring(pts)})
	}
	for _, p := range k.Polygons {
		outer, err := s.coords(p.Outer.Coordinates, issues, verts)
		if err != nil {
			return nil, err
		}
		poly := orb.Polygon{orb.Ring(outer)}
		for _, in := range p.Inner {
			pts, err := s.coords(in.Coordinates, issues, verts)
			if err != nil {
				return nil, err
			}
			poly = append(poly, orb.Ring(pts))
		}
		c = append(c, poly)
	}
	for i := range k.Multi {
		g, err := s.geometries(&k.Multi[i], issues, verts, depth+1)
		if err != nil {
			return nil, err
		}
		if g != nil {
			c = append(c, g)
		}
	}
	if len(k.Tracks)+len(k.Models) > 0 {
		*issues = append(*issues, Issue{Code: "unsupported-geometry", Severity: SeverityWarning, Message: "gx:Track and Model geometries are not read"})
	}
	switch {
	case len(c) == 0:
		return nil, nil
	case len(c) == 1 && depth == 0:
		return c[0], nil
	}
	return c, nil
}

// coords parses "lon,lat[,alt] lon,lat[,alt] ...", tolerating blanks
// around the commas.
func (s *kmlSource) coords(text string, issues *[]Issue, verts *int) ([]orb.Point, error) {
	var pts []orb.Point
	var nums []string
	flush := func() error {
		if len(nums) == 0 {
			return nil
		}
		*verts++
		if *verts > s.r.opt.MaxVertices {
			return tooLargef("%s: feature %d has more than %d vertices (the limit per feature)", s.name, s.r.res.Features, s.r.opt.MaxVertices)
		}
		p := orb.Point{math.NaN(), math.NaN()}
		for i := 0; i < 2 && i < len(nums); i++ {
			v, err := strconv.ParseFloat(nums[i], 64)
			if err != nil && !math.IsInf(v, 0) {
				*issues = append(*issues, Issue{Code: "invalid-coordinate", Severity: SeverityError, Message: fmt.Sprintf("%q is not a number", nums[i])})
				v = math.NaN()
			}
			p[i] = v
		}
		if len(nums) < 2 {
			*issues = append(*issues, Issue{Code: "invalid-coordinate", Severity: SeverityError, Message: fmt.Sprintf("coordinate tuple %q has fewer than 2 numbers", strings.Join(nums, ","))})
		}
		if len(nums) > 2 && !s.zNote {
			s.zNote = true
			s.r.fileIssue("z-dropped", SeverityInfo, fmt.Sprintf("%s: coordinates carry altitudes; only longitude and latitude are kept", s.name))
		}
		pts = append(pts, p)
		nums = nums[:0]
		return nil
	}
	i := 0
	comma := false // the last separator was a comma: the tuple goes on
	for i < len(text) {
		c := text[i]
		switch {
		case c == ',':
			comma = true
			i++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		default:
			j := i
			for j < len(text) && !strings.ContainsRune(", \t\n\r", rune(text[j])) {
				j++
			}
			if !comma && len(nums) > 0 {
				if err := flush(); err != nil {
					return nil, err
				}
			}
			nums = append(nums, text[i:j])
			comma = false
			i = j
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return pts, nil
}

// link queues a NetworkLink target that is a member of the same KMZ.
func (s *kmlSource) link(href string) {
	if href == "" {
		return
	}
	if s.open == nil || strings.Contains(href, "://") || strings.HasPrefix(href, "/") {
		s.r.fileIssue("network-link", SeverityWarning, fmt.Sprintf("%s: NetworkLink to %q not followed; only links inside a KMZ are read", s.name, href))
		return
	}
	target := path.Clean(path.Join(path.Dir(s.member), href))
	if !s.visited[target] {
		s.visited[target] = true
		s.pending = append(s.pending, target)
	}
}

// nextMember switches to the next linked member, if any.
func (s *kmlSource) nextMember() bool {
	for len(s.pending) > 0 {
		m := s.pending[0]
		s.pending = s.pending[1:]
		in, ok := s.open(m)
		if !ok {
			s.r.fileIssue("network-link", SeverityWarning, fmt.Sprintf("%s: NetworkLink to %q, which is not in the archive", s.name, m))
			continue
		}
		s.member, s.dec, s.depth = m, newKMLDecoder(in), 0
		return true
	}
	return false
}

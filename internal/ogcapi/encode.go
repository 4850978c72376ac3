package ogcapi

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"

	"github.com/planmap/planmap/internal/domain"
)

// pageMeta is what a features response says about its page.
type pageMeta struct {
	Matched   int
	Returned  int
	TimeStamp string
	Links     []Link
}

// featureWriter streams features in one format.
type featureWriter interface {
	Begin() error
	Feature(f *Feature) error
	End(meta pageMeta) error
}

// rawWriter also takes features already encoded as GeoJSON.
type rawWriter interface {
	Raw(feature []byte) error
}

// featureBufferSize is how much of an answer is gathered before a write to
// the client: a page of 100 polygons (about 126 KB) goes in two writes.
const featureBufferSize = 64 << 10

func newFeatureWriter(format Format, bw *bufio.Writer) featureWriter {
	switch format {
	case FormatJSONSeq:
		return &seqWriter{w: bw}
	case FormatCSV:
		return &csvWriter{bw: bw, w: csv.NewWriter(bw)}
	case FormatKML:
		return &kmlWriter{w: bw}
	}
	return &geojsonWriter{w: bw}
}

func jsonEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// geojsonWriter writes a FeatureCollection; the counts and links follow
// the features, which JSON allows, so rows stream as they arrive.
type geojsonWriter struct {
	w *bufio.Writer
	n int
}

func (g *geojsonWriter) Begin() error {
	_, err := g.w.WriteString(`{"type":"FeatureCollection","features":[`)
	return err
}

func (g *geojsonWriter) Feature(f *Feature) error {
	if g.n > 0 {
		g.w.WriteByte(',')
	}
	g.n++
	return jsonEncoder(g.w).Encode(f)
}

func (g *geojsonWriter) Raw(b []byte) error {
	if g.n > 0 {
		g.w.WriteByte(',')
	}
	g.n++
	_, err := g.w.Write(b)
	return err
}

func (g *geojsonWriter) End(m pageMeta) error {
	links, err := json.Marshal(m.Links)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.w, `],"numberMatched":%d,"numberReturned":%d,"timeStamp":%q,"links":%s}`, m.Matched, m.Returned, m.TimeStamp, links)
	g.w.WriteByte('\n')
	return g.w.Flush()
}

// seqWriter writes RFC 8142 GeoJSON text sequences: RS, a feature, LF.
type seqWriter struct{ w *bufio.Writer }

func (s *seqWriter) Begin() error { return nil }

func (s *seqWriter) Feature(f *Feature) error {
	s.w.WriteByte(0x1e)
	if err := jsonEncoder(s.w).Encode(f); err != nil {
		return err
	}
	// Flush per feature only when the buffer fills; a whole layer streams
	// without being held in memory either way.
	return nil
}

func (s *seqWriter) Raw(b []byte) error {
	s.w.WriteByte(0x1e)
	s.w.Write(b)
	return s.w.WriteByte('\n')
}

func (s *seqWriter) End(pageMeta) error { return s.w.Flush() }

// csvWriter writes one row per feature with the geometry as WKT.
type csvWriter struct {
	bw     *bufio.Writer
	w      *csv.Writer
	header bool
}

func (c *csvWriter) Begin() error { return nil }

// projectCSVColumns are the CSV columns of a project, before the geometry.
func projectCSVColumns() []string {
	return []string{"id", "name_zh", "name_en", "section", "item", "category", "status", "city", "city_zh", "county", "county_zh",
		"location_precision", "uncertainty_km", "programme", "count_target", "action_zh", "action_en", "clause"}
}

func (c *csvWriter) Feature(f *Feature) error {
	var row []string
	switch p := f.Properties.(type) {
	case *domain.Project:
		if !c.header {
			c.w.Write(append(projectCSVColumns(), "wkt"))
		}
		unc, count := "", ""
		if p.UncertaintyKM != nil {
			unc = strconv.FormatFloat(*p.UncertaintyKM, 'f', -1, 64)
		}
		if p.CountTarget != nil {
			count = strconv.Itoa(*p.CountTarget)
		}
		row = []string{p.ID, cell(p.NameZH), cell(p.NameEN), strconv.Itoa(p.Section), strconv.Itoa(p.Item), p.Category, string(p.Status),
			cell(p.City), cell(p.CityZH), cell(p.County), cell(p.CountyZH), string(p.LocationPrecision), unc, p.Programme, count,
			cell(p.ActionZH), cell(p.ActionEN), cell(p.Clause)}
	default:
		if !c.header {
			c.w.Write([]string{"id", "properties", "wkt"})
		}
		props, err := json.Marshal(f.Properties)
		if err != nil {
			return err
		}
		row = []string{cell(f.ID), string(props)}
	}
	c.header = true
	row = append(row, geometryWKT(f.orb))
	return c.w.Write(row)
}

func (c *csvWriter) End(pageMeta) error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

// cell defuses text that a spreadsheet would run as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func geometryWKT(g orb.Geometry) string {
	if g == nil {
		return ""
	}
	return wkt.MarshalString(g)
}

// kmlWriter writes a KML document with one Placemark per feature.
type kmlWriter struct{ w *bufio.Writer }

func (k *kmlWriter) Begin() error {
	_, err := k.w.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<kml xmlns="http://www.opengis.net/kml/2.2"><Document>` + "\n")
	return err
}

func xmlText(w io.Writer, s string) {
	_ = xml.EscapeText(w, []byte(s))
}

func (k *kmlWriter) Feature(f *Feature) error {
	w := k.w
	fmt.Fprint(w, `<Placemark id="`)
	xmlText(w, "f-"+f.ID)
	fmt.Fprint(w, `"><name>`)
	data := map[string]string{}
	switch p := f.Properties.(type) {
	case *domain.Project:
		xmlText(w, p.NameZH+" / "+p.NameEN)
		fmt.Fprint(w, "</name><description>")
		xmlText(w, p.Clause)
		fmt.Fprint(w, "</description>")
		data = map[string]string{"id": p.ID, "section": strconv.Itoa(p.Section), "item": strconv.Itoa(p.Item), "category": p.Category,
			"status": string(p.Status), "city": p.City, "location_precision": string(p.LocationPrecision), "location_note": p.LocationNote}
		if p.UncertaintyKM != nil {
			data["uncertainty_km"] = strconv.FormatFloat(*p.UncertaintyKM, 'f', -1, 64)
		}
	default:
		var props map[string]any
		if raw, ok := f.Properties.(json.RawMessage); ok {
			_ = json.Unmarshal(raw, &props)
		}
		name := f.ID
		if v, ok := props["name_zh"].(string); ok && v != "" {
			name = v
		}
		xmlText(w, name)
		fmt.Fprint(w, "</name>")
		for k, v := range props {
			switch v.(type) {
			case map[string]any, []any:
				b, _ := json.Marshal(v)
				data[k] = string(b)
			default:
				data[k] = fmt.Sprint(v)
			}
		}
	}
	keys := make([]string, 0, len(data))
	for key := range data {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	fmt.Fprint(w, "<ExtendedData>")
	for _, key := range keys {
		fmt.Fprint(w, `<Data name="`)
		xmlText(w, key)
		fmt.Fprint(w, `"><value>`)
		xmlText(w, data[key])
		fmt.Fprint(w, "</value></Data>")
	}
	fmt.Fprint(w, "</ExtendedData>")
	if f.orb != nil {
		writeKMLGeometry(w, f.orb)
	}
	_, err := fmt.Fprint(w, "</Placemark>\n")
	return err
}

func (k *kmlWriter) End(pageMeta) error {
	k.w.WriteString("</Document></kml>\n")
	return k.w.Flush()
}

func kmlCoords(w io.Writer, pts []orb.Point) {
	fmt.Fprint(w, "<coordinates>")
	var buf bytes.Buffer
	for i, p := range pts {
		if i > 0 {
			buf.WriteByte(' ')
		}
		buf.WriteString(strconv.FormatFloat(p[0], 'f', -1, 64))
		buf.WriteByte(',')
		buf.WriteString(strconv.FormatFloat(p[1], 'f', -1, 64))
	}
	w.Write(buf.Bytes())
	fmt.Fprint(w, "</coordinates>")
}

func writeKMLGeometry(w io.Writer, g orb.Geometry) {
	switch g := g.(type) {
	case orb.Point:
		fmt.Fprint(w, "<Point>")
		kmlCoords(w, []orb.Point{g})
		fmt.Fprint(w, "</Point>")
	case orb.LineString:
		fmt.Fprint(w, "<LineString>")
		kmlCoords(w, g)
		fmt.Fprint(w, "</LineString>")
	case orb.Polygon:
		fmt.Fprint(w, "<Polygon>")
		for i, r := range g {
			tag := "innerBoundaryIs"
			if i == 0 {
				tag = "outerBoundaryIs"
			}
			fmt.Fprintf(w, "<%s><LinearRing>", tag)
			kmlCoords(w, r)
			fmt.Fprintf(w, "</LinearRing></%s>", tag)
		}
		fmt.Fprint(w, "</Polygon>")
	case orb.MultiPoint:
		fmt.Fprint(w, "<MultiGeometry>")
		for _, p := range g {
			writeKMLGeometry(w, p)
		}
		fmt.Fprint(w, "</MultiGeometry>")
	case orb.MultiLineString:
		fmt.Fprint(w, "<MultiGeometry>")
		for _, l := range g {
			writeKMLGeometry(w, l)
		}
		fmt.Fprint(w, "</MultiGeometry>")
	case orb.MultiPolygon:
		fmt.Fprint(w, "<MultiGeometry>")
		for _, p := range g {
			writeKMLGeometry(w, p)
		}
		fmt.Fprint(w, "</MultiGeometry>")
	case orb.Collection:
		fmt.Fprint(w, "<MultiGeometry>")
		for _, c := range g {
			writeKMLGeometry(w, c)
		}
		fmt.Fprint(w, "</MultiGeometry>")
	}
}

package ogcapi

import (
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// Format is an encoding of a features response.
type Format string

// Formats of the items resources.
const (
	FormatGeoJSON Format = "json"
	FormatJSONSeq Format = "jsonseq"
	FormatCSV     Format = "csv"
	FormatKML     Format = "kml"
	FormatHTML    Format = "html"
)

// Media types of the formats.
const (
	MediaJSONSeq = "application/geo+json-seq"
	MediaCSV     = "text/csv"
	MediaKML     = "application/vnd.google-earth.kml+xml"
)

// MediaType returns the Content-Type of f.
func (f Format) MediaType() string {
	switch f {
	case FormatJSONSeq:
		return MediaJSONSeq
	case FormatCSV:
		return MediaCSV + "; charset=utf-8"
	case FormatKML:
		return MediaKML
	case FormatHTML:
		return MediaHTML + "; charset=utf-8"
	}
	return MediaGeoJSON
}

// itemFormats are the formats of items, in the order alternate links list them.
func itemFormats() []Format {
	return []Format{FormatGeoJSON, FormatJSONSeq, FormatCSV, FormatKML, FormatHTML}
}

// negotiate picks the format from f= or, without it, from Accept.
func negotiate(r *http.Request, fParam string, allowed []Format) (Format, error) {
	if fParam != "" {
		v := strings.ToLower(fParam)
		if v == "geojson" {
			v = "json"
		}
		for _, f := range allowed {
			if string(f) == v {
				return f, nil
			}
		}
		names := make([]string, len(allowed))
		for i, f := range allowed {
			names[i] = string(f)
		}
		return "", invalid(ParamFormat, "%q is not a format of this resource; use one of %s", truncate(fParam, 32), strings.Join(names, ", "))
	}
	best, bestQ := allowed[0], -1.0
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if qs, ok := params["q"]; ok {
			if _, err := fmt.Sscan(qs, &q); err != nil {
				q = 0
			}
		}
		var f Format
		switch mt {
		case MediaGeoJSON, MediaJSON:
			f = FormatGeoJSON
		case MediaJSONSeq:
			f = FormatJSONSeq
		case MediaCSV:
			f = FormatCSV
		case MediaKML:
			f = FormatKML
		case MediaHTML, "application/xhtml+xml":
			f = FormatHTML
		default:
			continue
		}
		ok := false
		for _, a := range allowed {
			ok = ok || a == f
		}
		if ok && q > bestQ {
			best, bestQ = f, q
		}
	}
	return best, nil
}

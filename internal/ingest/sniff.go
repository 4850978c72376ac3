package ingest

import (
	"bytes"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/planmap/planmap/internal/domain"
)

// formatNames are the names Sniff uses in messages.
var formatNames = map[Format]string{
	FormatGeoJSON:   "GeoJSON",
	FormatShapefile: "a ZIP archive",
	FormatKML:       "KML",
	FormatKMZ:       "a ZIP archive",
	FormatGPKG:      "a GeoPackage (SQLite)",
	FormatCSV:       "text (CSV)",
}

var extFormats = map[string]Format{
	".geojson": FormatGeoJSON, ".json": FormatGeoJSON,
	".zip": FormatShapefile, ".kmz": FormatKMZ,
	".kml": FormatKML, ".gpkg": FormatGPKG,
	".csv": FormatCSV, ".txt": FormatCSV, ".tsv": FormatCSV,
}

// Sniff identifies an upload by its first bytes (4 KiB is plenty). A known
// extension that does not match the content is refused, naming both.
func Sniff(filename string, head []byte) (Format, error) {
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(filename, "\\", "/")))
	content, err := sniffContent(filename, head)
	if err != nil {
		return "", err
	}
	want, known := extFormats[ext]
	if !known {
		return content, nil
	}
	switch {
	case want == content:
		return content, nil
	case want == FormatKMZ && content == FormatShapefile:
		return FormatKMZ, nil
	case want == FormatCSV && content == FormatGeoJSON && ext == ".txt":
		return content, nil
	}
	return "", fail(ErrFormatMismatch, domain.EUNSUPPORTED, "%s has a %s extension but contains %s; rename it or upload the right file", filename, ext, formatNames[content])
}

func sniffContent(filename string, head []byte) (Format, error) {
	switch {
	case len(head) == 0:
		return "", fail(ErrUnknownFormat, domain.EINVALID, "%s is empty", filename)
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return FormatShapefile, nil
	case bytes.HasPrefix(head, []byte("SQLite format 3\x00")):
		return FormatGPKG, nil
	case bytes.HasPrefix(head, []byte{0x00, 0x00, 0x27, 0x0a}):
		return "", fail(ErrUnknownFormat, domain.EUNSUPPORTED, "%s is a bare .shp; upload a .zip holding the .shp, .shx, .dbf and .prj", filename)
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}), bytes.HasPrefix(head, []byte("Rar!")), bytes.HasPrefix(head, []byte("7z\xbc\xaf")):
		return "", fail(ErrUnknownFormat, domain.EUNSUPPORTED, "%s is a gzip/RAR/7z archive; compress as .zip instead", filename)
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}), bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return "", fail(ErrUnknownFormat, domain.EUNSUPPORTED, "%s is UTF-16 text; save it as UTF-8", filename)
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(t) == 0 {
		return "", fail(ErrUnknownFormat, domain.EINVALID, "%s begins with nothing but white space", filename)
	}
	switch t[0] {
	case '{', '[':
		return FormatGeoJSON, nil
	case '<':
		l := bytes.ToLower(t)
		if bytes.Contains(l, []byte("<kml")) || bytes.Contains(l, []byte("opengis.net/kml")) || bytes.Contains(l, []byte("earth.google.com/kml")) {
			return FormatKML, nil
		}
		if bytes.Contains(l, []byte("<!doctype")) || bytes.Contains(l, []byte("<!entity")) {
			return FormatKML, nil // let the KML reader refuse it with a clear message
		}
		return "", fail(ErrUnknownFormat, domain.EUNSUPPORTED, "%s is XML but not KML (GML and GPX are not supported)", filename)
	}
	if bytes.IndexByte(head, 0) >= 0 || !looksText(head) {
		return "", fail(ErrUnknownFormat, domain.EUNSUPPORTED, "%s: unrecognised content; upload GeoJSON, a zipped Shapefile, KML/KMZ, GeoPackage or CSV", filename)
	}
	return FormatCSV, nil
}

// looksText accepts UTF-8 or GBK-looking text: few control characters.
func looksText(b []byte) bool {
	ctrl := 0
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r < 0x20 && r != '\t' && r != '\r' && r != '\n' && r != 0x1a {
			ctrl++
		}
		b = b[n:]
	}
	return ctrl == 0
}

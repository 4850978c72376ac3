package httpapi

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/planmap/planmap/internal/domain"
)

// frontend serves the built map application.
type frontend struct {
	assets    fs.FS
	indexHTML []byte
	// gzipped holds compressed copies of the text assets, made once.
	gzipped map[string][]byte
}

func newFrontend(assets fs.FS) *frontend {
	f := &frontend{assets: assets, gzipped: map[string][]byte{}}
	if assets == nil {
		return f
	}
	if b, err := fs.ReadFile(assets, "index.html"); err == nil {
		f.indexHTML = b
	}
	_ = fs.WalkDir(assets, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		switch path.Ext(p) {
		case ".js", ".mjs", ".css", ".json", ".svg", ".map", ".txt", ".wasm", ".pbf":
		default:
			return nil
		}
		b, err := fs.ReadFile(assets, p)
		if err != nil {
			return nil
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		if buf.Len() < len(b) {
			f.gzipped[p] = buf.Bytes()
		}
		return nil
	})
	return f
}

// wantsHTML reports whether a request for / comes from a browser rather
// than an API client: OGC clients send Accept: */* or application/json.
func (f *frontend) wantsHTML(r *http.Request) bool {
	if r.URL.Query().Get("f") == "json" {
		return false
	}
	if r.URL.Query().Get("f") == "html" {
		return true
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part))
		switch mt {
		case "text/html", "application/xhtml+xml":
			return true
		case "application/json", "application/geo+json":
			return false
		}
	}
	return false
}

func (f *frontend) index(c echo.Context) error {
	if f.indexHTML == nil {
		return domain.Errorf(domain.ENOTFOUND, "the map front end is not built into this binary; run `npm run build` in frontend/ and rebuild")
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Accept")
	http.ServeContent(c.Response(), c.Request(), "index.html", time.Time{}, bytes.NewReader(f.indexHTML))
	return nil
}

// asset serves a hashed build file; its name changes with its content, so
// it may be cached for a year.
func (f *frontend) asset(c echo.Context) error {
	name := path.Clean("assets/" + c.Param("*"))
	if f.assets == nil || !strings.HasPrefix(name, "assets/") {
		return domain.Errorf(domain.ENOTFOUND, "no asset %q", c.Param("*"))
	}
	b, err := fs.ReadFile(f.assets, name)
	if err != nil {
		return domain.Errorf(domain.ENOTFOUND, "no asset %q", c.Param("*"))
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, assetType(name))
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Add("Vary", "Accept-Encoding")
	if gz, ok := f.gzipped[name]; ok && acceptsGzip(c.Request()) {
		h.Set("Content-Encoding", "gzip")
		return c.Blob(http.StatusOK, h.Get(echo.HeaderContentType), gz)
	}
	http.ServeContent(c.Response(), c.Request(), name, time.Time{}, bytes.NewReader(b))
	return nil
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && !strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0") {
			return true
		}
	}
	return false
}

// assetType names the media type of a build file without relying on the
// machine's /etc/mime.types, which a slim image may lack.
func assetType(name string) string {
	switch path.Ext(name) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".woff2":
		return "font/woff2"
	case ".woff":
		return "font/woff"
	case ".ttf":
		return "font/ttf"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".json", ".map":
		return "application/json"
	case ".pbf", ".mvt":
		return "application/x-protobuf"
	case ".wasm":
		return "application/wasm"
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		return ct
	}
	return "application/octet-stream"
}

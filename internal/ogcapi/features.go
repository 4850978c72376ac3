package ogcapi

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/httpcache"
)

// CacheControl lets a CDN keep an answer for a minute while browsers
// revalidate every time: with the ETag that costs a 304, and an editor
// sees their own change at once.
const CacheControl = "public, max-age=0, s-maxage=60, must-revalidate"

// ProjectsCollection is the id of the plan's projects collection.
const ProjectsCollection = "projects"

// Handler serves the OGC API Features resources.
type Handler struct {
	projects domain.ProjectService
	layers   domain.LayerService
	versions domain.VersionService
	filters  domain.FilterService
	limits   Limits
	now      func() time.Time
	cache    *Cache
	buffers  writerPool
}

// writerPool keeps answer buffers between requests: a new 64 KiB buffer
// for each of thousands of pages a second is work for the collector.
type writerPool struct{ pool sync.Pool }

func (p *writerPool) get(w io.Writer) *bufio.Writer {
	if bw, ok := p.pool.Get().(*bufio.Writer); ok {
		bw.Reset(w)
		return bw
	}
	return bufio.NewWriterSize(w, featureBufferSize)
}

// put keeps bw for another answer; it must not be used after.
func (p *writerPool) put(bw *bufio.Writer) {
	bw.Reset(nil)
	p.pool.Put(bw)
}

// WithFilters lets h answer CQL2 filters and queryables; nil refuses them.
func (h *Handler) WithFilters(f domain.FilterService) *Handler {
	h.filters = f
	return h
}

// WithCache makes h keep responses in c; nil turns caching off.
func (h *Handler) WithCache(c *Cache) *Handler {
	h.cache = c
	return h
}

// NewHandler returns a Handler reading projects and layers.
func NewHandler(projects domain.ProjectService, layers domain.LayerService, versions domain.VersionService, lim Limits) *Handler {
	return &Handler{projects: projects, layers: layers, versions: versions, limits: lim, now: time.Now}
}

// Register adds the routes to e, all but the landing page, which the
// caller shares with the map's HTML.
func (h *Handler) Register(e *echo.Echo) {
	e.GET("/conformance", h.conformance)
	e.GET("/collections", h.collections)
	e.GET("/collections/:collectionId", h.collection)
	e.GET("/collections/:collectionId/items", h.items)
	e.GET("/collections/:collectionId/queryables", h.queryables)
	e.GET("/collections/:collectionId/items/:featureId", h.item)
	e.GET("/api", h.openAPI)
	e.GET("/ogc.css", h.stylesheet)
}

// Feature is a GeoJSON feature whose geometry may be null.
type Feature struct {
	Type       string            `json:"type"`
	ID         string            `json:"id"`
	Geometry   *geojson.Geometry `json:"geometry"`
	Properties any               `json:"properties"`
	Links      []Link            `json:"links,omitempty"`
	// orb is the geometry in the response's CRS, for WKT and KML.
	orb orb.Geometry
}

// FeatureCollection is one page of an items response.
type FeatureCollection struct {
	Type           string     `json:"type"`
	Features       []*Feature `json:"features"`
	NumberMatched  int        `json:"numberMatched"`
	NumberReturned int        `json:"numberReturned"`
	Links          []Link     `json:"links"`
}

func newFeature(id string, g orb.Geometry, props any, crs CRS) *Feature {
	f := &Feature{Type: "Feature", ID: id, Properties: props}
	if g != nil {
		f.orb = crs.FromCRS84(g)
		f.Geometry = geojson.NewGeometry(f.orb)
	}
	return f
}

// ProjectFeature encodes a project as a GeoJSON feature in CRS84.
func ProjectFeature(p *domain.Project) *Feature {
	return newFeature(p.ID, p.Geometry, p, CRS{URI: CRS84})
}

// query parses the raw query strictly: Go's lenient parser would drop a
// malformed pair (a ";" for one) and answer as if it were not there.
func query(c echo.Context) (url.Values, error) {
	q, err := url.ParseQuery(c.Request().URL.RawQuery)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "malformed query string: %s", truncate(err.Error(), 120))
	}
	return q, nil
}

// itemsRequest is a parsed items request of any collection.
type itemsRequest struct {
	collection string
	q          url.Values
	format     Format
	crs        CRS
	limit      int
	offset     int
	project    *domain.ProjectFilter
	layer      *domain.FeatureFilter
}

func (h *Handler) parseItems(c echo.Context) (*itemsRequest, error) {
	ctx := c.Request().Context()
	r := &itemsRequest{collection: c.Param("collectionId")}
	if r.collection != ProjectsCollection {
		if _, err := h.findLayer(ctx, r.collection); err != nil {
			return nil, err
		}
	}
	var err error
	if r.q, err = query(c); err != nil {
		return nil, err
	}
	if r.collection == ProjectsCollection {
		f, err := ParseProjectFilter(r.q, h.limits)
		if err != nil {
			return nil, err
		}
		r.project, r.limit, r.offset = &f, f.Limit, f.Offset
	} else {
		f, err := ParseFeatureFilter(r.q, h.limits)
		if err != nil {
			return nil, err
		}
		r.layer, r.limit, r.offset = &f, f.Limit, f.Offset
	}
	common, err := parseCommon(r.q, h.limits)
	if err != nil {
		return nil, err
	}
	r.crs = common.crs
	if r.q.Has(ParamFilter) {
		if h.filters == nil {
			return nil, invalid(ParamFilter, "filtering is not available on this server")
		}
		cond, err := h.filters.Condition(ctx, r.collection, r.q.Get(ParamFilterLang), r.q.Get(ParamFilter), r.q.Get(ParamFilterCRS))
		if err != nil {
			if domain.ErrorCode(err) == domain.EINVALID {
				return nil, domain.Errorf(domain.EINVALID, "parameter %q: %s", ParamFilter, domain.ErrorMessage(err))
			}
			return nil, err
		}
		if r.project != nil {
			r.project.Where = cond
		} else {
			r.layer.Where = cond
		}
	}
	if r.format, err = negotiate(c.Request(), r.q.Get(ParamFormat), itemFormats()); err != nil {
		return nil, err
	}
	if r.format == FormatKML && !r.crs.IsCRS84() {
		return nil, invalid(ParamCRS, "KML is always in longitude, latitude (CRS84); drop crs or choose another format")
	}
	return r, nil
}

// featureJSONSource gives a layer's features already encoded as GeoJSON
// in CRS84 (package postgis lets PostGIS encode them).
type featureJSONSource interface {
	EachFeatureJSON(ctx context.Context, layer string, f domain.FeatureFilter, fn func([]byte) error) (int, error)
}

// eachRaw streams pre-encoded features when the request allows it: a layer,
// in CRS84, as GeoJSON or a GeoJSON sequence. ok is false when it does not.
func (h *Handler) eachRaw(ctx context.Context, r *itemsRequest, w featureWriter, fn func() error) (matched int, ok bool, err error) {
	src, isSrc := h.layers.(featureJSONSource)
	rw, isRaw := w.(rawWriter)
	if r.layer == nil || !isSrc || !isRaw || !r.crs.IsCRS84() {
		return 0, false, nil
	}
	matched, err = src.EachFeatureJSON(ctx, r.collection, *r.layer, func(b []byte) error {
		if err := fn(); err != nil {
			return err
		}
		return rw.Raw(b)
	})
	return matched, true, err
}

// each streams the request's features to fn and returns how many match.
func (h *Handler) each(ctx context.Context, r *itemsRequest, fn func(*Feature) error) (int, error) {
	if r.project != nil {
		return h.projects.EachProject(ctx, *r.project, func(p *domain.Project) error {
			return fn(newFeature(p.ID, p.Geometry, p, r.crs))
		})
	}
	return h.layers.EachFeature(ctx, r.collection, *r.layer, func(lf *domain.LayerFeature) error {
		return fn(newFeature(lf.ID, lf.Geometry, lf.Properties, r.crs))
	})
}

func (h *Handler) items(c echo.Context) error {
	r, err := h.parseItems(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	etag, version, done, err := h.cacheHeaders(c, r.collection, r.format, r.crs)
	if done || err != nil {
		return err
	}
	if hit := h.cache.get(etag); hit != nil {
		httpcache.Offer(ctx, r.collection, version, c.Path())
		return serveCached(c, h.cache, hit)
	}
	base := BaseURL(c.Request())
	path := "/collections/" + r.collection + "/items"
	meta := pageMeta{}
	if r.format == FormatHTML {
		var features []*Feature
		matched, err := h.each(ctx, r, func(f *Feature) error {
			features = append(features, f)
			return nil
		})
		if err != nil {
			return err
		}
		meta.Matched, meta.Returned = matched, len(features)
		meta.Links = pageLinks(base, path, r.q, r.offset, r.limit, len(features), matched, r.format)
		if err := h.renderItems(c, r.collection, features, meta); err != nil {
			return err
		}
		httpcache.Offer(ctx, r.collection, version, c.Path())
		return nil
	}
	resp := c.Response()
	resp.Header().Set(echo.HeaderContentType, r.format.MediaType())
	resp.Header().Add("Vary", "Accept-Encoding")
	// Compress as rows stream when the client takes it; the cache keeps
	// the plain bytes and compresses them once.
	var body io.Writer = resp
	var zw *gzip.Writer
	if clientTakesGzip(c.Request()) {
		zw, _ = gzip.NewWriterLevel(resp, gzip.BestSpeed)
		body = zw
	}
	var out = body
	var tee *teeBuffer
	if h.cache != nil {
		tee = h.cache.newTee()
		defer h.cache.release(tee)
		out = io.MultiWriter(body, tee)
	}
	bw := h.buffers.get(out)
	defer h.buffers.put(bw)
	fw := newFeatureWriter(r.format, bw)
	started := false
	n := 0
	start := func() error {
		if zw != nil {
			resp.Header().Set("Content-Encoding", "gzip")
		}
		resp.WriteHeader(http.StatusOK)
		started = true
		return fw.Begin()
	}
	matched, raw, err := h.eachRaw(ctx, r, fw, func() error {
		if !started {
			if err := start(); err != nil {
				return err
			}
		}
		n++
		return nil
	})
	if !raw {
		matched, err = h.each(ctx, r, func(f *Feature) error {
			if !started {
				if err := start(); err != nil {
					return err
				}
			}
			n++
			return fw.Feature(f)
		})
	}
	if err != nil {
		if started {
			// The status line is sent; the client sees a cut-off body.
			return nil
		}
		resp.Header().Del(echo.HeaderContentType)
		return err
	}
	if !started {
		if err := start(); err != nil {
			return err
		}
	}
	meta.Matched, meta.Returned = matched, n
	meta.Links = pageLinks(base, path, r.q, r.offset, r.limit, n, matched, r.format)
	if err := fw.End(meta); err != nil {
		return err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return err
		}
	}
	if tee != nil && !tee.overflow {
		h.cache.put(etag, r.collection, r.format.MediaType(), tee.buf)
	}
	httpcache.Offer(ctx, r.collection, version, c.Path())
	return nil
}

// serveCached answers from the cache, gzipped when the client takes it.
func serveCached(c echo.Context, cache *Cache, r *cachedResponse) error {
	hdr := c.Response().Header()
	hdr.Add("Vary", "Accept-Encoding")
	hdr.Set("X-Cache", "hit")
	if clientTakesGzip(c.Request()) {
		if gz := cache.gzipOf(r); gz != nil {
			hdr.Set("Content-Encoding", "gzip")
			return c.Blob(http.StatusOK, r.contentType, gz)
		}
	}
	return c.Blob(http.StatusOK, r.contentType, r.body)
}

func clientTakesGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && !strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0") {
			return true
		}
	}
	return false
}

// pageLinks builds self, alternate, and next/prev links that keep every
// other parameter of the request.
func pageLinks(base, path string, q url.Values, offset, limit, returned, matched int, format Format) []Link {
	at := func(off int, f Format) string {
		v := url.Values{}
		for k, vals := range q {
			v[k] = vals
		}
		v.Set(ParamLimit, strconv.Itoa(limit))
		if off > 0 {
			v.Set(ParamOffset, strconv.Itoa(off))
		} else {
			v.Del(ParamOffset)
		}
		v.Set(ParamFormat, string(f))
		return withQuery(base, path, v)
	}
	mt := strings.SplitN(format.MediaType(), ";", 2)[0]
	links := []Link{{Href: at(offset, format), Rel: RelSelf, Type: mt, Title: "this document"}}
	for _, f := range itemFormats() {
		if f != format {
			links = append(links, Link{Href: at(offset, f), Rel: RelAlternate, Type: strings.SplitN(f.MediaType(), ";", 2)[0], Title: "this document as " + string(f)})
		}
	}
	if offset+returned < matched {
		links = append(links, Link{Href: at(offset+limit, format), Rel: RelNext, Type: mt, Title: "next page"})
	}
	if offset > 0 {
		prev := offset - limit
		if prev < 0 {
			prev = 0
		}
		links = append(links, Link{Href: at(prev, format), Rel: RelPrev, Type: mt, Title: "previous page"})
	}
	return links
}

func (h *Handler) item(c echo.Context) error {
	ctx := c.Request().Context()
	coll, id := c.Param("collectionId"), c.Param("featureId")
	// Taken before the feature is read, so that an answer kept by the
	// front door is never newer than the version it is kept under.
	collVersion, err := h.versions.CollectionVersion(ctx, coll)
	if err != nil {
		return err
	}
	if coll != ProjectsCollection {
		if _, err := h.findLayer(ctx, coll); err != nil {
			return err
		}
	}
	q, err := query(c)
	if err != nil {
		return err
	}
	if err := checkParams(q, []string{ParamCRS, ParamFormat}); err != nil {
		return err
	}
	crs := CRS{URI: CRS84}
	if q.Has(ParamCRS) {
		if crs, err = ParseCRS(ParamCRS, q.Get(ParamCRS)); err != nil {
			return err
		}
	}
	format, err := negotiate(c.Request(), q.Get(ParamFormat), []Format{FormatGeoJSON, FormatHTML})
	if err != nil {
		return err
	}
	var (
		f       *Feature
		version int
	)
	if coll == ProjectsCollection {
		if !domain.ProjectIDPattern.MatchString(id) || len(id) > 128 {
			return domain.Errorf(domain.ENOTFOUND, "no project has id %q", truncate(id, 64))
		}
		p, err := h.projects.FindProjectByID(ctx, id)
		if err != nil {
			return err
		}
		f, version = newFeature(p.ID, p.Geometry, p, crs), p.Version
	} else {
		if len(id) > 256 {
			return domain.Errorf(domain.ENOTFOUND, "collection %q has no feature with id %q", coll, truncate(id, 64))
		}
		lf, err := h.layers.FindFeatureByID(ctx, coll, id)
		if err != nil {
			return err
		}
		f, version = newFeature(lf.ID, lf.Geometry, lf.Properties, crs), lf.Version
	}
	if done, err := h.itemCacheHeaders(c, version, format, crs); done || err != nil {
		return err
	}
	base := BaseURL(c.Request())
	self := base + "/collections/" + coll + "/items/" + url.PathEscape(id)
	f.Links = []Link{
		{Href: self + "?f=json", Rel: RelSelf, Type: MediaGeoJSON, Title: "this document"},
		{Href: self + "?f=html", Rel: RelAlternate, Type: MediaHTML, Title: "this document as HTML"},
		{Href: base + "/collections/" + coll, Rel: RelCollection, Type: MediaJSON, Title: "the collection"},
	}
	if format == FormatHTML {
		err = h.renderItem(c, coll, f)
	} else {
		err = writeJSON(c, http.StatusOK, MediaGeoJSON, f)
	}
	if err == nil {
		httpcache.Offer(ctx, coll, collVersion, c.Path())
	}
	return err
}

// cacheHeaders sets a strong ETag from the collection's data version and
// the request, and answers 304 when the client holds it. Any write to the
// collection bumps its version, so every ETag of it changes at once.
func (h *Handler) cacheHeaders(c echo.Context, collection string, format Format, crs CRS) (etag string, version int64, done bool, err error) {
	req := c.Request()
	version, err = h.versions.CollectionVersion(req.Context(), collection)
	if err != nil {
		return "", 0, false, err
	}
	keys := make([]string, 0)
	q, _ := url.ParseQuery(req.URL.RawQuery)
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	sum := sha256.New()
	sum.Write([]byte(req.URL.Path))
	for _, k := range keys {
		sum.Write([]byte{0})
		sum.Write([]byte(k + "=" + strings.Join(q[k], ",")))
	}
	sum.Write([]byte{0})
	sum.Write([]byte(string(format) + "|" + crs.URI + "|" + BaseURL(req)))
	etag = `"` + collection + "-" + strconv.FormatInt(version, 10) + "-" + hex.EncodeToString(sum.Sum(nil)[:8]) + `"`
	hdr := c.Response().Header()
	hdr.Set("ETag", etag)
	hdr.Set("Cache-Control", CacheControl)
	hdr.Add("Vary", "Accept")
	if !crs.IsCRS84() || format == FormatGeoJSON || format == FormatJSONSeq {
		hdr.Set("Content-Crs", "<"+crs.URI+">")
	}
	if etagMatch(req.Header.Get("If-None-Match"), etag) {
		return etag, version, true, c.NoContent(http.StatusNotModified)
	}
	return etag, version, false, nil
}

// itemCacheHeaders sets a feature's ETag from its own version, so that a
// write elsewhere in the collection leaves it valid and If-Match can name
// the version the client saw.
func (h *Handler) itemCacheHeaders(c echo.Context, version int, format Format, crs CRS) (bool, error) {
	req := c.Request()
	etag := itemETag(version, req.URL.Path+"|"+string(format)+"|"+crs.URI+"|"+BaseURL(req))
	hdr := c.Response().Header()
	hdr.Set("ETag", etag)
	hdr.Set("Cache-Control", CacheControl)
	hdr.Add("Vary", "Accept")
	hdr.Set("Content-Crs", "<"+crs.URI+">")
	if etagMatch(req.Header.Get("If-None-Match"), etag) {
		return true, c.NoContent(http.StatusNotModified)
	}
	return false, nil
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// etagMatch implements If-None-Match's weak comparison.
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// writeJSON encodes v without HTML escaping, so Chinese and "<" stay readable.
func writeJSON(c echo.Context, status int, mediaType string, v any) error {
	var buf bytes.Buffer
	if err := jsonEncoder(&buf).Encode(v); err != nil {
		return err
	}
	return c.Blob(status, mediaType, buf.Bytes())
}

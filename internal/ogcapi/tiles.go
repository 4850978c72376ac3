package ogcapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/httpcache"
)

// OGC API - Tiles: link relations, media types and the one tile matrix set.
const (
	RelItem           = "item"
	RelTilingScheme   = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
	RelTilingSchemes  = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"
	RelTilesetsVector = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
	RelGeodata        = "http://www.opengis.net/def/rel/ogc/1.0/geodata"

	MediaMVT = "application/vnd.mapbox-vector-tile"

	WebMercatorQuad    = "WebMercatorQuad"
	WebMercatorQuadURI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
	// WebMercatorQuadMaxZoom is the deepest tile matrix of WebMercatorQuad.
	WebMercatorQuadMaxZoom = 24
)

// TilesConformance lists the OGC API - Tiles conformance classes the
// TileHandler implements, for /conformance.
func TilesConformance() []string {
	return []string{
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
	}
}

// TileService renders a collection's vector tiles.
type TileService interface {
	// Tile returns tile z/x/y (XYZ: y counts down from the north) as a
	// Mapbox Vector Tile, or an empty slice when no feature reaches it; an
	// unknown collection is a not_found error.
	Tile(ctx context.Context, collection string, z, x, y int) ([]byte, error)
	// Version returns the collection's data version, which changes with
	// every write to it; an unknown collection is a not_found error.
	Version(ctx context.Context, collection string) (int64, error)
	// Fields names the attributes of the collection's tiles with their
	// TileJSON types: String, Number or Boolean.
	Fields(ctx context.Context, collection string) (map[string]string, error)
}

// TileCollection is what tileset metadata tells of a collection.
type TileCollection struct {
	ID          string
	Title       string
	Description string
	Attribution string
	Extent      *domain.BBox
}

// CollectionLookup finds a collection for its tileset metadata; an unknown
// collection is a not_found error.
type CollectionLookup interface {
	TileCollection(ctx context.Context, id string) (*TileCollection, error)
}

// NewCollectionLookup looks collections up in the projects and layer services.
func NewCollectionLookup(projects domain.ProjectService, layers domain.LayerService) CollectionLookup {
	return &serviceLookup{projects: projects, layers: layers}
}

type serviceLookup struct {
	projects domain.ProjectService
	layers   domain.LayerService
}

func (s *serviceLookup) TileCollection(ctx context.Context, id string) (*TileCollection, error) {
	if id == ProjectsCollection {
		info, err := s.projects.Info(ctx)
		if err != nil {
			return nil, err
		}
		return &TileCollection{
			ID: id, Title: "Projects of the 2012 Liaoning revitalization work plan",
			Description: "Every sited project or place-bound target of the plan, with its status and location precision.",
			Extent:      info.Extent,
		}, nil
	}
	if id == domain.CollectionProgrammes {
		// Computed from the projects, programmes have no stored geometry to tile.
		return nil, domain.Errorf(domain.ENOTFOUND, "collection %q has no tiles; the projects tiles show its members", id)
	}
	if !domain.LayerIDPattern.MatchString(id) {
		return nil, domain.Errorf(domain.ENOTFOUND, "no collection has id %q", truncate(id, 64))
	}
	l, err := s.layers.FindLayer(ctx, id)
	if err != nil {
		return nil, err
	}
	// Counted and measured once per data version, so this stays cheap.
	if err := s.layers.LayerStats(ctx, l); err != nil {
		return nil, err
	}
	return &TileCollection{ID: l.ID, Title: l.TitleEN, Description: l.Description, Attribution: l.Attribution, Extent: l.Extent}, nil
}

// TileHandler serves vector tiles of the collections through OGC API -
// Tiles, with TileJSON for map clients.
type TileHandler struct {
	tiles       TileService
	collections CollectionLookup
	// MaxZoom is the deepest zoom TileJSON announces; clients overzoom past it.
	MaxZoom int
	// CacheControl is sent with every tile and 304.
	CacheControl string
	// Cache keeps rendered tiles in memory, keyed by data version; nil
	// renders every request.
	Cache *Cache
	// Versions, when set, answers data versions from memory (notified by
	// PostgreSQL) instead of asking the tile service.
	Versions domain.VersionService
	// drawings lets concurrent requests for one tile share one drawing: a
	// heavy low-zoom tile asked for by many clients at once is drawn once.
	mu       sync.Mutex
	drawings map[string]*drawing
}

// drawing is one tile being drawn for the requests waiting for it.
type drawing struct {
	done    chan struct{}
	data    []byte
	err     error
	waiters int                // requests still waiting; guarded by TileHandler.mu
	cancel  context.CancelFunc // gives the drawing up
}

// NewTileHandler returns a TileHandler that renders with tiles and
// describes collections found by collections.
func NewTileHandler(tiles TileService, collections CollectionLookup) *TileHandler {
	return &TileHandler{tiles: tiles, collections: collections, MaxZoom: 16, CacheControl: CacheControl}
}

// Register adds the tile routes to e.
func (h *TileHandler) Register(e *echo.Echo) {
	e.GET("/tileMatrixSets", h.tileMatrixSets)
	e.GET("/tileMatrixSets/:tileMatrixSetId", h.tileMatrixSet)
	e.GET("/collections/:collectionId/tiles", h.tilesets)
	e.GET("/collections/:collectionId/tiles/:tileMatrixSetId", h.tileset)
	e.GET("/collections/:collectionId/tiles/:tileMatrixSetId/tilejson", h.tileJSON)
	e.GET("/collections/:collectionId/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol", h.tile)
	e.HEAD("/collections/:collectionId/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol", h.tile)
}

// TilesetsLink is the link a collection carries to its tilesets.
func TilesetsLink(base, collection string) Link {
	return Link{Href: base + "/collections/" + url.PathEscape(collection) + "/tiles", Rel: RelTilesetsVector, Type: MediaJSON, Title: "vector tilesets"}
}

// TilingSchemesLink is the link the landing page carries to the tile matrix sets.
func TilingSchemesLink(base string) Link {
	return Link{Href: base + "/tileMatrixSets", Rel: RelTilingSchemes, Type: MediaJSON, Title: "tile matrix sets"}
}

// TileLink is a link whose href may be a URI template.
type TileLink struct {
	Link
	Templated bool `json:"templated,omitempty"`
}

// TileMatrix is one zoom level of a tile matrix set (OGC 2D TMS 2.0, JSON).
type TileMatrix struct {
	ID               string     `json:"id"`
	ScaleDenominator float64    `json:"scaleDenominator"`
	CellSize         float64    `json:"cellSize"`
	CornerOfOrigin   string     `json:"cornerOfOrigin"`
	PointOfOrigin    [2]float64 `json:"pointOfOrigin"`
	TileWidth        int        `json:"tileWidth"`
	TileHeight       int        `json:"tileHeight"`
	MatrixWidth      int        `json:"matrixWidth"`
	MatrixHeight     int        `json:"matrixHeight"`
}

// TileMatrixSet is a tile matrix set definition.
type TileMatrixSet struct {
	ID                string       `json:"id"`
	Title             string       `json:"title"`
	URI               string       `json:"uri"`
	CRS               string       `json:"crs"`
	OrderedAxes       []string     `json:"orderedAxes"`
	WellKnownScaleSet string       `json:"wellKnownScaleSet"`
	TileMatrices      []TileMatrix `json:"tileMatrices"`
	Links             []Link       `json:"links,omitempty"`
}

const (
	mercatorHalfWorld = 20037508.3427892 // metres from the origin to the edge of Web Mercator
	standardPixel     = 0.00028          // metres, the OGC standardized rendering pixel
	tilePixels        = 256
)

// WebMercatorQuadSet returns the WebMercatorQuad definition, zoom 0 to 24.
func WebMercatorQuadSet() *TileMatrixSet {
	tms := &TileMatrixSet{
		ID: WebMercatorQuad, Title: "Google Maps Compatible for the World", URI: WebMercatorQuadURI,
		CRS: URIEPSG3857, OrderedAxes: []string{"X", "Y"},
		WellKnownScaleSet: "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
	}
	for z := 0; z <= WebMercatorQuadMaxZoom; z++ {
		n := 1 << z
		cell := 2 * mercatorHalfWorld / tilePixels / float64(n)
		tms.TileMatrices = append(tms.TileMatrices, TileMatrix{
			ID: strconv.Itoa(z), ScaleDenominator: cell / standardPixel, CellSize: cell, CornerOfOrigin: "topLeft",
			PointOfOrigin: [2]float64{-mercatorHalfWorld, mercatorHalfWorld},
			TileWidth:     tilePixels, TileHeight: tilePixels, MatrixWidth: n, MatrixHeight: n,
		})
	}
	return tms
}

// tileParams rejects unknown query parameters and any f but one of formats.
func tileParams(c echo.Context, formats ...string) (string, error) {
	q, err := query(c)
	if err != nil {
		return "", err
	}
	if err := checkParams(q, []string{ParamFormat}); err != nil {
		return "", err
	}
	f := q.Get(ParamFormat)
	if !q.Has(ParamFormat) {
		return formats[0], nil
	}
	for _, v := range formats {
		if f == v {
			return f, nil
		}
	}
	return "", invalid(ParamFormat, "%q is not a format of this resource; use %s", truncate(f, 32), strings.Join(formats, " or "))
}

func checkTileMatrixSet(id string) error {
	if id != WebMercatorQuad {
		return domain.Errorf(domain.ENOTFOUND, "no tile matrix set has id %q; this server tiles in %s", truncate(id, 64), WebMercatorQuad)
	}
	return nil
}

func (h *TileHandler) tileMatrixSets(c echo.Context) error {
	if _, err := tileParams(c, "json"); err != nil {
		return err
	}
	base := BaseURL(c.Request())
	tms := WebMercatorQuadSet()
	return writeJSON(c, http.StatusOK, MediaJSON, map[string]any{
		"tileMatrixSets": []map[string]any{{
			"id": tms.ID, "title": tms.Title, "uri": tms.URI, "crs": tms.CRS,
			"links": []Link{{Href: base + "/tileMatrixSets/" + tms.ID, Rel: RelTilingScheme, Type: MediaJSON, Title: tms.Title}},
		}},
		"links": []Link{{Href: base + "/tileMatrixSets", Rel: RelSelf, Type: MediaJSON, Title: "this document"}},
	})
}

func (h *TileHandler) tileMatrixSet(c echo.Context) error {
	if err := checkTileMatrixSet(c.Param("tileMatrixSetId")); err != nil {
		return err
	}
	if _, err := tileParams(c, "json"); err != nil {
		return err
	}
	tms := WebMercatorQuadSet()
	tms.Links = []Link{{Href: BaseURL(c.Request()) + "/tileMatrixSets/" + tms.ID, Rel: RelSelf, Type: MediaJSON, Title: "this document"}}
	return writeJSON(c, http.StatusOK, MediaJSON, tms)
}

// tilesPath is the path of a collection's WebMercatorQuad tileset.
func tilesPath(collection string) string {
	return "/collections/" + url.PathEscape(collection) + "/tiles/" + WebMercatorQuad
}

func (h *TileHandler) tilesets(c echo.Context) error {
	if _, err := tileParams(c, "json"); err != nil {
		return err
	}
	coll, err := h.collections.TileCollection(c.Request().Context(), c.Param("collectionId"))
	if err != nil {
		return err
	}
	base := BaseURL(c.Request())
	return writeJSON(c, http.StatusOK, MediaJSON, map[string]any{
		"tilesets": []map[string]any{{
			"title": coll.Title, "dataType": "vector", "crs": URIEPSG3857, "tileMatrixSetURI": WebMercatorQuadURI,
			"links": []Link{
				{Href: base + tilesPath(coll.ID), Rel: RelSelf, Type: MediaJSON, Title: "the " + WebMercatorQuad + " tileset"},
				{Href: base + "/tileMatrixSets/" + WebMercatorQuad, Rel: RelTilingScheme, Type: MediaJSON, Title: WebMercatorQuad},
			},
		}},
		"links": []Link{
			{Href: base + "/collections/" + url.PathEscape(coll.ID) + "/tiles", Rel: RelSelf, Type: MediaJSON, Title: "this document"},
			{Href: base + "/collections/" + url.PathEscape(coll.ID), Rel: RelCollection, Type: MediaJSON, Title: "the collection"},
		},
	})
}

// TileJSON is a TileJSON 3.0.0 document.
type TileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name,omitempty"`
	Description  string        `json:"description,omitempty"`
	Attribution  string        `json:"attribution,omitempty"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       [4]float64    `json:"bounds"`
	VectorLayers []VectorLayer `json:"vector_layers"`
}

// VectorLayer describes one layer of the tiles in TileJSON.
type VectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description,omitempty"`
	Fields      map[string]string `json:"fields"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
}

// worldBounds is what TileJSON assumes without bounds: Web Mercator's world.
var worldBounds = [4]float64{-180, -85.05112877980659, 180, 85.05112877980659}

func (h *TileHandler) describe(c echo.Context) (*TileCollection, map[string]string, error) {
	if err := checkTileMatrixSet(c.Param("tileMatrixSetId")); err != nil {
		return nil, nil, err
	}
	ctx := c.Request().Context()
	coll, err := h.collections.TileCollection(ctx, c.Param("collectionId"))
	if err != nil {
		return nil, nil, err
	}
	fields, err := h.tiles.Fields(ctx, coll.ID)
	if err != nil {
		return nil, nil, err
	}
	return coll, fields, nil
}

func (h *TileHandler) tileJSON(c echo.Context) error {
	if _, err := tileParams(c, "json"); err != nil {
		return err
	}
	return h.writeTileJSON(c)
}

func (h *TileHandler) writeTileJSON(c echo.Context) error {
	coll, fields, err := h.describe(c)
	if err != nil {
		return err
	}
	bounds := worldBounds
	if b := coll.Extent; b != nil {
		bounds = [4]float64{b.MinLon, max(b.MinLat, worldBounds[1]), b.MaxLon, min(b.MaxLat, worldBounds[3])}
	}
	return writeJSON(c, http.StatusOK, MediaJSON, &TileJSON{
		TileJSON: "3.0.0", Name: coll.Title, Description: coll.Description, Attribution: coll.Attribution,
		Scheme:  "xyz",
		Tiles:   []string{BaseURL(c.Request()) + tilesPath(coll.ID) + "/{z}/{y}/{x}"},
		MinZoom: 0, MaxZoom: h.MaxZoom, Bounds: bounds,
		VectorLayers: []VectorLayer{{ID: coll.ID, Description: coll.Title, Fields: fields, MinZoom: 0, MaxZoom: h.MaxZoom}},
	})
}

// propertiesSchema turns TileJSON field types into a JSON Schema.
func propertiesSchema(fields map[string]string) map[string]any {
	props := map[string]any{}
	for k, v := range fields {
		t := "string"
		switch v {
		case "Number":
			t = "number"
		case "Boolean":
			t = "boolean"
		}
		props[k] = map[string]string{"type": t}
	}
	return map[string]any{"type": "object", "properties": props}
}

func (h *TileHandler) tileset(c echo.Context) error {
	f, err := tileParams(c, "json", "tilejson")
	if err != nil {
		return err
	}
	if f == "tilejson" {
		return h.writeTileJSON(c)
	}
	coll, fields, err := h.describe(c)
	if err != nil {
		return err
	}
	base := BaseURL(c.Request())
	self := base + tilesPath(coll.ID)
	doc := map[string]any{
		"title": coll.Title, "dataType": "vector", "crs": URIEPSG3857, "tileMatrixSetURI": WebMercatorQuadURI,
		"layers": []map[string]any{{
			"id": coll.ID, "title": coll.Title, "dataType": "vector", "propertiesSchema": propertiesSchema(fields),
		}},
		"links": []TileLink{
			{Link: Link{Href: self, Rel: RelSelf, Type: MediaJSON, Title: "this document"}},
			{Link: Link{Href: self + "/tilejson", Rel: RelAlternate, Type: MediaJSON, Title: "this tileset as TileJSON 3.0.0"}},
			{Link: Link{Href: self + "/{tileMatrix}/{tileRow}/{tileCol}", Rel: RelItem, Type: MediaMVT, Title: "Mapbox vector tiles"}, Templated: true},
			{Link: Link{Href: base + "/tileMatrixSets/" + WebMercatorQuad, Rel: RelTilingScheme, Type: MediaJSON, Title: WebMercatorQuad}},
			{Link: Link{Href: base + "/collections/" + url.PathEscape(coll.ID), Rel: RelGeodata, Type: MediaJSON, Title: "the collection"}},
		},
	}
	if coll.Description != "" {
		doc["description"] = coll.Description
	}
	if coll.Attribution != "" {
		doc["attribution"] = coll.Attribution
	}
	if b := coll.Extent; b != nil {
		doc["boundingBox"] = map[string]any{
			"lowerLeft": [2]float64{b.MinLon, b.MinLat}, "upperRight": [2]float64{b.MaxLon, b.MaxLat}, "crs": CRS84,
		}
	}
	return writeJSON(c, http.StatusOK, MediaJSON, doc)
}

// tileIndex is a tile matrix, row or column as the path gives it: digits
// without leading zeros, so that each tile has one URL (and one cache entry).
var tileIndex = regexp.MustCompile(`^(0|[1-9][0-9]{0,8})$`)

// ParseTile reads a tile's matrix (zoom), row and column in OGC order and
// checks them against WebMercatorQuad.
func ParseTile(matrix, row, col string) (z, y, x int, err error) {
	if !tileIndex.MatchString(matrix) {
		return 0, 0, 0, invalid("tileMatrix", "%q is not a tile matrix of %s; use a whole number from 0 to %d", truncate(matrix, 32), WebMercatorQuad, WebMercatorQuadMaxZoom)
	}
	z, _ = strconv.Atoi(matrix)
	if z > WebMercatorQuadMaxZoom {
		return 0, 0, 0, invalid("tileMatrix", "%d is deeper than %s goes; use a whole number from 0 to %d", z, WebMercatorQuad, WebMercatorQuadMaxZoom)
	}
	last := 1<<z - 1
	parse := func(name, s string) (int, error) {
		if !tileIndex.MatchString(s) {
			return 0, invalid(name, "%q is not a whole number from 0 to %d", truncate(s, 32), last)
		}
		n, _ := strconv.Atoi(s)
		if n > last {
			return 0, invalid(name, "%d is outside tile matrix %d, which runs from 0 to %d", n, z, last)
		}
		return n, nil
	}
	if y, err = parse("tileRow", row); err != nil {
		return 0, 0, 0, err
	}
	if x, err = parse("tileCol", col); err != nil {
		return 0, 0, 0, err
	}
	return z, y, x, nil
}

// tileRevision changes when the server renders tiles differently, so
// that caches drop tiles the data version alone would keep.
const tileRevision = 1

func (h *TileHandler) tile(c echo.Context) error {
	if err := checkTileMatrixSet(c.Param("tileMatrixSetId")); err != nil {
		return err
	}
	if _, err := tileParams(c, "mvt"); err != nil {
		return err
	}
	z, y, x, err := ParseTile(c.Param("tileMatrix"), c.Param("tileRow"), c.Param("tileCol"))
	if err != nil {
		return err
	}
	req := c.Request()
	coll := c.Param("collectionId")
	var version int64
	if h.Versions != nil && coll != domain.CollectionProgrammes {
		// Versions answer 0 for an unknown collection; the tile service
		// then says whether it exists.
		version, err = h.Versions.CollectionVersion(req.Context(), coll)
	}
	if version == 0 || err != nil {
		if version, err = h.tiles.Version(req.Context(), coll); err != nil {
			return err
		}
	}
	gz := acceptsGzip(req.Header.Get("Accept-Encoding"))
	encoding := "identity"
	if gz {
		encoding = "gzip"
	}
	etag := `"` + coll + "-" + strconv.FormatInt(version, 10) + "-" + strconv.Itoa(z) + "-" + strconv.Itoa(x) + "-" +
		strconv.Itoa(y) + "-" + encoding + "-r" + strconv.Itoa(tileRevision) + `"`
	// Cache headers go on answers only, never on an error; an answer
	// with them may be kept by the front door.
	cacheHeaders := func() {
		hdr := c.Response().Header()
		hdr.Set("ETag", etag)
		hdr.Set("Cache-Control", h.CacheControl)
		hdr.Add("Vary", "Accept-Encoding")
		httpcache.Offer(req.Context(), coll, version, c.Path())
	}
	if etagMatch(req.Header.Get("If-None-Match"), etag) {
		cacheHeaders()
		return c.NoContent(http.StatusNotModified)
	}
	key := tileCacheKey(coll, version, z, x, y)
	if hit := h.Cache.get(key); hit != nil {
		cacheHeaders()
		c.Response().Header().Set("X-Cache", "hit")
		switch {
		case len(hit.body) == 0:
			return c.NoContent(http.StatusNoContent)
		case gz && h.Cache.gzipOf(hit) != nil:
			c.Response().Header().Set("Content-Encoding", "gzip")
			return c.Blob(http.StatusOK, MediaMVT, h.Cache.gzipOf(hit))
		}
		return c.Blob(http.StatusOK, MediaMVT, hit.body)
	}
	data, err := h.draw(req.Context(), key, coll, z, x, y)
	if err != nil {
		return err
	}
	cacheHeaders()
	if len(data) == 0 {
		// OGC API - Tiles allows 204 for a tile without data; MapLibre and GDAL take it.
		return c.NoContent(http.StatusNoContent)
	}
	if gz {
		if data, err = gzipBytes(data); err != nil {
			return err
		}
		c.Response().Header().Set("Content-Encoding", "gzip")
	}
	return c.Blob(http.StatusOK, MediaMVT, data)
}

// draw returns tile z/x/y of coll, drawn once for every request that asks
// for it (key) while it is being drawn, and keeps it in the cache. The
// drawing is not the request's: one client hanging up must not cancel it
// for the others. It is given up once every request waiting for it has
// gone, so that a server behind on its work (a map panned away, clients
// that gave up) does not go on drawing for nobody.
func (h *TileHandler) draw(ctx context.Context, key, coll string, z, x, y int) ([]byte, error) {
	h.mu.Lock()
	d := h.drawings[key]
	if d == nil {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
		d = &drawing{done: make(chan struct{}), cancel: cancel}
		if h.drawings == nil {
			h.drawings = map[string]*drawing{}
		}
		h.drawings[key] = d
		go func() {
			defer cancel()
			// The waiters are let go even if drawing panics, and the panic,
			// on a goroutine of its own, does not end the server.
			defer func() {
				if r := recover(); r != nil {
					d.data, d.err = nil, fmt.Errorf("ogcapi: drawing tile %s panicked: %v", key, r)
				}
				h.mu.Lock()
				if h.drawings[key] == d {
					delete(h.drawings, key)
				}
				h.mu.Unlock()
				close(d.done)
			}()
			d.data, d.err = h.tiles.Tile(dctx, coll, z, x, y)
			if d.err == nil {
				h.Cache.put(key, coll, MediaMVT, d.data)
			}
		}()
	}
	d.waiters++
	h.mu.Unlock()
	select {
	case <-d.done:
		return d.data, d.err
	case <-ctx.Done():
		h.mu.Lock()
		if d.waiters--; d.waiters == 0 {
			d.cancel()
			// A request that comes now starts a drawing of its own.
			if h.drawings[key] == d {
				delete(h.drawings, key)
			}
		}
		h.mu.Unlock()
		return nil, ctx.Err()
	}
}

// tileCacheKey is where the tile cache keeps tile z/x/y of version of a
// collection.
func tileCacheKey(coll string, version int64, z, x, y int) string {
	return coll + "/" + strconv.FormatInt(version, 10) + "/" + strconv.Itoa(z) + "/" + strconv.Itoa(x) + "/" + strconv.Itoa(y)
}

// acceptsGzip reads Accept-Encoding: gzip (or x-gzip, or *) with a q above 0.
func acceptsGzip(header string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				} else {
					q = 0
				}
			}
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "gzip", "x-gzip":
			gzipQ = max(gzipQ, q)
		case "*":
			starQ = max(starQ, q)
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}

var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}

func gzipBytes(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(data)/2 + 64)
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// TileAPIPaths returns the OpenAPI 3.0 path items of the tile routes, for
// the /api document; errors refer to its #/components/schemas/exception.
func TileAPIPaths() map[string]any {
	type o = map[string]any
	str := o{"type": "string"}
	pathParam := func(name, description string, schema o) o {
		return o{"name": name, "in": "path", "required": true, "description": description, "schema": schema}
	}
	format := func(values ...string) o {
		return o{"name": ParamFormat, "in": "query", "required": false, "description": "Encoding of the answer.",
			"schema": o{"type": "string", "enum": values, "default": values[0]}}
	}
	errs := func(ok o) o {
		exception := o{"description": "", "content": o{MediaJSON: o{"schema": o{"$ref": "#/components/schemas/exception"}}}}
		bad, missing := o{}, o{}
		for k, v := range exception {
			bad[k], missing[k] = v, v
		}
		bad["description"] = "A parameter is unknown, repeated or malformed; the message names it."
		missing["description"] = "No such collection or tile matrix set."
		return o{"200": ok, "400": bad, "404": missing}
	}
	jsonOK := func(description string) o {
		return o{"description": description, "content": o{MediaJSON: o{"schema": o{"type": "object"}}}}
	}
	coll := pathParam("collectionId", "The collection's id.", str)
	tms := pathParam("tileMatrixSetId", "The tile matrix set: "+WebMercatorQuad+".", o{"type": "string", "enum": []string{WebMercatorQuad}})
	index := func(name, description string) o {
		return pathParam(name, description, o{"type": "string", "pattern": "^(0|[1-9][0-9]*)$"})
	}
	get := func(summary, id string, params []any, responses o) o {
		return o{"get": o{"summary": summary, "operationId": id, "tags": []string{"Tiles"}, "parameters": params, "responses": responses}}
	}
	tileResponses := errs(o{"description": "The tile, gzip-compressed when Accept-Encoding allows it.",
		"content": o{MediaMVT: o{"schema": o{"type": "string", "format": "binary"}}}})
	tileResponses["204"] = o{"description": "No feature reaches the tile."}
	tileResponses["304"] = o{"description": "The tile is unchanged since the ETag given in If-None-Match."}
	return o{
		"/tileMatrixSets": get("Tile matrix sets", "getTileMatrixSetsList", []any{format("json")},
			errs(jsonOK("The tile matrix sets this server tiles in."))),
		"/tileMatrixSets/{tileMatrixSetId}": get("A tile matrix set", "getTileMatrixSet", []any{tms, format("json")},
			errs(jsonOK("The tile matrix set's definition (OGC 2D TMS 2.0)."))),
		"/collections/{collectionId}/tiles": get("Vector tilesets of a collection", "getCollectionVectorTileSetsList",
			[]any{coll, format("json")}, errs(jsonOK("The collection's tilesets."))),
		"/collections/{collectionId}/tiles/{tileMatrixSetId}": get("A vector tileset of a collection", "describeCollectionVectorTileset",
			[]any{coll, tms, format("json", "tilejson")}, errs(jsonOK("The tileset's metadata, or TileJSON 3.0.0 with f=tilejson."))),
		"/collections/{collectionId}/tiles/{tileMatrixSetId}/tilejson": get("TileJSON of a collection", "getCollectionTileJSON",
			[]any{coll, tms, format("json")}, errs(jsonOK("TileJSON 3.0.0 for map clients such as MapLibre."))),
		"/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}": get("A vector tile of a collection",
			"getCollectionVectorTile", []any{coll, tms,
				index("tileMatrix", "Zoom level, 0 to 24."),
				index("tileRow", "Row, counted from the north, 0 to 2^tileMatrix - 1."),
				index("tileCol", "Column, counted from the west, 0 to 2^tileMatrix - 1."),
				format("mvt")}, tileResponses),
	}
}

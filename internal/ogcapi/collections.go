package ogcapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/planmap/planmap/internal/domain"
)

// Conformance classes this server implements.
const (
	ConfCore    = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
	ConfGeoJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
	ConfOAS30   = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"
	ConfCRS     = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"

	ConfFilter          = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter"
	ConfFeaturesFilter  = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter"
	ConfQueryables      = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables"
	ConfQueryablesQuery = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters"
	CRS84               = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
)

// Landing is the landing page document.
type Landing struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Links       []Link `json:"links"`
}

// Extent is a collection's spatial extent.
type Extent struct {
	Spatial struct {
		BBox [][4]float64 `json:"bbox"`
		CRS  string       `json:"crs"`
	} `json:"spatial"`
}

// Collection describes one collection.
type Collection struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	TitleZH     string   `json:"title_zh,omitempty"`
	Description string   `json:"description,omitempty"`
	Attribution string   `json:"attribution,omitempty"`
	License     string   `json:"license,omitempty"`
	Kind        string   `json:"kind"`
	ItemType    string   `json:"itemType"`
	CRS         []string `json:"crs"`
	StorageCRS  string   `json:"storageCrs"`
	Features    int      `json:"numberOfFeatures"`
	Extent      *Extent  `json:"extent,omitempty"`
	Links       []Link   `json:"links"`
}

// Collections is the /collections document.
type Collections struct {
	Collections []*Collection `json:"collections"`
	Links       []Link        `json:"links"`
}

func extentOf(b *domain.BBox) *Extent {
	if b == nil {
		return nil
	}
	e := &Extent{}
	e.Spatial.BBox = [][4]float64{{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat}}
	e.Spatial.CRS = CRS84
	return e
}

func collectionLinks(base, id string) []Link {
	p := base + "/collections/" + url.PathEscape(id)
	return []Link{
		{Href: p, Rel: RelSelf, Type: MediaJSON, Title: "this collection"},
		{Href: p + "/items", Rel: "items", Type: MediaGeoJSON, Title: "the features"},
		{Href: p + "/queryables", Rel: RelQueryables, Type: "application/schema+json", Title: "the properties a filter may use"},
	}
}

// queryables answers /collections/{id}/queryables with a JSON Schema.
func (h *Handler) queryables(c echo.Context) error {
	if err := noParams(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	id := c.Param("collectionId")
	title := "Projects of the 2012 Liaoning revitalization work plan"
	if id != ProjectsCollection {
		l, err := h.findLayer(ctx, id)
		if err != nil {
			return err
		}
		title = l.TitleEN
	}
	if h.filters == nil {
		return domain.Errorf(domain.ENOTFOUND, "filtering is not available on this server")
	}
	self := BaseURL(c.Request()) + "/collections/" + url.PathEscape(id) + "/queryables"
	doc, err := h.filters.QueryablesSchema(ctx, id, self, title)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/schema+json", doc)
}

func (h *Handler) projectsCollection(ctx context.Context, base string) (*Collection, error) {
	info, err := h.projects.Info(ctx)
	if err != nil {
		return nil, err
	}
	return &Collection{
		ID: ProjectsCollection, Title: "Projects of the 2012 Liaoning revitalization work plan", TitleZH: "2012年辽宁老工业基地振兴工作方案项目",
		Description: "Every sited project or place-bound target of the plan, with its verbatim clause, status, targets and location precision.",
		Kind:        "projects", ItemType: "feature", CRS: SupportedCRS(), StorageCRS: CRS84,
		License:  "CC-BY-4.0",
		Features: info.Features, Extent: extentOf(info.Extent), Links: append(collectionLinks(base, ProjectsCollection), TilesetsLink(base, ProjectsCollection)),
	}, nil
}

func layerCollection(l *domain.Layer, base string) *Collection {
	links := collectionLinks(base, l.ID)
	if l.ID != domain.CollectionProgrammes {
		links = append(links, TilesetsLink(base, l.ID))
	}
	return &Collection{
		ID: l.ID, Title: l.TitleEN, TitleZH: l.TitleZH, Description: l.Description, Attribution: l.Attribution,
		License: l.License, Kind: l.Kind, ItemType: "feature", CRS: SupportedCRS(), StorageCRS: CRS84,
		Features: l.Features, Extent: extentOf(l.Extent), Links: links,
	}
}

// LandingPage answers GET / for clients that want JSON.
func (h *Handler) LandingPage(c echo.Context) error {
	q, err := query(c)
	if err != nil {
		return err
	}
	if err := checkParams(q, []string{ParamFormat}); err != nil {
		return err
	}
	base := BaseURL(c.Request())
	return writeJSON(c, http.StatusOK, MediaJSON, &Landing{
		Title:       "planmap",
		Description: "Sited projects of Liaoning Province's 2012 work plan for revitalizing its old industrial base, with basemap layers, as OGC API Features.",
		Links: []Link{
			{Href: base + "/", Rel: RelSelf, Type: MediaJSON, Title: "this document"},
			{Href: base + "/", Rel: RelAlternate, Type: MediaHTML, Title: "the map"},
			{Href: base + "/api", Rel: RelServiceDesc, Type: "application/vnd.oai.openapi+json;version=3.0", Title: "the API definition"},
			{Href: base + "/api", Rel: RelServiceDoc, Type: MediaJSON, Title: "the API documentation"},
			{Href: base + "/conformance", Rel: RelConformance, Type: MediaJSON, Title: "conformance classes"},
			{Href: base + "/collections", Rel: RelData, Type: MediaJSON, Title: "the collections"},
			TilingSchemesLink(base),
		},
	})
}

func (h *Handler) conformance(c echo.Context) error {
	if err := noParams(c); err != nil {
		return err
	}
	classes := append([]string{ConfCore, ConfGeoJSON, ConfOAS30, ConfCRS}, TilesConformance()...)
	if h.filters != nil {
		classes = append(classes, ConfFilter, ConfFeaturesFilter, ConfQueryables, ConfQueryablesQuery)
		classes = append(classes, h.filters.ConformanceClasses()...)
	}
	return writeJSON(c, http.StatusOK, MediaJSON, map[string][]string{"conformsTo": classes})
}

func noParams(c echo.Context) error {
	q, err := query(c)
	if err != nil {
		return err
	}
	return checkParams(q, []string{ParamFormat})
}

// wantHTML reads f= or Accept for the metadata resources.
func wantHTML(c echo.Context) (bool, error) {
	q, err := query(c)
	if err != nil {
		return false, err
	}
	f, err := negotiate(c.Request(), q.Get(ParamFormat), []Format{FormatGeoJSON, FormatHTML})
	return f == FormatHTML, err
}

func (h *Handler) collections(c echo.Context) error {
	if err := noParams(c); err != nil {
		return err
	}
	html, err := wantHTML(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	base := BaseURL(c.Request())
	pc, err := h.projectsCollection(ctx, base)
	if err != nil {
		return err
	}
	layers, err := h.layers.Layers(ctx)
	if err != nil {
		return err
	}
	out := &Collections{Collections: []*Collection{pc}, Links: []Link{
		{Href: base + "/collections", Rel: RelSelf, Type: MediaJSON, Title: "this document"},
	}}
	for _, l := range layers {
		out.Collections = append(out.Collections, layerCollection(l, base))
	}
	if html {
		return h.renderCollections(c, "Collections", out.Collections)
	}
	return writeJSON(c, http.StatusOK, MediaJSON, out)
}

func (h *Handler) collection(c echo.Context) error {
	if err := noParams(c); err != nil {
		return err
	}
	html, err := wantHTML(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	base := BaseURL(c.Request())
	id := c.Param("collectionId")
	if id == ProjectsCollection {
		pc, err := h.projectsCollection(ctx, base)
		if err != nil {
			return err
		}
		if html {
			return h.renderCollections(c, pc.Title, []*Collection{pc})
		}
		return writeJSON(c, http.StatusOK, MediaJSON, pc)
	}
	l, err := h.findLayer(ctx, id)
	if err != nil {
		return err
	}
	if err := h.layers.LayerStats(ctx, l); err != nil {
		return err
	}
	lc := layerCollection(l, base)
	if html {
		return h.renderCollections(c, lc.Title, []*Collection{lc})
	}
	return writeJSON(c, http.StatusOK, MediaJSON, lc)
}

func (h *Handler) findLayer(ctx context.Context, id string) (*domain.Layer, error) {
	if !domain.LayerIDPattern.MatchString(id) {
		return nil, domain.Errorf(domain.ENOTFOUND, "no collection has id %q", truncate(id, 64))
	}
	return h.layers.FindLayer(ctx, id)
}

func parseLimit(q url.Values, lim Limits) (int, error) {
	if !q.Has(ParamLimit) {
		return lim.DefaultLimit, nil
	}
	v := q.Get(ParamLimit)
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, invalid(ParamLimit, "%q is not a whole number from 1 to %d", truncate(v, 32), lim.MaxLimit)
	}
	if n > lim.MaxLimit {
		return 0, invalid(ParamLimit, "%d is more than the maximum of %d; page with offset and the next links", n, lim.MaxLimit)
	}
	return n, nil
}

func parseOffset(q url.Values, lim Limits) (int, error) {
	if !q.Has(ParamOffset) {
		return 0, nil
	}
	v := q.Get(ParamOffset)
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > lim.MaxOffset {
		return 0, invalid(ParamOffset, "%q is not a whole number from 0 to %d", truncate(v, 32), lim.MaxOffset)
	}
	return n, nil
}

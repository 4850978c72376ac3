package ogcapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/geojson"

	"github.com/planmap/planmap/internal/domain"
)

// ProjectsCollection is the id of the plan's projects collection.
const ProjectsCollection = "projects"

// Handler serves the OGC API Features resources.
type Handler struct {
	projects domain.ProjectService
	layers   domain.LayerService
	limits   Limits
	now      func() time.Time
}

// NewHandler returns a Handler reading projects and layers.
func NewHandler(projects domain.ProjectService, layers domain.LayerService, lim Limits) *Handler {
	return &Handler{projects: projects, layers: layers, limits: lim, now: time.Now}
}

// Register adds the routes to e, all but the landing page, which the
// caller shares with the map's HTML.
func (h *Handler) Register(e *echo.Echo) {
	e.GET("/conformance", h.conformance)
	e.GET("/collections", h.collections)
	e.GET("/collections/:collectionId", h.collection)
	e.GET("/collections/:collectionId/items", h.items)
	e.GET("/collections/:collectionId/items/:featureId", h.item)
	e.GET("/api", h.openAPI)
}

func (h *Handler) timestamp() string { return h.now().UTC().Format(time.RFC3339) }

// Feature is a GeoJSON feature whose geometry may be null.
type Feature struct {
	Type       string            `json:"type"`
	ID         string            `json:"id"`
	Geometry   *geojson.Geometry `json:"geometry"`
	Properties any               `json:"properties"`
	Links      []Link            `json:"links,omitempty"`
}

// FeatureCollection is one page of an items response.
type FeatureCollection struct {
	Type           string     `json:"type"`
	Features       []*Feature `json:"features"`
	NumberMatched  int        `json:"numberMatched"`
	NumberReturned int        `json:"numberReturned"`
	TimeStamp      string     `json:"timeStamp"`
	Links          []Link     `json:"links"`
}

// ProjectFeature encodes a project as a GeoJSON feature.
func ProjectFeature(p *domain.Project) *Feature {
	f := &Feature{Type: "Feature", ID: p.ID, Properties: p}
	if p.Geometry != nil {
		f.Geometry = geojson.NewGeometry(p.Geometry)
	}
	return f
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

func (h *Handler) items(c echo.Context) error {
	coll := c.Param("collectionId")
	if coll != ProjectsCollection {
		return h.layerItems(c, coll)
	}
	q, err := query(c)
	if err != nil {
		return err
	}
	f, err := ParseProjectFilter(q, h.limits)
	if err != nil {
		return err
	}
	page, err := h.projects.FindProjects(c.Request().Context(), f)
	if err != nil {
		return err
	}
	base := BaseURL(c.Request())
	path := "/collections/" + coll + "/items"
	fc := &FeatureCollection{
		Type:           "FeatureCollection",
		Features:       make([]*Feature, len(page.Projects)),
		NumberMatched:  page.Matched,
		NumberReturned: len(page.Projects),
		TimeStamp:      h.timestamp(),
	}
	for i, p := range page.Projects {
		fc.Features[i] = ProjectFeature(p)
	}
	fc.Links = pageLinks(base, path, q, f.Offset, f.Limit, len(page.Projects), page.Matched)
	return writeJSON(c, http.StatusOK, MediaGeoJSON, fc)
}

// pageLinks builds self, alternate, and next/prev links that keep every
// other parameter of the request.
func pageLinks(base, path string, q url.Values, offset, limit, returned, matched int) []Link {
	at := func(off int) string {
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
		v.Del(ParamFormat)
		return withQuery(base, path, v)
	}
	links := []Link{
		{Href: at(offset), Rel: RelSelf, Type: MediaGeoJSON, Title: "this document"},
	}
	if offset+returned < matched {
		links = append(links, Link{Href: at(offset + limit), Rel: RelNext, Type: MediaGeoJSON, Title: "next page"})
	}
	if offset > 0 {
		prev := offset - limit
		if prev < 0 {
			prev = 0
		}
		links = append(links, Link{Href: at(prev), Rel: RelPrev, Type: MediaGeoJSON, Title: "previous page"})
	}
	return links
}

func (h *Handler) item(c echo.Context) error {
	coll := c.Param("collectionId")
	if coll != ProjectsCollection {
		return h.layerItem(c, coll, c.Param("featureId"))
	}
	q, err := query(c)
	if err != nil {
		return err
	}
	if err := checkParams(q, []string{ParamFormat}); err != nil {
		return err
	}
	id := c.Param("featureId")
	if !domain.ProjectIDPattern.MatchString(id) || len(id) > 128 {
		return domain.Errorf(domain.ENOTFOUND, "no project has id %q", truncate(id, 64))
	}
	p, err := h.projects.FindProjectByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	base := BaseURL(c.Request())
	f := ProjectFeature(p)
	f.Links = []Link{
		{Href: base + "/collections/" + coll + "/items/" + url.PathEscape(id), Rel: RelSelf, Type: MediaGeoJSON, Title: "this document"},
		{Href: base + "/collections/" + coll, Rel: RelCollection, Type: MediaJSON, Title: "the collection"},
	}
	return writeJSON(c, http.StatusOK, MediaGeoJSON, f)
}

// writeJSON encodes v without HTML escaping, so Chinese and "<" stay readable.
func writeJSON(c echo.Context, status int, mediaType string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return c.Blob(status, mediaType, buf.Bytes())
}

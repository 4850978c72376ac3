package ogcapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/planmap/planmap/internal/domain"
)

// Writer serves OGC API Features Part 4: create, replace, update and
// delete items, plus each item's history and an admin's rollback.
type Writer struct {
	h       *Handler
	edits   domain.EditService
	who     func(echo.Context) (*domain.Principal, error)
	maxBody int64
}

// NewWriter returns a Writer; who tells the principal of a request.
func NewWriter(h *Handler, edits domain.EditService, who func(echo.Context) (*domain.Principal, error), maxBody int64) *Writer {
	return &Writer{h: h, edits: edits, who: who, maxBody: maxBody}
}

// ReasonHeader carries why a change is made; it goes into the history.
const ReasonHeader = "Planmap-Reason"

// Register adds the write routes; editor and admin are middlewares that
// require those roles.
func (w *Writer) Register(e *echo.Echo, editor, admin echo.MiddlewareFunc) {
	e.POST("/collections/:collectionId/items", w.create, editor)
	e.PUT("/collections/:collectionId/items/:featureId", w.replace, editor)
	e.PATCH("/collections/:collectionId/items/:featureId", w.patch, editor)
	e.DELETE("/collections/:collectionId/items/:featureId", w.remove, editor)
	e.GET("/collections/:collectionId/items/:featureId/history", w.history)
	e.POST("/collections/:collectionId/items/:featureId/rollback", w.rollback, admin)
}

// itemETag is a feature's strong ETag: its version, then a digest of the
// representation, so If-Match can read the version back.
func itemETag(version int, repr string) string {
	return `"v` + strconv.Itoa(version) + "-" + shortHash(repr) + `"`
}

var etagVersion = regexp.MustCompile(`^"v(\d{1,9})-[0-9a-f]{8,}"$`)

// ifMatch reads the version from If-Match; writes to an existing feature
// must send it, so that no one overwrites a change they have not seen.
func ifMatch(c echo.Context) (int, error) {
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if h == "" {
		return 0, &domain.Error{Code: domain.EPRECONDITIONREQ, Message: "send If-Match with the ETag from your last GET of this feature"}
	}
	m := etagVersion.FindStringSubmatch(h)
	if m == nil {
		return 0, domain.Errorf(domain.EPRECONDITION, "If-Match %q is not an ETag of this server", truncate(h, 64))
	}
	return strconv.Atoi(m[1])
}

// readBody reads a JSON request body up to the limit.
func (w *Writer) readBody(c echo.Context, types ...string) ([]byte, error) {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	mt := strings.TrimSpace(strings.SplitN(ct, ";", 2)[0])
	ok := false
	for _, t := range types {
		ok = ok || mt == t
	}
	if !ok {
		return nil, domain.Errorf(domain.EUNSUPPORTED, "send %s, not %q", strings.Join(types, " or "), truncate(mt, 64))
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, w.maxBody+1))
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "could not read the body")
	}
	if int64(len(body)) > w.maxBody {
		return nil, domain.Errorf(domain.ETOOLARGE, "the body is larger than %d bytes; upload large files through /uploads", w.maxBody)
	}
	return body, nil
}

// contentCRS reads the CRS of the body's coordinates from Content-Crs.
func contentCRS(c echo.Context) (CRS, error) {
	h := strings.TrimSpace(c.Request().Header.Get("Content-Crs"))
	if h == "" {
		return CRS{URI: CRS84}, nil
	}
	return ParseCRS("Content-Crs", strings.TrimSuffix(strings.TrimPrefix(h, "<"), ">"))
}

// inputFeature is a GeoJSON feature as a client sends it.
type inputFeature struct {
	Type       string          `json:"type"`
	ID         any             `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
}

func (f *inputFeature) id() string {
	switch v := f.ID.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// decodeGeometry reads a GeoJSON geometry in crs into CRS84.
func decodeGeometry(raw json.RawMessage, crs CRS) (orb.Geometry, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "geometry: %s", truncate(err.Error(), 120))
	}
	out := g.Geometry()
	if out == nil {
		return nil, domain.Errorf(domain.EINVALID, "geometry: unsupported type %q", g.Type)
	}
	return crs.ToCRS84(out)
}

func (w *Writer) decodeFeature(raw []byte, crs CRS) (*inputFeature, orb.Geometry, error) {
	var f inputFeature
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&f); err != nil {
		return nil, nil, domain.Errorf(domain.EINVALID, "the body is not a GeoJSON Feature: %s", truncate(err.Error(), 120))
	}
	if f.Type != "Feature" {
		return nil, nil, domain.Errorf(domain.EINVALID, "the body's type is %q; send a GeoJSON Feature", truncate(f.Type, 32))
	}
	g, err := decodeGeometry(f.Geometry, crs)
	if err != nil {
		return nil, nil, err
	}
	return &f, g, nil
}

func reason(c echo.Context) string {
	r := c.Request().Header.Get(ReasonHeader)
	if dec, err := url.QueryUnescape(r); err == nil {
		r = dec
	}
	return strings.TrimSpace(r)
}

func (w *Writer) apply(c echo.Context, changes []domain.Change) ([]domain.ChangeResult, error) {
	who, err := w.who(c)
	if err != nil {
		return nil, err
	}
	return w.edits.Apply(c.Request().Context(), who, reason(c), changes)
}

func (w *Writer) collection(c echo.Context) (string, error) {
	id := c.Param("collectionId")
	if id == domain.CollectionProgrammes {
		return "", domain.Errorf(domain.EINVALID, "programmes are computed from projects; edit the projects")
	}
	if id != domain.CollectionProjects && !domain.LayerIDPattern.MatchString(id) {
		return "", domain.Errorf(domain.ENOTFOUND, "no collection has id %q", truncate(id, 64))
	}
	return id, nil
}

func (w *Writer) create(c echo.Context) error {
	coll, err := w.collection(c)
	if err != nil {
		return err
	}
	crs, err := contentCRS(c)
	if err != nil {
		return err
	}
	body, err := w.readBody(c, MediaGeoJSON, MediaJSON)
	if err != nil {
		return err
	}
	var probe struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		return domain.Errorf(domain.EINVALID, "the body is not JSON: %s", truncate(err.Error(), 120))
	}
	raws := [][]byte{body}
	if probe.Type == "FeatureCollection" {
		raws = raws[:0]
		for _, r := range probe.Features {
			raws = append(raws, r)
		}
		if len(raws) == 0 {
			return domain.Errorf(domain.EINVALID, "the FeatureCollection has no features")
		}
	}
	changes := make([]domain.Change, 0, len(raws))
	for i, raw := range raws {
		f, g, err := w.decodeFeature(raw, crs)
		if err != nil {
			if len(raws) > 1 {
				return domain.Errorf(domain.EINVALID, "feature %d: %s", i+1, domain.ErrorMessage(err))
			}
			return err
		}
		changes = append(changes, domain.Change{Collection: coll, FeatureID: f.id(), Op: domain.OpCreate, Properties: f.Properties, Geometry: g})
	}
	res, err := w.apply(c, changes)
	if err != nil {
		return err
	}
	base := BaseURL(c.Request())
	loc := base + "/collections/" + coll + "/items/" + url.PathEscape(res[0].FeatureID)
	if len(res) == 1 {
		c.Response().Header().Set("Location", loc)
		c.Response().Header().Set("ETag", itemETag(res[0].Version, coll+"/"+res[0].FeatureID))
	}
	return writeJSON(c, http.StatusCreated, MediaJSON, map[string]any{"created": res})
}

func (w *Writer) replace(c echo.Context) error {
	coll, version, crs, body, err := w.existing(c, MediaGeoJSON, MediaJSON)
	if err != nil {
		return err
	}
	f, g, err := w.decodeFeature(body, crs)
	if err != nil {
		return err
	}
	id := c.Param("featureId")
	if fid := f.id(); fid != "" && fid != id {
		return domain.Errorf(domain.EINVALID, "the body's id %q differs from the URL's %q", truncate(fid, 64), truncate(id, 64))
	}
	res, err := w.apply(c, []domain.Change{{Collection: coll, FeatureID: id, Op: domain.OpReplace, Properties: f.Properties, Geometry: g, IfMatch: version}})
	if err != nil {
		return err
	}
	return w.written(c, res[0])
}

// existing reads what every write to an existing feature needs: the
// collection, the If-Match version, the body's CRS and the body.
func (w *Writer) existing(c echo.Context, types ...string) (coll string, version int, crs CRS, body []byte, err error) {
	if coll, err = w.collection(c); err != nil {
		return
	}
	if version, err = ifMatch(c); err != nil {
		return
	}
	if crs, err = contentCRS(c); err != nil {
		return
	}
	body, err = w.readBody(c, types...)
	return
}

func (w *Writer) patch(c echo.Context) error {
	coll, version, crs, body, err := w.existing(c, "application/merge-patch+json", MediaGeoJSON, MediaJSON)
	if err != nil {
		return err
	}
	var in map[string]json.RawMessage
	if err := json.Unmarshal(body, &in); err != nil || in == nil {
		return domain.Errorf(domain.EINVALID, "send a JSON object with \"properties\" and/or \"geometry\"")
	}
	ch := domain.Change{Collection: coll, FeatureID: c.Param("featureId"), Op: domain.OpPatch, Properties: json.RawMessage(`{}`), IfMatch: version}
	for k, v := range in {
		switch k {
		case "properties":
			ch.Properties = v
		case "geometry":
			if ch.Geometry, err = decodeGeometry(v, crs); err != nil {
				return err
			}
			ch.SetGeometry = true
		case "type", "id":
		default:
			return domain.Errorf(domain.EINVALID, "a patch may set \"properties\" and \"geometry\", not %q", truncate(k, 32))
		}
	}
	res, err := w.apply(c, []domain.Change{ch})
	if err != nil {
		return err
	}
	return w.written(c, res[0])
}

func (w *Writer) remove(c echo.Context) error {
	coll, err := w.collection(c)
	if err != nil {
		return err
	}
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	if _, err := w.apply(c, []domain.Change{{Collection: coll, FeatureID: c.Param("featureId"), Op: domain.OpDelete, IfMatch: version}}); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (w *Writer) written(c echo.Context, r domain.ChangeResult) error {
	c.Response().Header().Set("ETag", itemETag(r.Version, r.Collection+"/"+r.FeatureID))
	return writeJSON(c, http.StatusOK, MediaJSON, r)
}

// versionView is one version as the history resource shows it.
type versionView struct {
	domain.FeatureVersion
	Geometry *geojson.Geometry `json:"geometry"`
}

func (w *Writer) history(c echo.Context) error {
	if err := noParams(c); err != nil {
		return err
	}
	coll, id := c.Param("collectionId"), c.Param("featureId")
	hist, err := w.edits.History(c.Request().Context(), coll, id)
	if err != nil {
		return err
	}
	out := make([]versionView, len(hist))
	for i, v := range hist {
		out[i] = versionView{FeatureVersion: v}
		if v.Geometry != nil {
			out[i].Geometry = geojson.NewGeometry(v.Geometry)
		}
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return writeJSON(c, http.StatusOK, MediaJSON, map[string]any{"collection": coll, "id": id, "versions": out})
}

func (w *Writer) rollback(c echo.Context) error {
	body, err := w.readBody(c, MediaJSON)
	if err != nil {
		return err
	}
	var in struct {
		Version int    `json:"version"`
		Reason  string `json:"reason"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil || in.Version < 1 {
		return domain.Errorf(domain.EINVALID, "send {\"version\": N, \"reason\": \"...\"} with N a version from the history")
	}
	who, err := w.who(c)
	if err != nil {
		return err
	}
	r, err := w.edits.Rollback(c.Request().Context(), who, c.Param("collectionId"), c.Param("featureId"), in.Version, in.Reason)
	if err != nil {
		return err
	}
	return w.written(c, *r)
}

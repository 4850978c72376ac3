package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/geojson"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/ogcapi"
)

// registerUploads adds the upload workflow: receive a file, follow its
// processing, preview the draft, commit or discard it.
func registerUploads(e *echo.Echo, svc domain.UploadService, auth domain.AuthService, writes *ipLimiter) {
	if svc == nil || auth == nil {
		return
	}
	editor := requireRole(auth, domain.RoleEditor, writes)
	who := func(c echo.Context) *domain.Principal { p, _ := principal(c, auth); return p }
	uploadID := func(c echo.Context) (int64, error) {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil || id < 1 {
			return 0, domain.Errorf(domain.ENOTFOUND, "no upload %q", c.Param("id"))
		}
		return id, nil
	}

	e.POST("/uploads", func(c echo.Context) error {
		req := c.Request()
		q, err := url.ParseQuery(req.URL.RawQuery)
		if err != nil {
			return domain.Errorf(domain.EINVALID, "malformed query string")
		}
		opt, filename := domain.UploadOptions{CRS: q.Get("crs"), Encoding: q.Get("encoding")}, q.Get("filename")
		if v := q.Get("correct"); v != "" {
			if opt.Correct, err = strconv.ParseBool(v); err != nil {
				return domain.Errorf(domain.EINVALID, "parameter \"correct\": use true or false")
			}
		}
		var body io.Reader = req.Body
		mt, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
		if mt == "multipart/form-data" {
			mr, err := req.MultipartReader()
			if err != nil {
				return domain.Errorf(domain.EINVALID, "the multipart body cannot be read")
			}
			// Fields before the file set options; the file streams through.
			for body == req.Body {
				part, err := mr.NextPart()
				if errors.Is(err, io.EOF) {
					return domain.Errorf(domain.EINVALID, "the form has no \"file\" part")
				}
				if err != nil {
					return domain.Errorf(domain.EINVALID, "the multipart body cannot be read")
				}
				switch part.FormName() {
				case "file":
					body = part
					if filename == "" {
						filename = part.FileName()
					}
				case "crs", "encoding", "correct":
					v, _ := io.ReadAll(io.LimitReader(part, 256))
					switch part.FormName() {
					case "crs":
						opt.CRS = strings.TrimSpace(string(v))
					case "encoding":
						opt.Encoding = strings.TrimSpace(string(v))
					case "correct":
						opt.Correct = strings.TrimSpace(string(v)) == "true"
					}
				}
			}
		}
		u, err := svc.Receive(req.Context(), who(c), filename, body, opt)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Location", ogcapi.BaseURL(req)+"/uploads/"+strconv.FormatInt(u.ID, 10))
		return c.JSON(http.StatusAccepted, u)
	}, editor)

	e.GET("/uploads", func(c echo.Context) error {
		limit, _ := strconv.Atoi(c.QueryParam("limit"))
		ups, err := svc.Uploads(c.Request().Context(), limit)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{"uploads": ups})
	}, editor)

	e.GET("/uploads/:id", func(c echo.Context) error {
		id, err := uploadID(c)
		if err != nil {
			return err
		}
		u, err := svc.Upload(c.Request().Context(), id)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, u)
	}, editor)

	// The draft's features as GeoJSON, each with what validation found in
	// a "draft" member beside its own properties.
	e.GET("/uploads/:id/features", func(c echo.Context) error {
		id, err := uploadID(c)
		if err != nil {
			return err
		}
		limit, offset := 1000, 0
		if v := c.QueryParam("limit"); v != "" {
			if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 10000 {
				return domain.Errorf(domain.EINVALID, "parameter \"limit\": a whole number from 1 to 10000")
			}
		}
		if v := c.QueryParam("offset"); v != "" {
			if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
				return domain.Errorf(domain.EINVALID, "parameter \"offset\": a whole number from 0")
			}
		}
		type draftFeature struct {
			Type       string               `json:"type"`
			ID         int                  `json:"id"`
			Geometry   *geojson.Geometry    `json:"geometry"`
			Properties json.RawMessage      `json:"properties"`
			Draft      *domain.DraftFeature `json:"draft"`
		}
		features := []draftFeature{}
		total, err := svc.EachDraftFeature(c.Request().Context(), id, offset, limit, func(f *domain.DraftFeature) error {
			df := draftFeature{Type: "Feature", ID: f.Index, Properties: f.Properties, Draft: f}
			if f.Geometry != nil {
				df.Geometry = geojson.NewGeometry(f.Geometry)
			}
			features = append(features, df)
			return nil
		})
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, map[string]any{"type": "FeatureCollection", "features": features,
			"numberMatched": total, "numberReturned": len(features)})
	}, editor)

	e.POST("/uploads/:id/commit", func(c echo.Context) error {
		id, err := uploadID(c)
		if err != nil {
			return err
		}
		var req domain.CommitRequest
		if err := decodeJSON(c, 1<<20, &req); err != nil {
			return err
		}
		res, err := svc.Commit(c.Request().Context(), who(c), id, req)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, res)
	}, editor)

	e.DELETE("/uploads/:id", func(c echo.Context) error {
		id, err := uploadID(c)
		if err != nil {
			return err
		}
		if err := svc.Discard(c.Request().Context(), who(c), id); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}, editor)
}

package ogcapi

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"
)

// pageTemplates are the HTML views; html/template escapes every value, so
// uploaded attribute text is shown, never run.
var pageTemplates = template.Must(template.New("items").Funcs(template.FuncMap{
	"props": featureProps,
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · planmap</title><link rel="stylesheet" href="{{.Base}}/ogc.css"></head>
<body><header><a href="{{.Base}}/">planmap</a> › <a href="{{.Base}}/collections">collections</a> › <a href="{{.Base}}/collections/{{.Collection}}?f=json">{{.Collection}}</a></header>
<main><h1>{{.Title}}</h1>
{{if .Meta}}<p>{{.Meta.Returned}} of {{.Meta.Matched}} features.</p>{{end}}
{{range .Features}}<section class="feature"><h2><a href="{{$.Base}}/collections/{{$.Collection}}/items/{{.ID}}?f=html">{{.ID}}</a></h2>
<table>{{range $k, $v := props .Properties}}<tr><th>{{$k}}</th><td>{{$v}}</td></tr>{{end}}
<tr><th>geometry</th><td>{{if .Geometry}}{{.Geometry.Type}}{{else}}none{{end}}</td></tr></table></section>{{end}}
<nav>{{range .Links}}<a rel="{{.Rel}}" href="{{.Href}}">{{.Title}}</a> {{end}}</nav>
</main></body></html>`))

// collectionsTemplate lists collections as HTML.
var collectionsTemplate = template.Must(template.New("collections").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · planmap</title><link rel="stylesheet" href="{{.Base}}/ogc.css"></head>
<body><header><a href="{{.Base}}/">planmap</a> › <a href="{{.Base}}/collections?f=html">collections</a></header>
<main><h1>{{.Title}}</h1>
{{range .Collections}}<section class="feature"><h2><a href="{{$.Base}}/collections/{{.ID}}?f=html">{{.Title}}</a> <small>{{.TitleZH}}</small></h2>
<p>{{.Description}}</p>
<table><tr><th>id</th><td>{{.ID}}</td></tr><tr><th>kind</th><td>{{.Kind}}</td></tr><tr><th>features</th><td>{{.Features}}</td></tr>
{{if .Extent}}<tr><th>extent</th><td>{{range .Extent.Spatial.BBox}}{{.}}{{end}}</td></tr>{{end}}
{{if .Attribution}}<tr><th>attribution</th><td>{{.Attribution}}</td></tr>{{end}}{{if .License}}<tr><th>licence</th><td>{{.License}}</td></tr>{{end}}
<tr><th>links</th><td><a href="{{$.Base}}/collections/{{.ID}}/items?f=html">items</a> · <a href="{{$.Base}}/collections/{{.ID}}/items?f=json">GeoJSON</a> · <a href="{{$.Base}}/collections/{{.ID}}/queryables">queryables</a></td></tr></table></section>{{end}}
</main></body></html>`))

func (h *Handler) renderCollections(c echo.Context, title string, colls []*Collection) error {
	var buf bytes.Buffer
	err := collectionsTemplate.Execute(&buf, struct {
		Title, Base string
		Collections []*Collection
	}{title, BaseURL(c.Request()), colls})
	if err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// OGCStylesheet is the stylesheet of the HTML views.
const OGCStylesheet = `body{font-family:"Noto Sans CJK SC","Noto Sans SC",system-ui,sans-serif;margin:0;color:#1d2733}
header{background:#1f4e79;color:#fff;padding:.6em 1em}header a{color:#fff}
main{max-width:60em;margin:0 auto;padding:1em}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #dde3ea;text-align:left;padding:.25em .5em;vertical-align:top}th{width:12em;color:#46525f}
.feature{margin-bottom:1.5em}nav a{margin-right:1em}`

// featureProps flattens properties into name -> text for the table.
func featureProps(props any) map[string]string {
	b, err := json.Marshal(props)
	if err != nil {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		switch v := v.(type) {
		case string:
			out[k] = v
		case nil:
			out[k] = ""
		default:
			vb, _ := json.Marshal(v)
			out[k] = string(vb)
		}
	}
	return out
}

type htmlPage struct {
	Title, Base, Collection string
	Features                []*Feature
	Meta                    *pageMeta
	Links                   []Link
}

func (h *Handler) render(c echo.Context, page htmlPage) error {
	var buf bytes.Buffer
	if err := pageTemplates.Execute(&buf, page); err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

func (h *Handler) renderItems(c echo.Context, collection string, features []*Feature, meta pageMeta) error {
	return h.render(c, htmlPage{Title: "Features of " + collection, Base: BaseURL(c.Request()), Collection: collection,
		Features: features, Meta: &meta, Links: meta.Links})
}

func (h *Handler) renderItem(c echo.Context, collection string, f *Feature) error {
	return h.render(c, htmlPage{Title: f.ID, Base: BaseURL(c.Request()), Collection: collection,
		Features: []*Feature{f}, Links: f.Links})
}

func (h *Handler) stylesheet(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	return c.Blob(http.StatusOK, "text/css; charset=utf-8", []byte(OGCStylesheet))
}

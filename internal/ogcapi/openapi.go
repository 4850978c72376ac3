package ogcapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/planmap/planmap/internal/domain"
)

// obj is a JSON object in the OpenAPI document.
type obj = map[string]any

func param(name, in, description string, schema obj, required bool) obj {
	return obj{"name": name, "in": in, "description": description, "required": required, "schema": schema, "style": "form", "explode": false}
}

func (h *Handler) commonItemParams() []any {
	return []any{
		param(ParamBBox, "query", "Only features whose geometry meets this box: minLon,minLat,maxLon,maxLat (WGS84).", obj{"type": "array", "minItems": 4, "maxItems": 6, "items": obj{"type": "number"}}, false),
		param(ParamLimit, "query", "Largest number of features in the answer.", obj{"type": "integer", "minimum": 1, "maximum": h.limits.MaxLimit, "default": h.limits.DefaultLimit}, false),
		param(ParamOffset, "query", "Number of matching features to skip.", obj{"type": "integer", "minimum": 0, "default": 0}, false),
		param(ParamFormat, "query", "Encoding of the answer: GeoJSON, GeoJSON text sequence, CSV with WKT, KML or HTML.", obj{"type": "string", "enum": []string{"json", "geojson", "jsonseq", "csv", "kml", "html"}}, false),
		param(ParamCRS, "query", "CRS of the answer's geometries.", obj{"type": "string", "format": "uri", "enum": SupportedCRS(), "default": CRS84}, false),
		param(ParamBBoxCRS, "query", "CRS of the bbox numbers (EPSG:4326 and EPSG:4490 give latitude first).", obj{"type": "string", "format": "uri", "enum": SupportedCRS(), "default": CRS84}, false),
		param(ParamDatetime, "query", "A date, date-time or interval (start/end, '..' for open); projects match when a status-history date falls in it.", obj{"type": "string"}, false),
		param(ParamFilter, "query", "A CQL2 filter on the collection's queryables (see its /queryables).", obj{"type": "string"}, false),
		param(ParamFilterLang, "query", "The filter's encoding.", obj{"type": "string", "enum": []string{"cql2-text", "cql2-json"}, "default": "cql2-text"}, false),
		param(ParamFilterCRS, "query", "CRS of the filter's geometry literals.", obj{"type": "string", "enum": []string{CRS84}, "default": CRS84}, false),
	}
}

func (h *Handler) projectParams() []any {
	statuses := make([]string, len(domain.Statuses))
	for i, s := range domain.Statuses {
		statuses[i] = string(s)
	}
	return append(h.commonItemParams(),
		param(ParamSection, "query", "Plan section numbers, comma-separated.", obj{"type": "array", "items": obj{"type": "integer", "minimum": 1, "maximum": domain.SectionCount}}, false),
		param(ParamStatus, "query", "Statuses, comma-separated.", obj{"type": "array", "items": obj{"type": "string", "enum": statuses}}, false),
		param(ParamCategory, "query", "Category codes, comma-separated.", obj{"type": "array", "items": obj{"type": "string"}}, false),
		param(ParamCity, "query", "Prefecture-level cities, in English or Chinese, comma-separated.", obj{"type": "array", "items": obj{"type": "string"}}, false),
		param(ParamText, "query", "Text in the Chinese or English name.", obj{"type": "string", "maxLength": h.limits.MaxTextLen}, false),
	)
}

func jsonResponse(description, media, ref string) obj {
	return obj{"description": description, "content": obj{media: obj{"schema": obj{"$ref": ref}}}}
}

// withErrors adds the error answers every operation can give.
func withErrors(ok obj) obj {
	return obj{
		"200": ok,
		"400": jsonResponse("A parameter is unknown, repeated or malformed; the message names it.", MediaJSON, "#/components/schemas/exception"),
		"404": jsonResponse("No such resource.", MediaJSON, "#/components/schemas/exception"),
		"503": jsonResponse("The database is unavailable; retry after the Retry-After header.", MediaJSON, "#/components/schemas/exception"),
	}
}

func (h *Handler) openAPI(c echo.Context) error {
	if err := noParams(c); err != nil {
		return err
	}
	layers, err := h.layers.Layers(c.Request().Context())
	if err != nil {
		return err
	}
	featureID := param("featureId", "path", "The feature's id.", obj{"type": "string"}, true)
	paths := obj{
		"/": obj{"get": obj{"summary": "Landing page", "operationId": "getLandingPage",
			"responses": withErrors(jsonResponse("Links to the API's resources.", MediaJSON, "#/components/schemas/landing"))}},
		"/conformance": obj{"get": obj{"summary": "Conformance classes", "operationId": "getConformance",
			"responses": withErrors(jsonResponse("The conformance classes.", MediaJSON, "#/components/schemas/conformance"))}},
		"/collections": obj{"get": obj{"summary": "Collections", "operationId": "getCollections",
			"responses": withErrors(jsonResponse("The collections.", MediaJSON, "#/components/schemas/collections"))}},
		"/collections/{collectionId}": obj{"get": obj{"summary": "A collection", "operationId": "describeCollection",
			"parameters": []any{param("collectionId", "path", "The collection's id.", obj{"type": "string"}, true)},
			"responses":  withErrors(jsonResponse("The collection.", MediaJSON, "#/components/schemas/collection"))}},
	}
	itemsOf := func(id string, params []any) {
		paths["/collections/"+id+"/items"] = obj{"get": obj{"summary": "Features of " + id, "operationId": "getFeatures_" + id,
			"parameters": params,
			"responses":  withErrors(jsonResponse("A page of features.", MediaGeoJSON, "#/components/schemas/featureCollection"))}}
		paths["/collections/"+id+"/queryables"] = obj{"get": obj{"summary": "Queryables of " + id, "operationId": "getQueryables_" + id,
			"responses": withErrors(obj{"description": "A JSON Schema of the properties a filter may use.", "content": obj{"application/schema+json": obj{"schema": obj{"type": "object"}}}})}}
		paths["/collections/"+id+"/items/{featureId}"] = obj{"get": obj{"summary": "A feature of " + id, "operationId": "getFeature_" + id,
			"parameters": []any{featureID},
			"responses":  withErrors(jsonResponse("The feature.", MediaGeoJSON, "#/components/schemas/feature"))}}
	}
	itemsOf(ProjectsCollection, h.projectParams())
	for path, item := range TileAPIPaths() {
		paths[path] = item
	}
	for _, l := range layers {
		itemsOf(l.ID, h.commonItemParams())
	}
	link := obj{"type": "object", "required": []string{"href", "rel"}, "properties": obj{
		"href": obj{"type": "string"}, "rel": obj{"type": "string"}, "type": obj{"type": "string"}, "title": obj{"type": "string"}}}
	links := obj{"type": "array", "items": obj{"$ref": "#/components/schemas/link"}}
	doc := obj{
		"openapi": "3.0.3",
		"info": obj{"title": "planmap", "version": "1.0",
			"description": "OGC API Features for the sited projects of Liaoning's 2012 revitalization work plan, and basemap layers."},
		"servers": []any{obj{"url": BaseURL(c.Request())}},
		"paths":   paths,
		"components": obj{"schemas": obj{
			"link":              link,
			"exception":         obj{"type": "object", "required": []string{"code", "message"}, "properties": obj{"code": obj{"type": "string"}, "message": obj{"type": "string"}}},
			"landing":           obj{"type": "object", "required": []string{"links"}, "properties": obj{"title": obj{"type": "string"}, "description": obj{"type": "string"}, "links": links}},
			"conformance":       obj{"type": "object", "required": []string{"conformsTo"}, "properties": obj{"conformsTo": obj{"type": "array", "items": obj{"type": "string"}}}},
			"collection":        obj{"type": "object", "required": []string{"id", "links"}, "properties": obj{"id": obj{"type": "string"}, "title": obj{"type": "string"}, "links": links}},
			"collections":       obj{"type": "object", "required": []string{"collections", "links"}, "properties": obj{"collections": obj{"type": "array", "items": obj{"$ref": "#/components/schemas/collection"}}, "links": links}},
			"feature":           obj{"type": "object", "required": []string{"type", "geometry", "properties"}, "properties": obj{"type": obj{"type": "string", "enum": []string{"Feature"}}, "id": obj{"type": "string"}, "geometry": obj{"type": "object", "nullable": true}, "properties": obj{"type": "object", "nullable": true}}},
			"featureCollection": obj{"type": "object", "required": []string{"type", "features"}, "properties": obj{"type": obj{"type": "string", "enum": []string{"FeatureCollection"}}, "features": obj{"type": "array", "items": obj{"$ref": "#/components/schemas/feature"}}, "numberMatched": obj{"type": "integer"}, "numberReturned": obj{"type": "integer"}, "links": links}},
		}},
	}
	return writeJSON(c, http.StatusOK, "application/vnd.oai.openapi+json;version=3.0", doc)
}

// Package ogcapi serves planmap's collections through OGC API - Features:
// parameters, paging, links and the GeoJSON encoding.
package ogcapi

import (
	"net/http"
	"net/url"
	"strings"
)

// Link relations.
const (
	RelSelf        = "self"
	RelAlternate   = "alternate"
	RelNext        = "next"
	RelPrev        = "prev"
	RelCollection  = "collection"
	RelData        = "data"
	RelServiceDesc = "service-desc"
	RelServiceDoc  = "service-doc"
	RelConformance = "conformance"
	RelQueryables  = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
)

// Media types.
const (
	MediaGeoJSON = "application/geo+json"
	MediaJSON    = "application/json"
	MediaHTML    = "text/html"
)

// Link is a web link as OGC API documents carry them.
type Link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// BaseURL returns the scheme, host and path prefix under which the client
// reached planmap, honouring Forwarded and X-Forwarded-* from a proxy.
func BaseURL(r *http.Request) string {
	scheme, host, prefix := "http", r.Host, ""
	if r.TLS != nil {
		scheme = "https"
	}
	if fwd := r.Header.Get("Forwarded"); fwd != "" {
		// Only the first (client-nearest proxy's) element counts.
		first := strings.SplitN(fwd, ",", 2)[0]
		for _, pair := range strings.Split(first, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok {
				continue
			}
			v = strings.Trim(v, `"`)
			switch strings.ToLower(k) {
			case "proto":
				if v == "http" || v == "https" {
					scheme = v
				}
			case "host":
				if validHost(v) {
					host = v
				}
			}
		}
	} else {
		if v := firstValue(r.Header.Get("X-Forwarded-Proto")); v == "http" || v == "https" {
			scheme = v
		}
		if v := firstValue(r.Header.Get("X-Forwarded-Host")); validHost(v) {
			host = v
		}
	}
	if v := firstValue(r.Header.Get("X-Forwarded-Prefix")); v != "" {
		if u, err := url.Parse(v); err == nil && u.Scheme == "" && u.Host == "" && strings.HasPrefix(u.Path, "/") {
			prefix = strings.TrimRight(u.EscapedPath(), "/")
		}
	}
	return scheme + "://" + host + prefix
}

func firstValue(h string) string {
	return strings.TrimSpace(strings.SplitN(h, ",", 2)[0])
}

// validHost accepts a host[:port] without path, user info or spaces.
func validHost(h string) bool {
	if h == "" || strings.ContainsAny(h, "/\\@ ?#\"<>") {
		return false
	}
	u, err := url.Parse("http://" + h)
	return err == nil && u.Host == h
}

// withQuery returns base+path with the query q.
func withQuery(base, path string, q url.Values) string {
	s := base + path
	if enc := q.Encode(); enc != "" {
		s += "?" + enc
	}
	return s
}

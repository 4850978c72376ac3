// Package geodata ships the plan's projects, vocabularies and basemap
// layers in the binary; internal/gazetteer decodes them.
package geodata

import "embed"

// Files holds projects.geojson, vocabularies.json and basemap/.
//
//go:embed projects.geojson vocabularies.json
var Files embed.FS

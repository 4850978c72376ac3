// Package geodata ships the plan's projects, vocabularies and basemap
// layers in the binary; internal/gazetteer decodes them.
package geodata

import "embed"

// Files holds projects.geojson, vocabularies.json, layers.json and the
// basemap layers it names.
//
//go:embed projects.geojson vocabularies.json layers.json basemap/*.geojson
var Files embed.FS

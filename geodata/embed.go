// Package geodata ships the plan's projects, vocabularies and basemap
// layers in the binary; internal/gazetteer decodes them.
package geodata

import "embed"

// Files holds projects.geojson, vocabularies.json, layers.json, the
// basemap layers it names and their licence and notice texts (basemap/*.txt,
// which must travel with the data).
//
//go:embed projects.geojson vocabularies.json layers.json basemap/*.geojson basemap/*.txt
var Files embed.FS

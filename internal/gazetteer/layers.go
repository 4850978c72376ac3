package gazetteer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/paulmach/orb/geojson"

	"github.com/planmap/planmap/internal/domain"
)

// LayersFile lists the basemap layers and their metadata.
const LayersFile = "layers.json"

// Layer is a layer's metadata and features as geodata ships them.
type Layer struct {
	domain.Layer
	Features []*domain.LayerFeature
}

type layerEntry struct {
	ID          string `json:"id"`
	File        string `json:"file"`
	TitleZH     string `json:"title_zh"`
	TitleEN     string `json:"title_en"`
	Description string `json:"description"`
	Attribution string `json:"attribution"`
	License     string `json:"license"`
}

// loadLayers reads layers.json and each layer's GeoJSON file; a folder
// without layers.json has no layers.
func loadLayers(fsys fs.FS) ([]*Layer, error) {
	b, err := fs.ReadFile(fsys, LayersFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var manifest struct {
		Layers []layerEntry `json:"layers"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&manifest); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, LayersFile, err)
	}
	out := make([]*Layer, 0, len(manifest.Layers))
	seen := map[string]bool{}
	for _, e := range manifest.Layers {
		if !domain.LayerIDPattern.MatchString(e.ID) || domain.Reserved(e.ID) || seen[e.ID] {
			return nil, fmt.Errorf("%w: %s: layer id %q is malformed, reserved or repeated", ErrInvalid, LayersFile, e.ID)
		}
		seen[e.ID] = true
		if e.TitleZH == "" || e.TitleEN == "" || e.License == "" {
			return nil, fmt.Errorf("%w: %s: layer %s needs title_zh, title_en and license", ErrInvalid, LayersFile, e.ID)
		}
		raw, err := fs.ReadFile(fsys, e.File)
		if err != nil {
			return nil, fmt.Errorf("%w: layer %s: %v", ErrInvalid, e.ID, err)
		}
		fc, err := geojson.UnmarshalFeatureCollection(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: layer %s: %s: %v", ErrInvalid, e.ID, e.File, err)
		}
		l := &Layer{Layer: domain.Layer{ID: e.ID, Kind: domain.LayerBasemap, TitleZH: e.TitleZH, TitleEN: e.TitleEN,
			Description: e.Description, Attribution: e.Attribution, License: e.License}}
		fids := map[string]bool{}
		for i, f := range fc.Features {
			fid := featureID(f.ID, i)
			if fids[fid] {
				return nil, fmt.Errorf("%w: layer %s: feature id %q repeats", ErrInvalid, e.ID, fid)
			}
			fids[fid] = true
			if f.Geometry == nil {
				return nil, fmt.Errorf("%w: layer %s: feature %s has no geometry", ErrInvalid, e.ID, fid)
			}
			props := f.Properties
			if props == nil {
				props = geojson.Properties{}
			}
			pb, err := json.Marshal(props)
			if err != nil {
				return nil, err
			}
			l.Features = append(l.Features, &domain.LayerFeature{ID: fid, Properties: pb, Geometry: f.Geometry})
		}
		out = append(out, l)
	}
	return out, nil
}

// featureID turns a GeoJSON id (string or number) into text; a feature
// without one is numbered by its place in the file, from 1.
func featureID(id any, i int) string {
	switch v := id.(type) {
	case string:
		if v != "" {
			return v
		}
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.Itoa(i + 1)
}

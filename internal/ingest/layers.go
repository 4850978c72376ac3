package ingest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/planmap/planmap/internal/domain"
)

// addLayer registers a layer with the CRS found in the file (nil if none)
// and the CRS to assume otherwise.
func (r *Reader) addLayer(name string, file *crsDef, fileSource string, assumed *crsDef, encoding, geometry string) (*layerState, error) {
	st, err := r.resolveCRS(name, file, fileSource, assumed)
	if err != nil {
		return nil, err
	}
	ls := &layerState{idx: len(r.res.Layers), crs: st, fields: map[string]int{}, renames: map[string]string{}}
	r.layers[name] = ls
	r.res.Layers = append(r.res.Layers, LayerInfo{Name: name, CRS: st.info, Encoding: encoding, Geometry: geometry})
	return ls, nil
}

func (r *Reader) resolveCRS(member string, file *crsDef, fileSource string, assumed *crsDef) (*crsState, error) {
	if d := r.declared; d != nil {
		if file != nil && d.conv != convNone && file.Kind != kindGeographic && file.Kind != kindUnknown {
			return nil, fail(ErrCRS, domain.EINVALID, "%s: %s applies to longitude/latitude, but the file says %s (%s)", member, d.conv, file.Name, fmt.Sprintf("EPSG:%d", file.EPSG))
		}
		if file != nil && file.EPSG != d.def.EPSG && !(d.conv != convNone && file.Kind == kindGeographic) {
			r.fileIssue("crs-mismatch", SeverityWarning, fmt.Sprintf("%s: declared %s, but the file says EPSG:%d (%s); using the declared CRS", member, d.info.Name, file.EPSG, file.Name))
		}
		r.datumWarning(d.def)
		return d, nil
	}
	if file != nil {
		r.datumWarning(file)
		return &crsState{def: file, info: file.info(fileSource)}, nil
	}
	if assumed == nil {
		return nil, fail(ErrCRS, domain.EINVALID, "%s: the file names no coordinate system; declare it", member)
	}
	st := &crsState{def: assumed, info: assumed.info("assumed")}
	r.fileIssue("crs-assumed", SeverityInfo, fmt.Sprintf("%s: no coordinate system in the file; assumed %s (EPSG:%d). If the coordinates came from Amap/Tencent or Baidu, declare GCJ-02 or BD-09", member, assumed.Name, assumed.EPSG))
	return st, nil
}

func (r *Reader) datumWarning(d *crsDef) {
	if d.shifted() {
		r.fileIssue("datum-shift", SeverityWarning, d.info("").Warning)
	}
}

// setLayerCRS replaces a layer's CRS before its first feature (the GeoJSON
// "crs" member).
func (r *Reader) setLayerCRS(ls *layerState, member string, file *crsDef, fileSource string) error {
	st, err := r.resolveCRS(member, file, fileSource, nil)
	if err != nil {
		return err
	}
	ls.crs = st
	r.res.Layers[ls.idx].CRS = st.info
	// the "assumed" note no longer applies
	out := r.res.Issues[:0]
	for _, is := range r.res.Issues {
		if is.Code != "crs-assumed" {
			out = append(out, is)
		}
	}
	r.res.Issues = out
	return nil
}

// fileIssue records a file-level issue.
func (r *Reader) fileIssue(code, severity, msg string) {
	r.addIssue(Issue{Feature: -1, Code: code, Severity: severity, Message: msg})
}

func (r *Reader) addIssue(is Issue) {
	if is.Severity == SeverityError {
		r.res.Errors++
	}
	r.counts[is.Code]++
	if r.counts[is.Code] <= maxIssuesPerCode {
		r.res.Issues = append(r.res.Issues, is)
	}
}

// registerField adds a layer field known before any feature (DBF, GPKG).
func (r *Reader) registerField(ls *layerState, name, typ string) error {
	out, err := r.fieldName(ls, name)
	if err != nil {
		return err
	}
	r.mergeField(ls, out, typ)
	return nil
}

// fieldName maps a source property name to its output name, renaming
// reserved, empty and invalid names once per layer.
func (r *Reader) fieldName(ls *layerState, name string) (string, error) {
	if out, ok := ls.renames[name]; ok {
		return out, nil
	}
	out := name
	why := ""
	switch {
	case strings.TrimSpace(name) == "":
		out, why = "field", "is empty"
	case !utf8.ValidString(name) || strings.IndexByte(name, 0) >= 0:
		out, why = strings.ToValidUTF8(strings.ReplaceAll(name, "\x00", ""), "_"), "is not valid UTF-8 or contains NUL"
		if out == "" {
			out = "field"
		}
	case reserved(name):
		out, why = name+"_", "is reserved"
		if strings.HasPrefix(strings.ToLower(name), "_planmap") {
			out = strings.TrimLeft(name, "_")
		}
	}
	if why != "" {
		base := out
		for i := 2; r.nameTaken(ls, out); i++ {
			out = fmt.Sprintf("%s%d", base, i)
		}
		r.fileIssue("renamed-field", SeverityWarning, fmt.Sprintf("property name %q %s; renamed to %q", name, why, out))
	}
	ls.renames[name] = out
	if len(ls.renames) > r.opt.MaxFields {
		return "", tooLargef("more than %d distinct property names", r.opt.MaxFields)
	}
	return out, nil
}

func (r *Reader) nameTaken(ls *layerState, name string) bool {
	if _, ok := ls.fields[name]; ok {
		return true
	}
	_, ok := ls.renames[name]
	return ok || reserved(name)
}

func (r *Reader) mergeField(ls *layerState, name, typ string) {
	fields := &r.res.Layers[ls.idx].Fields
	i, ok := ls.fields[name]
	if !ok {
		ls.fields[name] = len(*fields)
		*fields = append(*fields, Field{Name: name, Type: typ})
		return
	}
	f := &(*fields)[i]
	switch {
	case typ == "" || f.Type == typ:
	case f.Type == "":
		f.Type = typ
	case f.Type == "integer" && typ == "number", f.Type == "number" && typ == "integer":
		f.Type = "number"
	case f.Type == "date" && typ == "datetime", f.Type == "datetime" && typ == "date":
		f.Type = "datetime"
	default:
		f.Type = "string"
	}
}

func valueType(v any) string {
	switch v := v.(type) {
	case string:
		return "string"
	case int64:
		return "integer"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case time.Time:
		if v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 && v.Nanosecond() == 0 {
			return "date"
		}
		return "datetime"
	case json.RawMessage:
		return "json"
	}
	return ""
}

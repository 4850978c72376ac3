package cql2

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParseJSON parses a cql2-json filter.
func ParseJSON(b []byte, lim Limits) (Expr, error) {
	lim = lim.withDefaults()
	if len(b) > lim.MaxLength {
		return nil, newError(ErrLimit, loc{}, "longer than %d bytes", lim.MaxLength)
	}
	if !utf8.Valid(b) {
		return nil, newError(ErrSyntax, loc{}, "not valid UTF-8")
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, newError(ErrSyntax, loc{}, "empty filter")
	}
	// Refuse deep nesting before decoding: a CQL2 level is at most a few
	// JSON levels (object, args array), coordinates add four.
	if d := jsonDepth(b); d > 3*lim.MaxDepth+8 {
		return nil, newError(ErrLimit, loc{}, "nesting deeper than %d", lim.MaxDepth)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, newError(ErrSyntax, loc{}, "invalid JSON: data after the filter object at byte %d", dec.InputOffset())
	}
	p := &jsonParser{limiter: limiter{lim: lim}}
	e, err := p.node(v, "")
	if err != nil {
		return nil, err
	}
	if err := checkPredicate(e); err != nil {
		return nil, err
	}
	return e, nil
}

// jsonDepth returns the maximum nesting of arrays and objects in b.
func jsonDepth(b []byte) int {
	depth, max, inString, escaped := 0, 0, false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > max {
				max = depth
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return max
}

func jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return newError(ErrSyntax, loc{}, "invalid JSON at byte %d: %s", se.Offset, se.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return newError(ErrSyntax, loc{}, "invalid JSON: unexpected end of input")
	}
	return newError(ErrSyntax, loc{}, "invalid JSON")
}

type jsonParser struct {
	limiter
	coords int
}

func at(path string) loc {
	if path == "" {
		return loc{path: "/"}
	}
	return loc{path: path}
}

func child(path string, key any) string {
	switch k := key.(type) {
	case int:
		return path + "/" + strconv.Itoa(k)
	case string:
		k = strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
		return path + "/" + k
	}
	return path
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "value"
}

// node converts one JSON value into an expression node.
func (p *jsonParser) node(v any, path string) (Expr, error) {
	l := at(path)
	if err := p.count(l); err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case nil:
		return nil, newError(ErrSyntax, l, "null is not a CQL2 value%s; test for null with {\"op\":\"isNull\",...}", l.at())
	case bool:
		return &boolNode{loc: l, v: x}, nil
	case json.Number:
		return parseNumber(string(x), l)
	case string:
		if err := checkString(x, l); err != nil {
			return nil, err
		}
		return &strNode{loc: l, v: x}, nil
	case []any:
		return nil, newError(ErrSyntax, l, "unexpected array%s; arrays appear only as the list of \"in\" and in geometries", l.at())
	case map[string]any:
		if err := p.enter(l); err != nil {
			return nil, err
		}
		defer p.leave()
		return p.object(x, path)
	}
	return nil, newError(ErrSyntax, l, "unexpected JSON value%s", l.at())
}

func keysOf(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// onlyKeys refuses members other than allowed, so typos do not pass silently.
func onlyKeys(m map[string]any, path string, allowed ...string) error {
	for _, k := range keysOf(m) {
		ok := false
		for _, a := range allowed {
			if k == a {
				ok = true
				break
			}
		}
		if !ok {
			l := at(child(path, k))
			return newError(ErrSyntax, l, "unexpected member %q%s", truncate(k, 40), l.at())
		}
	}
	return nil
}

func (p *jsonParser) object(m map[string]any, path string) (Expr, error) {
	l := at(path)
	switch {
	case has(m, "op"):
		return p.op(m, path)
	case has(m, "property"):
		if err := onlyKeys(m, path, "property"); err != nil {
			return nil, err
		}
		name, ok := m["property"].(string)
		if !ok || name == "" {
			pl := at(child(path, "property"))
			return nil, newError(ErrSyntax, pl, "property name must be a non-empty string%s", pl.at())
		}
		return &propNode{loc: l, name: name}, nil
	case has(m, "type"):
		if err := onlyKeys(m, path, "type", "coordinates", "geometries", "bbox"); err != nil {
			return nil, err
		}
		g, err := p.geojson(m, path, true)
		if err != nil {
			return nil, err
		}
		return &geomNode{loc: l, g: g}, nil
	case has(m, "bbox"):
		if err := onlyKeys(m, path, "bbox"); err != nil {
			return nil, err
		}
		bl := at(child(path, "bbox"))
		arr, ok := m["bbox"].([]any)
		if !ok {
			return nil, newError(ErrSyntax, bl, "bbox must be an array of 4 or 6 numbers%s", bl.at())
		}
		v := make([]float64, 0, len(arr))
		for i, a := range arr {
			f, err := p.float(a, child(child(path, "bbox"), i))
			if err != nil {
				return nil, err
			}
			v = append(v, f)
		}
		return checkBBox(v, bl)
	case has(m, "date"), has(m, "timestamp"):
		key := "date"
		if has(m, "timestamp") {
			key = "timestamp"
		}
		if err := onlyKeys(m, path, key); err != nil {
			return nil, err
		}
		s, ok := m[key].(string)
		if !ok {
			kl := at(child(path, key))
			return nil, newError(ErrSyntax, kl, "%s must be a string%s", key, kl.at())
		}
		if key == "date" {
			return parseDate(s, l)
		}
		return parseTimestamp(s, l)
	case has(m, "interval"):
		if err := onlyKeys(m, path, "interval"); err != nil {
			return nil, err
		}
		il := at(child(path, "interval"))
		arr, ok := m["interval"].([]any)
		if !ok || len(arr) != 2 {
			return nil, newError(ErrSyntax, il, "interval must be an array of 2 bounds%s", il.at())
		}
		var ends [2]Expr
		for i, a := range arr {
			e, err := p.intervalEnd(a, child(child(path, "interval"), i))
			if err != nil {
				return nil, err
			}
			ends[i] = e
		}
		return newInterval(ends[0], ends[1], l)
	case has(m, "casei"):
		if err := onlyKeys(m, path, "casei"); err != nil {
			return nil, err
		}
		x, err := p.node(m["casei"], child(path, "casei"))
		if err != nil {
			return nil, err
		}
		if err := checkScalar(x); err != nil {
			return nil, err
		}
		return &caseiNode{loc: l, x: x}, nil
	case has(m, "accenti"):
		return nil, errAccenti(l)
	case has(m, "function"):
		return nil, newError(ErrUnsupported, l, "functions are not supported%s", l.at())
	}
	return nil, newError(ErrSyntax, l, "unrecognised object%s with members %s; expected an operation {\"op\":...,\"args\":[...]}, a {\"property\":...}, a literal or a geometry", l.at(), truncate(strings.Join(keysOf(m), ", "), 80))
}

func has(m map[string]any, k string) bool { _, ok := m[k]; return ok }

func (p *jsonParser) float(v any, path string) (float64, error) {
	l := at(path)
	n, ok := v.(json.Number)
	if !ok {
		return 0, newError(ErrSyntax, l, "expected a number%s, found %s", l.at(), kindOf(v))
	}
	num, err := parseNumber(string(n), l)
	if err != nil {
		return 0, err
	}
	if num.isInt {
		return float64(num.i), nil
	}
	return num.f, nil
}

func (p *jsonParser) intervalEnd(v any, path string) (Expr, error) {
	l := at(path)
	switch x := v.(type) {
	case string:
		if err := p.count(l); err != nil {
			return nil, err
		}
		return intervalString(x, l)
	case map[string]any:
		return p.node(x, path)
	}
	return nil, newError(ErrSyntax, l, "INTERVAL bounds must be dates, timestamps, '..' or properties, found %s%s", kindOf(v), l.at())
}

// op handles {"op": name, "args": [...]}.
func (p *jsonParser) op(m map[string]any, path string) (Expr, error) {
	l := at(path)
	if err := onlyKeys(m, path, "op", "args"); err != nil {
		return nil, err
	}
	name, ok := m["op"].(string)
	if !ok {
		ol := at(child(path, "op"))
		return nil, newError(ErrSyntax, ol, "op must be a string%s", ol.at())
	}
	argsPath := child(path, "args")
	rawArgs, ok := m["args"].([]any)
	if !ok {
		if _, present := m["args"]; present && strings.EqualFold(name, "isNull") {
			rawArgs = []any{m["args"]} // older drafts: "args" is the operand itself
		} else {
			al := at(argsPath)
			return nil, newError(ErrSyntax, al, "args must be an array%s", al.at())
		}
	}
	lower := strings.ToLower(name)
	up := strings.ToUpper(name)
	want := func(n int) error {
		if len(rawArgs) != n {
			return newError(ErrSyntax, l, "%q takes %d argument(s), found %d%s", truncate(name, 20), n, len(rawArgs), l.at())
		}
		return nil
	}
	// arg converts argument i; IN's list is handled separately.
	arg := func(i int) (Expr, error) { return p.node(rawArgs[i], child(argsPath, i)) }
	scalars := func() ([]Expr, error) {
		out := make([]Expr, len(rawArgs))
		for i := range rawArgs {
			e, err := arg(i)
			if err != nil {
				return nil, err
			}
			if err := checkScalar(e); err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	}
	switch lower {
	case "and", "or":
		if len(rawArgs) < 2 {
			return nil, newError(ErrSyntax, l, "%q takes at least 2 arguments, found %d%s", lower, len(rawArgs), l.at())
		}
		n := &logicNode{loc: l, op: up}
		for i := range rawArgs {
			e, err := arg(i)
			if err != nil {
				return nil, err
			}
			if err := checkPredicate(e); err != nil {
				return nil, err
			}
			n.args = append(n.args, e)
		}
		return n, nil
	case "not":
		if err := want(1); err != nil {
			return nil, err
		}
		e, err := arg(0)
		if err != nil {
			return nil, err
		}
		if err := checkPredicate(e); err != nil {
			return nil, err
		}
		return &notNode{loc: l, x: e}, nil
	case "=", "<>", "<", "<=", ">", ">=":
		if err := want(2); err != nil {
			return nil, err
		}
		a, err := scalars()
		if err != nil {
			return nil, err
		}
		return &cmpNode{loc: l, op: lower, l: a[0], r: a[1]}, nil
	case "like":
		if err := want(2); err != nil {
			return nil, err
		}
		a, err := scalars()
		if err != nil {
			return nil, err
		}
		if err := checkLikePattern(a[1]); err != nil {
			return nil, err
		}
		return &likeNode{loc: l, x: a[0], pat: a[1]}, nil
	case "between":
		if err := want(3); err != nil {
			return nil, err
		}
		a, err := scalars()
		if err != nil {
			return nil, err
		}
		return &betweenNode{loc: l, x: a[0], lo: a[1], hi: a[2]}, nil
	case "in":
		if err := want(2); err != nil {
			return nil, err
		}
		x, err := arg(0)
		if err != nil {
			return nil, err
		}
		if err := checkScalar(x); err != nil {
			return nil, err
		}
		listPath := child(argsPath, 1)
		list, ok := rawArgs[1].([]any)
		if !ok {
			ll := at(listPath)
			return nil, newError(ErrSyntax, ll, "the second argument of \"in\" must be an array%s", ll.at())
		}
		if len(list) == 0 {
			ll := at(listPath)
			return nil, newError(ErrSyntax, ll, "IN list is empty%s", ll.at())
		}
		n := &inNode{loc: l, x: x}
		for i, item := range list {
			e, err := p.node(item, child(listPath, i))
			if err != nil {
				return nil, err
			}
			if err := checkScalar(e); err != nil {
				return nil, err
			}
			n.list = append(n.list, e)
		}
		return n, nil
	case "isnull":
		if err := want(1); err != nil {
			return nil, err
		}
		a, err := scalars()
		if err != nil {
			return nil, err
		}
		return &isNullNode{loc: l, x: a[0]}, nil
	case "casei":
		if err := want(1); err != nil {
			return nil, err
		}
		a, err := scalars()
		if err != nil {
			return nil, err
		}
		return &caseiNode{loc: l, x: a[0]}, nil
	case "accenti":
		return nil, errAccenti(l)
	case "s_dwithin":
		if len(rawArgs) != 3 && len(rawArgs) != 4 {
			return nil, newError(ErrSyntax, l, "\"s_dwithin\" takes 3 or 4 arguments (geometry, geometry, distance, units), found %d%s", len(rawArgs), l.at())
		}
		var a [3]Expr
		for i := range a {
			e, err := arg(i)
			if err != nil {
				return nil, err
			}
			a[i] = e
		}
		unit, unitLoc := "", l
		if len(rawArgs) == 4 {
			unitLoc = at(child(argsPath, 3))
			s, ok := rawArgs[3].(string)
			if !ok {
				return nil, newError(ErrSyntax, unitLoc, "S_DWITHIN units must be a string such as \"meters\"%s", unitLoc.at())
			}
			unit = s
		}
		return newDWithin(a[0], a[1], a[2], unit, unitLoc, l)
	case "+", "-", "*", "/", "^", "%", "div":
		return nil, errArithmetic(l)
	}
	if spatialOps[up] != "" || temporalOps[up] {
		if err := want(2); err != nil {
			return nil, err
		}
		a, err := p.node(rawArgs[0], child(argsPath, 0))
		if err != nil {
			return nil, err
		}
		b, err := p.node(rawArgs[1], child(argsPath, 1))
		if err != nil {
			return nil, err
		}
		if temporalOps[up] {
			return newTemporal(up, a, b, l)
		}
		return newSpatial(up, a, b, l)
	}
	return nil, errUnknownFunction(name, l)
}

// geojson converts a GeoJSON geometry object.
func (p *jsonParser) geojson(m map[string]any, path string, top bool) (*geometry, error) {
	l := at(path)
	typ, _ := m["type"].(string)
	kind := gkind(-1)
	for i, n := range geojsonNames {
		if n == typ {
			kind = gkind(i)
		}
	}
	if kind < 0 {
		tl := at(child(path, "type"))
		return nil, newError(ErrSyntax, tl, "unknown geometry type %q%s; expected one of %s", truncate(typ, 40), tl.at(), strings.Join(geojsonNames[:], ", "))
	}
	g := &geometry{kind: kind}
	if kind == gCollection {
		if !top {
			return nil, newError(ErrUnsupported, l, "nested GeometryCollection is not supported%s", l.at())
		}
		gp := child(path, "geometries")
		arr, ok := m["geometries"].([]any)
		if !ok || len(arr) == 0 {
			return nil, newError(ErrSyntax, at(gp), "GeometryCollection needs a non-empty \"geometries\" array%s", at(gp).at())
		}
		for i, a := range arr {
			mp := child(gp, i)
			mm, ok := a.(map[string]any)
			if !ok {
				return nil, newError(ErrSyntax, at(mp), "expected a geometry object%s", at(mp).at())
			}
			if err := onlyKeys(mm, mp, "type", "coordinates", "bbox"); err != nil {
				return nil, err
			}
			sub, err := p.geojson(mm, mp, false)
			if err != nil {
				return nil, err
			}
			g.geoms = append(g.geoms, sub)
		}
		return g, nil
	}
	cp := child(path, "coordinates")
	raw, ok := m["coordinates"]
	if !ok {
		return nil, newError(ErrSyntax, l, "%s needs \"coordinates\"%s", typ, l.at())
	}
	var err error
	switch kind {
	case gPoint:
		var c coord
		c, err = p.position(raw, cp)
		g.pts = []coord{c}
	case gLineString:
		g.pts, err = p.positions(raw, cp, false, true)
	case gMultiPoint:
		g.pts, err = p.positions(raw, cp, false, false)
	case gPolygon:
		g.lines, err = p.lines(raw, cp, true)
	case gMultiLineString:
		g.lines, err = p.lines(raw, cp, false)
	case gMultiPolygon:
		arr, ok := raw.([]any)
		if !ok || len(arr) == 0 {
			return nil, newError(ErrSyntax, at(cp), "MultiPolygon coordinates must be a non-empty array%s", at(cp).at())
		}
		for i, a := range arr {
			poly, err := p.lines(a, child(cp, i), true)
			if err != nil {
				return nil, err
			}
			g.polys = append(g.polys, poly)
		}
	}
	if err != nil {
		return nil, err
	}
	return g, nil
}

func (p *jsonParser) position(v any, path string) (coord, error) {
	l := at(path)
	arr, ok := v.([]any)
	if !ok || len(arr) < 2 || len(arr) > 3 {
		return coord{}, newError(ErrSyntax, l, "a position must be an array of 2 or 3 numbers%s", l.at())
	}
	var c coord
	for i, a := range arr {
		f, err := p.float(a, child(path, i))
		if err != nil {
			return coord{}, err
		}
		if i < 2 {
			c[i] = f
		}
	}
	p.coords++
	if p.coords > maxCoords {
		return coord{}, newError(ErrLimit, l, "geometry literal has more than %d coordinates%s", maxCoords, l.at())
	}
	return c, checkCoord(c[0], c[1], l)
}

func (p *jsonParser) positions(v any, path string, ring, line bool) ([]coord, error) {
	l := at(path)
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		return nil, newError(ErrSyntax, l, "expected a non-empty array of positions%s", l.at())
	}
	cs := make([]coord, 0, len(arr))
	for i, a := range arr {
		c, err := p.position(a, child(path, i))
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	if ring || line {
		return cs, checkLine(cs, ring, l)
	}
	return cs, nil
}

func (p *jsonParser) lines(v any, path string, rings bool) ([][]coord, error) {
	l := at(path)
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		return nil, newError(ErrSyntax, l, "expected a non-empty array of %s%s", map[bool]string{true: "rings", false: "lines"}[rings], l.at())
	}
	out := make([][]coord, 0, len(arr))
	for i, a := range arr {
		cs, err := p.positions(a, child(path, i), rings, !rings)
		if err != nil {
			return nil, err
		}
		out = append(out, cs)
	}
	return out, nil
}

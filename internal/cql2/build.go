package cql2

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Pieces shared by the cql2-text and cql2-json parsers, so both encodings
// accept the same trees and report the same problems.

// limiter counts nesting and nodes while parsing.
type limiter struct {
	lim   Limits
	depth int
	nodes int
}

func (m *limiter) enter(l loc) error {
	m.depth++
	if m.depth > m.lim.MaxDepth {
		return newError(ErrLimit, l, "nesting deeper than %d%s", m.lim.MaxDepth, l.at())
	}
	return nil
}

func (m *limiter) leave() { m.depth-- }

func (m *limiter) count(l loc) error {
	m.nodes++
	if m.nodes > m.lim.MaxNodes {
		return newError(ErrLimit, l, "more than %d nodes%s", m.lim.MaxNodes, l.at())
	}
	return nil
}

// describe names e in an error message.
func describe(e Expr) string {
	switch n := e.(type) {
	case *propNode:
		return "property " + strconv.Quote(truncate(n.name, 64))
	case *strNode:
		return "string " + truncate(n.String(), 64)
	case *numNode:
		return "number " + n.String()
	case *boolNode:
		return "boolean " + n.String()
	case *geomNode:
		return "geometry " + wktNames[n.g.kind]
	case *bboxNode:
		return "BBOX"
	case *dateNode, *tsNode, *intervalNode, *openNode:
		return truncate(e.String(), 64)
	case *caseiNode:
		return "CASEI(" + describe(n.x) + ")"
	case *spatialNode:
		return n.op + "(...)"
	case *temporalNode:
		return n.op + "(...)"
	case *dwithinNode:
		return "S_DWITHIN(...)"
	}
	return "a predicate"
}

func isPredicate(e Expr) bool {
	switch e.(type) {
	case *logicNode, *notNode, *cmpNode, *likeNode, *betweenNode, *inNode, *isNullNode,
		*spatialNode, *dwithinNode, *temporalNode, *boolNode, *propNode:
		return true
	}
	return false
}

// checkPredicate accepts what may stand where a condition is expected.
func checkPredicate(e Expr) error {
	if isPredicate(e) {
		return nil
	}
	l := e.where()
	return newError(ErrType, l, "expected a condition (comparison, LIKE, IN, BETWEEN, IS NULL, spatial or temporal function, TRUE/FALSE) but found %s%s", describe(e), l.at())
}

// checkScalar accepts what may be compared.
func checkScalar(e Expr) error {
	switch e.(type) {
	case *intervalNode, *openNode:
		l := e.where()
		return newError(ErrType, l, "INTERVAL can only be used in temporal functions (T_...)%s", l.at())
	}
	return nil
}

func checkLikePattern(pat Expr) error {
	for {
		switch n := pat.(type) {
		case *strNode:
			return nil
		case *caseiNode:
			pat = n.x
			continue
		}
		l := pat.where()
		return newError(ErrType, l, "LIKE pattern must be a string literal, found %s%s", describe(pat), l.at())
	}
}

func checkGeomOperand(op string, e Expr) error {
	switch e.(type) {
	case *propNode, *geomNode, *bboxNode:
		return nil
	}
	l := e.where()
	return newError(ErrType, l, "%s expects a geometry (a Geometry property or a geometry literal), found %s%s", op, describe(e), l.at())
}

func checkTemporalOperand(op string, e Expr) error {
	switch e.(type) {
	case *propNode, *dateNode, *tsNode, *intervalNode:
		return nil
	}
	l := e.where()
	return newError(ErrType, l, "%s expects a date, timestamp, interval or temporal property, found %s%s", op, describe(e), l.at())
}

var spatialOps = map[string]string{
	"S_INTERSECTS": "ST_Intersects",
	"S_EQUALS":     "ST_Equals",
	"S_DISJOINT":   "ST_Disjoint",
	"S_TOUCHES":    "ST_Touches",
	"S_WITHIN":     "ST_Within",
	"S_OVERLAPS":   "ST_Overlaps",
	"S_CROSSES":    "ST_Crosses",
	"S_CONTAINS":   "ST_Contains",
}

var temporalOps = map[string]bool{
	"T_AFTER": true, "T_BEFORE": true, "T_CONTAINS": true, "T_DISJOINT": true, "T_DURING": true,
	"T_EQUALS": true, "T_FINISHEDBY": true, "T_FINISHES": true, "T_INTERSECTS": true, "T_MEETS": true,
	"T_METBY": true, "T_OVERLAPPEDBY": true, "T_OVERLAPS": true, "T_STARTEDBY": true, "T_STARTS": true,
}

var arrayOps = map[string]bool{"A_EQUALS": true, "A_CONTAINS": true, "A_CONTAINEDBY": true, "A_OVERLAPS": true}

// errUnknownFunction explains an unknown or unsupported function name.
func errUnknownFunction(name string, l loc) error {
	up := strings.ToUpper(name)
	switch {
	case arrayOps[up]:
		return newError(ErrUnsupported, l, "array function %s is not supported%s", up, l.at())
	case up == "ACCENTI":
		return errAccenti(l)
	}
	return newError(ErrUnsupported, l, "unknown function %s%s; supported: CASEI, DATE, TIMESTAMP, INTERVAL, S_INTERSECTS, S_EQUALS, S_DISJOINT, S_TOUCHES, S_WITHIN, S_OVERLAPS, S_CROSSES, S_CONTAINS, S_DWITHIN, T_AFTER, T_BEFORE, T_CONTAINS, T_DISJOINT, T_DURING, T_EQUALS, T_FINISHEDBY, T_FINISHES, T_INTERSECTS, T_MEETS, T_METBY, T_OVERLAPPEDBY, T_OVERLAPS, T_STARTEDBY, T_STARTS", truncate(name, 40), l.at())
}

func errAccenti(l loc) error {
	return newError(ErrUnsupported, l, "ACCENTI is not supported%s (accent-insensitive comparison is not available on this server)", l.at())
}

func errArithmetic(l loc) error {
	return newError(ErrUnsupported, l, "arithmetic expressions are not supported%s", l.at())
}

// newSpatial builds S_INTERSECTS(a, b) and friends.
func newSpatial(op string, a, b Expr, l loc) (Expr, error) {
	if err := checkGeomOperand(op, a); err != nil {
		return nil, err
	}
	if err := checkGeomOperand(op, b); err != nil {
		return nil, err
	}
	return &spatialNode{loc: l, op: op, a: a, b: b}, nil
}

var units = map[string]float64{
	"meters": 1, "metres": 1, "meter": 1, "metre": 1, "m": 1,
	"kilometers": 1000, "kilometres": 1000, "kilometer": 1000, "kilometre": 1000, "km": 1000,
}

// newDWithin builds S_DWITHIN(a, b, distance, units); unit may be "" for metres.
func newDWithin(a, b, dist Expr, unit string, unitLoc loc, l loc) (Expr, error) {
	if err := checkGeomOperand("S_DWITHIN", a); err != nil {
		return nil, err
	}
	if err := checkGeomOperand("S_DWITHIN", b); err != nil {
		return nil, err
	}
	d, ok := dist.(*numNode)
	if !ok {
		dl := dist.where()
		return nil, newError(ErrType, dl, "S_DWITHIN distance must be a number, found %s%s", describe(dist), dl.at())
	}
	v := d.f
	if d.isInt {
		v = float64(d.i)
	}
	if v < 0 {
		return nil, newError(ErrType, d.loc, "S_DWITHIN distance must not be negative%s", d.loc.at())
	}
	if unit == "" {
		unit = "meters"
	}
	f, ok := units[strings.ToLower(unit)]
	if !ok {
		return nil, newError(ErrUnsupported, unitLoc, "unknown distance unit %q%s; use meters, metres or kilometers", truncate(unit, 40), unitLoc.at())
	}
	canon := "meters"
	if f == 1000 {
		canon = "kilometers"
	}
	m := v * f
	if math.IsInf(m, 0) {
		return nil, newError(ErrSyntax, d.loc, "S_DWITHIN distance is out of range%s", d.loc.at())
	}
	return &dwithinNode{loc: l, a: a, b: b, dist: v, unit: canon, metres: m}, nil
}

func newTemporal(op string, a, b Expr, l loc) (Expr, error) {
	if err := checkTemporalOperand(op, a); err != nil {
		return nil, err
	}
	if err := checkTemporalOperand(op, b); err != nil {
		return nil, err
	}
	return &temporalNode{loc: l, op: op, a: a, b: b}, nil
}

// parseNumber turns a numeric lexeme (cql2-text or JSON syntax) into a
// node. Integral values are kept as int64 so integer columns compare
// exactly; the rest are float64. Out-of-range values are refused.
func parseNumber(s string, l loc) (*numNode, error) {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return &numNode{loc: l, isInt: true, i: i}, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, newError(ErrSyntax, l, "number %s%s is out of range or not a finite number", truncate(s, 40), l.at())
	}
	if f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
		return &numNode{loc: l, isInt: true, i: int64(f)}, nil
	}
	return &numNode{loc: l, f: f}, nil
}

const dateLayout = "2006-01-02"

var (
	datePattern      = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	timestampPattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$`)
)

func parseDate(s string, l loc) (*dateNode, error) {
	if datePattern.MatchString(s) {
		if t, err := time.Parse(dateLayout, s); err == nil && t.Year() >= 1 {
			return &dateNode{loc: l, t: t.UTC()}, nil
		}
	}
	return nil, newError(ErrSyntax, l, "invalid date %q%s; use DATE('YYYY-MM-DD')", truncate(s, 40), l.at())
}

func parseTimestamp(s string, l loc) (*tsNode, error) {
	if timestampPattern.MatchString(s) {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil && t.Year() >= 1 {
			return &tsNode{loc: l, t: t.UTC()}, nil
		}
	}
	return nil, newError(ErrSyntax, l, "invalid timestamp %q%s; use TIMESTAMP('YYYY-MM-DDThh:mm:ssZ') in UTC", truncate(s, 40), l.at())
}

// intervalString reads one end of an INTERVAL given as a string: '..', a
// date or a timestamp.
func intervalString(s string, l loc) (Expr, error) {
	switch {
	case s == "..":
		return &openNode{loc: l}, nil
	case len(s) == len(dateLayout):
		return parseDate(s, l)
	}
	return parseTimestamp(s, l)
}

func newInterval(start, end Expr, l loc) (Expr, error) {
	for _, e := range []Expr{start, end} {
		switch e.(type) {
		case *dateNode, *tsNode, *openNode, *propNode:
		default:
			el := e.where()
			return nil, newError(ErrType, el, "INTERVAL bounds must be dates, timestamps, '..' or properties, found %s%s", describe(e), el.at())
		}
	}
	if s, ok := instantOf(start); ok {
		if e, ok := instantOf(end); ok && s.After(e) {
			return nil, newError(ErrType, l, "INTERVAL starts after it ends%s", l.at())
		}
	}
	return &intervalNode{loc: l, start: start, end: end}, nil
}

func instantOf(e Expr) (time.Time, bool) {
	switch n := e.(type) {
	case *dateNode:
		return n.t, true
	case *tsNode:
		return n.t, true
	}
	return time.Time{}, false
}

func checkString(s string, l loc) error {
	if strings.IndexByte(s, 0) >= 0 {
		return newError(ErrSyntax, l, "string contains a NUL character%s", l.at())
	}
	return nil
}

package cql2

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Expression nodes. Negated forms (NOT LIKE, NOT IN, NOT BETWEEN, IS NOT
// NULL) are a notNode around the positive node in both encodings, so text
// and JSON filters meaning the same thing give the same tree.

type logicNode struct {
	loc
	op   string // "AND" or "OR"
	args []Expr
}

type notNode struct {
	loc
	x Expr
}

type cmpNode struct {
	loc
	op   string // = <> < <= > >=
	l, r Expr
}

type likeNode struct {
	loc
	x, pat Expr
}

type betweenNode struct {
	loc
	x, lo, hi Expr
}

type inNode struct {
	loc
	x    Expr
	list []Expr
}

type isNullNode struct {
	loc
	x Expr
}

type spatialNode struct {
	loc
	op   string // S_INTERSECTS, ...
	a, b Expr
}

type dwithinNode struct {
	loc
	a, b   Expr
	dist   float64 // as written
	unit   string  // canonical unit name
	metres float64 // dist in metres
}

type temporalNode struct {
	loc
	op   string // T_BEFORE, ...
	a, b Expr
}

type propNode struct {
	loc
	name string
}

type strNode struct {
	loc
	v string
}

type numNode struct {
	loc
	isInt bool
	i     int64
	f     float64
}

type boolNode struct {
	loc
	v bool
}

type dateNode struct {
	loc
	t time.Time // midnight UTC
}

type tsNode struct {
	loc
	t time.Time // UTC
}

type intervalNode struct {
	loc
	start, end Expr // dateNode, tsNode, propNode or openNode
}

type openNode struct{ loc } // '..' in an interval

type geomNode struct {
	loc
	g *geometry
}

type bboxNode struct {
	loc
	minx, miny, maxx, maxy float64
}

type caseiNode struct {
	loc
	x Expr
}

func (l loc) where() loc { return l }

// walk calls f for e and every node below it.
func walk(e Expr, f func(Expr)) {
	if e == nil {
		return
	}
	f(e)
	switch n := e.(type) {
	case *logicNode:
		for _, a := range n.args {
			walk(a, f)
		}
	case *notNode:
		walk(n.x, f)
	case *cmpNode:
		walk(n.l, f)
		walk(n.r, f)
	case *likeNode:
		walk(n.x, f)
		walk(n.pat, f)
	case *betweenNode:
		walk(n.x, f)
		walk(n.lo, f)
		walk(n.hi, f)
	case *inNode:
		walk(n.x, f)
		for _, a := range n.list {
			walk(a, f)
		}
	case *isNullNode:
		walk(n.x, f)
	case *spatialNode:
		walk(n.a, f)
		walk(n.b, f)
	case *dwithinNode:
		walk(n.a, f)
		walk(n.b, f)
	case *temporalNode:
		walk(n.a, f)
		walk(n.b, f)
	case *intervalNode:
		walk(n.start, f)
		walk(n.end, f)
	case *caseiNode:
		walk(n.x, f)
	}
}

// String renders cql2-text.

func (n *logicNode) String() string {
	parts := make([]string, len(n.args))
	for i, a := range n.args {
		parts[i] = a.String()
	}
	return "(" + strings.Join(parts, " "+n.op+" ") + ")"
}

func (n *notNode) String() string {
	switch x := n.x.(type) {
	case *likeNode:
		return x.x.String() + " NOT LIKE " + x.pat.String()
	case *inNode:
		return x.x.String() + " NOT IN " + listString(x.list)
	case *betweenNode:
		return x.x.String() + " NOT BETWEEN " + x.lo.String() + " AND " + x.hi.String()
	case *isNullNode:
		return x.x.String() + " IS NOT NULL"
	case *logicNode:
		return "NOT " + x.String()
	}
	return "NOT (" + n.x.String() + ")"
}

func (n *cmpNode) String() string  { return n.l.String() + " " + n.op + " " + n.r.String() }
func (n *likeNode) String() string { return n.x.String() + " LIKE " + n.pat.String() }
func (n *betweenNode) String() string {
	return n.x.String() + " BETWEEN " + n.lo.String() + " AND " + n.hi.String()
}
func (n *inNode) String() string     { return n.x.String() + " IN " + listString(n.list) }
func (n *isNullNode) String() string { return n.x.String() + " IS NULL" }
func (n *spatialNode) String() string {
	return n.op + "(" + n.a.String() + ", " + n.b.String() + ")"
}
func (n *dwithinNode) String() string {
	return "S_DWITHIN(" + n.a.String() + ", " + n.b.String() + ", " + formatFloat(n.dist) + ", " + n.unit + ")"
}
func (n *temporalNode) String() string {
	return n.op + "(" + n.a.String() + ", " + n.b.String() + ")"
}
func (n *propNode) String() string { return quoteIdent(n.name) }
func (n *strNode) String() string  { return quoteString(n.v) }
func (n *numNode) String() string {
	if n.isInt {
		return strconv.FormatInt(n.i, 10)
	}
	return formatFloat(n.f)
}
func (n *boolNode) String() string {
	if n.v {
		return "TRUE"
	}
	return "FALSE"
}
func (n *dateNode) String() string { return "DATE('" + n.t.Format(dateLayout) + "')" }
func (n *tsNode) String() string   { return "TIMESTAMP('" + n.t.Format(time.RFC3339Nano) + "')" }
func (n *intervalNode) String() string {
	return "INTERVAL(" + intervalEnd(n.start) + ", " + intervalEnd(n.end) + ")"
}
func (n *openNode) String() string { return "'..'" }
func (n *geomNode) String() string { return n.g.wkt() }
func (n *bboxNode) String() string {
	return "BBOX(" + formatFloat(n.minx) + ", " + formatFloat(n.miny) + ", " + formatFloat(n.maxx) + ", " + formatFloat(n.maxy) + ")"
}
func (n *caseiNode) String() string { return "CASEI(" + n.x.String() + ")" }

func intervalEnd(e Expr) string {
	switch x := e.(type) {
	case *dateNode:
		return "'" + x.t.Format(dateLayout) + "'"
	case *tsNode:
		return "'" + x.t.Format(time.RFC3339Nano) + "'"
	}
	return e.String()
}

func listString(list []Expr) string {
	parts := make([]string, len(list))
	for i, a := range list {
		parts[i] = a.String()
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// quoteString renders a cql2-text character literal. A quote is doubled,
// except after a backslash, where "\'" is the only escape that parses back.
func quoteString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	prevBackslash := false
	for _, r := range s {
		if r == '\'' {
			if prevBackslash {
				b.WriteString(`\'`)
			} else {
				b.WriteString(`''`)
			}
			prevBackslash = false
			continue
		}
		b.WriteRune(r)
		prevBackslash = r == '\\'
	}
	b.WriteByte('\'')
	return b.String()
}

// reserved words that cannot be written as a plain identifier.
var reserved = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "LIKE": true, "IN": true, "BETWEEN": true,
	"IS": true, "NULL": true, "TRUE": true, "FALSE": true,
}

func quoteIdent(name string) string {
	if isPlainIdent(name) && !reserved[strings.ToUpper(name)] {
		return name
	}
	return `"` + name + `"`
}

func isPlainIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if i == 0 && !isIdentStart(r) {
			return false
		}
		if !isIdentPart(r) {
			return false
		}
	}
	return true
}

func isIdentStart(r rune) bool {
	return r == ':' || r == '_' || unicode.IsLetter(r)
}

func isIdentPart(r rune) bool {
	return isIdentStart(r) || r == '.' || ('0' <= r && r <= '9') || unicode.Is(unicode.Mn, r) || r == '\u203F' || r == '\u2040'
}

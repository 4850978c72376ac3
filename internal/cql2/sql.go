package cql2

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ToSQL translates e into a PostgreSQL boolean expression over the
// queryables q. Parameters are numbered from firstParam ($firstParam,
// $firstParam+1, ...) and returned in args in that order. The result is
// always parenthesised, so it can be joined to other conditions with AND.
//
// Values travel only in args, each with an explicit cast in the SQL; the
// SQL holds no string literals. Property names select queryables and are
// never copied into the SQL: only Queryable.SQL, which is trusted, is.
func ToSQL(e Expr, q Queryables, firstParam int) (where string, args []any, err error) {
	if e == nil {
		return "", nil, fmt.Errorf("cql2: ToSQL of a nil expression")
	}
	if firstParam < 1 {
		firstParam = 1
	}
	c := &compiler{q: q, next: firstParam}
	s, err := c.pred(e)
	if err != nil {
		return "", nil, err
	}
	if !strings.HasPrefix(s, "(") || !balancedOuter(s) {
		s = "(" + s + ")"
	}
	return s, c.args, nil
}

// balancedOuter reports whether the first '(' of s closes at its last byte.
func balancedOuter(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 && i != len(s)-1 {
				return false
			}
		}
	}
	return depth == 0 && strings.HasSuffix(s, ")")
}

type compiler struct {
	q    Queryables
	args []any
	next int
}

// param adds a value and returns its placeholder with a cast.
func (c *compiler) param(v any, cast string) string {
	c.args = append(c.args, v)
	n := c.next
	c.next++
	return "$" + strconv.Itoa(n) + "::" + cast
}

var simpleColumn = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// column looks up a property in the registry.
func (c *compiler) column(p *propNode) (string, Type, error) {
	qb, ok := c.q[p.name]
	if !ok {
		hint := ""
		switch strings.ToUpper(p.name) {
		case "NAN", "INF", "INFINITY":
			hint = " (NaN and Infinity are not CQL2 numbers)"
		}
		names := c.q.Names()
		list := strings.Join(names, ", ")
		if len(names) == 0 {
			list = "(none)"
		}
		return "", 0, newError(ErrUnknownProperty, p.loc, "unknown property %q%s%s; queryable: %s", truncate(p.name, 64), p.loc.at(), hint, list)
	}
	if qb.SQL == "" || qb.Type < String || qb.Type > Geometry {
		// A server bug, not a client error.
		return "", 0, fmt.Errorf("cql2: queryable %q has no SQL or an invalid type", p.name)
	}
	s := qb.SQL
	if !simpleColumn.MatchString(s) {
		s = "(" + s + ")"
	}
	return s, qb.Type, nil
}

// family groups types that compare with each other.
func family(t Type) int {
	switch t {
	case Number, Integer:
		return 2
	case Date, Timestamp:
		return 4
	}
	return int(t) * 10
}

// typeOf returns the static type of a scalar operand.
func (c *compiler) typeOf(e Expr) (Type, error) {
	switch n := e.(type) {
	case *propNode:
		_, t, err := c.column(n)
		return t, err
	case *strNode:
		return String, nil
	case *numNode:
		return Number, nil
	case *boolNode:
		return Boolean, nil
	case *dateNode:
		return Date, nil
	case *tsNode:
		return Timestamp, nil
	case *geomNode, *bboxNode:
		return Geometry, nil
	case *caseiNode:
		t, err := c.typeOf(n.x)
		if err != nil {
			return 0, err
		}
		if t != String {
			return 0, newError(ErrType, n.loc, "CASEI needs a string, found %s%s", c.describeTyped(n.x, t), n.loc.at())
		}
		return String, nil
	case *intervalNode, *openNode:
		return 0, checkScalar(e)
	}
	if isPredicate(e) {
		return Boolean, nil
	}
	l := e.where()
	return 0, newError(ErrType, l, "unexpected %s%s", describe(e), l.at())
}

func (c *compiler) describeTyped(e Expr, t Type) string {
	if p, ok := e.(*propNode); ok {
		return t.String() + " property " + strconv.Quote(truncate(p.name, 64))
	}
	return describe(e)
}

// pred compiles a condition.
func (c *compiler) pred(e Expr) (string, error) {
	switch n := e.(type) {
	case *logicNode:
		parts := make([]string, len(n.args))
		for i, a := range n.args {
			s, err := c.pred(a)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return "(" + strings.Join(parts, " "+n.op+" ") + ")", nil
	case *notNode:
		return c.not(n)
	case *cmpNode:
		return c.compare(n.op, n.l, n.r, n.loc)
	case *likeNode:
		x, pat, err := c.like(n)
		if err != nil {
			return "", err
		}
		return x + " LIKE " + pat, nil
	case *betweenNode:
		x, lo, hi, err := c.between(n)
		if err != nil {
			return "", err
		}
		return x + " BETWEEN " + lo + " AND " + hi, nil
	case *inNode:
		return c.in(n, false)
	case *isNullNode:
		x, err := c.nullOperand(n.x)
		if err != nil {
			return "", err
		}
		return x + " IS NULL", nil
	case *spatialNode:
		a, err := c.geom(n.a, n.op)
		if err != nil {
			return "", err
		}
		b, err := c.geom(n.b, n.op)
		if err != nil {
			return "", err
		}
		return spatialOps[n.op] + "(" + a + ", " + b + ")", nil
	case *dwithinNode:
		a, err := c.geomOperand(n.a, "S_DWITHIN", true)
		if err != nil {
			return "", err
		}
		b, err := c.geomOperand(n.b, "S_DWITHIN", true)
		if err != nil {
			return "", err
		}
		return "ST_DWithin(" + a + "::geography, " + b + "::geography, " + c.param(n.metres, "float8") + ")", nil
	case *temporalNode:
		return c.temporal(n)
	case *boolNode:
		if n.v {
			return "TRUE", nil
		}
		return "FALSE", nil
	case *propNode:
		s, t, err := c.column(n)
		if err != nil {
			return "", err
		}
		if t != Boolean {
			return "", newError(ErrType, n.loc, "%s is not a condition%s; compare it with a value", c.describeTyped(n, t), n.loc.at())
		}
		return s, nil
	}
	return "", checkPredicate(e)
}

func (c *compiler) not(n *notNode) (string, error) {
	switch x := n.x.(type) {
	case *likeNode:
		a, pat, err := c.like(x)
		if err != nil {
			return "", err
		}
		return a + " NOT LIKE " + pat, nil
	case *betweenNode:
		a, lo, hi, err := c.between(x)
		if err != nil {
			return "", err
		}
		return a + " NOT BETWEEN " + lo + " AND " + hi, nil
	case *inNode:
		return c.in(x, true)
	case *isNullNode:
		a, err := c.nullOperand(x.x)
		if err != nil {
			return "", err
		}
		return a + " IS NOT NULL", nil
	}
	s, err := c.pred(n.x)
	if err != nil {
		return "", err
	}
	if _, ok := n.x.(*logicNode); ok {
		return "NOT " + s, nil
	}
	return "NOT (" + s + ")", nil
}

// value renders a non-temporal scalar operand.
func (c *compiler) value(e Expr) (string, error) {
	switch n := e.(type) {
	case *propNode:
		s, _, err := c.column(n)
		return s, err
	case *strNode:
		return c.param(n.v, "text"), nil
	case *numNode:
		if n.isInt {
			return c.param(n.i, "bigint"), nil
		}
		return c.param(n.f, "float8"), nil
	case *boolNode:
		return c.param(n.v, "boolean"), nil
	case *dateNode:
		return c.param(n.t, "date"), nil
	case *tsNode:
		return c.param(n.t, "timestamptz"), nil
	case *geomNode, *bboxNode:
		return c.geom(e, "")
	case *caseiNode:
		s, err := c.value(n.x)
		if err != nil {
			return "", err
		}
		return "lower(" + s + ")", nil
	}
	s, err := c.pred(e)
	if err != nil {
		return "", err
	}
	return "(" + s + ")", nil
}

// operands type-checks operands that must be mutually comparable and
// renders them; temporal operands are brought into one time domain.
func (c *compiler) operands(what string, l loc, es ...Expr) ([]string, Type, error) {
	types := make([]Type, len(es))
	for i, e := range es {
		t, err := c.typeOf(e)
		if err != nil {
			return nil, 0, err
		}
		types[i] = t
	}
	for i := 1; i < len(es); i++ {
		if family(types[i]) != family(types[0]) {
			hint := ""
			if family(types[0]) == family(Date) || family(types[i]) == family(Date) {
				hint = "; write dates as DATE('YYYY-MM-DD') and timestamps as TIMESTAMP('YYYY-MM-DDThh:mm:ssZ')"
			}
			return nil, 0, newError(ErrType, l, "cannot %s %s with %s%s%s", what, c.describeTyped(es[0], types[0]), c.describeTyped(es[i], types[i]), l.at(), hint)
		}
	}
	out := make([]string, len(es))
	if family(types[0]) == family(Date) {
		dom, err := c.domain(l, es...)
		if err != nil {
			return nil, 0, err
		}
		for i, e := range es {
			out[i] = c.bsql(c.instantBound(e, dom))
		}
		return out, types[0], nil
	}
	for i, e := range es {
		s, err := c.value(e)
		if err != nil {
			return nil, 0, err
		}
		out[i] = s
	}
	return out, types[0], nil
}

func (c *compiler) compare(op string, l, r Expr, at loc) (string, error) {
	ops, t, err := c.operands("compare", at, l, r)
	if err != nil {
		return "", err
	}
	if t == Geometry {
		return "", newError(ErrType, at, "geometries cannot be compared with %s%s; use S_EQUALS or another spatial function", op, at.at())
	}
	return ops[0] + " " + op + " " + ops[1], nil
}

func (c *compiler) like(n *likeNode) (string, string, error) {
	t, err := c.typeOf(n.x)
	if err != nil {
		return "", "", err
	}
	if t != String {
		return "", "", newError(ErrType, n.loc, "LIKE needs a string, found %s%s", c.describeTyped(n.x, t), n.loc.at())
	}
	pat := n.pat
	for {
		ci, ok := pat.(*caseiNode)
		if !ok {
			break
		}
		pat = ci.x
	}
	s := pat.(*strNode)
	if err := checkLikeEscapes(s.v, s.loc); err != nil {
		return "", "", err
	}
	x, err := c.value(n.x)
	if err != nil {
		return "", "", err
	}
	p, err := c.value(n.pat)
	if err != nil {
		return "", "", err
	}
	return x, p, nil
}

// checkLikeEscapes refuses a pattern ending in a lone backslash, which
// PostgreSQL rejects. CQL2 and PostgreSQL share the wildcards % and _ and
// the escape character \.
func checkLikeEscapes(p string, l loc) error {
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' {
			if i == len(p)-1 {
				return newError(ErrSyntax, l, "LIKE pattern ends with an escape character (\\)%s; write \\\\ for a backslash", l.at())
			}
			i++
		}
	}
	return nil
}

func (c *compiler) between(n *betweenNode) (string, string, string, error) {
	ops, t, err := c.operands("compare", n.loc, n.x, n.lo, n.hi)
	if err != nil {
		return "", "", "", err
	}
	if family(t) != family(Number) && family(t) != family(Date) {
		return "", "", "", newError(ErrType, n.loc, "BETWEEN needs numbers, dates or timestamps, found %s%s", c.describeTyped(n.x, t), n.loc.at())
	}
	return ops[0], ops[1], ops[2], nil
}

func (c *compiler) in(n *inNode, negate bool) (string, error) {
	t, err := c.typeOf(n.x)
	if err != nil {
		return "", err
	}
	if t == Geometry {
		return "", newError(ErrType, n.loc, "IN cannot be used with %s%s", c.describeTyped(n.x, t), n.loc.at())
	}
	if s, ok, err := c.inArray(n, t); err != nil || ok {
		if negate && ok {
			s = "NOT (" + s + ")"
		}
		return s, err
	}
	parts := make([]string, len(n.list))
	for i, item := range n.list {
		s, err := c.compare("=", n.x, item, item.where())
		if err != nil {
			return "", err
		}
		parts[i] = s
	}
	s := "(" + strings.Join(parts, " OR ") + ")"
	if negate {
		s = "NOT " + s
	}
	return s, nil
}

// inArray translates "x IN (literals)" to "x = ANY($n::type[])" when every
// item is a literal of x's kind.
func (c *compiler) inArray(n *inNode, t Type) (string, bool, error) {
	switch family(t) {
	case family(String):
		vals := make([]string, 0, len(n.list))
		for _, item := range n.list {
			s, ok := item.(*strNode)
			if !ok {
				return "", false, nil
			}
			vals = append(vals, s.v)
		}
		x, err := c.value(n.x)
		if err != nil {
			return "", false, err
		}
		return x + " = ANY(" + c.param(vals, "text[]") + ")", true, nil
	case family(Number):
		ints := make([]int64, 0, len(n.list))
		floats := make([]float64, 0, len(n.list))
		allInt := true
		for _, item := range n.list {
			num, ok := item.(*numNode)
			if !ok {
				return "", false, nil
			}
			if num.isInt {
				ints = append(ints, num.i)
				floats = append(floats, float64(num.i))
			} else {
				allInt = false
				floats = append(floats, num.f)
			}
		}
		x, err := c.value(n.x)
		if err != nil {
			return "", false, err
		}
		if allInt {
			return x + " = ANY(" + c.param(ints, "bigint[]") + ")", true, nil
		}
		return x + " = ANY(" + c.param(floats, "float8[]") + ")", true, nil
	case family(Boolean):
		vals := make([]bool, 0, len(n.list))
		for _, item := range n.list {
			b, ok := item.(*boolNode)
			if !ok {
				return "", false, nil
			}
			vals = append(vals, b.v)
		}
		x, err := c.value(n.x)
		if err != nil {
			return "", false, err
		}
		return x + " = ANY(" + c.param(vals, "boolean[]") + ")", true, nil
	}
	return "", false, nil
}

func (c *compiler) nullOperand(e Expr) (string, error) {
	if _, err := c.typeOf(e); err != nil {
		return "", err
	}
	return c.value(e)
}

// errLongEdge refuses, for S_DWITHIN, literal edges that are ambiguous or
// antipodal on the sphere.
func errLongEdge(l loc) error {
	return newError(ErrUnsupported, l, "S_DWITHIN geometry has an edge spanning 180 degrees or more%s; on the sphere such an edge is ambiguous, so split it", l.at())
}

// geom renders a geometry operand; sphere means it will be cast to
// geography (S_DWITHIN).
func (c *compiler) geom(e Expr, op string) (string, error) {
	return c.geomOperand(e, op, false)
}

func (c *compiler) geomOperand(e Expr, op string, sphere bool) (string, error) {
	switch n := e.(type) {
	case *propNode:
		s, t, err := c.column(n)
		if err != nil {
			return "", err
		}
		if t != Geometry {
			return "", newError(ErrType, n.loc, "%s needs a geometry, found %s%s", op, c.describeTyped(n, t), n.loc.at())
		}
		return s, nil
	case *geomNode:
		if sphere && n.g.longEdge() {
			return "", errLongEdge(n.loc)
		}
		s := "ST_GeomFromText(" + c.param(n.g.wkt(), "text") + ", 4326)"
		// A polygon literal may be invalid (self-intersecting, overlapping
		// parts), which makes GEOS throw; repair it. Components of a
		// collection may also overlap one another: dissolve them.
		switch n.g.kind {
		case gPolygon, gMultiPolygon:
			s = "ST_MakeValid(" + s + ")"
		case gCollection:
			s = "ST_UnaryUnion(ST_MakeValid(" + s + "))"
		}
		return s, nil
	case *bboxNode:
		if sphere && (n.maxx-n.minx >= 180 || n.maxy-n.miny >= 180) {
			return "", errLongEdge(n.loc)
		}
		return "ST_MakeEnvelope(" + c.param(n.minx, "float8") + ", " + c.param(n.miny, "float8") + ", " +
			c.param(n.maxx, "float8") + ", " + c.param(n.maxy, "float8") + ", 4326)", nil
	}
	l := e.where()
	return "", newError(ErrType, l, "%s needs a geometry, found %s%s", op, describe(e), l.at())
}

// Time domains. Dates and timestamps are compared in one domain chosen per
// predicate, so no comparison depends on the session time zone:
//
//	domDate: only dates            -> date
//	domTZ:   a timestamptz column, or only literals with a timestamp
//	                               -> timestamptz (dates are midnight UTC)
//	domUTC:  a date column and a timestamp literal
//	                               -> timestamp without time zone, in UTC
type tdomain int

const (
	domDate tdomain = iota
	domTZ
	domUTC
)

func (c *compiler) domain(l loc, es ...Expr) (tdomain, error) {
	var dateProp, tsProp *propNode
	tsLit := false
	var visit func(e Expr) error
	visit = func(e Expr) error {
		switch n := e.(type) {
		case *propNode:
			_, t, err := c.column(n)
			if err != nil {
				return err
			}
			switch t {
			case Date:
				dateProp = n
			case Timestamp:
				tsProp = n
			default:
				return newError(ErrType, n.loc, "expected a Date or Timestamp property, found %s%s", c.describeTyped(n, t), n.loc.at())
			}
		case *tsNode:
			tsLit = true
		case *intervalNode:
			if err := visit(n.start); err != nil {
				return err
			}
			return visit(n.end)
		}
		return nil
	}
	for _, e := range es {
		if err := visit(e); err != nil {
			return 0, err
		}
	}
	switch {
	case dateProp != nil && tsProp != nil:
		return 0, newError(ErrType, l, "cannot compare Date property %q with Timestamp property %q%s", truncate(dateProp.name, 64), truncate(tsProp.name, 64), l.at())
	case tsProp != nil:
		return domTZ, nil
	case dateProp != nil && tsLit:
		return domUTC, nil
	case dateProp != nil:
		return domDate, nil
	case tsLit:
		return domTZ, nil
	}
	return domDate, nil
}

// bound is one end of a time span: a column, a literal (rendered as a
// parameter the first time it is used), or an open end (inf -1 or +1).
type bound struct {
	inf    int
	column string // SQL of a column, which may be NULL
	lit    any    // time.Time of a literal
	cast   string
	sql    string // rendered SQL, once used
}

// instantBound describes a date/timestamp literal or property in domain d.
// Callers have already checked the node kinds and property types.
func (c *compiler) instantBound(e Expr, d tdomain) *bound {
	cast := "date"
	switch d {
	case domTZ:
		cast = "timestamptz"
	case domUTC:
		cast = "timestamp"
	}
	switch n := e.(type) {
	case *dateNode:
		return &bound{lit: n.t, cast: cast}
	case *tsNode:
		return &bound{lit: n.t, cast: cast}
	case *propNode:
		s, t, _ := c.column(n)
		if d == domUTC && t == Date {
			s += "::timestamp"
		}
		return &bound{column: s}
	}
	return &bound{}
}

// bsql renders a finite bound, adding its parameter on first use.
func (c *compiler) bsql(b *bound) string {
	if b.sql == "" {
		if b.column != "" {
			b.sql = b.column
		} else {
			b.sql = c.param(b.lit, b.cast)
		}
	}
	return b.sql
}

// span describes a temporal operand as [start, end]; an instant's ends are
// the same bound.
func (c *compiler) span(e Expr, d tdomain) (*bound, *bound) {
	if iv, ok := e.(*intervalNode); ok {
		end := func(x Expr, inf int) *bound {
			if _, ok := x.(*openNode); ok {
				return &bound{inf: inf}
			}
			return c.instantBound(x, d)
		}
		return end(iv.start, -1), end(iv.end, +1)
	}
	b := c.instantBound(e, d)
	return b, b
}

// cond is one comparison of bounds, TRUE/FALSE, or "column IS NOT NULL".
type cond struct {
	konst   int // +1 TRUE, -1 FALSE, 0 neither
	a, b    *bound
	op      string
	notNull *bound
}

var (
	condTrue  = cond{konst: 1}
	condFalse = cond{konst: -1}
)

// rel compares two bounds. A comparison with an open end is decided at
// translation time (a finite value lies strictly between -inf and +inf),
// except that a column must still be non-NULL.
func rel(a *bound, op string, b *bound) cond {
	if a.inf == 0 && b.inf == 0 {
		return cond{a: a, op: op, b: b}
	}
	av, bv := a.inf, b.inf
	var ok bool
	switch op {
	case "<":
		ok = av < bv
	case "<=":
		ok = av <= bv
	case ">":
		ok = av > bv
	case ">=":
		ok = av >= bv
	case "=":
		ok = av == bv
	}
	switch {
	case !ok:
		return condFalse
	case a.inf == 0 && a.column != "":
		return cond{notNull: a}
	case b.inf == 0 && b.column != "":
		return cond{notNull: b}
	}
	return condTrue
}

// fold joins conditions with AND (and=true) or OR, dropping neutral
// constants and duplicates; it renders the survivors left to right.
func (c *compiler) fold(and bool, cs ...cond) string {
	unit, zero, sep := condTrue, condFalse, " AND "
	if !and {
		unit, zero, sep = condFalse, condTrue, " OR "
	}
	var keep []cond
	for _, x := range cs {
		if x.konst == zero.konst && x.konst != 0 {
			return constSQL(zero)
		}
		if x.konst == unit.konst && x.konst != 0 {
			continue
		}
		dup := false
		for _, k := range keep {
			if k == x {
				dup = true
				break
			}
		}
		if !dup {
			keep = append(keep, x)
		}
	}
	if and {
		// "x IS NOT NULL" adds nothing next to a comparison of x.
		used := map[*bound]bool{}
		for _, k := range keep {
			if k.notNull == nil {
				used[k.a], used[k.b] = true, true
			}
		}
		kept := keep[:0]
		for _, k := range keep {
			if k.notNull == nil || !used[k.notNull] {
				kept = append(kept, k)
			}
		}
		keep = kept
	}
	if len(keep) == 0 {
		return constSQL(unit)
	}
	parts := make([]string, len(keep))
	for i, x := range keep {
		if x.notNull != nil {
			parts[i] = c.bsql(x.notNull) + " IS NOT NULL"
		} else {
			parts[i] = c.bsql(x.a) + " " + x.op + " " + c.bsql(x.b)
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, sep) + ")"
}

func constSQL(x cond) string {
	if x.konst > 0 {
		return "TRUE"
	}
	return "FALSE"
}

// temporal translates T_ functions by their definitions in CQL2 (Allen's
// interval relations, an instant being an interval whose ends coincide).
func (c *compiler) temporal(n *temporalNode) (string, error) {
	for _, e := range []Expr{n.a, n.b} {
		if p, ok := e.(*propNode); ok {
			_, t, err := c.column(p)
			if err != nil {
				return "", err
			}
			if t != Date && t != Timestamp {
				return "", newError(ErrType, p.loc, "%s needs a Date or Timestamp property, found %s%s", n.op, c.describeTyped(p, t), p.loc.at())
			}
		}
	}
	d, err := c.domain(n.loc, n.a, n.b)
	if err != nil {
		return "", err
	}
	as, ae := c.span(n.a, d)
	bs, be := c.span(n.b, d)
	all := func(cs ...cond) string { return c.fold(true, cs...) }
	switch n.op {
	case "T_AFTER":
		return all(rel(as, ">", be)), nil
	case "T_BEFORE":
		return all(rel(ae, "<", bs)), nil
	case "T_CONTAINS":
		return all(rel(as, "<", bs), rel(ae, ">", be)), nil
	case "T_DISJOINT":
		return c.fold(false, rel(as, ">", be), rel(ae, "<", bs)), nil
	case "T_DURING":
		return all(rel(as, ">", bs), rel(ae, "<", be)), nil
	case "T_EQUALS":
		return all(rel(as, "=", bs), rel(ae, "=", be)), nil
	case "T_FINISHEDBY":
		return all(rel(as, "<", bs), rel(ae, "=", be)), nil
	case "T_FINISHES":
		return all(rel(as, ">", bs), rel(ae, "=", be)), nil
	case "T_INTERSECTS":
		return all(rel(as, "<=", be), rel(ae, ">=", bs)), nil
	case "T_MEETS":
		return all(rel(ae, "=", bs)), nil
	case "T_METBY":
		return all(rel(as, "=", be)), nil
	case "T_OVERLAPPEDBY":
		return all(rel(as, ">", bs), rel(as, "<", be), rel(ae, ">", be)), nil
	case "T_OVERLAPS":
		return all(rel(as, "<", bs), rel(ae, ">", bs), rel(ae, "<", be)), nil
	case "T_STARTEDBY":
		return all(rel(as, "=", bs), rel(ae, ">", be)), nil
	case "T_STARTS":
		return all(rel(as, "=", bs), rel(ae, "<", be)), nil
	}
	return "", newError(ErrUnsupported, n.loc, "%s is not supported%s", n.op, n.loc.at())
}

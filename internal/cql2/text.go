package cql2

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tkind int

const (
	tEOF    tkind = iota
	tIdent        // plain identifier or keyword
	tQIdent       // "double-quoted identifier"
	tString       // 'character literal' (text is the unescaped value)
	tNumber
	tLParen
	tRParen
	tComma
	tOp    // = <> < <= > >=
	tArith // + - * / % ^
)

type token struct {
	kind tkind
	text string
	pos  int // 1-based character position
}

func (t token) loc() loc { return loc{pos: t.pos} }

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of filter"
	case tIdent:
		return fmt.Sprintf("%q", truncate(t.text, 40))
	case tQIdent:
		return fmt.Sprintf("property %q", truncate(t.text, 40))
	case tString:
		return "string " + truncate(quoteString(t.text), 40)
	case tNumber:
		return "number " + truncate(t.text, 40)
	}
	return "'" + t.text + "'"
}

// lex splits a cql2-text filter into tokens.
func lex(s string) ([]token, error) {
	var toks []token
	pos := 0 // rune position of s[i], 0-based
	i := 0
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		start, startPos := i, pos+1
		l := loc{pos: startPos}
		switch {
		case unicode.IsSpace(r):
			i += w
			pos++
			continue
		case r == '(' || r == ')' || r == ',':
			k := tComma
			if r == '(' {
				k = tLParen
			} else if r == ')' {
				k = tRParen
			}
			toks = append(toks, token{kind: k, text: string(r), pos: startPos})
			i++
			pos++
			continue
		case r == '=':
			toks = append(toks, token{kind: tOp, text: "=", pos: startPos})
			i++
			pos++
			continue
		case r == '<' || r == '>':
			op := string(r)
			if i+1 < len(s) && (s[i+1] == '=' || (r == '<' && s[i+1] == '>')) {
				op += string(s[i+1])
			}
			toks = append(toks, token{kind: tOp, text: op, pos: startPos})
			i += len(op)
			pos += len(op)
			continue
		case r == '!' && i+1 < len(s) && s[i+1] == '=':
			return nil, newError(ErrSyntax, l, "unexpected '!='%s; CQL2 writes not-equal as <>", l.at())
		case r == '\'':
			v, n, runes, err := lexString(s[i:], l)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tString, text: v, pos: startPos})
			i += n
			pos += runes
			continue
		case r == '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return nil, newError(ErrSyntax, l, "unterminated quoted property name%s", l.at())
			}
			name := s[i+1 : i+1+end]
			if name == "" {
				return nil, newError(ErrSyntax, l, "empty quoted property name%s", l.at())
			}
			toks = append(toks, token{kind: tQIdent, text: name, pos: startPos})
			i += end + 2
			pos += utf8.RuneCountInString(name) + 2
			continue
		case isDigit(r) || (r == '.' && i+1 < len(s) && isDigit(rune(s[i+1]))) ||
			((r == '-' || r == '+') && i+1 < len(s) && (isDigit(rune(s[i+1])) || (s[i+1] == '.' && i+2 < len(s) && isDigit(rune(s[i+2]))))):
			n := lexNumber(s[i:])
			toks = append(toks, token{kind: tNumber, text: s[i : i+n], pos: startPos})
			i += n
			pos += n
			continue
		case strings.ContainsRune("+-*/%^", r):
			toks = append(toks, token{kind: tArith, text: string(r), pos: startPos})
			i++
			pos++
			continue
		case isIdentStart(r):
			j := i + w
			p := pos + 1
			for j < len(s) {
				r2, w2 := utf8.DecodeRuneInString(s[j:])
				if !isIdentPart(r2) {
					break
				}
				j += w2
				p++
			}
			toks = append(toks, token{kind: tIdent, text: s[start:j], pos: startPos})
			i = j
			pos = p
			continue
		}
		hint := ""
		switch r {
		case '‘', '’', '＇', '`', '´', '“', '”', '＂':
			hint = "; strings are quoted with ASCII ' and property names with ASCII \""
		case ';':
			hint = "; a filter is a single expression"
		}
		return nil, newError(ErrSyntax, l, "unexpected character %q%s%s", r, l.at(), hint)
	}
	toks = append(toks, token{kind: tEOF, pos: pos + 1})
	return toks, nil
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

// lexNumber returns the length of the number at the start of s:
// [+-] digits [. digits] [e [+-] digits].
func lexNumber(s string) int {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	for i < len(s) && isDigit(rune(s[i])) {
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(rune(s[i])) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(rune(s[j])) {
			for j < len(s) && isDigit(rune(s[j])) {
				j++
			}
			i = j
		}
	}
	return i
}

// lexString reads a character literal at the start of s. A quote inside is
// doubled or preceded by a backslash. It returns the value and the bytes
// and runes consumed.
func lexString(s string, l loc) (string, int, int, error) {
	var b strings.Builder
	i, runes := 1, 1
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0:
			return "", 0, 0, newError(ErrSyntax, l, "string contains a NUL character%s", l.at())
		case r == '\\' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i += 2
			runes += 2
			continue
		case r == '\'':
			if i+1 < len(s) && s[i+1] == '\'' {
				b.WriteByte('\'')
				i += 2
				runes += 2
				continue
			}
			return b.String(), i + 1, runes + 1, nil
		}
		b.WriteRune(r)
		i += w
		runes++
	}
	return "", 0, 0, newError(ErrSyntax, l, "unterminated string%s", l.at())
}

// ParseText parses a cql2-text filter.
func ParseText(s string, lim Limits) (Expr, error) {
	lim = lim.withDefaults()
	if len(s) > lim.MaxLength {
		return nil, newError(ErrLimit, loc{}, "longer than %d bytes", lim.MaxLength)
	}
	if !utf8.ValidString(s) {
		return nil, newError(ErrSyntax, loc{}, "not valid UTF-8")
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	if toks[0].kind == tEOF {
		return nil, newError(ErrSyntax, loc{}, "empty filter")
	}
	p := &textParser{toks: toks, limiter: limiter{lim: lim}}
	e, err := p.orExpr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		if t.kind == tRParen {
			return nil, newError(ErrSyntax, t.loc(), "unbalanced ')'%s", t.loc().at())
		}
		return nil, newError(ErrSyntax, t.loc(), "unexpected %s%s; expected AND, OR or the end of the filter", t, t.loc().at())
	}
	return e, nil
}

type textParser struct {
	toks []token
	i    int
	limiter
	coords int
}

func (p *textParser) peek() token { return p.toks[p.i] }

func (p *textParser) peekAt(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}

func (p *textParser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func isKeyword(t token, kw string) bool { return t.kind == tIdent && strings.EqualFold(t.text, kw) }

func (p *textParser) expect(k tkind, what string) (token, error) {
	t := p.next()
	if t.kind != k {
		return t, newError(ErrSyntax, t.loc(), "expected %s%s, found %s", what, t.loc().at(), t)
	}
	return t, nil
}

func (p *textParser) expectKeyword(kw string) error {
	t := p.next()
	if !isKeyword(t, kw) {
		return newError(ErrSyntax, t.loc(), "expected %s%s, found %s", kw, t.loc().at(), t)
	}
	return nil
}

func (p *textParser) orExpr() (Expr, error) {
	return p.logic("OR", p.andExpr)
}

func (p *textParser) andExpr() (Expr, error) {
	return p.logic("AND", p.notExpr)
}

func (p *textParser) logic(op string, operand func() (Expr, error)) (Expr, error) {
	first, err := operand()
	if err != nil {
		return nil, err
	}
	if !isKeyword(p.peek(), op) {
		return first, nil
	}
	n := &logicNode{loc: first.where(), op: op, args: []Expr{first}}
	if err := p.count(n.loc); err != nil {
		return nil, err
	}
	for isKeyword(p.peek(), op) {
		p.next()
		e, err := operand()
		if err != nil {
			return nil, err
		}
		n.args = append(n.args, e)
	}
	return n, nil
}

func (p *textParser) notExpr() (Expr, error) {
	t := p.peek()
	if !isKeyword(t, "NOT") {
		return p.primary()
	}
	p.next()
	if err := p.enter(t.loc()); err != nil {
		return nil, err
	}
	defer p.leave()
	if err := p.count(t.loc()); err != nil {
		return nil, err
	}
	x, err := p.notExpr()
	if err != nil {
		return nil, err
	}
	return &notNode{loc: t.loc(), x: x}, nil
}

func (p *textParser) primary() (Expr, error) {
	t := p.peek()
	if t.kind == tLParen {
		p.next()
		if err := p.enter(t.loc()); err != nil {
			return nil, err
		}
		defer p.leave()
		e, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen, "')'"); err != nil {
			return nil, err
		}
		return e, nil
	}
	left, err := p.scalar()
	if err != nil {
		return nil, err
	}
	t = p.peek()
	negate := false
	if isKeyword(t, "NOT") {
		if n := p.peekAt(1); isKeyword(n, "LIKE") || isKeyword(n, "IN") || isKeyword(n, "BETWEEN") {
			p.next()
			negate = true
			t = p.peek()
		}
	}
	var e Expr
	switch {
	case t.kind == tOp && !negate:
		p.next()
		if err := checkScalar(left); err != nil {
			return nil, err
		}
		right, err := p.scalar()
		if err != nil {
			return nil, err
		}
		if err := checkScalar(right); err != nil {
			return nil, err
		}
		e = &cmpNode{loc: t.loc(), op: t.text, l: left, r: right}
	case isKeyword(t, "LIKE"):
		p.next()
		pat, err := p.scalar()
		if err != nil {
			return nil, err
		}
		if err := checkLikePattern(pat); err != nil {
			return nil, err
		}
		if err := checkScalar(left); err != nil {
			return nil, err
		}
		e = &likeNode{loc: t.loc(), x: left, pat: pat}
	case isKeyword(t, "BETWEEN"):
		p.next()
		lo, err := p.scalar()
		if err != nil {
			return nil, err
		}
		if err := p.expectKeyword("AND"); err != nil {
			return nil, err
		}
		hi, err := p.scalar()
		if err != nil {
			return nil, err
		}
		for _, x := range []Expr{left, lo, hi} {
			if err := checkScalar(x); err != nil {
				return nil, err
			}
		}
		e = &betweenNode{loc: t.loc(), x: left, lo: lo, hi: hi}
	case isKeyword(t, "IN"):
		p.next()
		if _, err := p.expect(tLParen, "'(' after IN"); err != nil {
			return nil, err
		}
		if p.peek().kind == tRParen {
			return nil, newError(ErrSyntax, p.peek().loc(), "IN list is empty%s", p.peek().loc().at())
		}
		n := &inNode{loc: t.loc(), x: left}
		for {
			item, err := p.scalar()
			if err != nil {
				return nil, err
			}
			if err := checkScalar(item); err != nil {
				return nil, err
			}
			n.list = append(n.list, item)
			if p.peek().kind != tComma {
				break
			}
			p.next()
		}
		if _, err := p.expect(tRParen, "',' or ')' in IN list"); err != nil {
			return nil, err
		}
		if err := checkScalar(left); err != nil {
			return nil, err
		}
		e = n
	case isKeyword(t, "IS") && !negate:
		p.next()
		if isKeyword(p.peek(), "NOT") {
			p.next()
			negate = true
		}
		if err := p.expectKeyword("NULL"); err != nil {
			return nil, err
		}
		if err := checkScalar(left); err != nil {
			return nil, err
		}
		e = &isNullNode{loc: t.loc(), x: left}
	case t.kind == tArith || (t.kind == tNumber && strings.ContainsAny(t.text[:1], "+-")):
		return nil, errArithmetic(t.loc())
	default:
		if t.kind != tEOF && t.kind != tRParen && !isKeyword(t, "AND") && !isKeyword(t, "OR") {
			l := left.where()
			return nil, newError(ErrSyntax, t.loc(), "expected a comparison operator, LIKE, IN, BETWEEN or IS after %s%s, found %s", describe(left), l.at(), t)
		}
		if err := checkPredicate(left); err != nil {
			return nil, err
		}
		return left, nil
	}
	if err := p.count(t.loc()); err != nil {
		return nil, err
	}
	if negate {
		if err := p.count(t.loc()); err != nil {
			return nil, err
		}
		e = &notNode{loc: t.loc(), x: e}
	}
	return e, nil
}

// scalar parses an operand: a literal, a property or a function.
func (p *textParser) scalar() (Expr, error) {
	t := p.next()
	l := t.loc()
	if err := p.count(l); err != nil {
		return nil, err
	}
	switch t.kind {
	case tString:
		return &strNode{loc: l, v: t.text}, nil
	case tNumber:
		return parseNumber(t.text, l)
	case tQIdent:
		return &propNode{loc: l, name: t.text}, nil
	case tArith:
		return nil, errArithmetic(l)
	case tEOF:
		return nil, newError(ErrSyntax, l, "unexpected end of filter%s", l.at())
	case tIdent:
		return p.ident(t)
	case tLParen:
		return nil, newError(ErrSyntax, l, "unexpected '('%s; only conditions can be grouped with parentheses", l.at())
	}
	return nil, newError(ErrSyntax, l, "unexpected %s%s", t, l.at())
}

func (p *textParser) ident(t token) (Expr, error) {
	l := t.loc()
	up := strings.ToUpper(t.text)
	next := p.peek()
	switch up {
	case "TRUE", "FALSE":
		return &boolNode{loc: l, v: up == "TRUE"}, nil
	case "NULL":
		return nil, newError(ErrSyntax, l, "unexpected NULL%s; test for null with IS NULL", l.at())
	case "AND", "OR", "NOT", "LIKE", "IN", "BETWEEN", "IS":
		return nil, newError(ErrSyntax, l, "unexpected keyword %s%s", up, l.at())
	}
	if _, ok := wktKind(up); ok && (next.kind == tLParen || isGeomModifier(next)) {
		return p.wkt(t)
	}
	if up == "BBOX" && next.kind == tLParen {
		return p.bbox(t)
	}
	if next.kind != tLParen {
		return &propNode{loc: l, name: t.text}, nil
	}
	if err := p.enter(l); err != nil {
		return nil, err
	}
	defer p.leave()
	p.next() // '('
	switch {
	case up == "CASEI":
		x, err := p.scalar()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen, "')'"); err != nil {
			return nil, err
		}
		if err := checkScalar(x); err != nil {
			return nil, err
		}
		return &caseiNode{loc: l, x: x}, nil
	case up == "DATE" || up == "TIMESTAMP":
		s, err := p.expect(tString, "a quoted "+strings.ToLower(up)+" after "+up+"(")
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen, "')'"); err != nil {
			return nil, err
		}
		if up == "DATE" {
			return parseDate(s.text, l)
		}
		return parseTimestamp(s.text, l)
	case up == "INTERVAL":
		start, err := p.intervalEnd()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tComma, "','"); err != nil {
			return nil, err
		}
		end, err := p.intervalEnd()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen, "')'"); err != nil {
			return nil, err
		}
		return newInterval(start, end, l)
	case spatialOps[up] != "" || temporalOps[up] || up == "S_DWITHIN":
		args, err := p.args()
		if err != nil {
			return nil, err
		}
		if up == "S_DWITHIN" {
			return p.dwithin(args, l)
		}
		if len(args) != 2 {
			return nil, newError(ErrSyntax, l, "%s takes 2 arguments, found %d%s", up, len(args), l.at())
		}
		if temporalOps[up] {
			return newTemporal(up, args[0], args[1], l)
		}
		return newSpatial(up, args[0], args[1], l)
	}
	return nil, errUnknownFunction(t.text, l)
}

// args parses "a, b, ...)" after the opening parenthesis.
func (p *textParser) args() ([]Expr, error) {
	var args []Expr
	if p.peek().kind == tRParen {
		p.next()
		return args, nil
	}
	for {
		a, err := p.scalar()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		t := p.next()
		if t.kind == tRParen {
			return args, nil
		}
		if t.kind != tComma {
			return nil, newError(ErrSyntax, t.loc(), "expected ',' or ')'%s, found %s", t.loc().at(), t)
		}
	}
}

// dwithin builds S_DWITHIN(a, b, distance[, units]); the unit is a bare
// word or a string.
func (p *textParser) dwithin(args []Expr, l loc) (Expr, error) {
	if len(args) != 3 && len(args) != 4 {
		return nil, newError(ErrSyntax, l, "S_DWITHIN takes 3 or 4 arguments (geometry, geometry, distance, units), found %d%s", len(args), l.at())
	}
	unit, unitLoc := "", l
	if len(args) == 4 {
		unitLoc = args[3].where()
		switch u := args[3].(type) {
		case *propNode:
			unit = u.name
		case *strNode:
			unit = u.v
		default:
			return nil, newError(ErrSyntax, unitLoc, "S_DWITHIN units must be meters, metres or kilometers, found %s%s", describe(args[3]), unitLoc.at())
		}
	}
	return newDWithin(args[0], args[1], args[2], unit, unitLoc, l)
}

func (p *textParser) intervalEnd() (Expr, error) {
	t := p.next()
	l := t.loc()
	if err := p.count(l); err != nil {
		return nil, err
	}
	switch t.kind {
	case tString:
		return intervalString(t.text, l)
	case tQIdent:
		return &propNode{loc: l, name: t.text}, nil
	case tIdent:
		up := strings.ToUpper(t.text)
		if (up == "DATE" || up == "TIMESTAMP") && p.peek().kind == tLParen {
			p.i--
			p.nodes--
			return p.scalar()
		}
		if p.peek().kind == tLParen {
			return nil, errUnknownFunction(t.text, l)
		}
		if reserved[up] {
			return nil, newError(ErrSyntax, l, "unexpected keyword %s%s", up, l.at())
		}
		return &propNode{loc: l, name: t.text}, nil
	}
	return nil, newError(ErrSyntax, l, "expected a date, timestamp, '..' or property in INTERVAL%s, found %s", l.at(), t)
}

// WKT.

func (p *textParser) number() (float64, loc, error) {
	t := p.next()
	l := t.loc()
	if t.kind != tNumber {
		return 0, l, newError(ErrSyntax, l, "expected a number%s, found %s", l.at(), t)
	}
	n, err := parseNumber(t.text, l)
	if err != nil {
		return 0, l, err
	}
	if n.isInt {
		return float64(n.i), l, nil
	}
	return n.f, l, nil
}

func (p *textParser) bbox(t token) (Expr, error) {
	p.next() // '('
	var v []float64
	for {
		f, _, err := p.number()
		if err != nil {
			return nil, err
		}
		v = append(v, f)
		s := p.next()
		if s.kind == tRParen {
			break
		}
		if s.kind != tComma {
			return nil, newError(ErrSyntax, s.loc(), "expected ',' or ')' in BBOX%s, found %s", s.loc().at(), s)
		}
		if len(v) >= 6 {
			return nil, newError(ErrSyntax, t.loc(), "BBOX takes 4 or 6 numbers%s", t.loc().at())
		}
	}
	return checkBBox(v, t.loc())
}

func (p *textParser) wkt(t token) (Expr, error) {
	g, err := p.taggedGeometry(t, true)
	if err != nil {
		return nil, err
	}
	return &geomNode{loc: t.loc(), g: g}, nil
}

func (p *textParser) taggedGeometry(t token, top bool) (*geometry, error) {
	l := t.loc()
	kind, ok := wktKind(strings.ToUpper(t.text))
	if !ok {
		return nil, newError(ErrSyntax, l, "expected a geometry type%s, found %s", l.at(), t)
	}
	if kind == gCollection && !top {
		return nil, newError(ErrUnsupported, l, "nested GEOMETRYCOLLECTION is not supported%s", l.at())
	}
	if n := p.peek(); n.kind == tIdent {
		switch strings.ToUpper(n.text) {
		case "Z":
			p.next()
		case "EMPTY":
			return nil, newError(ErrUnsupported, n.loc(), "EMPTY geometries are not supported%s", n.loc().at())
		default:
			return nil, newError(ErrUnsupported, n.loc(), "%s %s is not supported%s (2D or Z coordinates only)", wktNames[kind], truncate(n.text, 10), n.loc().at())
		}
	}
	g := &geometry{kind: kind}
	var err error
	switch kind {
	case gPoint:
		if _, err = p.expect(tLParen, "'('"); err != nil {
			return nil, err
		}
		var c coord
		if c, err = p.coord(); err != nil {
			return nil, err
		}
		g.pts = []coord{c}
		_, err = p.expect(tRParen, "')'")
	case gLineString:
		g.pts, err = p.coordList(false)
	case gMultiPoint:
		if _, err = p.expect(tLParen, "'('"); err != nil {
			return nil, err
		}
		for {
			paren := p.peek().kind == tLParen
			if paren {
				p.next()
			}
			c, err := p.coord()
			if err != nil {
				return nil, err
			}
			if paren {
				if _, err := p.expect(tRParen, "')'"); err != nil {
					return nil, err
				}
			}
			g.pts = append(g.pts, c)
			if p.peek().kind != tComma {
				break
			}
			p.next()
		}
		_, err = p.expect(tRParen, "')'")
	case gPolygon:
		g.lines, err = p.lineList(true)
	case gMultiLineString:
		g.lines, err = p.lineList(false)
	case gMultiPolygon:
		if _, err = p.expect(tLParen, "'('"); err != nil {
			return nil, err
		}
		for {
			poly, err := p.lineList(true)
			if err != nil {
				return nil, err
			}
			g.polys = append(g.polys, poly)
			if p.peek().kind != tComma {
				break
			}
			p.next()
		}
		_, err = p.expect(tRParen, "')'")
	case gCollection:
		if _, err = p.expect(tLParen, "'('"); err != nil {
			return nil, err
		}
		for {
			m, err := p.taggedGeometry(p.next(), false)
			if err != nil {
				return nil, err
			}
			g.geoms = append(g.geoms, m)
			if p.peek().kind != tComma {
				break
			}
			p.next()
		}
		_, err = p.expect(tRParen, "')'")
	}
	if err != nil {
		return nil, err
	}
	return g, nil
}

func (p *textParser) coord() (coord, error) {
	x, l, err := p.number()
	if err != nil {
		return coord{}, err
	}
	y, _, err := p.number()
	if err != nil {
		return coord{}, err
	}
	if p.peek().kind == tNumber { // Z, dropped
		if _, _, err := p.number(); err != nil {
			return coord{}, err
		}
	}
	p.coords++
	if p.coords > maxCoords {
		return coord{}, newError(ErrLimit, l, "geometry literal has more than %d coordinates%s", maxCoords, l.at())
	}
	if err := checkCoord(x, y, l); err != nil {
		return coord{}, err
	}
	return coord{x, y}, nil
}

func (p *textParser) coordList(ring bool) ([]coord, error) {
	t, err := p.expect(tLParen, "'('")
	if err != nil {
		return nil, err
	}
	var cs []coord
	for {
		c, err := p.coord()
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
		if p.peek().kind != tComma {
			break
		}
		p.next()
	}
	if _, err := p.expect(tRParen, "',' or ')'"); err != nil {
		return nil, err
	}
	return cs, checkLine(cs, ring, t.loc())
}

func (p *textParser) lineList(ring bool) ([][]coord, error) {
	if _, err := p.expect(tLParen, "'('"); err != nil {
		return nil, err
	}
	var ls [][]coord
	for {
		cs, err := p.coordList(ring)
		if err != nil {
			return nil, err
		}
		ls = append(ls, cs)
		if p.peek().kind != tComma {
			break
		}
		p.next()
	}
	_, err := p.expect(tRParen, "',' or ')'")
	return ls, err
}

// isGeomModifier reports a word that may follow a WKT geometry type.
func isGeomModifier(t token) bool {
	if t.kind != tIdent {
		return false
	}
	switch strings.ToUpper(t.text) {
	case "Z", "M", "ZM", "EMPTY":
		return true
	}
	return false
}

package ingest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// dbfField is one dBase column.
type dbfField struct {
	name     string // decoded
	raw      []byte // as stored
	typ      byte
	offset   int // within the record, after the deletion flag
	length   int
	decimals int
}

// dbfHeader is a dBase III/IV (or FoxPro) table header.
type dbfHeader struct {
	records   int
	headerLen int
	recordLen int
	ldid      byte
	fields    []dbfField
}

// ldidCharsets are the dBase language driver ids that name an encoding
// reliably enough to use; others fall back to detection.
var ldidCharsets = map[byte]string{
	0x4d: "GBK", // 936 PRC GBK (ESRI table)
	0x7a: "GBK", // 936 (FoxPro table)
	0x4f: "Big5",
	0x57: "", // "ANSI": the writer's system code page, unknown here
}

// readDBFHeader reads and checks the header of a .dbf.
func readDBFHeader(r io.Reader, what string) (*dbfHeader, error) {
	var fixed [32]byte
	if _, err := io.ReadFull(r, fixed[:]); err != nil {
		return nil, syntaxf("%s: not a dBase file (header too short)", what)
	}
	h := &dbfHeader{
		records:   int(binary.LittleEndian.Uint32(fixed[4:8])),
		headerLen: int(binary.LittleEndian.Uint16(fixed[8:10])),
		recordLen: int(binary.LittleEndian.Uint16(fixed[10:12])),
		ldid:      fixed[29],
	}
	if h.headerLen < 33 || h.recordLen < 1 {
		return nil, syntaxf("%s: not a dBase file (header length %d, record length %d)", what, h.headerLen, h.recordLen)
	}
	rest := make([]byte, h.headerLen-32)
	if _, err := io.ReadFull(r, rest); err != nil {
		return nil, syntaxf("%s: the header is truncated", what)
	}
	off := 0
	for i := 0; i+32 <= len(rest) && rest[i] != 0x0d; i += 32 {
		d := rest[i : i+32]
		name := d[:11]
		if j := bytes.IndexByte(name, 0); j >= 0 {
			name = name[:j]
		}
		f := dbfField{raw: bytes.TrimSpace(name), typ: d[11], offset: off, length: int(d[16]), decimals: int(d[17])}
		if f.typ == 'C' && f.decimals > 0 { // FoxPro stores long character widths here
			f.length += f.decimals << 8
			f.decimals = 0
		}
		off += f.length
		h.fields = append(h.fields, f)
	}
	if off+1 > h.recordLen {
		return nil, syntaxf("%s: fields span %d bytes but records are %d bytes", what, off+1, h.recordLen)
	}
	return h, nil
}

// dbfReader streams records.
type dbfReader struct {
	h    *dbfHeader
	r    *bufio.Reader
	cs   charset
	rec  []byte
	n    int
	what string
}

func newDBFReader(h *dbfHeader, r io.Reader, cs charset, what string) *dbfReader {
	return &dbfReader{h: h, r: bufio.NewReaderSize(r, 64<<10), cs: cs, rec: make([]byte, h.recordLen), what: what}
}

// next returns the next record's values; deleted reports a record marked
// deleted. io.EOF at the end of the table.
func (d *dbfReader) next() (props []Property, issues []Issue, deleted bool, err error) {
	if d.n >= d.h.records {
		return nil, nil, false, io.EOF
	}
	if _, err := io.ReadFull(d.r, d.rec[:1]); err != nil || d.rec[0] == 0x1a {
		return nil, nil, false, eofOr(err) // fewer records than the header says
	}
	if _, err := io.ReadFull(d.r, d.rec[1:]); err != nil {
		return nil, nil, false, eofOr(err)
	}
	d.n++
	props = make([]Property, 0, len(d.h.fields))
	for _, f := range d.h.fields {
		raw := d.rec[1+f.offset : 1+f.offset+f.length]
		v, is := d.value(f, raw)
		for i := range is {
			is[i].Field = f.name
		}
		issues = append(issues, is...)
		props = append(props, Property{Name: f.name, Value: v})
	}
	return props, issues, d.rec[0] == '*', nil
}

func (d *dbfReader) value(f dbfField, raw []byte) (any, []Issue) {
	switch f.typ {
	case 'C', 'V', 'W':
		s := bytes.TrimRight(raw, " \x00")
		v, ok := d.cs.decode(s)
		if !ok && d.cs.enc != nil {
			return v, []Issue{{Code: "decode-error", Severity: SeverityError, Message: fmt.Sprintf("value is not valid %s", d.cs.name)}}
		}
		return v, nil // invalid UTF-8 is reported by the reader
	case 'N', 'F':
		s := strings.TrimSpace(string(bytes.Trim(raw, "\x00")))
		if s == "" || strings.Trim(s, "*") == "" {
			return nil, nil
		}
		if f.decimals == 0 && !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i, nil
			}
		}
		x, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, []Issue{{Code: "bad-number", Severity: SeverityWarning, Message: fmt.Sprintf("%q is not a number; stored as null", s)}}
		}
		return x, nil
	case 'L':
		switch strings.TrimSpace(string(raw)) {
		case "T", "t", "Y", "y":
			return true, nil
		case "F", "f", "N", "n":
			return false, nil
		}
		return nil, nil
	case 'D':
		s := strings.TrimSpace(string(bytes.Trim(raw, "\x00")))
		if s == "" || strings.Trim(s, "0") == "" {
			return nil, nil
		}
		t, err := time.Parse("20060102", s)
		if err != nil {
			return nil, []Issue{{Code: "bad-date", Severity: SeverityWarning, Message: fmt.Sprintf("%q is not a date (YYYYMMDD); stored as null", s)}}
		}
		return t, nil
	case 'I':
		if len(raw) == 4 {
			return int64(int32(binary.LittleEndian.Uint32(raw))), nil
		}
	case 'B', 'O':
		if len(raw) == 8 {
			return math.Float64frombits(binary.LittleEndian.Uint64(raw)), nil
		}
	case 'M', 'G', 'P':
		return nil, nil // memo fields live in a .dbt/.fpt, which is not read
	}
	s, _ := d.cs.decode(bytes.TrimRight(raw, " \x00"))
	return s, nil
}

// dbfType maps a dBase column to a Field type.
func dbfType(f dbfField) string {
	switch f.typ {
	case 'N', 'F':
		if f.decimals == 0 && f.typ == 'N' && f.length < 19 {
			return "integer"
		}
		return "number"
	case 'I':
		return "integer"
	case 'B', 'O':
		return "number"
	case 'L':
		return "boolean"
	case 'D':
		return "date"
	}
	return "string"
}

// scanDBFText checks the encoding of the character data: field names and
// the character columns of every record.
func scanDBFText(h *dbfHeader, r io.Reader) (valid, nonASCII bool, err error) {
	var s utf8Scan
	for _, f := range h.fields {
		s.Write(f.raw)
		s.Write([]byte{0})
	}
	br := bufio.NewReaderSize(r, 64<<10)
	rec := make([]byte, h.recordLen)
	for i := 0; i < h.records; i++ {
		if _, err := io.ReadFull(br, rec[:1]); err != nil || rec[0] == 0x1a {
			if err := eofOr(err); err != io.EOF {
				return false, false, err
			}
			break
		}
		if _, err := io.ReadFull(br, rec[1:]); err != nil {
			if err := eofOr(err); err != io.EOF {
				return false, false, err
			}
			break
		}
		for _, f := range h.fields {
			if f.typ == 'C' || f.typ == 'V' || f.typ == 'W' {
				s.Write(rec[1+f.offset : 1+f.offset+f.length])
				s.Write([]byte{0})
			}
		}
	}
	return s.valid(), s.nonASCII, nil
}

// eofOr maps a short read to io.EOF (a table shorter than its header says
// is read as far as it goes, as GDAL does) and keeps real errors.
func eofOr(err error) error {
	if err == nil || err == io.EOF || err == io.ErrUnexpectedEOF {
		return io.EOF
	}
	return err
}

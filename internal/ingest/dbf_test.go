package ingest_test

import (
	"testing"
	"time"

	"github.com/planmap/planmap/internal/ingest"
)

// Hand-built DBFs through every encoding decision.
func TestDBFEncodings(t *testing.T) {
	t.Parallel()
	shp, shx := shpFiles(1, liaoningBox, pointRec(121.65, 38.93))
	gbkName := []byte(gbk("名称"))
	table := func(ldid byte, name, value []byte) []byte {
		return dbfFile(ldid, []dbfCol{{Name: name, Type: 'C', Len: 30}}, [][]byte{value})
	}
	gbkDBF := table(0, gbkName, []byte(gbk("大连港")))
	utf8DBF := table(0, []byte("名称"), []byte("大连港"))
	tests := []struct {
		name     string
		dbf      []byte
		cpg      string // "" for none
		opt      ingest.Options
		encoding string
		field    string
		issue    string
	}{
		{"LDID 0x4D", table(0x4d, gbkName, []byte(gbk("大连港"))), "", ingest.Options{}, "GBK", "名称", ""},
		{"LDID 0x57 (ANSI), detected", table(0x57, gbkName, []byte(gbk("大连港"))), "", ingest.Options{}, "GB18030", "名称", "encoding-detected"},
		{"no LDID, GBK detected", gbkDBF, "", ingest.Options{}, "GB18030", "名称", "encoding-detected"},
		{"no LDID, UTF-8 detected", utf8DBF, "", ingest.Options{}, "UTF-8", "名称", ""},
		{"cpg GBK", gbkDBF, "GBK", ingest.Options{}, "GBK", "名称", ""},
		{"cpg 936", gbkDBF, "936\r\n", ingest.Options{}, "GBK", "名称", ""},
		{"cpg CP936", gbkDBF, "CP936", ingest.Options{}, "GBK", "名称", ""},
		{"cpg GB18030", gbkDBF, "GB18030", ingest.Options{}, "GB18030", "名称", ""},
		{"cpg UTF-8", utf8DBF, "UTF-8", ingest.Options{}, "UTF-8", "名称", ""},
		{"cpg says GBK, bytes are UTF-8", utf8DBF, "GBK", ingest.Options{}, "UTF-8", "名称", "encoding-detected"},
		{"cpg says UTF-8, bytes are GBK", gbkDBF, "UTF-8", ingest.Options{}, "GB18030", "名称", "encoding-detected"},
		{"unknown cpg", gbkDBF, "klingon", ingest.Options{}, "GB18030", "名称", "encoding-unknown"},
		{"declared GBK beats the cpg", gbkDBF, "UTF-8", ingest.Options{Encoding: "GBK"}, "GBK", "名称", ""},
		{"name cut mid-character", table(0x4d, []byte(gbk("规划项目名"))[:9], []byte(gbk("大连港"))), "", ingest.Options{}, "GBK", "规划项目", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := shapeZip(shp, shx, tt.dbf, prj4490)
			if tt.cpg != "" {
				es = append(es, zipEntry{Name: "t.cpg", Data: []byte(tt.cpg)})
			}
			fs, res := mustRead(t, "t.zip", makeZip(t, es...), tt.opt)
			if res.Encoding != tt.encoding || res.Err() != nil {
				t.Fatalf("encoding %s (want %s), %v", res.Encoding, tt.encoding, res.Err())
			}
			if got := prop(fs[0], tt.field); got != "大连港" {
				t.Fatalf("%s = %#v; properties %+v", tt.field, got, fs[0].Properties)
			}
			if tt.issue != "" && hasIssue(res, tt.issue) == nil {
				t.Errorf("no %s in %v", tt.issue, issueCodes(res))
			}
			if tt.issue == "" && len(res.Issues) != 0 {
				t.Errorf("unexpected issues %v", res.Issues)
			}
		})
	}
}

func TestDBFTypes(t *testing.T) {
	t.Parallel()
	shp, shx := shpFiles(1, liaoningBox, pointRec(121.65, 38.93), pointRec(121.66, 38.94))
	cols := []dbfCol{{Name: []byte("N"), Type: 'N', Len: 10}, {Name: []byte("F"), Type: 'N', Len: 12, Dec: 3},
		{Name: []byte("L"), Type: 'L', Len: 1}, {Name: []byte("D"), Type: 'D', Len: 8}, {Name: []byte("I"), Type: 'I', Len: 4}, {Name: []byte("C"), Type: 'C', Len: 8},
		{Name: []byte("B"), Type: 'B', Len: 8}}
	dbf := dbfFile(0, cols,
		[][]byte{[]byte("  -42"), []byte("3.250"), []byte("T"), []byte("20240501"), {0xfe, 0xff, 0xff, 0xff}, []byte("x  "), {0, 0, 0, 0, 0, 0, 0xf8, 0x3f}},
		[][]byte{[]byte(""), []byte("**********"), []byte("?"), []byte("00000000"), {0, 0, 0, 0}, []byte(""), {0, 0, 0, 0, 0, 0, 0xf8, 0x7f}})
	fs, res := mustRead(t, "t.zip", makeZip(t, shapeZip(shp, shx, dbf, prj4490)...), ingest.Options{})
	want := []map[string]any{
		{"N": int64(-42), "F": 3.25, "L": true, "D": time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), "I": int64(-2), "C": "x", "B": 1.5},
		{"N": nil, "F": nil, "L": nil, "D": nil, "I": int64(0), "C": "", "B": nil}, // B is NaN
	}
	for i, w := range want {
		for k, v := range w {
			if got := prop(fs[i], k); got != v {
				t.Errorf("feature %d: %s = %#v, want %#v", i, k, got, v)
			}
		}
	}
	if is := hasIssue(res, "bad-number"); is == nil || is.Field != "B" || is.Feature != 1 {
		t.Errorf("NaN not reported: %+v", is)
	}
	types := map[string]string{}
	for _, f := range res.Fields {
		types[f.Name] = f.Type
	}
	if types["N"] != "integer" || types["F"] != "number" || types["L"] != "boolean" || types["D"] != "date" || types["I"] != "integer" || types["C"] != "string" {
		t.Errorf("types %v", types)
	}
}

package ingest_test

import (
	"bytes"
	"encoding/binary"
	"math"

	"github.com/paulmach/orb"
)

// Hand-built Shapefile parts for hostile and fuzz inputs.

func le32(b *bytes.Buffer, v uint32) { binary.Write(b, binary.LittleEndian, v) }
func be32(b *bytes.Buffer, v uint32) { binary.Write(b, binary.BigEndian, v) }
func lef(b *bytes.Buffer, v float64) { binary.Write(b, binary.LittleEndian, math.Float64bits(v)) }

// pointRec is a Point record's content.
func pointRec(x, y float64) []byte {
	var b bytes.Buffer
	le32(&b, 1)
	lef(&b, x)
	lef(&b, y)
	return b.Bytes()
}

// polyRec is a PolyLine (3) or Polygon (5) record's content.
func polyRec(typ uint32, parts ...[]orb.Point) []byte {
	var b bytes.Buffer
	le32(&b, typ)
	var all []orb.Point
	for _, p := range parts {
		all = append(all, p...)
	}
	bd := orb.MultiPoint(all).Bound()
	for _, v := range []float64{bd.Min[0], bd.Min[1], bd.Max[0], bd.Max[1]} {
		lef(&b, v)
	}
	le32(&b, uint32(len(parts)))
	le32(&b, uint32(len(all)))
	n := 0
	for _, p := range parts {
		le32(&b, uint32(n))
		n += len(p)
	}
	for _, p := range all {
		lef(&b, p[0])
		lef(&b, p[1])
	}
	return b.Bytes()
}

// shpFiles returns .shp and .shx for records of shape type typ.
func shpFiles(typ uint32, bbox orb.Bound, recs ...[]byte) (shp, shx []byte) {
	header := func(length int) []byte {
		var b bytes.Buffer
		be32(&b, 9994)
		b.Write(make([]byte, 20))
		be32(&b, uint32(length/2))
		le32(&b, 1000)
		le32(&b, typ)
		for _, v := range []float64{bbox.Min[0], bbox.Min[1], bbox.Max[0], bbox.Max[1], 0, 0, 0, 0} {
			lef(&b, v)
		}
		return b.Bytes()
	}
	var body, index bytes.Buffer
	off := 100
	for i, r := range recs {
		be32(&index, uint32(off/2))
		be32(&index, uint32(len(r)/2))
		be32(&body, uint32(i+1))
		be32(&body, uint32(len(r)/2))
		body.Write(r)
		off += 8 + len(r)
	}
	shp = append(header(100+body.Len()), body.Bytes()...)
	shx = append(header(100+index.Len()), index.Bytes()...)
	return shp, shx
}

// dbfCol is a column for dbfFile.
type dbfCol struct {
	Name     []byte // raw bytes (GBK allowed)
	Type     byte
	Len, Dec int
}

// dbfFile builds a dBase III table; values are raw field bytes.
func dbfFile(ldid byte, cols []dbfCol, rows ...[][]byte) []byte {
	var b bytes.Buffer
	recLen := 1
	for _, c := range cols {
		recLen += c.Len
	}
	b.WriteByte(3)
	b.Write([]byte{124, 1, 1})
	le32(&b, uint32(len(rows)))
	binary.Write(&b, binary.LittleEndian, uint16(32+32*len(cols)+1))
	binary.Write(&b, binary.LittleEndian, uint16(recLen))
	b.Write(make([]byte, 17))
	b.WriteByte(ldid)
	b.Write(make([]byte, 2))
	for _, c := range cols {
		name := make([]byte, 11)
		copy(name, c.Name)
		b.Write(name)
		b.WriteByte(c.Type)
		b.Write(make([]byte, 4))
		b.WriteByte(byte(c.Len))
		b.WriteByte(byte(c.Dec))
		b.Write(make([]byte, 14))
	}
	b.WriteByte(0x0d)
	for _, r := range rows {
		b.WriteByte(' ')
		for i, c := range cols {
			v := make([]byte, c.Len)
			for j := range v {
				v[j] = ' '
			}
			if i < len(r) {
				copy(v, r[i])
			}
			b.Write(v)
		}
	}
	b.WriteByte(0x1a)
	return b.Bytes()
}

// shapeZip zips a hand-built layer named base.
func shapeZip(shp, shx, dbf []byte, prj string) []zipEntry {
	es := []zipEntry{{Name: "t.shp", Data: shp}, {Name: "t.shx", Data: shx}, {Name: "t.dbf", Data: dbf}}
	if prj != "" {
		es = append(es, zipEntry{Name: "t.prj", Data: []byte(prj)})
	}
	return es
}

const prj4490 = `GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`

var liaoningBox = orb.Bound{Min: orb.Point{118.8, 38.7}, Max: orb.Point{125.8, 43.5}}

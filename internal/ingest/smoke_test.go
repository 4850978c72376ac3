package ingest_test

import (
	"fmt"
	"github.com/planmap/planmap/internal/ingest"
	"testing"
)

func TestSmoke(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/in.geojson", `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"名称":"大连港","类型":"港口","n":1,"x":1.5,"d":"2024-01-02"},"geometry":{"type":"Point","coordinates":[121.6,38.9]}},
{"type":"Feature","properties":{"名称":"沈阳站","类型":"交通","n":2,"x":2.5,"d":null},"geometry":{"type":"Polygon","coordinates":[[[123.4,41.8],[123.5,41.8],[123.5,41.9],[123.4,41.9],[123.4,41.8]],[[123.42,41.82],[123.42,41.85],[123.45,41.85],[123.42,41.82]]]}}
]}`)
	ogr2ogr(t, dir, "-f", "ESRI Shapefile", "-lco", "ENCODING=GBK", "-t_srs", "EPSG:4529", "out.shp", "in.geojson", "-nlt", "PROMOTE_TO_MULTI", "-where", "n=2")
	fs, res := mustRead(t, "out.zip", zipDir(t, dir, "out"), ingest.Options{})
	for _, f := range fs {
		fmt.Printf("%+v\n", *f)
	}
	fmt.Printf("%+v\n", *res)
	fs, res = mustRead(t, "in.geojson", []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"名称":"大连港","id":3,"n":1,"x":{"a":[1,2]},"d":"2024-01-02"},"geometry":{"type":"Point","coordinates":[38.9, 121.6]}},
{"type":"Feature","properties":{"名称":"沈阳站","类型":"交通","n":2,"x":2.5,"d":null},"geometry":{"type":"Polygon","coordinates":[[[123.4,41.8],[123.5,41.8],[123.5,41.9],[123.4,41.9],[123.4,41.8]],[[123.42,41.82],[123.42,41.85],[123.45,41.85],[123.42,41.82]]]}}
]}`), ingest.Options{})
	for _, f := range fs {
		fmt.Printf("%+v\n", *f)
	}
	fmt.Printf("%+v\n", *res)
}

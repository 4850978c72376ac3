package ingest_test

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/planmap/planmap/internal/ingest"
)

// dist is the distance in metres.
func dist(a, b orb.Point) float64 { return geo.DistanceHaversine(a, b) }

// Published pairs: the forward transforms of wandergis/coordtransform's
// test (116.404, 39.915), and Beijing railway station's GCJ-02/BD-09
// positions as Baidu and Amap show them (5 decimals).
func TestGCJ02Published(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fn       func(orb.Point) orb.Point
		in, want orb.Point
		tol      float64
	}{
		{"wgs84 to gcj02", ingest.WGS84ToGCJ02, orb.Point{116.404, 39.915}, orb.Point{116.41024449916938, 39.91640428150164}, 1e-12},
		{"gcj02 to bd09", ingest.GCJ02ToBD09, orb.Point{116.404, 39.915}, orb.Point{116.41036949371029, 39.92133699351021}, 1e-12},
		{"station gcj02 to bd09", ingest.GCJ02ToBD09, orb.Point{116.42703, 39.90245}, orb.Point{116.43351, 39.90851}, 1e-5},
		{"outside China unchanged", ingest.WGS84ToGCJ02, orb.Point{2.35, 48.85}, orb.Point{2.35, 48.85}, 0},
	}
	for _, tt := range tests {
		got := tt.fn(tt.in)
		if math.Abs(got[0]-tt.want[0]) > tt.tol || math.Abs(got[1]-tt.want[1]) > tt.tol {
			t.Errorf("%s: %v -> %.14f, want %.14f", tt.name, tt.in, got, tt.want)
		}
	}
	// the exact inverse of a published forward pair
	if back := ingest.GCJ02ToWGS84(orb.Point{116.41024449916938, 39.91640428150164}); dist(back, orb.Point{116.404, 39.915}) > 0.001 {
		t.Errorf("inverse: %v (%.4f m off)", back, dist(back, orb.Point{116.404, 39.915}))
	}
}

// Forward then inverse returns within 1 cm (in fact well under 1e-7
// degrees) across Liaoning and China, and the shift in Liaoning is the
// documented 50-700 m.
func TestGCJ02RoundTrip(t *testing.T) {
	t.Parallel()
	worst, worstBD := 0.0, 0.0
	for lon := 73.5; lon <= 135; lon += 0.73 {
		for lat := 3.9; lat <= 53.5; lat += 0.61 {
			p := orb.Point{lon, lat}
			g := ingest.WGS84ToGCJ02(p)
			back := ingest.GCJ02ToWGS84(g)
			if d := math.Max(math.Abs(back[0]-p[0]), math.Abs(back[1]-p[1])); d > worst {
				worst = d
			}
			bd := ingest.WGS84ToBD09(p)
			backBD := ingest.BD09ToWGS84(bd)
			if d := math.Max(math.Abs(backBD[0]-p[0]), math.Abs(backBD[1]-p[1])); d > worstBD {
				worstBD = d
			}
			if d := dist(back, p); d > 0.01 {
				t.Fatalf("GCJ-02 round trip of %v is %.4f m off", p, d)
			}
			if d := dist(backBD, p); d > 0.01 {
				t.Fatalf("BD-09 round trip of %v is %.4f m off", p, d)
			}
		}
	}
	if worst > 1e-7 || worstBD > 1e-7 {
		t.Errorf("worst round-trip error %g / %g degrees, want < 1e-7", worst, worstBD)
	}
	for _, p := range []orb.Point{{123.43, 41.80}, {121.61, 38.91}, {124.38, 40.12}, {119.5, 42.0}} {
		if d := dist(ingest.WGS84ToGCJ02(p), p); d < 50 || d > 700 {
			t.Errorf("GCJ-02 shift at %v is %.0f m", p, d)
		}
	}
}

// Declared GCJ-02 / BD-09 uploads come out in WGS 84.
func TestDeclaredGCJ02(t *testing.T) {
	t.Parallel()
	wgs := orb.Point{123.4315, 41.8057} // Shenyang
	for _, tt := range []struct {
		declared string
		fwd      func(orb.Point) orb.Point
	}{{"GCJ-02", ingest.WGS84ToGCJ02}, {"BD-09", ingest.WGS84ToBD09}} {
		p := tt.fwd(wgs)
		in := []byte(`{"type":"Point","coordinates":[` + ftoa(p[0]) + `,` + ftoa(p[1]) + `]}`)
		fs, res := mustRead(t, "amap.geojson", in, ingest.Options{DeclaredCRS: tt.declared})
		got := fs[0].Geometry.(orb.Point)
		if d := dist(got, wgs); d > 0.01 {
			t.Errorf("%s: %v is %.3f m from %v", tt.declared, got, d, wgs)
		}
		if res.CRS.EPSG != 4326 || res.CRS.Source != "declared" || res.CRS.Warning == "" {
			t.Errorf("%s: CRS %+v", tt.declared, res.CRS)
		}
	}
}

func ftoa(f float64) string { return strconvFormat(f) }

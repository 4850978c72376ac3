package postgis_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/paulmach/orb/geojson"

	"github.com/planmap/planmap/internal/domain"
	"github.com/planmap/planmap/internal/postgis"
)

// The features PostGIS encodes are the features Go encodes.
func TestEachFeatureJSONMatchesEachFeature(t *testing.T) {
	db, _ := loaded(t)
	svc := postgis.NewLayerService(db, nil)
	ctx := context.Background()
	for _, layer := range []string{"cities", "programmes"} {
		f := domain.FeatureFilter{Limit: 100}
		var fromGo []map[string]any
		n1, err := svc.EachFeature(ctx, layer, f, func(lf *domain.LayerFeature) error {
			feat := map[string]any{"type": "Feature", "id": lf.ID, "geometry": nil}
			if lf.Geometry != nil {
				b, _ := json.Marshal(geojson.NewGeometry(lf.Geometry))
				var g any
				json.Unmarshal(b, &g)
				feat["geometry"] = g
			}
			var props any
			json.Unmarshal(lf.Properties, &props)
			feat["properties"] = props
			fromGo = append(fromGo, feat)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var fromPG []map[string]any
		n2, err := svc.EachFeatureJSON(ctx, layer, f, func(b []byte) error {
			var feat map[string]any
			if err := json.Unmarshal(b, &feat); err != nil {
				t.Fatalf("not JSON: %s", b)
			}
			fromPG = append(fromPG, feat)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n1 != n2 || len(fromGo) == 0 || !reflect.DeepEqual(fromGo, fromPG) {
			t.Fatalf("%s: Go %d %v\nPostGIS %d %v", layer, n1, fromGo, n2, fromPG)
		}
	}
}

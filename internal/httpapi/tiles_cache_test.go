package httpapi_test

import (
	"bytes"
	"testing"
)

// Rendered tiles are kept in memory by data version; a write makes the
// collection's tiles render again.
func TestTilesAreCached(t *testing.T) {
	srv, db := newApp(t)
	u := srv.URL + "/collections/projects/tiles/WebMercatorQuad/7/48/107"
	first, body1 := get(t, u)
	if first.StatusCode != 200 || first.Header.Get("X-Cache") == "hit" {
		t.Fatalf("first: %d %v", first.StatusCode, first.Header)
	}
	second, body2 := get(t, u)
	if second.Header.Get("X-Cache") != "hit" || !bytes.Equal(body1, body2) {
		t.Fatalf("second: %v", second.Header)
	}
	if _, err := db.Pool.Exec(t.Context(), `UPDATE collection_version SET version = version + 1 WHERE collection = 'projects'`); err != nil {
		t.Fatal(err)
	}
	third, _ := get(t, u)
	if third.Header.Get("X-Cache") == "hit" || third.Header.Get("ETag") == first.Header.Get("ETag") {
		t.Fatalf("after a write: %v", third.Header)
	}
}

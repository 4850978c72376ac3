package ogcapi

// DrawingWaiters tells how many requests wait for the drawing of tile
// z/x/y of version of coll; for tests.
func (h *TileHandler) DrawingWaiters(coll string, version int64, z, x, y int) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if d := h.drawings[tileCacheKey(coll, version, z, x, y)]; d != nil {
		return d.waiters
	}
	return 0
}

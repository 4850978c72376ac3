package postgis

// HoldTurn takes one of the tile service's turns until the returned
// function is called; for tests.
func (s *TileService) HoldTurn() func() {
	s.turns <- struct{}{}
	return func() { <-s.turns }
}

// Flight tells whether tile z/x/y of version of collection is being
// drawn, and how many requests came to wait for that drawing; for tests.
func (s *TileService) Flight(collection string, version int64, z, x, y int) (joined int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.flights[tileKey{collection, z, x, y, version}]; f != nil {
		return f.joined, true
	}
	return 0, false
}

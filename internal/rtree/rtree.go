// Package rtree is a static, packed R-tree of float32 boxes (a Hilbert
// R-tree, as flatbush builds it): built once from all its boxes, then
// searched by any number of goroutines at once, with no pointers for the
// garbage collector to follow.
//
// Boxes are float32 because PostGIS compares bounding boxes that way: it
// keeps a geometry's box as float32 rounded outwards, and its && operator
// and GiST index test those boxes, edges included. A tree of the same boxes
// answers exactly what && answers.
package rtree

import (
	"math"
	"slices"
)

// Box is a bounding box: MinX, MinY, MaxX, MaxY.
type Box [4]float32

// Overlaps reports whether b and o share any point, edges included.
func (b Box) Overlaps(o Box) bool {
	return b[0] <= o[2] && o[0] <= b[2] && b[1] <= o[3] && o[1] <= b[3]
}

// FromFloat64 returns the smallest float32 box that holds the float64 box,
// each edge rounded outwards as PostGIS rounds a geometry's box.
func FromFloat64(minX, minY, maxX, maxY float64) Box {
	return Box{Down(minX), Down(minY), Up(maxX), Up(maxY)}
}

// Down is the largest float32 not above d (PostGIS's next_float_down).
func Down(d float64) float32 {
	if d > math.MaxFloat32 {
		return math.MaxFloat32
	}
	if d <= -math.MaxFloat32 {
		return -math.MaxFloat32
	}
	f := float32(d)
	if float64(f) <= d {
		return f
	}
	return math.Nextafter32(f, -math.MaxFloat32)
}

// Up is the smallest float32 not below d (PostGIS's next_float_up).
func Up(d float64) float32 {
	if d >= math.MaxFloat32 {
		return math.MaxFloat32
	}
	if d < -math.MaxFloat32 {
		return -math.MaxFloat32
	}
	f := float32(d)
	if float64(f) >= d {
		return f
	}
	return math.Nextafter32(f, math.MaxFloat32)
}

// NodeSize is how many children a node holds.
const NodeSize = 16

// Tree is a packed R-tree over items 0..n-1.
type Tree struct {
	n int
	// boxes holds the items' boxes in tree order, then each level's node
	// boxes up to the root; index holds, for an item, its number, and for a
	// node, the position of its first child in boxes.
	boxes  []Box
	index  []uint32
	levels []int // where each level starts in boxes; the last is the root's end
}

// New packs a tree over boxes; item i is boxes[i]. Items are grouped by the
// Hilbert order of their centres, so nodes stay small and searches short.
func New(boxes []Box) *Tree {
	n := len(boxes)
	t := &Tree{n: n}
	if n == 0 {
		return t
	}
	extent := Box{math.MaxFloat32, math.MaxFloat32, -math.MaxFloat32, -math.MaxFloat32}
	for _, b := range boxes {
		extent = union(extent, b)
	}
	w, h := float64(extent[2])-float64(extent[0]), float64(extent[3])-float64(extent[1])
	const side = 1<<16 - 1
	keys := make([]uint64, n) // Hilbert value << 32 | item
	for i, b := range boxes {
		var x, y uint32
		if w > 0 {
			x = uint32(side * ((float64(b[0])+float64(b[2]))/2 - float64(extent[0])) / w)
		}
		if h > 0 {
			y = uint32(side * ((float64(b[1])+float64(b[3]))/2 - float64(extent[1])) / h)
		}
		keys[i] = uint64(hilbert(x, y))<<32 | uint64(i)
	}
	slices.Sort(keys)

	total, levelSize := n, n
	for levelSize > 1 {
		levelSize = (levelSize + NodeSize - 1) / NodeSize
		total += levelSize
	}
	t.boxes = make([]Box, 0, total)
	t.index = make([]uint32, 0, total)
	for _, k := range keys {
		i := uint32(k)
		t.boxes = append(t.boxes, boxes[i])
		t.index = append(t.index, i)
	}
	t.levels = []int{0}
	start, end := 0, n
	for {
		t.levels = append(t.levels, end)
		if end-start == 1 {
			break
		}
		for pos := start; pos < end; pos += NodeSize {
			node := t.boxes[pos]
			for _, b := range t.boxes[pos+1 : min(pos+NodeSize, end)] {
				node = union(node, b)
			}
			t.boxes = append(t.boxes, node)
			t.index = append(t.index, uint32(pos))
		}
		start, end = end, len(t.boxes)
	}
	return t
}

// Len returns the number of items.
func (t *Tree) Len() int { return t.n }

// Search calls fn for every item whose box overlaps q, edges included, in
// no particular order, until fn returns false.
func (t *Tree) Search(q Box, fn func(item int) bool) {
	t.SearchLeaves(q, func(pos int) bool { return fn(int(t.index[pos])) })
}

// Order returns the items in the order of the tree's leaves: the item at
// leaf position pos is Order()[pos]. The slice is the tree's own; callers
// must not change it.
func (t *Tree) Order() []uint32 { return t.index[:t.n:t.n] }

// SearchLeaves is Search by leaf position (see Order) rather than item.
// Leaves of a node are neighbours in that order, so data a caller keeps
// in leaf order is read sequentially, where data kept by item is read at
// random: at a million items that is a cache miss per hit.
func (t *Tree) SearchLeaves(q Box, fn func(pos int) bool) {
	if t.n == 0 {
		return
	}
	var stackBuf [64]int
	stack := append(stackBuf[:0], len(t.boxes)-1) // the root
	for len(stack) > 0 {
		node := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		first := int(t.index[node])
		last := min(first+NodeSize, t.levelEnd(first))
		if first < t.n {
			for pos := first; pos < last; pos++ {
				if t.boxes[pos].Overlaps(q) && !fn(pos) {
					return
				}
			}
			continue
		}
		for pos := first; pos < last; pos++ {
			if t.boxes[pos].Overlaps(q) {
				stack = append(stack, pos)
			}
		}
	}
}

// levelEnd returns the end of the level that holds position pos.
func (t *Tree) levelEnd(pos int) int {
	for _, end := range t.levels[1:] {
		if pos < end {
			return end
		}
	}
	return len(t.boxes)
}

func union(a, b Box) Box {
	return Box{min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])}
}

// hilbert returns the position of (x, y) on the Hilbert curve filling the
// 65536 x 65536 grid (the bit-twiddling form of Rawlins, as flatbush uses).
func hilbert(x, y uint32) uint32 {
	a := x ^ y
	b := 0xFFFF ^ a
	c := 0xFFFF ^ (x | y)
	d := x & (y ^ 0xFFFF)

	A := a | (b >> 1)
	B := (a >> 1) ^ a
	C := ((c >> 1) ^ (b & (d >> 1))) ^ c
	D := ((a & (c >> 1)) ^ (d >> 1)) ^ d

	a, b, c, d = A, B, C, D
	A = (a & (a >> 2)) ^ (b & (b >> 2))
	B = (a & (b >> 2)) ^ (b & ((a ^ b) >> 2))
	C ^= (a & (c >> 2)) ^ (b & (d >> 2))
	D ^= (b & (c >> 2)) ^ ((a ^ b) & (d >> 2))

	a, b, c, d = A, B, C, D
	A = (a & (a >> 4)) ^ (b & (b >> 4))
	B = (a & (b >> 4)) ^ (b & ((a ^ b) >> 4))
	C ^= (a & (c >> 4)) ^ (b & (d >> 4))
	D ^= (b & (c >> 4)) ^ ((a ^ b) & (d >> 4))

	a, b, c, d = A, B, C, D
	C ^= (a & (c >> 8)) ^ (b & (d >> 8))
	D ^= (b & (c >> 8)) ^ ((a ^ b) & (d >> 8))

	a = C ^ (C >> 1)
	b = D ^ (D >> 1)

	i0 := x ^ y
	i1 := b | (0xFFFF ^ (i0 | a))

	i0 = (i0 | (i0 << 8)) & 0x00FF00FF
	i0 = (i0 | (i0 << 4)) & 0x0F0F0F0F
	i0 = (i0 | (i0 << 2)) & 0x33333333
	i0 = (i0 | (i0 << 1)) & 0x55555555

	i1 = (i1 | (i1 << 8)) & 0x00FF00FF
	i1 = (i1 | (i1 << 4)) & 0x0F0F0F0F
	i1 = (i1 | (i1 << 2)) & 0x33333333
	i1 = (i1 | (i1 << 1)) & 0x55555555

	return (i1 << 1) | i0
}

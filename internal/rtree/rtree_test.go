package rtree_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/planmap/planmap/internal/rtree"
)

func randomBoxes(r *rand.Rand, n int) []rtree.Box {
	boxes := make([]rtree.Box, n)
	for i := range boxes {
		x, y := 118+r.Float64()*8, 38+r.Float64()*6
		w, h := r.Float64()*0.05, r.Float64()*0.05
		if i%7 == 0 {
			w, h = 0, 0 // points
		}
		if i%101 == 0 {
			w, h = r.Float64()*3, r.Float64()*3 // a few large ones
		}
		boxes[i] = rtree.FromFloat64(x, y, x+w, y+h)
	}
	return boxes
}

func TestSearchMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 15, 16, 17, 255, 256, 257, 5000, 40000} {
		boxes := randomBoxes(r, n)
		tree := rtree.New(boxes)
		if tree.Len() != n {
			t.Fatalf("n=%d: Len %d", n, tree.Len())
		}
		queries := randomBoxes(r, 200)
		// Queries whose edges fall exactly on items' edges: overlap
		// includes the edges.
		for i := 0; i < 50 && n > 0; i++ {
			b := boxes[r.IntN(n)]
			queries = append(queries, rtree.Box{b[2], b[3], b[2] + 0.01, b[3] + 0.01}, rtree.Box{b[0] - 0.01, b[1] - 0.01, b[0], b[1]})
		}
		queries = append(queries, rtree.Box{-180, -90, 180, 90}, rtree.Box{0, 0, 1, 1})
		for _, q := range queries {
			var want, got []int
			for i, b := range boxes {
				if b.Overlaps(q) {
					want = append(want, i)
				}
			}
			tree.Search(q, func(i int) bool { got = append(got, i); return true })
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d query %v: got %d items, want %d", n, q, len(got), len(want))
			}
			got = got[:0]
			order := tree.Order()
			tree.SearchLeaves(q, func(pos int) bool { got = append(got, int(order[pos])); return true })
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d query %v: leaves give %d items, want %d", n, q, len(got), len(want))
			}
		}
	}
}

func TestSearchStops(t *testing.T) {
	tree := rtree.New(randomBoxes(rand.New(rand.NewPCG(3, 4)), 1000))
	calls := 0
	tree.Search(rtree.Box{-180, -90, 180, 90}, func(int) bool { calls++; return calls < 5 })
	if calls != 5 {
		t.Fatalf("fn ran %d times after asking to stop at 5", calls)
	}
	calls = 0
	tree.SearchLeaves(rtree.Box{-180, -90, 180, 90}, func(int) bool { calls++; return calls < 5 })
	if calls != 5 {
		t.Fatalf("SearchLeaves: fn ran %d times after asking to stop at 5", calls)
	}
}

// Order is a permutation of the items, and leaves of one node are
// neighbours in it: the property SearchLeaves is for.
func TestOrderIsAPermutation(t *testing.T) {
	boxes := randomBoxes(rand.New(rand.NewPCG(9, 10)), 3000)
	order := rtree.New(boxes).Order()
	seen := make([]bool, len(boxes))
	for _, item := range order {
		if seen[item] {
			t.Fatalf("item %d twice", item)
		}
		seen[item] = true
	}
	if len(order) != len(boxes) {
		t.Fatalf("%d items in order, want %d", len(order), len(boxes))
	}
}

// The rounding must be the one PostGIS applies to a geometry's box:
// outwards, so that the float32 box always holds the float64 one.
func TestFromFloat64RoundsOutwards(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 100000; i++ {
		lo := (r.Float64() - 0.5) * 400
		hi := lo + r.Float64()
		b := rtree.FromFloat64(lo, lo, hi, hi)
		if float64(b[0]) > lo || float64(b[2]) < hi {
			t.Fatalf("box %v does not hold [%v, %v]", b, lo, hi)
		}
		if float64(math.Nextafter32(b[0], math.MaxFloat32)) <= lo {
			t.Fatalf("min %v is not the largest float32 below %v", b[0], lo)
		}
		if float64(math.Nextafter32(b[2], -math.MaxFloat32)) >= hi {
			t.Fatalf("max %v is not the smallest float32 above %v", b[2], hi)
		}
	}
	if b := rtree.FromFloat64(1.5, 1.5, 1.5, 1.5); b != (rtree.Box{1.5, 1.5, 1.5, 1.5}) {
		t.Fatalf("an exact float32 value moved: %v", b)
	}
	if rtree.Down(math.Inf(-1)) != -math.MaxFloat32 || rtree.Up(math.Inf(1)) != math.MaxFloat32 {
		t.Fatal("infinities are not clamped")
	}
}

func BenchmarkSearch(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	tree := rtree.New(randomBoxes(r, 200000))
	q := rtree.FromFloat64(122, 41, 122.2, 41.2)
	b.ResetTimer()
	for b.Loop() {
		n := 0
		tree.Search(q, func(int) bool { n++; return true })
	}
}

func ExampleTree_Search() {
	tree := rtree.New([]rtree.Box{
		rtree.FromFloat64(123.3, 41.7, 123.5, 41.9), // Shenyang
		rtree.FromFloat64(121.5, 38.8, 121.7, 39.0), // Dalian
	})
	tree.Search(rtree.FromFloat64(123, 41, 124, 42), func(i int) bool {
		fmt.Println("item", i)
		return true
	})
	// Output: item 0
}

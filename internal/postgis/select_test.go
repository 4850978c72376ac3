package postgis

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSmallest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 1; n < 300; n++ {
		for _, k := range []int{1, 2, n / 3, n / 2, n - 1, n} {
			if k < 1 || k > n {
				continue
			}
			a := make([]uint32, n)
			for i := range a {
				a[i] = uint32(i * 3)
			}
			r.Shuffle(n, func(i, j int) { a[i], a[j] = a[j], a[i] })
			if n%5 == 0 {
				slices.Sort(a) // sorted and reversed inputs too
				if n%10 == 0 {
					slices.Reverse(a)
				}
			}
			smallest(a, k)
			front := slices.Clone(a[:k])
			slices.Sort(front)
			for i, v := range front {
				if v != uint32(i*3) {
					t.Fatalf("n=%d k=%d: front %v", n, k, front)
				}
			}
		}
	}
}

// Values spread over the whole uint32 range, and clustered: several
// rounds of buckets.
func TestSmallestWideAndClustered(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 200; round++ {
		n := 1 + r.IntN(5000)
		seen := map[uint32]bool{}
		a := make([]uint32, 0, n)
		for len(a) < n {
			var v uint32
			switch round % 3 {
			case 0:
				v = r.Uint32()
			case 1: // a tight cluster and a few far values
				v = 1<<31 + r.Uint32N(uint32(4*n))
				if r.IntN(100) == 0 {
					v = r.Uint32()
				}
			default: // two clusters far apart
				v = r.Uint32N(uint32(2*n)) + uint32(r.IntN(2))*(1<<30)
			}
			if !seen[v] {
				seen[v] = true
				a = append(a, v)
			}
		}
		want := slices.Clone(a)
		slices.Sort(want)
		k := 1 + r.IntN(n)
		smallest(a, k)
		front := slices.Clone(a[:k])
		slices.Sort(front)
		if !slices.Equal(front, want[:k]) {
			t.Fatalf("round %d n=%d k=%d: the front is not the k smallest", round, n, k)
		}
		all := slices.Clone(a)
		slices.Sort(all)
		if !slices.Equal(all, want) {
			t.Fatalf("round %d: values lost or repeated", round)
		}
	}
}

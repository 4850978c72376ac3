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

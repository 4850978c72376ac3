package lru_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/planmap/planmap/internal/lru"
)

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := lru.New[string](10)
	c.Put("a", "A", 4)
	c.Put("b", "B", 4)
	if v, ok := c.Get("a"); !ok || v != "A" {
		t.Fatalf("a: %q %v", v, ok)
	}
	c.Put("c", "C", 4) // 12 > 10: b, the least recently used, goes
	if _, ok := c.Get("b"); ok {
		t.Fatal("b kept")
	}
	if c.Len() != 2 || c.Cost() != 8 {
		t.Fatalf("len %d cost %d", c.Len(), c.Cost())
	}
	c.Put("a", "A2", 2) // replacing returns the old cost
	if v, _ := c.Get("a"); v != "A2" || c.Cost() != 6 {
		t.Fatalf("a %q, cost %d", v, c.Cost())
	}
	c.Put("huge", "H", 11) // larger than the bound: nothing fits, all go
	if c.Len() != 0 || c.Cost() != 0 {
		t.Fatalf("after a value larger than the cache: len %d cost %d", c.Len(), c.Cost())
	}
}

func TestCacheChargeAndRemoveIf(t *testing.T) {
	c := lru.New[*string](100)
	x, y := "x", "y"
	c.Put("k", &x, 10)
	if c.Charge("k", 5, func(v *string) bool { return v == &y }) || c.Cost() != 10 {
		t.Fatal("charged another value")
	}
	if !c.Charge("k", 5, func(v *string) bool { return v == &x }) || c.Cost() != 15 {
		t.Fatalf("cost %d after a charge", c.Cost())
	}
	if c.Charge("gone", 5, func(*string) bool { return true }) {
		t.Fatal("charged a missing key")
	}
	c.Put("k2", &y, 10)
	c.RemoveIf(func(key string, v *string) bool { return *v == "x" })
	if _, ok := c.Get("k"); ok || c.Cost() != 10 || c.Len() != 1 {
		t.Fatalf("after RemoveIf: cost %d len %d", c.Cost(), c.Len())
	}
	// A charge past the bound evicts.
	c.Charge("k2", 95, func(*string) bool { return true })
	if c.Len() != 0 || c.Cost() != 0 {
		t.Fatalf("after a charge past the bound: len %d cost %d", c.Len(), c.Cost())
	}
}

func TestCacheConcurrentUse(t *testing.T) {
	c := lru.New[int](1000)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				k := fmt.Sprint((g*31 + i) % 300)
				c.Put(k, i, 7)
				c.Get(k)
			}
		}(g)
	}
	wg.Wait()
	if c.Cost() > 1000 || c.Cost() != 7*c.Len() {
		t.Fatalf("cost %d for %d values", c.Cost(), c.Len())
	}
}

func ExampleCache() {
	c := lru.New[string](8)
	c.Put("tile/11/775/1710", "…", 5)
	c.Put("tile/11/775/1711", "…", 5) // over 8: the first goes
	_, first := c.Get("tile/11/775/1710")
	_, second := c.Get("tile/11/775/1711")
	fmt.Println(first, second, c.Cost())
	// Output: false true 5
}

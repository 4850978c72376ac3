// Package lru is a map of string keys to values that each cost some bytes,
// bounded by what they cost together: putting a value past the bound drops
// the least recently used ones. It is safe for concurrent use.
package lru

import (
	"container/list"
	"sync"
)

// Cache holds values by key up to a total cost. The zero value is not
// usable; use New.
type Cache[V any] struct {
	mu      sync.Mutex
	max     int
	size    int
	order   *list.List // most recently used first
	entries map[string]*list.Element
}

type item[V any] struct {
	key   string
	value V
	cost  int
}

// New returns a cache whose values cost at most maxCost together.
func New[V any](maxCost int) *Cache[V] {
	return &Cache[V]{max: maxCost, order: list.New(), entries: map[string]*list.Element{}}
}

// Get returns the value of key and marks it used.
func (c *Cache[V]) Get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*item[V]).value, true
}

// Put stores value under key at cost, replacing what key held, and drops
// the least recently used values until the cache fits.
func (c *Cache[V]) Put(key string, value V, cost int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.remove(el)
	}
	c.entries[key] = c.order.PushFront(&item[V]{key: key, value: value, cost: cost})
	c.size += cost
	c.evict()
}

// Charge adds extra to the cost of key's value, if key still holds a value
// for which same is true, and drops values until the cache fits; it
// reports whether it did.
func (c *Cache[V]) Charge(key string, extra int, same func(V) bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok || !same(el.Value.(*item[V]).value) {
		return false
	}
	el.Value.(*item[V]).cost += extra
	c.size += extra
	c.evict()
	return true
}

// RemoveIf drops every value for which drop is true.
func (c *Cache[V]) RemoveIf(drop func(key string, value V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for el := c.order.Front(); el != nil; {
		next := el.Next()
		if it := el.Value.(*item[V]); drop(it.key, it.value) {
			c.remove(el)
		}
		el = next
	}
}

// Len and Cost return how many values the cache holds and what they cost.
func (c *Cache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// Cost returns what the values held cost together.
func (c *Cache[V]) Cost() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

func (c *Cache[V]) evict() {
	for c.size > c.max && c.order.Len() > 0 {
		c.remove(c.order.Back())
	}
}

func (c *Cache[V]) remove(el *list.Element) {
	it := el.Value.(*item[V])
	delete(c.entries, it.key)
	c.order.Remove(el)
	c.size -= it.cost
}

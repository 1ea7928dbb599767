// This file implements the bounded cache of encoded results.

package transport

import (
	"container/list"
	"sync"
)

// lru is a least-recently-used cache of byte slices bounded by their total
// length. The zero capacity disables it.
type lru struct {
	mu    sync.Mutex
	max   int64
	size  int64
	order *list.List // front = most recently used; values are *lruEntry
	items map[string]*list.Element
}

type lruEntry struct {
	key  string
	data []byte
}

func newLRU(max int64) *lru {
	return &lru{max: max, order: list.New(), items: make(map[string]*list.Element)}
}

func (c *lru) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry).data, true
}

// put stores data unless it alone is larger than the cache, evicting the
// least recently used entries to make room.
func (c *lru) put(key string, data []byte) {
	n := int64(len(data))
	c.mu.Lock()
	defer c.mu.Unlock()
	if n > c.max {
		return
	}
	if e, ok := c.items[key]; ok {
		c.size -= int64(len(e.Value.(*lruEntry).data))
		c.order.Remove(e)
		delete(c.items, key)
	}
	for c.size+n > c.max {
		last := c.order.Back()
		ent := last.Value.(*lruEntry)
		c.size -= int64(len(ent.data))
		c.order.Remove(last)
		delete(c.items, ent.key)
	}
	c.items[key] = c.order.PushFront(&lruEntry{key: key, data: data})
	c.size += n
}

// stats returns the number of entries and their total size.
func (c *lru) stats() (entries int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items), c.size
}

package logs

import (
	"container/list"
	"strconv"
	"sync"
)

// chunkCache keeps chunk blobs in memory, up to a byte budget, least recently used
// first out: those Logs Insights queries read and those stored in the store (not the
// chunks PutLogEvents writes to files, which searches read into reused buffers). Chunks never change once written, so a cached
// blob is always right; the key carries the group's generation and the stream's ID,
// so a group or stream deleted and created again under the same name never meets its
// predecessor's chunks.
type chunkCache struct {
	mu     sync.Mutex
	budget int
	size   int
	lru    *list.List // of *cacheEntry, most recent at the front
	byKey  map[string]*list.Element
}

type cacheEntry struct {
	key  string
	blob []byte
}

// DefaultChunkCache is the chunk cache's budget unless Deps says otherwise.
const DefaultChunkCache = 256 << 20

func newChunkCache(budget int) *chunkCache {
	return &chunkCache{budget: budget, lru: list.New(), byKey: map[string]*list.Element{}}
}

func cacheKey(account, region string, g *groupRec, m *chunkMeta) string {
	return account + "/" + region + "/" + g.Gen + "/" + strconv.FormatInt(m.ID, 10) + "/" + m.key
}

func (c *chunkCache) get(key string) ([]byte, bool) {
	if c == nil || c.budget <= 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(e)
	return e.Value.(*cacheEntry).blob, true
}

func (c *chunkCache) put(key string, blob []byte) {
	if c == nil || len(blob) > c.budget {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		c.lru.MoveToFront(e)
		return
	}
	c.byKey[key] = c.lru.PushFront(&cacheEntry{key: key, blob: blob})
	c.size += len(blob)
	for c.size > c.budget {
		old := c.lru.Back()
		ent := old.Value.(*cacheEntry)
		c.lru.Remove(old)
		delete(c.byKey, ent.key)
		c.size -= len(ent.blob)
	}
}

package s3

import (
	"encoding/json"
	"sync"
	"sync/atomic"

	"github.com/palisade/palisade/internal/store"
)

// bucketCache keeps decoded bucket records, so the calls on a bucket do not read and
// decode its record twice (authorization, then the handler) on every request. An
// entry is used only while the cache's generation is the one it was loaded at: every
// write of a bucket record bumps the generation at once (so later reads in the same
// write transaction see the change) and again when it commits (so reads whose
// snapshot predates the commit cannot leave a stale entry behind).
type bucketCache struct {
	gen     atomic.Uint64
	mu      sync.RWMutex
	entries map[string]cachedBucket
}

type cachedBucket struct {
	gen uint64
	b   *bucketRec // nil: no such bucket
}

func newBucketCache() *bucketCache { return &bucketCache{entries: map[string]cachedBucket{}} }

// get returns a copy of the bucket's record, from the cache or the transaction.
func (c *bucketCache) get(tx *store.Tx, name string) (*bucketRec, error) {
	gen := c.gen.Load()
	c.mu.RLock()
	e, ok := c.entries[name]
	c.mu.RUnlock()
	if ok && e.gen == gen {
		if e.b == nil {
			return nil, nil
		}
		cp := *e.b
		return &cp, nil
	}
	raw, found, err := tx.Get(nsBuckets, name)
	if err != nil {
		return nil, err
	}
	var b *bucketRec
	if found {
		b = &bucketRec{}
		if err := json.Unmarshal(raw, b); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	if len(c.entries) > 4096 {
		clear(c.entries)
	}
	c.entries[name] = cachedBucket{gen: gen, b: b}
	c.mu.Unlock()
	if b == nil {
		return nil, nil
	}
	cp := *b
	return &cp, nil
}

// changed invalidates the cache for a write of a bucket record in tx.
func (c *bucketCache) changed(tx *store.Tx) {
	c.gen.Add(1)
	tx.AfterCommit(func() { c.gen.Add(1) })
}

// callObjects hands the object version the authorization checks read to the handler
// of the same call, which runs in the same transaction right after them, so a GET
// reads the version's record once. Entries are taken by the handler or dropped when
// the call is over.
type callObjects struct{ m sync.Map } // *server.Call → *objRec (nil: none)

func (co *callObjects) put(c any, o *objRec) { co.m.Store(c, o) }

// take returns what the checks read for the call, if they read it.
func (co *callObjects) take(c any) (*objRec, bool) {
	v, ok := co.m.LoadAndDelete(c)
	if !ok {
		return nil, false
	}
	return v.(*objRec), true
}

func (co *callObjects) drop(c any) { co.m.Delete(c) }

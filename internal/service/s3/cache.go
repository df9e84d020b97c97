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
// reads the version's record once; it also holds the object cache's generation the
// call's read-only transaction started at (see objectCache). Entries are taken by the
// handler or dropped when the call is over.
type callObjects struct{ m sync.Map } // *server.Call → *callView

type callView struct {
	gen  uint64
	o    *objRec
	seen bool // the checks read o
}

// view returns the call's state, created (with the cache's generation now) on first use.
func (co *callObjects) view(c any, oc *objectCache) *callView {
	if v, ok := co.m.Load(c); ok {
		return v.(*callView)
	}
	v, _ := co.m.LoadOrStore(c, &callView{gen: oc.gen.Load()})
	return v.(*callView)
}

func (co *callObjects) put(c any, o *objRec) {
	if v, ok := co.m.Load(c); ok {
		cv := v.(*callView)
		cv.o, cv.seen = o, true
		return
	}
	co.m.Store(c, &callView{o: o, seen: true})
}

// take returns what the checks read for the call, if they read it.
func (co *callObjects) take(c any) (*objRec, bool) {
	v, ok := co.m.Load(c)
	if !ok {
		return nil, false
	}
	cv := v.(*callView)
	o, seen := cv.o, cv.seen
	cv.o, cv.seen = nil, false
	return o, seen
}

func (co *callObjects) drop(c any) { co.m.Delete(c) }

// objectCache keeps current-object records and small sealed bodies in memory, so that
// a GET or HEAD of an object read or written recently touches no store page: on a
// busy store every read snapshot after a commit starts cold (SQLite drops a reader's
// pages and mapping whenever the database changed), and an object's record and body
// were most of a small GET's cost.
//
// Only read-only calls use it; write transactions always read the store, which holds
// their own and their batch's uncommitted writes. Consistency:
//   - Every write of a current-object record (putCur, delCur) updates the cache in its
//     transaction's AfterCommit hook, which the committing caller runs in commit order
//     before any call of that batch is answered, so the last hook leaves the last
//     committed state, and a call that started after a write was acknowledged finds
//     the new record or none. Rolled-back writes leave no hook.
//   - A reader that missed fills the cache from its snapshot only if no write hook
//     ran since it took gen, which it does before its transaction's first store read
//     (startView): a snapshot older than some committed write cannot leave its record
//     behind.
//   - A body name's bytes never change (names are random and never reused), so a body
//     is valid for as long as any record names it; bodies dropped by a commit leave
//     the cache in its hook.
type objectCache struct {
	gen       atomic.Uint64
	mu        sync.RWMutex
	recs      map[string]*cachedObj // bucket NUL key → current record
	bodies    map[string][]byte     // body name → sealed bytes
	bodyBytes int
}

// cachedObj is a current-object record as stored (JSON), decoded once on first use.
type cachedObj struct {
	raw  []byte
	once sync.Once
	o    *objRec
	err  error
}

func (e *cachedObj) rec() (*objRec, error) {
	e.once.Do(func() {
		e.o = &objRec{}
		if e.err = json.Unmarshal(e.raw, e.o); e.err != nil {
			e.o = nil
		}
	})
	if e.o == nil {
		return nil, e.err
	}
	cp := *e.o // shallow: callers do not change what a record points to
	return &cp, nil
}

// The cache's bounds: past either, entries are dropped at random.
const (
	maxCachedObjs   = 1 << 14
	maxCachedBodies = 16 << 20
)

func newObjectCache() *objectCache {
	return &objectCache{recs: map[string]*cachedObj{}, bodies: map[string][]byte{}}
}

func objCacheKey(bucket, key string) string { return bucket + "\x00" + key }

// get returns the cached current record of bucket/key.
func (oc *objectCache) get(bucket, key string) (*objRec, bool) {
	oc.mu.RLock()
	e := oc.recs[objCacheKey(bucket, key)]
	oc.mu.RUnlock()
	if e == nil {
		return nil, false
	}
	o, err := e.rec()
	return o, err == nil
}

// fill caches a record a read-only call read from its snapshot, taken after gen was g.
func (oc *objectCache) fill(g uint64, bucket, key string, raw []byte) {
	oc.mu.Lock()
	defer oc.mu.Unlock()
	if oc.gen.Load() != g {
		return
	}
	oc.setLocked(objCacheKey(bucket, key), raw)
}

func (oc *objectCache) setLocked(k string, raw []byte) {
	if raw == nil {
		delete(oc.recs, k)
		return
	}
	if len(oc.recs) >= maxCachedObjs {
		for victim := range oc.recs {
			delete(oc.recs, victim)
			break
		}
	}
	oc.recs[k] = &cachedObj{raw: raw}
}

// wrote records, once tx commits, bucket/key's new current record (raw JSON; nil
// when the key has none now).
func (oc *objectCache) wrote(tx *store.Tx, bucket, key string, raw []byte) {
	k := objCacheKey(bucket, key)
	tx.AfterCommit(func() {
		oc.mu.Lock()
		oc.setLocked(k, raw)
		oc.gen.Add(1)
		oc.mu.Unlock()
	})
}

// body returns a cached sealed body.
func (oc *objectCache) body(name string) ([]byte, bool) {
	oc.mu.RLock()
	b, ok := oc.bodies[name]
	oc.mu.RUnlock()
	return b, ok
}

// addBody caches a sealed body (read from a snapshot or committed: its bytes are the
// name's for good).
func (oc *objectCache) addBody(name string, data []byte) {
	oc.mu.Lock()
	defer oc.mu.Unlock()
	if _, ok := oc.bodies[name]; ok || len(data) > maxCachedBodies/64 {
		return
	}
	for victim, b := range oc.bodies {
		if oc.bodyBytes+len(data) <= maxCachedBodies {
			break
		}
		delete(oc.bodies, victim)
		oc.bodyBytes -= len(b)
	}
	oc.bodies[name] = data
	oc.bodyBytes += len(data)
}

// storedBody caches a body once tx, which stores it, commits.
func (oc *objectCache) storedBody(tx *store.Tx, name string, data []byte) {
	tx.AfterCommit(func() { oc.addBody(name, data) })
}

// droppedBody forgets a body once tx, which deletes it, commits.
func (oc *objectCache) droppedBody(tx *store.Tx, name string) {
	tx.AfterCommit(func() {
		oc.mu.Lock()
		if b, ok := oc.bodies[name]; ok {
			delete(oc.bodies, name)
			oc.bodyBytes -= len(b)
		}
		oc.mu.Unlock()
	})
}

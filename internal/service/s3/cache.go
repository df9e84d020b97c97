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
// write of a bucket record bumps the generation at once and again when it commits.
//
// An entry must hold the last committed state of its bucket (a write transaction
// trusts it), so only reads that are known to see that state fill the cache:
//   - A read-only transaction fills only when it began a view (begin) before its
//     first store read and no bucket write has happened since: its snapshot then
//     holds every committed bucket write. (A reader whose snapshot predated a commit
//     once filled the cache, at the generation after that commit, with the state
//     before it: a GET racing DeleteBucket left the deleted bucket cached, and later
//     PutObjects wrote objects into a bucket that no longer existed.)
//   - A write transaction fills only while it holds no bucket write of its own
//     (dirty): what it reads after one is uncommitted, and a rolled-back write runs
//     no hook. Once it holds one, it does not use the cache at all: a reader may
//     have filled an entry with the committed state after the write's first bump.
type bucketCache struct {
	gen     atomic.Uint64
	mu      sync.RWMutex
	entries map[string]cachedBucket
	// views holds, for each read-only transaction that began a view, the generation
	// taken before its first store read.
	views sync.Map // *store.Tx → uint64
	// dirty is the write transaction (the store's single writer) that has written a
	// bucket record not yet committed.
	dirty atomic.Pointer[store.Tx]
}

type cachedBucket struct {
	gen uint64
	b   *bucketRec // nil: no such bucket
}

func newBucketCache() *bucketCache { return &bucketCache{entries: map[string]cachedBucket{}} }

// begin notes the generation for a read-only transaction that has not read the store
// yet, so that what it reads may fill the cache; end forgets it.
func (c *bucketCache) begin(tx *store.Tx) {
	if tx != nil && tx.ReadOnly() {
		c.views.LoadOrStore(tx, c.gen.Load())
	}
}

func (c *bucketCache) end(tx *store.Tx) {
	if tx != nil {
		c.views.Delete(tx)
	}
}

// get returns a copy of the bucket's record, from the cache or the transaction.
func (c *bucketCache) get(tx *store.Tx, name string) (*bucketRec, error) {
	dirty := !tx.ReadOnly() && c.dirty.Load() == tx
	gen := c.gen.Load()
	if !dirty {
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
	fill := !dirty
	if tx.ReadOnly() {
		v, ok := c.views.Load(tx)
		fill = ok && v.(uint64) == gen
	}
	if fill {
		c.mu.Lock()
		if len(c.entries) > 4096 {
			clear(c.entries)
		}
		c.entries[name] = cachedBucket{gen: gen, b: b}
		c.mu.Unlock()
	}
	if b == nil {
		return nil, nil
	}
	cp := *b
	return &cp, nil
}

// changed invalidates the cache for a write of a bucket record in tx.
func (c *bucketCache) changed(tx *store.Tx) {
	c.dirty.Store(tx)
	c.gen.Add(1)
	tx.AfterCommit(func() {
		c.gen.Add(1)
		c.dirty.CompareAndSwap(tx, nil)
	})
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
	seen bool      // the checks read o
	tx   *store.Tx // the read-only transaction that began a bucket cache view
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

func (co *callObjects) drop(c any) {
	if v, ok := co.m.LoadAndDelete(c); ok {
		if tx := v.(*callView).tx; tx != nil {
			buckets(tx).end(tx)
		}
	}
}

// objectCache keeps current-object records, each with the sealed bytes of its inline
// bodies, in memory, so that a GET or HEAD of an object read or written recently
// touches no store page: on a busy store every read snapshot after a commit starts
// cold, and an object's record and body were most of a small GET's cost.
//
// Only read-only calls use it; write transactions always read the store, which holds
// their own and their batch's uncommitted writes. Consistency:
//   - An entry holds a record together with every inline body it names, so a call that
//     takes a record from the cache reads nothing of that object from its snapshot,
//     which may be older or newer than the entry (a snapshot begins at a transaction's
//     first store read, and commit hooks run after the commit). A record and its bodies
//     therefore always come from one state: both from the cache, or both from the
//     call's snapshot. (Bodies once had their own map, and a GET could take a record
//     from the cache and its body from a snapshot that no longer or did not yet hold
//     it: concurrent overwrites of a small object answered 500.)
//   - Every write of a current-object record (putCur, delCur) updates the cache in its
//     transaction's AfterCommit hook, which the committing caller runs in commit order
//     before any call of that batch is answered, so the last hook leaves the last
//     committed state, and a call that started after a write was acknowledged finds
//     the new entry or none. A write that does not know the record's bodies (a tag
//     change, a completed multipart upload) removes the entry instead. Rolled-back
//     writes leave no hook.
//   - A reader that missed fills the cache from its snapshot — a record with no inline
//     bodies when it reads it, one with inline bodies once it has read them all (GET) —
//     only if no write hook ran since it took gen, which it does before its
//     transaction's first store read (startView): a snapshot older than some committed
//     write cannot leave its state behind.
type objectCache struct {
	gen       atomic.Uint64
	mu        sync.RWMutex
	recs      map[string]*cachedObj // bucket NUL key → current record
	bodyBytes int
}

// cachedObj is a current-object record as stored (JSON), decoded once on first use,
// with the sealed bytes of each of its inline bodies by name.
type cachedObj struct {
	raw    []byte
	bodies map[string][]byte
	size   int // the bodies' bytes
	once   sync.Once
	o      *objRec
	err    error
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
	cp.bodies = e.bodies
	return &cp, nil
}

// The cache's bounds: past either, entries are dropped at random. An object whose
// inline bodies exceed maxCachedObjBodies is not cached.
const (
	maxCachedObjs      = 1 << 14
	maxCachedBodies    = 16 << 20
	maxCachedObjBodies = maxCachedBodies / 64
)

func newObjectCache() *objectCache {
	return &objectCache{recs: map[string]*cachedObj{}}
}

func objCacheKey(bucket, key string) string { return bucket + "\x00" + key }

// get returns the cached current record of bucket/key, its inline bodies attached.
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

// fill caches a record (raw, decoded as o) and the inline bodies a read-only call read
// from its snapshot, taken after gen was g; nothing when some inline body is missing.
func (oc *objectCache) fill(g uint64, bucket, key string, raw []byte, o *objRec, bodies map[string][]byte) {
	oc.mu.Lock()
	defer oc.mu.Unlock()
	if oc.gen.Load() != g {
		return
	}
	if e := newCachedObj(raw, o, bodies); e != nil {
		oc.setLocked(objCacheKey(bucket, key), e)
	}
}

// newCachedObj is the entry for a record whose inline bodies are in bodies; nil when
// one is missing or they are too large to keep.
func newCachedObj(raw []byte, o *objRec, bodies map[string][]byte) *cachedObj {
	e := &cachedObj{raw: raw}
	for _, sg := range o.Segments {
		if !sg.Inline {
			continue
		}
		data, ok := bodies[sg.File]
		if !ok {
			return nil
		}
		if e.bodies == nil {
			e.bodies = map[string][]byte{}
		}
		e.bodies[sg.File] = data
		e.size += len(data)
	}
	if e.size > maxCachedObjBodies {
		return nil
	}
	return e
}

// setLocked stores e (nil: removes the entry) under k, dropping entries at random
// while the cache is over a bound.
func (oc *objectCache) setLocked(k string, e *cachedObj) {
	if old := oc.recs[k]; old != nil {
		oc.bodyBytes -= old.size
		delete(oc.recs, k)
	}
	if e == nil {
		return
	}
	for victim, v := range oc.recs {
		if len(oc.recs) < maxCachedObjs && oc.bodyBytes+e.size <= maxCachedBodies {
			break
		}
		oc.bodyBytes -= v.size
		delete(oc.recs, victim)
	}
	oc.recs[k] = e
	oc.bodyBytes += e.size
}

// wrote records, once tx commits, bucket/key's new current record o (encoded as raw;
// nil when the key has none now). o.bodies holds the inline bodies the write knows;
// when it lacks one, the key leaves the cache.
func (oc *objectCache) wrote(tx *store.Tx, bucket, key string, o *objRec, raw []byte) {
	k := objCacheKey(bucket, key)
	var e *cachedObj
	if o != nil {
		if e = newCachedObj(raw, o, o.bodies); e != nil {
			// The entry starts decoded: the record raw encodes is o itself, which its
			// write no longer changes once stored (nor do readers change what a record
			// points to), so the next write of the key (currentForWrite) or read of it
			// decodes no JSON.
			cp := *o
			cp.bodies, cp.cacheRaw = nil, nil
			e.o = &cp
			e.once.Do(func() {})
		}
	}
	tx.AfterCommit(func() {
		oc.mu.Lock()
		oc.setLocked(k, e)
		oc.gen.Add(1)
		oc.mu.Unlock()
	})
}

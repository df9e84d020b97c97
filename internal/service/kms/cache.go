package kms

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/palisade/palisade/internal/store"
)

// keyCache keeps the stored bytes of keys for read-only calls, the cryptographic hot
// path, so a call does not query the store for its key.
//
// Correctness rests on generations: every committed write of a key bumps its
// generation and stores the bytes written (tx.AfterCommit, run in commit order on the
// writer); an entry is used only while its generation is current. A key read-only
// calls find missing is loaded in the background in a fresh transaction begun after
// its generation was read, so what it caches is at least as new as every write that
// generation counts; the call itself reads its own snapshot (a nested read
// transaction could exhaust the store's readers). Write transactions never use the
// cache: they must see their own uncommitted writes.
type keyCache struct {
	mu      sync.RWMutex
	gens    map[string]uint64
	entries map[string]cacheEntry
	loading map[string]bool
}

type cacheEntry struct {
	gen  uint64
	data []byte
	// rec is data decoded, filled by the first read that needs it: decoding a key's
	// JSON cost more than anything else a cached Encrypt does. Shared by every reader,
	// so never changed (readKey hands out copies).
	rec *keyRec
}

func cacheKey(account, region, id string) string { return account + "/" + region + "/" + id }

func (c *keyCache) init() {
	if c.gens == nil {
		c.gens, c.entries, c.loading = map[string]uint64{}, map[string]cacheEntry{}, map[string]bool{}
	}
}

// changed registers a write of a key (nil data: deleted), effective when tx commits.
func (c *keyCache) changed(tx *store.Tx, account, region, id string, data []byte) {
	key := cacheKey(account, region, id)
	tx.AfterCommit(func() {
		c.mu.Lock()
		c.init()
		c.gens[key]++
		if data != nil {
			c.entries[key] = cacheEntry{gen: c.gens[key], data: data}
		} else {
			delete(c.entries, key)
		}
		c.mu.Unlock()
	})
}

// get returns a key's cached record; on a miss it starts loading it and reports
// false.
func (c *keyCache) get(db *store.DB, account, region, id string) (*keyRec, bool, error) {
	key := cacheKey(account, region, id)
	c.mu.RLock()
	gen := c.gens[key]
	e, ok := c.entries[key]
	busy := c.loading[key]
	c.mu.RUnlock()
	if ok && e.gen == gen {
		if e.rec != nil {
			return e.rec, true, nil
		}
		r := new(keyRec)
		if err := json.Unmarshal(e.data, r); err != nil {
			return nil, false, err
		}
		c.mu.Lock()
		if cur, ok := c.entries[key]; ok && cur.gen == e.gen && cur.rec == nil {
			cur.rec = r
			c.entries[key] = cur
		}
		c.mu.Unlock()
		return r, true, nil
	}
	if !busy {
		c.mu.Lock()
		c.init()
		if !c.loading[key] {
			c.loading[key] = true
			go c.load(db, key, account, region, id, gen)
		}
		c.mu.Unlock()
	}
	return nil, false, nil
}

func (c *keyCache) load(db *store.DB, key, account, region, id string, gen uint64) {
	var data []byte
	err := db.View(context.Background(), func(tx *store.Tx) error {
		v, found, err := tx.Get(ns(account, region, tKeys), id)
		if found {
			data = v
		}
		return err
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.loading, key)
	if err == nil && data != nil && c.gens[key] == gen {
		c.entries[key] = cacheEntry{gen: gen, data: data}
	}
}

// readKey reads a key record: from the cache in read-only transactions when it has
// the key, else from tx.
func (k *KMS) readKey(tx *store.Tx, account, region, id string) (*keyRec, error) {
	if tx.ReadOnly() && k.db != nil {
		r, ok, err := k.cache.get(k.db, account, region, id)
		if err != nil {
			return nil, err
		}
		if ok {
			// A copy, so a caller that sets a field cannot change the cached record; the
			// slices stay shared, and read-only calls never change their elements.
			cp := *r
			return &cp, nil
		}
	}
	return load[keyRec](tx, ns(account, region, tKeys), id)
}

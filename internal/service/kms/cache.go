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
// generation (tx.AfterCommit, run in commit order on the writer); an entry is used
// only while its generation is current; and a miss reads the key in a fresh
// transaction begun after the generation was read, so what it caches is at least as
// new as every write that generation counts. Write transactions never use the cache:
// they must see their own uncommitted writes.
type keyCache struct {
	mu      sync.RWMutex
	gens    map[string]uint64
	entries map[string]cacheEntry
}

type cacheEntry struct {
	gen  uint64
	data []byte
}

func cacheKey(account, region, id string) string { return account + "/" + region + "/" + id }

// changed registers a write of a key, effective when tx commits.
func (c *keyCache) changed(tx *store.Tx, account, region, id string) {
	key := cacheKey(account, region, id)
	tx.AfterCommit(func() {
		c.mu.Lock()
		if c.gens == nil {
			c.gens, c.entries = map[string]uint64{}, map[string]cacheEntry{}
		}
		c.gens[key]++
		delete(c.entries, key)
		c.mu.Unlock()
	})
}

// get returns a key's stored bytes (nil when there is no such key).
func (c *keyCache) get(db *store.DB, account, region, id string) ([]byte, error) {
	key := cacheKey(account, region, id)
	c.mu.RLock()
	gen := c.gens[key]
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if ok && e.gen == gen {
		return e.data, nil
	}
	var data []byte
	err := db.View(context.Background(), func(tx *store.Tx) error {
		v, found, err := tx.Get(ns(account, region, tKeys), id)
		if found {
			data = v
		}
		return err
	})
	if err != nil || data == nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gens == nil {
		c.gens, c.entries = map[string]uint64{}, map[string]cacheEntry{}
	}
	if c.gens[key] == gen {
		c.entries[key] = cacheEntry{gen: gen, data: data}
	}
	c.mu.Unlock()
	return data, nil
}

// readKey reads a key record: from the cache in read-only transactions, else from tx.
func (k *KMS) readKey(tx *store.Tx, account, region, id string) (*keyRec, error) {
	if !tx.ReadOnly() || k.db == nil {
		return load[keyRec](tx, ns(account, region, tKeys), id)
	}
	data, err := k.cache.get(k.db, account, region, id)
	if err != nil || data == nil {
		return nil, err
	}
	r := new(keyRec)
	if err := json.Unmarshal(data, r); err != nil {
		return nil, err
	}
	return r, nil
}

package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"hash/maphash"
	"sync"
)

// DefaultCacheSize is the number of signing keys a zero Verifier keeps. One key
// serves one secret for one day, region and service, so this covers thousands of
// active access keys.
const DefaultCacheSize = 4096

// Verifier checks signatures and caches derived signing keys. Deriving a key costs
// four HMACs, more than verifying a small request; a cached key costs a hash lookup.
//
// The zero Verifier is ready to use with DefaultCacheSize. A Verifier is safe for
// concurrent use and must not be copied after first use.
type Verifier struct {
	// CacheSize bounds the number of cached keys; 0 means DefaultCacheSize and a
	// negative value disables the cache.
	CacheSize int

	once sync.Once
	seed maphash.Seed
	mu   sync.RWMutex
	keys map[uint64]*keyEntry
}

// keyEntry keeps its inputs so that a hash collision yields a miss, never another
// secret's key.
type keyEntry struct {
	secret                []byte
	date, region, service string
	key                   [sha256.Size]byte
}

// String keeps the Verifier's cached secrets out of any %v of a struct holding it.
func (v *Verifier) String() string { return "sigv4.Verifier" }

// GoString keeps the cached secrets out of %#v too.
func (v *Verifier) GoString() string { return "sigv4.Verifier{}" }

func (v *Verifier) signingKey(secret []byte, s Scope) [sha256.Size]byte {
	size := v.CacheSize
	if size == 0 {
		size = DefaultCacheSize
	}
	if size < 0 {
		return deriveKey(secret, s)
	}
	v.once.Do(func() { v.seed = maphash.MakeSeed() })
	var h maphash.Hash
	h.SetSeed(v.seed)
	h.Write(secret)
	h.WriteByte(0)
	h.WriteString(s.Date)
	h.WriteByte(0)
	h.WriteString(s.Region)
	h.WriteByte(0)
	h.WriteString(s.Service)
	id := h.Sum64()

	v.mu.RLock()
	e := v.keys[id]
	v.mu.RUnlock()
	if e != nil && e.date == s.Date && e.region == s.Region && e.service == s.Service &&
		subtle.ConstantTimeCompare(e.secret, secret) == 1 {
		return e.key
	}
	e = &keyEntry{secret: append([]byte(nil), secret...), date: s.Date, region: s.Region,
		service: s.Service, key: deriveKey(secret, s)}
	v.mu.Lock()
	if v.keys == nil {
		v.keys = make(map[uint64]*keyEntry)
	}
	if len(v.keys) >= size {
		// Evict an arbitrary entry: keys age out daily anyway, and an LRU would
		// put a write lock on every hit.
		for k := range v.keys {
			delete(v.keys, k)
			break
		}
	}
	v.keys[id] = e
	v.mu.Unlock()
	return e.key
}

// deriveKey is kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func deriveKey(secret []byte, s Scope) [sha256.Size]byte {
	k := make([]byte, 0, 4+len(secret))
	k = append(append(k, "AWS4"...), secret...)
	k = hmacSum(k, s.Date)
	k = hmacSum(k, s.Region)
	k = hmacSum(k, s.Service)
	k = hmacSum(k, "aws4_request")
	return [sha256.Size]byte(k)
}

func hmacSum(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/palisade/palisade/internal/store"
)

// keysNS is where access keys live, by access key ID. Keys are global (not per region)
// as in IAM.
const keysNS = "auth/access-keys"

// storedKey is an access key as stored: the secret is sealed under the master key with
// the key ID as associated data.
type storedKey struct {
	AccessKeyID string    `json:"accessKeyId"`
	Sealed      []byte    `json:"secret"`
	Active      bool      `json:"active"`
	Principal   Principal `json:"principal"`
	Created     time.Time `json:"created"`
}

// Keys resolves access key IDs to credentials, caching them in memory: signature
// checks are on every request's path.
type Keys struct {
	db     *store.DB
	sealer *store.Sealer
	mu     sync.RWMutex
	cache  map[string]*Credential
	// gen counts invalidations, so a lookup that read the store before a change
	// committed does not cache what it read after the change's invalidation.
	gen uint64
}

// NewKeys returns the key store over db.
func NewKeys(db *store.DB, sealer *store.Sealer) *Keys {
	return &Keys{db: db, sealer: sealer, cache: map[string]*Credential{}}
}

func sealContext(id string) string { return "access-key/" + id }

// Lookup returns the credential for an access key ID; ok is false when none exists.
func (k *Keys) Lookup(ctx context.Context, id string) (*Credential, bool, error) {
	k.mu.RLock()
	c, ok := k.cache[id]
	gen := k.gen
	k.mu.RUnlock()
	if ok {
		return c, true, nil
	}
	var sk storedKey
	var found bool
	err := k.db.View(ctx, func(tx *store.Tx) error {
		var err error
		found, err = tx.GetJSON(keysNS, id, &sk)
		return err
	})
	if err != nil || !found {
		return nil, false, err
	}
	secret, err := k.sealer.Open(sk.Sealed, sealContext(id))
	if err != nil {
		return nil, false, fmt.Errorf("auth: access key %s: %w", id, err)
	}
	c = &Credential{AccessKeyID: id, Secret: secret, Active: sk.Active, Principal: sk.Principal, Created: sk.Created}
	c.Principal.AccessKeyID = id
	k.mu.Lock()
	if k.gen == gen {
		k.cache[id] = c
	}
	k.mu.Unlock()
	return c, true, nil
}

// Put stores a credential in tx; the cached copy is dropped when tx commits.
func (k *Keys) Put(tx *store.Tx, c *Credential) error {
	tx.AfterCommit(func() { k.Forget(c.AccessKeyID) })
	b, err := json.Marshal(storedKey{AccessKeyID: c.AccessKeyID, Sealed: k.sealer.Seal(c.Secret, sealContext(c.AccessKeyID)), Active: c.Active, Principal: c.Principal, Created: c.Created})
	if err != nil {
		return fmt.Errorf("auth: encode key: %w", err)
	}
	return tx.Put(keysNS, c.AccessKeyID, b)
}

// Delete removes a credential in tx; the cached copy is dropped when tx commits.
func (k *Keys) Delete(tx *store.Tx, id string) error {
	tx.AfterCommit(func() { k.Forget(id) })
	_, err := tx.Delete(keysNS, id)
	return err
}

// Forget drops a cached credential so the next Lookup reads the store.
func (k *Keys) Forget(id string) {
	k.mu.Lock()
	delete(k.cache, id)
	k.gen++
	k.mu.Unlock()
}

// ListFor returns the access key IDs stored for principals of an account whose ARN is
// arn, in ID order.
func (k *Keys) ListFor(tx *store.Tx, arn string) ([]string, error) {
	var ids []string
	err := tx.Scan(keysNS, "", 0, func(id string, v []byte) bool {
		var sk storedKey
		if json.Unmarshal(v, &sk) == nil && sk.Principal.ARN == arn {
			ids = append(ids, id)
		}
		return true
	})
	return ids, err
}

var (
	accessKeyRE = regexp.MustCompile(`^AKIA[A-Z0-9]{16}$`)
)

// ValidAccessKeyID reports whether s has the form of a long-term access key ID: AKIA and
// 16 upper-case letters or digits.
func ValidAccessKeyID(s string) bool { return accessKeyRE.MatchString(s) }

// ValidSecret reports whether s can be a secret access key: 40 printable characters
// without spaces.
func ValidSecret(s string) bool {
	if len(s) != 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// base32 is the alphabet of AWS's access key IDs and unique IDs.
const base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// NewID returns prefix followed by n random characters of AWS's ID alphabet, as in
// AKIA…, ASIA…, AIDA…, AROA….
func NewID(prefix string, n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = base32[int(b[i])%len(base32)]
	}
	return prefix + string(b)
}

// NewUUID returns a random version-4 UUID: request IDs, CloudTrail event IDs, KMS key
// IDs and the other identifiers AWS writes in that form.
func NewUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// NewSecret returns a fresh 40-character secret access key.
func NewSecret() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	b := make([]byte, 40)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

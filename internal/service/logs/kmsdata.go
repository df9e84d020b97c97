package logs

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"slices"
	"sync"
	"time"

	api "github.com/palisade/palisade/internal/api/logs"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

// Log data of a group with a KMS key (CreateLogGroup's kmsKeyId, AssociateKmsKey) is
// stored under that key, as the CloudWatch Logs User Guide describes ("Encrypt log
// data in CloudWatch Logs using AWS KMS"): each chunk body is sealed with AES-256-GCM
// under a data key CloudWatch Logs generated with the key, as its service principal
// logs.REGION.amazonaws.com, with the encryption context {"aws:logs:arn": <group
// ARN>}; the data key's encrypted blob is kept in the chunk's record. Reading a chunk
// decrypts that blob through KMS, so a chunk stays readable only while the key is
// enabled and its policy lets CloudWatch Logs use it — also after DisassociateKmsKey,
// as AWS documents ("CloudWatch Logs will need permissions for the key whenever that
// data is accessed").
//
// A data key is reused for keyReuse for a group and key, and a decrypted one is
// remembered as long: AWS says a key association "can take up to 5 minutes to take
// effect", and one KMS call per megabyte batch would cost more than the batch. So
// disabling a key, or taking CloudWatch Logs out of its policy, stops ingestion and
// reads within five minutes of Palisade's clock, not at once.
const keyReuse = 5 * time.Minute

type dataKey struct {
	plain, blob []byte
	until       time.Time
}

type dataKeys struct {
	mu  sync.Mutex
	gen map[string]dataKey // group ARN \x00 key ARN → the data key new chunks use
	dec map[string]dataKey // data key blob → its plaintext
}

func newDataKeys() *dataKeys {
	return &dataKeys{gen: map[string]dataKey{}, dec: map[string]dataKey{}}
}

// sweep forgets expired keys once there are many, so that a long-running server
// does not keep one per group and five minutes. Call with mu held.
func (d *dataKeys) sweep(now time.Time) {
	if len(d.gen)+len(d.dec) < 1024 {
		return
	}
	for _, m := range []map[string]dataKey{d.gen, d.dec} {
		for k, v := range m {
			if !now.Before(v.until) {
				delete(m, k)
			}
		}
	}
}

func encContext(region, account, group string) map[string]string {
	return map[string]string{"aws:logs:arn": groupARN(region, account, group)}
}

// encrypts reports whether a group's new chunks are sealed under a KMS key.
func (l *Logs) encrypts(g *groupRec) bool {
	return g.KmsKeyID != "" && l.d.KMS != nil && l.d.NewCall != nil
}

// errKey is CloudWatch Logs' answer when it may not use a group's key. AWS's wording
// for CreateLogGroup and AssociateKmsKey; for PutLogEvents and reads of data under a
// key that was disabled or whose policy changed, AWS documents only that the data
// "can no longer be retrieved", so the same answer is inferred.
func errKey(region, account, group string) error {
	return api.NewAccessDeniedException("The specified KMS key does not exist or is not allowed to be used with Arn '" + groupARN(region, account, group) + "'")
}

// cachedKey returns the data key a group's new chunks use, if one is in reuse: the
// PutLogEvents preparation, which runs outside any transaction, can then seal and
// write the chunk before its transaction.
func (l *Logs) cachedKey(account, region string, g *groupRec, now time.Time) (dataKey, bool) {
	l.keys.mu.Lock()
	defer l.keys.mu.Unlock()
	k, ok := l.keys.gen[groupARN(region, account, g.Name)+"\x00"+g.KmsKeyID]
	return k, ok && now.Before(k.until)
}

// serviceCall is a call as CloudWatch Logs' service principal, in tx.
func (l *Logs) serviceCall(tx *store.Tx, account, region, op string, now time.Time) (*server.Call, error) {
	call, err := l.d.NewCall(context.Background(), "logs", op, svckit.ServicePrincipal("logs."+region+".amazonaws.com"), account, region)
	if err != nil {
		return nil, err
	}
	call.Tx, call.Now = tx, now
	return call, nil
}

// groupKey returns the data key for a group's new chunks, generating one with KMS
// when none is in reuse; a new key enters reuse when tx commits.
func (l *Logs) groupKey(tx *store.Tx, account, region string, g *groupRec, now time.Time) (dataKey, error) {
	if k, ok := l.cachedKey(account, region, g, now); ok {
		return k, nil
	}
	call, err := l.serviceCall(tx, account, region, "PutLogEvents", now)
	if err != nil {
		return dataKey{}, err
	}
	plain, blob, _, err := l.d.KMS.GenerateDataKey(call, g.KmsKeyID, encContext(region, account, g.Name))
	if err != nil {
		if _, _, ok := svckit.KMSError(err, false); ok {
			return dataKey{}, errKey(region, account, g.Name)
		}
		return dataKey{}, err
	}
	k := dataKey{plain: plain, blob: blob, until: now.Add(keyReuse)}
	ck := groupARN(region, account, g.Name) + "\x00" + g.KmsKeyID
	tx.AfterCommit(func() {
		l.keys.mu.Lock()
		l.keys.sweep(now)
		l.keys.gen[ck] = k
		l.keys.dec[string(blob)] = k
		l.keys.mu.Unlock()
	})
	return k, nil
}

// openKey returns the plaintext of a chunk's data key, asking KMS (kms:Decrypt as
// CloudWatch Logs) unless it was opened within keyReuse.
func (l *Logs) openKey(tx *store.Tx, account, region string, g *groupRec, blob []byte) ([]byte, error) {
	now := l.d.Clock.Now()
	l.keys.mu.Lock()
	k, ok := l.keys.dec[string(blob)]
	l.keys.mu.Unlock()
	if ok && now.Before(k.until) {
		return k.plain, nil
	}
	if l.d.KMS == nil || l.d.NewCall == nil {
		return nil, errors.New("logs: an encrypted chunk and no KMS")
	}
	call, err := l.serviceCall(tx, account, region, "GetLogEvents", now)
	if err != nil {
		return nil, err
	}
	plain, _, err := l.d.KMS.Decrypt(call, blob, encContext(region, account, g.Name))
	if err != nil {
		if _, _, ok := svckit.KMSError(err, true); ok {
			return nil, errKey(region, account, g.Name)
		}
		return nil, err
	}
	// A read transaction has no commit to wait for: the key is good now.
	l.keys.mu.Lock()
	l.keys.sweep(now)
	l.keys.dec[string(blob)] = dataKey{plain: plain, blob: blob, until: now.Add(keyReuse)}
	l.keys.mu.Unlock()
	return plain, nil
}

// seal encrypts a chunk body: nonce, then ciphertext and tag.
// sealOverhead is what sealing adds to a chunk body: the nonce and the GCM tag.
const sealOverhead = 12 + 16

// seal encrypts a chunk body under key, appending the nonce and the sealed body to dst.
func seal(dst, key, body []byte) ([]byte, error) {
	g, err := chunkAEAD(key)
	if err != nil {
		return nil, err
	}
	n := len(dst)
	dst = slices.Grow(dst, g.NonceSize()+len(body)+g.Overhead())[:n+g.NonceSize()]
	rand.Read(dst[n:])
	return g.Seal(dst, dst[n:], body, nil), nil
}

// unseal decrypts a sealed chunk body into dst's memory when it is large enough.
func unseal(key, sealed, dst []byte) ([]byte, error) {
	g, err := chunkAEAD(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < g.NonceSize()+g.Overhead() {
		return nil, errors.New("logs: sealed chunk too short")
	}
	return g.Open(dst[:0], sealed[:g.NonceSize()], sealed[g.NonceSize():], nil)
}

func chunkAEAD(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

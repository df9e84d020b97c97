package s3

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"sync"
	"time"
)

// alphabet is in ASCII order, so IDs built from it sort as their numbers do.
const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// seqGen hands out strictly increasing numbers from the wall clock in nanoseconds, so
// IDs minted later sort later even across restarts (barring the clock stepping back
// by more than the gap between a restart and the last ID).
type seqGen struct {
	mu   sync.Mutex
	last uint64
}

func (g *seqGen) next() uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := uint64(time.Now().UnixNano())
	if n <= g.last {
		n = g.last + 1
	}
	g.last = n
	return n
}

// encodeSortable writes n as 11 characters of the alphabet (62^11 > 2^64).
func encodeSortable(n uint64) string {
	var b [11]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = alphabet[n%62]
		n /= 62
	}
	return string(b[:])
}

func randomChars(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%62]
	}
	return string(b)
}

// newVersionID returns a 32-character version ID whose first 11 characters make later
// versions sort first, the order ListObjectVersions returns, and whose last 4 check the
// rest, so that a version ID S3 could not have minted is told apart from one that names
// a version no longer there (InvalidArgument against NoSuchVersion, as S3 answers).
func (g *seqGen) newVersionID() string {
	v := encodeSortable(math.MaxUint64-g.next()) + randomChars(17)
	return v + versionCheck(v)
}

// versionCheck is the 4-character check of a version ID's first 28 characters.
func versionCheck(head string) string {
	sum := sha256.Sum256([]byte("palisade/s3/version/" + head))
	b := make([]byte, 4)
	for i := range b {
		b[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return string(b)
}

// newUploadID returns a multipart upload ID that sorts by initiation time, the order
// ListMultipartUploads returns uploads of one key in.
func (g *seqGen) newUploadID() string {
	return encodeSortable(g.next()) + randomChars(53)
}

// canonicalID is an account's S3 canonical user ID: 64 hex digits, opaque-looking
// but ending with the account ID so that a grant naming it resolves to its account.
func canonicalID(account string) string {
	h := sha256.Sum256([]byte("palisade/s3/canonical/" + account))
	return hex.EncodeToString(h[:])[:64-len(account)] + account
}

// accountOfCanonical resolves a canonical user ID made by canonicalID.
func accountOfCanonical(id string) (string, bool) {
	if len(id) != 64 {
		return "", false
	}
	acct := id[52:]
	if canonicalID(acct) != id {
		return "", false
	}
	return acct, true
}

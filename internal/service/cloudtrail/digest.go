package cloudtrail

import (
	"crypto"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	api "github.com/palisade/palisade/internal/api/cloudtrail"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// Digest files, as CloudTrail's log file integrity validation writes them: every hour
// of a trail's logging with validation on, per region and account, a gzipped JSON
// file listing the log files delivered in that hour with their SHA-256, chained to the
// previous digest by its hash and signature, and signed SHA256withRSA with the
// region's current signing key; the signature is the object's x-amz-meta-signature.

// DigestSignatureAlgorithm is the only algorithm CloudTrail signs with.
const DigestSignatureAlgorithm = "SHA256withRSA"

// Digest is a digest file's content, fields in CloudTrail's order.
type Digest struct {
	AWSAccountID                string          `json:"awsAccountId"`
	DigestStartTime             string          `json:"digestStartTime"`
	DigestEndTime               string          `json:"digestEndTime"`
	DigestS3Bucket              string          `json:"digestS3Bucket"`
	DigestS3Object              string          `json:"digestS3Object"`
	DigestPublicKeyFingerprint  string          `json:"digestPublicKeyFingerprint"`
	DigestSignatureAlgorithm    string          `json:"digestSignatureAlgorithm"`
	NewestEventTime             *string         `json:"newestEventTime"`
	OldestEventTime             *string         `json:"oldestEventTime"`
	PreviousDigestS3Bucket      *string         `json:"previousDigestS3Bucket"`
	PreviousDigestS3Object      *string         `json:"previousDigestS3Object"`
	PreviousDigestHashValue     *string         `json:"previousDigestHashValue"`
	PreviousDigestHashAlgorithm *string         `json:"previousDigestHashAlgorithm"`
	PreviousDigestSignature     *string         `json:"previousDigestSignature"`
	LogFiles                    []DigestLogFile `json:"logFiles"`
}

// DigestLogFile is one log file a digest covers.
type DigestLogFile struct {
	S3Bucket        string `json:"s3Bucket"`
	S3Object        string `json:"s3Object"`
	HashValue       string `json:"hashValue"`
	HashAlgorithm   string `json:"hashAlgorithm"`
	NewestEventTime string `json:"newestEventTime"`
	OldestEventTime string `json:"oldestEventTime"`
}

// StringToSign is what a digest's signature covers, as CloudTrail documents it (and
// aws cloudtrail validate-logs rebuilds it): the end time, bucket/key, the SHA-256 of
// the uncompressed digest and the previous digest's signature ("null" for a starting
// digest), newline-separated.
func StringToSign(d *Digest, uncompressed []byte) []byte {
	prev := "null"
	if d.PreviousDigestSignature != nil {
		prev = *d.PreviousDigestSignature
	}
	sum := sha256.Sum256(uncompressed)
	return []byte(d.DigestEndTime + "\n" + d.DigestS3Bucket + "/" + d.DigestS3Object + "\n" + hex.EncodeToString(sum[:]) + "\n" + prev)
}

// Fingerprint is a public key's fingerprint: the hex MD5 of its DER (PKCS#1) encoding,
// the 32 hex digits CloudTrail's digests carry.
func Fingerprint(der []byte) string {
	sum := md5.Sum(der)
	return hex.EncodeToString(sum[:])
}

// signingKeysNS holds each region's signing keys, keyed region/start.
var signingKeysNS = store.NS("cloudtrail", "", "", "signing-keys")

// KeyRotation is how long a region's signing key signs before the next one takes
// over.
const KeyRotation = 30 * 24 * time.Hour

// signingKey is one region's key for a validity window [Start, End).
type signingKey struct {
	Region      string    `json:"region"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Public      []byte    `json:"public"` // DER, PKCS#1
	Fingerprint string    `json:"fingerprint"`
	Sealed      []byte    `json:"sealed"` // the private key, PKCS#1 DER, sealed
}

func signingKeyID(region string, start time.Time) string {
	return fmt.Sprintf("%s/%020d", region, start.UnixNano())
}

// signer signs digests, keeping opened private keys in memory.
type signer struct {
	sealer *store.Sealer
	mu     sync.Mutex
	open   map[string]*rsa.PrivateKey // by fingerprint
}

// regionKeys returns a region's keys in start order.
func regionKeys(tx *store.Tx, region string) ([]*signingKey, error) {
	var out []*signingKey
	var derr error
	err := tx.Scan(signingKeysNS, region+"/", 0, func(k string, v []byte) bool {
		if !strings.HasPrefix(k, region+"/") {
			return false
		}
		var sk signingKey
		if derr = json.Unmarshal(v, &sk); derr != nil {
			return false
		}
		out = append(out, &sk)
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, derr
}

// keyAt returns the region's key valid at t, or makes one valid from t (until the
// rotation period ends or the next key starts); made is true for a new key, which the
// caller must store.
func (s *signer) keyAt(keys []*signingKey, region string, t time.Time) (k *signingKey, made bool, err error) {
	var next *signingKey
	for _, k := range keys {
		if !t.Before(k.Start) && t.Before(k.End) {
			return k, false, nil
		}
		if k.Start.After(t) && (next == nil || k.Start.Before(next.Start)) {
			next = k
		}
	}
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, false, fmt.Errorf("cloudtrail: signing key: %w", err)
	}
	der := x509.MarshalPKCS1PublicKey(&priv.PublicKey)
	k = &signingKey{Region: region, Start: t, End: t.Add(KeyRotation), Public: der, Fingerprint: Fingerprint(der)}
	if next != nil && next.Start.Before(k.End) {
		k.End = next.Start
	}
	k.Sealed = s.sealer.Seal(x509.MarshalPKCS1PrivateKey(priv), "cloudtrail-signing-key/"+k.Fingerprint)
	s.mu.Lock()
	if s.open == nil {
		s.open = map[string]*rsa.PrivateKey{}
	}
	s.open[k.Fingerprint] = priv
	s.mu.Unlock()
	return k, true, nil
}

// sign signs data with a key: hex of the PKCS #1 v1.5 SHA-256 signature.
func (s *signer) sign(k *signingKey, data []byte) (string, error) {
	s.mu.Lock()
	priv, ok := s.open[k.Fingerprint]
	s.mu.Unlock()
	if !ok {
		der, err := s.sealer.Open(k.Sealed, "cloudtrail-signing-key/"+k.Fingerprint)
		if err != nil {
			return "", fmt.Errorf("cloudtrail: open signing key %s: %w", k.Fingerprint, err)
		}
		if priv, err = x509.ParsePKCS1PrivateKey(der); err != nil {
			return "", fmt.Errorf("cloudtrail: signing key %s: %w", k.Fingerprint, err)
		}
		s.mu.Lock()
		if s.open == nil {
			s.open = map[string]*rsa.PrivateKey{}
		}
		s.open[k.Fingerprint] = priv
		s.mu.Unlock()
	}
	sum := sha256.Sum256(data)
	sig, err := rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(sig), nil
}

func (ct *CloudTrail) listPublicKeys(c *server.Call, in *api.ListPublicKeysRequest) (*api.ListPublicKeysResponse, error) {
	start, end := c.Now, c.Now
	if in.EndTime != nil {
		end = *in.EndTime
		if in.StartTime == nil {
			start = end
		}
	}
	if in.StartTime != nil {
		start = *in.StartTime
	}
	if start.After(end) {
		return nil, api.NewInvalidTimeRangeException("Start time must be before end time.")
	}
	// The list is never paged, and AWS answers a NextToken it never issued with the
	// whole list as if none were given (recorded 2026, stackd
	// testdata/aws/cloudtrail/digest_public_keys.json).
	keys, err := regionKeys(c.Tx, c.Region)
	if err != nil {
		return nil, err
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Start.Before(keys[j].Start) })
	out := &api.ListPublicKeysResponse{PublicKeyList: []api.PublicKey{}}
	for _, k := range keys {
		if k.End.Before(start) || k.Start.After(end) {
			continue
		}
		out.PublicKeyList = append(out.PublicKeyList, api.PublicKey{
			Value: k.Public, ValidityStartTime: ptr(k.Start), ValidityEndTime: ptr(k.End), Fingerprint: ptr(k.Fingerprint),
		})
	}
	return out, nil
}

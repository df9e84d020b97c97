package sns

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

// SNS signs every message it sends to HTTP, HTTPS and email-json endpoints (and the
// JSON envelopes it sends to SQS) with an RSA key whose X.509 certificate receivers
// fetch from SigningCertURL, as with AWS. Palisade keeps one key for all regions,
// sealed in the store, with a self-signed certificate (CN sns.amazonaws.com), and
// serves the certificate without authentication at
// /_palisade/sns/SimpleNotificationService-<fingerprint>.pem: a receiver that checks
// signatures must be able to fetch it, as it fetches AWS's from
// sns.<region>.amazonaws.com without credentials. It holds no secret.

// CertPath is where the signing certificate is served, under the endpoint.
const certPrefix = "/_palisade/sns/"

type signer struct {
	db     *store.DB
	sealer sealer
	log    interface{ Error(string, ...any) }

	once  sync.Once
	ready chan struct{} // closed once key, cert and name are set
	err   error
	key   *rsa.PrivateKey
	cert  []byte // PEM
	name  string // SimpleNotificationService-<sha1>.pem

	// record is the key's store record (sealed key and certificate) while it may not
	// be stored yet; stored is set once a transaction holding it has committed.
	record []byte
	stored atomic.Bool
}

// sealer seals the private key at rest (store.Sealer).
type sealer interface {
	Seal(plaintext []byte, context string) []byte
	Open(sealed []byte, context string) ([]byte, error)
}

var signingNS = store.NS("sns", "signing")

const sealContext = "sns/signing-key"

type storedKey struct {
	Sealed []byte `json:"key"`
	Cert   []byte `json:"cert"`
}

// ensure loads the signing key in the background, generating it on first use. The key
// is usable as soon as it is in memory, before it is stored, so a signer waiting for it
// inside a transaction never waits for the store's writer.
func (s *signer) ensure() {
	s.once.Do(func() { go s.init() })
}

// wait returns once the key is loaded.
func (s *signer) wait() error {
	s.ensure()
	<-s.ready
	return s.err
}

func (s *signer) init() {
	defer close(s.ready)
	ctx := context.Background()
	var sk storedKey
	var found bool
	if s.err = s.db.View(ctx, func(tx *store.Tx) error {
		var err error
		found, err = tx.GetJSON(signingNS, "key", &sk)
		return err
	}); s.err != nil {
		return
	}
	if found {
		raw, err := s.sealer.Open(sk.Sealed, sealContext)
		if err != nil {
			s.err = fmt.Errorf("sns: signing key: %w", err)
			return
		}
		if s.key, err = x509.ParsePKCS1PrivateKey(raw); err != nil {
			s.err = fmt.Errorf("sns: signing key: %w", err)
			return
		}
		s.setCert(sk.Cert)
		s.stored.Store(true)
		return
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		s.err = err
		return
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "sns.amazonaws.com", Organization: []string{"Palisade"}},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(20, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, DNSNames: []string{"sns.amazonaws.com"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		s.err = err
		return
	}
	s.key = key
	s.setCert(der)
	s.record = svckit.MustJSON(storedKey{Sealed: s.sealer.Seal(x509.MarshalPKCS1PrivateKey(key), sealContext), Cert: der})
	// Stored early when nothing signs soon; whatever signs first stores it in its own
	// transaction too (persist), so no signed message outlives the key after a crash.
	go func() {
		if err := s.db.Update(ctx, s.persist); err != nil && s.log != nil {
			s.log.Error("sns: store the signing key", "err", err)
		}
	}()
}

// persist stores the signing key in tx unless a committed transaction already has:
// every transaction that keeps a message signed with it calls it, so a signature that
// is on disk always has its key there too (a key kept in memory only would sign
// messages a restarted Palisade's certificate could not verify).
func (s *signer) persist(tx *store.Tx) error {
	if s.stored.Load() {
		return nil
	}
	if _, err := tx.Insert(signingNS, "key", s.record); err != nil {
		return fmt.Errorf("sns: store the signing key: %w", err)
	}
	tx.AfterCommit(func() { s.stored.Store(true) })
	return nil
}

func (s *signer) setCert(der []byte) {
	s.cert = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	sum := sha1.Sum(der)
	s.name = "SimpleNotificationService-" + hex.EncodeToString(sum[:]) + ".pem"
}

// certURL is the SigningCertURL for an endpoint base (scheme://host).
func (s *signer) certURL(base string) string { return base + certPrefix + s.name }

// sign signs a message's string to sign with SignatureVersion 1 (SHA1withRSA) or 2
// (SHA256withRSA) and returns the base64 signature.
func (s *signer) sign(version, stringToSign string) (string, error) {
	if err := s.wait(); err != nil {
		return "", err
	}
	var sig []byte
	var err error
	if version == "2" {
		h := sha256.Sum256([]byte(stringToSign))
		sig, err = rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, h[:])
	} else {
		h := sha1.Sum([]byte(stringToSign))
		sig, err = rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA1, h[:])
	}
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// stringToSign builds the canonical string SNS signs: the named fields, in this
// order, each as "Name\nvalue\n", skipping a Notification's absent Subject (AWS,
// "Verifying the signatures of Amazon SNS messages").
func stringToSign(fields map[string]string) string {
	var keys []string
	if fields["Type"] == "Notification" {
		keys = []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	} else {
		keys = []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	}
	var b strings.Builder
	for _, k := range keys {
		v, ok := fields[k]
		if !ok {
			continue
		}
		b.WriteString(k + "\n" + v + "\n")
	}
	return b.String()
}

// handler serves the certificate.
func (s *signer) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.wait(); err != nil {
			http.Error(w, "signing key unavailable", http.StatusInternalServerError)
			return
		}
		if r.URL.Path != certPrefix+s.name {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/x-pem-file")
		w.Write(s.cert)
	})
}

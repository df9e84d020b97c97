package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Sealer encrypts secrets before they are stored (secret access keys, KMS key material,
// session-token keys) with AES-256-GCM under the master key. The associated data names
// what the secret belongs to, so a sealed value copied to another record does not open.
type Sealer struct {
	aead cipher.AEAD
	mac  []byte // HMAC-SHA256(master key, "palisade/mac"): the root of MACKey's keys
}

// MasterKeyEnv is the environment variable that may hold the master key (32 bytes,
// standard base64). When it is unset the key lives in <data-dir>/master.key (0600).
const MasterKeyEnv = "PALISADE_MASTER_KEY"

// LoadSealer returns the sealer for a data directory: the key from MasterKeyEnv if set,
// else from dir/master.key, created with a fresh random key on first start.
func LoadSealer(dir string) (*Sealer, error) {
	if env := os.Getenv(MasterKeyEnv); env != "" {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(env))
		if err != nil || len(key) != 32 {
			return nil, fmt.Errorf("%s must be 32 bytes in standard base64", MasterKeyEnv)
		}
		return NewSealer(key)
	}
	path := filepath.Join(dir, "master.key")
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("store: master key: %w", err)
		}
		enc := base64.StdEncoding.EncodeToString(key) + "\n"
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("store: master key: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("store: create master key: %w", err)
		}
		if _, err := f.WriteString(enc); err != nil {
			f.Close()
			return nil, fmt.Errorf("store: write master key: %w", err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("store: sync master key: %w", err)
		}
		f.Close()
		return NewSealer(key)
	}
	if err != nil {
		return nil, fmt.Errorf("store: read master key: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("store: %s is not a 32-byte base64 key", path)
	}
	return NewSealer(key)
}

// NewSealer returns a sealer for a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("store: sealer: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("store: sealer: %w", err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("palisade/mac"))
	return &Sealer{aead: aead, mac: m.Sum(nil)}, nil
}

// MACKey returns a 32-byte key for authenticating values of one purpose (say, list
// page tokens), derived from the master key: the same under the same master key,
// across restarts and nodes, and unrelated to the sealing key and other purposes'.
func (s *Sealer) MACKey(purpose string) []byte {
	m := hmac.New(sha256.New, s.mac)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// Seal encrypts plaintext bound to context; the result is nonce || ciphertext || tag.
func (s *Sealer) Seal(plaintext []byte, context string) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("store: no randomness: " + err.Error())
	}
	return s.aead.Seal(nonce, nonce, plaintext, []byte(context))
}

// ErrUnseal means a sealed value is corrupt, was sealed under another master key, or
// belongs to another context.
var ErrUnseal = errors.New("store: sealed value does not open")

// Open decrypts a value sealed with the same context.
func (s *Sealer) Open(sealed []byte, context string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, ErrUnseal
	}
	pt, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(context))
	if err != nil {
		return nil, ErrUnseal
	}
	return pt, nil
}

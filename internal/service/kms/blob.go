package kms

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
)

// A symmetric ciphertext blob names the key version that made it and authenticates
// everything it says:
//
//	version (1) | account (12 ASCII digits) | region length (1) | region |
//	key ID (16, the UUID's bytes) | material ID (32) | salt (16) | nonce (12) |
//	AES-256-GCM ciphertext and tag
//
// The AES key is derived per ciphertext, HKDF-SHA256(material, salt), so no key ever
// encrypts more than one message and GCM's nonce limits never come near. The
// associated data is the whole header followed by the canonical encryption context,
// so a blob whose account, region, key or context is changed, or that is presented
// with another context, does not open: a ciphertext of one key, account or context
// never decrypts under another.
//
// A multi-Region key's blob is version 2: its key ID field holds the 16 bytes of the
// mrk- ID's hex, and any related key opens it (decryptKey).
const (
	blobVersion    = 1
	blobVersionMRK = 2
	saltLen        = 16
	nonceLen       = 12
	tagLen         = 16
)

var errBlob = errors.New("kms: not a ciphertext blob")

// blobHeader is what a blob says about the key that made it.
type blobHeader struct {
	account, region, keyID, materialID string
	raw                                []byte // the header's bytes, for the AAD
}

// sealBlob encrypts plaintext under a key's material.
func sealBlob(r *keyRec, m *material, raw, plaintext []byte, encCtx map[string]string) ([]byte, error) {
	version := byte(blobVersion)
	id := strings.ReplaceAll(r.ID, "-", "")
	if hexID, ok := strings.CutPrefix(r.ID, "mrk-"); ok {
		version, id = blobVersionMRK, hexID
	}
	uuid, err := hex.DecodeString(id)
	if err != nil || len(uuid) != 16 {
		return nil, errors.New("kms: key ID is not a UUID")
	}
	mid, err := hex.DecodeString(m.ID)
	if err != nil || len(mid) != 32 {
		return nil, errors.New("kms: material ID is not 32 bytes")
	}
	out := make([]byte, 0, 1+12+1+len(r.Region)+16+32+saltLen+nonceLen+len(plaintext)+tagLen)
	out = append(out, version)
	out = append(out, r.Account...)
	out = append(out, byte(len(r.Region)))
	out = append(out, r.Region...)
	out = append(out, uuid...)
	out = append(out, mid...)
	salt := randomBytes(saltLen)
	out = append(out, salt...)
	nonce := randomBytes(nonceLen)
	out = append(out, nonce...)
	aead, err := blobAEAD(raw, salt)
	if err != nil {
		return nil, err
	}
	header := out
	return aead.Seal(out, nonce, plaintext, blobAAD(header, encCtx)), nil
}

// parseBlob reads a blob's header without decrypting it.
func parseBlob(b []byte) (*blobHeader, error) {
	if len(b) < 1+12+1 || b[0] != blobVersion && b[0] != blobVersionMRK {
		return nil, errBlob
	}
	p := 1
	account := string(b[p : p+12])
	p += 12
	for _, c := range account {
		if c < '0' || c > '9' {
			return nil, errBlob
		}
	}
	n := int(b[p])
	p++
	if n == 0 || len(b) < p+n+16+32+saltLen+nonceLen+tagLen {
		return nil, errBlob
	}
	region := string(b[p : p+n])
	p += n
	u := hex.EncodeToString(b[p : p+16])
	p += 16
	mid := hex.EncodeToString(b[p : p+32])
	p += 32
	h := &blobHeader{
		account: account, region: region, materialID: mid,
		keyID: u[0:8] + "-" + u[8:12] + "-" + u[12:16] + "-" + u[16:20] + "-" + u[20:],
		raw:   b[:p+saltLen+nonceLen],
	}
	if b[0] == blobVersionMRK {
		h.keyID = "mrk-" + u
	}
	return h, nil
}

// openBlob decrypts a blob whose header was parsed, with the material it names.
func openBlob(h *blobHeader, raw, blob []byte, encCtx map[string]string) ([]byte, error) {
	n := len(h.raw)
	salt := h.raw[n-saltLen-nonceLen : n-nonceLen]
	nonce := h.raw[n-nonceLen:]
	aead, err := blobAEAD(raw, salt)
	if err != nil {
		return nil, err
	}
	return aead.Open(nil, nonce, blob[n:], blobAAD(h.raw, encCtx))
}

func blobAEAD(material, salt []byte) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, material, salt, "palisade kms ciphertext v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// blobAAD is the header followed by the encryption context in canonical form: pairs
// sorted by key, each string length-prefixed, so no two contexts encode alike.
func blobAAD(header []byte, encCtx map[string]string) []byte {
	keys := make([]string, 0, len(encCtx))
	size := len(header)
	for k, v := range encCtx {
		keys = append(keys, k)
		size += len(k) + len(v) + 2*binary.MaxVarintLen32
	}
	slices.Sort(keys)
	aad := make([]byte, 0, size)
	aad = append(aad, header...)
	for _, k := range keys {
		aad = binary.AppendUvarint(aad, uint64(len(k)))
		aad = append(aad, k...)
		v := encCtx[k]
		aad = binary.AppendUvarint(aad, uint64(len(v)))
		aad = append(aad, v...)
	}
	return aad
}

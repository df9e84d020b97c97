package kms

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	api "github.com/palisade/palisade/internal/api/kms"
	"github.com/palisade/palisade/internal/service/kms/mldsa"
)

// Key material in the clear is the raw secret for symmetric and HMAC keys and the
// PKCS #8 DER private key for key pairs. It exists only in memory, for the length of
// one operation; the store holds it sealed.

// generate makes fresh key material for a spec.
func generate(spec string) ([]byte, error) {
	info := specs[spec]
	switch {
	case spec == api.KeySpecSYMMETRICDEFAULT:
		return randomBytes(32), nil
	case info.hmacBytes > 0:
		return randomBytes(info.hmacBytes), nil
	}
	return generatePair(spec)
}

// generatePair makes a private key for a key pair spec (also the data key pair specs,
// which share the names) as PKCS #8 DER.
func generatePair(spec string) ([]byte, error) {
	switch spec {
	case api.KeySpecRSA2048, api.KeySpecRSA3072, api.KeySpecRSA4096:
		k, err := rsa.GenerateKey(rand.Reader, specs[spec].rsaBits)
		if err != nil {
			return nil, err
		}
		return x509.MarshalPKCS8PrivateKey(k)
	case api.KeySpecECCNISTP256, api.KeySpecECCNISTP384, api.KeySpecECCNISTP521:
		k, err := ecdsa.GenerateKey(nistCurve(spec), rand.Reader)
		if err != nil {
			return nil, err
		}
		return x509.MarshalPKCS8PrivateKey(k)
	case api.KeySpecECCSECGP256K1:
		k, err := secp256k1.GeneratePrivateKey()
		if err != nil {
			return nil, err
		}
		return marshalSecp256k1PKCS8(k)
	case api.KeySpecECCNISTEDWARDS25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return x509.MarshalPKCS8PrivateKey(k)
	case api.KeySpecMLDSA44, api.KeySpecMLDSA65, api.KeySpecMLDSA87:
		return marshalMLDSAPKCS8(spec, randomBytes(32))
	}
	return nil, fmt.Errorf("kms: no generator for %s", spec)
}

func nistCurve(spec string) elliptic.Curve {
	switch spec {
	case api.KeySpecECCNISTP384:
		return elliptic.P384()
	case api.KeySpecECCNISTP521:
		return elliptic.P521()
	}
	return elliptic.P256()
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// newMaterial seals fresh material for a key.
func (k *KMS) newMaterial(r *keyRec, raw []byte, now time.Time, rotation string) material {
	return k.sealMaterial(r, newHexID(), raw, now, rotation)
}

// sealMaterial seals material under a given material ID.
func (k *KMS) sealMaterial(r *keyRec, id string, raw []byte, now time.Time, rotation string) material {
	return material{ID: id, Sealed: k.sealer.Seal(raw, sealContext(r.arn(), id)), Created: keyTime(now), Rotation: rotation}
}

// open unseals a material of a key.
func (k *KMS) open(r *keyRec, m *material) ([]byte, error) {
	raw, err := k.sealer.Open(m.Sealed, sealContext(r.arn(), m.ID))
	if err != nil {
		return nil, fmt.Errorf("kms: material %s of %s: %w", m.ID, r.arn(), err)
	}
	return raw, nil
}

// privateKey is a parsed key pair: *rsa.PrivateKey, *ecdsa.PrivateKey,
// *secp256k1.PrivateKey, ed25519.PrivateKey or *mldsa.PrivateKey.
type privateKey any

func parsePrivate(spec string, der []byte) (privateKey, error) {
	switch spec {
	case api.KeySpecECCSECGP256K1:
		return parseSecp256k1PKCS8(der)
	case api.KeySpecMLDSA44, api.KeySpecMLDSA65, api.KeySpecMLDSA87:
		return parseMLDSAPKCS8(spec, der)
	}
	return x509.ParsePKCS8PrivateKey(der)
}

// publicDER is the DER SubjectPublicKeyInfo of a private key, as GetPublicKey returns
// it and OpenSSL, Go and Python read it.
func publicDER(priv privateKey) ([]byte, error) {
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		return x509.MarshalPKIXPublicKey(&p.PublicKey)
	case *ecdsa.PrivateKey:
		return x509.MarshalPKIXPublicKey(&p.PublicKey)
	case *secp256k1.PrivateKey:
		return marshalSecp256k1SPKI(p.PubKey())
	case ed25519.PrivateKey:
		return x509.MarshalPKIXPublicKey(p.Public())
	case *mldsa.PrivateKey:
		return marshalMLDSASPKI(p.PublicKey())
	}
	return nil, fmt.Errorf("kms: no public key for %T", priv)
}

// errBadDigest is a DIGEST message whose length is not the algorithm's digest size.
var errBadDigest = errors.New("digest length")

// digestFor hashes a RAW message, or checks a DIGEST message's length.
func digestFor(alg, messageType string, msg []byte) ([]byte, crypto.Hash, error) {
	h := hashOf(alg)
	if messageType == api.MessageTypeDIGEST {
		if len(msg) != h.Size() {
			return nil, h, errBadDigest
		}
		return msg, h, nil
	}
	d := h.New()
	d.Write(msg)
	return d.Sum(nil), h, nil
}

// sign signs what signInput prepared with a key pair. ECDSA signatures are DER-encoded, RSA-PSS uses
// a salt as long as the digest: what KMS returns and verifiers expect.
func sign(priv privateKey, alg string, digest []byte, h crypto.Hash) ([]byte, error) {
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		if isPSS(alg) {
			return rsa.SignPSS(rand.Reader, p, h, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
		return rsa.SignPKCS1v15(rand.Reader, p, h, digest)
	case *ecdsa.PrivateKey:
		return ecdsa.SignASN1(rand.Reader, p, digest)
	case *secp256k1.PrivateKey:
		return secpecdsa.Sign(p, digest).Serialize(), nil
	case ed25519.PrivateKey:
		if alg == api.SigningAlgorithmSpecED25519PHSHA512 {
			return p.Sign(nil, digest, &ed25519.Options{Hash: crypto.SHA512})
		}
		return ed25519.Sign(p, digest), nil
	case *mldsa.PrivateKey:
		return mldsa.SignExternalMu(p, digest)
	}
	return nil, fmt.Errorf("kms: cannot sign with %T", priv)
}

func verify(priv privateKey, alg string, digest, sig []byte, h crypto.Hash) bool {
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		if isPSS(alg) {
			return rsa.VerifyPSS(&p.PublicKey, h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
		}
		return rsa.VerifyPKCS1v15(&p.PublicKey, h, digest, sig) == nil
	case *ecdsa.PrivateKey:
		return ecdsa.VerifyASN1(&p.PublicKey, digest, sig)
	case *secp256k1.PrivateKey:
		s, err := secpecdsa.ParseDERSignature(sig)
		return err == nil && s.Verify(digest, p.PubKey())
	case ed25519.PrivateKey:
		opts := &ed25519.Options{}
		if alg == api.SigningAlgorithmSpecED25519PHSHA512 {
			opts.Hash = crypto.SHA512
		}
		return ed25519.VerifyWithOptions(p.Public().(ed25519.PublicKey), digest, sig, opts) == nil
	case *mldsa.PrivateKey:
		return mldsa.VerifyExternalMu(p.PublicKey(), digest, sig) == nil
	}
	return false
}

func isPSS(alg string) bool { return len(alg) > 9 && alg[:9] == "RSASSA_PS" }

func oaepHash(alg string) hash.Hash {
	if alg == api.EncryptionAlgorithmSpecRSAESOAEPSHA1 {
		return sha1.New()
	}
	return sha256.New()
}

// oaepMax is the longest plaintext RSAES-OAEP can encrypt under a key.
func oaepMax(pub *rsa.PublicKey, alg string) int {
	return pub.Size() - 2*oaepHash(alg).Size() - 2
}

func macHash(alg string) func() hash.Hash {
	switch alg {
	case api.MacAlgorithmSpecHMACSHA224:
		return sha256.New224
	case api.MacAlgorithmSpecHMACSHA256:
		return sha256.New
	case api.MacAlgorithmSpecHMACSHA384:
		return sha512.New384
	}
	return sha512.New
}

func mac(key []byte, alg string, msg []byte) []byte {
	m := hmac.New(macHash(alg), key)
	m.Write(msg)
	return m.Sum(nil)
}

// ecdhKey is a NIST key pair as crypto/ecdh sees it, for DeriveSharedSecret.
func ecdhKey(priv privateKey) (*ecdh.PrivateKey, error) {
	p, ok := priv.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("kms: no ECDH for %T", priv)
	}
	return p.ECDH()
}

// secp256k1 is not in Go's x509; its SubjectPublicKeyInfo and PKCS #8 forms are the
// standard ones (RFC 5480, RFC 5915) with the curve's OID 1.3.132.0.10.
var (
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidSecp256k1   = asn1.ObjectIdentifier{1, 3, 132, 0, 10}
)

type spkiASN1 struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

type pkcs8ASN1 struct {
	Version    int
	Algorithm  pkix.AlgorithmIdentifier
	PrivateKey []byte
}

type ecPrivateKeyASN1 struct {
	Version    int
	PrivateKey []byte
	Curve      asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
	PublicKey  asn1.BitString        `asn1:"optional,explicit,tag:1"`
}

func secpAlgorithm() pkix.AlgorithmIdentifier {
	params, _ := asn1.Marshal(oidSecp256k1)
	return pkix.AlgorithmIdentifier{Algorithm: oidECPublicKey, Parameters: asn1.RawValue{FullBytes: params}}
}

func marshalSecp256k1SPKI(pub *secp256k1.PublicKey) ([]byte, error) {
	pt := pub.SerializeUncompressed()
	return asn1.Marshal(spkiASN1{Algorithm: secpAlgorithm(), PublicKey: asn1.BitString{Bytes: pt, BitLength: 8 * len(pt)}})
}

func marshalSecp256k1PKCS8(k *secp256k1.PrivateKey) ([]byte, error) {
	pt := k.PubKey().SerializeUncompressed()
	inner, err := asn1.Marshal(ecPrivateKeyASN1{Version: 1, PrivateKey: k.Serialize(), PublicKey: asn1.BitString{Bytes: pt, BitLength: 8 * len(pt)}})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(pkcs8ASN1{Algorithm: secpAlgorithm(), PrivateKey: inner})
}

func parseSecp256k1PKCS8(der []byte) (*secp256k1.PrivateKey, error) {
	var p pkcs8ASN1
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) > 0 {
		return nil, errors.New("kms: not a PKCS #8 key")
	}
	var curve asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(p.Algorithm.Parameters.FullBytes, &curve); err != nil || !p.Algorithm.Algorithm.Equal(oidECPublicKey) || !curve.Equal(oidSecp256k1) {
		return nil, errors.New("kms: not a secp256k1 key")
	}
	var ec ecPrivateKeyASN1
	if _, err := asn1.Unmarshal(p.PrivateKey, &ec); err != nil || len(ec.PrivateKey) == 0 || len(ec.PrivateKey) > 32 {
		return nil, errors.New("kms: malformed EC private key")
	}
	var d secp256k1.ModNScalar
	if overflow := d.SetByteSlice(ec.PrivateKey); overflow || d.IsZero() {
		return nil, errors.New("kms: EC private key out of range")
	}
	return secp256k1.NewPrivateKey(&d), nil
}

// pairMatchesSpec checks that an imported private key is of the key's spec.
func pairMatchesSpec(spec string, priv privateKey) bool {
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		return specs[spec].rsaBits == p.N.BitLen()
	case *ecdsa.PrivateKey:
		return (spec == api.KeySpecECCNISTP256 || spec == api.KeySpecECCNISTP384 || spec == api.KeySpecECCNISTP521) && p.Curve == nistCurve(spec)
	case *secp256k1.PrivateKey:
		return spec == api.KeySpecECCSECGP256K1
	case ed25519.PrivateKey:
		return spec == api.KeySpecECCNISTEDWARDS25519
	case *mldsa.PrivateKey:
		return mldsaOIDs[spec] != nil && p.PublicKey().Parameters() == mldsaNames[spec]
	}
	return false
}

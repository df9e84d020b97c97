package kms_test

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

func TestEncryptDecrypt(t *testing.T) {
	e := newEnv(t)
	m := e.key(nil)
	ec := map[string]string{"purpose": "test", "tenant": "a"}
	enc := must(e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("attack at dawn"), EncryptionContext: ec}))
	if *enc.KeyId != *m.Arn || enc.EncryptionAlgorithm != "SYMMETRIC_DEFAULT" || bytes.Contains(enc.CiphertextBlob, []byte("attack")) {
		t.Fatalf("encrypt %+v", enc)
	}
	enc2 := must(e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("attack at dawn"), EncryptionContext: ec}))
	if bytes.Equal(enc.CiphertextBlob, enc2.CiphertextBlob) {
		t.Fatal("two encryptions of one plaintext are equal")
	}
	// No KeyId: the ciphertext names its key; a KeyId, when given, must be that key.
	dec := must(e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec}))
	if string(dec.Plaintext) != "attack at dawn" || *dec.KeyId != *m.Arn || dec.EncryptionAlgorithm != "SYMMETRIC_DEFAULT" || *dec.KeyMaterialId != *m.CurrentKeyMaterialId {
		t.Fatalf("decrypt %+v", dec)
	}
	must(e.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/e"), TargetKeyId: m.KeyId}))
	must(e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec, KeyId: aws.String("alias/e")}))
	other := e.key(nil)
	_, err := e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec, KeyId: other.KeyId})
	wantErr(t, err, "IncorrectKeyException", 400, "")

	// The encryption context is authenticated: missing, changed or extra pairs fail.
	for _, bad := range []map[string]string{nil, {"purpose": "test"}, {"purpose": "test", "tenant": "b"}, {"purpose": "test", "tenant": "a", "x": "y"}} {
		_, err := e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: bad})
		wantErr(t, err, "InvalidCiphertextException", 400, "")
	}
	// Any flipped bit fails.
	for _, i := range []int{0, 5, 20, 60, len(enc.CiphertextBlob) - 1} {
		b := bytes.Clone(enc.CiphertextBlob)
		b[i] ^= 1
		_, err := e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: b, EncryptionContext: ec})
		if err == nil {
			t.Fatalf("bit flip at %d decrypted", i)
		}
	}
	_, err = e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: []byte("garbage")})
	wantErr(t, err, "InvalidCiphertextException", 400, "")

	// 4,096 bytes is the limit.
	must(e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: make([]byte, 4096)}))
	_, err = e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: make([]byte, 4097)})
	wantErr(t, err, "ValidationException", 400, "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")

	// ReEncrypt moves a ciphertext to another key and context.
	re := must(e.kms.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: ec,
		DestinationKeyId: other.KeyId, DestinationEncryptionContext: map[string]string{"n": "1"}}))
	if *re.SourceKeyId != *m.Arn || *re.KeyId != *other.Arn {
		t.Fatalf("reencrypt %+v", re)
	}
	dec = must(e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: re.CiphertextBlob, EncryptionContext: map[string]string{"n": "1"}}))
	if string(dec.Plaintext) != "attack at dawn" || *dec.KeyId != *other.Arn {
		t.Fatalf("decrypt of reencrypted %+v", dec)
	}

	// Signing keys do not encrypt.
	sk := e.key(&kms.CreateKeyInput{KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY"})
	_, err = e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: sk.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, "InvalidKeyUsageException", 400, *sk.Arn+" key usage is SIGN_VERIFY which is not valid for Encrypt.")
	_, err = e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x"), EncryptionAlgorithm: "RSAES_OAEP_SHA_256"})
	wantErr(t, err, "InvalidKeyUsageException", 400, "")
	_, err = e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x"), DryRun: aws.Bool(true)})
	wantErr(t, err, "DryRunOperationException", 0, "The request would have succeeded, but the DryRun option is set.")
}

func TestDataKeys(t *testing.T) {
	e := newEnv(t)
	m := e.key(nil)
	ec := map[string]string{"bucket": "b"}
	for _, c := range []struct {
		spec types.DataKeySpec
		n    *int32
		want int
	}{{"AES_256", nil, 32}, {"AES_128", nil, 16}, {"", aws.Int32(64), 64}, {"", aws.Int32(1), 1}} {
		dk := must(e.kms.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: m.KeyId, KeySpec: c.spec, NumberOfBytes: c.n, EncryptionContext: ec}))
		if len(dk.Plaintext) != c.want || *dk.KeyId != *m.Arn {
			t.Fatalf("data key %+v", dk)
		}
		dec := must(e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: ec}))
		if !bytes.Equal(dec.Plaintext, dk.Plaintext) {
			t.Fatal("the blob does not decrypt to the data key")
		}
	}
	_, err := e.kms.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: m.KeyId})
	wantErr(t, err, "ValidationException", 400, "Please specify either number of bytes or key spec.")
	_, err = e.kms.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: m.KeyId, KeySpec: "AES_256", NumberOfBytes: aws.Int32(32)})
	wantErr(t, err, "ValidationException", 400, "")
	_, err = e.kms.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: m.KeyId, NumberOfBytes: aws.Int32(1025)})
	wantErr(t, err, "ValidationException", 400, "")
	wp := must(e.kms.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: m.KeyId, KeySpec: "AES_256"}))
	if dec := must(e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wp.CiphertextBlob})); len(dec.Plaintext) != 32 {
		t.Fatal("data key without plaintext")
	}
	rsaKey := e.key(&kms.CreateKeyInput{KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT"})
	_, err = e.kms.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: rsaKey.KeyId, KeySpec: "AES_256"})
	wantErr(t, err, "InvalidKeyUsageException", 400, "")
	_, err = e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: rsaKey.KeyId, EncryptionAlgorithm: "RSAES_OAEP_SHA_1", Plaintext: make([]byte, 215)})
	wantErr(t, err, "ValidationException", 400, "Algorithm RSAES_OAEP_SHA_1 and key spec RSA_2048 cannot encrypt data larger than 214 bytes.")
	_, err = e.kms.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: "HMAC_256"})
	wantErr(t, err, "ValidationException", 400, "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.")

	// Data key pairs: the private key is PKCS #8, the public key matches it, the blob
	// decrypts to the private key.
	for _, spec := range []types.DataKeyPairSpec{"RSA_2048", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1"} {
		p := must(e.kms.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: m.KeyId, KeyPairSpec: spec, EncryptionContext: ec}))
		dec := must(e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: p.PrivateKeyCiphertextBlob, EncryptionContext: ec}))
		if !bytes.Equal(dec.Plaintext, p.PrivateKeyPlaintext) || p.KeyPairSpec != spec {
			t.Fatalf("%s: blob does not decrypt to the private key", spec)
		}
		checkPairMatches(t, string(spec), p.PrivateKeyPlaintext, p.PublicKey)
		w := must(e.kms.GenerateDataKeyPairWithoutPlaintext(ctx, &kms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: m.KeyId, KeyPairSpec: spec}))
		priv := must(e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: w.PrivateKeyCiphertextBlob})).Plaintext
		checkPairMatches(t, string(spec), priv, w.PublicKey)
	}
	_, err = e.kms.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: m.KeyId, KeyPairSpec: "SM2"})
	wantErr(t, err, "UnsupportedOperationException", 400, "")

	r := must(e.kms.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(1024)}))
	r2 := must(e.kms.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(1024)}))
	if len(r.Plaintext) != 1024 || bytes.Equal(r.Plaintext, r2.Plaintext) {
		t.Fatal("random bytes")
	}
	_, err = e.kms.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(1025)})
	wantErr(t, err, "ValidationException", 400, "")
}

// checkPairMatches signs with the private key and verifies with the public key, by
// Go's crypto (and decred's secp256k1), outside Palisade.
func checkPairMatches(t *testing.T, spec string, privDER, pubDER []byte) {
	t.Helper()
	digest := sha256.Sum256([]byte("pair"))
	if spec == "ECC_SECG_P256K1" {
		priv := parseSecpPrivate(t, privDER)
		pub := parseSecpPublic(t, pubDER)
		if !secpecdsa.Sign(priv, digest[:]).Verify(digest[:], pub) {
			t.Fatalf("%s: pair does not match", spec)
		}
		return
	}
	priv, err := x509.ParsePKCS8PrivateKey(privDER)
	if err != nil {
		t.Fatalf("%s private key: %v", spec, err)
	}
	pub, err := x509.ParsePKIXPublicKey(pubDER)
	if err != nil {
		t.Fatalf("%s public key: %v", spec, err)
	}
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		sig, _ := rsa.SignPKCS1v15(rand.Reader, p, crypto.SHA256, digest[:])
		if rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), crypto.SHA256, digest[:], sig) != nil {
			t.Fatalf("%s: pair does not match", spec)
		}
	case *ecdsa.PrivateKey:
		sig, _ := ecdsa.SignASN1(rand.Reader, p, digest[:])
		if !ecdsa.VerifyASN1(pub.(*ecdsa.PublicKey), digest[:], sig) {
			t.Fatalf("%s: pair does not match", spec)
		}
	}
}

var oidSecp256k1 = asn1.ObjectIdentifier{1, 3, 132, 0, 10}

// parseSecpPublic reads a secp256k1 SubjectPublicKeyInfo independently of Palisade's
// encoder.
func parseSecpPublic(t *testing.T, der []byte) *secp256k1.PublicKey {
	t.Helper()
	var spki struct {
		Algo struct {
			Algorithm, Curve asn1.ObjectIdentifier
		}
		Key asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil || !spki.Algo.Curve.Equal(oidSecp256k1) {
		t.Fatalf("secp256k1 SPKI: %v %v", err, spki.Algo.Curve)
	}
	pub, err := secp256k1.ParsePubKey(spki.Key.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

func parseSecpPrivate(t *testing.T, der []byte) *secp256k1.PrivateKey {
	t.Helper()
	var p8 struct {
		Version int
		Algo    struct{ Algorithm, Curve asn1.ObjectIdentifier }
		Key     []byte
	}
	if _, err := asn1.Unmarshal(der, &p8); err != nil || !p8.Algo.Curve.Equal(oidSecp256k1) {
		t.Fatalf("secp256k1 PKCS #8: %v", err)
	}
	var ec struct {
		Version int
		Key     []byte
		Pub     asn1.BitString `asn1:"optional,explicit,tag:1"`
	}
	if _, err := asn1.Unmarshal(p8.Key, &ec); err != nil {
		t.Fatal(err)
	}
	return secp256k1.PrivKeyFromBytes(ec.Key)
}

func TestSignVerifyInteroperates(t *testing.T) {
	e := newEnv(t)
	msg := []byte("the message to sign")
	cases := []struct {
		spec types.KeySpec
		alg  types.SigningAlgorithmSpec
	}{
		{"RSA_2048", "RSASSA_PSS_SHA_256"}, {"RSA_2048", "RSASSA_PKCS1_V1_5_SHA_512"}, {"RSA_3072", "RSASSA_PSS_SHA_384"},
		{"ECC_NIST_P256", "ECDSA_SHA_256"}, {"ECC_NIST_P384", "ECDSA_SHA_384"}, {"ECC_NIST_P521", "ECDSA_SHA_512"},
		{"ECC_SECG_P256K1", "ECDSA_SHA_256"},
	}
	for _, c := range cases {
		m := e.key(&kms.CreateKeyInput{KeySpec: c.spec, KeyUsage: "SIGN_VERIFY"})
		s := must(e.kms.Sign(ctx, &kms.SignInput{KeyId: m.KeyId, Message: msg, SigningAlgorithm: c.alg}))
		pk := must(e.kms.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: m.KeyId}))
		if pk.KeySpec != c.spec || pk.KeyUsage != "SIGN_VERIFY" || len(pk.SigningAlgorithms) == 0 || *s.KeyId != *m.Arn {
			t.Fatalf("%s: public key %+v", c.spec, pk)
		}
		h, digest := hashFor(c.alg, msg)
		ok := false
		switch c.spec {
		case "ECC_SECG_P256K1":
			sig, err := secpecdsa.ParseDERSignature(s.Signature)
			ok = err == nil && sig.Verify(digest, parseSecpPublic(t, pk.PublicKey))
		default:
			pub, err := x509.ParsePKIXPublicKey(pk.PublicKey)
			if err != nil {
				t.Fatalf("%s: %v", c.spec, err)
			}
			switch p := pub.(type) {
			case *rsa.PublicKey:
				if c.alg[7:10] == "PSS" {
					ok = rsa.VerifyPSS(p, h, digest, s.Signature, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
				} else {
					ok = rsa.VerifyPKCS1v15(p, h, digest, s.Signature) == nil
				}
			case *ecdsa.PublicKey:
				ok = ecdsa.VerifyASN1(p, digest, s.Signature)
			}
		}
		if !ok {
			t.Fatalf("%s/%s: Go's crypto does not verify KMS's signature", c.spec, c.alg)
		}
		// KMS verifies its own signature, by RAW message and by DIGEST.
		v := must(e.kms.Verify(ctx, &kms.VerifyInput{KeyId: m.KeyId, Message: msg, Signature: s.Signature, SigningAlgorithm: c.alg}))
		if !v.SignatureValid {
			t.Fatal("not valid")
		}
		must(e.kms.Verify(ctx, &kms.VerifyInput{KeyId: m.KeyId, Message: digest, MessageType: "DIGEST", Signature: s.Signature, SigningAlgorithm: c.alg}))
		_, err := e.kms.Verify(ctx, &kms.VerifyInput{KeyId: m.KeyId, Message: []byte("another message"), Signature: s.Signature, SigningAlgorithm: c.alg})
		wantErr(t, err, "KMSInvalidSignatureException", 400, "")
	}
	// A signature made outside KMS with a DIGEST verifies too; digest lengths are
	// checked; algorithms must be the key's.
	m := e.key(&kms.CreateKeyInput{KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY"})
	d := sha256.Sum256(msg)
	s := must(e.kms.Sign(ctx, &kms.SignInput{KeyId: m.KeyId, Message: d[:], MessageType: "DIGEST", SigningAlgorithm: "ECDSA_SHA_256"}))
	must(e.kms.Verify(ctx, &kms.VerifyInput{KeyId: m.KeyId, Message: msg, Signature: s.Signature, SigningAlgorithm: "ECDSA_SHA_256"}))
	_, err := e.kms.Sign(ctx, &kms.SignInput{KeyId: m.KeyId, Message: d[:20], MessageType: "DIGEST", SigningAlgorithm: "ECDSA_SHA_256"})
	wantErr(t, err, "ValidationException", 400, "Digest is invalid length for algorithm ECDSA_SHA_256.")
	_, err = e.kms.Sign(ctx, &kms.SignInput{KeyId: m.KeyId, Message: msg, SigningAlgorithm: "RSASSA_PSS_SHA_256"})
	wantErr(t, err, "InvalidKeyUsageException", 400, "")
	sym := e.key(nil)
	_, err = e.kms.Sign(ctx, &kms.SignInput{KeyId: sym.KeyId, Message: msg, SigningAlgorithm: "ECDSA_SHA_256"})
	wantErr(t, err, "InvalidKeyUsageException", 400, *sym.Arn+" key usage is ENCRYPT_DECRYPT which is not valid for Sign.")
	_, err = e.kms.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: sym.KeyId})
	wantErr(t, err, "UnsupportedOperationException", 400, "")
}

func hashFor(alg types.SigningAlgorithmSpec, msg []byte) (crypto.Hash, []byte) {
	switch alg[len(alg)-3:] {
	case "384":
		d := sha512.Sum384(msg)
		return crypto.SHA384, d[:]
	case "512":
		d := sha512.Sum512(msg)
		return crypto.SHA512, d[:]
	}
	d := sha256.Sum256(msg)
	return crypto.SHA256, d[:]
}

func TestRSAEncryptionInteroperates(t *testing.T) {
	e := newEnv(t)
	m := e.key(&kms.CreateKeyInput{KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT"})
	pk := must(e.kms.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: m.KeyId}))
	pub := must(x509.ParsePKIXPublicKey(pk.PublicKey)).(*rsa.PublicKey)
	if len(pk.EncryptionAlgorithms) != 2 {
		t.Fatalf("algorithms %v", pk.EncryptionAlgorithms)
	}
	// Encrypted outside KMS with the public key, decrypted by KMS (KeyId required).
	ct := must(rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, []byte("secret"), nil))
	dec := must(e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, KeyId: m.KeyId, EncryptionAlgorithm: "RSAES_OAEP_SHA_256"}))
	if string(dec.Plaintext) != "secret" {
		t.Fatal("RSA decrypt")
	}
	ct1 := must(rsa.EncryptOAEP(sha1.New(), rand.Reader, pub, []byte("sha1"), nil))
	if string(must(e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct1, KeyId: m.KeyId, EncryptionAlgorithm: "RSAES_OAEP_SHA_1"})).Plaintext) != "sha1" {
		t.Fatal("RSA SHA-1 decrypt")
	}
	_, err := e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, KeyId: m.KeyId, EncryptionAlgorithm: "RSAES_OAEP_SHA_1"})
	wantErr(t, err, "InvalidCiphertextException", 400, "")
	// An RSA ciphertext names no key (stackd testdata/aws/kms/rsa.json, decrypt_no_key).
	_, err = e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, EncryptionAlgorithm: "RSAES_OAEP_SHA_256"})
	wantErr(t, err, "ValidationException", 400, "KeyId must not be null")
	// KMS's RSA ciphertexts decrypt with KMS; plaintext over the OAEP limit fails.
	enc := must(e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("hello"), EncryptionAlgorithm: "RSAES_OAEP_SHA_256"}))
	if string(must(e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, KeyId: m.KeyId, EncryptionAlgorithm: "RSAES_OAEP_SHA_256"})).Plaintext) != "hello" {
		t.Fatal("RSA roundtrip")
	}
	_, err = e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: make([]byte, 191), EncryptionAlgorithm: "RSAES_OAEP_SHA_256"})
	wantErr(t, err, "ValidationException", 400, "")
	_, err = e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x"), EncryptionAlgorithm: "RSAES_OAEP_SHA_256", EncryptionContext: map[string]string{"a": "b"}})
	wantErr(t, err, "ValidationException", 400, "")
}

func TestMacAndKeyAgreement(t *testing.T) {
	e := newEnv(t)
	m := e.key(&kms.CreateKeyInput{KeySpec: "HMAC_384", KeyUsage: "GENERATE_VERIFY_MAC"})
	g := must(e.kms.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: m.KeyId, Message: []byte("msg"), MacAlgorithm: "HMAC_SHA_384"}))
	if len(g.Mac) != 48 || g.MacAlgorithm != "HMAC_SHA_384" {
		t.Fatalf("mac %+v", g)
	}
	again := must(e.kms.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: m.KeyId, Message: []byte("msg"), MacAlgorithm: "HMAC_SHA_384"}))
	if !bytes.Equal(g.Mac, again.Mac) {
		t.Fatal("HMAC is not deterministic")
	}
	v := must(e.kms.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: m.KeyId, Message: []byte("msg"), Mac: g.Mac, MacAlgorithm: "HMAC_SHA_384"}))
	if !v.MacValid {
		t.Fatal("mac not valid")
	}
	bad := bytes.Clone(g.Mac)
	bad[0] ^= 1
	_, err := e.kms.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: m.KeyId, Message: []byte("msg"), Mac: bad, MacAlgorithm: "HMAC_SHA_384"})
	wantErr(t, err, "KMSInvalidMacException", 400, "")
	_, err = e.kms.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: m.KeyId, Message: []byte("msg"), MacAlgorithm: "HMAC_SHA_256"})
	wantErr(t, err, "InvalidKeyUsageException", 400, "")
	other := e.key(&kms.CreateKeyInput{KeySpec: "HMAC_384", KeyUsage: "GENERATE_VERIFY_MAC"})
	_, err = e.kms.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: other.KeyId, Message: []byte("msg"), Mac: g.Mac, MacAlgorithm: "HMAC_SHA_384"})
	wantErr(t, err, "KMSInvalidMacException", 400, "")

	// ECDH: KMS's shared secret equals the one the peer computes locally.
	ka := e.key(&kms.CreateKeyInput{KeySpec: "ECC_NIST_P256", KeyUsage: "KEY_AGREEMENT"})
	peer := must(ecdh.P256().GenerateKey(rand.Reader))
	peerPub := must(x509.MarshalPKIXPublicKey(peer.PublicKey()))
	ss := must(e.kms.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: ka.KeyId, KeyAgreementAlgorithm: "ECDH", PublicKey: peerPub}))
	kmsPub := must(x509.ParsePKIXPublicKey(must(e.kms.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: ka.KeyId})).PublicKey)).(*ecdsa.PublicKey)
	kp := must(kmsPub.ECDH())
	local := must(peer.ECDH(kp))
	if !bytes.Equal(ss.SharedSecret, local) {
		t.Fatal("shared secrets differ")
	}
	p384 := must(ecdsa.GenerateKey(elliptic.P384(), rand.Reader))
	_, err = e.kms.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: ka.KeyId, KeyAgreementAlgorithm: "ECDH", PublicKey: must(x509.MarshalPKIXPublicKey(&p384.PublicKey))})
	wantErr(t, err, "ValidationException", 400, "")
}

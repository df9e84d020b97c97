package kms_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

func TestRotation(t *testing.T) {
	e := newEnv(t)
	m := e.key(nil)
	old := must(e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("before")})).CiphertextBlob
	st := must(e.kms.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: m.KeyId}))
	if st.KeyRotationEnabled || *st.KeyId != *m.Arn {
		t.Fatalf("status %+v", st)
	}
	_, err := e.kms.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: m.KeyId, RotationPeriodInDays: aws.Int32(89)})
	wantErr(t, err, "ValidationException", 400, "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90")
	_, err = e.kms.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: m.KeyId, RotationPeriodInDays: aws.Int32(2561)})
	wantErr(t, err, "ValidationException", 400, "")
	must(e.kms.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: m.KeyId}))
	st = must(e.kms.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: m.KeyId}))
	if !st.KeyRotationEnabled || *st.RotationPeriodInDays != 365 || st.NextRotationDate.Sub(e.p.Clock.Now()) < 364*24*time.Hour {
		t.Fatalf("status %+v", st)
	}
	must(e.kms.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: m.KeyId, RotationPeriodInDays: aws.Int32(90)}))

	// On demand: new material at once; old ciphertexts still decrypt.
	if got := must(e.kms.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: m.KeyId})).KeyId; *got != *m.Arn {
		t.Fatalf("RotateKeyOnDemand answered KeyId %s, want the key's ARN", *got)
	}
	if string(must(e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: old})).Plaintext) != "before" {
		t.Fatal("old ciphertext lost")
	}
	d := must(e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: m.KeyId})).KeyMetadata
	if *d.CurrentKeyMaterialId == *m.CurrentKeyMaterialId {
		t.Fatal("the material did not change")
	}
	mid := must(e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("middle")})).CiphertextBlob
	if got := *must(e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: mid})).KeyMaterialId; got != *d.CurrentKeyMaterialId {
		t.Fatalf("new ciphertexts use material %s", got)
	}

	// Automatic: the clock passing the rotation date rotates the key.
	e.p.Clock.Advance(91 * 24 * time.Hour)
	eventually(t, "automatic rotation", func() bool {
		r := must(e.kms.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: m.KeyId})).Rotations
		return len(r) == 2 && r[1].RotationType == types.RotationTypeAutomatic
	})
	r := must(e.kms.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: m.KeyId})).Rotations
	if r[0].RotationType != types.RotationTypeOnDemand || r[0].KeyMaterialState != types.KeyMaterialStateNonCurrent ||
		r[1].KeyMaterialState != types.KeyMaterialStateCurrent || *r[0].KeyId != *m.Arn {
		t.Fatalf("rotations %+v", r)
	}
	all := must(e.kms.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: m.KeyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL"})).Rotations
	pg := must(e.kms.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: m.KeyId, Limit: aws.Int32(1)}))
	if len(all) != 3 || !pg.Truncated || len(pg.Rotations) != 1 {
		t.Fatalf("all materials %d, page %+v", len(all), pg)
	}
	for _, ct := range [][]byte{old, mid} {
		must(e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct}))
	}
	st = must(e.kms.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: m.KeyId}))
	if st.NextRotationDate.Sub(e.p.Clock.Now()) < 89*24*time.Hour {
		t.Fatalf("next rotation %v", st.NextRotationDate)
	}

	// A disabled key does not rotate, and refuses rotation changes.
	must(e.kms.DisableKey(ctx, &kms.DisableKeyInput{KeyId: m.KeyId}))
	e.p.Clock.Advance(91 * 24 * time.Hour)
	time.Sleep(100 * time.Millisecond)
	if n := len(must(e.kms.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: m.KeyId})).Rotations); n != 2 {
		t.Fatalf("a disabled key rotated: %d rotations", n)
	}
	_, err = e.kms.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: m.KeyId})
	wantErr(t, err, "DisabledException", 400, "")
	// Enabled again, the overdue rotation happens.
	must(e.kms.EnableKey(ctx, &kms.EnableKeyInput{KeyId: m.KeyId}))
	eventually(t, "overdue rotation", func() bool {
		return len(must(e.kms.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: m.KeyId})).Rotations) == 3
	})
	must(e.kms.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: m.KeyId}))
	if must(e.kms.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: m.KeyId})).KeyRotationEnabled {
		t.Fatal("rotation still enabled")
	}
	must(e.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: m.KeyId}))
	_, err = e.kms.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: m.KeyId})
	wantErr(t, err, "KMSInvalidStateException", 400, "")

	// Only symmetric keys with KMS material rotate; on-demand rotations are limited.
	asym := e.key(&kms.CreateKeyInput{KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY"})
	_, err = e.kms.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: asym.KeyId})
	wantErr(t, err, "UnsupportedOperationException", 400, "")
	lim := e.key(nil)
	for range 25 {
		must(e.kms.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: lim.KeyId}))
	}
	_, err = e.kms.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: lim.KeyId})
	wantErr(t, err, "LimitExceededException", 400, "")
}

func TestImportedKeyMaterial(t *testing.T) {
	e := newEnv(t)
	m := e.key(&kms.CreateKeyInput{Origin: "EXTERNAL"})
	if m.KeyState != types.KeyStatePendingImport || m.Origin != types.OriginTypeExternal || m.Enabled {
		t.Fatalf("external key %+v", m)
	}
	_, err := e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, "KMSInvalidStateException", 400, *m.Arn+" is pending import.")

	material := make([]byte, 32)
	rand.Read(material)
	p := must(e.kms.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: m.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048"}))
	if p.ParametersValidTo.Sub(e.p.Clock.Now()) < 23*time.Hour || *p.KeyId != *m.Arn {
		t.Fatalf("parameters %+v", p)
	}
	pub := must(x509.ParsePKIXPublicKey(p.PublicKey)).(*rsa.PublicKey)
	wrapped := must(rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, material, nil))

	// The token belongs to its key and expires.
	other := e.key(&kms.CreateKeyInput{Origin: "EXTERNAL"})
	_, err = e.kms.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: other.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE"})
	wantErr(t, err, "InvalidImportTokenException", 400, "")
	_, err = e.kms.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: m.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: "KEY_MATERIAL_EXPIRES"})
	wantErr(t, err, "ValidationException", 400, "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES")
	// KEY_MATERIAL_EXPIRES is the default: omitting both is the same mistake.
	_, err = e.kms.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: m.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped})
	wantErr(t, err, "ValidationException", 400, "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES")
	_, err = e.kms.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: m.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: []byte("not wrapped"), ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE"})
	wantErr(t, err, "InvalidCiphertextException", 400, "")
	short := must(rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, material[:16], nil))
	_, err = e.kms.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: m.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: short, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE"})
	wantErr(t, err, "IncorrectKeyMaterialException", 400, "")

	validTo := e.p.Clock.Now().Add(48 * time.Hour)
	must(e.kms.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: m.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ValidTo: &validTo}))
	d := must(e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: m.KeyId})).KeyMetadata
	if d.KeyState != types.KeyStateEnabled || d.ExpirationModel != types.ExpirationModelTypeKeyMaterialExpires || d.ValidTo == nil {
		t.Fatalf("imported %+v", d)
	}
	ct := must(e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("imported")})).CiphertextBlob

	// The material expires on the clock; importing it again restores the key and its
	// ciphertexts; other material is refused.
	e.p.Clock.Advance(49 * time.Hour)
	eventually(t, "expiry", func() bool {
		return must(e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: m.KeyId})).KeyMetadata.KeyState == types.KeyStatePendingImport
	})
	_, err = e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})
	wantErr(t, err, "KMSInvalidStateException", 400, "")
	p2 := must(e.kms.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: m.KeyId, WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256", WrappingKeySpec: "RSA_3072"}))
	wrapWithOpenSSL := func(secret []byte) []byte {
		// RSA_AES_KEY_WRAP: an AES key under RSAES-OAEP-SHA-256, then the material
		// under AES key wrap with padding, made with OpenSSL's id-aes256-wrap-pad.
		aesKey := make([]byte, 32)
		rand.Read(aesKey)
		dir := t.TempDir()
		in := filepath.Join(dir, "m")
		os.WriteFile(in, secret, 0o600)
		out, err := exec.Command("openssl", "enc", "-id-aes256-wrap-pad", "-K", hex.EncodeToString(aesKey), "-iv", "A65959A6", "-in", in).Output()
		if err != nil {
			t.Fatalf("openssl: %v", err)
		}
		pub := must(x509.ParsePKIXPublicKey(p2.PublicKey)).(*rsa.PublicKey)
		head := must(rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, aesKey, nil))
		return append(head, out...)
	}
	otherMaterial := make([]byte, 32)
	rand.Read(otherMaterial)
	_, err = e.kms.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: m.KeyId, ImportToken: p2.ImportToken, EncryptedKeyMaterial: wrapWithOpenSSL(otherMaterial), ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE"})
	wantErr(t, err, "IncorrectKeyMaterialException", 400, "")
	must(e.kms.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: m.KeyId, ImportToken: p2.ImportToken, EncryptedKeyMaterial: wrapWithOpenSSL(material), ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE"}))
	if !bytes.Equal(must(e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})).Plaintext, []byte("imported")) {
		t.Fatal("re-imported material does not decrypt the old ciphertext")
	}
	// Parameters expire after 24 hours.
	e.p.Clock.Advance(25 * time.Hour)
	_, err = e.kms.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: m.KeyId, ImportToken: p2.ImportToken, EncryptedKeyMaterial: wrapWithOpenSSL(material), ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE"})
	wantErr(t, err, "ExpiredImportTokenException", 400, "")

	del := must(e.kms.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: m.KeyId}))
	if *del.KeyId != *m.Arn || del.KeyMaterialId == nil {
		t.Fatalf("delete %+v", del)
	}
	_, err = e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, "KMSInvalidStateException", 400, "")
	native := e.key(nil)
	_, err = e.kms.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: native.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048"})
	wantErr(t, err, "UnsupportedOperationException", 400, "")
	_, err = e.kms.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: m.KeyId, WrappingAlgorithm: "RSAES_PKCS1_V1_5", WrappingKeySpec: "RSA_2048"})
	wantErr(t, err, "UnsupportedOperationException", 400, "")

	// Imported key pairs: PKCS #8 material of the key's spec signs as expected.
	sk := e.key(&kms.CreateKeyInput{Origin: "EXTERNAL", KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY"})
	priv := must(rsa.GenerateKey(rand.Reader, 2048))
	der := must(x509.MarshalPKCS8PrivateKey(priv))
	p3 := must(e.kms.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: sk.KeyId, WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256", WrappingKeySpec: "RSA_4096"}))
	p2 = p3
	must(e.kms.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: sk.KeyId, ImportToken: p3.ImportToken, EncryptedKeyMaterial: wrapWithOpenSSL(der), ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE"}))
	pk := must(e.kms.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: sk.KeyId}))
	if must(x509.ParsePKIXPublicKey(pk.PublicKey)).(*rsa.PublicKey).N.Cmp(priv.N) != 0 {
		t.Fatal("the imported key pair's public key differs")
	}
}

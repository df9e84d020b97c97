package kms_test

// Answers AWS KMS gave in us-east-1 in September 2026, as recorded in the public
// repository radkawar/stackd under testdata/aws/kms/ (each case names its file and
// case). Only the answers cheap to reproduce are pinned here.

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/cloudflare/circl/sign/mldsa/mldsa87"
)

func TestRecorded2026(t *testing.T) {
	e := newEnv(t)
	c := e.kms
	root := aws.String("arn:aws:iam::" + account + ":root")
	sym := e.key(nil)
	hm := e.key(&kms.CreateKeyInput{KeySpec: types.KeySpecHmac224, KeyUsage: types.KeyUsageTypeGenerateVerifyMac})
	rsaEnc := e.key(&kms.CreateKeyInput{KeySpec: types.KeySpecRsa2048, KeyUsage: types.KeyUsageTypeEncryptDecrypt})
	rsaSign := e.key(&kms.CreateKeyInput{KeySpec: types.KeySpecRsa4096, KeyUsage: types.KeyUsageTypeSignVerify})
	ecSign := e.key(&kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify})
	ecAgree := e.key(&kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeKeyAgreement})
	rsaCT := must(c.Encrypt(ctx, &kms.EncryptInput{KeyId: rsaEnc.KeyId, Plaintext: []byte("stackd"), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha1})).CiphertextBlob
	must(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/rotation"), TargetKeyId: sym.KeyId}))
	aliasID := aws.String("alias/rotation")

	type answer struct {
		code, msg string
	}
	cases := []struct {
		name string
		call func() error
		want answer // code "" is success
	}{
		// hmac.json
		{"hmac default_usage", func() error {
			_, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecHmac224})
			return err
		}, answer{"ValidationException", "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."}},
		{"hmac encryption_grant", func() error {
			_, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: hm.KeyId, GranteePrincipal: root, Operations: []types.GrantOperation{"Encrypt"}})
			return err
		}, answer{"ValidationException", "Operations [Encrypt] are not supported when creating a grant for a symmetric KMS key with key usage GENERATE_VERIFY_MAC. Valid operations are [CreateGrant, RetireGrant, DescribeKey, GenerateMac, VerifyMac]"}},
		{"hmac constrained_mac_grant", func() error {
			_, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: hm.KeyId, GranteePrincipal: root, Operations: []types.GrantOperation{"GenerateMac"},
				Constraints: &types.GrantConstraints{EncryptionContextSubset: map[string]string{"k": "v"}}})
			return err
		}, answer{"ValidationException", "EncryptionContext is supported only when creating a grant for a symmetric encryption KMS key."}},
		{"hmac mac_grant", func() error {
			_, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: hm.KeyId, GranteePrincipal: root, Operations: []types.GrantOperation{"GenerateMac", "VerifyMac"}})
			return err
		}, answer{}},
		{"hmac dry_verify_wrong_mac", func() error {
			_, err := c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: hm.KeyId, MacAlgorithm: types.MacAlgorithmSpecHmacSha224, Message: []byte("m"), Mac: make([]byte, 28), DryRun: aws.Bool(true)})
			return err
		}, answer{"KMSInvalidMacException", ""}},
		{"hmac wrong_algorithm", func() error {
			_, err := c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: hm.KeyId, MacAlgorithm: types.MacAlgorithmSpecHmacSha512, Message: []byte("m")})
			return err
		}, answer{"InvalidKeyUsageException", "Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_224."}},
		{"hmac encrypt_with_hmac", func() error {
			_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: hm.KeyId, Plaintext: []byte("m")})
			return err
		}, answer{"InvalidKeyUsageException", *hm.Arn + " key usage is GENERATE_VERIFY_MAC which is not valid for Encrypt."}},
		// ecc.json
		{"ecc encryption_usage", func() error {
			_, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeEncryptDecrypt})
			return err
		}, answer{"ValidationException", "KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec ECC_NIST_P256"}},
		{"ecc sign EXTERNAL_MU", func() error {
			_, err := c.Sign(ctx, &kms.SignInput{KeyId: ecSign.KeyId, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256, Message: []byte("m"), MessageType: types.MessageTypeExternalMu})
			return err
		}, answer{"ValidationException", "Message type EXTERNAL_MU is incompatible with key spec ECC_NIST_P256."}},
		{"ecc short_digest", func() error {
			_, err := c.Sign(ctx, &kms.SignInput{KeyId: ecSign.KeyId, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256, Message: []byte("short"), MessageType: types.MessageTypeDigest})
			return err
		}, answer{"ValidationException", "Digest is invalid length for algorithm ECDSA_SHA_256."}},
		{"ecc wrong_algorithm", func() error {
			_, err := c.Sign(ctx, &kms.SignInput{KeyId: ecSign.KeyId, SigningAlgorithm: types.SigningAlgorithmSpecRsassaPssSha256, Message: []byte("m")})
			return err
		}, answer{"InvalidKeyUsageException", "Algorithm RSASSA_PSS_SHA_256 is incompatible with key spec ECC_NIST_P256."}},
		{"ecc dry_invalid_signature", func() error {
			_, err := c.Verify(ctx, &kms.VerifyInput{KeyId: ecSign.KeyId, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256, Message: []byte("m"), Signature: []byte("not a signature"), DryRun: aws.Bool(true)})
			return err
		}, answer{"KMSInvalidSignatureException", ""}},
		{"ecc constrained_grant", func() error {
			_, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: ecAgree.KeyId, GranteePrincipal: root, Operations: []types.GrantOperation{"DeriveSharedSecret"},
				Constraints: &types.GrantConstraints{EncryptionContextEquals: map[string]string{"k": "v"}}})
			return err
		}, answer{"ValidationException", "EncryptionContext is supported only when creating a grant for a symmetric encryption KMS key."}},
		// rsa.json
		{"rsa symmetric_public_key", func() error {
			_, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: sym.KeyId})
			return err
		}, answer{"UnsupportedOperationException", ""}},
		{"rsa decrypt_no_key", func() error {
			_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: rsaCT, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha1})
			return err
		}, answer{"ValidationException", "KeyId must not be null"}},
		{"rsa decrypt_default_algorithm", func() error {
			_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: rsaCT, KeyId: rsaEnc.KeyId})
			return err
		}, answer{"InvalidCiphertextException", ""}},
		{"rsa decrypt_wrong_algorithm", func() error {
			_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: rsaCT, KeyId: rsaEnc.KeyId, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
			return err
		}, answer{"InvalidCiphertextException", ""}},
		{"rsa encryption_context", func() error {
			_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: rsaEnc.KeyId, Plaintext: []byte("m"), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha1, EncryptionContext: map[string]string{"k": "v"}})
			return err
		}, answer{"ValidationException", "EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs."}},
		{"rsa encryption_empty_context", func() error {
			_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: rsaEnc.KeyId, Plaintext: []byte("m"), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256, EncryptionContext: map[string]string{}})
			return err
		}, answer{}},
		{"rsa decrypt_nonempty_context", func() error {
			_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: rsaCT, KeyId: rsaEnc.KeyId, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha1, EncryptionContext: map[string]string{"k": "v"}})
			return err
		}, answer{"ValidationException", "EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs."}},
		{"rsa encrypt_default_algorithm", func() error {
			_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: rsaEnc.KeyId, Plaintext: []byte("m")})
			return err
		}, answer{"InvalidKeyUsageException", "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048."}},
		{"rsa encrypt_too_large", func() error {
			_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: rsaEnc.KeyId, Plaintext: make([]byte, 191), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
			return err
		}, answer{"ValidationException", "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes."}},
		{"rsa external_mu", func() error {
			_, err := c.Sign(ctx, &kms.SignInput{KeyId: rsaSign.KeyId, SigningAlgorithm: types.SigningAlgorithmSpecRsassaPssSha512, Message: make([]byte, 64), MessageType: types.MessageTypeExternalMu})
			return err
		}, answer{"ValidationException", "Message type EXTERNAL_MU is incompatible with key spec RSA_4096."}},
		{"rsa constrained_grant", func() error {
			_, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: rsaSign.KeyId, GranteePrincipal: root, Operations: []types.GrantOperation{"Sign"},
				Constraints: &types.GrantConstraints{EncryptionContextSubset: map[string]string{"k": "v"}}})
			return err
		}, answer{"ValidationException", "EncryptionContext is supported only when creating a grant for a symmetric encryption KMS key."}},
		{"rsa data_key_pair_asymmetric_master", func() error {
			_, err := c.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: rsaEnc.KeyId, KeyPairSpec: types.DataKeyPairSpecRsa2048})
			return err
		}, answer{"InvalidKeyUsageException", "You cannot generate a data key pair with an asymmetric CMK"}},
		// rotation.json
		{"rotation enable_2561", func() error {
			_, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: sym.KeyId, RotationPeriodInDays: aws.Int32(2561)})
			return err
		}, answer{"ValidationException", "1 validation error detected: Value '2561' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 2560"}},
		{"rotation alias_get-key-rotation-status", func() error {
			_, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aliasID})
			return err
		}, answer{"InvalidArnException", "Key Aliases are not supported for this operation."}},
		{"rotation alias_list-key-rotations", func() error {
			_, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: aliasID})
			return err
		}, answer{"InvalidArnException", "Key Aliases are not supported for this operation."}},
		{"rotation alias_enable-key-rotation", func() error {
			_, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aliasID})
			return err
		}, answer{"InvalidArnException", "Key Aliases are not supported for this operation."}},
		{"rotation alias_disable-key-rotation", func() error {
			_, err := c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: aliasID})
			return err
		}, answer{"InvalidArnException", "Key Aliases are not supported for this operation."}},
		{"rotation alias_rotate-key-on-demand", func() error {
			_, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aliasID})
			return err
		}, answer{"InvalidArnException", "Key Aliases are not supported for this operation."}},
		{"rotation invalid_marker", func() error {
			_, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: sym.KeyId, Marker: aws.String("not-a-marker")})
			return err
		}, answer{"InvalidMarkerException", ""}},
		{"rotation hmac_get-key-rotation-status", func() error {
			out, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: hm.KeyId})
			if err == nil && (out.KeyRotationEnabled || *out.KeyId != *hm.Arn) {
				t.Errorf("hmac_get-key-rotation-status: %+v", out)
			}
			return err
		}, answer{}},
		{"rotation hmac_list-key-rotations", func() error {
			out, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: hm.KeyId})
			if err == nil && (len(out.Rotations) != 0 || out.Truncated) {
				t.Errorf("hmac_list-key-rotations: %+v", out)
			}
			return err
		}, answer{}},
		{"rotation hmac_enable-key-rotation", func() error {
			_, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: hm.KeyId})
			return err
		}, answer{"UnsupportedOperationException", ""}},
		{"rotation hmac_disable-key-rotation", func() error {
			_, err := c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: hm.KeyId})
			return err
		}, answer{}},
		{"rotation hmac_rotate-key-on-demand", func() error {
			_, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: hm.KeyId})
			return err
		}, answer{"UnsupportedOperationException", ""}},
	}
	for _, tc := range cases {
		err := tc.call()
		if tc.want.code == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		t.Run(tc.name, func(t *testing.T) { recorded(t, err, tc.want.code, tc.want.msg, 400) })
	}

	// rotation.json: a disabled key keeps its rotation status; Enable, Disable and
	// RotateKeyOnDemand are refused; ecc.json and rsa.json: it still gives its public
	// key (disabled_public_key), and a key pending deletion does not.
	must(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: sym.KeyId, RotationPeriodInDays: aws.Int32(90)}))
	must(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: sym.KeyId}))
	st := must(c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: sym.KeyId}))
	if !st.KeyRotationEnabled || aws.ToInt32(st.RotationPeriodInDays) != 90 || st.NextRotationDate == nil {
		t.Errorf("disabled_get-key-rotation-status: %+v", st)
	}
	_, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: sym.KeyId})
	recorded(t, err, "DisabledException", *sym.Arn+" is disabled.", 400)
	_, err = c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: sym.KeyId})
	recorded(t, err, "DisabledException", *sym.Arn+" is disabled.", 400)
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: sym.KeyId})
	recorded(t, err, "DisabledException", *sym.Arn+" is disabled.", 400)
	for _, k := range []*types.KeyMetadata{rsaEnc, ecSign, ecAgree} {
		must(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: k.KeyId}))
		pk := must(c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: k.KeyId}))
		if *pk.KeyId != *k.Arn || len(pk.PublicKey) == 0 {
			t.Errorf("disabled_public_key %s: %+v", k.KeySpec, pk)
		}
		must(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: k.KeyId, PendingWindowInDays: aws.Int32(7)}))
		_, err = c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: k.KeyId})
		recorded(t, err, "KMSInvalidStateException", *k.Arn+" is pending deletion.", 400)
	}
	must(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: hm.KeyId}))
	_, err = c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: hm.KeyId, MacAlgorithm: types.MacAlgorithmSpecHmacSha512, Message: []byte("m")})
	recorded(t, err, "DisabledException", *hm.Arn+" is disabled.", 400) // disabled_wrong_algorithm
	must(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: sym.KeyId, PendingWindowInDays: aws.Int32(7)}))
	st = must(c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: sym.KeyId}))
	if st.KeyRotationEnabled || st.RotationPeriodInDays != nil {
		t.Errorf("deleting_get-key-rotation-status: %+v", st)
	}
	must(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: sym.KeyId}))
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: sym.KeyId})
	recorded(t, err, "KMSInvalidStateException", *sym.Arn+" is pending deletion.", 400)
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: sym.KeyId})
	recorded(t, err, "KMSInvalidStateException", *sym.Arn+" is pending deletion.", 400)
}

// imports.json: an EXTERNAL key's rotation status and list, and ImportKeyMaterial's
// validation of ValidTo and of material other than the imported one.
func TestRecorded2026Imports(t *testing.T) {
	e := newEnv(t)
	c := e.kms
	k := e.key(&kms.CreateKeyInput{Origin: types.OriginTypeExternal})
	st := must(c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: k.KeyId})) // pending_get-key-rotation-status
	if st.KeyRotationEnabled || *st.KeyId != *k.Arn {
		t.Errorf("pending_get-key-rotation-status: %+v", st)
	}
	l := must(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: k.KeyId, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial}))
	if len(l.Rotations) != 0 || l.Truncated {
		t.Errorf("symmetric_empty_history: %+v", l)
	}
	for _, call := range []func() error{
		func() error {
			_, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: k.KeyId})
			return err
		},
		func() error {
			_, err := c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: k.KeyId})
			return err
		},
	} {
		recorded(t, call(), "UnsupportedOperationException", *k.Arn+" origin is EXTERNAL which is not valid for this operation.", 400)
	}
	_, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: k.KeyId})
	recorded(t, err, "KMSInvalidStateException", *k.Arn+" is pending import.", 400)
	_, err = c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: k.KeyId})
	recorded(t, err, "KMSInvalidStateException", *k.Arn+" is pending import.", 400)

	material := randomKey(32)
	wrapped := func(m []byte) ([]byte, []byte) {
		p := must(c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: k.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048"}))
		pub := must(x509.ParsePKIXPublicKey(p.PublicKey)).(*rsa.PublicKey)
		return p.ImportToken, must(rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, m, nil))
	}
	tok, w := wrapped(material)
	imp := func(model types.ExpirationModelType, validTo *time.Time) error {
		_, err := c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: k.KeyId, ImportToken: tok, EncryptedKeyMaterial: w, ExpirationModel: model, ValidTo: validTo})
		return err
	}
	recorded(t, imp("", nil), "ValidationException", "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES", 400)
	recorded(t, imp("", aws.Time(time.Now().Add(-time.Hour))), "ValidationException", "ValidTo must be in the future", 400)
	recorded(t, imp("", aws.Time(time.Now().Add(366*24*time.Hour))), "ValidationException", "ValidTo must be less than 365 days in the future", 400)
	recorded(t, imp("KEY_MATERIAL_DOES_NOT_EXPIRE", aws.Time(time.Now().Add(24*time.Hour))), "ValidationException",
		"A validTo date cannot be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE", 400)
	out := must(c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: k.KeyId, ImportToken: tok, EncryptedKeyMaterial: w, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE"}))
	st = must(c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: k.KeyId})) // imported_get-key-rotation-status
	if st.KeyRotationEnabled {
		t.Errorf("imported_get-key-rotation-status: %+v", st)
	}
	tok, w = wrapped(randomKey(32))
	recorded(t, imp("KEY_MATERIAL_DOES_NOT_EXPIRE", nil), "IncorrectKeyMaterialException",
		"Imported key material does not have the expected identifier ("+*out.KeyMaterialId+").", 400) // wrong_existing_material
}

// imports_edges.json: GetParametersForImport on a key KMS made, import tokens and
// wrapped material that do not fit, and new material imported beside the current one,
// then rotated to and deleted while the rotation runs.
func TestRecorded2026ImportEdges(t *testing.T) {
	e := newEnv(t)
	c := e.kms
	gen := e.key(nil)
	_, err := c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: gen.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048"})
	recorded(t, err, "UnsupportedOperationException", *gen.Arn+" origin is AWS_KMS which is not valid for this operation.", 400) // parameters_generated

	k := e.key(&kms.CreateKeyInput{Origin: types.OriginTypeExternal})
	other := e.key(&kms.CreateKeyInput{Origin: types.OriginTypeExternal})
	params := func(id *string) (tok []byte, pub *rsa.PublicKey) {
		p := must(c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: id, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048"}))
		if *p.KeyId != *arnOf(t, c, id) {
			t.Errorf("GetParametersForImport KeyId %s", *p.KeyId)
		}
		return p.ImportToken, must(x509.ParsePKIXPublicKey(p.PublicKey)).(*rsa.PublicKey)
	}
	wrap := func(pub *rsa.PublicKey, m []byte) []byte {
		return must(rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, m, nil))
	}
	tok, pub := params(k.KeyId)
	otherTok, otherPub := params(other.KeyId)
	first := randomKey(32)
	imp := func(in kms.ImportKeyMaterialInput) (*kms.ImportKeyMaterialOutput, error) {
		in.KeyId = k.KeyId
		return c.ImportKeyMaterial(ctx, &in)
	}
	_, err = imp(kms.ImportKeyMaterialInput{ImportToken: otherTok, EncryptedKeyMaterial: wrap(otherPub, first), ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE"})
	recorded(t, err, "InvalidImportTokenException", "", 400) // token_other_key
	bad := append([]byte{}, tok...)
	bad[len(bad)/2] ^= 0xff
	_, err = imp(kms.ImportKeyMaterialInput{ImportToken: bad, EncryptedKeyMaterial: wrap(pub, first), ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE"})
	recorded(t, err, "InvalidImportTokenException", "", 400) // token_corrupt
	_, err = imp(kms.ImportKeyMaterialInput{ImportToken: tok, EncryptedKeyMaterial: randomKey(256), ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE"})
	recorded(t, err, "InvalidCiphertextException", "", 400)                                                                                                 // ciphertext_corrupt
	one := must(imp(kms.ImportKeyMaterialInput{ImportToken: tok, EncryptedKeyMaterial: wrap(pub, first), ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE"})) // first_import
	if *one.KeyId != *k.Arn || len(*one.KeyMaterialId) != 64 {
		t.Errorf("first_import %+v", one)
	}
	// expiring_pending: new material that expires goes beside the current one, which
	// the key's metadata goes on describing.
	second := randomKey(32)
	tok, pub = params(k.KeyId)
	two := must(imp(kms.ImportKeyMaterialInput{ImportToken: tok, EncryptedKeyMaterial: wrap(pub, second), ImportType: "NEW_KEY_MATERIAL", ValidTo: aws.Time(time.Now().Add(time.Hour))}))
	md := must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})).KeyMetadata // pending_expired_metadata
	if md.KeyState != types.KeyStateEnabled || md.ExpirationModel != "KEY_MATERIAL_DOES_NOT_EXPIRE" || aws.ToString(md.CurrentKeyMaterialId) != *one.KeyMaterialId || md.ValidTo != nil {
		t.Errorf("pending_expired_metadata %+v", md)
	}
	rot := must(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: k.KeyId, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})).Rotations
	if len(rot) != 2 || *rot[0].KeyMaterialId != *one.KeyMaterialId || rot[0].KeyMaterialState != "CURRENT" || rot[0].ExpirationModel != "KEY_MATERIAL_DOES_NOT_EXPIRE" || rot[0].ValidTo != nil ||
		*rot[1].KeyMaterialId != *two.KeyMaterialId || rot[1].KeyMaterialState != "PENDING_ROTATION" || rot[1].ImportState != "IMPORTED" || rot[1].ExpirationModel != "KEY_MATERIAL_EXPIRES" || rot[1].ValidTo == nil {
		t.Errorf("pending_expired_history %+v", rot)
	}
	tok, pub = params(k.KeyId)
	_, err = imp(kms.ImportKeyMaterialInput{ImportToken: tok, EncryptedKeyMaterial: wrap(pub, second), ImportType: "NEW_KEY_MATERIAL", ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE"})
	recorded(t, err, "IncorrectKeyMaterialException", "Key material (id: "+*two.KeyMaterialId+") being imported as NEW_KEY_MATERIAL is already associated with KMS key "+*k.Arn+".", 400) // pending_after_expiry_new

	// KMS rotates to the pending material within minutes, Palisade at once: the
	// recordings' calls made while the rotation ran (delete_pending_during_rotation,
	// reimport_during_rotation) have no counterpart; the rest of
	// imports_rotation_replacement.json does.
	before := must(c.Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: []byte("before")})).CiphertextBlob
	must(c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: k.KeyId})) // rotate_second
	rot = must(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: k.KeyId, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})).Rotations
	if len(rot) != 2 || *rot[0].KeyId != *k.Arn || rot[0].KeyMaterialState != "NON_CURRENT" || rot[0].ImportState != "IMPORTED" || rot[0].RotationDate != nil ||
		rot[1].KeyMaterialState != "CURRENT" || rot[1].RotationType != "ON_DEMAND" || rot[1].RotationDate == nil || rot[1].ExpirationModel != "KEY_MATERIAL_EXPIRES" {
		t.Errorf("after_first_request_history %+v", rot)
	}
	if md := must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})).KeyMetadata; aws.ToString(md.CurrentKeyMaterialId) != *two.KeyMaterialId { // after_first_request_metadata
		t.Errorf("after_first_request_metadata %+v", md)
	}
	if l := must(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: k.KeyId})); len(l.Rotations) != 1 || *l.Rotations[0].KeyMaterialId != *two.KeyMaterialId {
		t.Errorf("rotations without material %+v", l.Rotations)
	}
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: k.KeyId})
	recorded(t, err, "KMSInvalidStateException", "No available key material pending rotation for the key: "+*k.Arn+".", 400) // rotate_third

	// Material waiting for rotation is deleted alone and leaves no trace (delete_second).
	tok, pub = params(k.KeyId)
	three := must(imp(kms.ImportKeyMaterialInput{ImportToken: tok, EncryptedKeyMaterial: wrap(pub, randomKey(32)), ImportType: "NEW_KEY_MATERIAL", ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE"}))
	del := must(c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: k.KeyId, KeyMaterialId: three.KeyMaterialId}))
	if *del.KeyId != *k.Arn || aws.ToString(del.KeyMaterialId) != *three.KeyMaterialId {
		t.Errorf("delete_second %+v", del)
	}
	if l := must(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: k.KeyId, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})); len(l.Rotations) != 2 {
		t.Errorf("rotations after delete_second %+v", l.Rotations)
	}
	if md := must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})).KeyMetadata; md.KeyState != types.KeyStateEnabled || aws.ToString(md.CurrentKeyMaterialId) != *two.KeyMaterialId {
		t.Errorf("metadata after delete_second %+v", md)
	}
	if st := must(c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: k.KeyId})); st.KeyRotationEnabled {
		t.Errorf("status_after_delete_second %+v", st)
	}
	// Ciphertexts of the material rotated from still decrypt.
	if got := must(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: before})).Plaintext; string(got) != "before" {
		t.Errorf("decrypted %q", got)
	}
}

func arnOf(t *testing.T, c *kms.Client, id *string) *string {
	t.Helper()
	return must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata.Arn
}

// imports_families.json and imports_data_plane.json: keys other than symmetric ones
// take one material, unnamed; KMS refuses the parameters about several materials,
// RSAES wrapping of material too large for it, and HMAC material of the wrong length.
func TestRecorded2026ImportFamilies(t *testing.T) {
	e := newEnv(t)
	c := e.kms
	ext := func(spec types.KeySpec, usage types.KeyUsageType) *types.KeyMetadata {
		return e.key(&kms.CreateKeyInput{Origin: types.OriginTypeExternal, KeySpec: spec, KeyUsage: usage})
	}
	params := func(k *types.KeyMetadata, alg types.AlgorithmSpec, spec types.WrappingKeySpec) (*kms.GetParametersForImportOutput, error) {
		return c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: k.KeyId, WrappingAlgorithm: alg, WrappingKeySpec: spec})
	}
	for _, tc := range []struct {
		spec  types.KeySpec
		usage types.KeyUsageType
		fit   bool
	}{
		{types.KeySpecRsa2048, types.KeyUsageTypeSignVerify, false},             // RSA_2048_direct_2048
		{types.KeySpecRsa4096, types.KeyUsageTypeSignVerify, false},             // RSA_4096_direct_2048
		{types.KeySpecEccNistP521, types.KeyUsageTypeSignVerify, false},         // ECC_NIST_P521_direct_2048
		{types.KeySpecEccNistEdwards25519, types.KeyUsageTypeSignVerify, false}, // ECC_NIST_EDWARDS25519_direct_2048
		{types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify, true},          // ECC_NIST_P256_direct_2048
		{types.KeySpecEccSecgP256k1, types.KeyUsageTypeSignVerify, true},
		{types.KeySpecHmac512, types.KeyUsageTypeGenerateVerifyMac, true},
	} {
		k := ext(tc.spec, tc.usage)
		_, err := params(k, "RSAES_OAEP_SHA_256", "RSA_2048")
		if tc.fit {
			if err != nil {
				t.Errorf("%s: %v", tc.spec, err)
			}
			continue
		}
		recorded(t, err, "ValidationException", "Wrapping algorithm RSAES_OAEP_SHA_256 and wrapping key spec RSA_2048 cannot be used to import a "+string(tc.spec)+" key.", 400)
	}
	// ECC_NIST_EDWARDS25519_*: RFC 8410 PKCS #8 material under RSA_3072 makes a key
	// whose signatures crypto/ed25519 accepts; deleting it leaves no public key, and
	// the same material brings it back.
	edk := ext(types.KeySpecEccNistEdwards25519, types.KeyUsageTypeSignVerify)
	edp := must(params(edk, "RSAES_OAEP_SHA_256", "RSA_3072"))
	edWrap := must(x509.ParsePKIXPublicKey(edp.PublicKey)).(*rsa.PublicKey)
	edPub, edPriv := must2(ed25519.GenerateKey(rand.Reader))
	edMaterial := must(rsa.EncryptOAEP(sha256.New(), rand.Reader, edWrap, must(x509.MarshalPKCS8PrivateKey(edPriv)), nil))
	edImport := func(in kms.ImportKeyMaterialInput) (*kms.ImportKeyMaterialOutput, error) {
		in.KeyId, in.ImportToken, in.EncryptedKeyMaterial, in.ExpirationModel = edk.KeyId, edp.ImportToken, edMaterial, "KEY_MATERIAL_DOES_NOT_EXPIRE"
		return c.ImportKeyMaterial(ctx, &in)
	}
	must(edImport(kms.ImportKeyMaterialInput{}))
	if pk := must(c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: edk.KeyId})); !edPub.Equal(must(x509.ParsePKIXPublicKey(pk.PublicKey))) { // ECC_NIST_EDWARDS25519_public
		t.Errorf("ECC_NIST_EDWARDS25519_public: %+v", pk)
	}
	_, err := edImport(kms.ImportKeyMaterialInput{ImportType: "EXISTING_KEY_MATERIAL"})
	recorded(t, err, "ValidationException", "Input parameter importType cannot be used with ECC_NIST_EDWARDS25519 imported keys.", 400)
	edMsg := []byte("imported asymmetric signing")
	if sig := must(c.Sign(ctx, &kms.SignInput{KeyId: edk.KeyId, Message: edMsg, SigningAlgorithm: types.SigningAlgorithmSpecEd25519Sha512})); !ed25519.Verify(edPub, edMsg, sig.Signature) { // ECC_NIST_EDWARDS25519_sign
		t.Error("ECC_NIST_EDWARDS25519_sign: crypto/ed25519 refuses the signature")
	}
	must(c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: edk.KeyId}))
	_, err = c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: edk.KeyId})
	recorded(t, err, "KMSInvalidStateException", *edk.Arn+" is pending import.", 400) // ECC_NIST_EDWARDS25519_public_missing
	must(edImport(kms.ImportKeyMaterialInput{}))                                      // ECC_NIST_EDWARDS25519_restore

	// ML_DSA_*_external_create: KMS imports no ML-DSA material.
	for _, spec := range []types.KeySpec{types.KeySpecMlDsa44, types.KeySpecMlDsa65, types.KeySpecMlDsa87} {
		_, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal, KeySpec: spec, KeyUsage: types.KeyUsageTypeSignVerify})
		recorded(t, err, "ValidationException", "KeySpec "+string(spec)+" is not supported for Origin EXTERNAL", 400)
	}

	hm := ext(types.KeySpecHmac224, types.KeyUsageTypeGenerateVerifyMac)
	p := must(params(hm, "RSAES_OAEP_SHA_256", "RSA_2048"))
	pub := must(x509.ParsePKIXPublicKey(p.PublicKey)).(*rsa.PublicKey)
	imp := func(material []byte, in kms.ImportKeyMaterialInput) (*kms.ImportKeyMaterialOutput, error) {
		in.KeyId, in.ImportToken, in.ExpirationModel = hm.KeyId, p.ImportToken, "KEY_MATERIAL_DOES_NOT_EXPIRE"
		in.EncryptedKeyMaterial = must(rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, material, nil))
		return c.ImportKeyMaterial(ctx, &in)
	}
	_, err = imp(randomKey(27), kms.ImportKeyMaterialInput{})
	recorded(t, err, "InvalidCiphertextException", "", 400) // HMAC_224_length_27
	material := randomKey(28)
	if out := must(imp(material, kms.ImportKeyMaterialInput{})); out.KeyMaterialId != nil { // HMAC_224_length_28
		t.Errorf("HMAC_224_length_28 named its material %s", *out.KeyMaterialId)
	}
	_, err = imp(material, kms.ImportKeyMaterialInput{ImportType: "EXISTING_KEY_MATERIAL"})
	recorded(t, err, "ValidationException", "Input parameter importType cannot be used with HMAC_224 imported keys.", 400)
	_, err = imp(material, kms.ImportKeyMaterialInput{KeyMaterialId: aws.String(strings.Repeat("0", 64))})
	recorded(t, err, "ValidationException", "Input parameter keyMaterialId cannot be used with HMAC_224 imported keys.", 400)
	_, err = imp(material, kms.ImportKeyMaterialInput{KeyMaterialDescription: aws.String("hmac description")})
	recorded(t, err, "ValidationException", "Input parameter keyMaterialDescription cannot be used with HMAC_224 imported keys.", 400)
	if md := must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: hm.KeyId})).KeyMetadata; md.CurrentKeyMaterialId != nil || md.KeyState != types.KeyStateEnabled { // HMAC_224_metadata
		t.Errorf("HMAC_224_metadata %+v", md)
	}
	_, err = c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: hm.KeyId, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})
	recorded(t, err, "ValidationException", "Input parameter includeKeyMaterial can only be used with symmetric keys.", 400)                                    // HMAC_224_history
	if del := must(c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: hm.KeyId})); del.KeyMaterialId != nil || *del.KeyId != *hm.Arn { // HMAC_224_delete
		t.Errorf("HMAC_224_delete %+v", del)
	}
	_, err = c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: hm.KeyId, Message: []byte("imported HMAC"), MacAlgorithm: "HMAC_SHA_224"})
	recorded(t, err, "KMSInvalidStateException", *hm.Arn+" is pending import.", 400)
	must(imp(material, kms.ImportKeyMaterialInput{})) // HMAC_224_restore

	// rotation.json: every rotation entry names the key by its ARN (initial_all).
	sym := e.key(nil)
	if r := must(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: sym.KeyId, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})).Rotations; len(r) != 1 || *r[0].KeyId != *sym.Arn || r[0].ImportState != "" {
		t.Errorf("initial_all %+v", r)
	}
}

// imports_rotation_expiry.json: rotating to material that expired while it waited
// leaves the key pending import, refusing even the old material's ciphertexts; the
// expired material imported again brings it all back.
func TestRecorded2026ImportRotationExpiry(t *testing.T) {
	e := newEnv(t)
	c := e.kms
	k := e.key(&kms.CreateKeyInput{Origin: types.OriginTypeExternal})
	imp := func(material []byte, in kms.ImportKeyMaterialInput) *kms.ImportKeyMaterialOutput {
		p := must(c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: k.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048"}))
		pub := must(x509.ParsePKIXPublicKey(p.PublicKey)).(*rsa.PublicKey)
		in.KeyId, in.ImportToken = k.KeyId, p.ImportToken
		in.EncryptedKeyMaterial = must(rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, material, nil))
		return must(c.ImportKeyMaterial(ctx, &in))
	}
	first := imp(randomKey(32), kms.ImportKeyMaterialInput{ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE"})         // first_import
	old := must(c.Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: []byte("old material")})).CiphertextBlob // encrypt_initial
	second := randomKey(32)
	pending := imp(second, kms.ImportKeyMaterialInput{ImportType: "NEW_KEY_MATERIAL", ValidTo: aws.Time(e.p.Clock.Now().Add(time.Hour))}) // expiring_pending
	e.p.Clock.Advance(2 * time.Hour)
	must(c.Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: []byte("pending expiry")}))                                                     // encrypt_with_expired_pending
	must(c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: k.KeyId}))                                                                      // rotate_expired_pending
	if md := must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})).KeyMetadata; md.KeyState != types.KeyStatePendingImport || md.Enabled { // after_expired_rotation_metadata
		t.Errorf("after_expired_rotation_metadata %+v", md)
	}
	_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: []byte("after rotation")})
	recorded(t, err, "KMSInvalidStateException", *k.Arn+" is pending import.", 400) // encrypt_after_expired_rotation
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: old})
	recorded(t, err, "KMSInvalidStateException", *k.Arn+" is pending import.", 400) // decrypt_initial_after_expired_rotation

	back := imp(second, kms.ImportKeyMaterialInput{ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE"}) // restore_expired_pending
	if *back.KeyMaterialId != *pending.KeyMaterialId {
		t.Errorf("restore_expired_pending %s, want %s", *back.KeyMaterialId, *pending.KeyMaterialId)
	}
	md := must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})).KeyMetadata // after_restore_metadata
	if md.KeyState != types.KeyStateEnabled || aws.ToString(md.CurrentKeyMaterialId) != *pending.KeyMaterialId || md.ExpirationModel != "KEY_MATERIAL_DOES_NOT_EXPIRE" {
		t.Errorf("after_restore_metadata %+v", md)
	}
	rot := must(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: k.KeyId, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})).Rotations // after_restore_history
	if len(rot) != 2 || *rot[0].KeyMaterialId != *first.KeyMaterialId || rot[0].KeyMaterialState != "NON_CURRENT" || rot[0].ImportState != "IMPORTED" ||
		*rot[1].KeyMaterialId != *pending.KeyMaterialId || rot[1].KeyMaterialState != "CURRENT" || rot[1].ImportState != "IMPORTED" ||
		rot[1].ExpirationModel != "KEY_MATERIAL_DOES_NOT_EXPIRE" || rot[1].ValidTo != nil || rot[1].RotationType != "ON_DEMAND" || rot[1].RotationDate == nil {
		t.Errorf("after_restore_history %+v", rot)
	}
	dec := must(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: old})) // decrypt_initial_after_restore
	if string(dec.Plaintext) != "old material" || aws.ToString(dec.KeyMaterialId) != *first.KeyMaterialId {
		t.Errorf("decrypt_initial_after_restore %+v", dec)
	}
}

// imports_data_plane.json: an imported ECDH key agrees, says its origin, answers a dry
// run, and stops while its material is gone; an imported RSA key decrypts what
// OpenSSL encrypted with its public key.
func TestRecorded2026ImportDataPlane(t *testing.T) {
	e := newEnv(t)
	c := e.kms
	k := e.key(&kms.CreateKeyInput{Origin: types.OriginTypeExternal, KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeKeyAgreement}) // ecdh_create
	priv := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	material := must(x509.MarshalPKCS8PrivateKey(priv))
	imp := func() *kms.ImportKeyMaterialOutput {
		p := must(c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: k.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048"}))
		pub := must(x509.ParsePKIXPublicKey(p.PublicKey)).(*rsa.PublicKey)
		return must(c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: k.KeyId, ImportToken: p.ImportToken, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
			EncryptedKeyMaterial: must(rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, material, nil))}))
	}
	if out := imp(); out.KeyMaterialId != nil { // ecdh_import
		t.Errorf("ecdh_import %+v", out)
	}
	peer := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	peerPub := must(x509.MarshalPKIXPublicKey(&peer.PublicKey))
	in := &kms.DeriveSharedSecretInput{KeyId: k.KeyId, PublicKey: peerPub, KeyAgreementAlgorithm: "ECDH"}
	d := must(c.DeriveSharedSecret(ctx, in)) // ecdh_derive
	if d.KeyOrigin != "EXTERNAL" || *d.KeyId != *k.Arn || len(d.SharedSecret) != 32 {
		t.Errorf("ecdh_derive %+v", d)
	}
	_, err := c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: k.KeyId, PublicKey: peerPub, KeyAgreementAlgorithm: "ECDH", DryRun: aws.Bool(true)})
	recorded(t, err, "DryRunOperationException", "The request would have succeeded, but the DryRun option is set.", 400)              // ecdh_dry_run
	if del := must(c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: k.KeyId})); del.KeyMaterialId != nil { // ecdh_delete
		t.Errorf("ecdh_delete %+v", del)
	}
	_, err = c.DeriveSharedSecret(ctx, in)
	recorded(t, err, "KMSInvalidStateException", *k.Arn+" is pending import.", 400)                         // ecdh_missing_material
	imp()                                                                                                   // ecdh_reimport
	if again := must(c.DeriveSharedSecret(ctx, in)); string(again.SharedSecret) != string(d.SharedSecret) { // ecdh_derive_after_reimport
		t.Errorf("ecdh_derive_after_reimport: another secret")
	}
}

// ecc.json, the ECC_NIST_EDWARDS25519 cases: pure Ed25519 takes RAW messages only,
// Ed25519ph a SHA-512 digest that KMS hashes once more; the public key is RFC 8410
// SubjectPublicKeyInfo and data key pairs are PKCS #8. Signatures are checked with
// crypto/ed25519 against the key GetPublicKey gives.
func TestRecorded2026Ed25519(t *testing.T) {
	e := newEnv(t)
	c := e.kms
	ed := types.KeySpecEccNistEdwards25519
	pure, ph := types.SigningAlgorithmSpecEd25519Sha512, types.SigningAlgorithmSpecEd25519PhSha512
	_, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: ed})
	recorded(t, err, "ValidationException", "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.", 400) // default_usage
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: ed, KeyUsage: types.KeyUsageTypeEncryptDecrypt})
	recorded(t, err, "ValidationException", "KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec ECC_NIST_EDWARDS25519", 400) // encryption_usage

	k := e.key(&kms.CreateKeyInput{KeySpec: ed, KeyUsage: types.KeyUsageTypeSignVerify})
	algs := []types.SigningAlgorithmSpec{ph, pure}
	if !slices.Equal(k.SigningAlgorithms, algs) || k.KeySpec != ed {
		t.Errorf("keys: %+v", k)
	}
	pk := must(c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: k.KeyId})) // public_key
	if *pk.KeyId != *k.Arn || pk.KeySpec != ed ||
		pk.KeyUsage != types.KeyUsageTypeSignVerify || !slices.Equal(pk.SigningAlgorithms, algs) ||
		!strings.HasPrefix(base64.StdEncoding.EncodeToString(pk.PublicKey), "MCowBQYDK2VwAyEA") {
		t.Errorf("public_key: %+v", pk)
	}
	pub := must(x509.ParsePKIXPublicKey(pk.PublicKey)).(ed25519.PublicKey)

	msg := []byte("stackd Ed25519 message")
	sign := func(alg types.SigningAlgorithmSpec, mt types.MessageType, m []byte) (*kms.SignOutput, error) {
		return c.Sign(ctx, &kms.SignInput{KeyId: k.KeyId, SigningAlgorithm: alg, MessageType: mt, Message: m})
	}
	verify := func(alg types.SigningAlgorithmSpec, mt types.MessageType, m, sig []byte, dry bool) (*kms.VerifyOutput, error) {
		return c.Verify(ctx, &kms.VerifyInput{KeyId: k.KeyId, SigningAlgorithm: alg, MessageType: mt, Message: m, Signature: sig, DryRun: aws.Bool(dry)})
	}
	sig := must(sign(pure, types.MessageTypeRaw, msg))
	if !ed25519.Verify(pub, msg, sig.Signature) || *sig.KeyId != *k.Arn || sig.SigningAlgorithm != pure {
		t.Errorf("ED25519_SHA_512 sign: %+v", sig)
	}
	if again := must(sign(pure, types.MessageTypeRaw, msg)); !bytes.Equal(again.Signature, sig.Signature) { // repeat_sign
		t.Error("ED25519_SHA_512 repeat_sign differs")
	}
	if v := must(verify(pure, types.MessageTypeRaw, msg, sig.Signature, false)); !v.SignatureValid || *v.KeyId != *k.Arn {
		t.Errorf("ED25519_SHA_512 verify: %+v", v)
	}
	digest := sha512.Sum512(msg)
	phSig := must(sign(ph, types.MessageTypeDigest, digest[:]))
	prehash := sha512.Sum512(digest[:])
	if err := ed25519.VerifyWithOptions(pub, prehash[:], phSig.Signature, &ed25519.Options{Hash: crypto.SHA512}); err != nil {
		t.Errorf("ED25519_PH_SHA_512 sign: %v", err)
	}
	if again := must(sign(ph, types.MessageTypeDigest, digest[:])); !bytes.Equal(again.Signature, phSig.Signature) {
		t.Error("ED25519_PH_SHA_512 repeat_sign differs")
	}
	if v := must(verify(ph, types.MessageTypeDigest, digest[:], phSig.Signature, false)); !v.SignatureValid {
		t.Errorf("ED25519_PH_SHA_512 verify: %+v", v)
	}
	_, err = sign(pure, types.MessageTypeRaw, []byte{})
	recorded(t, err, "ValidationException", "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length greater than or equal to 1", 400)

	bad := bytes.Clone(sig.Signature)
	bad[0] ^= 1
	for _, tc := range []struct {
		name string
		call func() error
		want recordedErr
	}{
		{"PH sign RAW", func() error { _, err := sign(ph, types.MessageTypeRaw, msg); return err },
			recordedErr{"ValidationException", "Message type RAW is incompatible with algorithm ED25519_PH_SHA_512."}},
		{"PH sign EXTERNAL_MU", func() error { _, err := sign(ph, types.MessageTypeExternalMu, make([]byte, 64)); return err },
			recordedErr{"ValidationException", "Message type EXTERNAL_MU is incompatible with key spec ECC_NIST_EDWARDS25519."}},
		{"PH short_digest", func() error { _, err := sign(ph, types.MessageTypeDigest, digest[:32]); return err },
			recordedErr{"ValidationException", "Digest is invalid length for algorithm ED25519_PH_SHA_512."}},
		{"PH dry_sign", func() error {
			_, err := c.Sign(ctx, &kms.SignInput{KeyId: k.KeyId, SigningAlgorithm: ph, MessageType: types.MessageTypeDigest, Message: digest[:], DryRun: aws.Bool(true)})
			return err
		}, recordedErr{"DryRunOperationException", "The request would have succeeded, but the DryRun option is set."}},
		{"PH invalid_signature", func() error {
			_, err := verify(ph, types.MessageTypeDigest, digest[:], sig.Signature, false)
			return err
		},
			recordedErr{"KMSInvalidSignatureException", ""}},
		{"PH dry_invalid_signature", func() error {
			_, err := verify(ph, types.MessageTypeDigest, digest[:], sig.Signature, true)
			return err
		},
			recordedErr{"KMSInvalidSignatureException", ""}},
		{"pure sign DIGEST", func() error { _, err := sign(pure, types.MessageTypeDigest, digest[:]); return err },
			recordedErr{"ValidationException", "Message type DIGEST is incompatible with algorithm ED25519_SHA_512."}},
		{"pure sign EXTERNAL_MU", func() error { _, err := sign(pure, types.MessageTypeExternalMu, make([]byte, 64)); return err },
			recordedErr{"ValidationException", "Message type EXTERNAL_MU is incompatible with key spec ECC_NIST_EDWARDS25519."}},
		{"pure short_digest", func() error { _, err := sign(pure, types.MessageTypeDigest, digest[:32]); return err },
			recordedErr{"ValidationException", "Message type DIGEST is incompatible with algorithm ED25519_SHA_512."}},
		{"pure dry_sign", func() error {
			_, err := c.Sign(ctx, &kms.SignInput{KeyId: k.KeyId, SigningAlgorithm: pure, Message: msg, DryRun: aws.Bool(true)})
			return err
		}, recordedErr{"DryRunOperationException", "The request would have succeeded, but the DryRun option is set."}},
		{"pure invalid_signature", func() error { _, err := verify(pure, types.MessageTypeRaw, msg, bad, false); return err },
			recordedErr{"KMSInvalidSignatureException", ""}},
		{"pure dry_invalid_signature", func() error { _, err := verify(pure, types.MessageTypeRaw, msg, bad, true); return err },
			recordedErr{"KMSInvalidSignatureException", ""}},
		{"wrong_algorithm", func() error { _, err := sign(types.SigningAlgorithmSpecRsassaPssSha256, "", msg); return err },
			recordedErr{"InvalidKeyUsageException", "Algorithm RSASSA_PSS_SHA_256 is incompatible with key spec ECC_NIST_EDWARDS25519."}},
		{"constrained_grant", func() error {
			_, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.KeyId, GranteePrincipal: aws.String("arn:aws:iam::" + account + ":root"), Operations: []types.GrantOperation{"Sign"},
				Constraints: &types.GrantConstraints{EncryptionContextSubset: map[string]string{"k": "v"}}})
			return err
		}, recordedErr{"ValidationException", "EncryptionContext is supported only when creating a grant for a symmetric encryption KMS key."}},
	} {
		t.Run(tc.name, func(t *testing.T) { recorded(t, tc.call(), tc.want.code, tc.want.msg, 400) })
	}
	must(c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.KeyId, GranteePrincipal: aws.String("arn:aws:iam::" + account + ":root"),
		Operations: []types.GrantOperation{"Sign", "Verify"}})) // compatible_grant

	// data_key_pair, data_key_pair_without_plaintext: 48 bytes of PKCS #8, the
	// private key round-trips through Decrypt and matches the public key.
	sym := e.key(nil)
	dkp := must(c.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: sym.KeyId, KeyPairSpec: types.DataKeyPairSpecEccNistEdwards25519}))
	priv := must(x509.ParsePKCS8PrivateKey(dkp.PrivateKeyPlaintext)).(ed25519.PrivateKey)
	if len(dkp.PrivateKeyPlaintext) != 48 || dkp.KeyPairSpec != types.DataKeyPairSpecEccNistEdwards25519 ||
		!priv.Public().(ed25519.PublicKey).Equal(must(x509.ParsePKIXPublicKey(dkp.PublicKey))) ||
		!bytes.Equal(must(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dkp.PrivateKeyCiphertextBlob})).Plaintext, dkp.PrivateKeyPlaintext) {
		t.Errorf("data_key_pair: %+v", dkp)
	}
	dkw := must(c.GenerateDataKeyPairWithoutPlaintext(ctx, &kms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: sym.KeyId, KeyPairSpec: types.DataKeyPairSpecEccNistEdwards25519}))
	privW := must(x509.ParsePKCS8PrivateKey(must(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dkw.PrivateKeyCiphertextBlob})).Plaintext)).(ed25519.PrivateKey)
	if !privW.Public().(ed25519.PublicKey).Equal(must(x509.ParsePKIXPublicKey(dkw.PublicKey))) {
		t.Errorf("data_key_pair_without_plaintext: %+v", dkw)
	}

	must(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: k.KeyId}))
	if again := must(c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: k.KeyId})); !bytes.Equal(again.PublicKey, pk.PublicKey) { // disabled_public_key
		t.Errorf("disabled_public_key: %+v", again)
	}
	must(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: k.KeyId, PendingWindowInDays: aws.Int32(7)}))
	_, err = c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: k.KeyId})
	recorded(t, err, "KMSInvalidStateException", *k.Arn+" is pending deletion.", 400) // deleting_public_key
}

// mldsa.json: ML-DSA keys sign RAW messages and 64-byte external μ, refuse DIGEST,
// and show their public keys as SubjectPublicKeyInfo with the FIPS 204 OIDs. Every
// signature is checked with circl against the key parsed from GetPublicKey's DER.
func TestRecorded2026MLDSA(t *testing.T) {
	e := newEnv(t)
	c := e.kms
	alg := types.SigningAlgorithmSpecMlDsaShake256
	for _, tc := range []struct {
		spec   types.KeySpec
		prefix string // the recorded public key's first bytes, in base64
		verify func(pub, msg, sig []byte) bool
	}{
		{types.KeySpecMlDsa44, "MIIFMjALBglghkgBZQMEAxEDggUhA", func(pub, msg, sig []byte) bool {
			var pk mldsa44.PublicKey
			return pk.UnmarshalBinary(pub) == nil && mldsa44.Verify(&pk, msg, nil, sig)
		}},
		{types.KeySpecMlDsa65, "MIIHsjALBglghkgBZQMEAxIDggehA", func(pub, msg, sig []byte) bool {
			var pk mldsa65.PublicKey
			return pk.UnmarshalBinary(pub) == nil && mldsa65.Verify(&pk, msg, nil, sig)
		}},
		{types.KeySpecMlDsa87, "MIIKMjALBglghkgBZQMEAxMDggohA", func(pub, msg, sig []byte) bool {
			var pk mldsa87.PublicKey
			return pk.UnmarshalBinary(pub) == nil && mldsa87.Verify(&pk, msg, nil, sig)
		}},
	} {
		t.Run(string(tc.spec), func(t *testing.T) {
			_, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: tc.spec})
			recorded(t, err, "ValidationException", "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.", 400) // default_usage
			for _, u := range []types.KeyUsageType{types.KeyUsageTypeEncryptDecrypt, types.KeyUsageTypeKeyAgreement} {
				_, err = c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: tc.spec, KeyUsage: u})
				recorded(t, err, "ValidationException", "KeyUsage "+string(u)+" is not compatible with KeySpec "+string(tc.spec), 400) // encryption_usage, agreement_usage
			}
			k := e.key(&kms.CreateKeyInput{KeySpec: tc.spec, KeyUsage: types.KeyUsageTypeSignVerify})
			if !slices.Equal(k.SigningAlgorithms, []types.SigningAlgorithmSpec{alg}) || k.KeySpec != tc.spec || k.KeyUsage != types.KeyUsageTypeSignVerify {
				t.Errorf("keys: %+v", k)
			}
			pk := must(c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: k.KeyId})) // public_key
			if *pk.KeyId != *k.Arn || pk.KeySpec != tc.spec || pk.KeyUsage != types.KeyUsageTypeSignVerify ||
				!slices.Equal(pk.SigningAlgorithms, []types.SigningAlgorithmSpec{alg}) || !strings.HasPrefix(base64.StdEncoding.EncodeToString(pk.PublicKey), tc.prefix) {
				t.Errorf("public_key: %+v", pk)
			}
			var spki struct {
				Algorithm pkix.AlgorithmIdentifier
				PublicKey asn1.BitString
			}
			if rest, err := asn1.Unmarshal(pk.PublicKey, &spki); err != nil || len(rest) > 0 {
				t.Fatalf("public_key is not SubjectPublicKeyInfo: %v", err)
			}
			pub := spki.PublicKey.Bytes

			sign := func(mt types.MessageType, m []byte, dry bool) (*kms.SignOutput, error) {
				return c.Sign(ctx, &kms.SignInput{KeyId: k.KeyId, SigningAlgorithm: alg, MessageType: mt, Message: m, DryRun: aws.Bool(dry)})
			}
			verify := func(mt types.MessageType, m, sig []byte, dry bool) (*kms.VerifyOutput, error) {
				return c.Verify(ctx, &kms.VerifyInput{KeyId: k.KeyId, SigningAlgorithm: alg, MessageType: mt, Message: m, Signature: sig, DryRun: aws.Bool(dry)})
			}
			msg := []byte("stackd ML-DSA message")
			raw := must(sign(types.MessageTypeRaw, msg, false)) // sign_raw
			if !tc.verify(pub, msg, raw.Signature) || *raw.KeyId != *k.Arn || raw.SigningAlgorithm != alg {
				t.Errorf("sign_raw: circl refuses the signature")
			}
			if again := must(sign("", msg, false)); bytes.Equal(again.Signature, raw.Signature) || !tc.verify(pub, msg, again.Signature) { // repeat_raw
				t.Errorf("repeat_raw: hedged signatures differ each time")
			}
			if v := must(verify(types.MessageTypeRaw, msg, raw.Signature, false)); !v.SignatureValid || *v.KeyId != *k.Arn || v.SigningAlgorithm != alg { // verify_raw
				t.Errorf("verify_raw: %+v", v)
			}
			// μ = SHAKE256(SHAKE256(pk, 64) ‖ 0 ‖ 0 ‖ M, 64), FIPS 204 with an empty context.
			h := sha3.NewSHAKE256()
			h.Write(sha3.SumSHAKE256(pub, 64))
			h.Write([]byte{0, 0})
			h.Write(msg)
			mu := make([]byte, 64)
			h.Read(mu)
			must(verify(types.MessageTypeExternalMu, mu, raw.Signature, false)) // verify_raw_with_mu
			muSig := must(sign(types.MessageTypeExternalMu, mu, false))         // sign_mu
			if !tc.verify(pub, msg, muSig.Signature) {
				t.Errorf("sign_mu: circl refuses the signature for the message")
			}
			must(verify(types.MessageTypeRaw, msg, muSig.Signature, false)) // verify_mu_with_raw
			long := make([]byte, 4096)                                      // max_raw
			rand.Read(long)
			if s := must(sign(types.MessageTypeRaw, long, false)); !tc.verify(pub, long, s.Signature) {
				t.Errorf("max_raw: circl refuses the signature")
			}
			short := raw.Signature[:100]
			bad := bytes.Clone(raw.Signature)
			bad[10] ^= 1
			for _, rc := range []struct {
				name string
				err  error
				want recordedErr
			}{
				{"dry_sign", second(sign(types.MessageTypeRaw, msg, true)), recordedErr{"DryRunOperationException", "The request would have succeeded, but the DryRun option is set."}},
				{"dry_verify", second(verify(types.MessageTypeRaw, msg, raw.Signature, true)), recordedErr{"DryRunOperationException", "The request would have succeeded, but the DryRun option is set."}},
				{"sign_digest", second(sign(types.MessageTypeDigest, mu, false)), recordedErr{"ValidationException", "Message type DIGEST is incompatible with key spec " + string(tc.spec) + "."}},
				{"verify_digest", second(verify(types.MessageTypeDigest, mu, raw.Signature, false)), recordedErr{"ValidationException", "Message type DIGEST is incompatible with key spec " + string(tc.spec) + "."}},
				{"mu_length_1", second(sign(types.MessageTypeExternalMu, mu[:1], false)), recordedErr{"ValidationException", "External Mu is invalid length for algorithm ML_DSA_SHAKE_256."}},
				{"mu_length_63", second(sign(types.MessageTypeExternalMu, mu[:63], false)), recordedErr{"ValidationException", "External Mu is invalid length for algorithm ML_DSA_SHAKE_256."}},
				{"mu_length_65", second(sign(types.MessageTypeExternalMu, append(bytes.Clone(mu), 0), false)), recordedErr{"ValidationException", "External Mu is invalid length for algorithm ML_DSA_SHAKE_256."}},
				{"empty_raw", second(sign(types.MessageTypeRaw, []byte{}, false)), recordedErr{"ValidationException", "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length greater than or equal to 1"}},
				{"wrong_algorithm", second(c.Sign(ctx, &kms.SignInput{KeyId: k.KeyId, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256, Message: msg})),
					recordedErr{"InvalidKeyUsageException", "Algorithm ECDSA_SHA_256 is incompatible with key spec " + string(tc.spec) + "."}},
				{"invalid_signature", second(verify(types.MessageTypeRaw, msg, bad, false)), recordedErr{"KMSInvalidSignatureException", ""}},
				{"dry_invalid_signature", second(verify(types.MessageTypeRaw, msg, bad, true)), recordedErr{"KMSInvalidSignatureException", ""}},
				{"short_signature", second(verify(types.MessageTypeRaw, msg, short, false)), recordedErr{"KMSInvalidSignatureException", ""}},
				{"constrained_grant", second(c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.KeyId, GranteePrincipal: aws.String("arn:aws:iam::" + account + ":root"),
					Operations: []types.GrantOperation{"Sign"}, Constraints: &types.GrantConstraints{EncryptionContextSubset: map[string]string{"k": "v"}}})),
					recordedErr{"ValidationException", "EncryptionContext is supported only when creating a grant for a symmetric encryption KMS key."}},
			} {
				t.Run(rc.name, func(t *testing.T) { recorded(t, rc.err, rc.want.code, rc.want.msg, 400) })
			}
			must(c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.KeyId, GranteePrincipal: aws.String("arn:aws:iam::" + account + ":root"),
				Operations: []types.GrantOperation{"Sign", "Verify"}})) // compatible_grant

			must(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: k.KeyId}))
			if again := must(c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: k.KeyId})); !bytes.Equal(again.PublicKey, pk.PublicKey) { // disabled_public_key
				t.Errorf("disabled_public_key: %+v", again)
			}
			_, err = sign(types.MessageTypeRaw, msg, false)
			recorded(t, err, "DisabledException", *k.Arn+" is disabled.", 400) // disabled_sign
			_, err = verify(types.MessageTypeRaw, msg, raw.Signature, false)
			recorded(t, err, "DisabledException", *k.Arn+" is disabled.", 400) // disabled_verify
			must(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: k.KeyId, PendingWindowInDays: aws.Int32(7)}))
			_, err = c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: k.KeyId})
			recorded(t, err, "KMSInvalidStateException", *k.Arn+" is pending deletion.", 400) // deleting_public_key
		})
	}
}

func second[T any](_ T, err error) error { return err }

func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}

// recordedErr is an error code and message as a recording shows them.
type recordedErr struct{ code, msg string }

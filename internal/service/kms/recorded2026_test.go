package kms_test

// Answers AWS KMS gave in us-east-1 in September 2026, as recorded in the public
// repository radkawar/stackd under testdata/aws/kms/ (each case names its file and
// case). Only the answers cheap to reproduce are pinned here.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
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
		{types.KeySpecRsa2048, types.KeyUsageTypeSignVerify, false},     // RSA_2048_direct_2048
		{types.KeySpecRsa4096, types.KeyUsageTypeSignVerify, false},     // RSA_4096_direct_2048
		{types.KeySpecEccNistP521, types.KeyUsageTypeSignVerify, false}, // ECC_NIST_P521_direct_2048
		{types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify, true},  // ECC_NIST_P256_direct_2048
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
	// ECC_NIST_EDWARDS25519_*: Palisade has no Ed25519 keys.

	hm := ext(types.KeySpecHmac224, types.KeyUsageTypeGenerateVerifyMac)
	p := must(params(hm, "RSAES_OAEP_SHA_256", "RSA_2048"))
	pub := must(x509.ParsePKIXPublicKey(p.PublicKey)).(*rsa.PublicKey)
	imp := func(material []byte, in kms.ImportKeyMaterialInput) (*kms.ImportKeyMaterialOutput, error) {
		in.KeyId, in.ImportToken, in.ExpirationModel = hm.KeyId, p.ImportToken, "KEY_MATERIAL_DOES_NOT_EXPIRE"
		in.EncryptedKeyMaterial = must(rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, material, nil))
		return c.ImportKeyMaterial(ctx, &in)
	}
	_, err := imp(randomKey(27), kms.ImportKeyMaterialInput{})
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

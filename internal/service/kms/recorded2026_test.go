package kms_test

// Answers AWS KMS gave in us-east-1 in September 2026, as recorded in the public
// repository radkawar/stackd under testdata/aws/kms/ (each case names its file and
// case). Only the answers cheap to reproduce are pinned here.

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
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

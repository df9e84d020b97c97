package kms_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// DeleteImportedKeyMaterial naming material no longer current deletes that material
// alone: what it encrypted no longer decrypts, the key goes on with its current one.
func TestImportDeleteNonCurrentMaterial(t *testing.T) {
	e := newEnv(t)
	c := e.kms
	k := e.key(&kms.CreateKeyInput{Origin: types.OriginTypeExternal})
	imp := func(in kms.ImportKeyMaterialInput) *kms.ImportKeyMaterialOutput {
		p := must(c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: k.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048"}))
		pub := must(x509.ParsePKIXPublicKey(p.PublicKey)).(*rsa.PublicKey)
		in.KeyId, in.ImportToken, in.ExpirationModel = k.KeyId, p.ImportToken, "KEY_MATERIAL_DOES_NOT_EXPIRE"
		in.EncryptedKeyMaterial = must(rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, randomKey(32), nil))
		return must(c.ImportKeyMaterial(ctx, &in))
	}
	first := imp(kms.ImportKeyMaterialInput{})
	old := must(c.Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: []byte("old")})).CiphertextBlob
	second := imp(kms.ImportKeyMaterialInput{ImportType: "NEW_KEY_MATERIAL"})
	must(c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: k.KeyId}))
	del := must(c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: k.KeyId, KeyMaterialId: first.KeyMaterialId}))
	if aws.ToString(del.KeyMaterialId) != *first.KeyMaterialId {
		t.Errorf("deleted %+v", del)
	}
	if _, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: old}); err == nil {
		t.Error("the deleted material still decrypts")
	}
	md := must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})).KeyMetadata
	if md.KeyState != types.KeyStateEnabled || aws.ToString(md.CurrentKeyMaterialId) != *second.KeyMaterialId {
		t.Errorf("key after deleting old material %+v", md)
	}
	must(c.Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: []byte("new")}))
	rot := must(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: k.KeyId, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})).Rotations
	if len(rot) != 2 || rot[0].ImportState != "PENDING_IMPORT" || rot[0].KeyMaterialState != "NON_CURRENT" || rot[1].ImportState != "IMPORTED" {
		t.Errorf("rotations %+v", rot)
	}
	_, err := c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: k.KeyId, KeyMaterialId: aws.String(strings.Repeat("0", 64))})
	wantErr(t, err, "NotFoundException", 400, "")
}

// ListKeyRotations names imported material by the description it was imported with
// (recorded 2026 for a multi-Region primary key, stackd
// testdata/aws/kms/imports_multi_region.json, primary_missing_replica_history).
func TestImportMaterialDescription(t *testing.T) {
	e := newEnv(t)
	c := e.kms
	k := e.key(&kms.CreateKeyInput{Origin: types.OriginTypeExternal})
	imp := func(in kms.ImportKeyMaterialInput) {
		p := must(c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: k.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048"}))
		pub := must(x509.ParsePKIXPublicKey(p.PublicKey)).(*rsa.PublicKey)
		in.KeyId, in.ImportToken, in.ExpirationModel = k.KeyId, p.ImportToken, "KEY_MATERIAL_DOES_NOT_EXPIRE"
		in.EncryptedKeyMaterial = must(rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, randomKey(32), nil))
		must(c.ImportKeyMaterial(ctx, &in))
	}
	imp(kms.ImportKeyMaterialInput{KeyMaterialDescription: aws.String("primary first")})
	imp(kms.ImportKeyMaterialInput{ImportType: "NEW_KEY_MATERIAL"})
	rot := must(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: k.KeyId, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})).Rotations
	if len(rot) != 2 || aws.ToString(rot[0].KeyMaterialDescription) != "primary first" || rot[1].KeyMaterialDescription != nil {
		t.Errorf("rotations %+v", rot)
	}
}

package kms_test

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

// imports_expiry.json (radkawar/stackd testdata/aws/kms/, recorded against us-east-1
// in 2026): an EXTERNAL key waits for its material; import parameters last a day; new
// material expiring seconds ahead is taken beside the current one and listed,
// PENDING_ROTATION, with its ValidTo to the second; and it is still listed IMPORTED a
// quarter of an hour past that ValidTo (the recording's incomplete_reason: "ListKeyRotations
// continued to report the expired pending material as IMPORTED").
func TestRecordedImportsExpiry(t *testing.T) {
	e := newEnv(t)
	c := e.kms
	k := must(c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal, KeySpec: types.KeySpecSymmetricDefault,
		KeyUsage: types.KeyUsageTypeEncryptDecrypt, MultiRegion: aws.Bool(false)})).KeyMetadata // create_external
	if k.Enabled || k.KeyState != types.KeyStatePendingImport || k.Origin != types.OriginTypeExternal || k.KeyManager != types.KeyManagerTypeCustomer ||
		aws.ToString(k.Description) != "" || k.KeySpec != types.KeySpecSymmetricDefault || k.KeyUsage != types.KeyUsageTypeEncryptDecrypt ||
		len(k.EncryptionAlgorithms) != 1 || k.EncryptionAlgorithms[0] != types.EncryptionAlgorithmSpecSymmetricDefault || aws.ToBool(k.MultiRegion) {
		t.Errorf("create_external %+v", k)
	}
	imp := func(label string, in kms.ImportKeyMaterialInput) *kms.ImportKeyMaterialOutput {
		t.Helper()
		now := e.p.Clock.Now()
		p := must(c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: k.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048"}))
		if *p.KeyId != *k.Arn || p.ParametersValidTo == nil || p.ParametersValidTo.Sub(now.Add(24*time.Hour)).Abs() > time.Minute { // parameters
			t.Errorf("%s parameters: KeyId %s, valid to %v", label, *p.KeyId, p.ParametersValidTo)
		}
		pub := must(x509.ParsePKIXPublicKey(p.PublicKey)).(*rsa.PublicKey)
		in.KeyId, in.ImportToken = k.KeyId, p.ImportToken
		in.EncryptedKeyMaterial = must(rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, randomKey(32), nil))
		out := must(c.ImportKeyMaterial(ctx, &in))
		if *out.KeyId != *k.Arn || len(aws.ToString(out.KeyMaterialId)) != 64 {
			t.Errorf("%s %+v", label, out)
		}
		return out
	}
	first := imp("first_import", kms.ImportKeyMaterialInput{ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
	// KMS took material expiring 12 seconds ahead; ValidTo goes by whole seconds.
	validTo := e.p.Clock.Now().Add(12 * time.Second).Truncate(time.Second)
	pending := imp("expiring_pending", kms.ImportKeyMaterialInput{ImportType: types.ImportTypeNewKeyMaterial, ValidTo: aws.Time(validTo)})
	history := func(label string) {
		t.Helper()
		rot := must(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: k.KeyId, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial}))
		r := rot.Rotations
		if rot.Truncated || len(r) != 2 ||
			*r[0].KeyId != *k.Arn || *r[0].KeyMaterialId != *first.KeyMaterialId || r[0].ImportState != types.ImportStateImported ||
			r[0].KeyMaterialState != types.KeyMaterialStateCurrent || r[0].ExpirationModel != types.ExpirationModelTypeKeyMaterialDoesNotExpire || r[0].ValidTo != nil ||
			*r[1].KeyId != *k.Arn || *r[1].KeyMaterialId != *pending.KeyMaterialId || r[1].ImportState != types.ImportStateImported ||
			r[1].KeyMaterialState != types.KeyMaterialStatePendingRotation || r[1].ExpirationModel != types.ExpirationModelTypeKeyMaterialExpires ||
			r[1].ValidTo == nil || !r[1].ValidTo.Equal(validTo) {
			t.Errorf("%s %+v", label, r)
		}
	}
	history("expiry_history_poll")
	e.p.Clock.Advance(15 * time.Minute)
	history("expiry_history_poll after 15 minutes")
	if md := must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})).KeyMetadata; md.KeyState != types.KeyStateEnabled || aws.ToString(md.CurrentKeyMaterialId) != *first.KeyMaterialId {
		t.Errorf("metadata after the pending material's ValidTo %+v", md)
	}

	now := e.p.Clock.Now()
	del := must(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: k.KeyId, PendingWindowInDays: aws.Int32(7)})) // cleanup_us-east-1
	if *del.KeyId != *k.Arn || del.KeyState != types.KeyStatePendingDeletion || aws.ToInt32(del.PendingWindowInDays) != 7 ||
		del.DeletionDate == nil || del.DeletionDate.Sub(now.Add(7*24*time.Hour)).Abs() > time.Minute {
		t.Errorf("cleanup_us-east-1 %+v", del)
	}
}

package kms_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// The Developer Guide's key state table ("Key states of AWS KMS keys") marks
// PutKeyPolicy as succeeding in every key state, PendingDeletion included, while the
// other management changes (TagResource, UpdateKeyDescription, CreateAlias…) fail
// with KMSInvalidStateException.
func TestPutKeyPolicyWhilePendingDeletion(t *testing.T) {
	e := newEnv(t)
	m := e.key(nil)
	must(e.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: m.KeyId}))
	policy := `{"Version":"2012-10-17","Id":"changed","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"}]}`
	must(e.kms.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: m.KeyId, Policy: aws.String(policy)}))
	if got := *must(e.kms.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: m.KeyId})).Policy; got != policy {
		t.Fatalf("policy after PutKeyPolicy on a key pending deletion: %s", got)
	}
	_, err := e.kms.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: m.KeyId, Description: aws.String("x")})
	wantErr(t, err, "KMSInvalidStateException", 400, *m.Arn+" is pending deletion.")
}

// The API reference (RotateKeyOnDemand) and the Developer Guide ("Perform on-demand
// key rotation"): "You can perform on-demand key rotation a maximum of 25 times per
// KMS key."
func TestOnDemandRotationLimitIs25(t *testing.T) {
	e := newEnv(t)
	m := e.key(nil)
	for i := range 25 {
		if _, err := e.kms.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: m.KeyId}); err != nil {
			t.Fatalf("on-demand rotation %d: %v", i+1, err)
		}
	}
	_, err := e.kms.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: m.KeyId})
	wantErr(t, err, "LimitExceededException", 400, "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: "+*m.Arn)
	if n := len(must(e.kms.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: m.KeyId})).Rotations); n != 25 {
		t.Fatalf("ListKeyRotations lists %d rotations, want 25", n)
	}
}

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

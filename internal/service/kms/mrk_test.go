package kms_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// in returns the env's root KMS client for another Region.
func (e *env) in(region string) *kms.Client {
	return kms.NewFromConfig(e.p.RootConfig(), func(o *kms.Options) { o.Region = region })
}

// mrkRegions is a key's MultiRegionConfiguration as "TYPE primary-region replica-regions…".
func mrkRegions(m *types.KeyMetadata) string {
	c := m.MultiRegionConfiguration
	if c == nil {
		return "<nil>"
	}
	s := string(c.MultiRegionKeyType) + " " + *c.PrimaryKey.Region
	for _, r := range c.ReplicaKeys {
		s += " " + *r.Region
	}
	return s
}

// multi_region.json: a multi-Region key, its replicas in two Regions, decryption
// across Regions, shared rotation, a change of primary and deletion.
func TestRecorded2026MultiRegion(t *testing.T) {
	e := newEnv(t)
	east, west, hk := e.kms, e.in("us-west-2"), e.in("ap-east-1")
	p := must(east.CreateKey(ctx, &kms.CreateKeyInput{MultiRegion: aws.Bool(true), Description: aws.String("stackd multi-Region primary")})).KeyMetadata
	id := p.KeyId
	eastARN, westARN := "arn:aws:kms:us-east-1:"+account+":key/"+*id, "arn:aws:kms:us-west-2:"+account+":key/"+*id
	if len(*id) != 36 || (*id)[:4] != "mrk-" || !*p.MultiRegion || mrkRegions(p) != "PRIMARY us-east-1" || p.MultiRegionConfiguration.ReplicaKeys == nil {
		t.Fatalf("primary_initial: %s %v %s", *id, p.MultiRegion, mrkRegions(p))
	}
	if *p.MultiRegionConfiguration.PrimaryKey.Arn != eastARN || p.CurrentKeyMaterialId == nil {
		t.Fatalf("primary_initial: %+v", p)
	}
	replicate := func(region string) (*kms.ReplicateKeyOutput, error) {
		return east.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: id, ReplicaRegion: aws.String(region)})
	}
	recorded(t, second(replicate("us-east-1")), "ValidationException", "us-east-1 cannot have a replica because it contains the primary.", 400)
	recorded(t, second(replicate("cn-north-1")), "ValidationException", "The replica key Region must be in the same AWS partition as the primary key Region.", 400)
	recorded(t, second(replicate("us-invalid-1")), "ValidationException", "Region us-invalid-1 is not a valid Region or multi-Region keys are not supported in Region us-invalid-1.", 400)
	out := must(replicate("ap-east-1"))
	rm := out.ReplicaKeyMetadata
	if *rm.KeyId != *id || *rm.Arn != "arn:aws:kms:ap-east-1:"+account+":key/"+*id || rm.Enabled || rm.KeyState != types.KeyStateCreating ||
		*rm.Description != "" || rm.CurrentKeyMaterialId != nil || mrkRegions(rm) != "REPLICA us-east-1 ap-east-1" {
		t.Fatalf("replicate_region_ap-east-1: %+v %s", rm, mrkRegions(rm))
	}
	// The replica's policy is the default one, as KMS prints it (replica_policy).
	if pol := must(hk.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: id})).Policy; *out.ReplicaPolicy != *pol || out.ReplicaTags != nil ||
		*pol != *must(east.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: id})).Policy {
		t.Fatalf("replica policy: %s", *out.ReplicaPolicy)
	}
	must(east.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: id, RotationPeriodInDays: aws.Int32(90)})) // enable_rotation_primary
	plain := []byte("multi-Region plaintext")
	ct := must(east.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: plain})).CiphertextBlob // encrypt_primary_before
	must(replicate("us-west-2"))                                                                 // replicate_west
	p = must(east.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata
	if mrkRegions(p) != "PRIMARY us-east-1 ap-east-1 us-west-2" { // primary_after_replicate
		t.Fatalf("primary_after_replicate: %s", mrkRegions(p))
	}
	w := must(west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata
	if w.KeyState != types.KeyStateCreating || w.Enabled || mrkRegions(w) != "REPLICA us-east-1 ap-east-1 us-west-2" || w.CurrentKeyMaterialId != nil {
		t.Fatalf("replica_initial: %s %s", w.KeyState, mrkRegions(w))
	}
	// Not enabled nor disabled, nor used, while it is created (inferred).
	recorded(t, second(west.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id})), "KMSInvalidStateException", westARN+" is creating.", 400)
	recorded(t, second(west.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})), "KMSInvalidStateException", westARN+" is creating.", 400)
	rot := must(west.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id})) // replica_initial_rotation
	if !rot.KeyRotationEnabled || *rot.RotationPeriodInDays != 90 || *rot.KeyId != westARN {
		t.Fatalf("replica_initial_rotation: %+v", rot)
	}
	e.p.Clock.Advance(time.Minute)
	w = must(west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata // replica_ready_poll
	if w.KeyState != types.KeyStateEnabled || !w.Enabled || *w.CurrentKeyMaterialId != *p.CurrentKeyMaterialId {
		t.Fatalf("replica_ready_poll: %+v", w)
	}
	if tags := must(west.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: id})).Tags; len(tags) != 0 { // replica_tags
		t.Fatal(tags)
	}
	recorded(t, second(west.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: id})), "UnsupportedOperationException", westARN+" is a multi-region replica key which is not valid for EnableKeyRotation.", 400)
	recorded(t, second(west.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: id})), "UnsupportedOperationException", westARN+" is a multi-region replica key which is not valid for DisableKeyRotation.", 400)
	recorded(t, second(west.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: id})), "UnsupportedOperationException", westARN+" is a multi-region replica key which is not valid for RotateKeyOnDemand.", 400)
	recorded(t, second(replicate("us-west-2")), "AlreadyExistsException", "You can create only one replica of each primary key in each AWS Region.", 400)
	recorded(t, second(west.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: id, ReplicaRegion: aws.String("eu-west-1")})), "UnsupportedOperationException", westARN+" is not a multi-region primary key.", 400)

	// The primary's ciphertext decrypts in us-west-2, implicitly or naming the
	// replica, not naming the primary.
	for _, keyID := range []*string{nil, id, aws.String(westARN)} {
		d := must(west.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, KeyId: keyID}))
		if !bytes.Equal(d.Plaintext, plain) || *d.KeyId != westARN || *d.KeyMaterialId != *p.CurrentKeyMaterialId {
			t.Fatalf("decrypt_replica: %+v", d)
		}
	}
	recorded(t, second(west.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, KeyId: aws.String(eastARN)})), "IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.", 400)
	re := must(west.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: ct, DestinationKeyId: id})) // replica_reencrypt_same
	if *re.SourceKeyId != westARN || *re.KeyId != westARN {
		t.Fatalf("replica_reencrypt_same: %+v", re)
	}
	// The other direction too, and through the third Region.
	wct := must(west.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: plain})).CiphertextBlob
	e.p.Clock.Advance(time.Minute)
	for _, c := range []*kms.Client{east, hk} {
		if d := must(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wct})); !bytes.Equal(d.Plaintext, plain) {
			t.Fatal("replica ciphertext")
		}
	}
	must(east.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id}))    // disable_primary
	must(west.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})) // decrypt_replica_primary_disabled
	recorded(t, second(replicate("eu-west-1")), "DisabledException", eastARN+" is disabled.", 400)
	must(east.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id}))
	recorded(t, second(east.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: aws.String("alias/x"), ReplicaRegion: aws.String("eu-west-1")})), "InvalidArnException", "Key Aliases are not supported for this operation.", 400)
	recorded(t, second(east.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: aws.String("alias/x"), PrimaryRegion: aws.String("us-west-2")})), "InvalidArnException", "Key Aliases are not supported for this operation.", 400)
	must(east.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: id, PrimaryRegion: aws.String("us-east-1")})) // update_primary_same
	recorded(t, second(east.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: id, PrimaryRegion: aws.String("eu-west-1")})), "ValidationException", *id+" does not have a replica key in the specified Region.", 400)
	recorded(t, second(west.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: id, PrimaryRegion: aws.String("us-east-1")})), "KMSInvalidStateException", westARN+" is not a multi-Region primary key.", 400)

	// rotate_primary: the replicas rotate with it; old ciphertexts still decrypt.
	must(east.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: id}))
	p = must(east.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata
	w = must(west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata
	if *p.CurrentKeyMaterialId == *re.SourceKeyMaterialId || *w.CurrentKeyMaterialId != *p.CurrentKeyMaterialId {
		t.Fatalf("replica_rotation_sync_poll: %s %s", *p.CurrentKeyMaterialId, *w.CurrentKeyMaterialId)
	}
	rots := must(west.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: id})).Rotations // replica_rotation_history
	if len(rots) != 1 || *rots[0].KeyId != westARN || *rots[0].KeyMaterialId != *p.CurrentKeyMaterialId || rots[0].RotationType != types.RotationTypeOnDemand {
		t.Fatalf("replica_rotation_history: %+v", rots)
	}
	must(west.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})) // replica_decrypt_old_material

	// promote_replica: both keys are Updating, then the replica is the primary.
	must(east.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: id, PrimaryRegion: aws.String("us-west-2")}))
	p = must(east.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata
	w = must(west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata
	if p.KeyState != types.KeyStateUpdating || p.Enabled || mrkRegions(p) != "REPLICA us-west-2 ap-east-1 us-east-1" ||
		w.KeyState != types.KeyStateUpdating || mrkRegions(w) != "PRIMARY us-west-2 ap-east-1 us-east-1" || w.CurrentKeyMaterialId == nil {
		t.Fatalf("former_primary_updating, new_primary_updating: %s %s, %s %s", p.KeyState, mrkRegions(p), w.KeyState, mrkRegions(w))
	}
	e.p.Clock.Advance(time.Minute)
	p = must(east.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata
	w = must(west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata
	if p.KeyState != types.KeyStateEnabled || w.KeyState != types.KeyStateEnabled {
		t.Fatalf("primary_change_poll, former_primary_final: %s %s", p.KeyState, w.KeyState)
	}
	if h := must(hk.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata; mrkRegions(h) != "REPLICA us-west-2 ap-east-1 us-east-1" {
		t.Fatalf("third replica: %s", mrkRegions(h))
	}
	rot = must(west.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id})) // new_primary_rotation
	if !rot.KeyRotationEnabled || *rot.RotationPeriodInDays != 90 {
		t.Fatalf("new_primary_rotation: %+v", rot)
	}
	recorded(t, second(east.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: id})), "UnsupportedOperationException", eastARN+" is a multi-region replica key which is not valid for EnableKeyRotation.", 400)
	must(west.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})) // new_primary_decrypt_old

	// delete_primary_with_replica: the primary waits for its replicas.
	del := must(west.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(7)}))
	if del.KeyState != types.KeyStatePendingReplicaDeletion || del.DeletionDate != nil || *del.PendingWindowInDays != 7 || *del.KeyId != westARN {
		t.Fatalf("delete_primary_with_replica: %+v", del)
	}
	w = must(west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata // primary_waiting_replicas
	if w.KeyState != types.KeyStatePendingReplicaDeletion || w.Enabled || w.DeletionDate != nil || *w.PendingDeletionWindowInDays != 7 {
		t.Fatalf("primary_waiting_replicas: %+v", w)
	}
	must(east.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})) // replica_with_deleting_primary
	recorded(t, second(west.TagResource(ctx, &kms.TagResourceInput{KeyId: id, Tags: []types.Tag{{TagKey: aws.String("a"), TagValue: aws.String("b")}}})),
		"KMSInvalidStateException", westARN+" is pending replica deletion.", 400) // tag_deleting_us-west-2
	if rot := must(west.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id})); !rot.KeyRotationEnabled { // deleting_rotation_us-west-2
		t.Fatal("deleting_rotation_us-west-2")
	}
	must(west.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(defaultPolicyFor(account))}))
	must(west.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: id})) // primary_cancel_replica_wait
	if w := must(west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata; w.KeyState != types.KeyStateDisabled || w.PendingDeletionWindowInDays != nil {
		t.Fatalf("primary_after_cancel: %+v", w)
	}
	recorded(t, second(west.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: id, PrimaryRegion: aws.String("us-east-1")})), "DisabledException", westARN+" is disabled.", 400) // promote_disabled_primary
	must(west.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id}))
	must(east.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(7)})) // replica_schedule_delete
	recorded(t, second(west.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: id, ReplicaRegion: aws.String("us-east-1")})), "AlreadyExistsException", "You can create only one replica of each primary key in each AWS Region.", 400)
	recorded(t, second(west.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: id, PrimaryRegion: aws.String("us-east-1")})), "KMSInvalidStateException", eastARN+" is pending deletion.", 400)
	recorded(t, second(east.TagResource(ctx, &kms.TagResourceInput{KeyId: id, Tags: []types.Tag{{TagKey: aws.String("a"), TagValue: aws.String("b")}}})), "KMSInvalidStateException", eastARN+" is pending deletion.", 400)
	if rot := must(east.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id})); rot.KeyRotationEnabled { // deleting_rotation_us-east-1
		t.Fatal("deleting_rotation_us-east-1")
	}
	must(east.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: id}))                                                                                                               // cancel_for_disabled_replica
	recorded(t, second(west.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: id, PrimaryRegion: aws.String("us-east-1")})), "DisabledException", eastARN+" is disabled.", 400) // promote_disabled_replica

	// Cleanup as recorded: the replicas are deleted on the clock, then the primary
	// starts its own waiting period (cleanup_followup).
	must(west.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(7)}))
	for _, c := range []*kms.Client{east, hk} {
		must(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(7)}))
	}
	e.p.Clock.Advance(8 * 24 * time.Hour)
	eventually(t, "replica deletion", func() bool {
		_, err := east.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
		w := must(west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata
		return err != nil && w.KeyState == types.KeyStatePendingDeletion
	})
	w = must(west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata
	if w.DeletionDate == nil || mrkRegions(w) != "PRIMARY us-west-2" || w.PendingDeletionWindowInDays != nil {
		t.Fatalf("cleanup_followup: %+v %s", w, mrkRegions(w))
	}
	recorded(t, second(hk.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})), "NotFoundException", "Key 'arn:aws:kms:ap-east-1:"+account+":key/"+*id+"' does not exist", 400)
}

func defaultPolicyFor(acct string) string {
	return `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"kms:*","Resource":"*"}]}`
}

// ReplicateKey needs kms:ReplicateKey on the primary and kms:CreateKey (and
// kms:TagResource for tags) in the replica's Region; UpdatePrimaryRegion needs
// kms:UpdatePrimaryRegion on both keys (API reference, "Required permissions").
// multi_region_permissions.json: a user allowed kms:CreateKey alone creates a
// multi-Region key.
func TestMultiRegionAuthorization(t *testing.T) {
	e := newEnv(t)
	creator, _ := e.user("creator", allow("kms:CreateKey"))
	p := must(creator.CreateKey(ctx, &kms.CreateKeyInput{MultiRegion: aws.Bool(true)})).KeyMetadata // existing_role_iam_creation_denied
	if !*p.MultiRegion || p.MultiRegionConfiguration.MultiRegionKeyType != types.MultiRegionKeyTypePrimary {
		t.Fatalf("%+v", p)
	}
	id := p.KeyId
	rep := func(c *kms.Client, region string, tags ...types.Tag) error {
		_, err := c.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: id, ReplicaRegion: aws.String(region), Tags: tags})
		return err
	}
	only, arn := e.user("only", allow("kms:ReplicateKey"))
	wantErr(t, rep(only, "us-west-2"), "AccessDeniedException", 400, "User: "+arn+" is not authorized to perform: kms:CreateKey because no identity-based policy allows the kms:CreateKey action")
	west, arn2 := e.user("west", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:ReplicateKey","Resource":"*"},`+
		`{"Effect":"Allow","Action":["kms:CreateKey","kms:UpdatePrimaryRegion"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-west-2"}}}]}`)
	wantErr(t, rep(west, "eu-west-1"), "AccessDeniedException", 400, "")
	tag := types.Tag{TagKey: aws.String("team"), TagValue: aws.String("a")}
	wantErr(t, rep(west, "us-west-2", tag), "AccessDeniedException", 400, "User: "+arn2+" is not authorized to perform: kms:TagResource because no identity-based policy allows the kms:TagResource action")
	if err := rep(west, "us-west-2"); err != nil {
		t.Fatal(err)
	}
	// kms:ReplicaRegion conditions the primary's permission.
	must(e.kms.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},` +
		`{"Effect":"Deny","Principal":"*","Action":"kms:ReplicateKey","Resource":"*","Condition":{"StringEquals":{"kms:ReplicaRegion":"eu-west-1"}}}]}`)}))
	wantErr(t, rep(e.kms, "eu-west-1"), "AccessDeniedException", 400, "")
	r := must(e.kms.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: id, ReplicaRegion: aws.String("eu-west-2"), Tags: []types.Tag{tag}, Description: aws.String("d")}))
	if len(r.ReplicaTags) != 1 || *r.ReplicaKeyMetadata.Description != "d" {
		t.Fatalf("%+v", r)
	}
	e.p.Clock.Advance(time.Minute)
	// The replica's own key policy decides for it: UpdatePrimaryRegion is refused
	// when it does not allow the caller.
	upd := func(c *kms.Client, region string) error {
		_, err := c.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: id, PrimaryRegion: aws.String(region)})
		return err
	}
	wk := e.in("us-west-2")
	must(wk.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},` +
		`{"Effect":"Deny","Principal":"*","Action":"kms:UpdatePrimaryRegion","Resource":"*"}]}`)}))
	wantErr(t, upd(e.kms, "us-west-2"), "AccessDeniedException", 400, "")
	if err := upd(e.kms, "eu-west-2"); err != nil {
		t.Fatal(err)
	}
	// A key that is not multi-Region is no primary.
	k := e.key(nil)
	recorded(t, second(e.kms.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: k.KeyId, ReplicaRegion: aws.String("us-west-2")})), "UnsupportedOperationException", *k.Arn+" is not a multi-region primary key.", 400)
}

// importer imports material into a key of one Region.
func importer(t *testing.T, c *kms.Client, id *string) func(material []byte, in kms.ImportKeyMaterialInput) (*kms.ImportKeyMaterialOutput, error) {
	return func(material []byte, in kms.ImportKeyMaterialInput) (*kms.ImportKeyMaterialOutput, error) {
		t.Helper()
		p := must(c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: id, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048"}))
		pub := must(x509.ParsePKIXPublicKey(p.PublicKey)).(*rsa.PublicKey)
		in.KeyId, in.ImportToken = id, p.ImportToken
		if in.ExpirationModel == "" {
			in.ExpirationModel = "KEY_MATERIAL_DOES_NOT_EXPIRE"
		}
		in.EncryptedKeyMaterial = must(rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, material, nil))
		return c.ImportKeyMaterial(ctx, &in)
	}
}

// rotations is ListKeyRotations with all material, as "ID:STATE:IMPORT" entries.
func rotations(c *kms.Client, id *string) []string {
	var out []string
	for _, r := range must(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: id, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})).Rotations {
		out = append(out, (*r.KeyMaterialId)[:4]+":"+string(r.KeyMaterialState)+":"+string(r.ImportState))
	}
	return out
}

// imports_multi_region.json and imports_rotation_replica.json: a multi-Region key of
// imported material; every Region imports each material itself.
func TestRecorded2026ImportsMultiRegion(t *testing.T) {
	e := newEnv(t)
	east, west := e.kms, e.in("us-west-2")
	p := must(east.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal, MultiRegion: aws.Bool(true)})).KeyMetadata // multi_create
	id := p.KeyId
	westARN := "arn:aws:kms:us-west-2:" + account + ":key/" + *id
	if p.KeyState != types.KeyStatePendingImport || mrkRegions(p) != "PRIMARY us-east-1" {
		t.Fatalf("multi_create: %+v", p)
	}
	recorded(t, second(east.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: id, ReplicaRegion: aws.String("us-west-2")})), "KMSInvalidStateException", *p.Arn+" is pending import.", 400)
	impE, impW := importer(t, east, id), importer(t, west, id)
	first, second2, other := randomKey(32), randomKey(32), randomKey(32)
	one := must(impE(first, kms.ImportKeyMaterialInput{KeyMaterialDescription: aws.String("primary first")})).KeyMaterialId // primary_first_import
	rep := must(east.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: id, ReplicaRegion: aws.String("us-west-2")})).ReplicaKeyMetadata
	if rep.KeyState != types.KeyStateCreating || rep.ExpirationModel != types.ExpirationModelTypeKeyMaterialDoesNotExpire || rep.CurrentKeyMaterialId != nil || rep.Origin != types.OriginTypeExternal {
		t.Fatalf("replicate_imported_primary: %+v", rep)
	}
	e.p.Clock.Advance(time.Minute)
	w := must(west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata // replica_pending_poll
	if w.KeyState != types.KeyStatePendingImport || w.ExpirationModel != "" || aws.ToString(w.CurrentKeyMaterialId) != *one {
		t.Fatalf("replica_pending_poll: %+v", w)
	}
	r := must(west.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: id, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})).Rotations
	if len(r) != 1 || aws.ToString(r[0].KeyMaterialDescription) != "primary first" || r[0].ImportState != "PENDING_IMPORT" || r[0].KeyMaterialState != "CURRENT" || r[0].ExpirationModel != "" {
		t.Fatalf("replica_missing_first_history: %+v", r)
	}
	recorded(t, second(impW(other, kms.ImportKeyMaterialInput{})), "IncorrectKeyMaterialException", "Imported key material does not have the expected identifier ("+*one+").", 400)
	recorded(t, second(impW(first, kms.ImportKeyMaterialInput{KeyMaterialDescription: aws.String("replica first")})), "ValidationException", "Key material description can only be specified on primary Multi-Region keys", 400)
	two := must(impE(second2, kms.ImportKeyMaterialInput{ImportType: "NEW_KEY_MATERIAL"})).KeyMaterialId // primary_stage_second
	a, b := (*one)[:4], (*two)[:4]
	if got := rotations(east, id); !slices.Equal(got, []string{a + ":CURRENT:IMPORTED", b + ":PENDING_MULTI_REGION_IMPORT_AND_ROTATION:IMPORTED"}) {
		t.Fatalf("primary_missing_replica_history: %v", got)
	}
	if got := rotations(west, id); !slices.Equal(got, []string{a + ":CURRENT:PENDING_IMPORT", b + ":PENDING_MULTI_REGION_IMPORT_AND_ROTATION:PENDING_IMPORT"}) {
		t.Fatalf("replica_missing_second_history: %v", got)
	}
	recorded(t, second(east.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: id})), "KMSInvalidStateException", "Cannot perform key material rotation: Key material has not been imported for replicas of the Multi-Region key.", 400)
	recorded(t, second(impW(second2, kms.ImportKeyMaterialInput{ImportType: "NEW_KEY_MATERIAL"})), "ValidationException", "Input parameter ImportType NEW_KEY_MATERIAL cannot be used on replica Multi-Region keys", 400)
	if got := must(impW(second2, kms.ImportKeyMaterialInput{})).KeyMaterialId; *got != *two { // replica_restage_second
		t.Fatalf("replica_restage_second: %s", *got)
	}
	if got := rotations(east, id); got[1] != b+":PENDING_ROTATION:IMPORTED" {
		t.Fatalf("multi_rotation_poll: %v", got)
	}
	must(east.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: id})) // rotate_imported_multi
	if got := rotations(west, id); !slices.Equal(got, []string{a + ":NON_CURRENT:PENDING_IMPORT", b + ":CURRENT:IMPORTED"}) {
		t.Fatalf("rotated_replica_history: %v", got)
	}
	// The replica never had its first material: still pending import
	// (replica_after_replica_loss), until it is imported (restore_replica_noncurrent).
	if w := must(west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata; w.KeyState != types.KeyStatePendingImport || *w.CurrentKeyMaterialId != *two {
		t.Fatalf("replica_after_replica_loss: %+v", w)
	}
	if got := must(impW(first, kms.ImportKeyMaterialInput{})).KeyMaterialId; *got != *one {
		t.Fatalf("restore_replica_noncurrent: %s", *got)
	}
	ct := must(east.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("regional rotation")})).CiphertextBlob

	// imports_rotation_replica.json: the replica deletes its copy of the current
	// material and is pending import; importing it again enables it.
	must(west.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: id, KeyMaterialId: two})) // delete_replica_pending
	if got := rotations(east, id); got[1] != b+":CURRENT:IMPORTED" {
		t.Fatalf("primary keeps its material: %v", got)
	}
	if got := rotations(west, id); got[1] != b+":CURRENT:PENDING_IMPORT" {
		t.Fatalf("after_rotation_history_us-west-2: %v", got)
	}
	recorded(t, second(west.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})), "KMSInvalidStateException", westARN+" is pending import.", 400)
	must(impW(second2, kms.ImportKeyMaterialInput{})) // replica_restore
	w = must(west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata
	if w.KeyState != types.KeyStateEnabled || w.ExpirationModel != types.ExpirationModelTypeKeyMaterialDoesNotExpire || *w.CurrentKeyMaterialId != *two {
		t.Fatalf("replica_restored_metadata: %+v", w)
	}
	if d := must(west.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})); string(d.Plaintext) != "regional rotation" {
		t.Fatal("decrypt in the replica's Region")
	}
	// primary_set_expiry: the primary's material expires in its Region alone
	// (primary_expiry_poll, replica_after_primary_expiry).
	must(impE(second2, kms.ImportKeyMaterialInput{ExpirationModel: "KEY_MATERIAL_EXPIRES", ValidTo: aws.Time(e.p.Clock.Now().Add(time.Hour))}))
	if p := must(east.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata; p.ExpirationModel != types.ExpirationModelTypeKeyMaterialExpires || p.ValidTo == nil {
		t.Fatalf("primary_set_expiry: %+v", p)
	}
	e.p.Clock.Advance(2 * time.Hour)
	eventually(t, "expiry", func() bool {
		return must(east.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata.KeyState == types.KeyStatePendingImport
	})
	if p := must(east.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata; aws.ToString(p.CurrentKeyMaterialId) != *two || p.ExpirationModel != "" {
		t.Fatalf("primary_expiry_poll: %+v", p)
	}
	if w := must(west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata; w.KeyState != types.KeyStateEnabled || w.ExpirationModel != types.ExpirationModelTypeKeyMaterialDoesNotExpire {
		t.Fatalf("replica_after_primary_expiry: %+v", w)
	}
	// cleanup_us-east-1, cleanup_us-west-2.
	if d := must(east.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(7)})); d.KeyState != types.KeyStatePendingReplicaDeletion {
		t.Fatalf("cleanup_us-east-1: %+v", d)
	}
	if d := must(west.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(7)})); d.KeyState != types.KeyStatePendingDeletion || d.DeletionDate == nil {
		t.Fatalf("cleanup_us-west-2: %+v", d)
	}
}

// Related keys of any spec share their material: a signature made in one Region
// verifies in another, with the same public key; an HMAC verifies across Regions.
func TestMultiRegionAsymmetricAndHMAC(t *testing.T) {
	e := newEnv(t)
	east, west := e.kms, e.in("eu-west-1")
	sig := must(east.CreateKey(ctx, &kms.CreateKeyInput{MultiRegion: aws.Bool(true), KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify})).KeyMetadata
	mac := must(east.CreateKey(ctx, &kms.CreateKeyInput{MultiRegion: aws.Bool(true), KeySpec: types.KeySpecHmac256, KeyUsage: types.KeyUsageTypeGenerateVerifyMac})).KeyMetadata
	for _, k := range []*types.KeyMetadata{sig, mac} {
		must(east.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: k.KeyId, ReplicaRegion: aws.String("eu-west-1")}))
	}
	e.p.Clock.Advance(time.Minute)
	msg := []byte("across Regions")
	s := must(east.Sign(ctx, &kms.SignInput{KeyId: sig.KeyId, Message: msg, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256}))
	v := must(west.Verify(ctx, &kms.VerifyInput{KeyId: sig.KeyId, Message: msg, Signature: s.Signature, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256}))
	if !v.SignatureValid {
		t.Fatal("signature")
	}
	if a, b := must(east.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: sig.KeyId})).PublicKey, must(west.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: sig.KeyId})).PublicKey; !bytes.Equal(a, b) {
		t.Fatal("public keys differ")
	}
	m := must(west.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: mac.KeyId, Message: msg, MacAlgorithm: types.MacAlgorithmSpecHmacSha256}))
	if !must(east.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: mac.KeyId, Message: msg, Mac: m.Mac, MacAlgorithm: types.MacAlgorithmSpecHmacSha256})).MacValid {
		t.Fatal("mac")
	}
}

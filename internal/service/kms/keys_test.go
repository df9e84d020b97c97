package kms_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

func TestCreateKeySpecsAndUsages(t *testing.T) {
	e := newEnv(t)
	m := e.key(&kms.CreateKeyInput{Description: aws.String("first")})
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(*m.KeyId) ||
		*m.Arn != "arn:aws:kms:us-east-1:"+account+":key/"+*m.KeyId || *m.AWSAccountId != account {
		t.Fatalf("identifiers %s %s", *m.KeyId, *m.Arn)
	}
	if m.KeySpec != types.KeySpecSymmetricDefault || m.KeyUsage != types.KeyUsageTypeEncryptDecrypt || m.KeyState != types.KeyStateEnabled ||
		!m.Enabled || m.Origin != types.OriginTypeAwsKms || m.KeyManager != types.KeyManagerTypeCustomer || *m.Description != "first" ||
		!slices.Equal(m.EncryptionAlgorithms, []types.EncryptionAlgorithmSpec{"SYMMETRIC_DEFAULT"}) || m.CurrentKeyMaterialId == nil || len(*m.CurrentKeyMaterialId) != 64 {
		t.Fatalf("default key %+v", m)
	}

	valid := []struct {
		spec  types.KeySpec
		usage types.KeyUsageType
		algs  int
	}{
		{"RSA_2048", "ENCRYPT_DECRYPT", 2}, {"RSA_2048", "SIGN_VERIFY", 6},
		{"ECC_NIST_P256", "SIGN_VERIFY", 1}, {"ECC_NIST_P384", "KEY_AGREEMENT", 1}, {"ECC_NIST_P521", "SIGN_VERIFY", 1},
		{"ECC_SECG_P256K1", "SIGN_VERIFY", 1}, {"HMAC_224", "GENERATE_VERIFY_MAC", 1}, {"HMAC_512", "GENERATE_VERIFY_MAC", 1},
	}
	for _, v := range valid {
		m := e.key(&kms.CreateKeyInput{KeySpec: v.spec, KeyUsage: v.usage})
		n := len(m.EncryptionAlgorithms) + len(m.SigningAlgorithms) + len(m.MacAlgorithms) + len(m.KeyAgreementAlgorithms)
		if m.KeySpec != v.spec || m.KeyUsage != v.usage || n != v.algs {
			t.Errorf("%s/%s: %+v", v.spec, v.usage, m)
		}
	}
	invalid := []struct {
		spec  types.KeySpec
		usage types.KeyUsageType
	}{
		{"SYMMETRIC_DEFAULT", "SIGN_VERIFY"}, {"ECC_NIST_P256", "ENCRYPT_DECRYPT"}, {"ECC_SECG_P256K1", "KEY_AGREEMENT"},
		{"HMAC_256", "ENCRYPT_DECRYPT"}, {"RSA_4096", "GENERATE_VERIFY_MAC"}, {"RSA_3072", "KEY_AGREEMENT"},
	}
	for _, v := range invalid {
		_, err := e.kms.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: v.spec, KeyUsage: v.usage})
		wantErr(t, err, "ValidationException", 400, "KeyUsage "+string(v.usage)+" is not compatible with KeySpec "+string(v.spec))
	}
	_, err := e.kms.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: "HMAC_256"})
	wantErr(t, err, "ValidationException", 400, "")
	// KeySpec and the deprecated CustomerMasterKeySpec together are refused.
	_, err = e.kms.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: "RSA_2048", CustomerMasterKeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY"}) //lint:ignore SA1019 the deprecated member is what is tested
	wantErr(t, err, "ValidationException", 400, "")
	_, err = e.kms.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: "SM2", KeyUsage: "SIGN_VERIFY"})
	wantErr(t, err, "UnsupportedOperationException", 400, "")
	_, err = e.kms.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: "NOT_A_SPEC"})
	wantErr(t, err, "ValidationException", 400, "")
	_, err = e.kms.CreateKey(ctx, &kms.CreateKeyInput{Tags: []types.Tag{{TagKey: aws.String("aws:x"), TagValue: aws.String("y")}}})
	wantErr(t, err, "TagException", 400, "")
	_, err = e.kms.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17"`)})
	wantErr(t, err, "MalformedPolicyDocumentException", 400, "")
}

func TestDescribeKeyByEveryIdentifier(t *testing.T) {
	e := newEnv(t)
	m := e.key(nil)
	must(e.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: m.KeyId}))
	for _, id := range []string{*m.KeyId, *m.Arn, "alias/app", "arn:aws:kms:us-east-1:" + account + ":alias/app"} {
		got := must(e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})).KeyMetadata
		if *got.KeyId != *m.KeyId {
			t.Fatalf("%s resolved to %s", id, *got.KeyId)
		}
	}
	missing := "11111111-2222-4333-8444-555555555555"
	_, err := e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(missing)})
	wantErr(t, err, "NotFoundException", 400, "Key 'arn:aws:kms:us-east-1:"+account+":key/"+missing+"' does not exist")
	_, err = e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/none")})
	wantErr(t, err, "NotFoundException", 400, "Alias arn:aws:kms:us-east-1:"+account+":alias/none is not found.")
	_, err = e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("not-a-key")})
	wantErr(t, err, "NotFoundException", 400, "Invalid keyId 'not-a-key'")
	// A multi-Region key's ID is well formed; no key has this one.
	mrk := "mrk-d3b95762d3b95762d3b95762d3b95762"
	_, err = e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(mrk)})
	wantErr(t, err, "NotFoundException", 400, "Key 'arn:aws:kms:us-east-1:"+account+":key/"+mrk+"' does not exist")
	// Management operations take key IDs and ARNs, not aliases.
	_, err = e.kms.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String("alias/app")})
	wantErr(t, err, "NotFoundException", 400, "")
	// A key in another Region is another key, and its ARN names nothing here, even
	// when that key exists.
	_, err = e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(strings.Replace(*m.Arn, "us-east-1", "eu-west-1", 1))})
	wantErr(t, err, "NotFoundException", 400, "Invalid arn eu-west-1")
	west := kms.NewFromConfig(e.p.RootConfig(), func(o *kms.Options) { o.Region = "eu-west-1" })
	wk := must(west.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	must(west.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/west"), TargetKeyId: wk.KeyId}))
	for _, id := range []string{*wk.Arn, "arn:aws:kms:eu-west-1:" + account + ":alias/west"} {
		_, err = e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
		wantErr(t, err, "NotFoundException", 400, "Invalid arn eu-west-1")
		_, err = e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x")})
		wantErr(t, err, "NotFoundException", 400, "Invalid arn eu-west-1")
	}
	must(west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: wk.Arn}))
}

func TestListKeysPaginates(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for range 5 {
		ids = append(ids, *e.key(nil).KeyId)
	}
	slices.Sort(ids)
	var got []string
	var marker *string
	for {
		out := must(e.kms.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(2), Marker: marker}))
		for _, k := range out.Keys {
			got = append(got, *k.KeyId)
			if *k.KeyArn != "arn:aws:kms:us-east-1:"+account+":key/"+*k.KeyId {
				t.Fatalf("arn %s", *k.KeyArn)
			}
		}
		if !out.Truncated {
			break
		}
		if len(out.Keys) != 2 {
			t.Fatalf("a truncated page of %d", len(out.Keys))
		}
		marker = out.NextMarker
	}
	if !slices.Equal(got, ids) {
		t.Fatalf("listed %v, want %v", got, ids)
	}
}

// TestListMarkersNotHandedOutAreRefused: a Marker KMS did not hand out is
// InvalidMarkerException in every listing; a made-up one (a key ID, an alias name, a
// grant ID used as a position) used to answer an empty or shifted page.
func TestListMarkersNotHandedOutAreRefused(t *testing.T) {
	e := newEnv(t)
	k := e.key(nil)
	must(e.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/m1"), TargetKeyId: k.KeyId}))
	retiring := "arn:aws:iam::" + account + ":root"
	g := must(e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.KeyId, GranteePrincipal: aws.String(retiring),
		RetiringPrincipal: aws.String(retiring), Operations: []types.GrantOperation{types.GrantOperationDecrypt}}))
	for _, m := range []string{"garbage", "AAAA", *k.KeyId, "alias/m1", *g.GrantId, "0", "1"} {
		calls := map[string]func() error{
			"ListKeys": func() error { _, err := e.kms.ListKeys(ctx, &kms.ListKeysInput{Marker: aws.String(m)}); return err },
			"ListAliases": func() error {
				_, err := e.kms.ListAliases(ctx, &kms.ListAliasesInput{Marker: aws.String(m)})
				return err
			},
			"ListGrants": func() error {
				_, err := e.kms.ListGrants(ctx, &kms.ListGrantsInput{KeyId: k.KeyId, Marker: aws.String(m)})
				return err
			},
			"ListRetirableGrants": func() error {
				_, err := e.kms.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: aws.String(retiring), Marker: aws.String(m)})
				return err
			},
			"ListResourceTags": func() error {
				_, err := e.kms.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: k.KeyId, Marker: aws.String(m)})
				return err
			},
			"ListKeyRotations": func() error {
				_, err := e.kms.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: k.KeyId, Marker: aws.String(m)})
				return err
			},
		}
		for op, call := range calls {
			if err := call(); err == nil {
				t.Fatalf("%s with Marker %q answered a page", op, m)
			} else {
				recorded(t, err, "InvalidMarkerException", "", 400)
			}
		}
	}
	// The markers KMS hands out still page through everything.
	for range 4 {
		e.key(nil)
	}
	n := 0
	var marker *string
	for {
		out := must(e.kms.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(2), Marker: marker}))
		n += len(out.Keys)
		if !out.Truncated {
			break
		}
		marker = out.NextMarker
	}
	if n != 5 {
		t.Fatalf("paged %d keys, want 5", n)
	}
}

func TestKeyStates(t *testing.T) {
	e := newEnv(t)
	m := e.key(nil)
	id := m.KeyId
	must(e.kms.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: id, Description: aws.String("new")}))
	must(e.kms.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id}))
	d := must(e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata
	if d.KeyState != types.KeyStateDisabled || d.Enabled || *d.Description != "new" {
		t.Fatalf("disabled key %+v", d)
	}
	_, err := e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
	wantErr(t, err, "DisabledException", 400, *m.Arn+" is disabled.")
	must(e.kms.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id}))

	_, err = e.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(6)})
	wantErr(t, err, "ValidationException", 400, "1 validation error detected: Value '6' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7")
	_, err = e.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(31)})
	wantErr(t, err, "ValidationException", 400, "")
	before := e.p.Clock.Now()
	s := must(e.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(7)}))
	if s.KeyState != types.KeyStatePendingDeletion || *s.PendingWindowInDays != 7 || *s.KeyId != *m.Arn ||
		s.DeletionDate.Sub(before) < 7*24*time.Hour-time.Second || s.DeletionDate.Sub(before) > 7*24*time.Hour+time.Minute {
		t.Fatalf("schedule %+v", s)
	}
	_, err = e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
	wantErr(t, err, "KMSInvalidStateException", 400, *m.Arn+" is pending deletion.")
	_, err = e.kms.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id})
	wantErr(t, err, "KMSInvalidStateException", 400, "")
	_, err = e.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id})
	wantErr(t, err, "KMSInvalidStateException", 400, *m.Arn+" is pending deletion.")

	// Cancelling leaves the key disabled.
	must(e.kms.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: id}))
	d = must(e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})).KeyMetadata
	if d.KeyState != types.KeyStateDisabled || d.DeletionDate != nil {
		t.Fatalf("after cancel %+v", d)
	}
	_, err = e.kms.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: id})
	wantErr(t, err, "KMSInvalidStateException", 400, *m.Arn+" is not pending deletion.")

	// The clock deletes a key when its deletion date passes; a cancelled schedule
	// deletes nothing.
	must(e.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/doomed"), TargetKeyId: id}))
	must(e.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(30)}))
	keep := e.key(nil)
	must(e.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: keep.KeyId, PendingWindowInDays: aws.Int32(7)}))
	must(e.kms.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: keep.KeyId}))
	e.p.Clock.Advance(29 * 24 * time.Hour)
	time.Sleep(50 * time.Millisecond)
	if _, err := e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id}); err != nil {
		t.Fatalf("deleted a day early: %v", err)
	}
	e.p.Clock.Advance(24*time.Hour + time.Minute)
	eventually(t, "deletion", func() bool {
		aliases := must(e.kms.ListAliases(ctx, &kms.ListAliasesInput{}))
		keys := must(e.kms.ListKeys(ctx, &kms.ListKeysInput{}))
		return len(aliases.Aliases) == 0 && len(keys.Keys) == 1
	})
	_, err = e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	wantErr(t, err, "NotFoundException", 400, "")
	if _, err := e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: keep.KeyId}); err != nil {
		t.Fatalf("cancelled deletion deleted the key: %v", err)
	}
}

func TestTags(t *testing.T) {
	e := newEnv(t)
	m := e.key(&kms.CreateKeyInput{Tags: []types.Tag{{TagKey: aws.String("team"), TagValue: aws.String("red")}}})
	must(e.kms.TagResource(ctx, &kms.TagResourceInput{KeyId: m.KeyId, Tags: []types.Tag{
		{TagKey: aws.String("team"), TagValue: aws.String("blue")}, {TagKey: aws.String("env"), TagValue: aws.String("prod")}}}))
	tags := must(e.kms.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: m.KeyId})).Tags
	if len(tags) != 2 || *tags[0].TagKey != "team" || *tags[0].TagValue != "blue" || *tags[1].TagKey != "env" {
		t.Fatalf("tags %+v", tags)
	}
	page := must(e.kms.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: m.KeyId, Limit: aws.Int32(1)}))
	next := must(e.kms.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: m.KeyId, Marker: page.NextMarker}))
	if !page.Truncated || len(page.Tags) != 1 || len(next.Tags) != 1 || *next.Tags[0].TagKey != "env" {
		t.Fatalf("pages %+v / %+v", page, next)
	}
	must(e.kms.UntagResource(ctx, &kms.UntagResourceInput{KeyId: m.KeyId, TagKeys: []string{"team"}}))
	tags = must(e.kms.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: m.KeyId})).Tags
	if len(tags) != 1 || *tags[0].TagKey != "env" {
		t.Fatalf("after untag %+v", tags)
	}
	_, err := e.kms.TagResource(ctx, &kms.TagResourceInput{KeyId: m.KeyId, Tags: []types.Tag{{TagKey: aws.String("aws:reserved"), TagValue: aws.String("x")}}})
	wantErr(t, err, "TagException", 400, "")

	// aws:ResourceTag/* reaches IAM conditions.
	c, _ := e.user("tagged", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:DescribeKey","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}]}`)
	must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: m.KeyId}))
	other := e.key(nil)
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: other.KeyId})
	wantErr(t, err, "AccessDeniedException", 400, "")
}

package iam_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/store"
)

var accessKeyID = regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`)

func TestAccessKeySignsAndStops(t *testing.T) {
	e := newEnv(t)
	u := must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("kim")})).User
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("kim")})).AccessKey
	if !accessKeyID.MatchString(*k.AccessKeyId) || len(*k.SecretAccessKey) != 40 || k.Status != types.StatusTypeActive || *k.UserName != "kim" {
		t.Fatalf("access key %+v", k)
	}
	_, kimSTS := e.as(*k.AccessKeyId, *k.SecretAccessKey)
	id := must(kimSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if *id.Arn != *u.Arn || *id.UserId != *u.UserId || *id.Account != account {
		t.Fatalf("caller identity %s %s %s", *id.Arn, *id.UserId, *id.Account)
	}

	// The secret is never returned again.
	meta := must(e.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("kim")})).AccessKeyMetadata
	if len(meta) != 1 || *meta[0].AccessKeyId != *k.AccessKeyId || meta[0].Status != types.StatusTypeActive {
		t.Fatalf("list %+v", meta)
	}

	must(e.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("kim"), AccessKeyId: k.AccessKeyId, Status: types.StatusTypeInactive}))
	_, err := kimSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantErr(t, err, "InvalidClientTokenId", 403, "The security token included in the request is invalid.")
	must(e.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("kim"), AccessKeyId: k.AccessKeyId, Status: types.StatusTypeActive}))
	must(kimSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))

	// Renaming the user re-points its keys.
	must(e.iam.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("kim"), NewUserName: aws.String("kimberly")}))
	id = must(kimSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if *id.Arn != "arn:aws:iam::"+account+":user/kimberly" {
		t.Fatalf("after rename: %s", *id.Arn)
	}

	_, err = e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("kimberly")})
	wantErr(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete access keys first.")
	must(e.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("kimberly"), AccessKeyId: k.AccessKeyId}))
	_, err = kimSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantErr(t, err, "InvalidClientTokenId", 403, "")
	_, err = e.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("kimberly"), AccessKeyId: k.AccessKeyId})
	wantErr(t, err, "NoSuchEntity", 404, "The Access Key with id "+*k.AccessKeyId+" cannot be found.")
	must(e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("kimberly")}))
}

func TestAccessKeyQuotaAndOwnership(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("a")}))
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("b")}))
	k1 := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("a")})).AccessKey
	must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("a")}))
	_, err := e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("a")})
	wantErr(t, err, "LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2")
	// A key of another user is not found through this one.
	_, err = e.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("b"), AccessKeyId: k1.AccessKeyId, Status: types.StatusTypeInactive})
	wantErr(t, err, "NoSuchEntity", 404, "The Access Key with id "+*k1.AccessKeyId+" cannot be found.")
	_, err = e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("nobody")})
	wantErr(t, err, "NoSuchEntity", 404, "The user with name nobody cannot be found.")

	// A user manages its own keys without naming itself, once a policy lets it (AWS's
	// "manage your own access keys" example, with ${aws:username}).
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("b"), PolicyName: aws.String("self"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateAccessKey","iam:ListAccessKeys","iam:UpdateAccessKey","iam:DeleteAccessKey"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}`)}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("b")})).AccessKey
	b, _ := e.as(*k.AccessKeyId, *k.SecretAccessKey)
	k2 := must(b.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})).AccessKey
	if *k2.UserName != "b" {
		t.Fatalf("self-created key for %s", *k2.UserName)
	}
	if n := len(must(b.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})).AccessKeyMetadata); n != 2 {
		t.Fatalf("b lists %d keys", n)
	}
}

// TestAccessKeyRotation is the documented rotation: create a second key, switch to
// it, deactivate the first, check that only the second works, delete the first.
func TestAccessKeyRotation(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("app")}))
	old := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("app")})).AccessKey
	_, oldSTS := e.as(*old.AccessKeyId, *old.SecretAccessKey)
	must(oldSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))

	fresh := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("app")})).AccessKey
	_, freshSTS := e.as(*fresh.AccessKeyId, *fresh.SecretAccessKey)
	must(freshSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))

	must(e.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("app"), AccessKeyId: old.AccessKeyId, Status: types.StatusTypeInactive}))
	_, err := oldSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantErr(t, err, "InvalidClientTokenId", 403, "")
	must(freshSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))

	must(e.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("app"), AccessKeyId: old.AccessKeyId}))
	meta := must(e.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("app")})).AccessKeyMetadata
	if len(meta) != 1 || *meta[0].AccessKeyId != *fresh.AccessKeyId {
		t.Fatalf("after rotation: %+v", meta)
	}
}

func TestAccessKeyLastUsed(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("lu")}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("lu")})).AccessKey
	out := must(e.iam.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId}))
	lu := out.AccessKeyLastUsed
	if *out.UserName != "lu" || lu.LastUsedDate != nil || *lu.ServiceName != "N/A" || *lu.Region != "N/A" {
		t.Fatalf("never used: %+v", lu)
	}
	before := time.Now().Add(-time.Second)
	_, luSTS := e.as(*k.AccessKeyId, *k.SecretAccessKey)
	must(luSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	lu = must(e.iam.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId})).AccessKeyLastUsed
	if lu.LastUsedDate == nil || lu.LastUsedDate.Before(before) || *lu.ServiceName != "sts" || *lu.Region != "us-east-1" {
		t.Fatalf("after use: %+v", lu)
	}
	// AWS answers an unknown key with a denial (test_iam_users.py
	// test_access_key_errors, get-last-used-nonexistent-key-error).
	_, err := e.iam.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String("AKIAAAAAAAAAAAAAAAAA")})
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+account+":root is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key AKIAAAAAAAAAAAAAAAAA")
}

// Last-used data is written to the store in the background and survives a restart.
func TestAccessKeyLastUsedPersists(t *testing.T) {
	dir := t.TempDir()
	p := apptest.StartIn(t, dir)
	c := iam.NewFromConfig(p.RootConfig())
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("lu")}))
	k := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("lu")})).AccessKey
	must(sts.NewFromConfig(p.Config(*k.AccessKeyId, *k.SecretAccessKey, "")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	deadline := time.Now().Add(10 * time.Second)
	for {
		var found bool
		err := p.Store.View(ctx, func(tx *store.Tx) (err error) {
			_, found, err = tx.Get(store.NS("iam", account, "", "key-usage"), *k.AccessKeyId)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("last use never written to the store")
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.Stop()
	p = apptest.StartIn(t, dir)
	lu := must(iam.NewFromConfig(p.RootConfig()).GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId})).AccessKeyLastUsed
	if lu.LastUsedDate == nil || *lu.ServiceName != "sts" {
		t.Fatalf("after restart: %+v", lu)
	}
}

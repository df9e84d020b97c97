package iam_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/palisade/palisade/internal/store"
)

// Deleting an access key, a user or a role deletes its last-use records (they were
// kept for good), and a use noted by a call in flight does not write them back.
func TestUsageForgottenWithItsEntity(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("all"), PolicyDocument: aws.String(allowAll)}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("u")})).AccessKey
	ui, us := e.as(*k.AccessKeyId, *k.SecretAccessKey)
	must(us.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	must(ui.ListUsers(ctx, &iam.ListUsersInput{}))
	rows := func(kind string) []string {
		t.Helper()
		var keys []string
		err := e.p.Store.View(ctx, func(tx *store.Tx) error {
			return tx.Scan(store.NS("iam", account, "", kind), "", 0, func(k string, _ []byte) bool {
				keys = append(keys, k)
				return true
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		return keys
	}
	// The uses are written in the background.
	deadline := time.Now().Add(5 * time.Second)
	for len(rows("key-usage")) == 0 || len(rows("service-usage")) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no usage written: %v %v", rows("key-usage"), rows("service-usage"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	must(e.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("u"), AccessKeyId: k.AccessKeyId}))
	must(e.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("all")}))
	must(e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("u")}))
	time.Sleep(100 * time.Millisecond) // room for a background write to come back
	for _, kind := range []string{"key-usage", "service-usage"} {
		for _, r := range rows(kind) {
			if strings.Contains(r, *k.AccessKeyId) || strings.HasPrefix(r, "user/") {
				t.Fatalf("%s record %q left after the deletion", kind, r)
			}
		}
	}
}

package iam_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/store"
)

// Once a change of a user's policies is acknowledged, the user's next call is decided
// on the new policies, however many of its calls were in flight when it committed.
func TestPolicyChangeHoldsOnceAcknowledged(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("u")})).AccessKey
	const allow = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:GetAccessKeyLastUsed"],"Resource":"*"}]}`
	put := func() {
		must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allow)}))
	}
	put()
	u, _ := e.as(*k.AccessKeyId, *k.SecretAccessKey)
	call := func() error {
		_, err := u.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId})
		return err
	}
	stop := apptest.Hammer(t, 6, []string{"AccessDenied"}, func(int) error { return call() })
	defer stop()
	deadline := time.Now().Add(1500 * time.Millisecond)
	for i := 0; time.Now().Before(deadline); i++ {
		must(e.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("p")}))
		if err := call(); err == nil {
			t.Fatalf("round %d: allowed after the policy's deletion was acknowledged", i)
		}
		put()
		if err := call(); err != nil {
			t.Fatalf("round %d: %v after the policy was put back", i, err)
		}
	}
}

// Once UpdateAccessKey Inactive (or DeleteAccessKey) is acknowledged, the key signs
// nothing, however many of its calls were in flight; once Active, it signs again.
func TestAccessKeyStatusHoldsOnceAcknowledged(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("u")})).AccessKey
	u, _ := e.as(*k.AccessKeyId, *k.SecretAccessKey)
	call := func() error { _, err := u.GetUser(ctx, &iam.GetUserInput{}); return err }
	set := func(s types.StatusType) {
		must(e.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("u"), AccessKeyId: k.AccessKeyId, Status: s}))
	}
	stop := apptest.Hammer(t, 6, []string{"InvalidClientTokenId"}, func(int) error { return call() })
	deadline := time.Now().Add(1000 * time.Millisecond)
	for i := 0; time.Now().Before(deadline); i++ {
		set(types.StatusTypeInactive)
		if err := call(); err == nil {
			t.Fatalf("round %d: the key signed after its deactivation was acknowledged", i)
		}
		set(types.StatusTypeActive)
		if err := call(); err != nil {
			t.Fatalf("round %d: %v after the key was made active again", i, err)
		}
	}
	must(e.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("u"), AccessKeyId: k.AccessKeyId}))
	if err := call(); err == nil {
		t.Fatal("the key signed after its deletion was acknowledged")
	}
	stop()
}

// Concurrent writers: one CreateUser of a name wins, the others are
// EntityAlreadyExists; policy versions never exceed five; DeleteUser racing
// CreateAccessKey and AddUserToGroup leaves no key or membership of a deleted user.
func TestConcurrentWriters(t *testing.T) {
	e := newEnv(t)
	run := func(n int, fn func(i int) error) []error {
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = fn(i) }()
		}
		wg.Wait()
		return errs
	}
	codes := func(errs []error) map[string]int {
		m := map[string]int{}
		for _, err := range errs {
			var ae smithy.APIError
			switch {
			case err == nil:
				m["ok"]++
			case errors.As(err, &ae):
				m[ae.ErrorCode()]++
			default:
				m[err.Error()]++
			}
		}
		return m
	}
	got := codes(run(8, func(int) error {
		_, err := e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("same")})
		return err
	}))
	if got["ok"] != 1 || got["EntityAlreadyExists"] != 7 {
		t.Errorf("8 CreateUser of one name: %v", got)
	}

	arn := *must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("v"), PolicyDocument: aws.String(allowAll)})).Policy.Arn
	got = codes(run(8, func(int) error {
		_, err := e.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(allowAll)})
		return err
	}))
	vs := must(e.iam.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})).Versions
	if got["ok"] != 4 || got["LimitExceeded"] != 4 || len(vs) != 5 {
		t.Errorf("8 CreatePolicyVersion on a policy with one version: %v, %d versions", got, len(vs))
	}

	must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")}))
	allowed := map[string]bool{"ok": true, "NoSuchEntity": true, "DeleteConflict": true}
	for round := range 20 {
		must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("d")}))
		got := codes(run(3, func(i int) error {
			var err error
			switch i {
			case 0:
				_, err = e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("d")})
			case 1:
				_, err = e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("d")})
			default:
				_, err = e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String("d"), GroupName: aws.String("g")})
			}
			return err
		}))
		for c := range got {
			if !allowed[c] {
				t.Fatalf("round %d: %v", round, got)
			}
		}
		members := must(e.iam.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("g")})).Users
		_, gone := e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("d")})
		if gone == nil {
			// The delete lost: clean up for the next round.
			for _, m := range members {
				must(e.iam.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: m.UserName, GroupName: aws.String("g")}))
			}
			for _, k := range must(e.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("d")})).AccessKeyMetadata {
				must(e.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("d"), AccessKeyId: k.AccessKeyId}))
			}
			must(e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("d")}))
			continue
		}
		if len(members) != 0 {
			t.Fatalf("round %d: deleted user still in the group: %v", round, got)
		}
		var keys []string
		if err := e.p.Store.View(ctx, func(tx *store.Tx) error {
			var err error
			keys, err = e.p.Keys.ListFor(tx, "arn:aws:iam::"+account+":user/d")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(keys) != 0 {
			t.Fatalf("round %d: the deleted user still has access keys %v (%v)", round, keys, got)
		}
	}
}

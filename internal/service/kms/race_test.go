package kms_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	"github.com/palisade/palisade/internal/app/apptest"
)

// Cryptographic calls racing every change of their key's state answer success or
// KMS's state errors, never a 500, and every ciphertext they hand out decrypts.
func TestCryptoRacingKeyChanges(t *testing.T) {
	e := newEnv(t)
	id := *e.key(nil).KeyId
	must(e.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/race"), TargetKeyId: aws.String(id)}))
	other := *e.key(nil).KeyId
	var mu sync.Mutex
	var blobs [][]byte
	keep := func(b []byte) {
		mu.Lock()
		blobs = append(blobs, b)
		mu.Unlock()
	}
	seed := must(e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("seed")})).CiphertextBlob
	stop := apptest.Hammer(t, 6, []string{"DisabledException", "KMSInvalidStateException", "NotFoundException", "IncorrectKeyException"}, func(g int) error {
		switch g % 3 {
		case 0:
			out, err := e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/race"), Plaintext: []byte("x")})
			if err == nil {
				keep(out.CiphertextBlob)
			}
			return err
		case 1:
			out, err := e.kms.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id), KeySpec: types.DataKeySpecAes256})
			if err == nil {
				keep(out.CiphertextBlob)
			}
			return err
		}
		out, err := e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: seed})
		if err == nil && string(out.Plaintext) != "seed" {
			return fmt.Errorf("decrypted %q", out.Plaintext)
		}
		return err
	})
	changes := []func() error{
		func() error { _, err := e.kms.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(id)}); return err },
		func() error { _, err := e.kms.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(id)}); return err },
		func() error {
			_, err := e.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(7)})
			return err
		},
		func() error {
			_, err := e.kms.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(id)})
			return err
		},
		func() error { _, err := e.kms.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(id)}); return err },
		func() error {
			_, err := e.kms.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(id)})
			return err
		},
		func() error {
			_, err := e.kms.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String("default"),
				Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"}]}`)})
			return err
		},
		func() error {
			_, err := e.kms.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/race"), TargetKeyId: aws.String(other)})
			return err
		},
		func() error {
			_, err := e.kms.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/race"), TargetKeyId: aws.String(id)})
			return err
		},
	}
	deadline := time.Now().Add(1200 * time.Millisecond)
	rotations := 0
	for i := 0; time.Now().Before(deadline); i++ {
		j := i % len(changes)
		if j == 5 {
			if rotations == 9 {
				continue // AWS allows 10 on-demand rotations
			}
			rotations++
		}
		if err := changes[j](); err != nil {
			stop()
			t.Fatalf("change %d: %v", j, err)
		}
	}
	stop()
	e.kms.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(id)}) // when the loop ended pending deletion
	must(e.kms.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(id)}))
	if len(blobs) == 0 {
		t.Fatal("no ciphertext was made")
	}
	for i, b := range blobs {
		if _, err := e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: b}); err != nil {
			t.Fatalf("ciphertext %d of %d: %v", i, len(blobs), err)
		}
	}
}

// Once a key policy change is acknowledged, the next call is decided on the new
// policy, however many calls were in flight when it committed; the same for an IAM
// policy change of the caller.
func TestKeyPolicyChangeHoldsOnceAcknowledged(t *testing.T) {
	e := newEnv(t)
	id := *e.key(nil).KeyId
	must(e.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/pol"), TargetKeyId: aws.String(id)}))
	u, arn := e.user("u", allow("kms:*"))
	root := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"}`
	open := `{"Version":"2012-10-17","Statement":[` + root + `]}`
	closed := `{"Version":"2012-10-17","Statement":[` + root + `,{"Effect":"Deny","Principal":{"AWS":"` + arn + `"},"Action":"kms:Encrypt","Resource":"*"}]}`
	put := func(doc string) {
		must(e.kms.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String("default"), Policy: aws.String(doc)}))
	}
	call := func(int) error {
		_, err := u.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/pol"), Plaintext: []byte("x")})
		return err
	}
	stop := apptest.Hammer(t, 6, []string{"AccessDeniedException"}, call)
	defer stop()
	deadline := time.Now().Add(1200 * time.Millisecond)
	for i := 0; time.Now().Before(deadline); i++ {
		put(closed)
		if call(0) == nil {
			t.Fatalf("round %d: allowed after the key policy's deny was acknowledged", i)
		}
		put(open)
		if err := call(0); err != nil {
			t.Fatalf("round %d: %v after the deny was removed", i, err)
		}
	}
}

// A grant allows from CreateGrant's acknowledgement and stops at RevokeGrant's or
// RetireGrant's, however many of the grantee's calls are in flight; a grant retired
// and revoked at once is gone once, the other call answering NotFoundException.
func TestGrantsRacingTheirUse(t *testing.T) {
	e := newEnv(t)
	id := *e.key(nil).KeyId
	u, arn := e.user("grantee", "")
	call := func(int) error {
		_, err := u.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x")})
		return err
	}
	stop := apptest.Hammer(t, 6, []string{"AccessDeniedException"}, call)
	defer stop()
	deadline := time.Now().Add(1200 * time.Millisecond)
	for i := 0; time.Now().Before(deadline); i++ {
		g := must(e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String(id), GranteePrincipal: aws.String(arn),
			RetiringPrincipal: aws.String("arn:aws:iam::" + account + ":root"), Operations: []types.GrantOperation{types.GrantOperationEncrypt}}))
		if err := call(0); err != nil {
			t.Fatalf("round %d: %v after CreateGrant was acknowledged", i, err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, errs[0] = e.kms.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: aws.String(id), GrantId: g.GrantId})
		}()
		go func() {
			defer wg.Done()
			_, errs[1] = e.kms.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: g.GrantToken})
		}()
		wg.Wait()
		ok := 0
		for _, err := range errs {
			var ae smithy.APIError
			switch {
			case err == nil:
				ok++
			case !errors.As(err, &ae) || ae.ErrorCode() != "NotFoundException":
				t.Fatalf("round %d: revoke and retire at once: %v", i, err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: revoke and retire at once: %v", i, errs)
		}
		if call(0) == nil {
			t.Fatalf("round %d: allowed after the grant's revocation was acknowledged", i)
		}
	}
}

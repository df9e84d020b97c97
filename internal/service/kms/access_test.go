package kms_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/palisade/palisade/internal/store"
)

// A ciphertext of one key, account or context never decrypts under another.
func TestCiphertextIsolation(t *testing.T) {
	e := newEnv(t)
	a, b := e.key(nil), e.key(nil)
	ec := map[string]string{"k": "v"}
	ct := must(e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: a.KeyId, Plaintext: []byte("for a"), EncryptionContext: ec})).CiphertextBlob

	// Another key: named explicitly, or spliced into the blob's header.
	_, err := e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec, KeyId: b.KeyId})
	wantErr(t, err, "IncorrectKeyException", 400, "")
	spliced := bytes.Clone(ct)
	i := bytes.Index(spliced, uuidBytes(*a.KeyId))
	if i < 0 {
		t.Fatal("the blob does not name its key")
	}
	copy(spliced[i:], uuidBytes(*b.KeyId))
	_, err = e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: spliced, EncryptionContext: ec})
	wantErr(t, err, "InvalidCiphertextException", 400, "")
	_, err = e.kms.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: spliced, SourceEncryptionContext: ec, DestinationKeyId: b.KeyId})
	wantErr(t, err, "InvalidCiphertextException", 400, "")

	// Another context.
	_, err = e.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: map[string]string{"k": "w"}})
	wantErr(t, err, "InvalidCiphertextException", 400, "")

	// Another account: its root cannot use a key whose policy does not trust it,
	// and a blob whose account is rewritten to the other account's names no key
	// there.
	other := e.otherAccount("111111111111")
	_, err = other.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec})
	wantErr(t, err, "AccessDeniedException", 400, "")
	moved := bytes.Replace(bytes.Clone(ct), []byte(account), []byte("111111111111"), 1)
	_, err = other.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: moved, EncryptionContext: ec})
	wantErr(t, err, "AccessDeniedException", 400, "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.")
	// The other account's own key with the same ID still would not open it: the
	// header is authenticated. (Key IDs are random, so build that case by copying
	// the key record under the other account.)
	err = e.p.Store.Update(ctx, func(tx *store.Tx) error {
		v, _, err := tx.Get(store.NS("kms", account, "us-east-1", "keys"), *a.KeyId)
		if err != nil {
			return err
		}
		v = bytes.ReplaceAll(v, []byte(account), []byte("111111111111"))
		return tx.Put(store.NS("kms", "111111111111", "us-east-1", "keys"), *a.KeyId, v)
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = other.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: moved, EncryptionContext: ec})
	if err == nil {
		t.Fatal("a copied key record decrypted another account's ciphertext")
	}
	// Key material is sealed to its key: the copy cannot even encrypt.
	_, err = other.Encrypt(ctx, &kms.EncryptInput{KeyId: a.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, "InternalFailure", 500, "")

	// A key policy that trusts the other account lets it decrypt by key ARN.
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},
	{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}]}`
	must(e.kms.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: a.KeyId, Policy: aws.String(pol)}))
	dec := must(other.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec}))
	if string(dec.Plaintext) != "for a" || *dec.KeyId != *a.Arn {
		t.Fatalf("cross-account decrypt %+v", dec)
	}
	must(other.Encrypt(ctx, &kms.EncryptInput{KeyId: a.Arn, Plaintext: []byte("x")}))
	_, err = other.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: a.Arn})
	wantErr(t, err, "AccessDeniedException", 400, "")
}

func uuidBytes(id string) []byte {
	b := make([]byte, 16)
	h := strings.ReplaceAll(id, "-", "")
	for i := range b {
		var v byte
		for _, c := range h[2*i : 2*i+2] {
			v <<= 4
			if c >= 'a' {
				v |= byte(c-'a') + 10
			} else {
				v |= byte(c - '0')
			}
		}
		b[i] = v
	}
	return b
}

func TestKeyPolicies(t *testing.T) {
	e := newEnv(t)
	m := e.key(nil)
	p := must(e.kms.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: m.KeyId}))
	var doc struct {
		Id        string
		Statement []struct {
			Principal struct{ AWS string }
			Action    string
		}
	}
	if err := json.Unmarshal([]byte(*p.Policy), &doc); err != nil || doc.Id != "key-default-1" || doc.Statement[0].Principal.AWS != "arn:aws:iam::"+account+":root" ||
		doc.Statement[0].Action != "kms:*" || *p.PolicyName != "default" {
		t.Fatalf("default policy %s", *p.Policy)
	}
	if n := must(e.kms.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: m.KeyId})).PolicyNames; len(n) != 1 || n[0] != "default" {
		t.Fatalf("policy names %v", n)
	}
	_, err := e.kms.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: m.KeyId, PolicyName: aws.String("other")})
	wantErr(t, err, "NotFoundException", 400, "")

	// The default policy defers to IAM.
	none, noneARN := e.user("none", "")
	_, err = none.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, "AccessDeniedException", 400, "User: "+noneARN+" is not authorized to perform: kms:Encrypt on resource: "+*m.Arn+" because no identity-based policy allows the kms:Encrypt action")
	enc, _ := e.user("enc", allow("kms:Encrypt"))
	must(enc.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x")}))
	_, err = enc.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: must(enc.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x")})).CiphertextBlob})
	wantErr(t, err, "AccessDeniedException", 400, "")

	// A key policy that does not trust the account makes IAM irrelevant, even for
	// administrators and the root (bypassing the lockout check to set it).
	admin, _ := e.user("admin", allow("*"))
	owner, ownerARN := e.user("owner", "")
	closed := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + ownerARN + `"},"Action":"kms:*","Resource":"*"}]}`
	_, err = e.kms.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(closed)})
	wantErr(t, err, "MalformedPolicyDocumentException", 400, "The new key policy will not allow you to update the key policy in the future.")
	k2 := e.key(&kms.CreateKeyInput{Policy: aws.String(closed), BypassPolicyLockoutSafetyCheck: true})
	_, err = admin.Encrypt(ctx, &kms.EncryptInput{KeyId: k2.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, "AccessDeniedException", 400, "")
	_, err = e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k2.KeyId})
	wantErr(t, err, "AccessDeniedException", 400, "")
	must(owner.Encrypt(ctx, &kms.EncryptInput{KeyId: k2.KeyId, Plaintext: []byte("x")}))

	// PutKeyPolicy: the lockout check applies to the caller. Handing the key back to
	// the account would lock out the owner, who has no IAM policy, so it needs the
	// bypass.
	_, err = e.kms.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: m.KeyId, Policy: aws.String(closed)})
	wantErr(t, err, "MalformedPolicyDocumentException", 400, "")
	open := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"}]}`)
	_, err = owner.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: k2.KeyId, Policy: open})
	wantErr(t, err, "MalformedPolicyDocumentException", 400, "")
	must(owner.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: k2.KeyId, Policy: open, BypassPolicyLockoutSafetyCheck: true}))
	must(admin.Encrypt(ctx, &kms.EncryptInput{KeyId: k2.KeyId, Plaintext: []byte("x")}))
	_, err = e.kms.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: m.KeyId, Policy: aws.String(`{"Statement":[]`)})
	wantErr(t, err, "MalformedPolicyDocumentException", 400, "")

	// An explicit deny in the key policy beats IAM's allow.
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},
	{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"*","Condition":{"StringNotEquals":{"kms:EncryptionContext:tenant":"a"}}}]}`
	must(e.kms.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: m.KeyId, Policy: aws.String(deny)}))
	_, err = admin.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, "AccessDeniedException", 400, "")
	must(admin.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x"), EncryptionContext: map[string]string{"tenant": "a"}}))
}

func TestConditionKeys(t *testing.T) {
	e := newEnv(t)
	m := e.key(nil)
	must(e.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/cond"), TargetKeyId: m.KeyId}))
	cond := func(c string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Encrypt","kms:GenerateDataKey","kms:CreateKey"],"Resource":"*","Condition":` + c + `}]}`
	}
	ctxUser, _ := e.user("ctx", cond(`{"StringEquals":{"kms:EncryptionContext:app":"web"},"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["app"]}}`))
	must(ctxUser.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x"), EncryptionContext: map[string]string{"app": "web"}}))
	_, err := ctxUser.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x"), EncryptionContext: map[string]string{"app": "db"}})
	wantErr(t, err, "AccessDeniedException", 400, "")
	_, err = ctxUser.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: m.KeyId, KeySpec: "AES_256", EncryptionContext: map[string]string{"app": "web", "extra": "1"}})
	wantErr(t, err, "AccessDeniedException", 400, "")

	acctUser, _ := e.user("acct", cond(`{"StringEquals":{"kms:CallerAccount":"`+account+`","kms:RequestAlias":"alias/cond"}}`))
	must(acctUser.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/cond"), Plaintext: []byte("x")}))
	_, err = acctUser.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, "AccessDeniedException", 400, "")

	viaUser, _ := e.user("via", cond(`{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}`))
	_, err = viaUser.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, "AccessDeniedException", 400, "")

	specUser, _ := e.user("spec", cond(`{"StringEquals":{"kms:KeySpec":"SYMMETRIC_DEFAULT"}}`))
	must(specUser.CreateKey(ctx, &kms.CreateKeyInput{}))
	_, err = specUser.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY"})
	wantErr(t, err, "AccessDeniedException", 400, "")
}

func TestAWSManagedKeys(t *testing.T) {
	e := newEnv(t)
	// DescribeKey of a predefined alias creates the AWS managed key.
	d := must(e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/ebs")})).KeyMetadata
	if d.KeyManager != types.KeyManagerTypeAws || d.KeyState != types.KeyStateEnabled {
		t.Fatalf("managed key %+v", d)
	}
	again := must(e.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/ebs")})).KeyMetadata
	if *again.KeyId != *d.KeyId {
		t.Fatal("a second managed key was created")
	}
	if st := must(e.kms.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: d.KeyId})); !st.KeyRotationEnabled || *st.RotationPeriodInDays != 365 {
		t.Fatalf("managed key rotation %+v", st)
	}
	// Customers cannot manage it, nor use it directly.
	_, err := e.kms.DisableKey(ctx, &kms.DisableKeyInput{KeyId: d.KeyId})
	wantErr(t, err, "AccessDeniedException", 400, "")
	_, err = e.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: d.KeyId})
	wantErr(t, err, "AccessDeniedException", 400, "")
	_, err = e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: d.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, "AccessDeniedException", 400, "")
	_, err = e.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/aws/mine"), TargetKeyId: e.key(nil).KeyId})
	wantErr(t, err, "NotAuthorizedException", 400, "")
	must(e.kms.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: d.KeyId}))
}

// TestOwnAccountOperations: the operations KMS's API reference marks "Cross-account
// use: No" refuse another account's key ARN even when the key policy grants that
// account everything (NotFoundException, wording inferred as CreateAlias answers);
// the cross-account operations still work.
func TestOwnAccountOperations(t *testing.T) {
	e := newEnv(t)
	m := e.key(&kms.CreateKeyInput{MultiRegion: aws.Bool(true)})
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},
	{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*"}]}`
	must(e.kms.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: m.KeyId, Policy: aws.String(pol)}))
	other := e.otherAccount("111111111111")
	notFound := "Key '" + *m.Arn + "' does not exist"
	for name, call := range map[string]func() error{
		"ReplicateKey": func() error {
			_, err := other.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: m.Arn, ReplicaRegion: aws.String("us-west-2")})
			return err
		},
		"UpdatePrimaryRegion": func() error {
			_, err := other.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: m.Arn, PrimaryRegion: aws.String("us-west-2")})
			return err
		},
		"ScheduleKeyDeletion": func() error {
			_, err := other.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: m.Arn})
			return err
		},
		"DisableKey": func() error { _, err := other.DisableKey(ctx, &kms.DisableKeyInput{KeyId: m.Arn}); return err },
		"PutKeyPolicy": func() error {
			_, err := other.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: m.Arn, Policy: aws.String(pol)})
			return err
		},
		"GetKeyPolicy": func() error { _, err := other.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: m.Arn}); return err },
		"TagResource": func() error {
			_, err := other.TagResource(ctx, &kms.TagResourceInput{KeyId: m.Arn, Tags: []types.Tag{{TagKey: aws.String("k"), TagValue: aws.String("v")}}})
			return err
		},
		"UpdateKeyDescription": func() error {
			_, err := other.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: m.Arn, Description: aws.String("x")})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) { wantErr(t, call(), "NotFoundException", 400, notFound) })
	}
	// Whether the other account has such a key does not change the answer.
	ghost := (*m.Arn)[:len(*m.Arn)-4] + "0000"
	_, err := other.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(ghost)})
	wantErr(t, err, "NotFoundException", 400, "Key '"+ghost+"' does not exist")

	d := must(other.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: m.Arn})).KeyMetadata
	if d.KeyState != types.KeyStateEnabled || !d.Enabled || aws.ToString(d.Description) != "" {
		t.Fatalf("key changed by the other account: %+v", d)
	}
	must(other.Encrypt(ctx, &kms.EncryptInput{KeyId: m.Arn, Plaintext: []byte("x")}))
	must(e.kms.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: m.Arn, ReplicaRegion: aws.String("us-west-2")}))
}

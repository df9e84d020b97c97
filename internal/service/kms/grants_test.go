package kms_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

func TestGrants(t *testing.T) {
	e := newEnv(t)
	m := e.key(nil)
	ec := map[string]string{"tenant": "a"}
	ct := must(e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("granted"), EncryptionContext: ec})).CiphertextBlob
	carol, carolARN := e.user("carol", "")
	_, err := carol.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec})
	wantErr(t, err, "AccessDeniedException", 400, "")

	g := must(e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: m.KeyId, GranteePrincipal: aws.String(carolARN),
		Operations: []types.GrantOperation{"Decrypt", "DescribeKey"}, Name: aws.String("carol-read"),
		Constraints: &types.GrantConstraints{EncryptionContextSubset: ec}}))
	if len(*g.GrantId) != 64 || *g.GrantToken == "" {
		t.Fatalf("grant %+v", g)
	}
	// The grant takes effect at once; its token is accepted.
	dec := must(carol.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec, GrantTokens: []string{*g.GrantToken}}))
	if string(dec.Plaintext) != "granted" {
		t.Fatal("grant decrypt")
	}
	must(carol.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: m.KeyId}))
	// Its constraint and operations hold.
	other := must(e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x"), EncryptionContext: map[string]string{"tenant": "b"}})).CiphertextBlob
	_, err = carol.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: other, EncryptionContext: map[string]string{"tenant": "b"}})
	wantErr(t, err, "AccessDeniedException", 400, "")
	_, err = carol.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x"), EncryptionContext: ec})
	wantErr(t, err, "AccessDeniedException", 400, "")
	_, err = carol.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec, GrantTokens: []string{"not-a-token"}})
	wantErr(t, err, "InvalidGrantTokenException", 400, "")

	// Same name and parameters: the same grant.
	again := must(e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: m.KeyId, GranteePrincipal: aws.String(carolARN),
		Operations: []types.GrantOperation{"DescribeKey", "Decrypt"}, Name: aws.String("carol-read"),
		Constraints: &types.GrantConstraints{EncryptionContextSubset: ec}}))
	if *again.GrantId != *g.GrantId {
		t.Fatal("CreateGrant is not idempotent by name")
	}
	list := must(e.kms.ListGrants(ctx, &kms.ListGrantsInput{KeyId: m.KeyId}))
	if len(list.Grants) != 1 || *list.Grants[0].GranteePrincipal != carolARN || *list.Grants[0].Name != "carol-read" ||
		*list.Grants[0].IssuingAccount != "arn:aws:iam::"+account+":root" || list.Grants[0].Constraints.EncryptionContextSubset["tenant"] != "a" {
		t.Fatalf("list grants %+v", list.Grants)
	}

	// An explicit deny in the key policy beats the grant.
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},
	{"Effect":"Deny","Principal":{"AWS":"` + carolARN + `"},"Action":"kms:Decrypt","Resource":"*"}]}`
	must(e.kms.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: m.KeyId, Policy: aws.String(deny)}))
	_, err = carol.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec})
	wantErr(t, err, "AccessDeniedException", 400, "")
	must(e.kms.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: m.KeyId, Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"}]}`)}))
	must(carol.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec}))

	// RevokeGrant ends it.
	must(e.kms.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: m.KeyId, GrantId: g.GrantId}))
	_, err = carol.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec})
	wantErr(t, err, "AccessDeniedException", 400, "")
	_, err = e.kms.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: m.KeyId, GrantId: g.GrantId})
	wantErr(t, err, "NotFoundException", 400, "")
	_, err = e.kms.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: m.KeyId, GrantId: aws.String("short")})
	wantErr(t, err, "InvalidGrantIdException", 400, "")
}

func TestRetireAndDelegateGrants(t *testing.T) {
	e := newEnv(t)
	m := e.key(nil)
	dave, daveARN := e.user("dave", "")
	erin, erinARN := e.user("erin", "")
	// Dave may encrypt and create grants; Erin retires them.
	g := must(e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: m.KeyId, GranteePrincipal: aws.String(daveARN),
		RetiringPrincipal: aws.String(erinARN), Operations: []types.GrantOperation{"Encrypt", "GenerateDataKey", "CreateGrant"}}))
	must(dave.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: m.KeyId, KeySpec: "AES_256"}))
	// A grantee with CreateGrant delegates no more than it has.
	must(dave.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: m.KeyId, GranteePrincipal: aws.String(erinARN), Operations: []types.GrantOperation{"Encrypt"}}))
	must(erin.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x")}))
	_, err := dave.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: m.KeyId, GranteePrincipal: aws.String(erinARN), Operations: []types.GrantOperation{"Decrypt"}})
	wantErr(t, err, "AccessDeniedException", 400, "")

	retirable := must(e.kms.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: aws.String(erinARN)}))
	if len(retirable.Grants) != 1 || *retirable.Grants[0].GrantId != *g.GrantId {
		t.Fatalf("retirable %+v", retirable.Grants)
	}
	// Dave cannot retire his grant (it does not list RetireGrant); Erin can, by token.
	_, err = dave.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: g.GrantToken})
	wantErr(t, err, "AccessDeniedException", 400, "")
	must(erin.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: g.GrantToken}))
	_, err = dave.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: m.KeyId, KeySpec: "AES_256"})
	wantErr(t, err, "AccessDeniedException", 400, "")
	_, err = e.kms.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: aws.String("bogus")})
	wantErr(t, err, "InvalidGrantTokenException", 400, "")
	// The account (root, allowed kms:RetireGrant by the default policy) retires by
	// key ARN and grant ID.
	rest := must(e.kms.ListGrants(ctx, &kms.ListGrantsInput{KeyId: m.KeyId})).Grants
	if len(rest) != 1 {
		t.Fatalf("grants left %+v", rest)
	}
	must(e.kms.RetireGrant(ctx, &kms.RetireGrantInput{KeyId: m.Arn, GrantId: rest[0].GrantId}))
	if n := len(must(e.kms.ListGrants(ctx, &kms.ListGrantsInput{KeyId: m.KeyId})).Grants); n != 0 {
		t.Fatalf("%d grants after retiring", n)
	}

	// Constraints are for symmetric keys only.
	sign := e.key(&kms.CreateKeyInput{KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY"})
	_, err = e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: sign.KeyId, GranteePrincipal: aws.String(daveARN),
		Operations: []types.GrantOperation{"Sign"}, Constraints: &types.GrantConstraints{EncryptionContextEquals: map[string]string{"a": "b"}}})
	wantErr(t, err, "ValidationException", 400, "")
	// A grant to a role covers its sessions is tested through STS elsewhere; a
	// grant's EncryptionContextEquals needs the exact context.
	eq := must(e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: m.KeyId, GranteePrincipal: aws.String(daveARN),
		Operations: []types.GrantOperation{"Encrypt"}, Constraints: &types.GrantConstraints{EncryptionContextEquals: map[string]string{"a": "b"}}}))
	must(dave.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x"), EncryptionContext: map[string]string{"a": "b"}}))
	_, err = dave.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x"), EncryptionContext: map[string]string{"a": "b", "c": "d"}})
	wantErr(t, err, "AccessDeniedException", 400, "")
	if *eq.GrantId == *g.GrantId {
		t.Fatal("grant IDs repeat")
	}
}

func TestAliases(t *testing.T) {
	e := newEnv(t)
	a, b := e.key(nil), e.key(nil)
	must(e.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app/one"), TargetKeyId: a.Arn}))
	_, err := e.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app/one"), TargetKeyId: b.KeyId})
	wantErr(t, err, "AlreadyExistsException", 400, "An alias with the name arn:aws:kms:us-east-1:"+account+":alias/app/one already exists")
	_, err = e.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("app"), TargetKeyId: b.KeyId})
	wantErr(t, err, "ValidationException", 400, `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`)
	_, err = e.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/two"), TargetKeyId: aws.String("alias/app/one")})
	wantErr(t, err, "ValidationException", 400, "Aliases must refer to keys. Not aliases")
	_, err = e.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/bad name"), TargetKeyId: b.KeyId})
	wantErr(t, err, "ValidationException", 400, "")
	must(e.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/two"), TargetKeyId: b.KeyId}))

	must(e.kms.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/app/one"), TargetKeyId: b.KeyId}))
	enc := must(e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/app/one"), Plaintext: []byte("x")}))
	if *enc.KeyId != *b.Arn {
		t.Fatal("the alias does not point at the new key")
	}
	signing := e.key(&kms.CreateKeyInput{KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY"})
	_, err = e.kms.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/app/one"), TargetKeyId: signing.KeyId})
	wantErr(t, err, "ValidationException", 400, "")
	_, err = e.kms.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/none"), TargetKeyId: b.KeyId})
	wantErr(t, err, "NotFoundException", 400, "")

	all := must(e.kms.ListAliases(ctx, &kms.ListAliasesInput{}))
	byKey := must(e.kms.ListAliases(ctx, &kms.ListAliasesInput{KeyId: b.KeyId}))
	page := must(e.kms.ListAliases(ctx, &kms.ListAliasesInput{Limit: aws.Int32(1)}))
	if len(all.Aliases) != 2 || len(byKey.Aliases) != 2 || !page.Truncated || *page.Aliases[0].AliasName != "alias/app/one" ||
		*all.Aliases[0].AliasArn != "arn:aws:kms:us-east-1:"+account+":alias/app/one" || all.Aliases[0].CreationDate == nil {
		t.Fatalf("aliases %+v / %+v / %+v", all.Aliases, byKey.Aliases, page)
	}
	rest := must(e.kms.ListAliases(ctx, &kms.ListAliasesInput{Marker: page.NextMarker}))
	if len(rest.Aliases) != 1 || *rest.Aliases[0].AliasName != "alias/two" {
		t.Fatalf("second page %+v", rest.Aliases)
	}
	must(e.kms.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/two")}))
	_, err = e.kms.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/two")})
	wantErr(t, err, "NotFoundException", 400, "Alias arn:aws:kms:us-east-1:"+account+":alias/two is not found.")
	_, err = e.kms.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/aws/s3")})
	wantErr(t, err, "NotAuthorizedException", 400, "")

	// Aliases need the action on the alias (IAM) and on the key (key policy).
	u, _ := e.user("aliaser", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:CreateAlias","Resource":"arn:aws:kms:us-east-1:`+account+`:key/*"}]}`)
	_, err = u.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/mine"), TargetKeyId: a.KeyId})
	wantErr(t, err, "AccessDeniedException", 400, "")
}

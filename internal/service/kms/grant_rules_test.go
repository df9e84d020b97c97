package kms_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// The API reference (CreateGrant, Operations): a grant may allow only operations the
// key supports, else ValidationException; a grant of CreateGrant alone is refused in
// KMS's words (ansible/ansible#31960).
func TestCreateGrantOperationsPerKeyType(t *testing.T) {
	e := newEnv(t)
	root := aws.String("arn:aws:iam::" + account + ":root")
	grant := func(k *types.KeyMetadata, ops ...types.GrantOperation) error {
		_, err := e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.KeyId, GranteePrincipal: root, Operations: ops})
		return err
	}
	sym := e.key(nil)
	rsaEnc := e.key(&kms.CreateKeyInput{KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT"})
	rsaSig := e.key(&kms.CreateKeyInput{KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY"})
	ecdh := e.key(&kms.CreateKeyInput{KeySpec: "ECC_NIST_P256", KeyUsage: "KEY_AGREEMENT"})
	hmac := e.key(&kms.CreateKeyInput{KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC"})
	for _, ok := range []struct {
		k   *types.KeyMetadata
		ops []types.GrantOperation
	}{
		{sym, []types.GrantOperation{"Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
			"GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "DescribeKey", "CreateGrant", "RetireGrant"}},
		{rsaEnc, []types.GrantOperation{"Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey", "DescribeKey", "CreateGrant", "RetireGrant"}},
		{rsaSig, []types.GrantOperation{"Sign", "Verify", "GetPublicKey", "DescribeKey"}},
		{ecdh, []types.GrantOperation{"DeriveSharedSecret", "GetPublicKey", "DescribeKey"}},
		{hmac, []types.GrantOperation{"GenerateMac", "VerifyMac", "DescribeKey", "RetireGrant"}},
	} {
		if err := grant(ok.k, ok.ops...); err != nil {
			t.Errorf("grant %v on %s: %v", ok.ops, ok.k.KeySpec, err)
		}
	}
	for _, bad := range []struct {
		k  *types.KeyMetadata
		op types.GrantOperation
	}{
		{sym, "Sign"}, {sym, "Verify"}, {sym, "GetPublicKey"}, {sym, "GenerateMac"}, {sym, "DeriveSharedSecret"},
		{rsaEnc, "GenerateDataKey"}, {rsaEnc, "GenerateDataKeyPair"}, {rsaEnc, "Sign"},
		{rsaSig, "Encrypt"}, {rsaSig, "Decrypt"}, {rsaSig, "GenerateDataKeyWithoutPlaintext"},
		{ecdh, "Sign"}, {ecdh, "Encrypt"},
		{hmac, "Encrypt"}, {hmac, "GetPublicKey"}, {hmac, "GenerateDataKey"},
	} {
		wantErr(t, grant(bad.k, "DescribeKey", bad.op), "ValidationException", 400, "")
	}
	if n := len(must(e.kms.ListGrants(ctx, &kms.ListGrantsInput{KeyId: sym.KeyId})).Grants); n != 1 {
		t.Errorf("%d grants on the symmetric key after refused grants", n)
	}
	wantErr(t, grant(sym, "CreateGrant"), "ValidationException", 400, "Grants must not contain only the CreateGrant operation.")
}

// The Developer Guide's key state table: CreateGrant fails on a disabled key
// (DisabledException), a key pending import or pending deletion
// (KMSInvalidStateException).
func TestCreateGrantKeyStates(t *testing.T) {
	e := newEnv(t)
	root := aws.String("arn:aws:iam::" + account + ":root")
	grant := func(k *types.KeyMetadata) error {
		_, err := e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.KeyId, GranteePrincipal: root, Operations: []types.GrantOperation{"Encrypt"}})
		return err
	}
	m := e.key(nil)
	must(e.kms.DisableKey(ctx, &kms.DisableKeyInput{KeyId: m.KeyId}))
	wantErr(t, grant(m), "DisabledException", 400, *m.Arn+" is disabled.")
	must(e.kms.EnableKey(ctx, &kms.EnableKeyInput{KeyId: m.KeyId}))
	if err := grant(m); err != nil {
		t.Fatal(err)
	}
	ext := e.key(&kms.CreateKeyInput{Origin: "EXTERNAL"})
	wantErr(t, grant(ext), "KMSInvalidStateException", 400, *ext.Arn+" is pending import.")
	must(e.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: m.KeyId, PendingWindowInDays: aws.Int32(7)}))
	wantErr(t, grant(m), "KMSInvalidStateException", 400, *m.Arn+" is pending deletion.")
	// Grants of a key in those states can still be listed, retired and revoked.
	if n := len(must(e.kms.ListGrants(ctx, &kms.ListGrantsInput{KeyId: m.KeyId})).Grants); n != 1 {
		t.Fatalf("%d grants", n)
	}
}

// GrantConstraints (API reference): "in a grant constraint, the key in each
// key-value pair is not case sensitive, but the value is case sensitive".
func TestGrantConstraintKeysIgnoreCase(t *testing.T) {
	e := newEnv(t)
	m := e.key(nil)
	alice, aliceARN := e.user("alice", "")
	must(e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: m.KeyId, GranteePrincipal: aws.String(aliceARN),
		Operations: []types.GrantOperation{"Encrypt"}, Constraints: &types.GrantConstraints{EncryptionContextSubset: map[string]string{"Department": "Finance"}}}))
	enc := func(ec map[string]string) error {
		_, err := alice.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x"), EncryptionContext: ec})
		return err
	}
	if err := enc(map[string]string{"department": "Finance", "other": "y"}); err != nil {
		t.Fatalf("subset constraint with a key of another case: %v", err)
	}
	wantErr(t, enc(map[string]string{"Department": "finance"}), "AccessDeniedException", 400, "")

	bob, bobARN := e.user("bob", "")
	must(e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: m.KeyId, GranteePrincipal: aws.String(bobARN),
		Operations: []types.GrantOperation{"Encrypt"}, Constraints: &types.GrantConstraints{EncryptionContextEquals: map[string]string{"Tenant": "A"}}}))
	if _, err := bob.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x"), EncryptionContext: map[string]string{"TENANT": "A"}}); err != nil {
		t.Fatalf("equals constraint with a key of another case: %v", err)
	}
	_, err := bob.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x"), EncryptionContext: map[string]string{"Tenant": "a"}})
	wantErr(t, err, "AccessDeniedException", 400, "")
	_, err = bob.Encrypt(ctx, &kms.EncryptInput{KeyId: m.KeyId, Plaintext: []byte("x"), EncryptionContext: map[string]string{"Tenant": "A", "x": "y"}})
	wantErr(t, err, "AccessDeniedException", 400, "")
}

// A grantee whose grant has a constraint and CreateGrant may create grants "that
// are equally restrictive or more restrictive" (Developer Guide, "Grants";
// GrantConstraints in the API reference).
func TestDelegatedGrantConstraints(t *testing.T) {
	e := newEnv(t)
	m := e.key(nil)
	dave, daveARN := e.user("dave", "")
	_, erinARN := e.user("erin", "")
	parent := map[string]string{"Department": "Finance"}
	must(e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: m.KeyId, GranteePrincipal: aws.String(daveARN),
		Operations: []types.GrantOperation{"Decrypt", "GenerateDataKey", "CreateGrant"}, Constraints: &types.GrantConstraints{EncryptionContextSubset: parent}}))
	child := func(c *types.GrantConstraints) error {
		_, err := dave.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: m.KeyId, GranteePrincipal: aws.String(erinARN),
			Operations: []types.GrantOperation{"Decrypt"}, Constraints: c})
		return err
	}
	for _, ok := range []*types.GrantConstraints{
		{EncryptionContextSubset: parent},
		{EncryptionContextSubset: map[string]string{"department": "Finance", "Team": "Payroll"}},
		{EncryptionContextEquals: map[string]string{"Department": "Finance", "Team": "Payroll"}},
	} {
		if err := child(ok); err != nil {
			t.Errorf("child grant %+v: %v", ok, err)
		}
	}
	for _, bad := range []*types.GrantConstraints{
		nil,
		{EncryptionContextSubset: map[string]string{"Team": "Payroll"}},
		{EncryptionContextSubset: map[string]string{"Department": "finance"}},
	} {
		wantErr(t, child(bad), "AccessDeniedException", 400, "")
	}

	// An EncryptionContextEquals parent cannot become a Subset child.
	frank, frankARN := e.user("frank", "")
	eq := map[string]string{"Department": "Finance"}
	must(e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: m.KeyId, GranteePrincipal: aws.String(frankARN),
		Operations: []types.GrantOperation{"Decrypt", "CreateGrant"}, Constraints: &types.GrantConstraints{EncryptionContextEquals: eq}}))
	must(frank.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: m.KeyId, GranteePrincipal: aws.String(erinARN),
		Operations: []types.GrantOperation{"Decrypt"}, Constraints: &types.GrantConstraints{EncryptionContextEquals: eq}}))
	_, err := frank.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: m.KeyId, GranteePrincipal: aws.String(erinARN),
		Operations: []types.GrantOperation{"Decrypt"}, Constraints: &types.GrantConstraints{EncryptionContextSubset: eq}})
	wantErr(t, err, "AccessDeniedException", 400, "")
}

package kms_test

import (
	"bytes"
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

package sts_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

func TestTokens(t *testing.T) {
	e := newEnv(t)
	alice, _ := e.user("alice", doc(allow("sts:AssumeRole", "*")))
	roleARN := e.role(e.iam, "r", doc(trust(awsPrincipal(rootARN), "sts:AssumeRole", "")), doc(allow("iam:ListUsers", "*")))
	c := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(900)})).Credentials
	s := e.session(c)
	must(s.iam.ListUsers(ctx, &iam.ListUsersInput{}))

	const invalid = "The security token included in the request is invalid."
	// An altered token, a token of another key, none at all: the token is invalid.
	raw, _ := base64.StdEncoding.DecodeString(*c.SessionToken)
	raw[len(raw)-3] ^= 0x10
	forged := e.as(*c.AccessKeyId, *c.SecretAccessKey, base64.StdEncoding.EncodeToString(raw))
	_, err := forged.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantErr(t, err, "InvalidClientTokenId", 403, invalid)
	_, err = e.as(*c.AccessKeyId, *c.SecretAccessKey, "").iam.ListUsers(ctx, &iam.ListUsersInput{})
	wantErr(t, err, "InvalidClientTokenId", 403, invalid)
	other := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s2")})).Credentials
	_, err = e.as(*other.AccessKeyId, *other.SecretAccessKey, *c.SessionToken).sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantErr(t, err, "InvalidClientTokenId", 403, invalid)
	// A long-term key with a session token is refused too.
	_, err = e.as("AKIAPALISADETEST0001", "paLisadeTestRootSecretKey000000000000000", *c.SessionToken).sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantErr(t, err, "InvalidClientTokenId", 403, invalid)
	// The right token with the wrong secret is a signature mismatch.
	_, err = e.as(*c.AccessKeyId, strings.Repeat("x", 40), *c.SessionToken).sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantErr(t, err, "SignatureDoesNotMatch", 403, "")

	// Expiry follows Palisade's clock.
	e.advance(901 * time.Second)
	_, err = s.iam.ListUsers(ctx, &iam.ListUsersInput{})
	wantErr(t, err, "ExpiredToken", 403, "The security token included in the request is expired")
	_, err = s.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantErr(t, err, "ExpiredToken", 403, "The security token included in the request is expired")
	// The one-hour session made at the same time still works.
	must(e.session(other).sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
}

func TestGetSessionToken(t *testing.T) {
	e := newEnv(t)
	bob, bobARN := e.user("bob", doc(`{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`,
		`{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}`))
	serial, seed := e.mfa("bob")
	_, err := bob.iam.ListUsers(ctx, &iam.ListUsersInput{})
	wantErr(t, err, "AccessDenied", 403, "")

	// Without MFA: the session may not call IAM at all (AWS answers as if the token
	// were invalid); it is still bob.
	plain := must(bob.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	if d := time.Until(*plain.Credentials.Expiration); d < 11*time.Hour || d > 13*time.Hour {
		t.Fatalf("default session lasts %v", d)
	}
	ps := e.session(plain.Credentials)
	id := must(ps.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if *id.Arn != bobARN || !strings.HasPrefix(*id.UserId, "AIDA") {
		t.Fatalf("caller %s %s", *id.Arn, *id.UserId)
	}
	_, err = ps.iam.GetUser(ctx, &iam.GetUserInput{})
	wantErr(t, err, "InvalidClientTokenId", 403, "")
	_, err = ps.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantErr(t, err, "AccessDenied", 403, "Cannot call GetSessionToken with session credentials")

	// With MFA: aws:MultiFactorAuthPresent is true.
	_, err = bob.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String("123")})
	wantErr(t, err, "ValidationError", 400, "")
	_, err = bob.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{TokenCode: aws.String(code(t, seed, 0))})
	wantErr(t, err, "AccessDenied", 403, "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.")
	ms := e.session(must(bob.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(code(t, seed, 0)), DurationSeconds: aws.Int32(900)})).Credentials)
	must(ms.iam.ListUsers(ctx, &iam.ListUsersInput{}))
	// Of STS, the session may call AssumeRole (carrying its MFA to the trust policy)
	// and GetCallerIdentity only.
	_, err = ms.sts.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String("AKIAPALISADETEST0001")})
	wantErr(t, err, "AccessDenied", 403, "Cannot call GetAccessKeyInfo with session credentials")
	mfaRole := e.role(e.iam, "mfa-only", doc(trust(awsPrincipal(bobARN), "sts:AssumeRole", `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`)), "")
	_, err = ps.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(mfaRole), RoleSessionName: aws.String("m1")})
	wantErr(t, err, "AccessDenied", 403, "")
	must(ms.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(mfaRole), RoleSessionName: aws.String("m1")}))

	// The root user's sessions last an hour at most.
	root := must(e.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(7200)}))
	if d := time.Until(*root.Credentials.Expiration); d > time.Hour+time.Minute {
		t.Fatalf("root session lasts %v", d)
	}
	if id := must(e.session(root.Credentials).sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})); *id.Arn != rootARN {
		t.Fatalf("root session caller %s", *id.Arn)
	}
}

func TestGetFederationToken(t *testing.T) {
	e := newEnv(t)
	// Organizations is the probe: federated users may call no IAM and no STS
	// operation but GetCallerIdentity.
	org := organizations.NewFromConfig(e.p.RootConfig())
	must(org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}))
	alice, _ := e.user("alice", doc(allow("sts:GetFederationToken", "*"), allow("sts:TagSession", "*"), allow("iam:List*", "*"),
		allow("sts:GetAccessKeyInfo", "*"), allow("organizations:Describe*", "*")))
	bob, bobARN := e.user("bob", "")

	// No session policy: the federated user may do nothing. PackedPolicySize is
	// still sent, 0, as AWS sends it.
	none := must(alice.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("fed")}))
	fedARN := "arn:aws:sts::" + account + ":federated-user/fed"
	//lint:ignore SA1019 the pinned model (botocore 1.43.11) has PackedPolicySize, not its replacement
	if *none.FederatedUser.Arn != fedARN || *none.FederatedUser.FederatedUserId != account+":fed" || none.PackedPolicySize == nil || *none.PackedPolicySize != 0 {
		t.Fatalf("federated user %+v", none.FederatedUser)
	}
	ns := e.session(none.Credentials)
	id := must(ns.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if *id.Arn != fedARN || *id.UserId != account+":fed" {
		t.Fatalf("caller %s %s", *id.Arn, *id.UserId)
	}
	nsOrg := organizations.NewFromConfig(e.p.Config(*none.Credentials.AccessKeyId, *none.Credentials.SecretAccessKey, *none.Credentials.SessionToken))
	_, err := nsOrg.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	wantErr(t, err, "AccessDeniedException", 400, "User: "+fedARN+" is not authorized to perform: organizations:DescribeOrganization on resource: * because no session policy allows the organizations:DescribeOrganization action")
	// IAM is out of reach of federated users whatever their policies, and STS too
	// but for GetCallerIdentity.
	_, err = ns.iam.ListUsers(ctx, &iam.ListUsersInput{})
	wantErr(t, err, "InvalidClientTokenId", 403, "")
	_, err = ns.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("again")})
	wantErr(t, err, "AccessDenied", 403, "Cannot call GetFederationToken with session credentials")

	// With a session policy: the intersection with alice's permissions.
	with := must(alice.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("fed"),
		Policy: aws.String(doc(allow("organizations:DescribeOrganization", "*"), allow("organizations:ListRoots", "*"), allow("sts:GetAccessKeyInfo", "*")))}))
	//lint:ignore SA1019 the pinned model (botocore 1.43.11) has PackedPolicySize, not its replacement
	if with.PackedPolicySize == nil {
		t.Fatal("no packed policy size")
	}
	ws := e.session(with.Credentials)
	wsOrg := organizations.NewFromConfig(e.p.Config(*with.Credentials.AccessKeyId, *with.Credentials.SecretAccessKey, *with.Credentials.SessionToken))
	must(wsOrg.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}))
	_, err = wsOrg.ListRoots(ctx, &organizations.ListRootsInput{})
	wantErr(t, err, "AccessDeniedException", 400, "User: "+fedARN+" is not authorized to perform: organizations:ListRoots on resource: * because no identity-based policy allows the organizations:ListRoots action")
	_, err = ws.sts.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: with.Credentials.AccessKeyId})
	wantErr(t, err, "AccessDenied", 403, "Cannot call GetAccessKeyInfo with session credentials")
	// The federated user follows alice's policies as they change.
	must(e.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p")}))
	_, err = wsOrg.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	wantErr(t, err, "AccessDeniedException", 400, "")
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(doc(allow("sts:GetFederationToken", "*"), allow("sts:TagSession", "*")))}))

	// The caller needs sts:GetFederationToken, and sts:TagSession to pass tags.
	_, err = bob.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("fed")})
	wantErr(t, err, "AccessDenied", 403, "User: "+bobARN+" is not authorized to perform: sts:GetFederationToken on resource: "+fedARN+
		" because no identity-based policy allows the sts:GetFederationToken action")
	tagged := must(alice.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("tagged"), Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("red")}}}))
	//lint:ignore SA1019 the pinned model (botocore 1.43.11) has PackedPolicySize, not its replacement
	if tagged.PackedPolicySize == nil {
		t.Fatal("tags make a packed size")
	}
}

func TestSessionTagsAndRevocation(t *testing.T) {
	e := newEnv(t)
	alice, _ := e.user("alice", doc(allow("sts:AssumeRole", "*"), allow("sts:TagSession", "*")))
	bob, _ := e.user("bob", doc(allow("sts:AssumeRole", "*")))
	tagTrust := doc(`{"Effect":"Allow","Principal":{"AWS":"` + rootARN + `"},"Action":["sts:AssumeRole","sts:TagSession"]}`)
	roleARN := e.role(e.iam, "tagged", tagTrust,
		doc(`{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"red"}}}`, allow("sts:AssumeRole", "*")))
	tags := []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("red")}, {Key: aws.String("cost"), Value: aws.String("42")}}

	// Passing tags needs sts:TagSession from the caller (bob lacks it).
	_, err := bob.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"), Tags: tags})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"),
		Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}, {Key: aws.String("TEAM"), Value: aws.String("b")}}})
	wantErr(t, err, "InvalidParameterValue", 400, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
	out := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"), Tags: tags, TransitiveTagKeys: []string{"team"}}))
	s := e.session(out.Credentials)
	must(s.iam.ListUsers(ctx, &iam.ListUsersInput{}))
	// Without the tag, the condition fails.
	untagged := e.session(must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s2")})).Credentials)
	_, err = untagged.iam.ListUsers(ctx, &iam.ListUsersInput{})
	wantErr(t, err, "AccessDenied", 403, "")

	// Transitive tags pass on through role chaining.
	next := e.role(e.iam, "next", tagTrust, doc(`{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"red"}}}`))
	chained := e.session(must(s.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(next), RoleSessionName: aws.String("c1")})).Credentials)
	must(chained.iam.ListRoles(ctx, &iam.ListRolesInput{}))
	// A non-transitive tag does not.
	costNext := e.role(e.iam, "cost", tagTrust, doc(`{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/cost":"42"}}}`))
	costChained := e.session(must(s.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(costNext), RoleSessionName: aws.String("c2")})).Credentials)
	_, err = costChained.iam.ListRoles(ctx, &iam.ListRolesInput{})
	wantErr(t, err, "AccessDenied", 403, "")

	// "Revoke active sessions": the console's AWSRevokeOlderSessions policy denies
	// every session issued before now.
	e.advance(2 * time.Second)
	now := must(e.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{})).Credentials.Expiration.Add(-time.Hour).UTC().Format(time.RFC3339)
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("tagged"), PolicyName: aws.String("AWSRevokeOlderSessions"),
		PolicyDocument: aws.String(doc(`{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"` + now + `"}}}`))}))
	_, err = s.iam.ListUsers(ctx, &iam.ListUsersInput{})
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:sts::"+account+":assumed-role/tagged/s1 is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::"+account+":user/ with an explicit deny in an identity-based policy")
	e.advance(2 * time.Second)
	fresh := e.session(must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s3"), Tags: tags})).Credentials)
	must(fresh.iam.ListUsers(ctx, &iam.ListUsersInput{}))
}

func TestRegionDisabledAndKeyInfo(t *testing.T) {
	e := newEnv(t)
	alice, _ := e.user("alice", doc(allow("sts:*", "*")))
	roleARN := e.role(e.iam, "r", doc(trust(awsPrincipal(rootARN), "sts:AssumeRole", "")), "")
	cfg := e.p.RootConfig()
	cfg.Region = "me-south-1"
	south := sts.NewFromConfig(cfg)
	_, err := south.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantErr(t, err, "RegionDisabledException", 403, "STS is not activated in this region for account:"+account+
		". Your account administrator can activate STS in this region using the IAM Console.")
	// GetCallerIdentity still answers there.
	must(south.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	e.admin("PUT", "/_palisade/sts/regions?account="+account+"&region=me-south-1", "", 200)
	must(south.GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	e.admin("PUT", "/_palisade/sts/regions?account="+account+"&region=us-east-1", "", 400)

	// GetAccessKeyInfo: stored keys, temporary keys (the account is in the ID), and
	// keys that do not exist (decoded as AWS decodes them).
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})).AccessKey
	tmp := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1")})).Credentials
	for _, id := range []string{*k.AccessKeyId, *tmp.AccessKeyId, "AKIAPALISADETEST0001"} {
		if got := must(alice.sts.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(id)})); *got.Account != account {
			t.Fatalf("%s: account %s", id, *got.Account)
		}
	}
	if got := must(alice.sts.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String("ASIAY34FZKBOKMUTVV7A")})); *got.Account != "609629065308" {
		t.Fatalf("decoded account %s", *got.Account)
	}
	_, bob := e.user("bob", "")
	_ = bob
	nobody, _ := e.user("carol", "")
	_, err = nobody.sts.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: k.AccessKeyId})
	wantErr(t, err, "AccessDenied", 403, "")
}

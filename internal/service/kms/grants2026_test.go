package kms_test

// Grants to role sessions, roles and federated users as AWS KMS answered them in
// us-east-1 in September 2026, recorded in the public repository radkawar/stackd
// (testdata/aws/kms/grants.json; each step names its case). The scenario follows the
// recording's: roles without any policy of their own, sessions from sts:AssumeRole
// with and without session policies, a permissions boundary that allows something
// else, grants issued in the key's account and in the grantee's.

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// The session policies of the recording: one that allows something else, and one
// that allows everything but denies KMS.
const (
	allowOther = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`
	denyKMS    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"kms:*","Resource":"*"}]}`
)

// principals creates roles and sessions in one account.
type principals struct {
	e       *env
	account string
	iam     *iam.Client
	sts     *sts.Client
}

func (e *env) principals() *principals {
	return e.newPrincipals(account, e.p.RootConfig())
}

// newPrincipals returns the principals of an account whose root signs with cfg. The
// root may not assume roles: an IAM user allowed sts:AssumeRole does.
func (e *env) newPrincipals(id string, cfg aws.Config) *principals {
	e.Helper()
	c := iam.NewFromConfig(cfg)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("assumer")}))
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("assumer"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allow("sts:AssumeRole"))}))
	ak := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("assumer")})).AccessKey
	return &principals{e: e, account: id, iam: c, sts: sts.NewFromConfig(e.p.Config(*ak.AccessKeyId, *ak.SecretAccessKey, ""))}
}

// otherPrincipals installs a root key for another account and returns its principals
// and a KMS client signed as its root.
func (e *env) otherPrincipals(id string) (*principals, *kms.Client) {
	e.Helper()
	cfg := e.p.AccountConfig(id)
	return e.newPrincipals(id, cfg), kms.NewFromConfig(cfg)
}

// role creates a role its account may assume, under path ("" for /), and returns its
// ARN and unique ID.
func (p *principals) role(name, path string) (arn, id string) {
	in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + p.account + `:root"},"Action":"sts:AssumeRole"}]}`)}
	if path != "" {
		in.Path = aws.String(path)
	}
	r := must(p.iam.CreateRole(ctx, in)).Role
	return *r.Arn, *r.RoleId
}

// assume returns a KMS client for a session of the role (with the session policy
// when not "") and the session's ARN.
func (p *principals) assume(roleARN, session, policy string) (*kms.Client, string) {
	in := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String(session)}
	if policy != "" {
		in.Policy = aws.String(policy)
	}
	out := must(p.sts.AssumeRole(ctx, in))
	c := out.Credentials
	return kms.NewFromConfig(p.e.p.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)), *out.AssumedRoleUser.Arn
}

// answer checks a call's outcome: code "" is success, else the error's code and
// message.
func answer(t *testing.T, name string, err error, code, msg string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Errorf("%s: want success, got %v", name, err)
		}
		return
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Errorf("%s: want %s, got %v", name, code, err)
		return
	}
	if ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		t.Errorf("%s:\n got %s %q\nwant %s %q", name, ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

func denied(who, action, on, reason string) string {
	return "User: " + who + " is not authorized to perform: " + action + " on " + on + " " + reason
}

func TestRecorded2026GrantsToSessions(t *testing.T) {
	e := newEnv(t)
	pr := e.principals()
	k := e.key(nil)
	on := "resource: " + *k.Arn
	ct := must(e.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: k.Arn, Plaintext: []byte("grant plaintext")})).CiphertextBlob
	sessionRole, sessionRoleID := pr.role("probe-session", "/probe/")
	wholeRole, _ := pr.role("probe-role", "/probe/")
	empty, sessionARN := pr.assume(sessionRole, "target", "")
	limited, _ := pr.assume(sessionRole, "target", allowOther)
	deniedS, _ := pr.assume(sessionRole, "target", denyKMS)
	sibling, siblingARN := pr.assume(sessionRole, "sibling", "")
	repeated, _ := pr.assume(sessionRole, "target", "")
	if sessionARN != "arn:aws:sts::"+account+":assumed-role/probe-session/target" {
		t.Fatalf("session ARN %s", sessionARN)
	}
	decrypt := func(c *kms.Client, tok *string) error {
		_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, GrantTokens: []string{*tok}})
		return err
	}

	g := must(e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.Arn, GranteePrincipal: aws.String(sessionARN), RetiringPrincipal: aws.String(sessionARN),
		Operations: []types.GrantOperation{"Decrypt", "RetireGrant"}, Name: aws.String("session")}))
	answer(t, "session_no_identity_allow", decrypt(empty, g.GrantToken), "", "")
	answer(t, "session_implicit_session_deny", decrypt(limited, g.GrantToken), "", "")
	answer(t, "session_explicit_session_deny", decrypt(deniedS, g.GrantToken), "AccessDeniedException",
		denied(sessionARN, "kms:Decrypt", on, "with an explicit deny in a session policy"))
	answer(t, "session_sibling", decrypt(sibling, g.GrantToken), "AccessDeniedException",
		denied(siblingARN, "kms:Decrypt", on, "because no identity-based policy allows the kms:Decrypt action"))
	answer(t, "session_repeated_name", decrypt(repeated, g.GrantToken), "", "")
	list := must(e.kms.ListGrants(ctx, &kms.ListGrantsInput{KeyId: k.Arn, GrantId: g.GrantId})).Grants
	if len(list) != 1 || *list[0].GranteePrincipal != sessionARN || *list[0].RetiringPrincipal != sessionARN || *list[0].Name != "session" {
		t.Errorf("session_list: %+v", list)
	}
	list = must(e.kms.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: aws.String(sessionARN)})).Grants
	if len(list) != 1 || *list[0].GrantId != *g.GrantId {
		t.Errorf("session_retirable: %+v", list)
	}

	describeGrant := func(grantee string) error {
		_, err := e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.Arn, GranteePrincipal: aws.String(grantee), Operations: []types.GrantOperation{"DescribeKey"}})
		return err
	}
	missing := "arn:aws:sts::" + account + ":assumed-role/probe-missing/target"
	withPath := "arn:aws:sts::" + account + ":assumed-role/probe/probe-session/target"
	answer(t, "unissued_session", describeGrant("arn:aws:sts::"+account+":assumed-role/probe-session/unissued"), "", "")
	answer(t, "missing_role", describeGrant(missing), "InvalidArnException", "ARN does not refer to a valid principal: "+missing)
	answer(t, "session_role_path", describeGrant(withPath), "InvalidArnException", "ARN is not valid: "+withPath)
	answer(t, "raw_session_id", describeGrant(sessionRoleID+":target"), "", "")
	answer(t, "unissued_federated_user", describeGrant("arn:aws:sts::"+account+":federated-user/unissued"), "", "")

	roleEmpty, roleSession := pr.assume(wholeRole, "target", "")
	roleLimited, _ := pr.assume(wholeRole, "target", allowOther)
	roleDenied, _ := pr.assume(wholeRole, "target", denyKMS)
	rg := must(e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.Arn, GranteePrincipal: aws.String(wholeRole), Operations: []types.GrantOperation{"Decrypt", "RetireGrant"}}))
	answer(t, "role_no_identity_allow", decrypt(roleEmpty, rg.GrantToken), "", "")
	answer(t, "role_implicit_session_deny", decrypt(roleLimited, rg.GrantToken), "AccessDeniedException",
		denied(roleSession, "kms:Decrypt", on, "because no session policy allows the kms:Decrypt action"))
	answer(t, "role_explicit_session_deny", decrypt(roleDenied, rg.GrantToken), "AccessDeniedException",
		denied(roleSession, "kms:Decrypt", on, "with an explicit deny in a session policy"))

	// A boundary applies to sessions issued before it was attached.
	boundary := must(pr.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("probe-boundary"), PolicyDocument: aws.String(allowOther)})).Policy.Arn
	for _, r := range []string{"probe-session", "probe-role"} {
		must(pr.iam.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String(r), PermissionsBoundary: boundary}))
	}
	answer(t, "session_implicit_boundary_deny", decrypt(empty, g.GrantToken), "", "")
	answer(t, "role_implicit_boundary_deny", decrypt(roleEmpty, rg.GrantToken), "AccessDeniedException",
		denied(roleSession, "kms:Decrypt", on, "because no permissions boundary allows the kms:Decrypt action"))
	for _, r := range []string{"probe-session", "probe-role"} {
		must(pr.iam.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(r)}))
	}

	// Delegation: a grantee with CreateGrant under a constraint creates grants no
	// broader than one of its grants.
	delegatorRole, _ := pr.role("probe-delegator", "/probe/")
	delegator, delegatorSession := pr.assume(delegatorRole, "target", "")
	p1 := must(e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.Arn, GranteePrincipal: aws.String(delegatorRole), Operations: []types.GrantOperation{"CreateGrant", "Decrypt"},
		Constraints: &types.GrantConstraints{EncryptionContextSubset: map[string]string{"department": "IT"}}}))
	p2 := must(e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.Arn, GranteePrincipal: aws.String(delegatorRole), Operations: []types.GrantOperation{"Encrypt"},
		Constraints: &types.GrantConstraints{EncryptionContextSubset: map[string]string{"project": "stackd"}}}))
	both := &types.GrantConstraints{EncryptionContextEquals: map[string]string{"department": "IT", "project": "stackd"}}
	child := func(c *types.GrantConstraints, ops ...types.GrantOperation) error {
		_, err := delegator.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.Arn, GranteePrincipal: aws.String(sessionARN), GrantTokens: []string{*p1.GrantToken, *p2.GrantToken},
			Operations: ops, Constraints: c})
		return err
	}
	noCreate := denied(delegatorSession, "kms:CreateGrant", on, "because no identity-based policy allows the kms:CreateGrant action")
	answer(t, "delegate_combined_operations", child(both, "Decrypt", "Encrypt"), "AccessDeniedException", noCreate)
	answer(t, "delegate_second_only", child(both, "Encrypt"), "AccessDeniedException", noCreate)
	answer(t, "delegate_broaden_constraint", child(nil, "Decrypt"), "AccessDeniedException", noCreate)
	answer(t, "delegate_narrow_constraint", child(both, "Decrypt"), "", "")

	// A federated user's grant is not limited by its session policy.
	fedKey, fedSecret, _ := e.userKey("federator", allow("sts:GetFederationToken"))
	fed := must(sts.NewFromConfig(e.p.Config(fedKey, fedSecret, "")).GetFederationToken(ctx, &sts.GetFederationTokenInput{
		Name: aws.String("stackd-grants-federated"), Policy: aws.String(allowOther)}))
	fedKMS := kms.NewFromConfig(e.p.Config(*fed.Credentials.AccessKeyId, *fed.Credentials.SecretAccessKey, *fed.Credentials.SessionToken))
	fg := must(e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.Arn, GranteePrincipal: fed.FederatedUser.Arn, RetiringPrincipal: fed.FederatedUser.Arn,
		Operations: []types.GrantOperation{"Decrypt"}}))
	answer(t, "federated_implicit_session_deny", decrypt(fedKMS, fg.GrantToken), "", "")
	_, err := fedKMS.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: fg.GrantToken})
	answer(t, "federated_retire", err, "", "")
	_, err = limited.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: g.GrantToken})
	answer(t, "session_retire_limited", err, "", "")
}

// A grant to a role session binds the role as it is when the grant is made (its
// unique ID) and the session name, not an issued session.
func TestRecorded2026GrantLifecycle(t *testing.T) {
	e := newEnv(t)
	pr := e.principals()
	k := e.key(nil)
	roleARN, roleID := pr.role("lifecycle", "")
	future := "arn:aws:sts::" + account + ":assumed-role/lifecycle/future"
	futureID := roleID + ":future"
	params := func(p string) *kms.CreateGrantInput {
		return &kms.CreateGrantInput{KeyId: k.Arn, Name: aws.String("bound-session"), GranteePrincipal: aws.String(p), RetiringPrincipal: aws.String(p),
			Operations: []types.GrantOperation{"DescribeKey"}}
	}
	g := must(e.kms.CreateGrant(ctx, params(future)))
	shows := func(name string, list []types.GrantListEntry, principal string) {
		t.Helper()
		if len(list) != 1 || *list[0].GrantId != *g.GrantId || *list[0].GranteePrincipal != principal || *list[0].RetiringPrincipal != principal {
			t.Errorf("%s: %+v", name, list)
		}
	}
	byID := &kms.ListGrantsInput{KeyId: k.Arn, GrantId: g.GrantId}
	shows("lifecycle_list_before", must(e.kms.ListGrants(ctx, byID)).Grants, future)
	shows("lifecycle_filter_id", must(e.kms.ListGrants(ctx, &kms.ListGrantsInput{KeyId: k.Arn, GranteePrincipal: aws.String(futureID)})).Grants, future)
	shows("lifecycle_retirable_id", must(e.kms.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: aws.String(futureID)})).Grants, future)
	if again := must(e.kms.CreateGrant(ctx, params(futureID))); *again.GrantId != *g.GrantId {
		t.Errorf("lifecycle_named_id_retry: grant %s, want %s", *again.GrantId, *g.GrantId)
	}

	must(pr.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("lifecycle")}))
	shows("lifecycle_list_deleted", must(e.kms.ListGrants(ctx, byID)).Grants, futureID)
	_, err := e.kms.ListGrants(ctx, &kms.ListGrantsInput{KeyId: k.Arn, GranteePrincipal: aws.String(future)})
	answer(t, "lifecycle_filter_deleted_arn", err, "InvalidArnException", "ARN does not refer to a valid principal: "+future)
	_, err = e.kms.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: aws.String(future)})
	answer(t, "lifecycle_retirable_deleted_arn", err, "InvalidArnException", "ARN does not refer to a valid principal: "+future)
	_, err = e.kms.ListGrants(ctx, &kms.ListGrantsInput{KeyId: k.Arn, GranteePrincipal: aws.String(futureID)})
	answer(t, "lifecycle_filter_deleted_id", err, "InvalidArnException", "Input does not refer to a valid principal")
	_, err = e.kms.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: aws.String(futureID)})
	answer(t, "lifecycle_retirable_deleted_id", err, "NotFoundException", "Retiring principal "+futureID+" could not be found")
	_, err = e.kms.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.Arn, GranteePrincipal: aws.String(futureID), Operations: []types.GrantOperation{"DescribeKey"}})
	answer(t, "lifecycle_create_deleted_id", err, "InvalidArnException", "GranteePrincipal does not refer to a valid principal.")

	// The same name again is another role: the old grant does not cover it.
	if again, _ := pr.role("lifecycle", ""); again != roleARN {
		t.Fatalf("recreated role %s", again)
	}
	shows("lifecycle_list_recreated", must(e.kms.ListGrants(ctx, byID)).Grants, futureID)
	session, _ := pr.assume(roleARN, "future", "")
	_, err = session.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.Arn, GrantTokens: []string{*g.GrantToken}})
	answer(t, "lifecycle_recreated_old_grant", err, "AccessDeniedException",
		denied(future, "kms:DescribeKey", "resource: "+*k.Arn, "because no identity-based policy allows the kms:DescribeKey action"))
	fresh := must(e.kms.CreateGrant(ctx, params(future)))
	if *fresh.GrantId == *g.GrantId {
		t.Error("lifecycle_recreated_named_grant: the old grant's ID again")
	}
	_, err = session.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.Arn, GrantTokens: []string{*fresh.GrantToken}})
	answer(t, "lifecycle_recreated_new_grant", err, "", "")
}

// Grants on a key of account A to principals of account B: issued by A they allow on
// the key's side only, and B's policies must allow too; issued by B (which the key
// policy lets create grants) they stand for B's permission as well.
func TestRecorded2026CrossAccountGrants(t *testing.T) {
	e := newEnv(t)
	const member = "222222222222"
	b, bKMS := e.otherPrincipals(member)
	k := e.key(&kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + member + `:root"},"Action":"kms:CreateGrant","Resource":"*"}]}`)})
	const here = "this resource"
	for _, kind := range []string{"owner", "trusted"} {
		issuer := e.kms
		if kind == "trusted" {
			issuer = bKMS
		}
		roleARN, _ := b.role("cross-"+kind, "")
		session, sessionARN := b.assume(roleARN, "target", "")
		limited, _ := b.assume(roleARN, "target", allowOther)
		sg := must(issuer.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.Arn, GranteePrincipal: aws.String(sessionARN), Operations: []types.GrantOperation{"DescribeKey"}}))
		describe := func(c *kms.Client, tokens ...string) error {
			_, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.Arn, GrantTokens: tokens})
			return err
		}
		rg := must(issuer.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: k.Arn, GranteePrincipal: aws.String(roleARN), Operations: []types.GrantOperation{"Encrypt"}}))
		encrypt := func(c *kms.Client) error {
			_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: k.Arn, Plaintext: []byte("cross account"), GrantTokens: []string{*rg.GrantToken}})
			return err
		}
		noIdentity := func(action string) string {
			return denied(sessionARN, action, here, "because no identity-based policy allows the "+action+" action")
		}
		noSession := func(action string) string {
			return denied(sessionARN, action, here, "because no session policy allows the "+action+" action")
		}
		if kind == "owner" {
			answer(t, "cross_owner_session_no_identity_allow", describe(session, *sg.GrantToken), "AccessDeniedException", noIdentity("kms:DescribeKey"))
			answer(t, "cross_owner_session_implicit_session_deny", describe(limited, *sg.GrantToken), "AccessDeniedException", noIdentity("kms:DescribeKey"))
			answer(t, "cross_owner_role_no_identity_allow", encrypt(session), "AccessDeniedException", noIdentity("kms:Encrypt"))
			answer(t, "cross_owner_role_implicit_session_deny", encrypt(limited), "AccessDeniedException", noSession("kms:Encrypt"))
		} else {
			answer(t, "cross_trusted_session_no_identity_allow", describe(session, *sg.GrantToken), "", "")
			answer(t, "cross_trusted_session_implicit_session_deny", describe(limited, *sg.GrantToken), "", "")
			answer(t, "cross_trusted_role_no_identity_allow", encrypt(session), "", "")
			answer(t, "cross_trusted_role_implicit_session_deny", encrypt(limited), "AccessDeniedException", noSession("kms:Encrypt"))
		}
		must(b.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("cross-" + kind), PolicyName: aws.String("access"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"` + *k.Arn + `"}]}`)}))
		answer(t, "cross_"+kind+"_identity_allowed", describe(session), "", "")
		if kind == "owner" {
			answer(t, "cross_owner_identity_allowed_limited", describe(limited), "AccessDeniedException", noSession("kms:DescribeKey"))
		} else {
			answer(t, "cross_trusted_identity_allowed_limited", describe(limited), "", "")
		}
	}

	// Retiring across accounts takes the retiring account's permission too.
	roleARN, _ := b.role("cross-retire", "")
	for _, limit := range []string{"none", "session"} {
		policy := ""
		if limit == "session" {
			policy = allowOther
		}
		session, sessionARN := b.assume(roleARN, "target", policy)
		for _, target := range []string{"session", "role"} {
			principal := sessionARN
			if target == "role" {
				principal = roleARN
			}
			for _, binding := range []string{"retiring", "grantee"} {
				in := &kms.CreateGrantInput{KeyId: k.Arn, GranteePrincipal: aws.String("arn:aws:iam::" + account + ":root"), RetiringPrincipal: aws.String(principal),
					Operations: []types.GrantOperation{"DescribeKey"}}
				if binding == "grantee" {
					in.GranteePrincipal, in.RetiringPrincipal, in.Operations = aws.String(principal), nil, []types.GrantOperation{"RetireGrant"}
				}
				g := must(e.kms.CreateGrant(ctx, in))
				_, err := session.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: g.GrantToken})
				reason := "because no identity-based policy allows the kms:RetireGrant action"
				if target == "role" && limit == "session" {
					reason = "because no session policy allows the kms:RetireGrant action"
				}
				answer(t, "cross_retire_"+target+"_"+binding+"_"+limit, err, "AccessDeniedException", denied(sessionARN, "kms:RetireGrant", here, reason))
			}
		}
	}
}

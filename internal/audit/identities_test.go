package audit_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/service/sts/ststest"
	"github.com/palisade/palisade/internal/store"
)

// Every identity type, from real credentials: each call's record carries the
// userIdentity AWS documents for its type ("CloudTrail userIdentity element"), with
// the caller's own IDs, keys and session dates.
func TestIdentityTypesFromRealCalls(t *testing.T) {
	p := apptest.Start(t)
	const acct = "000000000000"
	root := iam.NewFromConfig(p.RootConfig())
	rootSTS := sts.NewFromConfig(p.RootConfig())
	identity := func(name string) map[string]any {
		t.Helper()
		return get(last(t, p, name), "userIdentity").(map[string]any)
	}
	same := func(what string, got map[string]any, want string) {
		t.Helper()
		var w map[string]any
		if err := json.Unmarshal([]byte(want), &w); err != nil {
			t.Fatalf("bad expected JSON for %s: %v", what, err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s userIdentity\n got %s\nwant %s", what, jsonOf(got), want)
		}
	}

	// Root.
	apptest.Must(rootSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	same("root", identity("GetCallerIdentity"), `{"type":"Root","principalId":"`+acct+`","arn":"arn:aws:iam::`+acct+`:root","accountId":"`+acct+`","accessKeyId":"`+apptest.RootAccessKeyID+`"}`)

	// IAM user.
	u := apptest.Must(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})).User
	apptest.Must(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetFederationToken","sts:GetSessionToken","sts:AssumeRole","sts:SetSourceIdentity"],"Resource":"*"}]}`)}))
	k := apptest.Must(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})).AccessKey
	alice := sts.NewFromConfig(p.Config(*k.AccessKeyId, *k.SecretAccessKey, ""))
	apptest.Must(alice.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	userJSON := `"principalId":"` + *u.UserId + `","arn":"arn:aws:iam::` + acct + `:user/alice","accountId":"` + acct + `"`
	same("IAM user", identity("GetCallerIdentity"), `{"type":"IAMUser",`+userJSON+`,"accessKeyId":"`+*k.AccessKeyId+`","userName":"alice"}`)

	date := func(c *ststypes.Credentials) string {
		// Sessions last an hour by default: the creation date is an hour before.
		return c.Expiration.Add(-time.Hour).UTC().Format("2006-01-02T15:04:05Z")
	}
	// IAM user with GetSessionToken credentials: an empty sessionIssuer.
	st := apptest.Must(alice.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(3600)})).Credentials
	apptest.Must(sts.NewFromConfig(p.Config(*st.AccessKeyId, *st.SecretAccessKey, *st.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	same("GetSessionToken session", identity("GetCallerIdentity"), `{"type":"IAMUser",`+userJSON+`,"accessKeyId":"`+*st.AccessKeyId+`","userName":"alice",
		"sessionContext":{"sessionIssuer":{},"webIdFederationData":{},"attributes":{"creationDate":"`+date(st)+`","mfaAuthenticated":"false"}}}`)

	// Federated user.
	ft := apptest.Must(alice.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("bob"), DurationSeconds: aws.Int32(3600),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})).Credentials
	apptest.Must(sts.NewFromConfig(p.Config(*ft.AccessKeyId, *ft.SecretAccessKey, *ft.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	same("federated user", identity("GetCallerIdentity"), `{"type":"FederatedUser","principalId":"`+acct+`:bob","arn":"arn:aws:sts::`+acct+`:federated-user/bob","accountId":"`+acct+`","accessKeyId":"`+*ft.AccessKeyId+`",
		"sessionContext":{"sessionIssuer":{"type":"IAMUser",`+userJSON+`,"userName":"alice"},"webIdFederationData":{},"attributes":{"creationDate":"`+date(ft)+`","mfaAuthenticated":"false"}}}`)

	// Assumed role, with a source identity.
	role := apptest.Must(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ops"), Path: aws.String("/team/"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}]}`)})).Role
	ar := apptest.Must(alice.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Arn, RoleSessionName: aws.String("night-shift"), SourceIdentity: aws.String("alice")})).Credentials
	apptest.Must(sts.NewFromConfig(p.Config(*ar.AccessKeyId, *ar.SecretAccessKey, *ar.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	issuer := `"sessionIssuer":{"type":"Role","principalId":"` + *role.RoleId + `","arn":"` + *role.Arn + `","accountId":"` + acct + `","userName":"ops"}`
	same("assumed role", identity("GetCallerIdentity"), `{"type":"AssumedRole","principalId":"`+*role.RoleId+`:night-shift","arn":"arn:aws:sts::`+acct+`:assumed-role/ops/night-shift","accountId":"`+acct+`","accessKeyId":"`+*ar.AccessKeyId+`",
		"sessionContext":{`+issuer+`,"webIdFederationData":{},"attributes":{"creationDate":"`+date(ar)+`","mfaAuthenticated":"false"},"sourceIdentity":"alice"}}`)

	// Web identity: the AssumeRoleWithWebIdentity call is the WebIdentityUser's, and the
	// session names the provider in webIdFederationData.
	is := ststest.NewIssuer(t)
	oidc := *apptest.Must(root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(is.URL),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{is.Thumbprint()}})).OpenIDConnectProviderArn
	ci := apptest.Must(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ci"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + oidc + `"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`)})).Role
	anon := sts.NewFromConfig(p.Config("AKIAANYTHING00000000", "anything-anything-anything-anything-0000", ""))
	claims := is.Claims("sts.amazonaws.com", time.Now().Add(time.Hour))
	wi := apptest.Must(anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: ci.Arn, RoleSessionName: aws.String("gha"),
		WebIdentityToken: aws.String(is.Token(t, claims, nil, is.KID))}))
	same("web identity user", identity("AssumeRoleWithWebIdentity"), `{"type":"WebIdentityUser","principalId":"`+oidc+`:sts.amazonaws.com:`+claims["sub"].(string)+`",
		"userName":"`+claims["sub"].(string)+`","identityProvider":"`+oidc+`"}`)
	apptest.Must(sts.NewFromConfig(p.Config(*wi.Credentials.AccessKeyId, *wi.Credentials.SecretAccessKey, *wi.Credentials.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if got := get(identity("GetCallerIdentity"), "sessionContext", "webIdFederationData"); jsonOf(got) != `{"attributes":{},"federatedProvider":"`+oidc+`"}` {
		t.Errorf("web identity session's webIdFederationData %s", jsonOf(got))
	}

	// SAML.
	idp := ststest.NewIdP(t)
	saml := *apptest.Must(root.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("Corp"), SAMLMetadataDocument: aws.String(idp.Metadata())})).SAMLProviderArn
	sso := apptest.Must(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("sso"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + saml + `"},"Action":"sts:AssumeRoleWithSAML"}]}`)})).Role
	so := apptest.Must(anon.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: sso.Arn, PrincipalArn: aws.String(saml),
		SAMLAssertion: aws.String(ststest.Base64(idp.Response(t, ststest.Assertion{Roles: []string{*sso.Arn + "," + saml}, Session: "carol"})))}))
	same("SAML user", identity("AssumeRoleWithSAML"), `{"type":"SAMLUser","principalId":"`+*so.NameQualifier+`:`+*so.Subject+`","userName":"`+*so.Subject+`","identityProvider":"`+*so.NameQualifier+`"}`)

	// AWS service (cloudtrail.amazonaws.com and the like) is the unit test's alone: no
	// served call is made by a service principal and recorded as such yet (S3's
	// writes as a service are not recorded; KMS records the data keys it makes for
	// them as invoked by S3).

	// AWS account: the role owner's copy of a cross-account AssumeRole names the caller
	// by account and principal ID.
	const other = "111111111111"
	cred := &auth.Credential{AccessKeyID: auth.NewID("AKIA", 16), Secret: []byte(auth.NewSecret()), Active: true, Principal: auth.RootPrincipal(other), Created: time.Now()}
	if err := p.Store.Update(ctx, func(tx *store.Tx) error { return p.Keys.Put(tx, cred) }); err != nil {
		t.Fatal(err)
	}
	theirs := apptest.Must(iam.NewFromConfig(p.Config(cred.AccessKeyID, string(cred.Secret), "")).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("audit"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`)})).Role
	apptest.Must(alice.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: theirs.Arn, RoleSessionName: aws.String("audit")}))
	var owner, mine map[string]any
	for _, r := range records(t, p) {
		if r["eventName"] == "AssumeRole" && r["recipientAccountId"] == other {
			owner = r
		} else if r["eventName"] == "AssumeRole" && get(r, "requestParameters", "roleArn") == *theirs.Arn {
			mine = r
		}
	}
	if owner == nil || mine == nil {
		t.Fatal("no AssumeRole record in the caller's or the role owner's account")
	}
	if owner["sharedEventID"] == nil || owner["sharedEventID"] != mine["sharedEventID"] || owner["eventID"] == mine["eventID"] {
		t.Errorf("the two copies: sharedEventID %v and %v, eventID %v and %v", owner["sharedEventID"], mine["sharedEventID"], owner["eventID"], mine["eventID"])
	}
	same("AWS account", owner["userIdentity"].(map[string]any), `{"type":"AWSAccount","principalId":"`+*u.UserId+`","accountId":"`+acct+`"}`)
}

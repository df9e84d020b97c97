package iam_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestAccountAliases(t *testing.T) {
	e := newEnv(t)
	if a := must(e.iam.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})).AccountAliases; len(a) != 0 {
		t.Fatalf("aliases %v", a)
	}
	must(e.iam.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("my-corp")}))
	must(e.iam.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("my-corp")}))
	_, err := e.iam.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("other")})
	wantErr(t, err, "LimitExceeded", 409, "Cannot exceed quota for AccountAliasesPerAccount: 1")
	if a := must(e.iam.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})).AccountAliases; len(a) != 1 || a[0] != "my-corp" {
		t.Fatalf("aliases %v", a)
	}
	_, err = e.iam.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("other")})
	wantErr(t, err, "NoSuchEntity", 404, "The account alias other cannot be found.")
	must(e.iam.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("my-corp")}))
	_, err = e.iam.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("Bad_Alias")})
	wantErr(t, err, "ValidationError", 400, "")
}

func TestAccountSummary(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")}))
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustEC2)}))
	p := must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(allowAll)})).Policy
	must(e.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: p.Arn, PolicyDocument: aws.String(allowAll)}))
	must(e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: p.Arn}))
	must(e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
	m := must(e.iam.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).SummaryMap
	want := map[string]int32{"Users": 1, "Groups": 1, "Roles": 1, "Policies": 1, "UsersQuota": 5000, "AccessKeysPerUserQuota": 2,
		"AttachedPoliciesPerUserQuota": 10, "PolicyVersionsInUse": 3, "AccountAccessKeysPresent": 1, "AccountMFAEnabled": 0, "VersionsPerPolicyQuota": 5}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %d, want %d", k, m[k], v)
		}
	}
}

func TestAccountAuthorizationDetails(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")}))
	must(e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("g"), UserName: aws.String("u")}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(allowAll)}))
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustEC2)}))
	must(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String("arn:aws:iam::aws:policy/SecurityAudit")}))
	must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("local"), PolicyDocument: aws.String(allowAll)}))

	out := must(e.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{}))
	if len(out.UserDetailList) != 1 || len(out.GroupDetailList) != 1 || len(out.RoleDetailList) != 1 || len(out.Policies) != 2 {
		t.Fatalf("details: %d users %d groups %d roles %d policies", len(out.UserDetailList), len(out.GroupDetailList), len(out.RoleDetailList), len(out.Policies))
	}
	u := out.UserDetailList[0]
	if len(u.GroupList) != 1 || u.GroupList[0] != "g" || len(u.UserPolicyList) != 1 || decode(t, u.UserPolicyList[0].PolicyDocument) != allowAll {
		t.Fatalf("user detail %+v", u)
	}
	r := out.RoleDetailList[0]
	if len(r.AttachedManagedPolicies) != 1 || decode(t, r.AssumeRolePolicyDocument) != trustEC2 {
		t.Fatalf("role detail %+v", r)
	}
	for _, p := range out.Policies {
		if len(p.PolicyVersionList) != 1 || !strings.Contains(decode(t, p.PolicyVersionList[0].Document), "Statement") {
			t.Fatalf("policy detail %+v", p)
		}
	}
	only := must(e.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeAWSManagedPolicy}}))
	if len(only.Policies) != 1 || *only.Policies[0].PolicyName != "SecurityAudit" || len(only.UserDetailList) != 0 {
		t.Fatalf("AWS managed only: %+v", only.Policies)
	}
	page := must(e.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(2)}))
	if !page.IsTruncated || len(page.UserDetailList)+len(page.GroupDetailList) != 2 {
		t.Fatalf("first page %+v", page)
	}
	rest := must(e.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Marker: page.Marker}))
	if rest.IsTruncated || len(rest.RoleDetailList) != 1 || len(rest.Policies) != 2 {
		t.Fatalf("second page %+v", rest)
	}
}

const thumb = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"

func TestOIDCProviders(t *testing.T) {
	e := newEnv(t)
	out := must(e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.githubusercontent.com"),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{thumb}}))
	arn := "arn:aws:iam::" + account + ":oidc-provider/token.actions.githubusercontent.com"
	if *out.OpenIDConnectProviderArn != arn {
		t.Fatalf("arn %s", *out.OpenIDConnectProviderArn)
	}
	_, err := e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.githubusercontent.com"), ThumbprintList: []string{thumb}})
	wantErr(t, err, "EntityAlreadyExists", 409, "Provider with url https://token.actions.githubusercontent.com already exists.")
	_, err = e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("http://insecure.example.com"), ThumbprintList: []string{thumb}})
	wantErr(t, err, "ValidationError", 400, "")
	_, err = e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://x.example.com"), ThumbprintList: []string{thumb, thumb, thumb, thumb, thumb, thumb}})
	wantErr(t, err, "InvalidInput", 400, "Thumbprint list must contain fewer than 5 entries.")

	must(e.iam.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("app")}))
	must(e.iam.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("app")}))
	must(e.iam.RemoveClientIDFromOpenIDConnectProvider(ctx, &iam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("sts.amazonaws.com")}))
	must(e.iam.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: aws.String(arn), ThumbprintList: []string{strings.Repeat("a", 40)}}))
	got := must(e.iam.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}))
	if *got.Url != "token.actions.githubusercontent.com" || len(got.ClientIDList) != 1 || got.ClientIDList[0] != "app" || got.ThumbprintList[0] != strings.Repeat("a", 40) {
		t.Fatalf("provider %+v", got)
	}
	must(e.iam.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))
	if tags := must(e.iam.ListOpenIDConnectProviderTags(ctx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(arn)})).Tags; len(tags) != 1 {
		t.Fatalf("tags %+v", tags)
	}
	must(e.iam.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), TagKeys: []string{"k"}}))
	if l := must(e.iam.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})).OpenIDConnectProviderList; len(l) != 1 || *l[0].Arn != arn {
		t.Fatalf("list %+v", l)
	}
	must(e.iam.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}))
	_, err = e.iam.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	wantErr(t, err, "NoSuchEntity", 404, "OpenIDConnect Provider not found for arn "+arn)
}

const samlMetadata = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml" validUntil="2030-01-01T00:00:00Z">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`

func TestSAMLProviders(t *testing.T) {
	e := newEnv(t)
	for _, bad := range []string{"not xml at all, but long enough to pass the model's minimum length of one thousand characters " + strings.Repeat("x", 1000),
		`<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata"><SPSSODescriptor/></EntityDescriptor>` + strings.Repeat(" ", 1000)} {
		_, err := e.iam.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("bad"), SAMLMetadataDocument: aws.String(bad)})
		wantErr(t, err, "InvalidInput", 400, "Could not parse metadata")
	}
	doc := samlMetadata + strings.Repeat(" ", 1000)
	arn := *must(e.iam.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("Okta"), SAMLMetadataDocument: aws.String(doc)})).SAMLProviderArn
	if arn != "arn:aws:iam::"+account+":saml-provider/Okta" {
		t.Fatalf("arn %s", arn)
	}
	_, err := e.iam.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("okta"), SAMLMetadataDocument: aws.String(doc)})
	wantErr(t, err, "EntityAlreadyExists", 409, "")
	got := must(e.iam.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)}))
	if *got.SAMLMetadataDocument != doc || !got.ValidUntil.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) || len(*got.SAMLProviderUUID) != 36 {
		t.Fatalf("provider %+v", got)
	}
	must(e.iam.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), SAMLMetadataDocument: aws.String(strings.Replace(doc, "2030", "2031", 1))}))
	l := must(e.iam.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{})).SAMLProviderList
	if len(l) != 1 || l[0].ValidUntil.Year() != 2031 {
		t.Fatalf("list %+v", l)
	}
	must(e.iam.TagSAMLProvider(ctx, &iam.TagSAMLProviderInput{SAMLProviderArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))
	if tags := must(e.iam.ListSAMLProviderTags(ctx, &iam.ListSAMLProviderTagsInput{SAMLProviderArn: aws.String(arn)})).Tags; len(tags) != 1 {
		t.Fatalf("tags %+v", tags)
	}
	must(e.iam.UntagSAMLProvider(ctx, &iam.UntagSAMLProviderInput{SAMLProviderArn: aws.String(arn), TagKeys: []string{"k"}}))
	must(e.iam.DeleteSAMLProvider(ctx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(arn)}))
	_, err = e.iam.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	wantErr(t, err, "NoSuchEntity", 404, "Manifest not found for arn "+arn)
}

// TestSecurityTokenServicePreferences: SetSecurityTokenServicePreferences chooses the
// global endpoint's token version, which GetAccountSummary reports as 1 or 2 (IAM API
// Reference); v1Token is the default.
func TestSecurityTokenServicePreferences(t *testing.T) {
	e := newEnv(t)
	version := func() int32 {
		t.Helper()
		return must(e.iam.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).SummaryMap["GlobalEndpointTokenVersion"]
	}
	if v := version(); v != 1 {
		t.Fatalf("default GlobalEndpointTokenVersion %d", v)
	}
	must(e.iam.SetSecurityTokenServicePreferences(ctx, &iam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: types.GlobalEndpointTokenVersionV2Token}))
	if v := version(); v != 2 {
		t.Fatalf("after v2Token: %d", v)
	}
	must(e.iam.SetSecurityTokenServicePreferences(ctx, &iam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: types.GlobalEndpointTokenVersionV1Token}))
	if v := version(); v != 1 {
		t.Fatalf("after v1Token: %d", v)
	}
	_, err := e.iam.SetSecurityTokenServicePreferences(ctx, &iam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: "v3Token"})
	wantErr(t, err, "ValidationError", 400, "")
	u := rootAccessUser(e, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetAccountSummary","Resource":"*"}]}`)
	_, err = u.SetSecurityTokenServicePreferences(ctx, &iam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: types.GlobalEndpointTokenVersionV2Token})
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+account+":user/org-access/reader is not authorized to perform: iam:SetSecurityTokenServicePreferences on resource: * because no identity-based policy allows the iam:SetSecurityTokenServicePreferences action")
}

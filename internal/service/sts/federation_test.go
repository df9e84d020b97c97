package sts_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/palisade/palisade/internal/service/sts/ststest"
)

// anonSTS is an STS client whose signature nobody checks (the federation calls are
// unsigned).
func (e *env) anonSTS() *sts.Client {
	return sts.NewFromConfig(e.p.Config("AKIAANYTHING00000000", "anything-anything-anything-anything-0000", ""))
}

// AWS answers AssumeRoleWithWebIdentity with the IAM provider's ARN in Provider
// (recorded answers: spiffe/spiffe.io content/spire/try/spire+aws-oidc-federation.md,
// EKS IRSA and OpenShift write-ups), not the token's iss as the API Reference says.
func TestWebIdentityProviderIsTheProviderARN(t *testing.T) {
	e := newEnv(t)
	is := ststest.NewIssuer(t)
	prov := *must(e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(is.URL),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{is.Thumbprint()}})).OpenIDConnectProviderArn
	roleARN := e.role(e.iam, "irsa", doc(trust(`{"Federated":"`+prov+`"}`, "sts:AssumeRoleWithWebIdentity", "")), "")
	out := must(e.anonSTS().AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"),
		WebIdentityToken: aws.String(is.Token(t, is.Claims("sts.amazonaws.com", time.Now().Add(time.Hour)), nil, is.KID))}))
	if got := aws.ToString(out.Provider); got != prov || prov != "arn:aws:iam::"+account+":oidc-provider/"+is.URL[len("https://"):] {
		t.Fatalf("Provider %q, want %q", got, prov)
	}
}

// IAM User Guide, "Available keys for AWS web identity federation": for Google,
// accounts.google.com:aud is the token's azp when set (else its aud), and
// accounts.google.com:oaud is its aud.
func TestWebIdentityGoogleAudienceKeys(t *testing.T) {
	e := newEnv(t)
	is := ststest.NewIssuer(t)
	const google = "https://accounts.google.com"
	set, _ := json.Marshal(is.JWKS())
	e.admin("PUT", "/_palisade/sts/oidc-keys?issuer="+google, string(set), 200)
	prov := *must(e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(google),
		ClientIDList: []string{"web.apps.googleusercontent.com"}, ThumbprintList: []string{is.Thumbprint()}})).OpenIDConnectProviderArn
	fed := `{"Federated":"` + prov + `"}`
	hybrid := e.role(e.iam, "hybrid", doc(trust(fed, "sts:AssumeRoleWithWebIdentity",
		`{"StringEquals":{"accounts.google.com:aud":"android.apps.googleusercontent.com","accounts.google.com:oaud":"web.apps.googleusercontent.com"}}`)), "")
	plain := e.role(e.iam, "plain", doc(trust(fed, "sts:AssumeRoleWithWebIdentity",
		`{"StringEquals":{"accounts.google.com:aud":"web.apps.googleusercontent.com","accounts.google.com:oaud":"web.apps.googleusercontent.com"}}`)), "")
	claims := func(azp string) string {
		c := is.Claims("web.apps.googleusercontent.com", time.Now().Add(time.Hour))
		c["iss"] = google
		if azp != "" {
			c["azp"] = azp
		}
		return is.Token(t, c, nil, is.KID)
	}
	assume := func(role, tok string) error {
		_, err := e.anonSTS().AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(role), RoleSessionName: aws.String("g1"), WebIdentityToken: aws.String(tok)})
		return err
	}
	withAZP := claims("android.apps.googleusercontent.com")
	if err := assume(hybrid, withAZP); err != nil {
		t.Fatalf("hybrid app token: %v", err)
	}
	wantErr(t, assume(plain, withAZP), "AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	noAZP := claims("")
	if err := assume(plain, noAZP); err != nil {
		t.Fatalf("token without azp: %v", err)
	}
	wantErr(t, assume(hybrid, noAZP), "AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
}

// IAM User Guide, "Configure SAML assertions for the authentication response": the
// SessionDuration attribute can shorten an AssumeRoleWithSAML session, not extend it.
func TestSAMLSessionDurationAttribute(t *testing.T) {
	e := newEnv(t)
	p := ststest.NewIdP(t)
	prov := *must(e.iam.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("Corp"), SAMLMetadataDocument: aws.String(p.Metadata())})).SAMLProviderArn
	roleARN := e.role(e.iam, "sso", doc(trust(`{"Federated":"`+prov+`"}`, "sts:AssumeRoleWithSAML", "")), "")
	assume := func(duration string) time.Duration {
		t.Helper()
		a := ststest.Assertion{Roles: []string{roleARN + "," + prov}, Session: "alice"}
		if duration != "" {
			a.Attrs = map[string]string{"https://aws.amazon.com/SAML/Attributes/SessionDuration": duration}
		}
		start := time.Now()
		out := must(e.anonSTS().AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN), PrincipalArn: aws.String(prov),
			SAMLAssertion: aws.String(ststest.Base64(p.Response(t, a)))}))
		return out.Credentials.Expiration.Sub(start).Round(time.Minute)
	}
	if d := assume(""); d != time.Hour {
		t.Fatalf("default session %v, want 1h", d)
	}
	if d := assume("1800"); d != 30*time.Minute {
		t.Fatalf("SessionDuration 1800: session %v, want 30m", d)
	}
	if d := assume("43200"); d != time.Hour {
		t.Fatalf("SessionDuration 43200: session %v, want 1h (the attribute does not extend API sessions)", d)
	}
}

// IAM User Guide, "Configure SAML assertions for the authentication response",
// mapping tables: eduPerson/eduOrg OIDs and Active Directory claims become saml: keys.
func TestSAMLAttributeKeys(t *testing.T) {
	e := newEnv(t)
	p := ststest.NewIdP(t)
	prov := *must(e.iam.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("Corp"), SAMLMetadataDocument: aws.String(p.Metadata())})).SAMLProviderArn
	roleARN := e.role(e.iam, "sso", doc(trust(`{"Federated":"`+prov+`"}`, "sts:AssumeRoleWithSAML",
		`{"StringEquals":{"saml:mail":"alice@example.com","saml:edupersonorgdn":"o=Example","saml:eduorglegalname":"Example University"}}`)), "")
	assume := func(attrs map[string]string) error {
		_, err := e.anonSTS().AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN), PrincipalArn: aws.String(prov),
			SAMLAssertion: aws.String(ststest.Base64(p.Response(t, ststest.Assertion{Roles: []string{roleARN + "," + prov}, Session: "alice", Attrs: attrs})))})
		return err
	}
	attrs := map[string]string{
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": "alice@example.com",
		"urn:oid:1.3.6.1.4.1.5923.1.1.1.3":                                   "o=Example",
		"urn:oid:1.3.6.1.4.1.5923.1.2.1.4":                                   "Example University",
	}
	if err := assume(attrs); err != nil {
		t.Fatalf("mapped attributes: %v", err)
	}
	delete(attrs, "urn:oid:1.3.6.1.4.1.5923.1.2.1.4")
	wantErr(t, assume(attrs), "AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithSAML")
}

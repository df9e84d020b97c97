package sts_test

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// idp is a SAML identity provider: a key pair, its metadata and a way to sign
// responses.
type idp struct {
	entityID string
	ks       dsig.X509KeyStore
	cert     []byte
}

func newIdP(t *testing.T) *idp {
	ks := dsig.RandomKeyStoreForTest()
	_, cert, err := ks.GetKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	return &idp{entityID: "https://idp.example.com/saml", ks: ks, cert: cert}
}

func (p *idp) metadata() string {
	md := `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + p.entityID + `" validUntil="2040-01-01T00:00:00Z">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>` +
		base64.StdEncoding.EncodeToString(p.cert) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`
	return md + strings.Repeat(" ", max(0, 1000-len(md)))
}

type samlOpts struct {
	roles      []string
	session    string
	audience   string
	notOnAfter time.Time
	attrs      map[string]string
}

// response builds a SAML response whose assertion is signed by the IdP.
func (p *idp) response(t *testing.T, o samlOpts) string {
	t.Helper()
	now := time.Now().UTC()
	if o.notOnAfter.IsZero() {
		o.notOnAfter = now.Add(5 * time.Minute)
	}
	if o.audience == "" {
		o.audience = "urn:amazon:webservices"
	}
	attrs := ""
	add := func(name string, values ...string) {
		attrs += `<saml:Attribute Name="` + name + `">`
		for _, v := range values {
			attrs += `<saml:AttributeValue>` + v + `</saml:AttributeValue>`
		}
		attrs += `</saml:Attribute>`
	}
	add("https://aws.amazon.com/SAML/Attributes/Role", o.roles...)
	if o.session != "" {
		add("https://aws.amazon.com/SAML/Attributes/RoleSessionName", o.session)
	}
	for k, v := range o.attrs {
		add(k, v)
	}
	ts := func(t time.Time) string { return t.Format("2006-01-02T15:04:05Z") }
	assertion := `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1` + fmt.Sprint(now.UnixNano()) + `" Version="2.0" IssueInstant="` + ts(now) + `">` +
		`<saml:Issuer>` + p.entityID + `</saml:Issuer>` +
		`<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">alice@example.com</saml:NameID>` +
		`<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="` + ts(o.notOnAfter) +
		`" Recipient="https://signin.aws.amazon.com/saml"/></saml:SubjectConfirmation></saml:Subject>` +
		`<saml:Conditions NotBefore="` + ts(now.Add(-time.Minute)) + `" NotOnOrAfter="` + ts(o.notOnAfter) + `"><saml:AudienceRestriction><saml:Audience>` + o.audience +
		`</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
		`<saml:AuthnStatement AuthnInstant="` + ts(now) + `" SessionNotOnOrAfter="` + ts(now.Add(8*time.Hour)) + `"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
		`<saml:AttributeStatement>` + attrs + `</saml:AttributeStatement></saml:Assertion>`
	doc := etree.NewDocument()
	if err := doc.ReadFromString(assertion); err != nil {
		t.Fatal(err)
	}
	sc := dsig.NewDefaultSigningContext(p.ks)
	sc.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	signed, err := sc.SignEnveloped(doc.Root())
	if err != nil {
		t.Fatal(err)
	}
	resp := etree.NewDocument()
	r := resp.CreateElement("samlp:Response")
	r.CreateAttr("xmlns:samlp", "urn:oasis:names:tc:SAML:2.0:protocol")
	r.CreateAttr("ID", "_r1")
	r.CreateAttr("Version", "2.0")
	r.CreateAttr("IssueInstant", ts(now))
	r.CreateAttr("Destination", "https://signin.aws.amazon.com/saml")
	iss := r.CreateElement("saml:Issuer")
	iss.CreateAttr("xmlns:saml", "urn:oasis:names:tc:SAML:2.0:assertion")
	iss.SetText(p.entityID)
	r.CreateElement("samlp:Status").CreateElement("samlp:StatusCode").CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:Success")
	r.AddChild(signed)
	s, err := resp.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestAssumeRoleWithSAML(t *testing.T) {
	e := newEnv(t)
	p := newIdP(t)
	prov := *must(e.iam.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("Corp"), SAMLMetadataDocument: aws.String(p.metadata())})).SAMLProviderArn
	roleARN := e.role(e.iam, "sso", doc(trust(`{"Federated":"`+prov+`"}`, "sts:AssumeRoleWithSAML",
		`{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}`)), doc(allow("iam:ListUsers", "*")))
	pair := roleARN + "," + prov
	anon := sts.NewFromConfig(e.p.Config("AKIAANYTHING00000000", "anything-anything-anything-anything-0000", ""))
	assume := func(assertion string) (*sts.AssumeRoleWithSAMLOutput, error) {
		return anon.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN), PrincipalArn: aws.String(prov), SAMLAssertion: aws.String(b64(assertion))})
	}

	good := p.response(t, samlOpts{roles: []string{pair}, session: "alice"})
	out := must(assume(good))
	wantNQ := nameQualifier(p.entityID, account, "Corp")
	if *out.Subject != "alice@example.com" || *out.SubjectType != "persistent" || *out.Issuer != p.entityID ||
		*out.Audience != "https://signin.aws.amazon.com/saml" || *out.NameQualifier != wantNQ ||
		*out.AssumedRoleUser.Arn != "arn:aws:sts::"+account+":assumed-role/sso/alice" {
		t.Fatalf("response %+v %+v", out, out.AssumedRoleUser)
	}
	s := e.session(out.Credentials)
	must(s.iam.ListUsers(ctx, &iam.ListUsersInput{}))

	// An altered assertion: the signature no longer verifies.
	altered := strings.Replace(good, "alice@example.com", "mallory@example.com", 1)
	_, err := assume(altered)
	wantErr(t, err, "InvalidIdentityToken", 400, "Response signature invalid")
	// Signed by someone else.
	_, err = assume(newIdP(t).response(t, samlOpts{roles: []string{pair}, session: "alice"}))
	wantErr(t, err, "InvalidIdentityToken", 400, "Response signature invalid")
	// Not listing the role asked for.
	_, err = assume(p.response(t, samlOpts{roles: []string{"arn:aws:iam::" + account + ":role/other," + prov}, session: "alice"}))
	wantErr(t, err, "AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithSAML")
	// Without a session name.
	_, err = assume(p.response(t, samlOpts{roles: []string{pair}}))
	wantErr(t, err, "InvalidIdentityToken", 400, "RoleSessionName is required in AuthnResponse")
	// For another service provider: the claim is rejected.
	_, err = assume(p.response(t, samlOpts{roles: []string{pair}, session: "alice", audience: "https://app.example.com"}))
	wantErr(t, err, "IDPRejectedClaim", 403, "")
	// Expired, by Palisade's clock.
	late := p.response(t, samlOpts{roles: []string{pair}, session: "alice", notOnAfter: time.Now().Add(2 * time.Minute)})
	e.advance(3 * time.Minute)
	_, err = assume(late)
	wantErr(t, err, "ExpiredTokenException", 400, "")
	// An unknown provider.
	_, err = anon.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN), PrincipalArn: aws.String("arn:aws:iam::" + account + ":saml-provider/Nope"),
		SAMLAssertion: aws.String(b64(good))})
	wantErr(t, err, "InvalidIdentityToken", 400, "Specified provider doesn't exist")

	// saml: keys and session tags reach the trust policy and the session.
	tagged := e.role(e.iam, "tagged", doc(`{"Effect":"Allow","Principal":{"Federated":"`+prov+`"},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],`+
		`"Condition":{"StringEquals":{"saml:sub_type":"persistent","saml:namequalifier":"`+wantNQ+`"}}}`),
		doc(`{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/dept":"eng"}}}`))
	out = must(anon.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(tagged), PrincipalArn: aws.String(prov),
		SAMLAssertion: aws.String(b64(p.response(t, samlOpts{roles: []string{prov + "," + tagged}, session: "alice",
			attrs: map[string]string{"https://aws.amazon.com/SAML/Attributes/PrincipalTag:dept": "eng"}})))}))
	must(e.session(out.Credentials).iam.ListRoles(ctx, &iam.ListRolesInput{}))
}

// nameQualifier is AWS's documented formula, computed independently of the server.
func nameQualifier(issuer, account, provider string) string {
	return samlSHA1(issuer + account + "/" + provider)
}

func samlSHA1(s string) string {
	sum := sha1.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

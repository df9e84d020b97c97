package sts_test

import (
	"crypto/sha1"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/palisade/palisade/internal/service/sts/ststest"
)

func TestAssumeRoleWithSAML(t *testing.T) {
	e := newEnv(t)
	p := ststest.NewIdP(t)
	prov := *must(e.iam.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("Corp"), SAMLMetadataDocument: aws.String(p.Metadata())})).SAMLProviderArn
	roleARN := e.role(e.iam, "sso", doc(trust(`{"Federated":"`+prov+`"}`, "sts:AssumeRoleWithSAML",
		`{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}`)), doc(allow("iam:ListUsers", "*")))
	pair := roleARN + "," + prov
	anon := sts.NewFromConfig(e.p.Config("AKIAANYTHING00000000", "anything-anything-anything-anything-0000", ""))
	assume := func(assertion string) (*sts.AssumeRoleWithSAMLOutput, error) {
		return anon.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN), PrincipalArn: aws.String(prov), SAMLAssertion: aws.String(ststest.Base64(assertion))})
	}

	good := p.Response(t, ststest.Assertion{Roles: []string{pair}, Session: "alice"})
	out := must(assume(good))
	wantNQ := nameQualifier(p.EntityID, account, "Corp")
	if *out.Subject != "alice@example.com" || *out.SubjectType != "persistent" || *out.Issuer != p.EntityID ||
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
	_, err = assume(ststest.NewIdP(t).Response(t, ststest.Assertion{Roles: []string{pair}, Session: "alice"}))
	wantErr(t, err, "InvalidIdentityToken", 400, "Response signature invalid")
	// Not listing the role asked for.
	_, err = assume(p.Response(t, ststest.Assertion{Roles: []string{"arn:aws:iam::" + account + ":role/other," + prov}, Session: "alice"}))
	wantErr(t, err, "AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithSAML")
	// Without a session name.
	_, err = assume(p.Response(t, ststest.Assertion{Roles: []string{pair}}))
	wantErr(t, err, "InvalidIdentityToken", 400, "RoleSessionName is required in AuthnResponse")
	// For another service provider: the claim is rejected.
	_, err = assume(p.Response(t, ststest.Assertion{Roles: []string{pair}, Session: "alice", Audience: "https://app.example.com"}))
	wantErr(t, err, "IDPRejectedClaim", 403, "")
	// Expired, by Palisade's clock.
	late := p.Response(t, ststest.Assertion{Roles: []string{pair}, Session: "alice", NotOnOrAfter: time.Now().Add(2 * time.Minute)})
	e.advance(3 * time.Minute)
	_, err = assume(late)
	wantErr(t, err, "ExpiredTokenException", 400, "")
	// An unknown provider.
	_, err = anon.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN), PrincipalArn: aws.String("arn:aws:iam::" + account + ":saml-provider/Nope"),
		SAMLAssertion: aws.String(ststest.Base64(good))})
	wantErr(t, err, "InvalidIdentityToken", 400, "Specified provider doesn't exist")

	// saml: keys and session tags reach the trust policy and the session.
	tagged := e.role(e.iam, "tagged", doc(`{"Effect":"Allow","Principal":{"Federated":"`+prov+`"},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],`+
		`"Condition":{"StringEquals":{"saml:sub_type":"persistent","saml:namequalifier":"`+wantNQ+`"}}}`),
		doc(`{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/dept":"eng"}}}`))
	out = must(anon.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(tagged), PrincipalArn: aws.String(prov),
		SAMLAssertion: aws.String(ststest.Base64(p.Response(t, ststest.Assertion{Roles: []string{prov + "," + tagged}, Session: "alice",
			Attrs: map[string]string{"https://aws.amazon.com/SAML/Attributes/PrincipalTag:dept": "eng"}})))}))
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

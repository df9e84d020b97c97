package sts_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/palisade/palisade/internal/service/sts/ststest"
)

func TestAssumeRoleWithWebIdentity(t *testing.T) {
	e := newEnv(t)
	is := ststest.NewIssuer(t)
	prov := *must(e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(is.URL),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{is.Thumbprint()}})).OpenIDConnectProviderArn
	key := is.URL[len("https://"):]
	roleARN := e.role(e.iam, "ci", doc(trust(`{"Federated":"`+prov+`"}`, "sts:AssumeRoleWithWebIdentity",
		`{"StringEquals":{"`+key+`:aud":"sts.amazonaws.com"},"StringLike":{"`+key+`:sub":"repo:acme/*"}}`)), doc(allow("iam:ListUsers", "*")))
	anon := sts.NewFromConfig(e.p.Config("AKIAANYTHING00000000", "anything-anything-anything-anything-0000", ""))
	assume := func(tok string) (*sts.AssumeRoleWithWebIdentityOutput, error) {
		return anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("gha"), WebIdentityToken: aws.String(tok)})
	}
	future := time.Now().Add(time.Hour)

	out := must(assume(is.Token(t, is.Claims("sts.amazonaws.com", future), nil, is.KID)))
	if *out.SubjectFromWebIdentityToken != "repo:acme/app:ref:refs/heads/main" || *out.Audience != "sts.amazonaws.com" || *out.Provider != prov ||
		*out.AssumedRoleUser.Arn != "arn:aws:sts::"+account+":assumed-role/ci/gha" {
		t.Fatalf("response %+v %+v", out, out.AssumedRoleUser)
	}
	s := e.session(out.Credentials)
	if id := must(s.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})); *id.Arn != "arn:aws:sts::"+account+":assumed-role/ci/gha" {
		t.Fatalf("caller %s", *id.Arn)
	}
	must(s.iam.ListUsers(ctx, &iam.ListUsersInput{}))
	if n := is.Fetches.Load(); n != 1 {
		t.Fatalf("key set fetched %d times, want 1 (then cached)", n)
	}

	// Signed by another key under the same key ID: the signature does not verify.
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, err := assume(is.Token(t, is.Claims("sts.amazonaws.com", future), other, is.KID))
	wantErr(t, err, "InvalidIdentityToken", 400, "The signature of the web identity token could not be verified with the keys of its issuer")
	// Under a key ID the issuer does not publish: no verification key.
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, err = assume(is.Token(t, is.Claims("sts.amazonaws.com", future), ec, "k2"))
	wantErr(t, err, "InvalidIdentityToken", 400, "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements")
	// Another audience.
	_, err = assume(is.Token(t, is.Claims("something-else", future), nil, is.KID))
	wantErr(t, err, "InvalidIdentityToken", 400, "Incorrect token audience")
	// Expired, by Palisade's clock.
	expired := time.Now().Add(-time.Minute)
	_, err = assume(is.Token(t, is.Claims("sts.amazonaws.com", expired), nil, is.KID))
	wantErr(t, err, "ExpiredTokenException", 400, "")
	valid := is.Token(t, is.Claims("sts.amazonaws.com", time.Now().Add(10*time.Minute)), nil, is.KID)
	must(assume(valid))
	e.advance(11 * time.Minute)
	_, err = assume(valid)
	wantErr(t, err, "ExpiredTokenException", 400, "")
	// Not valid yet: the identity provider's claim is rejected.
	early := is.Claims("sts.amazonaws.com", time.Now().Add(3*time.Hour))
	early["nbf"] = time.Now().Add(2 * time.Hour).Unix()
	_, err = assume(is.Token(t, early, nil, is.KID))
	wantErr(t, err, "IDPRejectedClaim", 403, "The web identity token is not valid yet: its nbf or iat claim is in the future")
	// Another issuer (no provider for it in the account).
	foreign := is.Claims("sts.amazonaws.com", time.Now().Add(time.Hour))
	foreign["iss"] = "https://elsewhere.example.com"
	_, err = assume(is.Token(t, foreign, nil, is.KID))
	wantErr(t, err, "InvalidIdentityToken", 400, "No OpenIDConnect provider found in your account for https://elsewhere.example.com")
	// Not a JWT.
	_, err = assume("not-a-jwt")
	wantErr(t, err, "InvalidIdentityToken", 400, "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
	// A subject the trust policy does not accept.
	wrongSub := is.Claims("sts.amazonaws.com", time.Now().Add(time.Hour))
	wrongSub["sub"] = "repo:evil/app:ref:refs/heads/main"
	_, err = assume(is.Token(t, wrongSub, nil, is.KID))
	wantErr(t, err, "AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
}

func TestWebIdentityKeysOfflineAndTrust(t *testing.T) {
	e := newEnv(t)
	is := ststest.NewIssuer(t)
	// The provider lists no thumbprint of the issuer's self-signed certificate: the
	// keys cannot be fetched.
	prov := *must(e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(is.URL),
		ClientIDList: []string{"app"}, ThumbprintList: []string{"0000000000000000000000000000000000000000"}})).OpenIDConnectProviderArn
	roleARN := e.role(e.iam, "web", doc(trust(`{"Federated":"`+prov+`"}`, "sts:AssumeRoleWithWebIdentity", "")), "")
	anon := sts.NewFromConfig(e.p.Config("AKIAANYTHING00000000", "anything-anything-anything-anything-0000", ""))
	tok := is.Token(t, is.Claims("app", time.Now().Add(time.Hour)), nil, is.KID)
	in := &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("w1"), WebIdentityToken: aws.String(tok)}
	_, err := anon.AssumeRoleWithWebIdentity(ctx, in)
	wantErr(t, err, "InvalidIdentityToken", 400, "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements")
	if is.Fetches.Load() != 0 {
		t.Fatal("keys fetched from an untrusted server")
	}

	// A JWKS given through the admin API is used instead of fetching.
	set, _ := json.Marshal(is.JWKS())
	e.admin("PUT", "/_palisade/sts/oidc-keys?issuer="+is.URL, "not json", 400)
	e.admin("PUT", "/_palisade/sts/oidc-keys?issuer="+is.URL, string(set), 200)
	if got := e.admin("GET", "/_palisade/sts/oidc-keys", "", 200); got != `{"issuers":["`+is.URL+`"]}`+"\n" {
		t.Fatalf("issuers %s", got)
	}
	out := must(anon.AssumeRoleWithWebIdentity(ctx, in))
	if is.Fetches.Load() != 0 {
		t.Fatal("keys fetched though given")
	}
	// Back to fetching once removed.
	e.admin("DELETE", "/_palisade/sts/oidc-keys?issuer="+is.URL, "", 200)
	_, err = anon.AssumeRoleWithWebIdentity(ctx, in)
	wantErr(t, err, "InvalidIdentityToken", 400, "")

	// The role session's CloudTrail identity and trust: a trust policy naming another
	// provider does not let these tokens in.
	if *out.AssumedRoleUser.Arn != "arn:aws:sts::"+account+":assumed-role/web/w1" {
		t.Fatalf("session %s", *out.AssumedRoleUser.Arn)
	}
	e.admin("PUT", "/_palisade/sts/oidc-keys?issuer="+is.URL, string(set), 200)
	strict := e.role(e.iam, "strict", doc(trust(`{"Federated":"arn:aws:iam::`+account+`:oidc-provider/other.example.com"}`, "sts:AssumeRoleWithWebIdentity", "")), "")
	in.RoleArn = aws.String(strict)
	_, err = anon.AssumeRoleWithWebIdentity(ctx, in)
	wantErr(t, err, "AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
}

func TestWebIdentitySessionTags(t *testing.T) {
	e := newEnv(t)
	is := ststest.NewIssuer(t)
	prov := *must(e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(is.URL),
		ClientIDList: []string{"app"}, ThumbprintList: []string{is.Thumbprint()}})).OpenIDConnectProviderArn
	roleARN := e.role(e.iam, "tagged", doc(`{"Effect":"Allow","Principal":{"Federated":"`+prov+`"},"Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession"]}`),
		doc(`{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"red","aws:FederatedProvider":"`+prov+`"}}}`))
	claims := is.Claims("app", time.Now().Add(time.Hour))
	claims["https://aws.amazon.com/tags"] = map[string]any{"principal_tags": map[string][]string{"team": {"red"}}, "transitive_tag_keys": []string{"team"}}
	anon := sts.NewFromConfig(e.p.Config("AKIAANYTHING00000000", "anything-anything-anything-anything-0000", ""))
	out := must(anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("t1"),
		WebIdentityToken: aws.String(is.Token(t, claims, nil, is.KID))}))
	must(e.session(out.Credentials).iam.ListUsers(ctx, &iam.ListUsersInput{}))
	// Without the tag the condition fails.
	out = must(anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("t2"),
		WebIdentityToken: aws.String(is.Token(t, is.Claims("app", time.Now().Add(time.Hour)), nil, is.KID))}))
	_, err := e.session(out.Credentials).iam.ListUsers(ctx, &iam.ListUsersInput{})
	wantErr(t, err, "AccessDenied", 403, "")
}

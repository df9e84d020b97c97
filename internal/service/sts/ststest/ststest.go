// Package ststest holds the outside parties of STS federation for tests: an OpenID
// Connect issuer on loopback (TLS with a self-signed certificate, discovery document,
// JWKS) that signs web identity tokens, and a SAML identity provider that signs
// assertions. Both are real: the server under test fetches the issuer's keys over
// HTTPS and checks XML signatures against the provider's metadata.
package ststest

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	dsig "github.com/russellhaering/goxmldsig"
)

// Issuer is an OpenID Connect issuer on loopback.
type Issuer struct {
	srv *httptest.Server
	// URL is the issuer (https://127.0.0.1:PORT), the iss claim of its tokens.
	URL string
	Key *rsa.PrivateKey
	KID string
	// Fetches counts requests for the key set.
	Fetches atomic.Int32
}

// NewIssuer starts an issuer with a fresh RSA key, stopped when the test ends.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is := &Issuer{Key: key, KID: "k1"}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": is.URL, "jwks_uri": is.URL + "/keys"})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		is.Fetches.Add(1)
		json.NewEncoder(w).Encode(is.JWKS())
	})
	is.srv = httptest.NewTLSServer(mux)
	is.URL = is.srv.URL
	t.Cleanup(is.srv.Close)
	return is
}

// JWKS is the issuer's public key set.
func (is *Issuer) JWKS() jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &is.Key.PublicKey, KeyID: is.KID, Algorithm: "RS256", Use: "sig"}}}
}

// Thumbprint is the SHA-1 thumbprint of the issuer's certificate, for the IAM
// provider's ThumbprintList.
func (is *Issuer) Thumbprint() string {
	sum := sha1.Sum(is.srv.Certificate().Raw)
	return hex.EncodeToString(sum[:])
}

// Claims are the usual claims of a token for an audience, valid until exp.
func (is *Issuer) Claims(aud string, exp time.Time) map[string]any {
	return map[string]any{"iss": is.URL, "sub": "repo:acme/app:ref:refs/heads/main", "aud": aud, "exp": exp.Unix(), "iat": time.Now().Unix()}
}

// Token signs claims with key (the issuer's when nil: RSA or ECDSA) under key ID kid.
func (is *Issuer) Token(t testing.TB, claims map[string]any, key any, kid string) string {
	t.Helper()
	if key == nil {
		key = is.Key
	}
	alg := jose.RS256
	if _, ok := key.(*ecdsa.PrivateKey); ok {
		alg = jose.ES256
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(sig).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// IdP is a SAML identity provider: a key pair and its metadata.
type IdP struct {
	EntityID string
	ks       dsig.X509KeyStore
	cert     []byte
}

// NewIdP makes a provider with a fresh key and self-signed certificate.
func NewIdP(t testing.TB) *IdP {
	ks := dsig.RandomKeyStoreForTest()
	_, cert, err := ks.GetKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	return &IdP{EntityID: "https://idp.example.com/saml", ks: ks, cert: cert}
}

// Metadata is the provider's SAML metadata (padded to IAM's 1,000-character minimum).
func (p *IdP) Metadata() string {
	md := `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + p.EntityID + `" validUntil="2040-01-01T00:00:00Z">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>` +
		base64.StdEncoding.EncodeToString(p.cert) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`
	return md + strings.Repeat(" ", max(0, 1000-len(md)))
}

// Assertion says what a SAML response asserts.
type Assertion struct {
	// Roles are the values of the Role attribute: "role-arn,provider-arn".
	Roles []string
	// Session is the RoleSessionName attribute ("" leaves it out).
	Session string
	// Audience defaults to urn:amazon:webservices.
	Audience string
	// NotOnOrAfter defaults to five minutes from now.
	NotOnOrAfter time.Time
	// Attrs are further attributes, by name.
	Attrs map[string]string
}

// Response builds a SAML response whose assertion the provider signs, as XML.
func (p *IdP) Response(t testing.TB, a Assertion) string {
	t.Helper()
	now := time.Now().UTC()
	if a.NotOnOrAfter.IsZero() {
		a.NotOnOrAfter = now.Add(5 * time.Minute)
	}
	if a.Audience == "" {
		a.Audience = "urn:amazon:webservices"
	}
	attrs := ""
	add := func(name string, values ...string) {
		attrs += `<saml:Attribute Name="` + name + `">`
		for _, v := range values {
			attrs += `<saml:AttributeValue>` + v + `</saml:AttributeValue>`
		}
		attrs += `</saml:Attribute>`
	}
	add("https://aws.amazon.com/SAML/Attributes/Role", a.Roles...)
	if a.Session != "" {
		add("https://aws.amazon.com/SAML/Attributes/RoleSessionName", a.Session)
	}
	for k, v := range a.Attrs {
		add(k, v)
	}
	ts := func(t time.Time) string { return t.Format("2006-01-02T15:04:05Z") }
	assertion := `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a` + fmt.Sprint(now.UnixNano()) + `" Version="2.0" IssueInstant="` + ts(now) + `">` +
		`<saml:Issuer>` + p.EntityID + `</saml:Issuer>` +
		`<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">alice@example.com</saml:NameID>` +
		`<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="` + ts(a.NotOnOrAfter) +
		`" Recipient="https://signin.aws.amazon.com/saml"/></saml:SubjectConfirmation></saml:Subject>` +
		`<saml:Conditions NotBefore="` + ts(now.Add(-time.Minute)) + `" NotOnOrAfter="` + ts(a.NotOnOrAfter) + `"><saml:AudienceRestriction><saml:Audience>` + a.Audience +
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
	iss.SetText(p.EntityID)
	r.CreateElement("samlp:Status").CreateElement("samlp:StatusCode").CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:Success")
	r.AddChild(signed)
	s, err := resp.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Base64 encodes a response as AssumeRoleWithSAML takes it.
func Base64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

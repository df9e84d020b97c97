package sts

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	api "github.com/palisade/palisade/internal/api/sts"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/server"
)

// Messages of AssumeRoleWithWebIdentity. Those AWS is known to send are quoted; the
// others (a bad signature, a token used before its time) are inferred, in its style.
const (
	msgNotJWT     = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
	msgNoProvider = "No OpenIDConnect provider found in your account for "
	msgAudience   = "Incorrect token audience"
	msgNoKey      = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"
	msgSignature  = "The signature of the web identity token could not be verified with the keys of its issuer" // inferred
	msgNotYet     = "The web identity token is not valid yet: its nbf or iat claim is in the future"            // inferred
	msgNotAuthWeb = "Not authorized to perform sts:AssumeRoleWithWebIdentity"
)

// webSkew is how far in the future a token's iat or nbf may be (the issuer's clock
// may run ahead).
const webSkew = 5 * time.Minute

// signingAlgorithms are those a web identity token may be signed with.
var signingAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512, jose.ES256, jose.ES384, jose.ES512}

type webClaims struct {
	Issuer    string           `json:"iss"`
	Subject   string           `json:"sub"`
	Audience  jwt.Audience     `json:"aud"`
	Expiry    *jwt.NumericDate `json:"exp"`
	NotBefore *jwt.NumericDate `json:"nbf"`
	IssuedAt  *jwt.NumericDate `json:"iat"`
	AuthParty string           `json:"azp"`
	AMR       any              `json:"amr"`
	// Session tags (IAM User Guide, "Passing session tags using
	// AssumeRoleWithWebIdentity").
	Tags *struct {
		PrincipalTags     map[string][]string `json:"principal_tags"`
		TransitiveTagKeys []string            `json:"transitive_tag_keys"`
	} `json:"https://aws.amazon.com/tags"`
	SourceIdentity string `json:"https://aws.amazon.com/source_identity"`
}

func invalidToken(msg string) error { return api.NewInvalidIdentityTokenException(msg) }

// verifyWebToken checks a web identity token against the role account's IAM OIDC
// provider: issuer, audience (one of the provider's client IDs), signature with the
// issuer's keys, and validity period by Palisade's clock.
func (s *svc) verifyWebToken(c *server.Call, account, token string) (*webClaims, *OIDCProvider, error) {
	tok, err := jwt.ParseSigned(token, signingAlgorithms)
	if err != nil {
		return nil, nil, invalidToken(msgNotJWT)
	}
	var cl webClaims
	if err := tok.UnsafeClaimsWithoutVerification(&cl); err != nil {
		return nil, nil, invalidToken(msgNotJWT)
	}
	for _, req := range []struct{ name, v string }{{"iss", cl.Issuer}, {"sub", cl.Subject}} {
		if req.v == "" {
			return nil, nil, invalidToken("Missing a required claim: " + req.name)
		}
	}
	if len(cl.Audience) == 0 {
		return nil, nil, invalidToken("Missing a required claim: aud")
	}
	prov, err := s.Directory.OIDCProvider(c.Tx, account, cl.Issuer)
	if err != nil {
		return nil, nil, err
	}
	if prov == nil {
		return nil, nil, invalidToken(msgNoProvider + cl.Issuer)
	}
	if audience(&cl, prov) == "" {
		return nil, nil, invalidToken(msgAudience)
	}
	kid := ""
	if len(tok.Headers) > 0 {
		kid = tok.Headers[0].KeyID
	}
	set, given, err := s.keySet(c, c.Tx, cl.Issuer, prov.Thumbprints, false)
	if err == nil && !given && kid != "" && len(set.Key(kid)) == 0 {
		set, _, err = s.keySet(c, c.Tx, cl.Issuer, prov.Thumbprints, true)
	}
	if errors.Is(err, errKeys) {
		return nil, nil, invalidToken(msgNoKey)
	}
	if err != nil {
		return nil, nil, err
	}
	candidates := set.Keys
	if kid != "" {
		candidates = set.Key(kid)
		if len(candidates) == 0 {
			return nil, nil, invalidToken(msgNoKey)
		}
	}
	verified := false
	for _, k := range candidates {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		if err := tok.Claims(k.Key, &cl); err == nil {
			verified = true
			break
		}
	}
	if !verified {
		return nil, nil, invalidToken(msgSignature)
	}
	now := c.Now
	if cl.Expiry == nil {
		return nil, nil, invalidToken("Missing a required claim: exp")
	}
	if exp := cl.Expiry.Time(); !now.Before(exp) {
		return nil, nil, api.NewExpiredTokenException(fmt.Sprintf("Token expired: current date/time %d must be before the expiration date/time %d", now.Unix(), exp.Unix()))
	}
	for _, t := range []*jwt.NumericDate{cl.NotBefore, cl.IssuedAt} {
		if t != nil && t.Time().After(now.Add(webSkew)) {
			return nil, nil, api.NewIDPRejectedClaimException(msgNotYet)
		}
	}
	return &cl, prov, nil
}

// audience is the token audience the provider accepts: one of its client IDs.
func audience(cl *webClaims, prov *OIDCProvider) string {
	for _, a := range cl.Audience {
		for _, id := range prov.ClientIDs {
			if a == id {
				return a
			}
		}
	}
	return ""
}

// googleKey is the condition-key prefix of Google's issuer, whose aud and azp keys
// AWS maps its own way.
const googleKey = "accounts.google.com"

// providerKey is the prefix of a provider's condition keys: its URL without the
// scheme (token.actions.githubusercontent.com:sub, accounts.google.com:aud).
func providerKey(prov *OIDCProvider) string { return strings.TrimPrefix(prov.URL, "https://") }

func (s *svc) assumeRoleWithWebIdentity(c *server.Call, in *api.AssumeRoleWithWebIdentityRequest) (*api.AssumeRoleWithWebIdentityResponse, error) {
	ref, err := parseRoleARN(in.RoleArn)
	if err != nil {
		return nil, err
	}
	c.Account = ref.account
	if err := s.regionDisabled(c, ref.account); err != nil {
		return nil, err
	}
	cl, prov, err := s.verifyWebToken(c, ref.account, in.WebIdentityToken)
	if err != nil {
		return nil, err
	}
	aud := audience(cl, prov)
	key := providerKey(prov)
	c.Principal = auth.Principal{Type: auth.WebIdentityUser, ARN: prov.ARN, UserID: key + ":" + aud + ":" + cl.Subject, UserName: cl.Subject}

	rq := &request{ref: ref, sessionName: in.RoleSessionName, sourceIdentity: cl.SourceIdentity}
	if rq.role, err = s.role(c, ref); err != nil {
		return nil, err
	}
	if cl.Tags != nil {
		var tags []api.Tag
		for k, vs := range cl.Tags.PrincipalTags {
			if len(vs) > 0 {
				tags = append(tags, api.Tag{Key: k, Value: vs[0]})
			}
		}
		if rq.tags, rq.transitive, err = sessionTags(sortTags(tags), cl.Tags.TransitiveTagKeys); err != nil {
			return nil, err
		}
	}
	if rq.policy, rq.policyARNs, err = s.sessionPolicies(c, ref.account, in.Policy, in.PolicyArns); err != nil {
		return nil, err
	}
	ctx := map[string][]string{
		key + ":aud": {aud}, key + ":sub": {cl.Subject}, "sts:RoleSessionName": {in.RoleSessionName},
		"aws:FederatedProvider": {prov.ARN},
	}
	if cl.AuthParty != "" {
		ctx[key+":azp"] = []string{cl.AuthParty}
	}
	if amr := stringList(cl.AMR); len(amr) > 0 {
		ctx[key+":amr"] = amr
	}
	if key == googleKey {
		// Google's keys (IAM User Guide, "Available keys for AWS web identity
		// federation"): accounts.google.com:aud is the token's azp when it has one (a
		// hybrid app), and accounts.google.com:oaud is always its aud.
		ctx[key+":oaud"] = []string{aud}
		if cl.AuthParty != "" {
			ctx[key+":aud"] = []string{cl.AuthParty}
		}
	}
	if rq.sourceIdentity != "" {
		ctx["sts:SourceIdentity"] = []string{rq.sourceIdentity}
	}
	tagContext(ctx, rq.tags, rq.transitive)
	if err := s.authorize(c, "sts:AssumeRoleWithWebIdentity", rq, ctx); err != nil {
		if denied(err) {
			return nil, accessDenied(msgNotAuthWeb)
		}
		return nil, err
	}
	d, err := duration(in.DurationSeconds, 3600, rq.role.MaxSession, msgMaxSession)
	if err != nil {
		return nil, err
	}
	sess := &auth.Session{Op: "AssumeRoleWithWebIdentity", FederatedProvider: prov.ARN}
	creds, user, packed, err := s.issueRoleSession(c, rq, sess, d)
	if err != nil {
		return nil, err
	}
	// Provider: the API Reference says the token's iss, but every AWS answer users
	// recorded (EKS, SPIRE, OpenShift, 2019-2025) carries the IAM provider's ARN.
	out := &api.AssumeRoleWithWebIdentityResponse{
		Credentials: creds, AssumedRoleUser: user, PackedPolicySize: packed,
		SubjectFromWebIdentityToken: &cl.Subject, Provider: &prov.ARN, Audience: &aud,
	}
	if rq.sourceIdentity != "" {
		out.SourceIdentity = &rq.sourceIdentity
	}
	return out, nil
}

// stringList reads a claim that is a string or a list of strings.
func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

package sts

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	api "github.com/palisade/palisade/internal/api/sts"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/authz"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// OutboundIssuer is an account's outbound identity federation as IAM holds it
// (EnableOutboundWebIdentityFederation): whether it is on, where its issuer lives
// under the endpoint, and its signing keys.
type OutboundIssuer struct {
	Enabled bool
	// Path is the issuer's path under the endpoint (/_palisade/iam/outbound/<id>).
	Path string
	RSA  *rsa.PrivateKey
	EC   *ecdsa.PrivateKey
	// KeyIDRSA and KeyIDEC name the keys in the issuer's JWKS.
	KeyIDRSA, KeyIDEC string
}

// Outbound reads IAM's outbound federation and the tags of IAM users and roles, in
// the call's transaction.
type Outbound interface {
	// Issuer returns nil when the account never enabled outbound federation.
	Issuer(tx *store.Tx, account string) (*OutboundIssuer, error)
	// PrincipalTags are the tags of the user or role an ARN names.
	PrincipalTags(tx *store.Tx, account, arn string) (map[string]string, error)
}

// Recorded, 2026: outbound_identity.json.
const (
	msgUnsupportedAlgorithm = "Requested SigningAlgorithm is not supported. See the GetWebIdentityToken documentation for supported algorithms"
	msgOutboundDisabled     = "OutboundWebIdentityFederation is disabled."
	msgTokenEscalation      = "Requested token expiry time must be before the original session's expiry time."
	msgFederatedOutbound    = "GetWebIdentityToken does not support federated user sessions"
	msgPayloadTooLarge      = "JWT payload exceeds maximum allowed size"
)

// defaultTokenSeconds is a token's lifetime when DurationSeconds is absent: a policy
// requiring sts:DurationSeconds 300 allows a request without it (recorded, 2026:
// outbound_identity.json, condition_token), as the API reference documents.
const defaultTokenSeconds = 300

// maxPayload is the largest JWT payload (JSON bytes) STS signs. Inferred: AWS signed a
// 14,984-byte payload and refused one of about 30,000 bytes with
// JWTPayloadSizeExceededException (recorded, 2026: outbound_issuance.json,
// max_payload); the exact limit is not documented.
const maxPayload = 15000

// getWebIdentityToken signs a JWT for the caller. Its order of answers is AWS's
// (recorded, 2026: outbound_identity.json): input errors, then federated users,
// then authorization, then a token outliving the caller's session, then the account's
// feature switch — a caller denied the action learns nothing of the switch.
func (s *svc) getWebIdentityToken(c *server.Call, in *api.GetWebIdentityTokenRequest) (*api.GetWebIdentityTokenResponse, error) {
	var key any
	var keyID string
	if err := audienceError(in.Audience); err != nil {
		return nil, err
	}
	switch in.SigningAlgorithm {
	case "RS256", "ES384":
	default:
		return nil, errValidation(msgUnsupportedAlgorithm)
	}
	tags, _, err := sessionTags(in.Tags, nil)
	if err != nil {
		return nil, err
	}
	p := c.Principal
	if p.Session != nil && p.Session.Op == "GetFederationToken" {
		return nil, accessDenied(msgFederatedOutbound)
	}
	secs := int32(defaultTokenSeconds)
	if in.DurationSeconds != nil {
		secs = *in.DurationSeconds
	}
	self := "arn:aws:sts::" + c.Account + ":self"
	ctx := map[string][]string{
		"sts:IdentityTokenAudience": in.Audience,
		"sts:SigningAlgorithm":      {in.SigningAlgorithm},
		"sts:DurationSeconds":       {strconv.Itoa(int(secs))},
	}
	tagContext(ctx, tags, nil)
	if err := c.Authorize(authz.Check{Action: "sts:GetWebIdentityToken", Resource: self, Context: ctx}); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		tctx := map[string][]string{}
		tagContext(tctx, tags, nil)
		if err := c.Authorize(authz.Check{Action: "sts:TagGetWebIdentityToken", Resource: self, Context: tctx}); err != nil {
			return nil, err
		}
	}
	now := c.Now.UTC()
	expires := now.Add(time.Duration(secs) * time.Second)
	if p.Session != nil && expires.After(p.Session.Expires) {
		return nil, api.NewSessionDurationEscalationException(msgTokenEscalation)
	}
	var iss *OutboundIssuer
	if s.Outbound != nil {
		if iss, err = s.Outbound.Issuer(c.Tx, c.Account); err != nil {
			return nil, err
		}
	}
	if iss == nil || !iss.Enabled {
		return nil, api.NewOutboundWebIdentityFederationDisabledException(msgOutboundDisabled)
	}
	payload, err := s.tokenClaims(c, iss, in, tags, now, expires)
	if err != nil {
		return nil, err
	}
	if len(payload) > maxPayload {
		return nil, api.NewJWTPayloadSizeExceededException(msgPayloadTooLarge)
	}
	alg := jose.RS256
	key, keyID = iss.RSA, iss.KeyIDRSA
	if in.SigningAlgorithm == "ES384" {
		alg = jose.ES384
		key, keyID = iss.EC, iss.KeyIDEC
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: keyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return nil, err
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		return nil, err
	}
	return &api.GetWebIdentityTokenResponse{WebIdentityToken: &tok, Expiration: &expires}, nil
}

// tokenClaims builds the JWT's payload as AWS fills it (recorded, 2026:
// outbound_issuance.json; IAM User Guide, "Understanding token claims"): the standard
// claims, and AWS's under "https://sts.amazonaws.com/". The subject is the IAM
// identity behind the caller: a role session's role, a GetSessionToken session's user.
func (s *svc) tokenClaims(c *server.Call, iss *OutboundIssuer, in *api.GetWebIdentityTokenRequest, tags []auth.Tag, now, expires time.Time) ([]byte, error) {
	p := c.Principal
	sub := p.ARN
	if p.Session != nil && p.Session.IssuerARN != "" {
		sub = p.Session.IssuerARN
	}
	scheme := "http"
	if c.Secure {
		scheme = "https"
	}
	aws := map[string]any{
		"aws_account":   c.Account,
		"source_region": c.Region,
		"principal_id":  sub,
	}
	if s.Orgs != nil {
		org, ok, err := s.Orgs.RootOrg(c.Tx, c.Account)
		if err != nil {
			return nil, err
		}
		if ok {
			// ou_path is a list of one path (recorded, 2026: outbound_issuance.json;
			// the claims guide's sample shows a bare string).
			aws["org_id"], aws["ou_path"] = org.ID, []string{org.Path}
		}
	}
	ptags, err := s.Outbound.PrincipalTags(c.Tx, c.Account, sub)
	if err != nil {
		return nil, err
	}
	if p.Session != nil {
		// Session tags replace the identity's tags of the same key, in any case
		// (recorded: a role's "Team" gave way to the session's "team").
		for _, t := range p.Session.Tags {
			for k := range ptags {
				if strings.EqualFold(k, t.Key) {
					delete(ptags, k)
				}
			}
			if ptags == nil {
				ptags = map[string]string{}
			}
			ptags[t.Key] = t.Value
		}
		aws["original_session_exp"] = p.Session.Expires.UTC().Format("2006-01-02T15:04:05Z")
	}
	if len(ptags) > 0 {
		aws["principal_tags"] = ptags
	}
	if len(tags) > 0 {
		rt := make(map[string]string, len(tags))
		for _, t := range tags {
			rt[t.Key] = t.Value
		}
		aws["request_tags"] = rt
	}
	claims := map[string]any{
		"iss":                        scheme + "://" + c.Host + iss.Path,
		"sub":                        sub,
		"iat":                        now.Unix(),
		"exp":                        expires.Unix(),
		"jti":                        auth.NewUUID(),
		"https://sts.amazonaws.com/": aws,
	}
	// One audience is a string, several an array, duplicates kept (recorded:
	// user_rs256, multiple_audience, duplicate_audience).
	if len(in.Audience) == 1 {
		claims["aud"] = in.Audience[0]
	} else {
		claims["aud"] = in.Audience
	}
	return json.Marshal(claims)
}

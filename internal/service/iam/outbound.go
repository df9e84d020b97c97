package iam

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-jose/go-jose/v4"

	api "github.com/palisade/palisade/internal/api/iam"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// Outbound identity federation: the account's issuer of the JWTs STS's
// GetWebIdentityToken signs for its principals. Enabling it the first time gives the
// account an issuer ID and its two signing keys (RSA 2048 for RS256, P-384 for
// ES384), sealed under the master key; disabling keeps both, so the issuer and the
// key set are the same after a re-enable (recorded, 2026: outbound_lifecycle.json,
// issuer_stable, keys_stable_while_disabled, keys_stable_after_reenable).
//
// The issuer is Palisade's endpoint as the caller addressed it, followed by
// OutboundPrefix and the issuer ID; its OIDC discovery document and JWKS are served
// there without authentication (OutboundRoutes), as AWS serves them publicly at
// https://<id>.tokens.sts.global.api.aws: they hold public keys only, which a relying
// party must fetch anonymously to verify a token.

// OutboundPrefix is where issuers live under the endpoint.
const OutboundPrefix = "/_palisade/iam/outbound/"

// outboundKey holds the account's outboundRec in its tAccount namespace.
const outboundKey = "outbound-federation"

// outboundIssuersNS maps issuer IDs to their accounts, for the public documents.
var outboundIssuersNS = store.NS("iam", "", "", "outbound-issuers")

type outboundRec struct {
	Enabled  bool   `json:"enabled"`
	IssuerID string `json:"issuer"`
	// RSA and EC are the PKCS#8 private keys, sealed.
	RSA []byte `json:"rsa"`
	EC  []byte `json:"ec"`
}

// The key IDs AWS gives its first key of each kind (recorded, 2026:
// outbound_issuance.json, jwks.json).
const (
	KeyIDRSA = "RSA_0"
	KeyIDEC  = "EC384_0"
)

func outboundSealContext(account, kind string) string {
	return "iam/outbound-key/" + account + "/" + kind
}

func (s *svc) outboundHandlers() []server.Handler {
	return []server.Handler{
		// The keys are made outside the write transaction (an RSA key takes tens of
		// milliseconds, which would hold every other write back); a re-enable keeps the
		// keys it has and drops the fresh ones.
		server.Prepared("EnableOutboundWebIdentityFederation", s.prepareOutbound, s.enableOutbound),
		server.Write("DisableOutboundWebIdentityFederation", s.disableOutbound),
		server.Read("GetOutboundWebIdentityFederationInfo", s.getOutboundInfo),
	}
}

func loadOutbound(tx *store.Tx, account string) (*outboundRec, error) {
	var r outboundRec
	ok, err := tx.GetJSON(ns(account, tAccount), outboundKey, &r)
	if err != nil || !ok {
		return nil, err
	}
	return &r, nil
}

// issuerURL is the account's issuer as the caller addressed Palisade.
func issuerURL(c *server.Call, id string) string {
	scheme := "http"
	if c.Secure {
		scheme = "https"
	}
	return scheme + "://" + c.Host + OutboundPrefix + id
}

// Messages recorded, 2026: outbound_identity.json and outbound_issuance.json.
func errFeatureDisabled(account string, already bool) error {
	if already {
		return api.NewFeatureDisabledException("Outbound identity federation is already disabled for account " + account)
	}
	return api.NewFeatureDisabledException("Outbound identity federation is disabled for account " + account)
}

func (s *svc) prepareOutbound(c *server.Call, _ *model.Empty) (*outboundRec, error) {
	return s.newOutbound(c.Account)
}

func (s *svc) enableOutbound(c *server.Call, _ *model.Empty, fresh *outboundRec) (*api.EnableOutboundWebIdentityFederationResponse, error) {
	r, err := loadOutbound(c.Tx, c.Account)
	if err != nil {
		return nil, err
	}
	if r != nil && r.Enabled {
		return nil, api.NewFeatureEnabledException("Outbound identity federation is already enabled for account " + c.Account)
	}
	if r == nil {
		if fresh == nil {
			return nil, fmt.Errorf("iam: outbound federation keys were not prepared")
		}
		r = fresh
		if err := c.Tx.Put(outboundIssuersNS, r.IssuerID, []byte(c.Account)); err != nil {
			return nil, err
		}
	}
	r.Enabled = true
	if err := c.Tx.PutJSON(ns(c.Account, tAccount), outboundKey, r); err != nil {
		return nil, err
	}
	return &api.EnableOutboundWebIdentityFederationResponse{IssuerIdentifier: ptr(issuerURL(c, r.IssuerID))}, nil
}

func (s *svc) newOutbound(account string) (*outboundRec, error) {
	if s.sealer == nil {
		return nil, fmt.Errorf("iam: outbound federation needs the sealer")
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	ek, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return nil, err
	}
	rd, err := x509.MarshalPKCS8PrivateKey(rk)
	if err != nil {
		return nil, err
	}
	ed, err := x509.MarshalPKCS8PrivateKey(ek)
	if err != nil {
		return nil, err
	}
	return &outboundRec{
		IssuerID: auth.NewUUID(),
		RSA:      s.sealer.Seal(rd, outboundSealContext(account, "rsa")),
		EC:       s.sealer.Seal(ed, outboundSealContext(account, "ec")),
	}, nil
}

func (s *svc) disableOutbound(c *server.Call, _ *model.Empty) (*model.Empty, error) {
	r, err := loadOutbound(c.Tx, c.Account)
	if err != nil {
		return nil, err
	}
	if r == nil || !r.Enabled {
		return nil, errFeatureDisabled(c.Account, true)
	}
	r.Enabled = false
	return &model.Empty{}, c.Tx.PutJSON(ns(c.Account, tAccount), outboundKey, r)
}

func (s *svc) getOutboundInfo(c *server.Call, _ *model.Empty) (*api.GetOutboundWebIdentityFederationInfoResponse, error) {
	r, err := loadOutbound(c.Tx, c.Account)
	if err != nil {
		return nil, err
	}
	if r == nil || !r.Enabled {
		return nil, errFeatureDisabled(c.Account, false)
	}
	return &api.GetOutboundWebIdentityFederationInfoResponse{IssuerIdentifier: ptr(issuerURL(c, r.IssuerID)), JwtVendingEnabled: ptr(true)}, nil
}

// OutboundIssuer is what STS needs to sign an account's tokens.
type OutboundIssuer struct {
	Enabled  bool
	IssuerID string
	RSA      *rsa.PrivateKey
	EC       *ecdsa.PrivateKey
}

// LookupOutbound reads the account's outbound federation, its keys opened; nil when
// it was never enabled.
func LookupOutbound(tx *store.Tx, sealer *store.Sealer, account string) (*OutboundIssuer, error) {
	r, err := loadOutbound(tx, account)
	if err != nil || r == nil {
		return nil, err
	}
	out := &OutboundIssuer{Enabled: r.Enabled, IssuerID: r.IssuerID}
	rk, err := openKey(sealer, r.RSA, outboundSealContext(account, "rsa"))
	if err != nil {
		return nil, err
	}
	ek, err := openKey(sealer, r.EC, outboundSealContext(account, "ec"))
	if err != nil {
		return nil, err
	}
	var ok bool
	if out.RSA, ok = rk.(*rsa.PrivateKey); !ok {
		return nil, fmt.Errorf("iam: outbound RSA key of %s has the wrong type", account)
	}
	if out.EC, ok = ek.(*ecdsa.PrivateKey); !ok {
		return nil, fmt.Errorf("iam: outbound EC key of %s has the wrong type", account)
	}
	return out, nil
}

func openKey(sealer *store.Sealer, sealed []byte, context string) (any, error) {
	raw, err := sealer.Open(sealed, context)
	if err != nil {
		return nil, fmt.Errorf("iam: outbound signing key: %w", err)
	}
	return x509.ParsePKCS8PrivateKey(raw)
}

// PrincipalTags are the tags of the IAM user or role an ARN names (with its path),
// nil when it names neither or they are gone.
func PrincipalTags(tx *store.Tx, account, arn string) (map[string]string, error) {
	_, rest, ok := strings.Cut(arn, ":"+account+":")
	if !ok {
		return nil, nil
	}
	kind, path, _ := strings.Cut(rest, "/")
	name := path[strings.LastIndex(path, "/")+1:]
	var tags []api.Tag
	switch kind {
	case "user":
		u, err := load[userRec](tx, ns(account, tUsers), lk(name))
		if err != nil || u == nil {
			return nil, err
		}
		tags = u.Tags
	case "role":
		r, err := load[roleRec](tx, ns(account, tRoles), lk(name))
		if err != nil || r == nil {
			return nil, err
		}
		tags = r.Tags
	}
	if len(tags) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m, nil
}

// OutboundRoutes serves every issuer's OIDC discovery document and key set without
// authentication (see the package comment above): GET
// OutboundPrefix<id>/.well-known/openid-configuration and …/jwks.json. The key set is
// served while federation is disabled too (recorded, 2026: outbound_lifecycle.json,
// keys_disabled); an issuer never enabled is unknown (404).
func OutboundRoutes(db *store.DB, sealer *store.Sealer) map[string]http.Handler {
	return map[string]http.Handler{"GET " + OutboundPrefix: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest := strings.TrimPrefix(r.URL.Path, OutboundPrefix)
		id, doc, ok := strings.Cut(rest, "/.well-known/")
		if !ok || id == "" || strings.Contains(id, "/") || (doc != "openid-configuration" && doc != "jwks.json") {
			http.NotFound(w, r)
			return
		}
		var iss *OutboundIssuer
		err := db.View(r.Context(), func(tx *store.Tx) error {
			acct, found, err := tx.Get(outboundIssuersNS, id)
			if err != nil || !found {
				return err
			}
			iss, err = LookupOutbound(tx, sealer, string(acct))
			return err
		})
		if err != nil {
			http.Error(w, "issuer unavailable", http.StatusInternalServerError)
			return
		}
		if iss == nil {
			http.NotFound(w, r)
			return
		}
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		issuer := scheme + "://" + r.Host + OutboundPrefix + id
		var body any
		if doc == "jwks.json" {
			body = jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
				{Key: iss.RSA.Public(), KeyID: KeyIDRSA, Algorithm: "RS256", Use: "sig"},
				{Key: iss.EC.Public(), KeyID: KeyIDEC, Algorithm: "ES384", Use: "sig"},
			}}
		} else {
			// The document AWS serves (recorded, 2026: outbound_issuance.json,
			// openid-configuration).
			body = map[string]any{
				"issuer":                                issuer,
				"jwks_uri":                              issuer + "/.well-known/jwks.json",
				"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "jti", "https://sts.amazonaws.com/"},
				"id_token_signing_alg_values_supported": []string{"RS256", "ES384"},
				"response_types_supported":              []string{"id_token"},
				"subject_types_supported":               []string{"public"},
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(body)
	})}
}

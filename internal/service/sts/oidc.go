package sts

import (
	"context"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/palisade/palisade/internal/store"
)

// Where the keys that check a web identity token come from, in order:
//
//  1. a JWKS given for the issuer through the admin API (PUT /_palisade/sts/oidc-keys
//     ?issuer=URL, body: the JWKS document), for issuers Palisade cannot reach;
//  2. the issuer itself: its OpenID discovery document
//     (ISSUER/.well-known/openid-configuration) names jwks_uri, which is fetched over
//     HTTPS. The server's certificate must chain to a system root or, as AWS allows,
//     one certificate of its chain must have a SHA-1 thumbprint listed on the IAM
//     provider (so a self-signed issuer on loopback works when its thumbprint is).
//
// Fetched key sets are kept for keyTTL; a token whose key ID is not in the kept set
// refetches at most every keyRefetch.
const (
	keyTTL       = 10 * time.Minute
	keyRefetch   = 10 * time.Second
	fetchTimeout = 5 * time.Second
	maxDocument  = 1 << 20
)

// jwksNS holds the key sets given through the admin API, by issuer URL.
var jwksNS = store.NS("sts", "", "", "oidc-jwks")

type cachedKeys struct {
	set     jose.JSONWebKeySet
	fetched time.Time
}

// errKeys means the key set could not be had: AWS's "Couldn't retrieve verification
// key" answer.
var errKeys = errors.New("sts: no verification key")

// normalizeIssuer is the form issuers are kept under: no trailing slash.
func normalizeIssuer(iss string) string { return strings.TrimSuffix(iss, "/") }

// keySet returns the keys for an issuer: a given JWKS, else the cached or fetched
// one. fresh forces a fetch (the token's key ID was not in the cached set), rate
// limited by keyRefetch.
func (s *svc) keySet(ctx context.Context, tx *store.Tx, issuer string, thumbprints []string, fresh bool) (*jose.JSONWebKeySet, bool, error) {
	iss := normalizeIssuer(issuer)
	var given jose.JSONWebKeySet
	if ok, err := tx.GetJSON(jwksNS, iss, &given); err != nil {
		return nil, false, err
	} else if ok {
		return &given, true, nil
	}
	kc := s.keys
	kc.mu.Lock()
	c := kc.sets[iss]
	kc.mu.Unlock()
	now := time.Now()
	if c != nil && now.Sub(c.fetched) < keyTTL && (!fresh || now.Sub(c.fetched) < keyRefetch) {
		return &c.set, false, nil
	}
	set, err := kc.fetch(ctx, iss, thumbprints)
	if err != nil {
		return nil, false, err
	}
	kc.mu.Lock()
	kc.sets[iss] = &cachedKeys{set: *set, fetched: now}
	kc.mu.Unlock()
	return set, false, nil
}

// fetch reads the discovery document and the key set it names.
func (kc *keyCache) fetch(ctx context.Context, issuer string, thumbprints []string) (*jose.JSONWebKeySet, error) {
	client := kc.client
	if client == nil {
		client = thumbprintClient(thumbprints)
	}
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := getJSON(ctx, client, issuer+"/.well-known/openid-configuration", &disc); err != nil {
		return nil, fmt.Errorf("%w: discovery: %v", errKeys, err)
	}
	u, err := url.Parse(disc.JWKSURI)
	if err != nil || u.Scheme != "https" {
		return nil, fmt.Errorf("%w: jwks_uri %q is not an https URL", errKeys, disc.JWKSURI)
	}
	var set jose.JSONWebKeySet
	if err := getJSON(ctx, client, disc.JWKSURI, &set); err != nil {
		return nil, fmt.Errorf("%w: jwks: %v", errKeys, err)
	}
	return &set, nil
}

func getJSON(ctx context.Context, client *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d", u, resp.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, maxDocument)).Decode(v)
}

// thumbprintClient trusts what the system trusts, and also a server one of whose
// certificates has a SHA-1 thumbprint listed on the IAM provider.
func thumbprintClient(thumbprints []string) *http.Client {
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: fetchTimeout}).DialContext,
		TLSHandshakeTimeout: fetchTimeout,
		TLSClientConfig: &tls.Config{
			// Verification is done below, by chain or by thumbprint.
			InsecureSkipVerify: true,
			VerifyConnection: func(cs tls.ConnectionState) error {
				return verifyPeer(cs, thumbprints)
			},
		},
	}
	return &http.Client{Transport: tr, Timeout: fetchTimeout}
}

func verifyPeer(cs tls.ConnectionState, thumbprints []string) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("no server certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	if _, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{DNSName: cs.ServerName, Intermediates: inter}); err == nil {
		return nil
	}
	for _, c := range cs.PeerCertificates {
		sum := sha1.Sum(c.Raw)
		tp := hex.EncodeToString(sum[:])
		for _, want := range thumbprints {
			if strings.EqualFold(want, tp) {
				return nil
			}
		}
	}
	return errors.New("the server certificate chains to no trusted root and matches no thumbprint of the provider")
}

// Thumbprint is the SHA-1 thumbprint of a DER certificate, as IAM lists them on an
// OIDC provider.
func Thumbprint(der []byte) string {
	sum := sha1.Sum(der)
	return hex.EncodeToString(sum[:])
}

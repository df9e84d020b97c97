package sts

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/palisade/palisade/internal/store"
)

// adminHandler serves STS's part of the admin API, under /_palisade/sts/ (behind the
// admin token):
//
//	PUT    /_palisade/sts/oidc-keys?issuer=URL   body: a JWKS document; the keys that
//	       check web identity tokens of that issuer, instead of fetching them
//	DELETE /_palisade/sts/oidc-keys?issuer=URL   back to fetching
//	GET    /_palisade/sts/oidc-keys              the issuers with given keys
//	PUT    /_palisade/sts/regions?account=ID&region=R   enable an opt-in region for
//	       an account (what the Account API's EnableRegion does on AWS)
//	DELETE /_palisade/sts/regions?account=ID&region=R   disable it again
func (s *svc) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/_palisade/sts/oidc-keys", s.adminKeys)
	mux.HandleFunc("/_palisade/sts/regions", s.adminRegions)
	return mux
}

func (s *svc) adminKeys(w http.ResponseWriter, r *http.Request) {
	if s.Store == nil {
		adminJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "no store"})
		return
	}
	issuer := normalizeIssuer(r.URL.Query().Get("issuer"))
	if r.Method != http.MethodGet {
		if u, err := url.Parse(issuer); err != nil || u.Scheme != "https" || u.Host == "" {
			adminJSON(w, http.StatusBadRequest, map[string]string{"error": "issuer must be the https URL of the token's iss claim"})
			return
		}
	}
	switch r.Method {
	case http.MethodGet:
		issuers := []string{}
		err := s.Store.View(r.Context(), func(tx *store.Tx) error {
			return tx.Scan(jwksNS, "", 0, func(k string, _ []byte) bool {
				issuers = append(issuers, k)
				return true
			})
		})
		if err != nil {
			adminJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		adminJSON(w, http.StatusOK, map[string]any{"issuers": issuers})
	case http.MethodPut:
		body, err := io.ReadAll(io.LimitReader(r.Body, maxDocument+1))
		var set jose.JSONWebKeySet
		if err != nil || len(body) > maxDocument || json.Unmarshal(body, &set) != nil || len(set.Keys) == 0 {
			adminJSON(w, http.StatusBadRequest, map[string]string{"error": `body must be a JWKS document: {"keys":[...]} with at least one key`})
			return
		}
		for _, k := range set.Keys {
			if !k.IsPublic() {
				adminJSON(w, http.StatusBadRequest, map[string]string{"error": "the JWKS must hold public keys only"})
				return
			}
		}
		s.keys.forget(issuer)
		if err := s.Store.Update(r.Context(), func(tx *store.Tx) error { return tx.PutJSON(jwksNS, issuer, set) }); err != nil {
			adminJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		adminJSON(w, http.StatusOK, map[string]any{"issuer": issuer, "keys": len(set.Keys)})
	case http.MethodDelete:
		s.keys.forget(issuer)
		if err := s.Store.Update(r.Context(), func(tx *store.Tx) error { _, err := tx.Delete(jwksNS, issuer); return err }); err != nil {
			adminJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		adminJSON(w, http.StatusOK, map[string]string{"issuer": issuer})
	default:
		w.Header().Set("Allow", "GET, PUT, DELETE")
		adminJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "GET, PUT or DELETE"})
	}
}

func (s *svc) adminRegions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	account, region := q.Get("account"), q.Get("region")
	if len(account) != 12 || strings.Trim(account, "0123456789") != "" || !optInRegion(region) {
		adminJSON(w, http.StatusBadRequest, map[string]string{"error": "account must be a 12-digit account ID and region an opt-in region"})
		return
	}
	var fn func(tx *store.Tx) error
	switch r.Method {
	case http.MethodPut:
		fn = func(tx *store.Tx) error { return tx.Put(regionsNS, account+"/"+region, nil) }
	case http.MethodDelete:
		fn = func(tx *store.Tx) error { _, err := tx.Delete(regionsNS, account+"/"+region); return err }
	default:
		w.Header().Set("Allow", "PUT, DELETE")
		adminJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "PUT or DELETE"})
		return
	}
	if err := s.Store.Update(r.Context(), fn); err != nil {
		adminJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	adminJSON(w, http.StatusOK, map[string]any{"account": account, "region": region, "enabled": r.Method == http.MethodPut})
}

func adminJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (kc *keyCache) forget(issuer string) {
	kc.mu.Lock()
	delete(kc.sets, issuer)
	kc.mu.Unlock()
}

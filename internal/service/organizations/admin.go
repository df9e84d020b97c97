package organizations

import (
	"encoding/json"
	"net/http"

	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/store"
)

// adminHandler serves Organizations' part of the admin API, under
// /_palisade/organizations/ (behind the admin token):
//
//	POST /_palisade/organizations/root-key?account=ID
//
// makes a root access key for a member account and returns it once, as
// {"AccessKeyId": …, "SecretAccessKey": …}. AWS gives member accounts no root
// credentials (they are reached through OrganizationAccountAccessRole, or by
// resetting the root password); this is a test convenience, for checking what SCPs
// do to a member account's root user.
//
//	POST /_palisade/organizations/standalone?account=ID
//
// stands for the sign-up steps a member account created by CreateAccount must go
// through before it can leave its organization (AWS: choose a support plan, provide
// and verify contact information, provide a payment method, done by signing in to
// the account; Palisade keeps no such information). It answers {"AccountId": ID}.
func (s *svc) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/_palisade/organizations/standalone", postOnly(func(w http.ResponseWriter, r *http.Request) {
		account := r.URL.Query().Get("account")
		if s.Store == nil {
			adminJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "no store"})
			return
		}
		found := false
		err := s.Store.Update(r.Context(), func(tx *store.Tx) error {
			m, err := load[memberRec](tx, tMembers, account)
			if err != nil || m == nil || m.JoinedMethod != "CREATED" {
				return err
			}
			found = true
			m.Standalone = true
			return tx.PutJSON(ns(tMembers), m.ID, m)
		})
		switch {
		case err != nil:
			adminJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		case !found:
			adminJSON(w, http.StatusNotFound, map[string]string{"error": "no member account " + account + " created by an organization"})
		default:
			adminJSON(w, http.StatusOK, map[string]string{"AccountId": account})
		}
	}))
	mux.HandleFunc("/_palisade/organizations/root-key", postOnly(func(w http.ResponseWriter, r *http.Request) {
		account := r.URL.Query().Get("account")
		if s.Keys == nil || s.Store == nil {
			adminJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "no key store"})
			return
		}
		cred := &auth.Credential{AccessKeyID: auth.NewKeyID("AKIA", account), Secret: []byte(auth.NewSecret()), Active: true, Principal: auth.RootPrincipal(account)}
		status, msg := http.StatusOK, ""
		err := s.Store.Update(r.Context(), func(tx *store.Tx) error {
			m, err := load[memberRec](tx, tMembers, account)
			if err != nil {
				return err
			}
			if m == nil || m.JoinedMethod != "CREATED" {
				status, msg = http.StatusNotFound, "no member account "+account+" created by an organization"
				return nil
			}
			cred.Created = m.Joined
			return s.Keys.Put(tx, cred)
		})
		if err != nil {
			status, msg = http.StatusInternalServerError, err.Error()
		}
		if status != http.StatusOK {
			adminJSON(w, status, map[string]string{"error": msg})
			return
		}
		adminJSON(w, http.StatusOK, map[string]string{"AccessKeyId": cred.AccessKeyID, "SecretAccessKey": string(cred.Secret)})
	}))
	return mux
}

func adminJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// postOnly answers any method but POST with 405 and an Allow header.
func postOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			adminJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST"})
			return
		}
		h(w, r)
	}
}

package server

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/palisade/palisade/internal/audit"
)

// adminHandler serves /_palisade/: health and the services' Public routes without
// authentication, everything else behind the admin bearer token.
func (s *Server) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_palisade/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "services": s.Services()})
	})
	for pattern, h := range s.cfg.Public {
		mux.Handle(pattern, h)
	}
	mux.Handle("/_palisade/clock", s.requireToken(http.HandlerFunc(s.clockHandler)))
	for _, e := range s.entries {
		if h := e.svc.Admin; h != nil {
			mux.Handle("/_palisade/"+e.svc.Model.Name+"/", s.requireToken(h))
		}
	}
	mux.Handle("/_palisade/", s.requireToken(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such admin endpoint"})
	})))
	return mux
}

// requireToken admits requests bearing the admin token, compared in constant time.
func (s *Server) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || s.cfg.AdminToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.AdminToken)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="palisade-admin"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "the admin API needs the bearer token from <data-dir>/admin-token or PALISADE_ADMIN_TOKEN"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// clockHandler reads (GET) or advances (POST {"advance_seconds": N}) the clock. An
// advance is persisted before it is acknowledged, so a restart keeps it.
func (s *Server) clockHandler(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		var req struct {
			AdvanceSeconds *float64 `json:"advance_seconds"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil || req.AdvanceSeconds == nil || *req.AdvanceSeconds < 0 || *req.AdvanceSeconds > 100*365*86400 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `body must be {"advance_seconds": N} with 0 <= N <= 3153600000`})
			return
		}
		d := time.Duration(*req.AdvanceSeconds * float64(time.Second))
		s.clockMu.Lock()
		offset := s.cfg.Clock.Offset() + d
		if s.cfg.OnClockAdvance != nil {
			if err := s.cfg.OnClockAdvance(r.Context(), offset); err != nil {
				s.clockMu.Unlock()
				s.cfg.Logger.Error("clock advance not persisted", "err", err)
				writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "the clock could not be saved"})
				return
			}
		}
		s.cfg.Clock.SetOffset(offset)
		s.clockMu.Unlock()
		s.cfg.Logger.Info("clock advanced", "by", d.String(), "offset", offset.String())
	default:
		w.Header().Set("Allow", "GET, POST")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "GET or POST"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"now": s.cfg.Clock.Now().Format(time.RFC3339Nano)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := audit.MarshalJSON(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

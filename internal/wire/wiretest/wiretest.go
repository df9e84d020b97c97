// Package wiretest runs the wire layer alone behind an httptest server, so each protocol
// codec can be tested against a real AWS SDK client: the SDK serializes, the codec
// decodes, a test handler answers, the codec encodes, the SDK deserializes. It skips
// authentication (any signature is accepted) and everything above the wire layer.
package wiretest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/wire"
)

// Handler answers one operation with an output value or an error.
type Handler func(in map[string]any) (map[string]any, *model.Error)

// Server serves svc with the given handlers until the test ends. Operations without a
// handler answer a 501 so a test notices.
func Server(t testing.TB, svc *model.Service, handlers map[string]Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(Handle(svc, handlers))
	t.Cleanup(srv.Close)
	return srv
}

// maxBody bounds a decompressed request body.
const maxBody = 16 << 20

// Handle is the http.Handler behind Server.
func Handle(svc *model.Service, handlers map[string]Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, hr *http.Request) {
		p := wire.Detect(svc, hr)
		r := &wire.Request{HTTP: hr, Service: svc}
		if svc.Name == "s3" {
			r.VirtualBucket, _ = wire.S3BucketFromHost(hr.Host)
		}
		meta := wire.Response{RequestID: "00000000-0000-4000-8000-000000000000", HostID: "wiretest"}
		if p.ReadsBodyToResolve() {
			r.Body, _ = io.ReadAll(hr.Body)
			var e *model.Error
			if r.Body, e = wire.DecodeBody(hr.Header, r.Body, maxBody); e != nil {
				p.EncodeError(w, r, e, meta)
				return
			}
		}
		op, labels, e := p.Resolve(r)
		if e != nil {
			p.EncodeError(w, r, e, meta)
			return
		}
		r.Op, r.Labels = op, labels
		if !p.ReadsBodyToResolve() {
			if wire.HasStreamingInput(op) {
				r.Stream = hr.Body
			} else {
				r.Body, _ = io.ReadAll(hr.Body)
				if r.Body, e = wire.DecodeBody(hr.Header, r.Body, maxBody); e != nil {
					p.EncodeError(w, r, e, meta)
					return
				}
			}
		}
		in, e := p.Decode(r)
		if e != nil {
			p.EncodeError(w, r, e, meta)
			return
		}
		if e := wire.ValidateInput(r, in); e != nil {
			p.EncodeError(w, r, e, meta)
			return
		}
		h, ok := handlers[op.Name]
		if !ok {
			http.Error(w, "wiretest: no handler for "+op.Name, http.StatusNotImplemented)
			return
		}
		out, e := h(in)
		if e != nil {
			p.EncodeError(w, r, e, meta)
			return
		}
		if err := p.Encode(w, r, out, meta); err != nil {
			panic(err)
		}
	})
}

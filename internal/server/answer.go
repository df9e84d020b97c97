package server

import (
	"errors"
	"net/http"

	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/wire"
)

// AnswerSize is the length in bytes of the body the call's answer carries: out as the
// call's protocol encodes it on success, err's error document otherwise — what S3
// records as bytesTransferredOut. The answer is encoded for the count, so it is exact
// (request ID, host ID and escaping included). ok is false when the size is the
// handler's to know: an answer that streams a payload (GetObject's body), or a call
// not made over HTTP.
func (c *Call) AnswerSize(out any, err error) (n int64, ok bool) {
	if c.proto == nil || c.wreq == nil {
		return 0, false
	}
	if c.HTTP.Method == http.MethodHead {
		return 0, true
	}
	meta := wire.Response{RequestID: c.RequestID, HostID: c.HostID, Status: c.Status}
	w := &countingWriter{h: http.Header{}}
	if err != nil {
		var me *model.Error
		if !errors.As(err, &me) {
			me = internalError() // as the answer will be (asAPIError logs the cause)
		}
		if me.Status == http.StatusNotModified || me.Status == http.StatusNoContent {
			return 0, true // HTTP gives these no body, whatever was written
		}
		c.proto.EncodeError(w, c.wreq, me, meta)
		return w.n, true
	}
	op := c.Operation
	if op.Output == nil {
		return 0, true
	}
	if p := op.Output.Payload; p != "" {
		if m := op.Output.ByName[p]; m != nil && m.IsStreaming() {
			return 0, false
		}
	}
	if enc := c.proto.Encode(w, c.wreq, model.Marshal(out), meta); enc != nil {
		return 0, false
	}
	return w.n, true
}

// countingWriter is a ResponseWriter that keeps nothing but the body's length.
type countingWriter struct {
	h http.Header
	n int64
}

func (w *countingWriter) Header() http.Header { return w.h }
func (w *countingWriter) WriteHeader(int)     {}
func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

package s3

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"testing"
)

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after -= len(p); w.after < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

type failingReader struct {
	r     io.Reader
	after int
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.after <= 0 {
		return 0, errors.New("connection reset")
	}
	n, err := r.r.Read(p[:min(len(p), r.after)])
	r.after -= n
	return n, err
}

// Every writer of a parallel copy sees the whole body in order; a failing writer or
// reader ends the copy with its error, the read's first.
func TestParallelCopy(t *testing.T) {
	body := make([]byte, 5*pipeBufferSize+123)
	rand.Read(body)
	var a, b bytes.Buffer
	h := sha256.New()
	n, err := parallelCopy(bytes.NewReader(body), &a, h, &b)
	if err != nil || n != int64(len(body)) || !bytes.Equal(a.Bytes(), body) || !bytes.Equal(b.Bytes(), body) {
		t.Fatalf("copy: %d bytes, %v", n, err)
	}
	if want := sha256.Sum256(body); !bytes.Equal(h.Sum(nil), want[:]) {
		t.Fatal("a writer saw the body out of order")
	}
	if _, err := parallelCopy(bytes.NewReader(body), &a, &failingWriter{after: 2 * pipeBufferSize}); err == nil || err.Error() != "disk full" {
		t.Fatalf("failing writer: %v", err)
	}
	if _, err := parallelCopy(&failingReader{r: bytes.NewReader(body), after: pipeBufferSize + 5}, &failingWriter{after: pipeBufferSize}); err == nil || err.Error() != "connection reset" {
		t.Fatalf("failing reader and writer: %v", err)
	}
	if n, err := parallelCopy(bytes.NewReader(nil), &a); n != 0 || err != nil {
		t.Fatalf("empty body: %d, %v", n, err)
	}
}

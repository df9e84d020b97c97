package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// ReadBody returns exactly the bytes sent and their hash, whatever the declared length
// says: sized from Content-Length below the preallocation cap, grown past it, refused
// over the limit, an error when the body stops short.
func TestReadBody(t *testing.T) {
	const limit = 8 << 20
	for _, tc := range []struct {
		name     string
		size     int
		declared int64 // -1: unknown length
		wantErr  error
	}{
		{"empty", 0, 0, nil},
		{"small", 10, 10, nil},
		{"unknown length", 5000, -1, nil},
		{"past the preallocation", preallocate + 12345, preallocate + 12345, nil},
		{"at the limit", limit, limit, nil},
		{"over the limit, unknown length", limit + 1, -1, ErrBodyTooLarge},
		{"short of its declared length", 100, 200, io.ErrUnexpectedEOF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := bytes.Repeat([]byte("abcdefg"), tc.size/7+1)[:tc.size]
			var src io.Reader = bytes.NewReader(data)
			if tc.declared > int64(tc.size) {
				// net/http's body reader reports a body that ends early this way.
				src = io.MultiReader(src, errReader{io.ErrUnexpectedEOF})
			}
			r := httptest.NewRequest(http.MethodPost, "/", src)
			r.ContentLength = tc.declared
			body, hash, err := ReadBody(r, limit)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			sum := sha256.Sum256(data)
			again, _ := io.ReadAll(r.Body)
			if !bytes.Equal(body, data) || hash != hex.EncodeToString(sum[:]) || !bytes.Equal(again, data) {
				t.Fatalf("%d bytes back (%d again), hash %s", len(body), len(again), hash)
			}
		})
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
